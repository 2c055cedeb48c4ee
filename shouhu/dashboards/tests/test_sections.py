"""Which sections each role's home page shows (a table of cases over every role)."""

from __future__ import annotations

import pytest

from shouhu.accounts.choices import Role
from shouhu.dashboards import sections as s
from shouhu.dashboards.sections import sections_for


@pytest.mark.parametrize(
    ("roles", "is_superuser", "expected"),
    [
        ([Role.CHILD_DIRECTOR], False, [s.MY_VILLAGE, s.MY_CHILDREN, s.JOBS]),
        ([Role.TOWNSHIP_SUPERVISOR], False, [s.MY_CHILDREN, s.TOWNSHIP, s.JOBS]),
        ([Role.COUNTY_CASEWORKER], False, [s.MY_CHILDREN, s.CASE_QUEUE, s.COVERAGE, s.JOBS]),
        ([Role.INTAKE_OFFICER], False, [s.MY_CHILDREN, s.INTAKE_QUEUE, s.COVERAGE, s.JOBS]),
        ([Role.DEPARTMENT_LIAISON], False, [s.REFERRALS, s.JOBS]),
        ([Role.MANDATED_REPORTER], False, [s.REPORTING, s.JOBS]),
        ([Role.PLAN_MONITOR], False, [s.MY_CHILDREN, s.PLAN, s.JOBS]),
        ([Role.AUDITOR], False, [s.AUDIT, s.JOBS]),
        ([Role.COUNTY_ADMIN], False, [s.MY_CHILDREN, s.COVERAGE, s.ACCOUNTS, s.JOBS]),
        ([Role.CITY_ADMIN], False, [s.MY_CHILDREN, s.COVERAGE, s.ACCOUNTS, s.JOBS]),
        ([], True, [s.ACCOUNTS, s.SYSTEM, s.JOBS]),
        ([], False, [s.JOBS]),
        # Several roles: the sections of each, once, in page order.
        ([Role.MANDATED_REPORTER, Role.CHILD_DIRECTOR], False, [s.MY_VILLAGE, s.MY_CHILDREN, s.REPORTING, s.JOBS]),
        (
            [Role.INTAKE_OFFICER, Role.COUNTY_CASEWORKER],
            False,
            [s.MY_CHILDREN, s.INTAKE_QUEUE, s.CASE_QUEUE, s.COVERAGE, s.JOBS],
        ),
        ([Role.COUNTY_ADMIN], True, [s.MY_CHILDREN, s.COVERAGE, s.ACCOUNTS, s.SYSTEM, s.JOBS]),
    ],
)
def test_sections_of_roles(roles, is_superuser, expected):
    assert sections_for(roles, is_superuser=is_superuser) == expected


def test_every_role_has_sections_and_every_section_has_a_place_in_the_order():
    assert set(s.ROLE_SECTIONS) == set(Role)
    used = {section for sections in s.ROLE_SECTIONS.values() for section in sections}
    assert used | set(s.SUPERUSER_SECTIONS) | set(s.EVERYONE) <= set(s.ORDER)


def test_role_given_as_its_stored_value_is_understood():
    assert sections_for(["child_director"]) == sections_for([Role.CHILD_DIRECTOR])
