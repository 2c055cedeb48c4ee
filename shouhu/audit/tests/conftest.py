"""Fixtures of the audit tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The activity chart is cached per jurisdiction; each test starts without it."""
    cache.clear()
    yield
    cache.clear()
