"""Reads of the regions app, scoped to the user through the region policy.

Every "inside region R" is one range on the primary key (``codes.within_q``), never a walk
down the tree; lists that show counts of sub-regions get them from one grouped query.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from shouhu.core.policy import policy_for
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import DivisionImport, Region

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from shouhu.accounts.models import User

    AnyUser = User | AnonymousUser

SEARCH_LIMIT = 50


def visible_regions(user: AnyUser) -> QuerySet[Region]:
    """Every region ``user`` may see: those inside the jurisdiction (all, for a system administrator)."""
    return policy_for(Region).visible(user)


def root_code(user: AnyUser) -> str | None:
    """Where the user's view of the regions starts: the jurisdiction, or None (the country)."""
    if getattr(user, "is_superuser", False):
        return None
    return getattr(user, "jurisdiction_id", None) or None


def regions_within(
    user: AnyUser, code: str | None = None, *, level: Level | str | None = None, active: bool | None = None
) -> QuerySet[Region]:
    """The visible regions inside ``code`` (itself included; None: all visible), optionally of one level."""
    queryset = visible_regions(user)
    if code:
        queryset = queryset.filter(codes.within_q("code", code))
    if level:
        queryset = queryset.filter(level=level)
    if active is not None:
        queryset = queryset.filter(active=active)
    return queryset


def children_of(user: AnyUser, code: str | None) -> QuerySet[Region]:
    """The visible regions directly under ``code`` (None: the provinces).

    A range on the code, narrowed to the rows naming ``code`` as parent — which also finds the
    townships that hang directly under a city without counties (东莞).
    """
    if code is None:
        return visible_regions(user).filter(level=Level.PROVINCE)
    return visible_regions(user).filter(codes.within_q("code", code), parent_id=code)


@dataclass(frozen=True)
class ChildRow:
    """A child region with the number of regions directly under it."""

    region: Region
    sub_regions: int
    active_sub_regions: int


def children_with_counts(user: AnyUser, code: str | None) -> list[ChildRow]:
    """The children of ``code`` with their counts of sub-regions (two queries in all)."""
    children = list(children_of(user, code))
    queryset = visible_regions(user).filter(parent_id__in=[child.code for child in children])
    # Under a region: its code range; under the provinces: the cities (one range of the level index).
    below = codes.within_q("code", code) if code is not None else Q(level=Level.CITY)
    queryset = queryset.filter(below)
    counts: dict[str, tuple[int, int]] = {
        parent: (total, active)
        for parent, total, active in queryset.values("parent_id")
        .annotate(total=Count("code"), active_total=Count("code", filter=Q(active=True)))
        .values_list("parent_id", "total", "active_total")
        .order_by()
    }
    return [
        ChildRow(
            region=child,
            sub_regions=counts.get(child.code, (0, 0))[0],
            active_sub_regions=counts.get(child.code, (0, 0))[1],
        )
        for child in children
    ]


def normalise_query(text: str) -> str:
    """Full-width digits and letters to their plain form, surrounding space removed."""
    return unicodedata.normalize("NFKC", text).strip()


def search_regions(user: AnyUser, query: str, *, within: str | None = None) -> QuerySet[Region]:
    """Visible regions whose code starts with ``query`` (digits) or whose name contains it.

    A digit query is a code prefix of any length (``3709``, ``370902001``): one range on the
    primary key. A name query is a substring match inside the user's range.
    """
    text = normalise_query(query)
    if not text:
        return visible_regions(user).none()
    return matching(regions_within(user, within), text)


def matching(queryset: QuerySet[Region], text: str) -> QuerySet[Region]:
    """Rows of ``queryset`` whose code starts with the digits ``text``, or whose name contains ``text``."""
    if text.isascii() and text.isdigit():
        if len(text) > codes.CODE_LENGTH:
            return queryset.none()
        return queryset.filter(codes.prefix_q("code", text))
    return queryset.filter(name__contains=text)


def filter_regions(
    queryset: QuerySet[Region],
    *,
    within: str | None = None,
    level: Level | str | None = None,
    parent: str | None = None,
    query: str = "",
    active: bool | None = None,
) -> QuerySet[Region]:
    """Narrow an already visible ``queryset`` (the API's list): every filter keeps a code range."""
    if within:
        queryset = queryset.filter(codes.within_q("code", codes.pad(within)))
    if parent:
        queryset = queryset.filter(codes.within_q("code", parent), parent_id=parent)
    if level:
        queryset = queryset.filter(level=level)
    if active is not None:
        queryset = queryset.filter(active=active)
    text = normalise_query(query)
    if text:
        queryset = matching(queryset, text)
    return queryset


@dataclass(frozen=True)
class LevelCount:
    """How many regions of one level lie in a jurisdiction."""

    level: Level
    total: int
    active: int
    generated: int
    generated_active: int = 0

    @property
    def label(self) -> str:
        return str(self.level.label)

    @property
    def official(self) -> int:
        """Active rows from an official table (not generated for the demo)."""
        return self.active - self.generated_active


def level_counts(user: AnyUser, code: str | None = None) -> list[LevelCount]:
    """Counts of the visible regions inside ``code`` (default: the user's root) by level, one query.

    Every level is listed, with zeros where there is none, in order from province to village;
    ``generated`` counts the demo rows, ``active`` those still in the current table.
    """
    within = code if code is not None else root_code(user)
    rows: dict[str, tuple[int, int, int, int]] = {
        level: (total, active, generated, generated_active)
        for level, total, active, generated, generated_active in regions_within(user, within)
        .values("level")
        .annotate(
            total=Count("code"),
            active_total=Count("code", filter=Q(active=True)),
            generated_total=Count("code", filter=Q(generated=True)),
            generated_active=Count("code", filter=Q(generated=True, active=True)),
        )
        .values_list("level", "total", "active_total", "generated_total", "generated_active")
        .order_by()
    }
    return [LevelCount(level, *rows.get(level, (0, 0, 0, 0))) for level in codes.LEVEL_ORDER]


def choice_queryset(
    user: AnyUser, levels: Iterable[Level | str] = (Level.VILLAGE,), *, within: str | None = None
) -> QuerySet[Region]:
    """Active visible regions of ``levels`` for a form's choices, with their parents joined."""
    return (
        regions_within(user, within, active=True)
        .filter(level__in=[Level(level) for level in levels])
        .select_related("parent")
        .order_by("code")
    )


def grouped_choices(regions: Iterable[Region]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(parent name, [(code, name), …]), …]`` — the villages of a select grouped by township."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for region in regions:
        label = region.parent.name if region.parent is not None else ""
        groups.setdefault(label, []).append((region.code, region.name))
    return list(groups.items())


def region_choices(
    user: AnyUser, levels: Iterable[Level | str] = (Level.VILLAGE,), *, within: str | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices of the active regions of ``levels`` inside the user's jurisdiction."""
    return grouped_choices(choice_queryset(user, levels, within=within))


@dataclass(frozen=True)
class Crumb:
    """One step of a region's path; ``reachable`` when the user may open that region."""

    code: str
    name: str
    level: Level
    reachable: bool


def path_of(user: AnyUser, region: Region) -> list[Crumb]:
    """The path from the province down to ``region`` (``Region.path``: one query); steps above the
    user's root are shown without a link."""
    root = root_code(user)
    return [
        Crumb(step.code, step.name, Level(step.level), root is None or codes.is_within(step.code, root))
        for step in region.path()
    ]


def import_history(user: AnyUser) -> QuerySet[DivisionImport]:
    """The division imports ``user`` may see (system administrators), newest first."""
    return policy_for(DivisionImport).visible(user).select_related("created_by").order_by("-created_at", "-pk")
