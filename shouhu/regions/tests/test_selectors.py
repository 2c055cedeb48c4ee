"""Region reads: scoped to the user's jurisdiction, answered by code ranges on the primary key."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.regions import selectors
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.regions.tests.factories import make_region

pytestmark = pytest.mark.django_db


def codes_of(queryset) -> list[str]:
    return [region.code for region in queryset]


def test_a_director_sees_only_the_own_village(regions, village_director):
    assert codes_of(selectors.visible_regions(village_director)) == ["370902001001"]


def test_a_township_supervisor_sees_the_township_and_its_villages(regions, township_supervisor):
    assert codes_of(selectors.visible_regions(township_supervisor)) == [
        "370902001000",
        "370902001001",
        "370902001002",
    ]


def test_the_system_administrator_sees_everything_and_a_visitor_nothing(regions, superuser):
    assert selectors.visible_regions(superuser).count() == Region.objects.count()
    assert not selectors.visible_regions(AnonymousUser()).exists()


def test_regions_within_by_level(regions, city_admin):
    assert codes_of(selectors.regions_within(city_admin, "370902000000", level=Level.VILLAGE)) == [
        "370902001001",
        "370902001002",
        "370902002001",
    ]
    assert codes_of(selectors.regions_within(city_admin, level=Level.COUNTY)) == ["370902000000", "370911000000"]
    # Outside the jurisdiction: nothing, even when asked for by code.
    assert not selectors.regions_within(city_admin, "370100000000").exists()


def test_regions_within_can_leave_out_retired_codes(regions, city_admin):
    Region.objects.filter(code="370902001002").update(active=False)
    assert "370902001002" not in codes_of(selectors.regions_within(city_admin, "370902001000", active=True))
    assert codes_of(selectors.regions_within(city_admin, "370902001000", active=False)) == ["370902001002"]


def test_children_with_counts_of_their_own_children(regions, county_caseworker):
    Region.objects.filter(code="370902001002").update(active=False)
    rows = selectors.children_with_counts(county_caseworker, "370902000000")
    assert [(r.region.code, r.sub_regions, r.active_sub_regions) for r in rows] == [
        ("370902001000", 2, 1),
        ("370902002000", 1, 1),
    ]


def test_children_of_a_city_without_counties_are_its_townships(db, superuser):
    make_region("441900003001", "东城社区居民委员会")
    make_region("441900101000", "石碣镇")
    assert codes_of(selectors.children_of(superuser, "441900000000")) == ["441900003000", "441900101000"]
    rows = selectors.children_with_counts(superuser, "441900000000")
    assert [(r.region.code, r.sub_regions) for r in rows] == [("441900003000", 1), ("441900101000", 0)]


def test_the_country_root_lists_the_provinces(regions, superuser):
    assert codes_of(selectors.children_of(superuser, None)) == ["370000000000"]
    assert selectors.children_with_counts(superuser, None)[0].sub_regions == 2  # 泰安, 济南


def test_children_with_counts_takes_two_queries_whatever_the_number_of_children(regions, superuser):
    with CaptureQueriesContext(connection) as queries:
        selectors.children_with_counts(superuser, "370900000000")
    assert len(queries) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("湖", ["370902001001", "370902001002"]),
        ("社区", ["370902001001", "370902001002", "370902002001"]),
        ("3709020010", ["370902001000", "370902001001", "370902001002"]),
        ("370911", ["370911000000", "370911101000", "370911101201"]),
        ("３７０９１１", ["370911000000", "370911101000", "370911101201"]),  # full-width digits
        ("  满庄 ", ["370911101000"]),
        ("3701", []),  # another city: outside the jurisdiction
        ("1234567890123", []),  # longer than any code
        ("", []),
    ],
)
def test_search_by_name_or_code_prefix(regions, city_admin, query, expected):
    assert codes_of(selectors.search_regions(city_admin, query)) == expected


def test_search_inside_a_region(regions, city_admin):
    assert codes_of(selectors.search_regions(city_admin, "社区", within="370902002000")) == ["370902002001"]


def test_level_counts_of_a_jurisdiction(regions, county_caseworker):
    make_region("370902002201", "王家庄村", generated=True)
    Region.objects.filter(code="370902001002").update(active=False)
    counts = {c.level: (c.total, c.active, c.generated, c.official) for c in selectors.level_counts(county_caseworker)}
    assert counts == {
        Level.PROVINCE: (0, 0, 0, 0),
        Level.CITY: (0, 0, 0, 0),
        Level.COUNTY: (1, 1, 0, 1),
        Level.TOWNSHIP: (2, 2, 0, 2),
        Level.VILLAGE: (4, 3, 1, 2),
    }


def test_level_counts_is_one_query(regions, city_admin):
    with CaptureQueriesContext(connection) as queries:
        selectors.level_counts(city_admin)
    assert len(queries) == 1


def test_region_choices_are_the_active_villages_of_the_jurisdiction_grouped_by_township(regions, county_caseworker):
    Region.objects.filter(code="370902001002").update(active=False)
    assert selectors.region_choices(county_caseworker) == [
        ("岱庙街道", [("370902001001", "东湖社区")]),
        ("财源街道", [("370902002001", "南关社区")]),
    ]
    assert selectors.region_choices(county_caseworker, [Level.TOWNSHIP]) == [
        ("泰山区", [("370902001000", "岱庙街道"), ("370902002000", "财源街道")])
    ]


def test_region_choices_of_a_director_are_the_own_village(regions, village_director):
    assert selectors.region_choices(village_director) == [("岱庙街道", [("370902001001", "东湖社区")])]


def test_region_choices_take_one_query(regions, city_admin):
    with CaptureQueriesContext(connection) as queries:
        selectors.region_choices(city_admin, [Level.VILLAGE, Level.TOWNSHIP])
    assert len(queries) == 1


def test_path_links_only_the_steps_inside_the_jurisdiction(regions, township_supervisor):
    village = Region.objects.get(code="370902001001")
    path = selectors.path_of(township_supervisor, village)
    assert [(c.name, c.reachable) for c in path] == [
        ("山东省", False),
        ("泰安市", False),
        ("泰山区", False),
        ("岱庙街道", True),
        ("东湖社区", True),
    ]


def test_the_root_of_a_user_is_the_jurisdiction_and_the_country_for_the_system_administrator(
    regions, township_supervisor, superuser
):
    assert selectors.root_code(township_supervisor) == "370902001000"
    assert selectors.root_code(superuser) is None


def test_a_regions_path_and_full_name_cost_one_query_together(regions, django_assert_num_queries):
    village = Region.objects.get(code="370902001001")
    with django_assert_num_queries(1):
        path = [r.code for r in village.path()]
        assert village.full_name == "山东省泰安市泰山区岱庙街道东湖社区"
        assert [r.code for r in village.path()] == path
    assert path == ["370000000000", "370900000000", "370902000000", "370902001000", "370902001001"]
