import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Figures some selectors cache (the audit activity) must not leak from one test into another."""
    cache.clear()
    yield
    cache.clear()
