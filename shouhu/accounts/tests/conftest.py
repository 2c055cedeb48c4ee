"""Fixtures of the accounts tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auditlog.context import auditlog_value

from shouhu.core import accesslog


@pytest.fixture
def access_log(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every ``record_access`` call of the test, in order (still written to the real chain)."""
    calls: list[dict[str, Any]] = []
    original = accesslog._writer

    def writer(**kwargs: Any) -> None:
        calls.append(kwargs)
        if original is not None:
            original(**kwargs)

    monkeypatch.setattr(accesslog, "_writer", writer)
    return calls


@pytest.fixture(autouse=True)
def fresh_auditlog_context() -> Iterator[None]:
    """Start each test without the auditlog actor a previous test's request left in this thread.

    django-auditlog sets its context variable for a request and never resets it, so a stale
    actor (whose signal receiver is gone) would otherwise leak into the next test.
    """
    token = auditlog_value.set({})
    yield
    auditlog_value.reset(token)
