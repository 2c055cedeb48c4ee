"""The Django admin of accounts, for system administrators (superusers) only.

County and city administrators manage users in the product's screens (``views/users.py``),
where the placement rules and the access log apply; the admin is the system administrator's
tool of last resort.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.core.admin import SystemAdministratorsOnly


class SuperuserOnly(SystemAdministratorsOnly):
    """System administrators only (``shouhu.core.admin``); users and agencies are never deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # users and agencies are deactivated, never deleted


class UserCreationForm(auth_forms.AdminUserCreationForm):  # type: ignore[type-arg]
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name")


class UserChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


class RoleAssignmentInline(SuperuserOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "granted_at", "granted_by")
    readonly_fields = ("granted_at", "granted_by")


@admin.register(User)
class ShouhuUserAdmin(SuperuserOnly, UserAdmin):  # type: ignore[type-arg]
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "language")}),
        (_("Placement"), {"fields": ("jurisdiction", "agency")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "password_changed_at", "deactivated_at", "created_by")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "usable_password", "password1", "password2")},
        ),
    )
    list_display = ("username", "full_name", "jurisdiction", "agency", "is_active", "is_superuser", "last_login")
    list_filter = ("is_active", "is_superuser", "is_staff")
    search_fields = ("username", "full_name", "phone")
    ordering = ("username",)
    raw_id_fields = ("jurisdiction", "agency")
    readonly_fields = ("last_login", "date_joined", "password_changed_at", "deactivated_at", "created_by")
    inlines = (RoleAssignmentInline,)
    filter_horizontal = ()


@admin.register(Agency)
class AgencyAdmin(SuperuserOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "region", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "credit_code", "region__code", "region__name")
    raw_id_fields = ("region", "parent")
    readonly_fields = ("created_at", "updated_at", "created_by")
