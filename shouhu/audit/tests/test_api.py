"""The audit API: the same policy and filters as the screens, documented, and itself logged."""

from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from shouhu.audit.models import AccessEvent
from shouhu.audit.tests.factories import county_auditor, log_access, log_change
from shouhu.core.accesslog import AccessAction
from shouhu.core.testing import assert_permission_matrix, login

pytestmark = pytest.mark.django_db

AUDITORS = ["auditor", "superuser"]
EVENTS = "/api/v1/audit/access-events/"
CHANGES = "/api/v1/audit/changes/"


@pytest.fixture
def event(actors):
    return log_access(actors["county_caseworker"], region_code="370902001001", summary="查看档案")


@pytest.fixture
def change(actors):
    agency = actors["county_caseworker"].agency
    return log_change(actors["county_admin"], obj=agency, changes={"name": ["旧名", "新名"]})


def newest() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq")[0]


def api(user):
    return login(Client(), user)


@pytest.mark.parametrize("url", [EVENTS, CHANGES])
def test_lists_are_for_auditors_only(actors, event, change, url):
    assert_permission_matrix(actors, url=url, allowed=AUDITORS, anonymous=(401, 403))


def test_an_access_event_is_for_auditors_only(actors, event):
    assert_permission_matrix(actors, url=f"{EVENTS}{event.seq}/", allowed=AUDITORS, anonymous=(401, 403))


def test_a_change_is_for_auditors_only(actors, change):
    assert_permission_matrix(actors, url=f"{CHANGES}{change.pk}/", allowed=AUDITORS, anonymous=(401, 403))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_logs_cannot_be_written_through_the_api(actors, event, method):
    client = api(actors["superuser"])
    url = EVENTS if method == "post" else f"{EVENTS}{event.seq}/"
    response = getattr(client, method)(url, data={}, content_type="application/json")
    assert response.status_code in (403, 405)  # 403: CSRF of session writes, 405: no such method
    assert AccessEvent.objects.filter(seq=event.seq).exists()


def test_a_county_auditor_gets_404_for_another_countys_event(actors, regions):
    other = log_access(actors["other_county_caseworker"], region_code="370911101201")
    client = api(county_auditor(regions.county_a))
    assert client.get(f"{EVENTS}{other.seq}/").status_code == 404
    listed = {row["seq"] for row in client.get(EVENTS).json()["results"]}
    assert other.seq not in listed


def test_events_are_listed_newest_first_with_a_cursor(actors):
    for n in range(5):
        log_access(actors["county_caseworker"], object_id=n, region_code="370902001001")
    body = api(actors["auditor"]).get(EVENTS, {"page_size": 2, "object_type": "accounts.user"}).json()
    assert [row["seq"] for row in body["results"]] == [5, 4]
    assert body["next"]
    assert "cursor=" in body["next"]
    assert "count" not in body
    following = api(actors["auditor"]).get(body["next"]).json()
    assert [row["seq"] for row in following["results"]] == [3, 2]


def test_event_filters_match_the_screens(actors):
    log_access(actors["county_caseworker"], action=AccessAction.EXPORT, region_code="370902001001")
    wanted = log_access(
        actors["other_county_caseworker"], action=AccessAction.REVEAL, region_code="370911101201", reason="核对"
    )
    body = api(actors["auditor"]).get(EVENTS, {"action": "reveal", "region": "370911", "q": "核对"}).json()
    assert [row["seq"] for row in body["results"]] == [wanted.seq]
    assert body["results"][0]["action_label"]
    assert body["results"][0]["hash"] == wanted.hash


def test_bad_filters_are_a_400_with_the_field(actors, event):
    response = api(actors["auditor"]).get(EVENTS, {"region": "123", "date_from": "soon"})
    assert response.status_code == 400
    assert set(response.json()) >= {"region", "date_from"}


def test_api_reads_are_logged(actors, event, change):
    client = api(actors["auditor"])
    client.get(EVENTS, {"action": "view"})
    search = newest()
    assert (search.action, search.object_type, search.detail) == (
        AccessAction.SEARCH,
        "audit.accessevent",
        {"filters": {"action": "view"}, "api": True},
    )
    client.get(f"{EVENTS}{event.seq}/")
    view = newest()
    assert (view.action, view.object_id, view.region_code) == (AccessAction.VIEW, str(event.seq), event.region_code)
    client.get(CHANGES)
    assert newest().object_type == "audit.logentry"
    client.get(f"{CHANGES}{change.pk}/")
    last = newest()
    assert (last.action, last.object_id) == (AccessAction.VIEW, str(change.pk))


def test_changes_carry_each_field_before_and_after(actors, change):
    client = api(actors["auditor"])
    body = client.get(f"{CHANGES}{change.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["record_type"] == "accounts.agency"
    assert body["actor_username"] == "county_admin"
    assert body["changes"] == [{"name": "name", "label": "Name", "old": "旧名", "new": "新名", "masked": False}]
    listed = client.get(CHANGES, {"user": "county_admin", "record_type": "accounts.agency"}).json()["results"]
    assert change.pk in [row["id"] for row in listed]


def test_the_schema_documents_the_audit_endpoints_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    warnings = [w for w in GENERATOR_STATS._warn_cache if "audit" in w.lower()]
    errors = [e for e in GENERATOR_STATS._error_cache if "audit" in e.lower()]
    assert (warnings, errors) == ([], [])
    paths = schema["paths"]
    parameters = {p["name"] for p in paths["/api/v1/audit/access-events/"]["get"]["parameters"]}
    assert {"date_from", "date_to", "user", "action", "object_type", "object_id", "region", "q", "cursor"} <= parameters
    assert "/api/v1/audit/access-events/{seq}/" in paths
    assert "/api/v1/audit/changes/{id}/" in paths
