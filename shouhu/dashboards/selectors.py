"""Figures of the home pages: aggregate queries over one jurisdiction.

Every function takes the viewer or a jurisdiction code and answers with a few grouped queries
(no N+1): a jurisdiction is a code-prefix range (``codes.within_q``), and breakdowns group by the
prefix of the unit one level down (``Substr(code, 1, n)``), which both SQLite and PostgreSQL
answer from the primary-key index.

Two kinds of figures come from user rows, and they are scoped differently on purpose:

* lists and counts *of people* (names of directors, users by role, locked accounts) go through
  ``policy_for(User).visible(viewer, …)``, so a page shows no one the viewer may not see;
* *coverage* (how many villages of the jurisdiction have a child director, how many townships a
  supervisor — seed measure (10): 乡镇配备儿童督导员、村(居)配备儿童主任) counts staffed posts per
  region of the viewer's own jurisdiction. It names nobody, and the caseworkers and plan monitors
  who follow it may not see the user accounts themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts import roles as role_rules
from shouhu.accounts import selectors as account_selectors
from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.core.models import Job
from shouhu.core.policy import policy_for
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region

# The levels below each level, nearest first (a city without counties, like 东莞 4419, has its
# townships right under it: the breakdown then falls through to the township level).
LEVELS_BELOW: dict[Level | None, tuple[Level, ...]] = {
    None: (Level.PROVINCE, Level.CITY, Level.COUNTY),
    Level.PROVINCE: (Level.CITY, Level.COUNTY),
    Level.CITY: (Level.COUNTY, Level.TOWNSHIP),
    Level.COUNTY: (Level.TOWNSHIP,),
    Level.TOWNSHIP: (Level.VILLAGE,),
    Level.VILLAGE: (),
}
RECENT_JOBS = 5


@dataclass(frozen=True)
class RegionCounts:
    """Active regions of a jurisdiction by level, and how many of the villages are generated."""

    by_level: dict[str, int]
    generated_villages: int

    @property
    def counties(self) -> int:
        return self.by_level.get(Level.COUNTY, 0)

    @property
    def townships(self) -> int:
        return self.by_level.get(Level.TOWNSHIP, 0)

    @property
    def villages(self) -> int:
        return self.by_level.get(Level.VILLAGE, 0)


def region_counts(code: str | None) -> RegionCounts:
    """Counts of the active regions inside ``code`` (everywhere when ``code`` is None)."""
    regions = Region.objects.active()
    if code:
        regions = regions.within(code).exclude(code=code)
    rows = regions.values("level").annotate(n=Count("code"), generated=Count("code", filter=Q(generated=True)))
    by_level = {row["level"]: row["n"] for row in rows}
    generated = next((row["generated"] for row in rows if row["level"] == Level.VILLAGE), 0)
    return RegionCounts(by_level=by_level, generated_villages=generated)


@dataclass(frozen=True)
class CoverageRow:
    """Staffed posts of one region: villages with a child director, townships with a supervisor."""

    code: str
    name: str
    villages: int
    villages_staffed: int
    townships: int
    townships_staffed: int

    @property
    def village_rate(self) -> float | None:
        return self.villages_staffed / self.villages if self.villages else None

    @property
    def township_rate(self) -> float | None:
        return self.townships_staffed / self.townships if self.townships else None

    @property
    def villages_unstaffed(self) -> int:
        return self.villages - self.villages_staffed

    @property
    def townships_unstaffed(self) -> int:
        return self.townships - self.townships_staffed


@dataclass(frozen=True)
class Coverage:
    """Coverage of a whole jurisdiction and of each region one level down."""

    total: CoverageRow
    unit_level: Level | None
    rows: list[CoverageRow] = field(default_factory=list)


def _staffed_posts(role: Role, level: Level, code: str | None) -> QuerySet[RoleAssignment]:
    """Active holders of ``role`` sitting at an active region of ``level`` inside ``code``."""
    posts = RoleAssignment.objects.filter(
        role=role, user__is_active=True, user__jurisdiction__level=level, user__jurisdiction__active=True
    )
    if code:
        posts = posts.filter(codes.within_q("user__jurisdiction", code))
    return posts


def _count_by_prefix(
    queryset: QuerySet[Any], field_name: str, length: int, *, distinct: bool = False
) -> dict[str, int]:
    rows = (
        queryset.annotate(unit=Substr(field_name, 1, length))
        .values("unit")
        .annotate(n=Count(field_name, distinct=distinct))
    )
    return {row["unit"]: row["n"] for row in rows}


def coverage(code: str | None, level: Level | str | None) -> Coverage:
    """Villages with a child director and townships with a supervisor in ``code``, by unit below.

    Five grouped queries whatever the size of the jurisdiction.
    """
    level = Level(level) if level else None
    regions = Region.objects.active()
    if code:
        regions = regions.within(code)
    unit_level = None
    units: list[Region] = []
    for candidate in LEVELS_BELOW[level]:
        units = list(regions.filter(level=candidate).only("code", "name").order_by("code"))
        if units:
            unit_level = candidate
            break
    length = codes.PREFIX_LENGTH[unit_level] if unit_level else codes.CODE_LENGTH

    villages = _count_by_prefix(regions.filter(level=Level.VILLAGE), "code", length)
    townships = _count_by_prefix(regions.filter(level=Level.TOWNSHIP), "code", length)
    villages_staffed = _count_by_prefix(
        _staffed_posts(Role.CHILD_DIRECTOR, Level.VILLAGE, code), "user__jurisdiction_id", length, distinct=True
    )
    townships_staffed = _count_by_prefix(
        _staffed_posts(Role.TOWNSHIP_SUPERVISOR, Level.TOWNSHIP, code),
        "user__jurisdiction_id",
        length,
        distinct=True,
    )
    rows = [
        CoverageRow(
            code=unit.code,
            name=unit.name,
            villages=villages.get(unit.code[:length], 0),
            villages_staffed=villages_staffed.get(unit.code[:length], 0),
            townships=townships.get(unit.code[:length], 0),
            townships_staffed=townships_staffed.get(unit.code[:length], 0),
        )
        for unit in units
    ]
    total = CoverageRow(
        code=code or "",
        name="",
        villages=sum(villages.values()),
        villages_staffed=sum(villages_staffed.values()),
        townships=sum(townships.values()),
        townships_staffed=sum(townships_staffed.values()),
    )
    return Coverage(total=total, unit_level=unit_level, rows=rows)


@dataclass(frozen=True)
class VillageStaff:
    """A village and the child directors the viewer may see there."""

    region: Region
    directors: list[User]


def villages_and_directors(viewer: User, code: str) -> list[VillageStaff]:
    """The active villages of ``code`` with their active child directors (two queries).

    The directors come through the user policy: a supervisor sees the directors of the
    township; a viewer who may not see them gets the villages with empty lists.
    """
    villages = list(Region.objects.active().within(code).filter(level=Level.VILLAGE).order_by("code"))
    directors = (
        policy_for(User)
        .visible(viewer, User.objects.filter(codes.within_q("jurisdiction", code)))
        .filter(is_active=True, role_assignments__role=Role.CHILD_DIRECTOR)
        .only("id", "username", "full_name", "phone", "jurisdiction_id")
        .order_by("full_name", "username")
        .distinct()
    )
    by_village: dict[str, list[User]] = defaultdict(list)
    for director in directors:
        by_village[director.jurisdiction_id or ""].append(director)
    return [VillageStaff(region=village, directors=by_village.get(village.code, [])) for village in villages]


@dataclass(frozen=True)
class AccountFigures:
    """The accounts an administrator looks after (those the user policy shows them)."""

    active: int
    deactivated: int
    by_role: list[tuple[Role, int]]
    without_second_factor: int
    locked: int


def account_figures(viewer: User) -> AccountFigures:
    """Active, deactivated, per-role, locked and second-factor-less accounts the viewer may see."""
    visible = policy_for(User).visible(viewer)
    totals = visible.aggregate(
        active=Count("pk", filter=Q(is_active=True)), inactive=Count("pk", filter=Q(is_active=False))
    )
    role_rows = (
        RoleAssignment.objects.filter(user__in=visible.filter(is_active=True).values("pk"))
        .values("role")
        .annotate(n=Count("user", distinct=True))
    )
    per_role = {row["role"]: row["n"] for row in role_rows}
    confirmed_device = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    second_factor_holders = visible.filter(
        Q(is_superuser=True) | Q(role_assignments__role__in=role_rules.SECOND_FACTOR_ROLES), is_active=True
    )
    without_device = second_factor_holders.exclude(Exists(confirmed_device)).values("pk").distinct().count()
    return AccountFigures(
        active=totals["active"],
        deactivated=totals["inactive"],
        by_role=[(role, per_role.get(role.value, 0)) for role in Role],
        without_second_factor=without_device,
        # The same definition as the user list's "locked" filter, one click away.
        locked=account_selectors.locked_users(viewer).count(),
    )


def agencies_by_kind(viewer: User, code: str | None) -> list[tuple[AgencyKind, int]]:
    """Active agencies of the jurisdiction per kind, largest first (one grouped query)."""
    agencies = policy_for(Agency).visible(viewer).filter(is_active=True)
    if code:
        agencies = agencies.filter(codes.within_q("region", code))
    rows = agencies.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    return [(AgencyKind(row["kind"]), row["n"]) for row in rows if row["kind"] in AgencyKind.values]


def recent_jobs(viewer: User, limit: int = RECENT_JOBS) -> list[Job]:
    """The viewer's latest background jobs (the job policy: one's own; all for a superuser)."""
    return list(policy_for(Job).visible(viewer).filter(created_by=viewer).order_by("-created_at", "-pk")[:limit])
