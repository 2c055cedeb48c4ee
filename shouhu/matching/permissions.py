"""Access policies of matching: who searches, who reviews pairs, who merges files.

Rules (issue 4; the registry's scopes, ``shouhu.registry.permissions``):

* **Search** for a child (identity search, the duplicate check of a registration or an import):
  the registry roles (child director, township supervisor, caseworker, intake officer) and the
  superuser. A search may find files outside the searcher's jurisdiction — the point of a duplicate
  check — but a candidate the searcher may not open shows only that it exists (``search``).
* **Review** a pair (same / not the same / unsure): the registry roles whose jurisdiction covers both
  files of the pair; a pair across two jurisdictions goes to the level that covers both.
* **Merge** two files, and undo a merge: caseworkers (and the superuser), and only when they may see
  and change both files. A merge moves a child's whole history; it is a caseworker's decision.
* **Start a de-duplication run** over a region: caseworkers (and the superuser) of that region.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from shouhu.accounts.choices import Role
from shouhu.accounts.models import User
from shouhu.core.policy import CHANGE, VIEW, Policy, policy_for, register_policy
from shouhu.matching.models import Merge, PairReview
from shouhu.regions import codes
from shouhu.registry.models import Child
from shouhu.registry.permissions import REGISTRY_ROLES, registry_scope_code

SEARCH = "search"
DECIDE = "decide"
MERGE = "merge"
UNMERGE = "unmerge"
DEDUPLICATE = "deduplicate"

CASEWORKERS = frozenset({Role.COUNTY_CASEWORKER})
ACTION_ROLES: dict[str, frozenset[Role]] = {
    SEARCH: REGISTRY_ROLES,
    VIEW: REGISTRY_ROLES,
    DECIDE: REGISTRY_ROLES,
    MERGE: CASEWORKERS,
    UNMERGE: CASEWORKERS,
    DEDUPLICATE: CASEWORKERS,
}


def role_allows(user: Any, action: str) -> bool:
    """The role rule of a matching ``action`` (what the user may see is checked separately)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return bool(user.roles & ACTION_ROLES.get(action, frozenset()))


def may_search(user: Any) -> bool:
    """May ``user`` search for children (identity search, duplicate checks)?"""
    return role_allows(user, SEARCH) and registry_scope_code(user) is not None


def may_deduplicate(user: Any, region_code: str) -> bool:
    """May ``user`` run a de-duplication over ``region_code`` (``""``: everywhere, superusers only)?"""
    if not role_allows(user, DEDUPLICATE):
        return False
    scope = registry_scope_code(user)
    if scope is None:
        return False
    if scope == "":
        return True
    return bool(region_code) and codes.is_within(region_code, scope)


def can_change_both(user: Any, keep: Child, other: Child) -> bool:
    """May ``user`` see and change both files (merge's and unmerge's condition beside the role)?"""
    children = policy_for(Child)
    return children.can(user, CHANGE, keep) and children.can(user, CHANGE, other)


def can_merge(user: Any, keep: Child, other: Child) -> bool:
    """May ``user`` merge ``other`` into ``keep``: a caseworker who may see and change both."""
    return role_allows(user, MERGE) and can_change_both(user, keep, other)


class PairReviewPolicy(Policy[PairReview]):
    """Pairs to review: visible when the user's jurisdiction covers both files."""

    model = PairReview
    actions = frozenset({VIEW, DECIDE})

    def scope(self, user: User, queryset: models.QuerySet[PairReview]) -> models.QuerySet[PairReview]:
        code = registry_scope_code(user)
        if code is None:
            return queryset.none()
        if code == "":
            return queryset
        return queryset.filter(codes.within_q("village_a", code), codes.within_q("village_b", code))

    def allows(self, user: User, action: str, obj: PairReview | None) -> bool:
        return role_allows(user, action)


class MergePolicy(Policy[Merge]):
    """Merges: visible when the user's jurisdiction covers both files; undone by caseworkers."""

    model = Merge
    actions = frozenset({VIEW, UNMERGE})

    def scope(self, user: User, queryset: models.QuerySet[Merge]) -> models.QuerySet[Merge]:
        code = registry_scope_code(user)
        if code is None:
            return queryset.none()
        if code == "":
            return queryset
        return queryset.filter(codes.within_q("keep__village", code), codes.within_q("other__village", code))

    def allows(self, user: User, action: str, obj: Merge | None) -> bool:
        return role_allows(user, action)


pair_review_policy = register_policy(PairReviewPolicy())
merge_policy = register_policy(MergePolicy())
