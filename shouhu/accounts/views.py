"""Log-in, second factor, password and user-management views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=429)
