"""Fixtures of the policy tests: a clean in-memory store for every test, a controllable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time

import pytest
from auditlog.context import auditlog_value
from django.utils import timezone

from shouhu.policy import selectors


@pytest.fixture(autouse=True)
def fresh_store() -> Iterator[None]:
    """The store is cached per process: each test starts and ends with an empty copy."""
    selectors.invalidate()
    selectors._thread.uncommitted = False
    yield
    selectors.invalidate()
    selectors._thread.uncommitted = False


@pytest.fixture(autouse=True)
def fresh_auditlog_context() -> Iterator[None]:
    """Each test starts like a new worker thread, with no actor left over from another test.

    ``auditlog.context.set_actor`` never resets its context variable, so a finished
    ``acting_as`` leaves a stale actor behind that makes the next ``acting_as`` in the thread a
    no-op (see ``test_services.test_two_writes_in_one_thread_are_each_attributed``).
    """
    token = auditlog_value.set({})
    yield
    auditlog_value.reset(token)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """``clock(instant)`` makes ``timezone.now()`` return ``instant`` (an aware datetime)."""

    def set_now(instant: datetime) -> None:
        assert instant.tzinfo is not None
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return set_now


@pytest.fixture
def on_day(clock: Callable[[datetime], None]) -> Callable[[date], None]:
    """``on_day(d)`` sets the clock to noon of ``d`` in Asia/Shanghai."""

    def set_day(day: date) -> None:
        clock(datetime.combine(day, time(12), tzinfo=selectors.CITY_TIME_ZONE).astimezone(UTC))

    return set_day
