"""Is this the same child? A probability, a band (确定 / 很可能 / 可能) and the evidence for and against.

Pure module but for ``thresholds``, which reads the policy settings. Source: issue 4 ("each
candidate comes back with a score, a band and the evidence for and against, field by field, in
words a caseworker understands … their thresholds are settings"; bad input never crashes, the
engine says what it could not use) and docs/architecture.md ("Matching").

``match`` scores one pair, ``rank`` a query against candidates (the store's blocking gives a few
hundred): each record is prepared once (``compare.prepare``), a pair then costs microseconds, and
the evidence sentences are built only for candidates that reach a band. The band is the highest
whose threshold the probability reaches, except that a guard (``model.guards``: two different
identity numbers, the sibling or twin pattern) keeps a pair out of 确定: the probability is then
held just below the 确定 threshold so that score and band agree.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_noop, pgettext_lazy

from shouhu.matching import model
from shouhu.matching.compare import (
    FIELDS,
    Comparison,
    Evidence,
    Field,
    Prepared,
    compare_prepared,
    levels_prepared,
    prepare,
)
from shouhu.matching.model import DEFAULT_WEIGHTS, Weights, guards, score
from shouhu.matching.record import PersonRecord
from shouhu.registry.facts import Reason

K = TypeVar("K")

CERTAIN_SETTING = "matching.certain_percent"
LIKELY_SETTING = "matching.likely_percent"
POSSIBLE_SETTING = "matching.possible_percent"
PERCENT = 100
# How far below the 确定 threshold a guarded pair's probability is held.
GUARD_MARGIN = 1e-4
COMMON_NAME = gettext_noop("A common name: %(count)d records on file sound like %(name)s, so agreeing on it says less")
RARE_NAME = gettext_noop("A rare name: only %(count)d records on file sound like %(name)s")
_NAME = FIELDS.index(Field.NAME)
# Levels of evidence that qualify a field's own level rather than replace it.
COMMON, RARE = "common", "rare"
QUALIFYING_LEVELS = frozenset({COMMON, RARE})


class Band(models.TextChoices):
    CERTAIN = "certain", pgettext_lazy("match band", "Certain")  # 确定
    LIKELY = "likely", pgettext_lazy("match band", "Likely")  # 很可能
    POSSIBLE = "possible", pgettext_lazy("match band", "Possible")  # 可能


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The lowest probability of each band (0-1), highest band first."""

    certain: float
    likely: float
    possible: float

    def __post_init__(self) -> None:
        if not 0 < self.possible <= self.likely <= self.certain <= 1:
            raise ValueError(f"thresholds must be 0 < possible ≤ likely ≤ certain ≤ 1: {self}")

    @classmethod
    def from_percents(cls, certain: int, likely: int, possible: int) -> Thresholds:
        """From whole percentages as the settings hold them; an inverted order is straightened."""
        certain_p = min(max(certain, 1), PERCENT) / PERCENT
        likely_p = min(max(likely, 1) / PERCENT, certain_p)
        return cls(certain=certain_p, likely=likely_p, possible=min(max(possible, 1) / PERCENT, likely_p))

    def band(self, probability: float) -> Band | None:
        if probability >= self.certain:
            return Band.CERTAIN
        if probability >= self.likely:
            return Band.LIKELY
        if probability >= self.possible:
            return Band.POSSIBLE
        return None


DEFAULT_THRESHOLDS = Thresholds.from_percents(99, 80, 20)  # the settings' defaults (policy.definitions)


def thresholds(on: date | None = None) -> Thresholds:
    """The thresholds in force on ``on`` (policy settings ``matching.*_percent``; default today)."""
    from shouhu.policy import selectors  # noqa: PLC0415 (policy reads the database; the rest of the module is pure)

    values = [selectors.get(key, on) for key in (CERTAIN_SETTING, LIKELY_SETTING, POSSIBLE_SETTING)]
    certain, likely, possible = (int(value) for value in values)  # type: ignore[arg-type]  # INTEGER settings
    return Thresholds.from_percents(certain, likely, possible)


_thresholds_in_force = thresholds  # ``match`` and ``rank`` take a parameter of the same name


@dataclass(frozen=True, slots=True)
class WeighedEvidence:
    """One field's evidence and its weight in bits (positive: for the same person)."""

    field: Field
    level: str
    reason: Reason
    weight: float

    def as_json(self) -> dict[str, Any]:
        return {"field": str(self.field), "level": self.level, "weight": round(self.weight, 2), **self.reason.as_json()}


@dataclass(frozen=True, slots=True)
class Match:
    probability: float
    band: Band | None
    evidence_for: tuple[WeighedEvidence, ...]  # strongest first
    evidence_against: tuple[WeighedEvidence, ...]  # strongest first
    unused: tuple[Reason, ...]  # what could not be used, and why
    guards: tuple[Reason, ...] = ()  # why the pair may not be 确定
    log2_ratio: float = 0.0
    comparison: Comparison | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (for a review row): sentences as ``{"msg", "args"}``, rendered by ``explain``."""
        return {
            "probability": round(self.probability, 6),
            "band": self.band.value if self.band is not None else None,
            "log2_ratio": round(self.log2_ratio, 3),
            "levels": self.comparison.as_dict() if self.comparison is not None else {},
            "for": [evidence.as_json() for evidence in self.evidence_for],
            "against": [evidence.as_json() for evidence in self.evidence_against],
            "guards": [reason.as_json() for reason in self.guards],
            "unused": [reason.as_json() for reason in self.unused],
        }


def _weighed(evidence: Iterable[Evidence], weights: Weights) -> tuple[list[WeighedEvidence], list[WeighedEvidence]]:
    for_: list[WeighedEvidence] = []
    against: list[WeighedEvidence] = []
    for item in evidence:
        if item.reason is None:
            continue
        weight = weights.weight(item.field, item.level)
        weighed = WeighedEvidence(item.field, item.level, item.reason, weight)
        if weight > 0:
            for_.append(weighed)
        elif weight < 0:
            against.append(weighed)
    for_.sort(key=lambda e: -e.weight)
    against.sort(key=lambda e: e.weight)
    return for_, against


def _held(probability: float, guarded: bool, limits: Thresholds) -> tuple[float, Band | None]:
    """The band of a probability; a guarded pair is held just below 确定 so that score and band agree."""
    band = limits.band(probability)
    if band == Band.CERTAIN and guarded:
        probability = max(limits.certain - GUARD_MARGIN, limits.likely)
        band = limits.band(probability)
        if band == Band.CERTAIN:  # thresholds too close together to hold it below
            band = Band.LIKELY
    return probability, band


def _name_count(a: Prepared, b: Prepared) -> int:
    """The namesakes of a pair (rule 4): both records are under one name key when the rule applies."""
    return max(a.name_count, b.name_count)


def _decide(
    comparison: Comparison, weights: Weights, limits: Thresholds, name_count: int
) -> tuple[float, float, Band | None, tuple[Reason, ...]]:
    scored = score(comparison, weights, name_count=name_count)
    held = guards(comparison) if limits.band(scored.probability) == Band.CERTAIN else ()
    probability, band = _held(scored.probability, bool(held), limits)
    return probability, scored.log2_ratio, band, held


class Decider:
    """The probability and band of two prepared records without the sentences (``match`` with the
    same weights and thresholds says the same): what batch scoring needs. The outcome of each
    combination of field levels and namesakes' count (``model.namesakes_class``) is kept — a batch
    meets a few thousand combinations in millions of pairs."""

    def __init__(self, weights: Weights = DEFAULT_WEIGHTS, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.weights = weights
        self.thresholds = thresholds
        self._known: dict[tuple[tuple[str, ...], int], tuple[float, Band | None]] = {}

    def levels(self, levels: tuple[str, ...], name_count: int = 0) -> tuple[float, Band | None]:
        key = (levels, model.namesakes_class(levels[_NAME], name_count, self.weights))
        known = self._known.get(key)
        if known is None:
            bits = model.bits(levels, self.weights) + model.common_name_bits(levels[_NAME], name_count, self.weights)
            guarded = bool(model.guard_messages(levels))
            known = self._known[key] = _held(model.probability(bits, self.weights), guarded, self.thresholds)
        return known

    def __call__(self, a: Prepared, b: Prepared) -> tuple[float, Band | None]:
        return self.levels(levels_prepared(a, b), _name_count(a, b))


def _common_name(comparison: Comparison, weights: Weights, name_count: int) -> WeighedEvidence | None:
    """Rule 4 said in words: the name's agreement weighs less (or more) for how common it is."""
    weight = model.common_name_bits(comparison.levels[_NAME], name_count, weights)
    detail = comparison.details[_NAME]
    if not weight or detail is None:
        return None
    args = {"count": name_count, "name": detail[1]["a"]}
    level = COMMON if weight < 0 else RARE
    return WeighedEvidence(Field.NAME, level, Reason(COMMON_NAME if weight < 0 else RARE_NAME, args), weight)


def _match(comparison: Comparison, weights: Weights, limits: Thresholds, name_count: int = 0) -> Match:
    probability, bits, band, held = _decide(comparison, weights, limits, name_count)
    for_, against = _weighed(comparison.evidence, weights)
    common = _common_name(comparison, weights, name_count)
    if common is not None:
        (against if common.weight < 0 else for_).append(common)
        for_.sort(key=lambda e: -e.weight)
        against.sort(key=lambda e: e.weight)
    if not held:
        held = guards(comparison)  # said even when the score is far from 确定: a caseworker should know
    return Match(
        probability=probability,
        band=band,
        evidence_for=tuple(for_),
        evidence_against=tuple(against),
        unused=comparison.unused,
        guards=held,
        log2_ratio=bits,
        comparison=comparison,
    )


def match_prepared(a: Prepared, b: Prepared, *, weights: Weights, thresholds: Thresholds) -> Match:
    """``match`` for records already prepared (batch scoring prepares each record once)."""
    return _match(compare_prepared(a, b), weights, thresholds, _name_count(a, b))


def match(
    a: PersonRecord,
    b: PersonRecord,
    *,
    on: date,
    weights: Weights | None = None,
    thresholds: Thresholds | None = None,
    name_count: int = 0,
) -> Match:
    """The probability that ``a`` and ``b`` are one person, its band and the evidence; never raises on bad input.

    ``thresholds`` defaults to the policy settings in force on ``on``; ``weights`` to ``weights.json``;
    ``name_count``: the records on file under the name's key (``model`` rule 4; 0: not known).
    """
    limits = thresholds if thresholds is not None else _thresholds_in_force(on)
    first, second = prepare(a, on=on), prepare(b, on=on)
    first.name_count = name_count
    return match_prepared(first, second, weights=weights or DEFAULT_WEIGHTS, thresholds=limits)


def rank(
    query: PersonRecord,
    candidates: Iterable[tuple[K, PersonRecord]],
    *,
    on: date,
    limit: int = 10,
    weights: Weights | None = None,
    thresholds: Thresholds | None = None,
    name_count: int = 0,
) -> list[tuple[K, Match]]:
    """The candidates that reach a band, best first (at most ``limit``), each with its ``Match``.

    ``name_count``: the records on file under the query's name key, the query included (``model``
    rule 4: a common name weighs less; 0: not known)."""
    limits = thresholds if thresholds is not None else _thresholds_in_force(on)
    chosen = weights or DEFAULT_WEIGHTS
    prepared = prepare(query, on=on)
    prepared.name_count = name_count
    decide = Decider(chosen, limits)  # levels only: the sentences are built for the few kept
    kept: list[tuple[float, int, K, Prepared]] = []
    for order, (key, record) in enumerate(candidates):
        other = prepare(record, on=on)
        probability, band = decide(prepared, other)
        if band is not None:
            kept.append((probability, -order, key, other))
    best = heapq.nlargest(limit, kept, key=lambda item: (item[0], item[1]))
    return [
        (key, _match(compare_prepared(prepared, other), chosen, limits, name_count)) for _p, _order, key, other in best
    ]
