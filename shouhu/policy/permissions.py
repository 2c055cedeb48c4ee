"""Access to policy settings: everybody reads them, city administrators change them.

Every staff member sees every setting and its history: people must know the deadlines they
are held to, and who set them. Only a city administrator (or a system administrator) sets a new
value or withdraws a scheduled one, because one value holds for the whole city (issue #2).
Values are never changed or deleted in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from shouhu.accounts.choices import Role
from shouhu.core.policy import CREATE, DELETE, VIEW, Policy, register_policy
from shouhu.policy.models import PolicyValue

if TYPE_CHECKING:
    from shouhu.accounts.models import User


def may_set_policy(user: Any) -> bool:
    """May ``user`` set and withdraw values of policy settings?"""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser or user.has_role(Role.CITY_ADMIN))


class PolicyValuePolicy(Policy[PolicyValue]):
    model = PolicyValue

    def scope(self, user: User, queryset: models.QuerySet[PolicyValue]) -> models.QuerySet[PolicyValue]:
        return queryset

    def allows(self, user: User, action: str, obj: PolicyValue | None) -> bool:
        if action == VIEW:
            return True
        if action in (CREATE, DELETE):  # DELETE = withdraw a scheduled value; nothing is deleted
            return may_set_policy(user)
        return False


policy_value_policy = register_policy(PolicyValuePolicy())
