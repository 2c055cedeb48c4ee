"""Menu entries of matching: the identity search and the review queue for the registry roles, runs for caseworkers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhu.core.navigation import NavItem
from shouhu.matching import permissions
from shouhu.registry.permissions import registry_scope_code


def _searches(user: Any) -> bool:
    return permissions.may_search(user)


def _reviews(user: Any) -> bool:
    return permissions.role_allows(user, permissions.DECIDE) and registry_scope_code(user) is not None


def _deduplicates(user: Any) -> bool:
    return permissions.role_allows(user, permissions.DEDUPLICATE) and registry_scope_code(user) is not None


ITEMS = [
    # The queue first: the pages of a pair, a merge or a run light up the first entry of the app.
    NavItem(_("Possible duplicates"), "matching:reviews", "intersect", _reviews, section="work", order=12),
    NavItem(_("Identity search"), "matching:search", "person-bounding-box", _searches, section="work", order=13),
    NavItem(_("Find duplicate files"), "matching:dedup", "layers", _deduplicates, section="work", order=14),
]
