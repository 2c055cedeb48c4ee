"""The client address behind trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from shouhu.core.net import client_ip


@pytest.mark.parametrize(
    ("count", "forwarded", "remote", "expected"),
    [
        (0, "", "10.0.0.5", "10.0.0.5"),
        (0, "203.0.113.9", "127.0.0.1", "127.0.0.1"),  # no proxy configured: the header is ignored
        (1, "203.0.113.9", "127.0.0.1", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "127.0.0.1", "203.0.113.9"),  # a forged left entry is skipped
        (2, "6.6.6.6, 203.0.113.9, 10.1.1.1", "127.0.0.1", "203.0.113.9"),
        (1, "", "127.0.0.1", "127.0.0.1"),  # header missing
        (1, "not-an-ip", "127.0.0.1", "127.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(count, forwarded, remote, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(SHOUHU_PROXY_COUNT=count):
        assert client_ip(request) == expected
