"""Queries behind the API and the token screens, scoped through the policies and joined."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db import models
from django.utils import timezone

from shouhu.accounts.models import Agency, ApiToken, RoleAssignment, User
from shouhu.api.choices import TokenStatus
from shouhu.core.policy import policy_for
from shouhu.regions import codes


def filter_users(
    queryset: models.QuerySet[User],
    *,
    viewer: User,
    roles: Collection[str] = (),
    within: str = "",
    agency: int | None = None,
    active: bool | None = None,
    q: str = "",
) -> models.QuerySet[User]:
    """Narrow a visible queryset of users; ``within`` is a 12-digit region code.

    Only administrators may search by phone number (they alone see phone numbers), so that
    the search cannot be used to test whether a number belongs to someone.
    """
    if roles:
        queryset = queryset.filter(
            models.Exists(RoleAssignment.objects.filter(user=models.OuterRef("pk"), role__in=list(roles)))
        )
    if within:
        queryset = queryset.filter(codes.within_q("jurisdiction", within))
    if agency is not None:
        queryset = queryset.filter(agency_id=agency)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    if q:
        match = models.Q(username__icontains=q) | models.Q(full_name__icontains=q)
        if viewer.is_administrator:
            match |= models.Q(phone__contains=q)
        queryset = queryset.filter(match)
    return queryset


def filter_agencies(
    queryset: models.QuerySet[Agency],
    *,
    kinds: Collection[str] = (),
    within: str = "",
    active: bool | None = None,
    q: str = "",
) -> models.QuerySet[Agency]:
    if kinds:
        queryset = queryset.filter(kind__in=list(kinds))
    if within:
        queryset = queryset.filter(codes.within_q("region", within))
    if active is not None:
        queryset = queryset.filter(is_active=active)
    if q:
        queryset = queryset.filter(name__icontains=q)
    return queryset


def tokens_visible_to(viewer: User) -> models.QuerySet[ApiToken]:
    """The API tokens ``viewer`` may see, newest first, with owner and issuer joined."""
    queryset = ApiToken.objects.select_related("user", "user__jurisdiction", "created_by").order_by(
        "-created_at", "-pk"
    )
    return policy_for(ApiToken).visible(viewer, queryset)


def filter_tokens(queryset: models.QuerySet[ApiToken], *, status: str = "", q: str = "") -> models.QuerySet[ApiToken]:
    now = timezone.now()
    if status == TokenStatus.ACTIVE:
        queryset = queryset.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )
    elif status == TokenStatus.EXPIRED:
        queryset = queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
    elif status == TokenStatus.REVOKED:
        queryset = queryset.filter(revoked_at__isnull=False)
    if q:
        queryset = queryset.filter(
            models.Q(name__icontains=q)
            | models.Q(prefix__startswith=q.removeprefix("shu_"))
            | models.Q(user__username__icontains=q)
            | models.Q(user__full_name__icontains=q)
        )
    return queryset


def token_status(token: ApiToken, now: datetime | None = None) -> TokenStatus:
    """Where ``token`` stands at ``now`` (revocation wins over expiry)."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return TokenStatus.REVOKED
    if token.expires_at is not None and token.expires_at <= now:
        return TokenStatus.EXPIRED
    return TokenStatus.ACTIVE
