"""Access policies of users and agencies."""

from __future__ import annotations

from django.db import models

from shouhu.accounts import roles as role_rules
from shouhu.accounts.choices import Role
from shouhu.accounts.models import Agency, User
from shouhu.core.policy import CHANGE, CREATE, DELETE, EXPORT, VIEW, Policy, register_policy
from shouhu.regions import codes


def manages_users(user: object) -> bool:
    """Does ``user`` use the user-management screens (county and city administrators, superusers)?"""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_administrator", False)
    )


class UserPolicy(Policy[User]):
    """Administrators manage the users of their jurisdiction; supervisors see their directors.

    Everybody sees their own account. A user's jurisdiction lies inside the viewer's when its
    code is in the viewer's code range (one index range, no tree walk).
    """

    model = User

    def scope(self, user: User, queryset: models.QuerySet[User]) -> models.QuerySet[User]:
        if user.is_superuser:
            return queryset
        if user.jurisdiction_id and (user.is_administrator or user.has_role(Role.TOWNSHIP_SUPERVISOR)):
            return queryset.filter(codes.within_q("jurisdiction", user.jurisdiction_id) | models.Q(pk=user.pk))
        return queryset.filter(pk=user.pk)

    def allows(self, user: User, action: str, obj: User | None) -> bool:
        if action == VIEW:
            return True
        if action == EXPORT:
            return user.is_administrator
        if action in (CREATE, CHANGE, DELETE):
            if not user.is_administrator:
                return False
            if obj is None:
                return True
            if obj.pk == user.pk or (obj.is_superuser and not user.is_superuser):
                return False
            grantable = role_rules.grantable_roles(user.roles, is_superuser=user.is_superuser)
            return obj.roles <= grantable
        return False


class AgencyPolicy(Policy[Agency]):
    """A user sees the agencies of their jurisdiction and those above it; administrators edit theirs.

    Above: the township, county, city and province units a report or referral goes up to.
    Sideways (another village, township or county) stays out of sight, like everything else.
    """

    model = Agency

    def scope(self, user: User, queryset: models.QuerySet[Agency]) -> models.QuerySet[Agency]:
        if user.is_superuser:
            return queryset
        if not user.jurisdiction_id:
            return queryset.none()
        code = user.jurisdiction_id
        return queryset.filter(codes.within_q("region", code) | models.Q(region_id__in=codes.ancestors(code)))

    def allows(self, user: User, action: str, obj: Agency | None) -> bool:
        if action == VIEW:
            return True
        if action in (CREATE, CHANGE):
            if user.is_superuser:
                return True
            if not user.is_administrator or not user.jurisdiction_id:
                return False
            return obj is None or user.covers(obj.region_id)
        return False


user_policy = register_policy(UserPolicy())
agency_policy = register_policy(AgencyPolicy())
