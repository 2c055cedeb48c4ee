"""The history of a record: field labels, readable values, masked fields, who and when."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.template.loader import render_to_string
from django.utils import timezone, translation

from shouhu.audit.changes import HIDDEN, describe_entries
from shouhu.audit.choices import ChainProblem, VerificationTrigger
from shouhu.audit.models import ChainVerification
from shouhu.audit.selectors import object_history
from shouhu.audit.tests.factories import log_change
from shouhu.core.errors import NotAllowedError
from shouhu.core.history import acting_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def versioned():
    """Version ChainVerification for the test (no app versions it: its rows are never edited)."""
    assert not auditlog.contains(ChainVerification)
    auditlog.register(ChainVerification, mask_fields=["last_hash"], mapping_fields={"rows_checked": "Entries read"})
    yield ChainVerification
    auditlog.unregister(ChainVerification)


@pytest.fixture
def verification(versioned, actors):
    now = timezone.now()
    with acting_as(actors["auditor"]):
        record = ChainVerification.objects.create(
            started_at=now,
            finished_at=now,
            trigger=VerificationTrigger.JOB,
            requested_by=actors["auditor"],
            rows_checked=5,
            last_seq=5,
            last_hash="abcdef0123456789",
            ok=True,
        )
    with acting_as(actors["superuser"]):
        record.ok = False
        record.problem = ChainProblem.ALTERED
        record.requested_by = actors["city_admin"]
        record.rows_checked = 7
        record.last_hash = "9999999999999999"
        record.save()
    return record


def fields_of(record):
    return {f.name: (f.label, f.old, f.new, f.masked) for f in record.fields}


def test_history_lists_changes_newest_first_with_who(actors, verification):
    with translation.override("en"):
        history = object_history(user=actors["auditor"], obj=verification)
    assert [r.action for r in history] == [LogEntry.Action.UPDATE, LogEntry.Action.CREATE]
    assert [r.actor_name for r in history] == [actors["superuser"].get_full_name(), actors["auditor"].get_full_name()]
    assert history[0].action_label == "Changed"


def test_values_are_shown_with_labels_choices_and_names(actors, verification):
    with translation.override("en"):
        update = object_history(user=actors["auditor"], obj=verification)[0]
    fields = fields_of(update)
    assert fields["ok"] == ("Intact", "Yes", "No", False)
    assert fields["problem"] == ("Problem", "", "Entry altered", False)
    assert fields["requested_by"] == ("Requested by", str(actors["auditor"]), str(actors["city_admin"]), False)
    assert fields["rows_checked"] == ("Entries read", "5", "7", False)


def test_masked_fields_stay_masked(actors, verification):
    update = object_history(user=actors["auditor"], obj=verification)[0]
    _label, old, new, masked = fields_of(update)["last_hash"]
    assert masked
    assert "abcdef0123456789" not in old
    assert old.endswith("23456789")
    assert "9999999999999999" not in new
    html = render_to_string("audit/_object_history.html", {"history": [update]})
    assert "abcdef0123456789" not in html
    assert "bi-lock" in html


def test_a_creation_shows_only_the_new_values(actors, verification):
    with translation.override("en"):
        creation = object_history(user=actors["auditor"], obj=verification)[-1]
        html = render_to_string("audit/_object_history.html", {"history": [creation]})
    assert all(f.old == "" for f in creation.fields)
    assert "Before" not in html
    assert "After" in html
    assert "Created" in html


def test_only_those_who_may_view_the_record_read_its_history(actors, verification):
    with pytest.raises(NotAllowedError):
        object_history(user=actors["city_admin"], obj=verification)


def test_the_history_include_renders_an_empty_state():
    with translation.override("en"):
        html = render_to_string("audit/_object_history.html", {"history": []})
    assert "No changes have been recorded for this record." in html


def test_passwords_are_hidden_even_when_a_model_forgot_to_mask_them(actors):
    entry = log_change(actors["superuser"], obj=actors["village_director"], changes={"password": ["md5$a", "md5$b"]})
    (record,) = describe_entries([entry])
    assert [(f.old, f.new, f.masked) for f in record.fields] == [(HIDDEN, HIDDEN, True)]


def test_related_rows_are_named_in_one_query_per_model(actors, django_assert_num_queries):
    users = [actors[name] for name in ("village_director", "township_supervisor", "county_caseworker")]
    entries = [
        log_change(actors["superuser"], obj=user, changes={"created_by": ["None", str(actors["city_admin"].pk)]})
        for user in users
    ]
    entries.append(log_change(actors["superuser"], obj=users[0], changes={"created_by": ["None", "987654"]}))
    loaded = list(LogEntry.objects.filter(pk__in=[e.pk for e in entries]).select_related("actor", "content_type"))
    with django_assert_num_queries(1), translation.override("en"):
        records = describe_entries(loaded)
    news = sorted(f.new for r in records for f in r.fields)
    assert news.count(str(actors["city_admin"])) == 3
    assert "deleted row (987654)" in news


def test_instants_are_shown_in_local_time(actors):
    entry = log_change(
        actors["superuser"], obj=actors["auditor"], changes={"date_joined": ["None", "2026-01-01 08:00:00"]}
    )
    (record,) = describe_entries([entry])
    assert "16:00" in record.fields[0].new  # 08:00 UTC is 16:00 in Shanghai


def test_many_to_many_changes_list_the_rows(actors):
    changes = {"groups": {"type": "m2m", "operation": "add", "objects": ["审核组", "管理组"]}}
    entry = log_change(actors["superuser"], obj=actors["auditor"], changes=changes)
    (record,) = describe_entries([entry])
    assert (record.fields[0].old, record.fields[0].new) == ("", "审核组, 管理组")


def test_unknown_fields_of_a_changed_model_show_their_stored_values(actors):
    entry = log_change(actors["superuser"], obj=actors["auditor"], changes={"retired_field": ["a", "b"]})
    (record,) = describe_entries([entry])
    assert [(f.label, f.old, f.new) for f in record.fields] == [("retired_field", "a", "b")]


def test_acting_as_twice_in_one_thread_attributes_both_changes(versioned, actors):
    now = timezone.now()
    with acting_as(actors["auditor"]):
        record = ChainVerification.objects.create(
            started_at=now, finished_at=now, trigger=VerificationTrigger.JOB, rows_checked=1, ok=True
        )
    with acting_as(actors["superuser"]):
        record.rows_checked = 2
        record.save()
    actors_of = list(LogEntry.objects.get_for_object(record).order_by("id").values_list("actor", flat=True))
    assert actors_of == [actors["auditor"].pk, actors["superuser"].pk]
