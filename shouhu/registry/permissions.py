"""Access policies of the child registry: who sees which children's files, and what they may do.

Scope (registry contract; DESIGN.md "Access"): the village child director sees the children of
the village, the township supervisor those of the township, caseworkers and intake officers those
of their county (or city); the superuser sees all. Every other role — department liaisons,
mandated reporters, plan monitors, auditors, administrators — sees no individual child: they
get aggregate counts (``selectors.category_counts``) or, later, the referrals sent to them.
A scope is one range on the village code (``codes.within_q``), never a tree walk.

Family members (``Person``) are seen through the children they relate to. The other rows of a
file (relations, situations, entrusted care, categories, decisions) carry the child's village
code and follow the child's scope.

Actions beyond the framework's: ``REVEAL`` an identity number in full (always with a logged
reason), ``EXPORT_FULL`` (unmasked identity numbers in an export, with a logged reason: PIPL
art. 51 least privilege) and ``OVERRIDE`` (a caseworker's decision on a category, with a reason).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from shouhu.accounts.choices import Role
from shouhu.accounts.models import User
from shouhu.core.policy import CHANGE, CREATE, DELETE, EXPORT, VIEW, Policy, register_policy
from shouhu.regions import codes
from shouhu.registry.models import (
    CategoryOverride,
    Child,
    Classification,
    EntrustedCare,
    Kinship,
    Person,
    Situation,
)

REVEAL = "reveal"
EXPORT_FULL = "export_full"
OVERRIDE = "override"

# Roles that work on individual children's files, each within its jurisdiction.
REGISTRY_ROLES = frozenset({Role.CHILD_DIRECTOR, Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_CASEWORKER, Role.INTAKE_OFFICER})
# Who may do what, beyond seeing the file. The superuser may do everything.
ACTION_ROLES: dict[str, frozenset[Role]] = {
    VIEW: REGISTRY_ROLES,
    EXPORT: REGISTRY_ROLES,
    CREATE: REGISTRY_ROLES,
    CHANGE: REGISTRY_ROLES,
    # Rows of a file (a relation, a situation) may be removed; files and persons never are.
    DELETE: REGISTRY_ROLES,
    REVEAL: REGISTRY_ROLES,
    EXPORT_FULL: frozenset({Role.COUNTY_CASEWORKER}),
    OVERRIDE: frozenset({Role.COUNTY_CASEWORKER}),
}
CHILD_ACTIONS = frozenset(ACTION_ROLES)
# Roles that may read aggregate counts of children by category (dashboards, the plan's figures).
COUNT_ROLES = REGISTRY_ROLES | {Role.PLAN_MONITOR, Role.COUNTY_ADMIN, Role.CITY_ADMIN}


def registry_scope_code(user: User) -> str | None:
    """The region code whose children ``user`` may see, ``""`` for all (superuser), None for none."""
    if user.is_superuser:
        return ""
    if user.jurisdiction_id and user.roles & REGISTRY_ROLES:
        return user.jurisdiction_id
    return None


def counts_scope_code(user: User) -> str | None:
    """The region code whose aggregate counts ``user`` may read, ``""`` for all, None for none."""
    if user.is_superuser:
        return ""
    if user.jurisdiction_id and user.roles & COUNT_ROLES:
        return user.jurisdiction_id
    return None


def role_allows(user: User, action: str) -> bool:
    """The role rule of ``action`` on children's files (visibility is checked separately)."""
    if user.is_superuser:
        return True
    return bool(user.roles & ACTION_ROLES.get(action, frozenset()))


class _CodeScopedPolicy(Policy[Any]):
    """Rows scoped by a village-code column; the actions are those of the child's file."""

    actions = CHILD_ACTIONS
    code_field = "village_code"

    def scope(self, user: User, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        code = registry_scope_code(user)
        if code is None:
            return queryset.none()
        if code == "":
            return queryset
        return queryset.filter(codes.within_q(self.code_field, code))

    def allows(self, user: User, action: str, obj: Any) -> bool:
        return role_allows(user, action)


class ChildPolicy(_CodeScopedPolicy):
    """Children's files: by the village of residence, within the user's jurisdiction."""

    model = Child
    code_field = "village"

    def allows(self, user: User, action: str, obj: Any) -> bool:
        if action == DELETE:
            return False  # a file ends with a status (moved away, turned 18 …), never a deletion
        if action == CREATE and obj is None:
            return role_allows(user, action) and registry_scope_code(user) is not None
        return role_allows(user, action)


class PersonPolicy(_CodeScopedPolicy):
    """Family members: seen through the children they relate to (or care for), or their family's village."""

    model = Person
    code_field = "village"

    def scope(self, user: User, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        code = registry_scope_code(user)
        if code is None:
            return queryset.none()
        if code == "":
            return queryset
        related = Kinship.objects.filter(codes.within_q("village_code", code), person=models.OuterRef("pk"))
        caring = EntrustedCare.objects.filter(codes.within_q("village_code", code), carer=models.OuterRef("pk"))
        return queryset.filter(codes.within_q("village", code) | models.Exists(related) | models.Exists(caring))

    def allows(self, user: User, action: str, obj: Any) -> bool:
        if action in (DELETE, EXPORT_FULL, OVERRIDE):
            return False  # a person leaves a family by removing the relation
        return role_allows(user, action)


class KinshipPolicy(_CodeScopedPolicy):
    model = Kinship


class SituationPolicy(_CodeScopedPolicy):
    model = Situation


class EntrustedCarePolicy(_CodeScopedPolicy):
    model = EntrustedCare


class ClassificationPolicy(_CodeScopedPolicy):
    """Categories of children: read only; they change through the rules and caseworkers' decisions."""

    model = Classification

    def allows(self, user: User, action: str, obj: Any) -> bool:
        return action in (VIEW, EXPORT) and role_allows(user, action)


class CategoryOverridePolicy(_CodeScopedPolicy):
    """Caseworkers' decisions on categories: seen with the file, made and withdrawn by caseworkers."""

    model = CategoryOverride

    def allows(self, user: User, action: str, obj: Any) -> bool:
        if action in (VIEW, EXPORT):
            return role_allows(user, action)
        return role_allows(user, OVERRIDE)


child_policy = register_policy(ChildPolicy())
person_policy = register_policy(PersonPolicy())
kinship_policy = register_policy(KinshipPolicy())
situation_policy = register_policy(SituationPolicy())
entrusted_care_policy = register_policy(EntrustedCarePolicy())
classification_policy = register_policy(ClassificationPolicy())
category_override_policy = register_policy(CategoryOverridePolicy())
