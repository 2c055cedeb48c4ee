"""The client's address, behind a known number of trusted reverse proxies.

With ``SHOUHU_PROXY_COUNT = n`` the application trusts the last ``n`` hops of
``X-Forwarded-For`` (appended by its own proxies) and takes the entry just before them;
anything further left was sent by the client and could be forged. Without proxies the
socket's address (``REMOTE_ADDR``) is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    count = getattr(settings, "SHOUHU_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
