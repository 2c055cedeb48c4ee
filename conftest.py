"""Shared fixtures: a small test world of two counties, with one user of every role.

Layout (泰安市 3709 of 山东省 37, plus 济南市 3701 as "another city"):

    370902 泰山区 (county A)            370911 岱岳区 (county B)       370102 历下区 (other city)
      370902001 township A1               370911101 township B1
        370902001001 village A1a            370911101201 village B1a
        370902001002 village A1b
      370902002 township A2
        370902002001 village A2a
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, User
from shouhu.accounts.tests.factories import UserFactory
from shouhu.core.testing import ACTORS
from shouhu.policy import selectors as policy_selectors
from shouhu.regions.models import Region
from shouhu.regions.tests.factories import make_region


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Caches outlive a test's rollback: start and end every test with empty ones."""
    cache.clear()
    policy_selectors.invalidate()
    yield
    cache.clear()
    policy_selectors.invalidate()


def _agency(name: str, kind: AgencyKind, region: Region) -> Agency:
    agency, _ = Agency.objects.get_or_create(name=name, region=region, defaults={"kind": kind})
    return agency


@pytest.fixture
def regions(db) -> SimpleNamespace:
    make_region("37", "山东省")
    return SimpleNamespace(
        city=make_region("3709", "泰安市"),
        county_a=make_region("370902", "泰山区"),
        county_b=make_region("370911", "岱岳区"),
        township_a1=make_region("370902001", "岱庙街道"),
        township_a2=make_region("370902002", "财源街道"),
        township_b1=make_region("370911101", "满庄镇"),
        village_a1a=make_region("370902001001", "东湖社区", urban_rural_class="111"),
        village_a1b=make_region("370902001002", "西湖社区", urban_rural_class="111"),
        village_a2a=make_region("370902002001", "南关社区", urban_rural_class="111"),
        village_b1a=make_region("370911101201", "张家庄村"),
        other_city=make_region("3701", "济南市"),
        other_city_county=make_region("370102", "历下区"),
    )


def _user(username: str, roles: list[Role], region: Region, agency: Agency) -> User:
    user: User = UserFactory.create(
        username=username, full_name=username, roles=roles, jurisdiction=region, agency=agency
    )
    return user


@pytest.fixture
def actors(regions) -> dict[str, User]:
    """One user per role and place; permission matrices iterate over all of them."""
    r = regions
    civil_a = _agency("泰山区民政局", AgencyKind.CIVIL_AFFAIRS, r.county_a)
    civil_b = _agency("岱岳区民政局", AgencyKind.CIVIL_AFFAIRS, r.county_b)
    civil_city = _agency("泰安市民政局", AgencyKind.CIVIL_AFFAIRS, r.city)
    police_a = _agency("泰山区公安分局", AgencyKind.PUBLIC_SECURITY, r.county_a)
    committee_city = _agency("泰安市妇儿工委办", AgencyKind.CHILDREN_WORK_COMMITTEE, r.city)
    village_a1a = _agency("东湖社区居委会", AgencyKind.VILLAGE_COMMITTEE, r.village_a1a)
    village_a1b = _agency("西湖社区居委会", AgencyKind.VILLAGE_COMMITTEE, r.village_a1b)
    township_a1 = _agency("岱庙街道办事处", AgencyKind.TOWNSHIP_GOVERNMENT, r.township_a1)
    township_a2 = _agency("财源街道办事处", AgencyKind.TOWNSHIP_GOVERNMENT, r.township_a2)
    school_a1 = _agency("岱庙小学", AgencyKind.SCHOOL, r.township_a1)
    users = {
        "village_director": _user("village_director", [Role.CHILD_DIRECTOR], r.village_a1a, village_a1a),
        "other_village_director": _user("other_village_director", [Role.CHILD_DIRECTOR], r.village_a1b, village_a1b),
        "township_supervisor": _user("township_supervisor", [Role.TOWNSHIP_SUPERVISOR], r.township_a1, township_a1),
        "other_township_supervisor": _user(
            "other_township_supervisor", [Role.TOWNSHIP_SUPERVISOR], r.township_a2, township_a2
        ),
        "county_caseworker": _user("county_caseworker", [Role.COUNTY_CASEWORKER], r.county_a, civil_a),
        "other_county_caseworker": _user("other_county_caseworker", [Role.COUNTY_CASEWORKER], r.county_b, civil_b),
        "intake_officer": _user("intake_officer", [Role.INTAKE_OFFICER], r.county_a, civil_a),
        "department_liaison": _user("department_liaison", [Role.DEPARTMENT_LIAISON], r.county_a, police_a),
        "mandated_reporter": _user("mandated_reporter", [Role.MANDATED_REPORTER], r.township_a1, school_a1),
        "plan_monitor": _user("plan_monitor", [Role.PLAN_MONITOR], r.city, committee_city),
        "auditor": _user("auditor", [Role.AUDITOR], r.city, civil_city),
        "county_admin": _user("county_admin", [Role.COUNTY_ADMIN], r.county_a, civil_a),
        "other_county_admin": _user("other_county_admin", [Role.COUNTY_ADMIN], r.county_b, civil_b),
        "city_admin": _user("city_admin", [Role.CITY_ADMIN], r.city, civil_city),
        "superuser": UserFactory.create(
            username="superuser",
            full_name="系统管理员",
            is_superuser=True,
            is_staff=True,
            jurisdiction=None,
            agency=None,
        ),
    }
    assert tuple(users) == ACTORS, "shouhu.core.testing.ACTORS names the actors of this fixture"
    return users


def _single(name: str):
    @pytest.fixture
    def fixture(actors: dict[str, User]) -> User:
        return actors[name]

    fixture.__name__ = name
    return fixture


village_director = _single("village_director")
other_village_director = _single("other_village_director")
township_supervisor = _single("township_supervisor")
other_township_supervisor = _single("other_township_supervisor")
county_caseworker = _single("county_caseworker")
other_county_caseworker = _single("other_county_caseworker")
intake_officer = _single("intake_officer")
department_liaison = _single("department_liaison")
mandated_reporter = _single("mandated_reporter")
plan_monitor = _single("plan_monitor")
auditor = _single("auditor")
county_admin = _single("county_admin")
other_county_admin = _single("other_county_admin")
city_admin = _single("city_admin")
superuser = _single("superuser")
