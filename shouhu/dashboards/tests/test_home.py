"""The home page: who may open it, and that each role sees its own jurisdiction only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.tests.factories import UserFactory
from shouhu.core.accesslog import record_access
from shouhu.core.models import Job
from shouhu.core.testing import assert_permission_matrix, login
from shouhu.dashboards.panels import build_panels
from shouhu.regions.tests.factories import make_region
from shouhu.registry.tests.factories import ChildFactory, ClassificationFactory

HOME = "/"


def home_of(user, **headers):
    response = login(Client(), user).get(HOME, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_home_is_the_root_url():
    assert reverse("dashboards:home") == HOME


def test_every_actor_has_a_home_page_and_anonymous_visitors_are_sent_to_log_in(actors):
    assert_permission_matrix(actors, url=HOME, allowed=list(actors))


def test_anonymous_visitor_is_redirected_to_the_log_in_page_with_next():
    response = Client().get(HOME)
    assert response.status_code == 302
    assert response["Location"].endswith("?next=/")


def test_village_director_sees_own_village_and_not_the_neighbours(village_director):
    page = home_of(village_director)
    assert "东湖社区" in page
    assert "370902001001" in page
    assert "西湖社区" not in page
    assert "南关社区" not in page
    assert 'id="section-my-children"' in page


def test_township_supervisor_sees_the_villages_and_directors_of_own_township_only(township_supervisor):
    page = home_of(township_supervisor)
    assert "东湖社区" in page
    assert "西湖社区" in page
    assert "village_director" in page
    assert "other_village_director" in page
    assert "南关社区" not in page  # 财源街道's village
    assert "张家庄村" not in page


def test_supervisor_of_a_township_without_directors_sees_the_gap(other_township_supervisor):
    page = home_of(other_township_supervisor)
    assert "南关社区" in page
    assert "东湖社区" not in page
    assert "shouhu-gaps" in page


def test_county_caseworker_sees_the_townships_of_own_county(county_caseworker):
    page = home_of(county_caseworker)
    assert "岱庙街道" in page
    assert "财源街道" in page
    assert "满庄镇" not in page
    assert 'id="section-cases"' in page
    assert "village_director" not in page  # coverage names nobody


def test_other_county_caseworker_sees_only_own_county(other_county_caseworker):
    page = home_of(other_county_caseworker)
    assert "满庄镇" in page
    assert "岱庙街道" not in page


def test_plan_monitor_sees_coverage_by_county_of_the_city(plan_monitor):
    page = home_of(plan_monitor)
    assert "泰山区" in page
    assert "岱岳区" in page
    assert "历下区" not in page  # another city
    assert 'data-chart="' in page


def test_department_liaison_sees_own_agency_and_the_referrals_empty_state(department_liaison):
    page = home_of(department_liaison)
    assert "泰山区公安分局" in page
    assert 'id="section-referrals"' in page


def test_mandated_reporter_sees_how_to_report(mandated_reporter):
    page = home_of(mandated_reporter)
    assert 'id="section-reporting"' in page
    assert 'href="tel:110"' in page


def test_administrator_sees_the_accounts_of_the_jurisdiction(county_admin):
    page = home_of(county_admin)
    assert 'id="section-accounts"' in page
    assert 'id="section-coverage"' in page


def test_superuser_sees_the_system_overview(superuser):
    page = home_of(superuser)
    assert 'id="section-system"' in page
    assert 'id="section-accounts"' in page


def test_a_user_with_two_roles_sees_the_sections_of_both(regions):
    user = UserFactory(roles=[Role.CHILD_DIRECTOR, Role.MANDATED_REPORTER], jurisdiction=regions.village_a1a)
    page = home_of(user)
    assert 'id="section-my-village"' in page
    assert 'id="section-reporting"' in page


def test_a_user_without_a_role_is_told_to_ask_for_one(regions):
    page = home_of(UserFactory(jurisdiction=regions.village_a1a))
    assert "shouhu-empty" in page
    assert 'id="section-my-village"' not in page


def test_own_background_jobs_are_listed_and_nobody_elses(county_admin, city_admin):
    mine = Job.objects.create(kind="accounts.user_import", created_by=county_admin)
    theirs = Job.objects.create(kind="accounts.user_import", created_by=city_admin)
    page = home_of(county_admin)
    assert reverse("jobs:detail", args=[mine.pk]) in page
    assert reverse("jobs:detail", args=[theirs.pk]) not in page


def test_without_jobs_there_is_no_jobs_section(village_director):
    assert 'id="section-jobs"' not in home_of(village_director)


def test_home_page_speaks_chinese_by_default_and_english_on_request(village_director):
    assert "我的村" in home_of(village_director)
    english = home_of(village_director, HTTP_ACCEPT_LANGUAGE="en")
    assert "My village" in english


def queries_of_home(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["city_admin", "plan_monitor", "county_caseworker", "township_supervisor", "auditor"])
def test_home_page_queries_do_not_grow_with_the_jurisdiction(actors, regions, name):
    client = login(Client(), actors[name])
    queries_of_home(client)  # the first request fills per-process caches
    before = queries_of_home(client)
    # More townships, villages, directors, supervisors and agencies in every county and township.
    for n in range(3):
        township = make_region(f"37090200{n + 3}", f"新镇{n}")
        UserFactory(roles=[Role.TOWNSHIP_SUPERVISOR], jurisdiction=township)
        for m in range(3):
            village = make_region(f"{township.code[:9]}{m + 201:03d}", f"新村{n}{m}")
            UserFactory(roles=[Role.CHILD_DIRECTOR], jurisdiction=village)
    for m in range(3):
        UserFactory(roles=[Role.CHILD_DIRECTOR], jurisdiction=make_region(f"370902001{m + 201:03d}", f"岱庙新村{m}"))
    assert queries_of_home(client) == before
    assert before <= 25


def _log(actor, region_code, action="view"):
    record_access(actor=actor, action=action, object_type="test.record", object_id="1", region_code=region_code)


def test_auditor_sees_the_access_log_activity_of_own_city(actors, regions):
    _log(actors["county_caseworker"], "370902001001")
    _log(actors["county_caseworker"], "370902001001", action="export")
    outsider = UserFactory(roles=[Role.COUNTY_CASEWORKER], jurisdiction=regions.other_city_county)
    _log(outsider, "370102000000")  # 济南市: outside the auditor's city
    panel = next(p for p in build_panels(actors["auditor"]) if p.key == "audit")
    assert panel.context["activity"].total == 2
    assert panel.context["last_at"] is not None
    assert panel.context["chart"] is not None
    page = home_of(actors["auditor"])
    assert 'id="section-audit"' in page
    assert 'id="chain-status-title"' in page


def test_auditor_without_entries_sees_the_empty_state(auditor):
    panel = next(p for p in build_panels(auditor) if p.key == "audit")
    assert panel.context["activity"].total == 0
    assert panel.context["chart"] is None


def test_plan_monitor_chart_shows_the_plans_departments_and_counts_reporting_institutions_apart(plan_monitor):
    panel = next(p for p in build_panels(plan_monitor) if p.key == "plan")
    kinds = dict(panel.context["agencies"])
    assert kinds[AgencyKind.CIVIL_AFFAIRS] == 3  # 泰山区, 岱岳区 and the city
    assert AgencyKind.VILLAGE_COMMITTEE not in kinds
    assert panel.context["other_agencies"] == 5  # 2 village committees, 2 township offices, 1 school


def _child(village, category=None, *, is_complete=True):
    child = ChildFactory.create(village=village, is_complete=is_complete)
    if category:
        ClassificationFactory.create(child=child, category=category)
    return child


def test_children_by_category_of_own_jurisdiction_with_the_open_and_incomplete_files(actors, regions):
    _child(regions.village_a1a, "left_behind")
    _child(regions.village_a1a, "left_behind", is_complete=False)
    _child(regions.village_a1b, "orphan")
    _child(regions.village_b1a, "migrant")
    director = build_panels(actors["village_director"])
    children = next(panel for panel in director if panel.key == "my_children").context
    assert [(str(c), n) for c, n in children["categories"]] == [("left_behind", 2)]
    assert (children["files"], children["incomplete"], children["is_village"]) == (2, 1, True)
    supervisor = next(panel for panel in build_panels(actors["township_supervisor"]) if panel.key == "my_children")
    assert dict(supervisor.context["categories"]) == {"left_behind": 2, "orphan": 1}
    assert supervisor.context["files"] == 3
    page = home_of(actors["township_supervisor"])
    assert 'data-category="orphan">1<' in page
    assert "?category=orphan" in page
    assert 'data-category="migrant"' not in page  # another county's child


def test_plan_monitor_sees_the_city_counts_but_no_link_to_files(actors, regions):
    _child(regions.village_b1a, "migrant")
    page = home_of(actors["plan_monitor"])
    assert 'data-category="migrant">1<' in page
    assert "?category=migrant" not in page
    assert "?incomplete=1" not in page


def test_a_village_without_classified_children_says_so(village_director):
    page = home_of(village_director)
    assert "暂无属于保护类别的儿童。" in page
