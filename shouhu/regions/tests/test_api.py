"""``/api/v1/regions/``: the same scopes as the screens, filters that keep code ranges, paginated."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shouhu.core.testing import assert_permission_matrix, login
from shouhu.regions.models import Region
from shouhu.regions.tests.factories import make_region
from shouhu.regions.tests.test_views import COVERING_A1A, VILLAGE_A1A

pytestmark = pytest.mark.django_db

API_ANONYMOUS = (401, 403)


def get(user, url: str, **params):
    return login(Client(), user).get(url, params, HTTP_ACCEPT="application/json")


def codes_in(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_list_matrix(actors):
    assert_permission_matrix(actors, url=reverse("api:region-list"), allowed=list(actors), anonymous=API_ANONYMOUS)


def test_retrieve_matrix(actors):
    assert_permission_matrix(
        actors, url=reverse("api:region-detail", args=[VILLAGE_A1A]), allowed=COVERING_A1A, anonymous=API_ANONYMOUS
    )


def test_children_matrix(actors):
    allowed = [name for name in COVERING_A1A if name != "village_director"]  # who covers township A1
    assert_permission_matrix(
        actors, url=reverse("api:region-children", args=["370902001000"]), allowed=allowed, anonymous=API_ANONYMOUS
    )


def test_writes_are_not_offered(actors):
    client = login(Client(), actors["superuser"])
    url = reverse("api:region-detail", args=[VILLAGE_A1A])
    assert client.delete(url).status_code == 405
    assert client.post(reverse("api:region-list"), {"code": "370902001009"}).status_code == 405


def test_the_list_is_the_jurisdiction_of_the_caller(actors):
    assert codes_in(get(actors["village_director"], reverse("api:region-list"))) == [VILLAGE_A1A]
    assert codes_in(get(actors["township_supervisor"], reverse("api:region-list"))) == [
        "370902001000",
        "370902001001",
        "370902001002",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"within": "370902001"}, ["370902001000", "370902001001", "370902001002"]),
        ({"within": "370902", "level": "township"}, ["370902001000", "370902002000"]),
        ({"parent": "370900000000"}, ["370902000000", "370911000000"]),
        ({"q": "湖"}, ["370902001001", "370902001002"]),
        ({"q": "3709111"}, ["370911101000", "370911101201"]),
        ({"within": "3709", "active": "false"}, ["370902001002"]),
        ({"within": "370902001", "active": "true"}, ["370902001000", "370902001001"]),
        ({"within": "3701"}, []),  # outside the city administrator's jurisdiction
    ],
)
def test_list_filters(actors, params, expected):
    Region.objects.filter(code="370902001002").update(active=False)
    assert codes_in(get(actors["city_admin"], reverse("api:region-list"), **params)) == expected


@pytest.mark.parametrize(
    "params",
    [{"within": "370"}, {"within": "37a9"}, {"level": "street"}, {"parent": "3709"}, {"active": "maybe"}],
)
def test_bad_filters_are_400_and_name_the_parameter(actors, params):
    response = get(actors["city_admin"], reverse("api:region-list"), **params)
    assert response.status_code == 400
    assert set(response.json()) >= set(params)


def test_retrieve_has_the_path(actors):
    response = get(actors["village_director"], reverse("api:region-detail", args=[VILLAGE_A1A]))
    body = response.json()
    assert body["code"] == VILLAGE_A1A
    assert body["parent"] == "370902001000"
    assert body["level"] == "village"
    assert [step["name"] for step in body["path"]] == ["山东省", "泰安市", "泰山区", "岱庙街道", "东湖社区"]


def test_children_of_a_city_without_counties(actors):
    make_region("441900003000", "东城街道")
    make_region("441900101000", "石碣镇")
    response = get(actors["superuser"], reverse("api:region-children", args=["441900000000"]))
    assert codes_in(response) == ["441900003000", "441900101000"]
    assert response.json()["count"] == 2


def test_the_list_is_paginated(actors):
    for number in range(1, 61):
        make_region(f"370902002{200 + number:03d}", f"村{number}")
    body = get(actors["city_admin"], reverse("api:region-list"), within="370902002").json()
    assert body["count"] == 62
    assert len(body["results"]) == 50
    assert body["next"]


def test_the_schema_documents_the_regions_endpoints(actors):
    response = login(Client(), actors["superuser"]).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/regions/" in paths
    assert "/api/v1/regions/{code}/children/" in paths
    list_params = {p["name"] for p in paths["/api/v1/regions/"]["get"]["parameters"]}
    assert {"within", "level", "parent", "q", "active", "page"} <= list_params
    children = paths["/api/v1/regions/{code}/children/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "PaginatedRegionList" in children["schema"]["$ref"]
