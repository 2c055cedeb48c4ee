"""Reads of the child registry, scoped by the access policy and joined (a fixed number of queries).

``child_list`` is the registry list (screen, API, export): filters of the list bar, each a
range or equality an index serves — the region as a village-code range inside the user's scope,
age bands as birth-date ranges on the day, categories as a semi-join on the current
``Classification`` rows (partial index ``classification_current``). ``child_detail`` loads a
file with everything its page shows; ``child_timeline`` merges what happened to it;
``category_counts`` counts children by category per township, county or city for dashboards.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from shouhu.audit.changes import ChangeRecord, FieldChange, describe_entries
from shouhu.audit.models import AccessEvent
from shouhu.core.accesslog import AccessAction
from shouhu.core.policy import VIEW, policy_for
from shouhu.policy import selectors as policy_selectors
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.registry import explain
from shouhu.registry.choices import KEY_CHILD_REASONS, Category, FileStatus, RiskLevel, SchoolStatus
from shouhu.registry.models import (
    CategoryOverride,
    Child,
    Classification,
    EntrustedCare,
    Kinship,
    Person,
    Situation,
)
from shouhu.registry.permissions import counts_scope_code, registry_scope_code
from shouhu.registry.services import id_number_lookup_hash

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from shouhu.accounts.models import User

# Age bands of the list (completed years, both ends included).
AGE_BANDS: dict[str, tuple[int, int]] = {
    "0-2": (0, 2),
    "3-5": (3, 5),
    "6-11": (6, 11),
    "12-15": (12, 15),
    "16-17": (16, 17),
}
SORTS: dict[str, tuple[str, ...]] = {
    "village": ("village_id", "name", "pk"),
    "name": ("name", "pk"),
    "birth_date": ("birth_date", "pk"),
    "-birth_date": ("-birth_date", "-pk"),
    "recent": ("-updated_at", "-pk"),
}
DEFAULT_SORT = "village"
ALL_STATUSES = "all"
ANY_KEY_REASON = "any"
LEVEL_PREFIX = {"city": 4, "county": 6, "township": 9, "village": 12}


@dataclass
class ChildFilters:
    """The list's filters; empty values filter nothing. ``status`` "all" shows closed files too."""

    q: str = ""
    region: str = ""
    category: str = ""
    key_reason: str = ""
    age_band: str = ""
    school_status: str = ""
    risk_level: str = ""
    incomplete: bool = False
    status: str = FileStatus.ACTIVE
    sort: str = DEFAULT_SORT
    on: date | None = None  # the day of the age bands (default: today in Asia/Shanghai)


def current_categories_prefetch(to_attr: str = "current_categories") -> Prefetch[Any, Any, Any]:
    """Prefetch of the current category rows (``until IS NULL``) onto ``to_attr``."""
    return Prefetch(
        "classifications",
        queryset=Classification.objects.filter(until__isnull=True).order_by("category"),
        to_attr=to_attr,
    )


def born_by(on: date, years: int) -> date:
    """The latest birth date of a child who has completed ``years`` on ``on`` (DOMAIN.md §8.4).

    ``age_on(b, on) >= years`` exactly when ``b <= born_by(on, years)``; on 29 February of a
    leap year the same day of a common year does not exist and the bound is 28 February.
    """
    year = on.year - years
    if on.month == 2 and on.day == 29 and not calendar.isleap(year):  # noqa: PLR2004
        return date(year, 2, 28)
    return on.replace(year=year)


def age_band_q(band: str, on: date) -> Q:
    """Children whose age on ``on`` is in ``band`` ("6-11"), as a birth-date range."""
    low, high = AGE_BANDS[band]
    return Q(birth_date__lte=born_by(on, low), birth_date__gt=born_by(on, high + 1))


def _categories_q(categories: Iterable[str], scope: str) -> Q:
    """A semi-join on the current category rows, narrowed to the code range (index-only)."""
    rows = Classification.objects.filter(until__isnull=True, category__in=list(categories))
    if scope:
        rows = rows.filter(codes.within_q("village_code", scope))
    return Q(pk__in=rows.values("child_id"))


def _valid_code(code: str) -> str:
    """A region filter as a 12-digit code, or ``""`` if it is not a code (the list then shows nothing)."""
    try:
        return codes.pad(code)
    except codes.CodeError:
        return ""


def child_list(actor: User | AnonymousUser, filters: ChildFilters) -> models.QuerySet[Child]:
    """Children ``actor`` may see that match ``filters``, sorted, with their village and current
    categories (three queries per page, whatever its length)."""
    qs = policy_for(Child).visible(actor, Child.objects.all())
    on = filters.on or policy_selectors.today()
    # The code range the category semi-joins are narrowed to: the region asked for, else the
    # actor's jurisdiction (the index then reads that range only, not the category city-wide).
    scope = registry_scope_code(actor) or "" if getattr(actor, "is_authenticated", False) else ""  # type: ignore[arg-type]
    if filters.region:
        scope = _valid_code(filters.region)
        if not scope:
            return qs.none()
        qs = qs.filter(codes.within_q("village", scope))
    if filters.status and filters.status != ALL_STATUSES:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(_search_q(filters.q))
    if filters.category:
        qs = qs.filter(_categories_q([filters.category], scope))
    if filters.key_reason:
        reasons = KEY_CHILD_REASONS if filters.key_reason == ANY_KEY_REASON else [filters.key_reason]
        qs = qs.filter(_categories_q(reasons, scope))
    if filters.age_band in AGE_BANDS:
        qs = qs.filter(age_band_q(filters.age_band, on))
    if filters.school_status:
        qs = qs.filter(school_status=filters.school_status)
    if filters.risk_level:
        qs = qs.filter(risk_level=filters.risk_level)
    if filters.incomplete:
        qs = qs.filter(is_complete=False)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    # The village comes by prefetch, not by a join: with the join PostgreSQL may walk the regions'
    # key in the order of the sort and test every child against every region (seconds at a million).
    return qs.prefetch_related("village", current_categories_prefetch()).order_by(*order)


def _search_q(text: str) -> Q:
    """A name or a former name (or part of one), or a whole identity number (found by its keyed hash)."""
    text = text.strip()
    number_hash = id_number_lookup_hash(text) if len(text) >= 15 else ""  # noqa: PLR2004
    if number_hash:
        return Q(id_number_hash=number_hash)
    return Q(name__contains=text) | Q(former_names__icontains=text)


def detail_queryset() -> models.QuerySet[Child]:
    """A child with everything the file's page shows, in a fixed number of queries."""
    return Child.objects.select_related("village", "village__parent", "hukou_region", "created_by").prefetch_related(
        Prefetch(
            "kinships",
            queryset=Kinship.objects.select_related("person").prefetch_related(
                Prefetch("person__situations", queryset=Situation.objects.order_by("-started_on", "pk"))
            ),
        ),
        Prefetch("entrusted_cares", queryset=EntrustedCare.objects.select_related("carer").order_by("-since")),
        current_categories_prefetch(),
        Prefetch(
            "overrides",
            queryset=CategoryOverride.objects.select_related("decided_by", "withdrawn_by").order_by("-decided_at"),
        ),
    )


def child_detail(actor: User | AnonymousUser, pk: int, *, action: str = VIEW) -> Child:
    """The file of child ``pk`` with everything its page shows; 404 outside ``actor``'s scope."""
    return policy_for(Child).get_or_404(actor, action, queryset=detail_queryset(), pk=pk)


def current_categories(child: Child) -> list[Classification]:
    """The child's current categories (prefetched by ``child_list``/``child_detail`` when there)."""
    prefetched = getattr(child, "current_categories", None)
    if prefetched is not None:
        return list(prefetched)
    return list(Classification.objects.filter(child=child, until__isnull=True).order_by("category"))


def explained(classification: Classification) -> list[str]:
    """A category's explanation in the active language."""
    return explain.render(classification.explanation or [])


def person_detail(actor: User | AnonymousUser, pk: int, *, action: str = VIEW) -> Person:
    """A family member with their situations and the children they relate to (those ``actor`` sees)."""
    visible_children = policy_for(Child).visible(actor, Child.objects.all())
    queryset = Person.objects.select_related("village").prefetch_related(
        Prefetch("situations", queryset=Situation.objects.order_by("-started_on", "pk")),
        Prefetch(
            "kinships",
            queryset=Kinship.objects.filter(child__in=visible_children).select_related("child", "child__village"),
        ),
    )
    return policy_for(Person).get_or_404(actor, action, queryset=queryset, pk=pk)


def family_persons(actor: User | AnonymousUser) -> models.QuerySet[Person]:
    """Family members ``actor`` may see (for choices: e.g. a sibling's parent)."""
    return policy_for(Person).visible(actor, Person.objects.select_related("village"))


# -- timeline -------------------------------------------------------------------------------------


class TimelineKind:
    CHANGE = "change"  # a versioned change of the file or a family row
    CATEGORY_OPENED = "category_opened"
    CATEGORY_CLOSED = "category_closed"
    DECISION = "decision"  # a caseworker's decision on a category
    DECISION_WITHDRAWN = "decision_withdrawn"
    REVEAL = "reveal"  # an identity number shown in full


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a file, ready for the page (texts in the active language)."""

    at: datetime
    kind: str
    title: str
    actor_name: str = ""
    detail: str = ""
    record_type: str = ""
    fields: tuple[FieldChange, ...] = ()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=policy_selectors.CITY_TIME_ZONE)


def child_timeline(actor: User | AnonymousUser, child: Child, *, limit: int = 500) -> list[TimelineEntry]:
    """What happened to the file, newest first: changes of the child and its family rows, categories
    opened and closed, caseworkers' decisions and the reveals of identity numbers."""
    if not policy_for(Child).can(actor, VIEW, child):
        raise Http404
    kinships = list(Kinship.objects.filter(child=child).values_list("pk", "person_id"))
    person_ids = [p for _pk, p in kinships]
    entries: list[TimelineEntry] = []
    entries += _change_entries(child, [k for k, _p in kinships], person_ids, limit=limit)
    entries += _category_entries(child)
    entries += _decision_entries(child)
    entries += _reveal_entries(child, person_ids, limit=limit)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _change_entries(child: Child, kinship_ids: list[int], person_ids: list[int], *, limit: int) -> list[TimelineEntry]:
    types = ContentType.objects.get_for_models(Child, Kinship, Person, Situation, EntrustedCare, CategoryOverride)
    situation_ids = list(Situation.objects.filter(person_id__in=person_ids).values_list("pk", flat=True))
    care_ids = list(EntrustedCare.objects.filter(child=child).values_list("pk", flat=True))
    wanted = Q(content_type=types[Child], object_id=child.pk)
    for model, ids in (
        (Kinship, kinship_ids),
        (Person, person_ids),
        (Situation, situation_ids),
        (EntrustedCare, care_ids),
    ):
        if ids:
            wanted |= Q(content_type=types[model], object_id__in=ids)
    # Removed relations: their entries name the child in the repr ("<person> <relation> of <child>").
    wanted |= Q(content_type=types[Kinship], action=LogEntry.Action.DELETE, object_repr__endswith=f" of {child.pk}")
    entries = (
        LogEntry.objects.filter(wanted)
        .exclude(content_type=types[CategoryOverride])
        .select_related("actor", "content_type")
        .order_by("-timestamp")[:limit]
    )
    return [_change_entry(record) for record in describe_entries(list(entries))]


def _change_entry(record: ChangeRecord) -> TimelineEntry:
    return TimelineEntry(
        at=record.at,
        kind=TimelineKind.CHANGE,
        title=f"{record.action_label}: {record.record_type_label}",
        actor_name=record.actor_name,
        detail=record.object_repr if record.record_type != "registry.child" else "",
        record_type=record.record_type,
        fields=record.fields,
    )


def _category_entries(child: Child) -> list[TimelineEntry]:
    entries = []
    for row in Classification.objects.filter(child=child).order_by("recorded_at"):
        label = str(Category(row.category).label) if row.category in Category.values else row.category
        entries.append(
            TimelineEntry(
                at=row.recorded_at,
                kind=TimelineKind.CATEGORY_OPENED,
                title=_("Category: %(category)s") % {"category": label},
                detail="; ".join(explain.render(row.explanation or [])),
            )
        )
        if row.until is not None:
            entries.append(
                TimelineEntry(
                    at=_start_of(row.until),
                    kind=TimelineKind.CATEGORY_CLOSED,
                    title=_("Category ended: %(category)s") % {"category": label},
                )
            )
    return entries


def _decision_entries(child: Child) -> list[TimelineEntry]:
    entries = []
    for override in CategoryOverride.objects.filter(child=child).select_related("decided_by", "withdrawn_by"):
        label = str(Category(override.category).label) if override.category in Category.values else override.category
        entries.append(
            TimelineEntry(
                at=override.decided_at,
                kind=TimelineKind.DECISION,
                title=_("Decision on %(category)s: %(effect)s")
                % {"category": label, "effect": override.get_effect_display()},
                actor_name=override.decided_by.get_full_name(),
                detail=override.reason,
            )
        )
        if override.withdrawn_at is not None:
            entries.append(
                TimelineEntry(
                    at=override.withdrawn_at,
                    kind=TimelineKind.DECISION_WITHDRAWN,
                    title=_("Decision on %(category)s withdrawn") % {"category": label},
                    actor_name=override.withdrawn_by.get_full_name() if override.withdrawn_by else "",
                    detail=override.withdrawal_reason,
                )
            )
    return entries


def _reveal_entries(child: Child, person_ids: list[int], *, limit: int) -> list[TimelineEntry]:
    wanted = Q(object_type="registry.child", object_id=str(child.pk))
    if person_ids:
        wanted |= Q(object_type="registry.person", object_id__in=[str(p) for p in person_ids])
    events = AccessEvent.objects.filter(wanted, action=AccessAction.REVEAL).select_related("actor")
    return [
        TimelineEntry(
            at=event.at,
            kind=TimelineKind.REVEAL,
            title=_("Identity number shown in full: %(record)s") % {"record": event.summary},
            actor_name=event.actor.get_full_name() if event.actor else event.actor_username,
            detail=event.reason,
            record_type=event.object_type,
        )
        for event in events.order_by("-seq")[:limit]
    ]


# -- counts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryCount:
    """How many children of region ``region_code`` hold ``category`` now."""

    region_code: str
    region_name: str
    category: str
    count: int


def category_counts(
    actor: User | AnonymousUser,
    *,
    by_level: str,
    within: str = "",
    categories: Iterable[str] | None = None,
) -> list[CategoryCount]:
    """Children by current category per region of ``by_level`` ("township", "county", "city",
    "village") inside ``actor``'s jurisdiction (or ``within`` it). Aggregates only: no child is named.

    One group-by over the current category rows: per village on ``village_code``, otherwise per
    township on the stored township prefix (index ``classification_township``, index-only, no
    expression per row), folded here into counties or the city.
    """
    if by_level not in LEVEL_PREFIX:
        raise ValueError(f"by_level must be one of {sorted(LEVEL_PREFIX)}")
    scope = counts_scope_code(actor) if getattr(actor, "is_authenticated", False) else None  # type: ignore[arg-type]
    if scope is None:
        return []
    area = scope
    if within:
        code = _valid_code(within)
        if not code or (scope and not codes.is_within(code, scope)):
            return []
        area = code
    rows = Classification.objects.filter(until__isnull=True)
    by_village = by_level == "village" or (area and codes.level_of(area) == Level.VILLAGE)
    if area:
        rows = rows.filter(codes.within_q("village_code", area) if by_village else _prefix_range(area))
    if categories is not None:
        rows = rows.filter(category__in=list(categories))
    column = "village_code" if by_village else "township_prefix"
    totals: dict[tuple[str, str], int] = {}
    # COUNT(*), not COUNT(id): the id is not in the index, and the scan must stay index-only.
    for unit, category, n in rows.values_list(column, "category").annotate(n=Count("*")).order_by():
        key = (_region_of(codes.pad(unit) if len(unit) < codes.CODE_LENGTH else unit, by_level), category)
        totals[key] = totals.get(key, 0) + n
    names = dict(Region.objects.filter(code__in={code for code, _c in totals}).values_list("code", "name"))
    return [CategoryCount(code, names.get(code, ""), category, n) for (code, category), n in sorted(totals.items())]


def _prefix_range(code: str) -> Q:
    """Current category rows whose township prefix lies in region ``code`` (county, city …)."""
    low, high = codes.range_bounds(code)
    q = Q(township_prefix__gte=low[:9])
    if high is not None:
        q &= Q(township_prefix__lt=high[:9])
    return q


def _region_of(code: str, by_level: str) -> str:
    """The 12-digit code of the region of ``by_level`` that contains ``code`` (a village or township)."""
    if by_level == "village":
        return code
    if by_level == "township":
        return codes.pad(code[:9])
    county = codes.parent_code(codes.pad(code[:9]))  # a city without counties is its own county
    if by_level == "county":
        return county or code
    return codes.pad(code[:4])


def counts_by_category(actor: User | AnonymousUser, *, within: str = "") -> dict[str, int]:
    """Children per current category in ``actor``'s jurisdiction (or ``within`` it), for a panel."""
    totals: dict[str, int] = {}
    for row in category_counts(actor, by_level="city", within=within):
        totals[row.category] = totals.get(row.category, 0) + row.count
    return totals


def level_of_scope(actor: User) -> Level | None:
    """The level of ``actor``'s jurisdiction (what a dashboard breaks counts down below)."""
    return codes.level_of(actor.jurisdiction_id) if actor.jurisdiction_id else None


CHOICES_FOR_FILTERS: dict[str, Any] = {
    "category": Category.choices,
    "key_reason": [(c.value, c.label) for c in Category if c in KEY_CHILD_REASONS],
    "school_status": SchoolStatus.choices,
    "risk_level": RiskLevel.choices,
    "status": FileStatus.choices,
}
