"""Pure rules: role levels, who grants what, second factor, agency reach, phones, credit codes, passwords."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shouhu.accounts import roles
from shouhu.accounts.choices import Role
from shouhu.accounts.validators import (
    CharacterClassValidator,
    credit_code_check_character,
    is_credit_code,
    normalise_mobile,
)
from shouhu.regions.choices import Level

V, T, C, Y = Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY

# (role, levels where it may sit) — DESIGN.md "Who uses it".
LEVEL_TABLE = [
    (Role.CHILD_DIRECTOR, {V}),
    (Role.TOWNSHIP_SUPERVISOR, {T}),
    (Role.COUNTY_CASEWORKER, {C, Y}),
    (Role.INTAKE_OFFICER, {C, Y}),
    (Role.DEPARTMENT_LIAISON, {T, C, Y}),
    (Role.MANDATED_REPORTER, {V, T, C, Y}),
    (Role.PLAN_MONITOR, {C, Y}),
    (Role.AUDITOR, {C, Y}),
    (Role.COUNTY_ADMIN, {C}),
    (Role.CITY_ADMIN, {Y}),
]


@pytest.mark.parametrize(("role", "allowed"), LEVEL_TABLE)
@pytest.mark.parametrize("level", [V, T, C, Y, Level.PROVINCE])
def test_role_fits_only_its_levels(role, allowed, level):
    assert (roles.level_problems([role], level) == []) == (level in allowed)


def test_level_table_covers_every_role():
    assert {role for role, _ in LEVEL_TABLE} == set(Role)


# (granter, roles granted) — a county administrator makes neither administrators nor auditors.
@pytest.mark.parametrize(
    ("granter", "grantee", "allowed"),
    [
        (Role.CITY_ADMIN, Role.COUNTY_ADMIN, True),
        (Role.CITY_ADMIN, Role.AUDITOR, True),
        (Role.CITY_ADMIN, Role.CHILD_DIRECTOR, True),
        (Role.CITY_ADMIN, Role.CITY_ADMIN, False),
        (Role.COUNTY_ADMIN, Role.CHILD_DIRECTOR, True),
        (Role.COUNTY_ADMIN, Role.TOWNSHIP_SUPERVISOR, True),
        (Role.COUNTY_ADMIN, Role.DEPARTMENT_LIAISON, True),
        (Role.COUNTY_ADMIN, Role.PLAN_MONITOR, True),
        (Role.COUNTY_ADMIN, Role.COUNTY_ADMIN, False),
        (Role.COUNTY_ADMIN, Role.CITY_ADMIN, False),
        (Role.COUNTY_ADMIN, Role.AUDITOR, False),
        (Role.TOWNSHIP_SUPERVISOR, Role.CHILD_DIRECTOR, False),
        (Role.AUDITOR, Role.CHILD_DIRECTOR, False),
    ],
)
def test_grantable_roles(granter, grantee, allowed):
    assert (grantee in roles.grantable_roles([granter])) == allowed


def test_superuser_grants_every_role():
    assert roles.grantable_roles([], is_superuser=True) == frozenset(Role)


@pytest.mark.parametrize(
    ("held", "superuser", "needed"),
    [
        ([Role.COUNTY_ADMIN], False, True),
        ([Role.CITY_ADMIN], False, True),
        ([Role.AUDITOR], False, True),
        ([], True, True),
        ([Role.CHILD_DIRECTOR], False, False),
        ([Role.COUNTY_CASEWORKER, Role.INTAKE_OFFICER], False, False),
        ([Role.PLAN_MONITOR, Role.AUDITOR], False, True),
    ],
)
def test_second_factor_is_needed_by_administrators_auditors_and_superusers(held, superuser, needed):
    assert roles.needs_second_factor(held, is_superuser=superuser) == needed


@pytest.mark.parametrize(
    ("jurisdiction", "agency_region", "in_reach"),
    [
        ("370902001001", "370902001000", True),  # village director of the township government
        ("370902001001", "370902000000", True),  # … of the county bureau
        ("370902001001", "370900000000", True),  # … of the city bureau
        ("370902000000", "370902001000", True),  # county liaison of a township police station
        ("370902001001", "370902001001", True),  # own village committee
        ("370902001001", "370902002000", False),  # neighbouring township
        ("370902001001", "370902001002", False),  # neighbouring village
        ("370902000000", "370911000000", False),  # other county
        ("370902000000", "370100000000", False),  # other city
    ],
)
def test_agency_must_lie_on_the_line_of_the_jurisdiction(jurisdiction, agency_region, in_reach):
    assert roles.agency_in_reach(jurisdiction, agency_region) == in_reach


@pytest.mark.parametrize(
    ("placer", "target", "superuser", "allowed"),
    [
        ("370902000000", "370902001001", False, True),
        ("370902000000", "370902000000", False, True),
        ("370902000000", "370911101201", False, False),
        ("370900000000", "370911101201", False, True),
        ("370900000000", "370102000000", False, False),
        (None, "370902001001", False, False),
        (None, "370102000000", True, True),
    ],
)
def test_administrators_place_users_only_inside_their_jurisdiction(placer, target, superuser, allowed):
    assert roles.may_place(placer, target, is_superuser=superuser) == allowed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("+86 13800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("12800138000", None),  # 12x is not a mobile range
        ("1380013800", None),  # 10 digits
        ("138001380001", None),  # 12 digits
        ("0538-8221234", None),  # a landline
        ("", None),
    ],
)
def test_mobile_numbers(typed, expected):
    assert normalise_mobile(typed) == expected


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("914403001922038216", True),  # published codes of large companies
        ("9144030071526726XG", True),
        ("91330100716105852F", True),
        ("914403001922038217", False),  # wrong check character
        ("91440300192203821", False),  # 17 characters
        ("91440300192203821I", False),  # I is not in the alphabet
        ("914403001922O38216", False),  # nor O
    ],
)
def test_unified_social_credit_codes(code, valid):
    assert is_credit_code(code) == valid


def test_credit_code_check_character_is_modulus_31():
    # GB 32100-2015: weights 3^i mod 31; check = 31 - (sum mod 31), 31 → 0.
    first17 = "91440300192203821"
    weights = [pow(3, i, 31) for i in range(17)]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights, strict=True))
    assert credit_code_check_character(first17) == alphabet[(31 - total % 31) % 31]


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abcdefgh", 1), ("abcdEFGH", 2), ("abcdEF12", 3), ("abEF12!?", 4), ("密码密码12ab", 2)],
)
def test_character_classes(password, classes):
    assert CharacterClassValidator.classes_in(password) == classes
    validator = CharacterClassValidator(min_classes=3)
    if classes >= 3:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError):
            validator.validate(password)
