"""``manage.py verify_audit`` and the daily task: exit status, progress and summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shouhu.audit.choices import VerificationTrigger
from shouhu.audit.models import ChainVerification
from shouhu.audit.tasks import utc_run_time, verify_chain_daily
from shouhu.audit.tests.factories import attacker, log_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(actors):
    return [log_access(actors["county_caseworker"], object_id=n) for n in range(3)]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_intact_log_prints_progress_and_a_summary(three):
    out, err = run("--batch-size", "2")
    assert "checked 2 of 3 entries (66%)" in out
    assert "checked 3 of 3 entries (100%)" in out
    assert "OK: 3 entries checked" in out
    assert f"last intact entry #3 {three[-1].hash}" in out
    assert err == ""
    verification = ChainVerification.objects.get()
    assert (verification.trigger, verification.ok, verification.requested_by) == ("command", True, None)


def test_quiet_prints_nothing_when_intact(three):
    out, err = run("--quiet")
    assert (out, err) == ("", "")
    assert ChainVerification.objects.get().ok


def test_a_broken_chain_exits_with_status_1_and_names_the_entry(three):
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE seq = %s", [2])
    with pytest.raises(CommandError) as raised:
        run("--quiet")
    assert raised.value.returncode == 1
    assert "BROKEN at #2" in str(raised.value)
    assert "Entry #2 is missing" in str(raised.value)
    assert "1 entries checked" in str(raised.value)


def test_from_seq_starts_later(three):
    out, _err = run("--from-seq", "2")
    assert "OK: 2 entries checked" in out
    assert ChainVerification.objects.get().from_seq == 2


@pytest.mark.parametrize("args", [("--from-seq", "0"), ("--batch-size", "0")])
def test_bad_options_are_refused(db, args):
    with pytest.raises(CommandError, match="must be 1 or more"):
        run(*args)
    assert not ChainVerification.objects.exists()


def test_the_daily_task_records_a_scheduled_verification(three):
    verify_chain_daily.call_local()
    verification = ChainVerification.objects.get()
    assert (verification.trigger, verification.ok, verification.rows_checked) == (
        VerificationTrigger.SCHEDULE,
        True,
        3,
    )


def test_the_daily_task_runs_at_half_past_two_in_shanghai():
    assert utc_run_time(time(2, 30), "Asia/Shanghai") == time(18, 30)
    task = verify_chain_daily.task_class()
    # Huey's scheduler passes naive UTC instants.
    assert task.validate_datetime(datetime(2026, 3, 1, 18, 30, tzinfo=UTC).replace(tzinfo=None))
    assert not task.validate_datetime(datetime(2026, 3, 1, 2, 30, tzinfo=UTC).replace(tzinfo=None))


def test_resume_continues_after_the_last_verification(three, actors):
    run("--quiet")
    log_access(actors["auditor"], object_id="later")
    out, _err = run("--resume")
    assert "OK: 1 entries checked" in out
    assert ChainVerification.objects.all()[0].from_seq == 4


def test_resume_and_from_seq_exclude_each_other(db):
    with pytest.raises(CommandError, match="exclude each other"):
        run("--resume", "--from-seq", "2")


@pytest.mark.parametrize(("day", "full"), [("2026-03-01", True), ("2026-03-02", False), ("2026-03-07", False)])
def test_the_daily_task_walks_everything_on_sundays_only(three, monkeypatch, day, full):
    run("--quiet")
    monkeypatch.setattr(timezone, "localdate", lambda: date.fromisoformat(day))
    verify_chain_daily.call_local()
    latest = ChainVerification.objects.all()[0]
    assert latest.is_full is full
    assert latest.ok
