"""Menu entries of intake: the front door's queue, and filing a report for everyone who may."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhu.core.navigation import NavItem
from shouhu.intake import permissions


def _front_door(user: Any) -> bool:
    return permissions.front_door_scope(user) is not None


def _files_only(user: Any) -> bool:
    return permissions.may_file(user) and not _front_door(user)


ITEMS = [
    NavItem(_("Reports"), "intake:queue", "inbox", _front_door, section="work", order=5),
    NavItem(_("My reports"), "intake:mine", "inbox", _files_only, section="work", order=5),
    NavItem(_("Report a child"), "intake:new", "megaphone", permissions.may_file, section="work", order=6),
]
