"""Verifying the stored chain: tampering through the database is found at the right entry."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from shouhu.audit import chain
from shouhu.audit.choices import ChainProblem, VerificationTrigger
from shouhu.audit.models import AccessEvent, ChainHead, ChainVerification
from shouhu.audit.services import HEAD_ID, verify_chain
from shouhu.audit.tests.factories import attacker, log_access, log_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(actors):
    """A log of five entries by several users."""
    users = ["county_caseworker", "village_director", "township_supervisor", "auditor", "county_caseworker"]
    return [
        log_access(actors[name], object_id=n, region_code="370902001001", summary=f"档案 {n}", detail={"n": n})
        for n, name in enumerate(users, start=1)
    ]


def verify(**kwargs) -> ChainVerification:
    return verify_chain(actor=None, trigger=VerificationTrigger.COMMAND, **kwargs)


def test_an_untouched_log_verifies(five):
    result = verify()
    assert result.ok
    assert result.problem == ""
    assert result.rows_checked == 5
    assert (result.last_seq, result.last_hash) == (5, five[-1].hash)
    assert result.head_seq == 5
    assert ChainVerification.objects.get() == result


def test_an_empty_log_verifies(db):
    result = verify()
    assert result.ok
    assert result.rows_checked == 0
    assert result.last_seq is None


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5000])
def test_batches_of_any_size_reach_the_same_result(five, batch_size):
    with attacker() as cursor:
        cursor.execute("UPDATE audit_accessevent SET summary = %s WHERE seq = %s", ["改", 4])
    result = verify(batch_size=batch_size)
    assert (result.ok, result.problem, result.broken_seq, result.rows_checked) == (False, "altered", 4, 3)


def test_altered_content_is_found(five):
    with attacker() as cursor:
        cursor.execute("UPDATE audit_accessevent SET actor_username = %s WHERE seq = %s", ["someone_else", 3])
    result = verify()
    assert not result.ok
    assert (result.problem, result.broken_seq, result.kind) == (ChainProblem.ALTERED, 3, "altered")
    assert result.last_seq == 2
    assert "#3" in result.message


def test_altered_detail_is_found(five):
    with attacker() as cursor:
        cursor.execute("UPDATE audit_accessevent SET detail = %s WHERE seq = %s", ['{"n": 99}', 2])
    result = verify()
    assert (result.problem, result.broken_seq) == (ChainProblem.ALTERED, 2)


def test_a_rewritten_previous_hash_is_a_broken_link(five):
    with attacker() as cursor:
        cursor.execute("UPDATE audit_accessevent SET prev_hash = %s WHERE seq = %s", ["0" * 64, 4])
    result = verify()
    assert (result.problem, result.broken_seq) == (ChainProblem.LINK_BROKEN, 4)


def test_a_deleted_middle_entry_is_missing(five):
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [3])
    result = verify()
    assert (result.problem, result.broken_seq, result.kind) == (ChainProblem.MISSING, 3, "missing_one")
    assert result.params == {"seq": 3, "first": 3, "last": 3, "prev": 2, "next": 4}


def test_deleted_entries_at_the_end_are_found_by_the_head(five):
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [5])
    result = verify()
    assert (result.problem, result.broken_seq, result.kind) == (ChainProblem.TRUNCATED, 5, "truncated")
    assert result.rows_checked == 4


def test_a_head_moved_back_without_the_key_is_found(five):
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [5])
    ChainHead.objects.filter(pk=HEAD_ID).update(seq=4, hash=five[3].hash)
    result = verify()
    assert (result.problem, result.broken_seq) == (ChainProblem.HEAD_ALTERED, 4)


def test_a_head_replayed_from_an_earlier_state_is_found_by_the_last_verification(actors):
    for n in range(3):
        log_access(actors["auditor"], object_id=n)
    earlier = ChainHead.objects.values("seq", "hash", "seal").get(pk=HEAD_ID)
    for n in range(2):
        log_access(actors["auditor"], object_id=10 + n)
    assert verify().ok
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq > %s", [3])
    ChainHead.objects.filter(pk=HEAD_ID).update(**earlier)
    result = verify()
    assert (result.problem, result.broken_seq, result.kind) == (ChainProblem.TRUNCATED, 4, "shorter_than_checkpoint")


def test_a_missing_head_is_found(five):
    ChainHead.objects.all().delete()
    result = verify()
    assert (result.problem, result.broken_seq) == (ChainProblem.HEAD_MISSING, None)


def _forge(cursor, *, seq: int, prev_hash: str, at, actor_id) -> None:
    cursor.execute(
        "INSERT INTO audit_accessevent (seq, at, actor_id, actor_username, actor_region, action, object_type,"
        " object_id, region_code, summary, detail, reason, ip, user_agent, request_path, prev_hash, hash)"
        " VALUES (%s, %s, %s, 'ghost', '', 'view', 'registry.child', '1', '', '', '{}', '', NULL, '', '', %s, %s)",
        [seq, at, actor_id, prev_hash, "b" * 64],
    )


def test_a_forged_entry_after_the_head_is_inserted(five):
    with attacker() as cursor:
        _forge(cursor, seq=6, prev_hash=five[-1].hash, at=five[-1].at, actor_id=five[-1].actor_id)
    result = verify()
    assert (result.problem, result.broken_seq, result.kind) == (ChainProblem.INSERTED, 6, "inserted_beyond_head")
    assert result.rows_checked == 5


def test_a_forged_entry_with_the_head_moved_to_it_is_altered(five):
    with attacker() as cursor:
        _forge(cursor, seq=6, prev_hash=five[-1].hash, at=five[-1].at, actor_id=five[-1].actor_id)
    ChainHead.objects.filter(pk=HEAD_ID).update(seq=6, hash="b" * 64)
    result = verify()
    assert (result.problem, result.broken_seq) == (ChainProblem.ALTERED, 6)


def test_a_forged_entry_before_the_first_is_inserted(five):
    with attacker() as cursor:
        _forge(cursor, seq=0, prev_hash=chain.GENESIS, at=five[0].at, actor_id=five[0].actor_id)
    result = verify()
    assert (result.problem, result.broken_seq, result.kind) == (ChainProblem.INSERTED, 0, "inserted_out_of_order")


def test_a_deleted_and_replaced_entry_is_altered(five):
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [2])
        _forge(cursor, seq=2, prev_hash=five[0].hash, at=five[1].at, actor_id=five[1].actor_id)
    result = verify()
    assert (result.problem, result.broken_seq) == (ChainProblem.ALTERED, 2)


def test_verification_from_an_entry_checks_the_rest(five):
    with attacker() as cursor:
        cursor.execute("UPDATE audit_accessevent SET summary = %s WHERE seq = %s", ["改", 1])
    result = verify(from_seq=3)
    assert result.ok
    assert (result.rows_checked, result.from_seq, result.last_seq) == (3, 3, 5)
    assert not result.is_full


def test_verification_from_an_entry_finds_what_follows(five):
    with attacker() as cursor:
        cursor.execute("UPDATE audit_accessevent SET summary = %s WHERE seq = %s", ["改", 4])
    assert verify(from_seq=3).broken_seq == 4


def test_verification_from_a_deleted_entry_reports_the_missing_start(five):
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [2])
    result = verify(from_seq=3)
    assert (result.problem, result.broken_seq, result.kind) == (ChainProblem.MISSING, 2, "anchor_missing")


def test_progress_is_reported_per_batch(five):
    calls = []
    verify(batch_size=2, progress=lambda done, total, message: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_entries_written_while_verifying_are_left_for_next_time(five, actors):
    def write_more(done, total, message):
        if done == 2:
            log_access(actors["auditor"], object_id="late")

    result = verify(batch_size=2, progress=write_more)
    assert result.ok
    assert result.last_seq == 5
    assert verify().last_seq == 6


def test_the_broken_verification_is_described_in_the_users_language(five):
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [3])
    result = verify()
    assert result.message.startswith("Entry #3 is missing")
    with translation.override("zh-hans"):
        assert "#3" in result.describe()
        assert result.describe() != result.message
    assert result.get_problem_display()


@pytest.mark.postgres_only
def test_postgres_refuses_raw_update_and_delete_of_the_log(five):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET summary = 'x' WHERE seq = 1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = 5")
    assert AccessEvent.objects.count() == 5
    assert verify().ok


def test_resuming_reads_only_the_entries_after_the_last_intact_one(five, actors):
    assert verify().ok
    log_access(actors["auditor"], object_id="new")
    with attacker() as cursor:  # an old entry: left to the next full walk
        cursor.execute("UPDATE audit_accessevent SET summary = %s WHERE seq = %s", ["改", 2])
    resumed = verify(resume=True)
    assert resumed.ok
    assert (resumed.from_seq, resumed.rows_checked, resumed.last_seq) == (6, 1, 6)
    assert verify().broken_seq == 2


def test_resuming_finds_tampering_after_the_checkpoint(five, actors):
    assert verify().ok
    log_access(actors["auditor"], object_id="new")
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [6])
    assert (verify(resume=True).problem, verify(resume=True).broken_seq) == (ChainProblem.TRUNCATED, 6)


def test_resuming_finds_a_head_set_back_behind_the_checkpoint(five):
    assert verify().ok
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [5])
    # Even an insider with the key who reseals the head is caught by the earlier verification.
    seal = chain.head_seal(settings.SHOUHU_AUDIT_KEY, 4, five[3].hash)
    ChainHead.objects.filter(pk=HEAD_ID).update(seq=4, hash=five[3].hash, seal=seal)
    result = verify(resume=True)
    assert (result.problem, result.kind, result.broken_seq) == (ChainProblem.TRUNCATED, "shorter_than_checkpoint", 5)


def test_resuming_without_an_earlier_verification_walks_everything(five):
    result = verify(resume=True)
    assert (result.ok, result.rows_checked, result.from_seq) == (True, 5, None)


@pytest.mark.postgres_only
def test_postgres_refuses_changes_to_the_change_log_but_lets_a_deleted_actor_go(actors):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    entry = log_change(actors["county_admin"], obj=actors["county_caseworker"].agency, changes={"name": ["a", "b"]})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET changes = '{}' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET actor_id = NULL, object_repr = 'x' WHERE id = %s", [entry.pk])
    with connection.cursor() as cursor:  # what ON DELETE SET NULL does when a user row is deleted
        cursor.execute("UPDATE auditlog_logentry SET actor_id = NULL WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert (entry.actor_id, entry.changes) == (None, {"name": ["a", "b"]})
