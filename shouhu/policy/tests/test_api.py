"""``/api/v1/policy-settings/``: matrices over every actor, the ``on`` parameter, writes, the schema."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from shouhu.core.testing import assert_permission_matrix, login
from shouhu.policy import selectors
from shouhu.policy.definitions import DEFINITIONS
from shouhu.policy.models import PolicyValue
from shouhu.policy.tests.factories import PolicyValueFactory

KEY = "intake.triage_hours"
TODAY = date(2026, 3, 10)
TOMORROW = TODAY + timedelta(days=1)
EDITORS = ["city_admin", "superuser"]
LIST_URL = "/api/v1/policy-settings/"
DETAIL_URL = f"/api/v1/policy-settings/{KEY}/"
VALUES_URL = f"/api/v1/policy-settings/{KEY}/values/"
ANONYMOUS = (401, 403)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(on_day) -> None:
    on_day(TODAY)


@pytest.fixture
def scheduled(city_admin) -> PolicyValue:
    value = PolicyValueFactory.create(
        key=KEY, value=12, effective_from=TOMORROW, created_by=city_admin, reason="市局通知"
    )
    selectors.invalidate()
    return value


def client_of(user) -> Client:
    return login(Client(), user)


def test_routes_are_the_documented_ones() -> None:
    assert reverse("api:policy-setting-list") == LIST_URL
    assert reverse("api:policy-setting-detail", args=[KEY]) == DETAIL_URL
    assert reverse("api:policy-setting-values", args=[KEY]) == VALUES_URL


def test_list_is_open_to_every_authenticated_user(actors) -> None:
    assert_permission_matrix(actors, url=LIST_URL, allowed=list(actors), anonymous=ANONYMOUS)


def test_detail_is_open_to_every_authenticated_user(actors) -> None:
    assert_permission_matrix(actors, url=DETAIL_URL, allowed=list(actors), anonymous=ANONYMOUS)


def test_posting_a_value_is_for_city_administrators(actors, city_admin) -> None:
    def another_value_in_force() -> None:
        PolicyValueFactory.create(key=KEY, value=30, effective_from=TODAY, created_by=city_admin)
        selectors.invalidate()

    assert_permission_matrix(
        actors,
        url=VALUES_URL,
        allowed=EDITORS,
        method="post",
        data={"value": 12, "effective_from": TODAY.isoformat(), "reason": "市政府决定"},
        content_type="application/json",
        ok=(201,),
        denied=(403,),
        anonymous=ANONYMOUS,
        setup=another_value_in_force,
    )
    assert PolicyValue.objects.filter(value=12).count() == len(EDITORS)


def test_withdrawing_is_refused_to_everybody_but_city_administrators(actors, scheduled) -> None:
    others = {name: user for name, user in actors.items() if name not in EDITORS}
    assert_permission_matrix(
        others,
        url=f"{VALUES_URL}{scheduled.pk}/withdraw/",
        allowed=[],
        method="post",
        data={"reason": "撤回"},
        content_type="application/json",
        anonymous=ANONYMOUS,
    )
    assert not hasattr(PolicyValue.objects.get(pk=scheduled.pk), "withdrawal")


@pytest.mark.parametrize("name", EDITORS)
def test_city_administrator_withdraws_through_the_api(actors, scheduled, name: str) -> None:
    response = client_of(actors[name]).post(
        f"{VALUES_URL}{scheduled.pk}/withdraw/", {"reason": "暂缓"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawal_reason"] == "暂缓"
    assert selectors.get(KEY, on=TOMORROW) == 24


def test_list_gives_every_setting_in_force_today(village_director, scheduled) -> None:
    data = client_of(village_director).get(LIST_URL).json()
    assert [item["key"] for item in data] == list(DEFINITIONS)
    triage = next(item for item in data if item["key"] == KEY)
    assert triage["value"] == 24
    assert triage["default"] == 24
    assert triage["since"] is None
    assert triage["on"] == TODAY.isoformat()
    assert triage["kind"] == "hours"
    assert triage["tag"] == "U"
    assert triage["minimum"] == 1
    assert triage["maximum"] == 168
    assert triage["scheduled"] == [
        {"id": scheduled.pk, "effective_from": "2026-03-11", "value": 12, "display": "12 小时"}
    ]
    categories = next(item for item in data if item["key"] == "registry.difficulty_categories")
    assert categories["value"] == ["poverty", "disability", "guardianship"]
    assert {"value": "orphan", "label": "孤儿"} in categories["choices"]


def test_list_on_a_later_day_gives_the_value_then_in_force(village_director, scheduled) -> None:
    data = client_of(village_director).get(LIST_URL, {"on": TOMORROW.isoformat()}).json()
    triage = next(item for item in data if item["key"] == KEY)
    assert triage["value"] == 12
    assert triage["since"] == TOMORROW.isoformat()
    assert triage["scheduled"] == []


@pytest.mark.parametrize("on", ["2026-02-30", "tomorrow", "2026-13-01"])
def test_bad_on_parameter_is_a_400_that_names_it(village_director, on: str) -> None:
    response = client_of(village_director).get(LIST_URL, {"on": on})
    assert response.status_code == 400
    assert "on" in response.json()


def test_detail_gives_the_history(county_caseworker, scheduled) -> None:
    data = client_of(county_caseworker).get(DETAIL_URL).json()
    assert data["key"] == KEY
    assert [(row["value"], row["status"], row["reason"], row["set_by"]) for row in data["history"]] == [
        (12, "scheduled", "市局通知", "city_admin")
    ]


def test_unknown_setting_is_404(village_director) -> None:
    assert client_of(village_director).get("/api/v1/policy-settings/intake.no_such_setting/").status_code == 404


def test_posted_value_is_stored_and_returned(city_admin) -> None:
    response = client_of(city_admin).post(
        VALUES_URL, {"value": 12, "effective_from": "2026-03-11", "reason": "市局通知"}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["value"], body["effective_from"], body["status"], body["set_by"]) == (
        12,
        "2026-03-11",
        "scheduled",
        "city_admin",
    )
    assert selectors.get(KEY, on=TOMORROW) == 12


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"value": 999, "effective_from": "2026-03-11", "reason": "x"}, "value", "取值不得大于 168。"),
        ({"value": "12h", "effective_from": "2026-03-11", "reason": "x"}, "value", "请输入整数。"),
        (
            {"value": 12, "effective_from": "2026-03-09", "reason": "x"},
            "effective_from",
            "调整不能追溯既往：请选择今天或以后的日期。",
        ),
        ({"value": 12, "effective_from": "2026-03-11", "reason": " "}, "reason", None),
        ({"effective_from": "2026-03-11", "reason": "x"}, "value", None),
    ],
)
def test_bad_value_is_a_400_with_the_reason(city_admin, payload, field: str, message: str | None) -> None:
    response = client_of(city_admin).post(VALUES_URL, payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert field in body
    if message is not None:
        assert body[field] == [message]
    assert not PolicyValue.objects.exists()


def test_schema_documents_the_endpoints_without_warnings() -> None:
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/v1/policy-settings/" in paths
    assert "/api/v1/policy-settings/{key}/values/" in paths
    assert "/api/v1/policy-settings/{key}/values/{value_id}/withdraw/" in paths
    parameters = {p["name"] for p in paths["/api/v1/policy-settings/"]["get"]["parameters"]}
    assert "on" in parameters
    ours = [msg for msg in list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache) if "policy" in msg]
    assert ours == []
