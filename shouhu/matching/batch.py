"""Batch de-duplication: candidate pairs by the store's blocks, scored by the engine, linked into clusters.

Pure module (no database). Sources: issue 4, "Batch de-duplication" (candidate pairs by blocking,
scoring, clusters; "not the same" decisions remembered) and /work/notes/matching-contract.md; the
blocks are those of the store (``keys.py``, ``search.py``), so that a pair the batch finds is one an
online search would find:

* the same identity number (the keyed hash when the record has one, else the number as typed,
  normalised) — everywhere;
* a name key (``names.blocking_keys`` of the name and former names) with a birth year the record
  allows (its date's, its year, or the years of an approximate age ±1) — everywhere;
* a name key alone — within the county (a child who moved within the county, with a wrong date);
* the birth date (also with day and month swapped when both can be months) with the sex (both when
  unknown) — within the county, a *weak* block (below).

A block of more than ``cap`` records says little (a popular name in a whole county): it is skipped
and counted in ``BlockStats``; a pair it held is still found when another block holds it too.

Memory: the keys of every record are hashed (64-bit) into ``PARTITIONS`` arrays, then each partition
is grouped on its own, and only blocks of two records or more are kept; pairs are generated record by
record (each record's blocks merged in a set), so no set of all pairs ever exists. At a million
records: about 1.5 kB per record, most of it the prepared records the scoring needs.

``deduplicate`` runs the whole path (blocks, scoring, clusters), on ``workers`` processes (fork):
each takes every ``workers``-th record's pairs (``bench/matching``; the job ``matching.dedup`` runs
the same steps in its own process, which holds a database connection that a fork would share). The
scoring of a pair is the engine's (``compare.compare_prepared``, ``model.score``, the bands of
``engine.Thresholds``, and a guarded pair is never 确定).
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from shouhu.core.memory import collector_paused
from shouhu.matching import names
from shouhu.matching.compare import Prepared, prepare
from shouhu.matching.engine import DEFAULT_THRESHOLDS, Band, Decider, Thresholds
from shouhu.matching.model import DEFAULT_WEIGHTS, Weights
from shouhu.matching.record import PersonRecord
from shouhu.registry import idnumber

K = TypeVar("K", bound=Hashable)

# Blocks of more records than this are split by place or year, or skipped (``Blocks``).
DEFAULT_CAP = 25
# Weak blocks (a part of a name) a pair must share when it shares no strong one (meta-blocking's
# "common blocks" rule: Papadakis et al., "Meta-Blocking", IEEE TKDE 26 (2014)).
WEAK_SHARED = 2
PARTITIONS = 16
COUNTY_DIGITS, TOWNSHIP_DIGITS = 6, 9
# The years an approximate age allows around its exact reading (``keys.AGE_SLACK_YEARS``).
AGE_SLACK_YEARS = 1
MAX_AGE = 150
EARLIEST_YEAR = 1900
LAST_MONTH = 12
SEXES = ("male", "female")
SEX_WORDS = {"male": "male", "m": "male", "男": "male", "female": "female", "f": "female", "女": "female"}
LINKING = frozenset({Band.CERTAIN, Band.LIKELY})  # the bands whose pairs join a cluster


# -- blocks ------------------------------------------------------------------------------------------


def _place(region_code: str) -> tuple[str, str]:
    """The county (6 digits) and township (9 digits) of a region code, "" where it does not say."""
    code = region_code.strip()
    if len(code) < COUNTY_DIGITS or not (code.isascii() and code.isdigit()):
        return "", ""
    county = code[:COUNTY_DIGITS] if code[4:6] != "00" else ""
    township = code[:TOWNSHIP_DIGITS] if county and len(code) >= TOWNSHIP_DIGITS and code[6:9] != "000" else ""
    return county, township


def _number(record: PersonRecord) -> str:
    """The identity number to block on ("" if none): the keyed hash, else the number normalised."""
    if record.id_number_hash:
        return "#" + record.id_number_hash
    text = record.id_number
    if not text:
        return ""
    if not (text.isascii() and text.isalnum()):
        text = idnumber.normalise(text)
    text = text.upper()
    return text if len(text) >= idnumber.LEGACY_LENGTH else ""


def _date_in_number(number: str) -> date | None:
    """The birth date an 18-character number gives (its digits 7-14), if they are a date."""
    if len(number) != idnumber.LENGTH or not number[6:14].isdigit():
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Blocking:
    """What a record is blocked on: its keys, and the county, township and birth years that split an
    oversized block.

    ``keys`` are whole: the identity number, the whole name (its folded pinyin, its sorted
    syllables) with the year or in the county. ``part_keys`` stand for a part of a name (a syllable
    dropped, the given name alone), and the birth date with the sex in the county: among a million
    children a day of birth holds a dozen children of one sex in a county, and as a strong block it
    made a third of the pairs compared for 0.15 % of the true pairs (``bench/matching``). A block is
    one key, whichever way its records hold it; two records sharing a key both hold whole share a
    *strong* block, otherwise a *weak* one.
    """

    keys: tuple[str, ...]
    part_keys: tuple[str, ...]
    county: str
    township: str
    years: range

    @property
    def every_key(self) -> tuple[str, ...]:
        return self.keys + self.part_keys


def _birth_years(record: PersonRecord, on: date, number: str) -> tuple[date | None, range]:
    """The birth date (None unless exact) and the birth years the record allows."""
    born = record.birth_date if record.birth_date is not None and record.birth_date <= on else None
    if born is not None:
        return born, range(born.year, born.year + 1)
    if record.birth_year is not None and EARLIEST_YEAR <= record.birth_year <= on.year:
        return None, range(record.birth_year, record.birth_year + 1)
    if record.age is not None and 0 <= record.age <= MAX_AGE:
        said_on = record.on or on
        # Aged a on a day: born in that day's year minus a, or the year before; ±1 year of slack.
        return None, range(
            said_on.year - record.age - 1 - AGE_SLACK_YEARS, said_on.year - record.age + 1 + AGE_SLACK_YEARS
        )
    born = _date_in_number(number) if number else None  # the engine reads the date in the number too
    if born is not None and born <= on:
        return born, range(born.year, born.year + 1)
    return None, range(0)


def blocking(record: PersonRecord, *, on: date) -> Blocking:
    """The blocks ``record`` is in: two records sharing a key are a candidate pair (see ``Blocks``)."""
    keys: list[str] = []
    part_keys: list[str] = []
    number = _number(record)
    if number:
        keys.append("i" + number)
    by_name = names.name_keys(record.names)
    whole = names.whole_name_keys(record.names)
    parts = by_name - whole
    born, years = _birth_years(record, on, number)
    county, township = _place(record.region_code)
    for year in years:
        keys.extend(f"y{year}|{key}" for key in whole)
        part_keys.extend(f"y{year}|{key}" for key in parts)
    if county:
        keys.extend(f"c{county}|{key}" for key in whole)
        part_keys.extend(f"c{county}|{key}" for key in parts)
        if born is not None:
            # One block for a date and the date with day and month swapped (03-02 and 02-03): a key
            # for each would make two blocks in common, a pair by the day alone.
            month, day = (born.month, born.day) if born.day > LAST_MONTH else sorted((born.month, born.day))
            sex = SEX_WORDS.get((record.sex or "").strip().lower())
            part_keys.extend(f"b{born.year}{month:02}{day:02}{s}{county}" for s in ((sex,) if sex else SEXES))
    return Blocking(tuple(keys), tuple(part_keys), county, township, years)


def block_keys(record: PersonRecord, *, on: date) -> tuple[str, ...]:
    """Every block ``record`` is in (``blocking(record, on=on).every_key``)."""
    return blocking(record, on=on).every_key


# Kinds of block, kept in the two low bits of a key's hash. An oversized block of a name with a
# birth year is split by county, then by township; one of a name in a county by township, then by
# year; a birth-date block by township; an oversized block of identity numbers is skipped.
ID_BLOCK, NAME_YEAR, NAME_COUNTY, BIRTH_BLOCK = range(4)
_KINDS = {"i": ID_BLOCK, "y": NAME_YEAR, "c": NAME_COUNTY, "b": BIRTH_BLOCK}
BY_COUNTY, BY_TOWNSHIP, BY_YEAR = "county", "township", "year"
SPLITS: dict[int, tuple[str, ...]] = {
    NAME_YEAR: (BY_COUNTY, BY_TOWNSHIP),
    NAME_COUNTY: (BY_TOWNSHIP, BY_YEAR),
    BIRTH_BLOCK: (BY_TOWNSHIP,),
}
# A birth-date block (one day, one sex, one county) may hold this many times ``cap`` records before
# it is split (by township).
BIRTH_CAP_FACTOR = 1
_NOWHERE = -1


def key_hash(key: str) -> int:
    """The 64-bit hash a block is grouped by, its kind in the two low bits (keys sharing one merely
    make a larger block)."""
    return (hash(key) & ~3) | _KINDS[key[0]]


@dataclass
class BlockStats:
    """What the blocking did: blocks kept, blocks split or skipped for their size, pairs produced."""

    records: int = 0
    memberships: int = 0  # (record, key) pairs before grouping
    blocks: int = 0  # blocks (or parts of a split block) of two records or more within the cap
    largest: int = 0  # the largest block kept
    split: int = 0  # blocks above the cap split by county, township or year
    oversized: int = 0  # blocks (or parts of a split block) skipped: more than ``cap`` records
    oversized_members: int = 0
    pairs: int = 0  # distinct candidate pairs produced (counted as they are produced)
    oversized_hashes: set[int] = field(default_factory=set)  # the skipped blocks' ``key_hash``

    def as_json(self) -> dict[str, int]:
        return {
            "records": self.records,
            "memberships": self.memberships,
            "blocks": self.blocks,
            "largest": self.largest,
            "split": self.split,
            "oversized": self.oversized,
            "oversized_members": self.oversized_members,
            "pairs": self.pairs,
        }


class Blocks:
    """Each record's blocks (by position); blocks of one record are dropped, oversized ones split or skipped.

    A block of more than ``cap`` records is split (``SPLITS``): a name with a birth year by county,
    then township; a name in a county by township, then birth year — the parts hold the records of
    that name, year and place, and a record that does not say the place or the year is in every
    part. A part still above the cap, and any other oversized block, is skipped and counted
    (``stats``).

    Pairs: two records sharing a strong block (both hold its key whole), or ``weak_shared`` weak
    ones (meta-blocking's common-blocks rule), each pair once.
    """

    def __init__(
        self, records: Iterable[PersonRecord], *, on: date, cap: int = DEFAULT_CAP, weak_shared: int = WEAK_SHARED
    ) -> None:
        self.stats = BlockStats()
        self.cap = cap
        self.weak_shared = weak_shared
        hashes = [array("q") for _ in range(PARTITIONS)]
        entries = [array("q") for _ in range(PARTITIONS)]  # position × 2, + 1 when the key is whole
        places: dict[str, int] = {}
        self.county = array("l")
        self.township = array("l")
        self.first_year = array("l")
        self.years = array("l")
        count = 0
        for position, record in enumerate(records):
            blocked = blocking(record, on=on)
            self.county.append(places.setdefault(blocked.county, len(places)) if blocked.county else _NOWHERE)
            self.township.append(places.setdefault(blocked.township, len(places)) if blocked.township else _NOWHERE)
            self.first_year.append(blocked.years.start if blocked.years else 0)
            self.years.append(len(blocked.years))
            for whole, keys in ((1, blocked.keys), (0, blocked.part_keys)):
                for key in set(keys):
                    h = key_hash(key)
                    part = (h >> 2) % PARTITIONS
                    hashes[part].append(h)
                    entries[part].append(2 * position + whole)
                self.stats.memberships += len(keys)
            count = position + 1
        self.stats.records = count
        self.strong: list[list[Sequence[int]]] = [[] for _ in range(count)]
        self.weak: list[list[Sequence[int]]] = [[] for _ in range(count)]
        for part in range(PARTITIONS):
            self._group(hashes[part], entries[part])
            hashes[part] = entries[part] = array("q")  # free the partition

    def _group(self, hashes: array[int], entries: array[int]) -> None:
        grouped: dict[int, Any] = {}  # a block of one record holds the int, then a list
        for h, entry in zip(hashes, entries, strict=True):
            members = grouped.get(h)
            if members is None:
                grouped[h] = entry
            elif type(members) is int:
                grouped[h] = [members, entry]
            else:
                members.append(entry)
        for h, members in grouped.items():
            if type(members) is not int:
                self._place_block(h, members, SPLITS.get(h & 3, ()))

    def _place_block(self, h: int, members: list[int], splits: tuple[str, ...]) -> None:
        if len(members) <= (self.cap * BIRTH_CAP_FACTOR if h & 3 == BIRTH_BLOCK else self.cap):
            self._keep(members)
        elif not splits:
            self.stats.oversized += 1
            self.stats.oversized_members += len(members)
            self.stats.oversized_hashes.add(h)
        else:
            self.stats.split += 1
            for part in self._split(members, splits[0]):
                self._place_block(h, part, splits[1:])

    def _split(self, members: list[int], by: str) -> list[list[int]]:
        """The parts of a block by county, township or year; a record that does not say it (no
        region, only a county, no birth year) is in every part."""
        parts: dict[int, list[int]] = {}
        loose: list[int] = []
        for entry in members:
            position = entry >> 1
            if by == BY_YEAR:
                first, count = self.first_year[position], self.years[position]
                if not count:
                    loose.append(entry)
                for year in range(first, first + count):
                    parts.setdefault(year, []).append(entry)
            else:
                place = (self.county if by == BY_COUNTY else self.township)[position]
                if place == _NOWHERE:
                    loose.append(entry)
                else:
                    parts.setdefault(place, []).append(entry)
        if not parts:
            return [loose]
        return [part + loose for part in parts.values() if len(part) + len(loose) > 1]

    def _keep(self, members: list[int]) -> None:
        stats = self.stats
        stats.blocks += 1
        stats.largest = max(stats.largest, len(members))
        whole = tuple(entry >> 1 for entry in members if entry & 1)
        part = tuple(entry >> 1 for entry in members if not entry & 1)
        if len(whole) > 1:
            for position in whole:
                self.strong[position].append(whole)
        if part:
            for position in whole:
                self.weak[position].append(part)
            every = whole + part
            for position in part:
                self.weak[position].append(every)

    def is_candidate(self, i: int, j: int) -> bool:
        """Whether the records at positions ``i`` and ``j`` make a pair (one that ``pairs`` gives)."""
        if any(j in block for block in self.strong[i]):
            return True
        shared = sum(j in block for block in self.weak[i])
        return shared >= max(self.weak_shared, 1)

    def pairs(self, *, start: int = 0, step: int = 1) -> Iterator[tuple[int, int]]:
        """Distinct pairs (i, j), i < j, for i = start, start + step, …: records sharing a strong
        block, or ``weak_shared`` weak ones."""
        for i in range(start, len(self.strong), step):
            strong, weak = self.strong[i], self.weak[i]
            if not weak:
                if not strong:
                    continue
                others: Iterable[int] = strong[0] if len(strong) == 1 else set().union(*strong)
            else:
                chosen = set().union(*strong)
                if self.weak_shared <= 1:
                    chosen.update(*weak)
                elif len(weak) >= self.weak_shared:
                    counts = Counter(itertools.chain.from_iterable(weak))
                    chosen.update(j for j, seen in counts.items() if seen >= self.weak_shared)
                others = chosen
            for j in others:
                if j > i:
                    yield i, j


def candidate_pairs(
    items: Iterable[tuple[K, PersonRecord]],
    *,
    on: date,
    cap: int = DEFAULT_CAP,
    weak_shared: int = WEAK_SHARED,
    stats: BlockStats | None = None,
) -> Iterator[tuple[K, K]]:
    """Each pair of records sharing a block once (in the order of ``items``: the earlier key first).

    ``stats``, when given, is filled in: blocks kept and skipped, and the pairs as they are produced.
    """
    keys: list[K] = []

    def records() -> Iterator[PersonRecord]:
        for key, record in items:
            keys.append(key)
            yield record

    blocks = Blocks(records(), on=on, cap=cap, weak_shared=weak_shared)
    if stats is not None:
        stats.__dict__.update(blocks.stats.__dict__)
    for i, j in blocks.pairs():
        if stats is not None:
            stats.pairs += 1
        yield keys[i], keys[j]


# -- scoring -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoredPair(Generic[K]):
    a: K
    b: K
    probability: float
    band: Band | None


def count_names(prepared: Iterable[Prepared], counts: Mapping[str, int] | None = None) -> Mapping[str, int]:
    """Sets each record's ``name_count`` (``model`` rule 4): how many records are under the key of
    its name (``names.name_key``) — ``counts`` when given (the store's, ``keys.name_counts``), else
    counted among these records (current and former names, each record once). Returns the counts."""
    records = list(prepared)
    if counts is None:
        counted: Counter[str] = Counter()
        for item in records:
            counted.update({names.name_key(text) for text in item.record.names if text} - {""})
        counts = counted
    for item in records:
        item.name_count = counts.get(names.current_name_key(item.record.names), 0)
    return counts


def score_pairs(
    pairs: Iterable[tuple[K, K]],
    prepared: Callable[[K], Prepared] | dict[K, Prepared],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    keep_all: bool = False,
) -> Iterator[ScoredPair[K]]:
    """Each pair scored (records prepared once by the caller: ``compare.prepare``); only the pairs
    that reach a band unless ``keep_all``."""
    get = prepared.__getitem__ if isinstance(prepared, dict) else prepared
    decide = Decider(weights, thresholds)
    for a, b in pairs:
        probability, band = decide(get(a), get(b))
        if band is not None or keep_all:
            yield ScoredPair(a, b, probability, band)


# -- clusters ----------------------------------------------------------------------------------------


def clusters(
    pairs_with_bands: Iterable[tuple[K, K, Band | str | None]], *, apart: Collection[tuple[K, K]] = ()
) -> list[set[K]]:
    """Records linked by pairs of 很可能 and above (union-find), largest first; a pair decided
    "not the same" (in ``apart``, either order) does not link. Records alone are not listed."""
    parent: dict[K, K] = {}

    def root(x: K) -> K:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, band in pairs_with_bands:
        if band not in LINKING or (a, b) in apart or (b, a) in apart:
            continue
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict[K, set[K]] = {}
    for x in parent:
        groups.setdefault(root(x), set()).add(x)
    return sorted((g for g in groups.values() if len(g) > 1), key=len, reverse=True)


# -- the whole path ----------------------------------------------------------------------------------


@dataclass
class Deduplication(Generic[K]):
    pairs: list[ScoredPair[K]]  # the pairs that reach a band (the earlier of ``items`` first)
    clusters: list[set[K]]
    stats: BlockStats
    seconds: dict[str, float]
    blocks: Blocks  # by position in the blocking order (``position``)
    position: array[int]  # of the ``i``-th of ``items`` in the blocking order

    def is_candidate(self, a: int, b: int) -> bool:
        """Whether the ``a``-th and ``b``-th of ``items`` made a candidate pair."""
        return self.blocks.is_candidate(self.position[a], self.position[b])


# What a forked worker reads (set by ``deduplicate`` before the fork, shared copy-on-write).
_shared: dict[str, Any] = {}


def _build_blocks() -> Blocks:
    return Blocks(_shared["records"], on=_shared["on"], cap=_shared["cap"], weak_shared=_shared["weak_shared"])


def _score_share(share: int) -> tuple[list[tuple[int, int, float, Band | None]], int]:
    blocks: Blocks = _shared["blocks"]
    prepared: list[Prepared] = _shared["prepared"]
    decide = Decider(_shared["weights"], _shared["thresholds"])
    kept: list[tuple[int, int, float, Band | None]] = []
    count = 0
    for i, j in blocks.pairs(start=share, step=_shared["workers"]):
        count += 1
        probability, band = decide(prepared[i], prepared[j])
        if band is not None:
            kept.append((i, j, probability, band))
    return kept, count


def deduplicate(
    items: Iterable[tuple[K, PersonRecord]],
    *,
    on: date,
    weights: Weights = DEFAULT_WEIGHTS,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    cap: int = DEFAULT_CAP,
    weak_shared: int = WEAK_SHARED,
    workers: int = 1,
    apart: Collection[tuple[K, K]] = (),
) -> Deduplication[K]:
    """Blocks, scores and clusters ``items`` (records held in memory); ``workers`` processes score.

    With more than one worker, a forked process builds the blocks while this one prepares the
    records (blocks travel back in a second or so a hundred thousand records; prepared records would
    cost as much to send as to make).
    """
    with collector_paused():
        return _deduplicate(
            items,
            on=on,
            weights=weights,
            thresholds=thresholds,
            cap=cap,
            weak_shared=weak_shared,
            workers=workers,
            apart=apart,
        )


def _deduplicate(
    items: Iterable[tuple[K, PersonRecord]],
    *,
    on: date,
    weights: Weights,
    thresholds: Thresholds,
    cap: int,
    weak_shared: int,
    workers: int,
    apart: Collection[tuple[K, K]],
) -> Deduplication[K]:
    seconds: dict[str, float] = {}
    mark = time.perf_counter()
    keys: list[K] = []
    given: list[PersonRecord] = []
    for key, record in items:
        keys.append(key)
        given.append(record)
    # The records of one name side by side, so that a block's records are prepared next to each other
    # in memory and the scoring reads them from nearby (at 400 k records a quarter less time a pair);
    # positions are in this order, ``order`` maps them back to the items'.
    nearby = [_nearby(record) for record in given]
    order = sorted(range(len(given)), key=nearby.__getitem__)
    records = [given[p] for p in order]
    del given, nearby
    if workers > 1:
        _shared.update(records=records, on=on, cap=cap, weak_shared=weak_shared)
        try:
            with multiprocessing.get_context("fork").Pool(1) as pool:
                building = pool.apply_async(_build_blocks)
                prepared = [prepare(record, on=on) for record in records]
                count_names(prepared)
                seconds["prepare"] = time.perf_counter() - mark
                blocks: Blocks = building.get()
        finally:
            _shared.clear()
        seconds["blocks (with prepare, 2 proc.)"] = time.perf_counter() - mark
    else:
        blocks = Blocks(records, on=on, cap=cap, weak_shared=weak_shared)
        seconds["blocks"] = time.perf_counter() - mark
        mark = time.perf_counter()
        prepared = [prepare(record, on=on) for record in records]
        count_names(prepared)
        seconds["prepare"] = time.perf_counter() - mark
    mark = time.perf_counter()
    _shared.update(blocks=blocks, prepared=prepared, weights=weights, thresholds=thresholds, workers=workers)
    try:
        if workers > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_score_share, range(workers))
        else:
            results = [_score_share(0)]
    finally:
        _shared.clear()
    blocks.stats.pairs = sum(count for _kept, count in results)
    found = [
        ScoredPair(keys[a], keys[b], p, band) if a < b else ScoredPair(keys[b], keys[a], p, band)
        for kept, _count in results
        for a, b, p, band in ((order[i], order[j], p, band) for i, j, p, band in kept)
    ]
    seconds["score"] = time.perf_counter() - mark
    mark = time.perf_counter()
    groups = clusters(((pair.a, pair.b, pair.band) for pair in found), apart=apart)
    seconds["clusters"] = time.perf_counter() - mark
    position = array("l", bytes(len(order) * array("l").itemsize))
    for at, index in enumerate(order):
        position[index] = at
    return Deduplication(
        pairs=found, clusters=groups, stats=blocks.stats, seconds=seconds, blocks=blocks, position=position
    )


def _nearby(record: PersonRecord) -> tuple[str, str]:
    return (record.names[0] if record.names else "", record.region_code)
