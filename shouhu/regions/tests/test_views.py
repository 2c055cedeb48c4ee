"""The region browser and the import history: who may open what, and what they see."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shouhu.core.testing import assert_permission_matrix, login
from shouhu.regions import services
from shouhu.regions.models import Region
from shouhu.regions.tests.factories import make_region

pytestmark = pytest.mark.django_db

VILLAGE_A1A = "370902001001"
# Everyone whose jurisdiction contains 东湖社区 (village A1a of township A1, county A, the city).
COVERING_A1A = [
    "village_director",
    "township_supervisor",
    "county_caseworker",
    "intake_officer",
    "department_liaison",
    "mandated_reporter",
    "plan_monitor",
    "auditor",
    "county_admin",
    "city_admin",
    "superuser",
]


def page(user, url: str, **params) -> str:
    response = login(Client(), user).get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_browse_matrix(actors):
    assert_permission_matrix(actors, url=reverse("regions:browse"), allowed=list(actors))


def test_detail_matrix_follows_the_jurisdictions(actors):
    assert_permission_matrix(actors, url=reverse("regions:detail", args=[VILLAGE_A1A]), allowed=COVERING_A1A)


def test_detail_of_another_city_is_for_the_system_administrator_only(actors):
    assert_permission_matrix(actors, url=reverse("regions:detail", args=["370102000000"]), allowed=["superuser"])


def test_detail_of_a_code_that_does_not_exist_is_404_like_a_forbidden_one(actors):
    response = login(Client(), actors["superuser"]).get(reverse("regions:detail", args=["370902009000"]))
    assert response.status_code == 404


def test_imports_matrix(actors):
    assert_permission_matrix(actors, url=reverse("regions:imports"), allowed=["superuser"])


def test_browse_starts_at_the_jurisdiction_with_its_children_and_counts(actors):
    content = page(actors["county_caseworker"], reverse("regions:browse"))
    assert "泰山区" in content
    assert "岱庙街道" in content
    assert "财源街道" in content
    assert reverse("regions:detail", args=["370902001000"]) in content
    assert "岱岳区" not in content  # the other county
    assert "满庄镇" not in content


def test_the_counts_by_level_are_of_the_levels_below(actors):
    response = login(Client(), actors["county_caseworker"]).get(reverse("regions:browse"))
    assert [(c.level, c.active) for c in response.context["level_counts"]] == [("township", 2), ("village", 3)]


def test_the_breadcrumb_links_only_what_the_user_may_open(actors):
    content = page(actors["township_supervisor"], reverse("regions:detail", args=[VILLAGE_A1A]))
    for name in ("山东省", "泰安市", "泰山区"):
        assert name in content
    assert reverse("regions:detail", args=["370902001000"]) in content  # the own township
    assert reverse("regions:detail", args=["370902000000"]) not in content  # the county above


def test_the_superuser_starts_at_the_whole_country(actors):
    response = login(Client(), actors["superuser"]).get(reverse("regions:browse"))
    assert response.context["region"] is None
    assert [row.region.code for row in response.context["children"]] == ["370000000000"]


def test_a_user_without_jurisdiction_is_told_so(actors):
    user = actors["auditor"]
    user.jurisdiction = None
    user.save(update_fields=["jurisdiction"])
    response = login(Client(), user).get(reverse("regions:browse"))
    assert response.status_code == 200
    assert "regions/no_jurisdiction.html" in [t.name for t in response.templates]


def test_inactive_and_generated_regions_are_marked(actors):
    make_region("370902001201", "王家庄村", generated=True)
    Region.objects.filter(code="370902001002").update(active=False)
    content = page(actors["township_supervisor"], reverse("regions:browse"))
    assert "演示数据" in content  # zh-hans is the default language
    assert "已停用" in content


def test_search_by_name_and_by_code_stays_inside_the_jurisdiction(actors):
    url = reverse("regions:browse")
    by_name = login(Client(), actors["county_caseworker"]).get(url, {"q": "社区"})
    assert [r.code for r in by_name.context["results"]] == ["370902001001", "370902001002", "370902002001"]
    by_code = login(Client(), actors["county_caseworker"]).get(url, {"q": "370911"})
    assert by_code.context["results"] == []


def test_a_code_too_long_is_refused_with_what_was_typed(actors):
    response = login(Client(), actors["city_admin"]).get(reverse("regions:browse"), {"q": "3709020010011"})
    assert response.status_code == 200
    assert response.context["form"].errors["q"]
    content = response.content.decode()
    assert 'value="3709020010011"' in content
    assert "is-invalid" in content


def test_htmx_search_returns_only_the_results(actors):
    response = login(Client(), actors["city_admin"]).get(reverse("regions:browse"), {"q": "湖"}, HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "regions/_search_results.html"
    content = response.content.decode()
    assert "东湖社区" in content
    assert "<html" not in content


def test_the_import_history_shows_counts_and_renames(actors, tmp_path):
    services.load_demo_city(actor=actors["superuser"])
    content = page(actors["superuser"], reverse("regions:imports"))
    assert "泰安市" in content
    assert "1,871" in content or "1871" in content
    assert actors["superuser"].full_name in content


def test_the_region_page_needs_a_bounded_number_of_queries(actors, django_assert_max_num_queries):
    services.load_demo_city(actor=None)
    client = login(Client(), actors["city_admin"])
    url = reverse("regions:detail", args=["370911000000"])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["children"]) >= 10
