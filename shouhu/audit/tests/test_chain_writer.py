"""Writing the access log: entries chain, and rows refuse change."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings

from shouhu.audit import chain
from shouhu.audit.models import AccessEvent, AppendOnlyError
from shouhu.core.accesslog import AccessAction, record_access


@pytest.mark.django_db
def test_entries_link_to_the_previous_hash(actors):
    for n in range(3):
        record_access(
            actor=actors["county_caseworker"],
            action=AccessAction.VIEW,
            object_type="accounts.user",
            object_id=n,
            region_code="370902000000",
            detail={"n": n},
        )
    events = list(AccessEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    for event in events:
        assert event.hash == chain.link(settings.SHOUHU_AUDIT_KEY, event.prev_hash, event.hashed_content())
    assert events[0].actor_region == "370902000000"


@pytest.mark.django_db
def test_rows_refuse_update_and_delete(actors):
    record_access(actor=actors["auditor"], action=AccessAction.SEARCH, object_type="audit.accessevent")
    event = AccessEvent.objects.get()
    event.reason = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.update(reason="x")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
