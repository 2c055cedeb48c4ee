"""The auditors' screens: who gets in, what the filters do, and that reading the logs is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouhu.audit import forms
from shouhu.audit.choices import ChainProblem, VerificationTrigger
from shouhu.audit.models import AccessEvent, ChainVerification
from shouhu.audit.services import verify_chain
from shouhu.audit.tests.factories import attacker, county_auditor, log_access, log_change
from shouhu.core.accesslog import AccessAction
from shouhu.core.models import Job
from shouhu.core.navigation import items_for
from shouhu.core.testing import assert_permission_matrix, login

pytestmark = pytest.mark.django_db

AUDITORS = ["auditor", "superuser"]


@pytest.fixture
def event(actors):
    return log_access(actors["county_caseworker"], region_code="370902001001", summary="查看儿童档案")


def client_for(user):
    return login(Client(), user)


def last_event():
    return AccessEvent.objects.order_by("-seq").first()


@pytest.mark.parametrize("url_name", ["audit:access_log", "audit:changes"])
def test_lists_are_for_auditors_only(actors, event, url_name):
    assert_permission_matrix(actors, url=reverse(url_name), allowed=AUDITORS)


def test_an_entry_is_for_auditors_only(actors, event):
    assert_permission_matrix(actors, url=reverse("audit:access_event", args=[event.seq]), allowed=AUDITORS)


@pytest.mark.parametrize("url_name", ["audit:verify", "audit:access_log_export", "audit:changes_export"])
def test_jobs_are_started_by_auditors_only(actors, event, url_name):
    assert_permission_matrix(actors, url=reverse(url_name), allowed=AUDITORS, method="post", data={}, ok=(302,))


@pytest.mark.parametrize("url_name", ["audit:verify", "audit:access_log_export", "audit:changes_export"])
def test_starting_a_job_needs_a_post(actors, url_name):
    assert client_for(actors["auditor"]).get(reverse(url_name)).status_code == 405


def test_a_county_auditor_gets_404_for_another_countys_entry(actors, regions):
    other = log_access(actors["other_county_caseworker"], region_code="370911101201")
    own = log_access(actors["county_caseworker"], region_code="370902001001")
    client = client_for(county_auditor(regions.county_a))
    assert client.get(reverse("audit:access_event", args=[other.seq])).status_code == 404
    assert client.get(reverse("audit:access_event", args=[own.seq])).status_code == 200
    assert client.get(reverse("audit:access_event", args=[999_999])).status_code == 404


def test_nav_shows_the_audit_screens_to_auditors_only(actors):
    def urls(user):
        return {item.url_name for item in items_for(user)}

    assert {"audit:access_log", "audit:changes"} <= urls(actors["auditor"])
    assert {"audit:access_log", "audit:changes"} <= urls(actors["superuser"])
    assert not {"audit:access_log", "audit:changes"} & urls(actors["city_admin"])


# Filters ---------------------------------------------------------------------------------


@pytest.fixture
def varied(actors):
    e = {
        "view_child": log_access(
            actors["county_caseworker"],
            object_type="registry.child",
            object_id="42",
            region_code="370902001001",
            summary="王小明的档案",
        ),
        "export": log_access(
            actors["county_caseworker"],
            action=AccessAction.EXPORT,
            object_type="registry.child",
            region_code="370902000000",
            summary="导出名单",
        ),
        "reveal": log_access(
            actors["other_county_caseworker"],
            action=AccessAction.REVEAL,
            object_type="registry.child",
            object_id="43",
            region_code="370911101201",
            reason="核对身份证号码",
        ),
        "user_view": log_access(actors["township_supervisor"], object_type="accounts.user", object_id="42"),
    }
    old = e["user_view"]
    with attacker() as cursor:  # moved 40 days back; the chain is not the point of these tests
        cursor.execute("UPDATE audit_accessevent SET at = %s WHERE seq = %s", [old.at - timedelta(days=40), old.seq])
    return e


def listed(client, **params):
    response = client.get(reverse("audit:access_log"), params)
    assert response.status_code == 200
    page = response.context["page"]
    return {event.seq for event in page.items} if page is not None else set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"view_child", "export", "reveal", "user_view"}),
        ({"action": "export"}, {"export"}),
        ({"user": "county_caseworker"}, {"view_child", "export"}),
        ({"object_type": "Registry.Child"}, {"view_child", "export", "reveal"}),
        ({"object_id": "42"}, {"view_child", "user_view"}),
        ({"object_type": "registry.child", "object_id": "42"}, {"view_child"}),
        ({"region": "370911"}, {"reveal"}),
        ({"region": "370902001"}, {"view_child", "user_view"}),  # the record's region or the user's
        ({"q": "名单"}, {"export"}),
        ({"q": "身份证"}, {"reveal"}),
        ({"date_from": "{today}"}, {"view_child", "export", "reveal"}),
        ({"date_to": "{yesterday}"}, {"user_view"}),
        ({"date_from": "{today}", "date_to": "{today}", "action": "view"}, {"view_child"}),
    ],
)
def test_access_log_filters(actors, varied, params, expected):
    today = timezone.localdate()
    params = {
        k: v.format(today=today.isoformat(), yesterday=(today - timedelta(days=1)).isoformat())
        for k, v in params.items()
    }
    found = listed(client_for(actors["superuser"]), **params)
    searches = set(AccessEvent.objects.filter(action=AccessAction.SEARCH).values_list("seq", flat=True))
    assert found - searches == {varied[name].seq for name in expected}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to", "The end date is before the start date."),
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
        ({"region": "37090"}, "region", "Enter a division code of 2, 4, 6, 9 or 12 digits, e.g. 370902."),
        ({"action": "peek"}, "action", "Select a valid choice."),
    ],
)
def test_bad_filters_are_shown_again_with_a_precise_message(actors, varied, params, field, message):
    client = client_for(actors["auditor"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("audit:access_log"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["page"] is None
    form = response.context["form"]
    assert message in str(form.errors[field][0])
    content = response.content.decode()
    for value in params.values():
        assert f'value="{value}"' in content or f'<option value="{value}"' in content or value == "peek"
    logged = last_event()
    assert (logged.action, logged.detail["valid"]) == (AccessAction.SEARCH, False)


def test_a_search_is_logged_with_its_filters(actors, varied):
    client = client_for(actors["auditor"])
    client.get(reverse("audit:access_log"), {"action": "reveal", "region": "3709"})
    logged = last_event()
    assert logged.action == AccessAction.SEARCH
    assert logged.object_type == "audit.accessevent"
    assert logged.actor_username == "auditor"
    assert logged.detail["filters"] == {"action": "reveal", "region": "370900000000"}
    assert logged.region_code == "370900000000"
    assert "action=reveal" in logged.summary


def test_viewing_an_entry_is_logged(actors, event):
    client = client_for(actors["auditor"])
    response = client.get(reverse("audit:access_event", args=[event.seq]))
    assert response.status_code == 200
    assert response.context["link"].hash_matches
    assert response.context["link"].previous_matches
    logged = last_event()
    assert (logged.action, logged.object_type, logged.object_id) == ("view", "audit.accessevent", str(event.seq))
    assert logged.region_code == event.region_code


def test_an_altered_entry_shows_its_broken_link(actors, event):
    with attacker() as cursor:
        cursor.execute("UPDATE audit_accessevent SET summary = %s WHERE seq = %s", ["改", event.seq])
    response = client_for(actors["auditor"]).get(reverse("audit:access_event", args=[event.seq]))
    assert not response.context["link"].hash_matches


def test_pages_move_by_entry_number(actors):
    for n in range(60):
        log_access(actors["county_caseworker"], object_id=n, region_code="370902001001")
    client = client_for(actors["superuser"])
    first = client.get(reverse("audit:access_log"), {"object_type": "accounts.user"}).context["page"]
    assert [e.seq for e in first.items] == list(range(60, 10, -1))
    assert (first.newer, first.older) == (None, 11)
    second = client.get(reverse("audit:access_log"), {"object_type": "accounts.user", "before": 11}).context["page"]
    assert [e.seq for e in second.items] == list(range(10, 0, -1))
    assert (second.newer, second.older) == (10, None)
    back = client.get(reverse("audit:access_log"), {"object_type": "accounts.user", "after": 10}).context["page"]
    assert [e.seq for e in back.items] == list(range(60, 10, -1))
    content = client.get(reverse("audit:access_log"), {"object_type": "accounts.user"}).content.decode()
    assert "object_type=accounts.user&amp;before=11" in content


def test_the_activity_chart_counts_visible_entries_per_day_and_action(actors, regions):
    for _n in range(3):
        log_access(actors["county_caseworker"], region_code="370902001001")
    log_access(actors["county_caseworker"], action=AccessAction.EXPORT, region_code="370902001001")
    log_access(actors["other_county_caseworker"], region_code="370911101201")
    response = client_for(county_auditor(regions.county_a)).get(reverse("audit:access_log"))
    chart = response.context["chart"]
    assert len(chart["days"]) == 30
    assert chart["days"][-1] == timezone.localdate().isoformat()
    by_action = {s["action"]: s["data"] for s in chart["series"]}
    assert by_action["view"][-1] == 3
    assert by_action["export"][-1] == 1
    assert sum(by_action["view"]) == 3
    assert 'id="audit-activity-data"' in response.content.decode()
    assert "vendor/echarts/echarts.min.js" in response.content.decode()


# Chain status and jobs -------------------------------------------------------------------


def test_the_status_box_says_when_the_chain_was_last_found_intact(actors, event):
    client = client_for(actors["auditor"])
    assert client.get(reverse("audit:access_log")).context["verification"] is None
    verify_chain(actor=None, trigger=VerificationTrigger.COMMAND)
    response = client.get(reverse("audit:access_log"))
    assert response.context["verification"].ok
    assert 'action="/audit/access/verify/"' in response.content.decode()


def test_the_status_box_says_where_the_chain_is_broken(actors, event):
    log_access(actors["auditor"])
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [event.seq])
    verify_chain(actor=None, trigger=VerificationTrigger.SCHEDULE)
    client = client_for(actors["auditor"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("audit:access_log"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["verification"].problem == ChainProblem.MISSING
    assert f"Broken at #{event.seq}" in response.content.decode()


def test_an_auditor_verifies_the_chain_as_a_background_job(actors, event, django_capture_on_commit_callbacks):
    client = client_for(actors["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:verify"))
    job = Job.objects.get(kind="audit.verify_chain")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["ok"] is True
    assert job.result["next_url"] == reverse("audit:access_log")
    verification = ChainVerification.objects.get()
    assert (verification.trigger, verification.requested_by) == (VerificationTrigger.JOB, actors["auditor"])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200


def test_an_export_runs_as_a_job_with_the_filters_and_is_logged(actors, varied, django_capture_on_commit_callbacks):
    client = client_for(actors["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:access_log_export"), {"action": "reveal", "region": ""})
    job = Job.objects.get(kind="audit.export_access_log")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params == {"filters": {"action": "reveal"}}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["rows"] == 1
    assert str(job.output_file.name).endswith(".xlsx")
    logged = AccessEvent.objects.filter(action=AccessAction.EXPORT, object_type="audit.accessevent").get()
    assert logged.detail == {"filters": {"action": "reveal"}, "job": job.pk, "format": "xlsx"}


def test_an_export_with_bad_filters_starts_nothing(actors, varied):
    client = client_for(actors["auditor"])
    response = client.post(reverse("audit:access_log_export"), {"region": "12345", "csrfmiddlewaretoken": "t0ken"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:access_log") + "?")
    assert response["Location"] == reverse("audit:access_log") + "?region=12345"  # the filters, never the CSRF token
    assert not Job.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessAction.EXPORT, object_type="audit.accessevent").exists()


# Change log ------------------------------------------------------------------------------


@pytest.fixture
def agency_changes(actors):
    agency = actors["county_caseworker"].agency
    created = log_change(
        actors["county_admin"],
        obj=agency,
        action=0,
        changes={"name": ["None", "泰山区民政局"], "kind": ["None", "civil_affairs"]},
    )
    renamed = log_change(actors["county_admin"], obj=agency, changes={"name": ["泰山区民政局", "泰安市泰山区民政局"]})
    other = log_change(
        actors["other_county_admin"], obj=actors["other_county_admin"].agency, changes={"phone": ["", "0538"]}
    )
    return {"created": created, "renamed": renamed, "other": other}


def change_ids(client, among, **params):
    """Ids of the listed entries among ``among`` (other apps' models log their own changes too)."""
    response = client.get(reverse("audit:changes"), params)
    assert response.status_code == 200
    known = {entry.pk for entry in among.values()}
    return {record.entry_id for record in response.context["records"]} & known


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"created", "renamed", "other"}),
        ({"action": "0"}, {"created"}),
        ({"action": "1"}, {"renamed", "other"}),
        ({"user": "other_county_admin"}, {"other"}),
        ({"record_type": "accounts.agency"}, {"created", "renamed", "other"}),
        ({"record_type": "accounts.agency", "object_id": "{agency}"}, {"created", "renamed"}),
        ({"date_from": "{tomorrow}"}, set()),
    ],
)
def test_change_log_filters(actors, agency_changes, params, expected, monkeypatch):
    monkeypatch.setattr(forms, "registered_record_types", lambda: [("accounts.agency", "Agency")])
    values = {
        "agency": str(actors["county_caseworker"].agency_id),
        "tomorrow": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    params = {k: v.format(**values) for k, v in params.items()}
    found = change_ids(client_for(actors["superuser"]), agency_changes, **params)
    assert found == {agency_changes[n].pk for n in expected}


def test_change_log_shows_each_field_before_and_after_and_logs_the_search(actors, agency_changes):
    client = client_for(actors["auditor"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("audit:changes"), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert "泰山区民政局" in content
    assert "泰安市泰山区民政局" in content
    renamed = next(r for r in response.context["records"] if r.entry_id == agency_changes["renamed"].pk)
    assert [(f.label, f.old, f.new) for f in renamed.fields] == [("Name", "泰山区民政局", "泰安市泰山区民政局")]
    logged = last_event()
    assert (logged.action, logged.object_type) == (AccessAction.SEARCH, "audit.logentry")


def test_county_auditor_sees_the_changes_of_own_county_only(actors, regions, agency_changes):
    found = change_ids(client_for(county_auditor(regions.county_a)), agency_changes)
    assert found == {agency_changes["created"].pk, agency_changes["renamed"].pk}


def test_a_change_log_export_writes_one_row_per_field(actors, agency_changes, django_capture_on_commit_callbacks):
    client = client_for(actors["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audit:changes_export"), {"user": "county_admin"})
    job = Job.objects.get(kind="audit.export_changes")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["rows"] == 3  # created: name and kind; renamed: name
    assert AccessEvent.objects.filter(action=AccessAction.EXPORT, object_type="audit.logentry").exists()


def test_the_activity_chart_is_shared_for_a_few_minutes_per_jurisdiction(actors, regions):
    log_access(actors["county_caseworker"], region_code="370902001001")
    first = client_for(actors["auditor"]).get(reverse("audit:access_log")).context["chart"]
    log_access(actors["county_caseworker"], region_code="370902001001")
    again = client_for(actors["auditor"]).get(reverse("audit:access_log")).context["chart"]
    assert again == first  # cached
    county = client_for(county_auditor(regions.county_a)).get(reverse("audit:access_log")).context["chart"]
    assert county != first  # another jurisdiction, computed afresh


def test_the_system_admin_can_search_the_change_log(actors, agency_changes):
    response = client_for(actors["superuser"]).get("/system-admin/auditlog/logentry/", {"q": "county_admin"})
    assert response.status_code == 200


def test_a_staff_member_with_the_model_permission_still_cannot_read_the_change_log_in_the_admin(actors, agency_changes):
    # The admin shows every change, unscoped and unlogged: a permission given by mistake opens nothing.
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    staff = actors["auditor"]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(Permission.objects.get(codename="view_logentry", content_type__app_label="auditlog"))
    response = client_for(staff).get("/system-admin/auditlog/logentry/")
    assert response.status_code in (302, 403)
