"""Fixtures of the API tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    """Throttling counts requests in the cache; each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()
