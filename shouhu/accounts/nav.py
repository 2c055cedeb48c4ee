"""Menu entries of accounts: user and agency management for administrators, and my account."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shouhu.accounts.permissions import manages_users
from shouhu.core.navigation import NavItem

ITEMS = [
    NavItem(_("Users"), "accounts:user_list", "people", manages_users, section="admin", order=10),
    NavItem(_("Roles by region"), "accounts:role_overview", "diagram-3", manages_users, section="admin", order=20),
    NavItem(_("Agencies"), "accounts:agency_list", "building", manages_users, section="admin", order=30),
    NavItem(
        _("Import users"), "accounts:user_import", "file-earmark-arrow-up", manages_users, section="admin", order=40
    ),
    NavItem(_("My account"), "accounts:profile", "person-circle", lambda user: True, section="help", order=900),
]
