"""The children's search keys: which keys a file is stored under, which keys a search asks for.

A child is stored under (``MatchKey`` rows, each with the child's village code):

* every name key of its name and former names (``names.blocking_keys``: folded pinyin, sorted
  syllables, one syllable dropped, the given name alone) — searched within a county (keys of a
  whole name, ``names.whole_name_keys``) or a township (keys of part of a name: they are common);
* each of them combined with the birth year (``y2016|n:wangxiaomin``) — searched everywhere: a child
  who moved is found by name and year of birth in the whole registry.

The third block, the birth date with the sex within a city, needs no key of its own: the registry's
index ``child_birth_sex_county`` answers it (``search.candidate_ids``), so it also finds files written
without keys (rows made by hand, a key store not rebuilt yet).

A search (``search_keys``) asks for the same keys of what it knows: the birth year, or the years an
approximate age allows; and for the birth dates (also with day and month swapped) and sexes (both
when unknown) of the birth block. A child is found when it shares a key or its birth date with the
record, which misses only records whose name keys, year and birth date all disagree: the recall
blocking costs (``bench/matching_online.py`` measures it against a scan of every name).

Keys are kept current by the registry's ``children_changed`` signal (``refresh``) and rebuilt by
``manage.py matching_reindex`` (``rebuild``) when ``names.KEYS_VERSION`` changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from shouhu.matching import names
from shouhu.matching.models import KeyState, MatchKey
from shouhu.matching.record import PersonRecord
from shouhu.registry.choices import FileStatus, Sex
from shouhu.registry.models import Child

logger = logging.getLogger(__name__)

BATCH = 2000
# The years an approximate age ("about 9") allows around its exact reading: ±1 year of age.
AGE_SLACK_YEARS = 1
SEXES = (Sex.MALE.value, Sex.FEMALE.value)
# The columns of a child that its keys are made of.
KEY_FIELDS = ("pk", "name", "former_names", "birth_date", "village_id")
Progress = Callable[[int, int], None]


def year_key(year: int, name_key: str) -> str:
    return f"y{year}|{name_key}"


def child_keys(name: str, former_names: Sequence[str], birth_date: date | None) -> frozenset[str]:
    """The keys a child's file is stored under."""
    by_name = names.name_keys([name, *(former_names or ())])
    keys = set(by_name)
    if birth_date is not None:
        keys |= {year_key(birth_date.year, k) for k in by_name}
    return frozenset(keys)


@dataclass(frozen=True)
class SearchKeys:
    """What a search asks for: keys searched everywhere (name and birth year), keys searched within a
    county (the name alone), and the birth dates and sexes of the birth block (within a county)."""

    everywhere: frozenset[str]
    nearby: frozenset[str]
    years: tuple[int, ...]
    births: tuple[date, ...] = ()
    sexes: tuple[str, ...] = SEXES
    whole: frozenset[str] = frozenset()  # the whole-name keys among ``nearby``

    def split(self, wanted: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
        """``wanted`` as (whole-name keys, the other keys); a year key counts as its name key."""
        strong = frozenset(k for k in wanted if k.rsplit("|", 1)[-1] in self.whole)
        return strong, wanted - strong

    def __bool__(self) -> bool:
        return bool(self.everywhere or self.nearby or self.births)


def birth_years(record: PersonRecord, *, on: date) -> tuple[int, ...]:
    """The years of birth a record allows: its date's, its year, or those of an approximate age."""
    if record.birth_date is not None:
        return (record.birth_date.year,) if record.birth_date <= on else ()
    if record.birth_year is not None:
        return (record.birth_year,) if 1900 <= record.birth_year <= on.year else ()  # noqa: PLR2004
    if record.age is not None and 0 <= record.age <= 150:  # noqa: PLR2004 (an age at all)
        day = record.on or on
        # Aged a (completed years) on ``day``: born after day - (a+1) years, on or before day - a years.
        youngest, oldest = day.year - record.age, day.year - record.age - 1
        return tuple(range(oldest - AGE_SLACK_YEARS, youngest + AGE_SLACK_YEARS + 1))
    return ()


def core_years(years: tuple[int, ...]) -> frozenset[int]:
    """The years of ``birth_years`` without an approximate age's slack (all of them otherwise)."""
    if len(years) > 2 * AGE_SLACK_YEARS + 1:
        return frozenset(years[AGE_SLACK_YEARS:-AGE_SLACK_YEARS])
    return frozenset(years)


def search_keys(record: PersonRecord, *, on: date) -> SearchKeys:
    """The keys a search for ``record`` asks for (see the module's docstring)."""
    by_name = names.name_keys(record.names)
    years = birth_years(record, on=on)
    everywhere = frozenset(year_key(year, k) for year in years for k in by_name)
    born = record.birth_date
    births: set[date] = set()
    if born is not None and born <= on:
        births.add(born)
        if born.day <= 12 and born.day != born.month:  # noqa: PLR2004 (a day that could be a month)
            births.add(born.replace(month=born.day, day=born.month))
    sexes = (record.sex,) if record.sex in SEXES else SEXES
    return SearchKeys(
        everywhere=everywhere,
        nearby=by_name,
        years=years,
        births=tuple(sorted(births)),
        sexes=sexes,
        whole=names.whole_name_keys(record.names),
    )


def name_counts(name_keys: Iterable[str]) -> dict[str, int]:
    """How many files are stored under each of these name keys (``names.name_key``): the namesakes
    ``model`` rule 4 weighs a name by. One index-only count per key list (the lookup index)."""
    wanted = sorted({key for key in name_keys if key})
    counts: dict[str, int] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        rows = (
            MatchKey.objects.filter(key__in=chunk).values("key").annotate(n=Count("child_id")).values_list("key", "n")
        )
        counts.update(rows)
    return counts


# -- the store -----------------------------------------------------------------------------------


def _rows(children: Iterable[tuple[int, str, list[str], date, str]]) -> Iterator[MatchKey]:
    for pk, name, former, born, village in children:
        for key in sorted(child_keys(name, former or [], born)):
            yield MatchKey(child_id=pk, key=key, village_code=village)


def _live(pks: Sequence[int]) -> list[tuple[int, str, list[str], date, str]]:
    return list(
        Child.objects.filter(pk__in=pks).exclude(status=FileStatus.MERGED).order_by("pk").values_list(*KEY_FIELDS)
    )


def refresh(pks: Iterable[int]) -> int:
    """Rebuild the keys of these children (a merged file has none); returns the number of keys written."""
    wanted = sorted(set(pks))
    written = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        with transaction.atomic():
            MatchKey.objects.filter(child_id__in=chunk).delete()
            rows = list(_rows(_live(chunk)))
            MatchKey.objects.bulk_create(rows, batch_size=BATCH)
        written += len(rows)
    _note_version()
    return written


def _note_version() -> None:
    if not KeyState.objects.exists():
        KeyState.objects.get_or_create(pk=1, defaults={"version": names.KEYS_VERSION})


def stored_version() -> int | None:
    """The version of the key functions the stored keys were built with (None: no keys yet)."""
    return KeyState.objects.filter(pk=1).values_list("version", flat=True).first()


def stale() -> bool:
    """The stored keys were built by other key functions than these: run ``matching_reindex``."""
    version = stored_version()
    return version is not None and version != names.KEYS_VERSION


def rebuild(*, progress: Progress | None = None, batch: int = BATCH) -> KeyState:
    """Rebuild every child's keys with the current key functions, in batches of children.

    Searches keep working meanwhile (each batch replaces its children's keys in one transaction).
    """
    live = Child.objects.exclude(status=FileStatus.MERGED)
    total = live.count()
    done = keys = last = 0
    while True:
        chunk = list(live.filter(pk__gt=last).order_by("pk").values_list(*KEY_FIELDS)[:batch])
        if not chunk:
            break
        pks = [row[0] for row in chunk]
        with transaction.atomic():
            MatchKey.objects.filter(child_id__gte=pks[0], child_id__lte=pks[-1]).delete()
            rows = list(_rows(chunk))
            MatchKey.objects.bulk_create(rows, batch_size=BATCH)
        last = pks[-1]
        done += len(chunk)
        keys += len(rows)
        if progress is not None:
            progress(done, total)
    # Keys of files merged (or of children gone) since their keys were written.
    MatchKey.objects.filter(child__status=FileStatus.MERGED).delete()
    state, _created = KeyState.objects.update_or_create(
        pk=1,
        defaults={"version": names.KEYS_VERSION, "rebuilt_at": timezone.now(), "children": done, "keys": keys},
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MatchKey._meta.db_table}")
    return state
