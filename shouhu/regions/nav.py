"""Menu entries of the regions app."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhu.core.navigation import NavItem


def _logged_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _system_administrator(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


ITEMS = [
    NavItem(_("Regions"), "regions:browse", "geo-alt", _logged_in, section="help", order=10),
    NavItem(
        _("Division imports"), "regions:imports", "cloud-arrow-up", _system_administrator, section="admin", order=80
    ),
]
