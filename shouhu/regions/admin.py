"""The Django admin of regions, for system administrators (``/system-admin/``).

Regions come from the official tables through ``import_divisions``; the admin shows them and
allows a correction of one row (versioned by auditlog), never a deletion: records point at
codes for ever. The import history is read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shouhu.core.admin import SystemAdministratorsOnly
from shouhu.regions.models import DivisionImport, Region


@admin.register(Region)
class RegionAdmin(SystemAdministratorsOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "level", "urban_rural_class", "first_year", "year", "active", "generated")
    list_filter = ("level", "active", "generated", "year")
    search_fields = ("code", "name")
    fields = ("code", "name", "level", "parent", "urban_rural_class", "first_year", "year", "active", "generated")
    readonly_fields = ("code", "level", "parent", "first_year", "year")
    show_full_result_count = False  # a count of 700 000 rows on every page is wasted work

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # codes come from a table import, which checks them

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a code is deactivated by a later table, never deleted


@admin.register(DivisionImport)
class DivisionImportAdmin(SystemAdministratorsOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created_at",
        "year",
        "scope",
        "scope_name",
        "rows",
        "created",
        "renamed",
        "deactivated",
        "created_by",
    )
    list_filter = ("year", "generated")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
