"""Reads of accounts: users and agencies as an administrator sees them, lock-outs, role coverage.

Every query of users goes through ``UserPolicy`` (``policy_for(User).visible``); jurisdiction
filters are code-prefix ranges (``codes.within_q``), never tree walks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from axes.models import AccessAttempt
from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts.choices import Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.core.policy import policy_for
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region


def failure_limit() -> int:
    limit = settings.AXES_FAILURE_LIMIT
    return limit if isinstance(limit, int) else 5


def cool_off() -> timedelta:
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, timedelta) else timedelta(minutes=15)


def _recent_attempts() -> models.QuerySet[AccessAttempt]:
    # The lock-out counts failures within the cool-off period (django-axes, lock-out by username).
    return cast(
        "models.QuerySet[AccessAttempt]", AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())
    )


def login_failures(username: str) -> int:
    """Failed log-ins of ``username`` that still count towards the lock-out."""
    total = _recent_attempts().filter(username=username).aggregate(n=models.Sum("failures_since_start"))["n"]
    return int(total or 0)


def lockout_until(username: str) -> datetime | None:
    """When the lock-out of ``username`` ends, or None if the account is not locked."""
    attempts = _recent_attempts().filter(username=username)
    summary = attempts.aggregate(n=models.Sum("failures_since_start"), last=models.Max("attempt_time"))
    if not summary["n"] or summary["n"] < failure_limit():
        return None
    last: datetime = summary["last"]
    return last + cool_off()


def _failures_subquery() -> models.Subquery:
    per_username = (
        _recent_attempts()
        .filter(username=models.OuterRef("username"))
        .order_by()
        .values("username")
        .annotate(total=models.Sum("failures_since_start"))
        .values("total")
    )
    return models.Subquery(per_username, output_field=models.IntegerField())


def with_security_state(queryset: models.QuerySet[User]) -> models.QuerySet[User]:
    """Annotate ``login_failures`` and ``has_totp`` (one subquery each, no N+1)."""
    return queryset.annotate(
        login_failures=Coalesce(_failures_subquery(), 0),
        has_totp=models.Exists(TOTPDevice.objects.filter(user=models.OuterRef("pk"), confirmed=True)),
    )


def visible_users(actor: User) -> models.QuerySet[User]:
    """The users ``actor`` may see, joined for lists (agency, jurisdiction, roles)."""
    queryset = User.objects.select_related("agency", "jurisdiction").prefetch_related("role_assignments")
    return policy_for(User).visible(actor, queryset)


@dataclass(frozen=True)
class UserFilters:
    """Filters of the user list; empty values do not filter."""

    q: str = ""
    role: str = ""
    region: str = ""  # a 12-digit code: its whole subtree
    agency: int | None = None
    status: str = "active"  # active | deactivated | all
    locked: str = ""  # yes | no
    second_factor: str = ""  # yes | no


def user_list(actor: User, filters: UserFilters) -> models.QuerySet[User]:
    """The users of ``actor``'s jurisdiction matching ``filters``, with their security state."""
    queryset = with_security_state(visible_users(actor))
    if filters.q:
        queryset = queryset.filter(
            models.Q(username__icontains=filters.q)
            | models.Q(full_name__icontains=filters.q)
            | models.Q(phone__icontains=filters.q)
        )
    if filters.role:
        queryset = queryset.filter(
            models.Exists(RoleAssignment.objects.filter(user=models.OuterRef("pk"), role=filters.role))
        )
    if filters.region:
        queryset = queryset.filter(codes.within_q("jurisdiction", filters.region))
    if filters.agency:
        queryset = queryset.filter(agency_id=filters.agency)
    if filters.status == "active":
        queryset = queryset.filter(is_active=True)
    elif filters.status == "deactivated":
        queryset = queryset.filter(is_active=False)
    if filters.locked == "yes":
        queryset = queryset.filter(models.Q(login_failures__gte=failure_limit()))
    elif filters.locked == "no":
        queryset = queryset.filter(models.Q(login_failures__lt=failure_limit()))
    if filters.second_factor == "yes":
        queryset = queryset.filter(models.Q(has_totp=True))
    elif filters.second_factor == "no":
        queryset = queryset.filter(models.Q(has_totp=False))
    return queryset.order_by("jurisdiction_id", "username")


def user_detail(actor: User, pk: int) -> User:
    """One user ``actor`` may see, with security state (404 otherwise)."""
    return policy_for(User).get_or_404(actor, queryset=with_security_state(visible_users(actor)), pk=pk)


@dataclass(frozen=True)
class SecondFactorState:
    configured: bool
    configured_at: datetime | None
    last_used_at: datetime | None
    backup_codes_left: int


def second_factor_state(user: User) -> SecondFactorState:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-created_at").first()
    backup = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return SecondFactorState(
        configured=device is not None,
        configured_at=device.created_at if device else None,
        last_used_at=device.last_used_at if device else None,
        backup_codes_left=backup,
    )


# --- "Who holds which role where" -------------------------------------------------------------


@dataclass
class CoverageRow:
    region: Region | None  # None: the users placed at the administrator's own level
    code: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[Role, int]]:
        return [(role, self.counts.get(role.value, 0)) for role in Role]


@dataclass
class RoleOverview:
    root: Region | None
    level: Level
    roles: list[Role]
    rows: list[CoverageRow]
    totals: dict[str, int]

    def total_cells(self) -> list[tuple[Role, int]]:
        return [(role, self.totals.get(role.value, 0)) for role in self.roles]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def _area_level(root: Region | None) -> Level:
    """The level of the rows: the level below the root that has regions (cities without counties)."""
    if root is None:
        return Level.CITY
    order = list(codes.LEVEL_ORDER)
    for level in order[order.index(Level(root.level)) + 1 :]:
        if Region.objects.within(root.code).filter(level=level).exists():
            return level
    return Level(root.level)


def role_overview(actor: User) -> RoleOverview:
    """Counts of active users per role and per region one level below ``actor``'s jurisdiction.

    One aggregate query over the role assignments of visible users, grouped by the code prefix
    of the row's level; every region of that level is a row, so gaps (a township without a
    supervisor) show as zeros.
    """
    root = actor.jurisdiction
    level = _area_level(root)
    prefix_length = codes.PREFIX_LENGTH[level]
    regions = Region.objects.filter(level=level, active=True)
    if root is not None:
        regions = regions.filter(codes.within_q("code", root.code)).exclude(code=root.code)
    visible_ids = policy_for(User).visible(actor, User.objects.filter(is_active=True)).values("pk")
    grouped = (
        RoleAssignment.objects.filter(user__in=visible_ids, user__jurisdiction__isnull=False)
        .annotate(area=Substr("user__jurisdiction_id", 1, prefix_length))
        .values("area", "role")
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for item in grouped:
        counts.setdefault(item["area"].ljust(codes.CODE_LENGTH, "0"), {})[item["role"]] = item["n"]
    if root is None:
        with_users = set(counts)
        regions = regions.filter(code__in=with_users)
    rows = [CoverageRow(region=r, code=r.code, counts=counts.pop(r.code, {})) for r in regions.order_by("code")]
    if root is not None:
        # Users at the root's own level (a county caseworker of the county) fall outside every row.
        own: dict[str, int] = {}
        for area_counts in counts.values():
            for role, n in area_counts.items():
                own[role] = own.get(role, 0) + n
        rows.insert(0, CoverageRow(region=None, code=root.code, counts=own))
    totals: dict[str, int] = {}
    for row in rows:
        for role, n in row.counts.items():
            totals[role] = totals.get(role, 0) + n
    return RoleOverview(root=root, level=level, roles=list(Role), rows=rows, totals=totals)


# --- Choices for forms ---------------------------------------------------------------------------


def regions_in_reach(actor: User) -> models.QuerySet[Region]:
    """Active regions an administrator may place users in (their whole jurisdiction: the region policy)."""
    regions = policy_for(Region).visible(actor, Region.objects.active())
    if actor.is_superuser:
        # The whole country would be 700 000 rows: offer the levels down to counties; any code
        # can still be typed.
        return regions.filter(level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY])
    return regions


def agencies_in_reach(actor: User, *, include: int | None = None) -> models.QuerySet[Agency]:
    """Active agencies ``actor`` may see (the agency policy: inside the jurisdiction or above it).

    ``include`` keeps one more visible agency (the current one of a user being edited) even if inactive.
    """
    queryset = policy_for(Agency).visible(actor, Agency.objects.select_related("region"))
    extra = models.Q(pk=include) if include else models.Q(pk__in=[])
    return queryset.filter(models.Q(is_active=True) | extra)


@dataclass(frozen=True)
class AgencyFilters:
    q: str = ""
    kind: str = ""
    region: str = ""
    status: str = "active"  # active | inactive | all


def agency_list(actor: User, filters: AgencyFilters) -> models.QuerySet[Agency]:
    """Agencies inside ``actor``'s jurisdiction (the ones the administrator manages), with user counts."""
    return (
        _agencies(actor, filters)
        .annotate(user_count=models.Count("users", filter=models.Q(users__is_active=True)))
        .order_by("region_id", "kind", "name")
    )


def _agencies(actor: User, filters: AgencyFilters) -> models.QuerySet[Agency]:
    queryset = policy_for(Agency).visible(actor, Agency.objects.select_related("region", "parent"))
    if not actor.is_superuser:
        if not actor.jurisdiction_id:
            return queryset.none()
        queryset = queryset.filter(codes.within_q("region", actor.jurisdiction_id))
    if filters.q:
        queryset = queryset.filter(models.Q(name__icontains=filters.q) | models.Q(credit_code__icontains=filters.q))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.region:
        queryset = queryset.filter(codes.within_q("region", filters.region))
    if filters.status == "active":
        queryset = queryset.filter(is_active=True)
    elif filters.status == "inactive":
        queryset = queryset.filter(is_active=False)
    return queryset


def locked_users(actor: User) -> models.QuerySet[User]:
    """Users of ``actor``'s jurisdiction locked out by repeated failed log-ins (home pages)."""
    return user_list(actor, UserFilters(locked="yes", status="all"))
