"""Reading policy settings: THE function rule modules use, and the views' queries.

``get(key, on=None)`` is the value of a setting in force on a day (default: today in
Asia/Shanghai): the latest value whose ``effective_from`` is on or before that day, else the
default of the definition. ``snapshot(on)`` gives every value at once as an immutable mapping,
which callers pass to the pure rule modules; ``changes_between(a, b)`` lists the values that
took effect in a period, for recomputing what depends on them.

Speed: every process keeps the whole store (a few rows per setting) in memory. A version stamp
in the shared cache (Redis in production) changes after every committed write, so that all
processes reload on their next read; the copy is also reloaded after ``MAX_AGE_SECONDS`` in
case the cache is per process (LocMem in the embedded mode) or unreachable. A read in the
transaction that wrote a value, before it commits, goes to the database and is not kept.
"""

from __future__ import annotations

import logging
import threading
import uuid
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from time import monotonic
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.core.errors import DomainError
from shouhu.core.policy import policy_for
from shouhu.policy.definitions import DEFINITIONS, Definition, Value, get_definition
from shouhu.policy.models import PolicyValue

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from shouhu.accounts.models import User

logger = logging.getLogger(__name__)

# The city's time zone: a value "from 1 March" is in force from 00:00 on 1 March in China
# (DOMAIN.md §8.4), whatever the server's clock zone or the user's display zone.
CITY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
VERSION_KEY = "shouhu:policy:version"
MAX_AGE_SECONDS = 60.0


def today() -> date:
    """Today's date in Asia/Shanghai."""
    return timezone.now().astimezone(CITY_TIME_ZONE).date()


def day_of(moment: date | datetime | None) -> date:
    """The day in Asia/Shanghai of ``moment``: a date as it is, an aware instant converted, None → today.

    A naive datetime is refused: its day depends on a zone nobody stated (DOMAIN.md §8.4).
    """
    if moment is None:
        return today()
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            raise ValueError("a naive datetime has no day in Asia/Shanghai; pass a date or an aware datetime")
        return moment.astimezone(CITY_TIME_ZONE).date()
    return moment


# -- the in-memory store ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One stored value as the read path sees it (withdrawn values are left out)."""

    pk: int
    effective_from: date
    value: Value


class Timeline:
    """All values of all settings, each key's sorted by (effective_from, pk)."""

    def __init__(self, entries: Mapping[str, list[Entry]]) -> None:
        self._entries = {key: sorted(rows, key=lambda e: (e.effective_from, e.pk)) for key, rows in entries.items()}
        self._dates = {key: [e.effective_from for e in rows] for key, rows in self._entries.items()}

    def entries(self, key: str) -> list[Entry]:
        return self._entries.get(key, [])

    def in_force(self, key: str, on: date) -> Entry | None:
        """The entry in force on ``on``: the latest date on or before it; on one date, the newest row."""
        index = bisect_right(self._dates.get(key, []), on)
        return self._entries[key][index - 1] if index else None

    def value(self, definition: Definition, on: date) -> Value:
        entry = self.in_force(definition.key, on)
        return definition.default if entry is None else entry.value

    def upcoming(self, key: str, after: date) -> list[Entry]:
        """Entries that take effect after ``after``, one per date (the one that will hold)."""
        later = [e for e in self.entries(key) if e.effective_from > after]
        return [
            e for i, e in enumerate(later) if i + 1 == len(later) or later[i + 1].effective_from != e.effective_from
        ]


def load_timeline() -> Timeline:
    """The store as the database holds it now (one query)."""
    rows = PolicyValue.objects.filter(withdrawal__isnull=True, key__in=list(DEFINITIONS)).values_list(
        "pk", "key", "effective_from", "value"
    )
    entries: dict[str, list[Entry]] = {}
    for pk, key, effective_from, raw in rows:
        definition = DEFINITIONS[key]
        try:
            value = definition.clean(raw)
        except DomainError:
            # A value that no longer fits a changed definition is skipped (the one before it or the
            # default holds) and reported, rather than breaking every rule that reads the setting.
            logger.error("policy value %s of %s (%r) no longer fits its definition; ignored", pk, key, raw)
            continue
        entries.setdefault(key, []).append(Entry(pk=pk, effective_from=effective_from, value=value))
    return Timeline(entries)


class _Cached(NamedTuple):
    version: str | None
    loaded_at: float
    timeline: Timeline


_cached: _Cached | None = None
_thread = threading.local()  # .uncommitted: this thread's transaction wrote a value
_last_cache_warning = -MAX_AGE_SECONDS


def _warn_about_cache(message: str) -> None:
    """Log a cache failure at most once per ``MAX_AGE_SECONDS``: reads go on, the log stays readable."""
    global _last_cache_warning  # noqa: PLW0603
    if monotonic() - _last_cache_warning >= MAX_AGE_SECONDS:
        _last_cache_warning = monotonic()
        logger.warning(message, exc_info=True)


def _shared_version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # the cache server is down: fall back on the age limit, keep serving
        _warn_about_cache("policy settings: the cache cannot be read; reloading by age only")
        return None
    return None if version is None else str(version)


def timeline() -> Timeline:
    """The current store, from memory when it is still valid."""
    global _cached  # noqa: PLW0603  (the one per-process copy of the store)
    if getattr(_thread, "uncommitted", False):
        if connection.in_atomic_block:
            return load_timeline()
        _thread.uncommitted = False  # the transaction ended (committed or rolled back)
        _cached = None
    version = _shared_version()  # read before loading, so that a write in between forces a reload
    current = _cached
    if current is not None and current.version == version and monotonic() - current.loaded_at < MAX_AGE_SECONDS:
        return current.timeline
    loaded = load_timeline()
    _cached = _Cached(version, monotonic(), loaded)
    return loaded


def invalidate() -> None:
    """Make every process reload the store on its next read."""
    global _cached  # noqa: PLW0603
    _cached = None
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        _warn_about_cache("policy settings: the cache cannot be written; other processes reload by age")


def note_write() -> None:
    """Called by the services after a write: reread until it commits, then tell every process."""
    global _cached  # noqa: PLW0603
    _thread.uncommitted = True
    _cached = None

    def committed() -> None:
        _thread.uncommitted = False
        invalidate()

    transaction.on_commit(committed)


# -- the read functions ------------------------------------------------------------------------


def get(key: str, on: date | datetime | None = None) -> Value:
    """The value of setting ``key`` in force on ``on`` (default: today in Asia/Shanghai).

    ``on`` is a date, or an aware instant whose day in Asia/Shanghai counts. An unknown key
    raises ``KeyError``: it is a programming error of the caller.
    """
    definition = DEFINITIONS[key]
    day = day_of(on)
    return timeline().value(definition, day)


class PolicySnapshot(Mapping[str, Value]):
    """Every setting's value in force on one day; immutable, for pure rule modules."""

    __slots__ = ("_on", "_values")
    _on: date
    _values: dict[str, Value]

    def __init__(self, on: date, values: Mapping[str, Value]) -> None:
        object.__setattr__(self, "_on", on)
        object.__setattr__(self, "_values", dict(values))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a policy snapshot cannot be changed")

    @property
    def on(self) -> date:
        return self._on

    def __getitem__(self, key: str) -> Value:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash((self._on, tuple(sorted(self._values.items()))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PolicySnapshot):
            return NotImplemented
        return self._on == other._on and self._values == other._values

    def __repr__(self) -> str:
        return f"PolicySnapshot(on={self._on.isoformat()}, {len(self)} settings)"


def snapshot(on: date | datetime | None = None) -> PolicySnapshot:
    """Every setting's value in force on ``on`` (default: today in Asia/Shanghai)."""
    day = day_of(on)
    store = timeline()
    return PolicySnapshot(day, {key: store.value(d, day) for key, d in DEFINITIONS.items()})


@dataclass(frozen=True)
class PolicyChange:
    """Setting ``key`` changed from ``before`` to ``after`` at the start of ``effective_from``."""

    key: str
    effective_from: date
    before: Value
    after: Value


def changes_between(start: date | datetime, end: date | datetime) -> tuple[PolicyChange, ...]:
    """Values that took effect after ``start`` and on or before ``end``, by date then key.

    A nightly job asks for ``(yesterday, today)`` and recomputes what depends on the keys it
    gets; a value equal to the one before it is no change and is left out.
    """
    start, end = day_of(start), day_of(end)
    if end < start:
        raise ValueError("the end of the period is before its start")
    store = timeline()
    changes: list[PolicyChange] = []
    for key, definition in DEFINITIONS.items():
        days = sorted({e.effective_from for e in store.entries(key) if start < e.effective_from <= end})
        for day in days:
            before = store.value(definition, day - timedelta(days=1))
            after = store.value(definition, day)
            if before != after:
                changes.append(PolicyChange(key=key, effective_from=day, before=before, after=after))
    return tuple(sorted(changes, key=lambda c: (c.effective_from, c.key)))


# -- what the screens and the API show --------------------------------------------------------


@dataclass(frozen=True)
class Scheduled:
    """A value that will take effect after the day shown."""

    pk: int
    effective_from: date
    value: Value
    display: str


@dataclass(frozen=True)
class SettingState:
    """A setting as of one day: its value, since when, and what is scheduled after it."""

    definition: Definition
    on: date
    value: Value
    since: date | None  # None: the default holds
    value_pk: int | None
    upcoming: tuple[Scheduled, ...]

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def display(self) -> str:
        return self.definition.display(self.value)

    @property
    def default_display(self) -> str:
        return self.definition.display(self.definition.default)

    @property
    def is_default(self) -> bool:
        return self.since is None


def setting_state(definition: Definition, on: date | None = None, store: Timeline | None = None) -> SettingState:
    day = today() if on is None else on
    store = timeline() if store is None else store
    entry = store.in_force(definition.key, day)
    upcoming = tuple(
        Scheduled(pk=e.pk, effective_from=e.effective_from, value=e.value, display=definition.display(e.value))
        for e in store.upcoming(definition.key, day)
    )
    return SettingState(
        definition=definition,
        on=day,
        value=definition.default if entry is None else entry.value,
        since=None if entry is None else entry.effective_from,
        value_pk=None if entry is None else entry.pk,
        upcoming=upcoming,
    )


def setting_states(on: date | None = None) -> list[SettingState]:
    """Every setting as of ``on``, in definition order (no query when the store is in memory)."""
    day = today() if on is None else on
    store = timeline()
    return [setting_state(d, day, store) for d in DEFINITIONS.values()]


class HistoryStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    SCHEDULED = "scheduled", _("Scheduled")
    REPLACED = "replaced", _("Replaced")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@dataclass(frozen=True)
class HistoryRow:
    row: PolicyValue
    status: HistoryStatus
    display: str


def value_history(user: User | AnonymousUser, key: str) -> list[HistoryRow]:
    """Every value ever set for ``key`` that ``user`` may see, newest date first, with its status."""
    definition = get_definition(key)
    rows = (
        policy_for(PolicyValue)
        .visible(user, PolicyValue.objects.filter(key=key))
        .select_related("created_by", "withdrawal", "withdrawal__created_by")
        .order_by("-effective_from", "-pk")
    )
    day = today()
    store = timeline()
    in_force = store.in_force(key, day)
    will_hold = {e.pk for e in store.upcoming(key, day)}
    history: list[HistoryRow] = []
    for row in rows:
        if hasattr(row, "withdrawal"):
            status = HistoryStatus.WITHDRAWN
        elif in_force is not None and row.pk == in_force.pk:
            status = HistoryStatus.IN_FORCE
        elif row.effective_from > day and row.pk in will_hold:
            status = HistoryStatus.SCHEDULED
        else:  # an older value, or a scheduled one followed by a newer value for the same date
            status = HistoryStatus.REPLACED
        history.append(HistoryRow(row=row, status=status, display=display_stored(definition, row.value)))
    return history


def display_stored(definition: Definition, raw: Any) -> str:
    """A stored JSON value as a person reads it (as stored, if it no longer fits the definition)."""
    try:
        return definition.display(definition.clean(raw))
    except DomainError:
        return repr(raw)
