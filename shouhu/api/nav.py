"""Menu entries of the API: token management for administrators, the guide for developers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhu.accounts.choices import Role
from shouhu.core.navigation import NavItem


def _reads_api_guide(user: Any) -> bool:
    # Liaisons of partner departments are the developers' contacts for data exchange.
    return bool(user.is_administrator or user.has_role(Role.DEPARTMENT_LIAISON))


ITEMS = [
    NavItem(
        label=_("API tokens"),
        url_name="api:tokens",
        icon="key",
        visible=lambda user: bool(user.is_administrator),
        section="admin",
        order=80,
    ),
    NavItem(
        label=_("API for partner systems"),
        url_name="api:docs",
        icon="plug",
        visible=_reads_api_guide,
        section="help",
        order=80,
    ),
]
