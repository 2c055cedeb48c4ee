"""The Django admin site of Shouhu: only active superusers enter, whatever other packages register.

``SystemAdministratorsOnly`` guards Shouhu's own admins; this site guards the rest (django-axes'
attempts, django-otp's devices, whose TOTP keys must never reach a staff member).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shouhu.core.admin import is_system_administrator


class SystemAdminSite(admin.AdminSite):
    site_header = _("Shouhu system administration")
    site_title = _("Shouhu system administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_system_administrator(request)


class SystemAdminConfig(AdminConfig):
    default_site = "shouhu.core.admin_site.SystemAdminSite"
