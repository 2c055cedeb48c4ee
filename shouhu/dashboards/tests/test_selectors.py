"""Figures of the home pages, on the conftest world:

泰安市 3709: 泰山区 370902 (岱庙街道 001: 东湖社区, 西湖社区 — each with a director;
                           财源街道 002: 南关社区 — no director),
             岱岳区 370911 (满庄镇 101: 张家庄村 — no director)
supervisors in 岱庙街道 and 财源街道; 济南市 3701 is another city.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.tests.factories import UserFactory
from shouhu.core.models import Job
from shouhu.dashboards import selectors
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.regions.tests.factories import make_region


def rows_by_name(result):
    return {row.name: row for row in result.rows}


def test_region_counts_of_a_county_count_what_lies_below_it(regions):
    counts = selectors.region_counts("370902000000")
    assert (counts.townships, counts.villages, counts.counties) == (2, 3, 0)


def test_region_counts_leave_out_inactive_regions_and_count_generated_villages(regions):
    Region.objects.filter(code="370902002001").update(active=False)
    make_region("370902001003", "演示村", generated=True)
    counts = selectors.region_counts("370902000000")
    assert counts.villages == 3
    assert counts.generated_villages == 1


def test_region_counts_of_the_whole_country(regions):
    counts = selectors.region_counts(None)
    assert counts.by_level[Level.PROVINCE] == 1
    assert counts.by_level[Level.CITY] == 2
    assert counts.villages == 4


def test_city_coverage_is_broken_down_by_county(actors):
    result = selectors.coverage("370900000000", Level.CITY)
    assert result.unit_level == Level.COUNTY
    rows = rows_by_name(result)
    assert set(rows) == {"泰山区", "岱岳区"}
    taishan, daiyue = rows["泰山区"], rows["岱岳区"]
    assert (taishan.villages, taishan.villages_staffed, taishan.townships, taishan.townships_staffed) == (3, 2, 2, 2)
    assert (daiyue.villages, daiyue.villages_staffed, daiyue.townships, daiyue.townships_staffed) == (1, 0, 1, 0)
    assert (result.total.villages, result.total.villages_staffed) == (4, 2)
    assert result.total.village_rate == 0.5
    assert result.total.township_rate == pytest.approx(2 / 3)


def test_county_coverage_is_broken_down_by_township(actors):
    result = selectors.coverage("370902000000", Level.COUNTY)
    assert result.unit_level == Level.TOWNSHIP
    rows = rows_by_name(result)
    assert (rows["岱庙街道"].villages, rows["岱庙街道"].villages_staffed) == (2, 2)
    assert (rows["财源街道"].villages, rows["财源街道"].villages_staffed) == (1, 0)
    assert "满庄镇" not in rows


def test_coverage_counts_only_active_directors_of_active_villages_inside_the_jurisdiction(actors, regions):
    actors["other_village_director"].is_active = False
    actors["other_village_director"].save()
    Region.objects.filter(code="370902001001").update(active=False)
    UserFactory(roles=[Role.CHILD_DIRECTOR], jurisdiction=make_region("370102001001", "济南的村"))
    result = selectors.coverage("370902000000", Level.COUNTY)
    assert result.total.villages == 2  # 东湖社区 is inactive
    assert result.total.villages_staffed == 0


def test_a_village_with_two_directors_is_one_staffed_village(actors, regions):
    UserFactory(roles=[Role.CHILD_DIRECTOR], jurisdiction=regions.village_a1a)
    result = selectors.coverage("370902001000", Level.TOWNSHIP)
    assert (result.total.villages, result.total.villages_staffed) == (2, 2)


def test_a_director_role_held_at_a_township_does_not_staff_a_village(actors, regions):
    UserFactory(roles=[Role.CHILD_DIRECTOR], jurisdiction=regions.township_a2)
    result = selectors.coverage("370902002000", Level.TOWNSHIP)
    assert result.total.villages_staffed == 0


def test_coverage_takes_a_fixed_number_of_queries(actors, django_assert_max_num_queries):
    for n in range(5):
        make_region(f"37091110{n + 2}", f"镇{n}")
    with django_assert_max_num_queries(5):
        selectors.coverage("370900000000", Level.CITY)


def test_supervisor_sees_the_villages_of_the_township_with_their_directors(actors):
    staff = selectors.villages_and_directors(actors["township_supervisor"], "370902001000")
    assert [(v.region.name, [d.username for d in v.directors]) for v in staff] == [
        ("东湖社区", ["village_director"]),
        ("西湖社区", ["other_village_director"]),
    ]


def test_a_viewer_who_may_not_see_the_directors_gets_the_villages_without_names(actors):
    staff = selectors.villages_and_directors(actors["county_caseworker"], "370902001000")
    assert [v.region.name for v in staff] == ["东湖社区", "西湖社区"]
    assert all(v.directors == [] for v in staff)


def test_a_deactivated_director_is_not_listed(actors):
    actors["village_director"].is_active = False
    actors["village_director"].save()
    staff = selectors.villages_and_directors(actors["township_supervisor"], "370902001000")
    assert staff[0].directors == []


def test_account_figures_of_a_city_administrator(actors):
    figures = selectors.account_figures(actors["city_admin"])
    assert figures.active == 14  # everyone of 泰安市; the superuser has no jurisdiction
    assert figures.deactivated == 0
    assert dict(figures.by_role)[Role.CHILD_DIRECTOR] == 2
    assert dict(figures.by_role)[Role.CITY_ADMIN] == 1
    # county_admin, other_county_admin, city_admin and the auditor have no device yet.
    assert figures.without_second_factor == 4
    assert figures.locked == 0


def test_account_figures_of_a_county_administrator_stay_in_the_county(actors):
    figures = selectors.account_figures(actors["county_admin"])
    assert dict(figures.by_role)[Role.CHILD_DIRECTOR] == 2
    assert dict(figures.by_role)[Role.COUNTY_CASEWORKER] == 1  # not the one of 岱岳区
    assert figures.without_second_factor == 1  # the county administrator


def test_deactivated_users_are_counted_apart_and_not_by_role(actors):
    actors["village_director"].is_active = False
    actors["village_director"].save()
    figures = selectors.account_figures(actors["county_admin"])
    assert figures.deactivated == 1
    assert dict(figures.by_role)[Role.CHILD_DIRECTOR] == 1


def test_a_confirmed_device_counts_as_a_second_factor(actors):
    TOTPDevice.objects.create(user=actors["county_admin"], name="phone", confirmed=True)
    TOTPDevice.objects.create(user=actors["other_county_admin"], name="phone", confirmed=False)
    assert selectors.account_figures(actors["city_admin"]).without_second_factor == 3


def _attempt(username, failures, minutes_ago):
    attempt = AccessAttempt.objects.create(
        username=username,
        failures_since_start=failures,
        user_agent="test",
        ip_address="127.0.0.1",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - timedelta(minutes=minutes_ago))


def test_locked_accounts_are_those_at_the_limit_within_the_cool_off(actors):
    limit = settings.AXES_FAILURE_LIMIT
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    _attempt("village_director", limit, 1)  # locked
    _attempt("other_village_director", limit - 1, 1)  # one failure short
    _attempt("township_supervisor", limit, cool_off + 1)  # the lock has expired
    _attempt("other_county_caseworker", limit, 1)  # locked, but outside 泰山区
    assert selectors.account_figures(actors["county_admin"]).locked == 1
    assert selectors.account_figures(actors["city_admin"]).locked == 2


def test_agencies_by_kind_stay_in_the_jurisdiction(actors):
    kinds = dict(selectors.agencies_by_kind(actors["county_admin"], "370902000000"))
    assert kinds[AgencyKind.VILLAGE_COMMITTEE] == 2
    assert kinds[AgencyKind.CIVIL_AFFAIRS] == 1  # 泰山区民政局, not 岱岳区's or the city's
    assert AgencyKind.CHILDREN_WORK_COMMITTEE not in kinds


def test_recent_jobs_are_the_viewers_own_newest_first(actors):
    mine = [Job.objects.create(kind="test.kind", created_by=actors["county_admin"]) for _ in range(7)]
    Job.objects.create(kind="test.kind", created_by=actors["city_admin"])
    jobs = selectors.recent_jobs(actors["county_admin"])
    assert [job.pk for job in jobs] == [job.pk for job in reversed(mine)][: selectors.RECENT_JOBS]
