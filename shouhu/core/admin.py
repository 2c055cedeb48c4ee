"""What every Django admin page of Shouhu shares: it is the system administrators' tool only.

County and city administrators work in the product's screens, where the access policies and
the access log apply; the admin (``/system-admin/``) bypasses both, so a staff flag or a model
permission never opens it — only an active superuser gets in. Each admin's own, stricter rules
(read-only logs, no deletion) still apply on top.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.options import BaseModelAdmin
from django.http import HttpRequest


def is_system_administrator(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class SystemAdministratorsOnly(BaseModelAdmin):  # type: ignore[type-arg]
    """Mix into a ``ModelAdmin`` or an inline, before it: superusers only, whatever the staff flag says."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_administrator(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_system_administrator(request) and super().has_add_permission(request, *args)  # type: ignore[call-arg]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_administrator(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_administrator(request) and super().has_delete_permission(request, obj)
