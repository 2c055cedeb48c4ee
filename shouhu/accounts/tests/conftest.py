"""Fixtures of the accounts tests."""

from __future__ import annotations

from typing import Any

import pytest

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
