"""Reads of the audit logs, already scoped through their policies.

``search_access_events`` and ``search_changes`` take the cleaned data of the filter forms in
``shouhu.audit.forms`` (the HTML screens and the API share them). ``object_history`` is
what a record's "history" tab uses in every app.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from shouhu.audit import chain
from shouhu.audit.changes import ChangeRecord, describe_entries
from shouhu.audit.choices import access_action_label, access_actions
from shouhu.audit.models import AccessEvent, ChainHead, ChainVerification
from shouhu.audit.permissions import is_auditor
from shouhu.core.errors import NotAllowedError
from shouhu.core.policy import VIEW, policy_for
from shouhu.regions import codes
from shouhu.regions.models import Region

T = TypeVar("T", bound=models.Model)

PAGE_SIZE = 50
HISTORY_LIMIT = 200


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _period(queryset: models.QuerySet[T], field: str, filters: dict[str, Any]) -> models.QuerySet[T]:
    if filters.get("date_from"):
        queryset = queryset.filter(**{f"{field}__gte": day_start(filters["date_from"])})
    if filters.get("date_to"):
        queryset = queryset.filter(**{f"{field}__lt": day_start(filters["date_to"] + timedelta(days=1))})
    return queryset


# The access log -------------------------------------------------------------------------


def visible_access_events(user: Any) -> models.QuerySet[AccessEvent]:
    """Access-log entries ``user`` may see, newest first."""
    return policy_for(AccessEvent).visible(user, AccessEvent.objects.order_by("-seq"))


def search_access_events(*, user: Any, filters: dict[str, Any]) -> models.QuerySet[AccessEvent]:
    """Entries ``user`` may see that match the cleaned ``AccessLogFilterForm`` data."""
    queryset = _period(visible_access_events(user), "at", filters)
    if filters.get("user"):
        queryset = queryset.filter(actor_username=filters["user"])
    if filters.get("action"):
        queryset = queryset.filter(action=filters["action"])
    if filters.get("object_type"):
        queryset = queryset.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        queryset = queryset.filter(object_id=filters["object_id"])
    if filters.get("region"):
        code = filters["region"]
        queryset = queryset.filter(codes.within_q("region_code", code) | codes.within_q("actor_region", code))
    if filters.get("q"):
        text = filters["q"]
        queryset = queryset.filter(models.Q(summary__icontains=text) | models.Q(reason__icontains=text))
    return queryset


def access_event(*, user: Any, seq: int) -> AccessEvent:
    """The entry ``seq`` if ``user`` may see it, else 404."""
    return policy_for(AccessEvent).get_or_404(user, VIEW, seq=seq)


@dataclass(frozen=True)
class AccessRow:
    """An access-log entry with the names a reader needs beside the stored codes."""

    event: AccessEvent
    actor_region_name: str
    region_name: str
    record_type_label: str


# Record types logged under a name that is not a model label.
OTHER_TYPE_LABELS = {"audit.logentry": _("change-log entry")}


def stored_type_label(object_type: str) -> str:
    """The verbose name of the model an ``object_type`` ("app_label.model") names, else the value."""
    if object_type in OTHER_TYPE_LABELS:
        return str(OTHER_TYPE_LABELS[object_type])
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(capfirst(model._meta.verbose_name))


def describe_events(events: list[AccessEvent]) -> list[AccessRow]:
    """``events`` with region names (one query for the page) and record-type labels."""
    wanted = {e.actor_region for e in events} | {e.region_code for e in events}
    names = dict(Region.objects.filter(code__in=wanted - {""}).values_list("code", "name"))
    return [
        AccessRow(
            event=e,
            actor_region_name=names.get(e.actor_region, ""),
            region_name=names.get(e.region_code, ""),
            record_type_label=stored_type_label(e.object_type),
        )
        for e in events
    ]


@dataclass(frozen=True)
class LinkCheck:
    """Whether one entry's own hash and its link to the entry before it hold."""

    hash_matches: bool
    previous_matches: bool | None  # None: the first entry, or the one before is gone


def check_link(event: AccessEvent) -> LinkCheck:
    """Recompute ``event``'s hash and compare its ``prev_hash`` with the entry before it."""
    own = chain.link(settings.SHOUHU_AUDIT_KEY, event.prev_hash, event.hashed_content()) == event.hash
    if event.seq == 1:
        return LinkCheck(own, event.prev_hash == chain.GENESIS)
    # The hash of the previous entry reveals nothing of it, whoever may see it.
    previous = AccessEvent.objects.filter(seq=event.seq - 1).values_list("hash", flat=True).first()
    return LinkCheck(own, None if previous is None else previous == event.prev_hash)


@dataclass(frozen=True)
class Activity:
    """Entries per day and action: ``days`` (ISO dates) and one count list per action."""

    days: list[str]
    series: dict[str, list[int]]
    labels: dict[str, str]

    @property
    def total(self) -> int:
        return sum(sum(counts) for counts in self.series.values())

    @property
    def totals(self) -> list[tuple[str, int]]:
        """(label, entries) per action over the whole period."""
        return [(self.labels[action], sum(counts)) for action, counts in self.series.items()]

    def as_chart(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "series": [{"action": a, "name": self.labels[a], "data": counts} for a, counts in self.series.items()],
        }


# The chart of the last days aggregates up to millions of entries: it is computed once per
# jurisdiction every few minutes, not on each page.
ACTIVITY_CACHE_SECONDS = 300


def _activity_scope(user: Any) -> str | None:
    """The cache key part of what ``user`` sees (``AccessEventPolicy.scope``), or None to skip the cache."""
    if not is_auditor(user):
        return None
    if user.is_superuser:
        return "all"
    return str(user.jurisdiction_id) if user.jurisdiction_id else None


def _activity_counts(user: Any, first: date) -> list[tuple[str, str, int]]:
    rows = (
        visible_access_events(user)
        .filter(at__gte=day_start(first))
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day", "action")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    return [(row["action"], row["day"].isoformat(), row["n"]) for row in rows]


def daily_activity(*, user: Any, days: int = 30) -> Activity:
    """Entries ``user`` may see per local day and action over the last ``days`` days (today included).

    Cached for ``ACTIVITY_CACHE_SECONDS`` per jurisdiction: the figures may lag a few minutes.
    """
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    scope = _activity_scope(user)
    if scope is None:
        found = _activity_counts(user, first)
    else:
        key = f"audit:activity:{scope}:{first.isoformat()}:{days}"
        found = cache.get_or_set(key, lambda: _activity_counts(user, first), ACTIVITY_CACHE_SECONDS) or []
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for action, day, n in found:
        counts[action][day] = n
    calendar = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    known = [a for a in access_actions() if a in counts] + sorted(a for a in counts if a not in access_actions())
    return Activity(
        days=calendar,
        series={a: [counts[a].get(d, 0) for d in calendar] for a in known},
        labels={a: access_action_label(a) for a in known},
    )


def last_verification(*, user: Any) -> ChainVerification | None:
    """The latest verification of the chain, for the status box (auditors only)."""
    return policy_for(ChainVerification).visible(user).select_related("requested_by").first()


def recent_verifications(*, user: Any, limit: int = 5) -> list[ChainVerification]:
    return list(policy_for(ChainVerification).visible(user).select_related("requested_by")[:limit])


def chain_length() -> int:
    """How many entries the log has (the head's sequence number; no count over the table)."""
    return ChainHead.objects.values_list("seq", flat=True).first() or 0


# The change log -------------------------------------------------------------------------


def visible_changes(user: Any) -> models.QuerySet[LogEntry]:
    """Change-log entries ``user`` may see, newest first, joined for display."""
    queryset = LogEntry.objects.select_related("actor", "content_type").order_by("-id")
    return policy_for(LogEntry).visible(user, queryset)


def search_changes(*, user: Any, filters: dict[str, Any]) -> models.QuerySet[LogEntry]:
    """Entries ``user`` may see that match the cleaned ``ChangeLogFilterForm`` data."""
    queryset = _period(visible_changes(user), "timestamp", filters)
    if filters.get("user"):
        queryset = queryset.filter(actor__username=filters["user"])
    if filters.get("record_type"):
        app_label, _dot, model = filters["record_type"].partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        queryset = queryset.filter(content_type=content_type) if content_type else queryset.none()
    if filters.get("action") not in (None, ""):
        queryset = queryset.filter(action=int(filters["action"]))
    if filters.get("object_id"):
        queryset = queryset.filter(object_pk=filters["object_id"])
    return queryset


def object_history(*, user: Any, obj: models.Model, limit: int = HISTORY_LIMIT) -> list[ChangeRecord]:
    """The versions of ``obj``, newest first, for a record's history tab.

    Whoever may view the record may read its history; masked fields stay masked. Raises
    ``NotAllowedError`` otherwise (views answer 404).
    """
    if not policy_for(type(obj)).can(user, VIEW, obj):
        raise NotAllowedError
    entries = LogEntry.objects.get_for_object(obj).select_related("actor", "content_type").order_by("-timestamp", "-id")
    return describe_entries(list(entries[:limit]))


# Paging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page of a list ordered newest first by a unique, growing key.

    The log grows by hundreds of thousands of entries a day: counting them for page numbers
    would cost more than the page itself, so pages move by key ("older than #n").
    """

    items: list[T]
    newer: int | None  # value for ``after=`` to go to the newer page
    older: int | None  # value for ``before=`` to go to the older page

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def keyset_page(
    queryset: models.QuerySet[T],
    *,
    key: str,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage[T]:
    """The page of ``queryset`` just older than ``before`` or just newer than ``after`` (else the newest)."""
    if after is not None:
        rows = list(queryset.filter(**{f"{key}__gt": after}).order_by(key)[: size + 1])
        more_newer = len(rows) > size
        items = list(reversed(rows[:size]))
        more_older = bool(items) and queryset.filter(**{f"{key}__lt": getattr(items[-1], key)}).exists()
    else:
        scoped = queryset.filter(**{f"{key}__lt": before}) if before is not None else queryset
        rows = list(scoped.order_by(f"-{key}")[: size + 1])
        more_older = len(rows) > size
        items = rows[:size]
        more_newer = bool(items) and queryset.filter(**{f"{key}__gt": getattr(items[0], key)}).exists()
    return KeysetPage(
        items=items,
        newer=getattr(items[0], key) if items and more_newer else None,
        older=getattr(items[-1], key) if items and more_older else None,
    )
