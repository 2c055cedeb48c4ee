"""How much each field's level says: a Fellegi-Sunter model, calibrated, with guards beyond it.

Pure module. Sources: Fellegi & Sunter, "A Theory for Record Linkage", JASA 64 (1969) — every field
level has an m probability (how often a true pair shows it) and a u probability (how often two
different people among the candidates show it), and log2(m/u) is the weight of evidence it adds;
issue 4 ("scores are calibrated on labelled data", twins and siblings never 确定).

- ``Weights``: m and u per field level, the prior (the share of true pairs among candidate pairs),
  the household and sibling discounts and a logistic calibration (slope, intercept, in bits). JSON form:
  ``Weights.to_json()`` / ``Weights.from_json()``; the shipped ``weights.json`` is ``DEFAULT_WEIGHTS``:
  hand-set with a reason per level, then the sizes tuned on pair F1 over labelled training sets
  (``bench/matching.py --tune``), the rules below kept.
- ``fit(labelled)``: frequency estimates with add-one smoothing from labelled candidate pairs, the
  discounts chosen and the calibration fitted by maximum likelihood on the same pairs.
  Pairs must be drawn the way they will be scored (candidate pairs from blocking), or the prior and
  the u probabilities are those of another population.
- ``score(comparison, weights)``: ``Scored(probability, log2_ratio)``.

Rules beyond independence, each with its reason:

1. A missing field weighs nothing: that a field is empty says how a record was taken, not who it is.
2. Household evidence counts once: a shared guardian, a shared phone and the same village are, for
   two children of one family, one fact (the family) seen three times. Their positive weights are
   not summed: the largest counts in full, the others times ``household_discount``. And when the
   given names differ (王小明 / 王小红), "same family" is exactly what siblings share: all positive
   household evidence is then multiplied by ``sibling_discount`` (hand-set 0: it counts for nothing).
3. ``guards(comparison)``: two different identity numbers (not a typo apart) are never 确定, and
   neither is the sibling or twin pattern — the same family (guardian, phone or village) with a
   different given name, one with a character missing (孙欣: 孙欣妍 or her twin 孙欣怡), one a
   dialect merges (沐阳 / 沐妍) or one in the other order (煜逸 / 奕瑜) — however much else agrees:
   only a person may decide those.
4. A common name says less (term frequency, as Splink's term-frequency adjustment): two strangers
   agree on 张子涵 far more often than on 阚汐玥. When the names agree in sound (same, normalised,
   homophone, dialect: one folded pinyin key) and the number of children on file under that key is
   known (``Prepared.name_count``), the name's weight moves by log2(reference / count) bits, held
   within [lowest, highest] (``Weights.common_name``): a candidate pair of a name ``count`` children
   share is one of about ``count`` namesakes, of whom one at most is the same child.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from shouhu.matching.compare import (
    FIELDS,
    LEVELS,
    MISSING,
    SAME_NAME_LEVELS,
    Comparison,
    Field,
    GuardianLevel,
    IdLevel,
    NameLevel,
    PhoneLevel,
    RegionLevel,
)
from shouhu.registry.facts import Reason

WEIGHTS_PATH = Path(__file__).resolve().parent / "weights.json"
FORMAT = 1
HOUSEHOLD_FIELDS = (Field.GUARDIAN, Field.PHONE, Field.REGION)
DISCOUNTS = (0.0, 0.25, 0.5, 0.75, 1.0)  # what ``fit`` tries for each discount
MIN_PROBABILITY = 1e-12
CALIBRATION_STEPS = 50

GUARD_DIFFERENT_ID = gettext_noop("Two different identity numbers: never certain without a person's check")
GUARD_SIBLINGS = gettext_noop(
    "Looks like siblings or twins (same family, different given names): never certain without a person's check"
)
_FAMILY = {
    Field.GUARDIAN: GuardianLevel.SHARED,
    Field.PHONE: PhoneLevel.SHARED,
    Field.REGION: RegionLevel.VILLAGE,
}
# 王小明 / 王小红 (siblings often share a generation character), 王小明 / 王伟, 王小明 / 李伟.
_DIFFERENT_GIVEN_NAME = frozenset({NameLevel.ONE_DIFFERENT, NameLevel.SURNAME_ONLY, NameLevel.DIFFERENT})
# The guard also holds, in the family, a name with a character missing (孙欣 may be 孙欣妍 or her twin
# 孙欣怡: twins' names often share a character), names a dialect merges (郭沐阳 / 郭沐妍, yang / yan)
# and a given name read in the other order (杜煜逸 / 杜奕瑜, yu yi / yi yu): ``bench/matching`` found
# such twins in 确定. The sibling discount does not apply to them: the same child written so keeps
# the family's evidence.
_SIBLING_NAMES = _DIFFERENT_GIVEN_NAME | {NameLevel.ONE_MISSING, NameLevel.DIALECT, NameLevel.SWAPPED}


@dataclass(frozen=True)
class Weights:
    """m and u per field level, the prior, the household and sibling discounts and the calibration."""

    prior: float
    m: Mapping[str, Mapping[str, float]]
    u: Mapping[str, Mapping[str, float]]
    household_discount: float = 0.5
    sibling_discount: float = 0.0
    calibration: tuple[float, float] = (1.0, 0.0)  # slope, intercept (bits): z = slope × log2 odds + intercept
    # Rule 4: the count of namesakes at which a name weighs its table weight, and the lowest and
    # highest change in bits (reference 0: names are not weighed by how common they are).
    common_name: tuple[float, float, float] = (0.0, 0.0, 0.0)
    notes: Mapping[str, Any] = field(default_factory=dict)  # where the figures come from (kept in JSON)
    # log2(m/u) per field (in FIELDS order) and level; 0 for a missing field (rule 1).
    table: tuple[Mapping[str, float], ...] = field(init=False, repr=False, compare=False)
    prior_bits: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in FIELDS:
            for level in LEVELS[name]:
                for kind, probabilities in (("m", self.m), ("u", self.u)):
                    value = probabilities.get(name, {}).get(level)
                    if value is None or not 0 < value < 1:
                        raise ValueError(f"{kind} of {name}.{level} must be a probability in (0, 1), not {value!r}")
        if not 0 < self.prior < 1:
            raise ValueError(f"the prior must be in (0, 1), not {self.prior!r}")
        if not (0 <= self.household_discount <= 1 and 0 <= self.sibling_discount <= 1):
            raise ValueError("the household and sibling discounts must be in [0, 1]")
        reference, lowest, highest = self.common_name
        if reference < 0 or not lowest <= 0 <= highest:
            raise ValueError(f"common_name must be (reference ≥ 0, lowest ≤ 0, highest ≥ 0), not {self.common_name!r}")
        table = tuple(
            {
                level: 0.0 if level == MISSING else math.log2(self.m[name][level] / self.u[name][level])
                for level in LEVELS[name]
            }
            for name in FIELDS
        )
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "prior_bits", math.log2(self.prior / (1 - self.prior)))

    def weight(self, name: Field | str, level: str) -> float:
        """The weight of evidence (bits) of a field's level: log2(m/u), 0 when missing."""
        return self.table[FIELDS.index(Field(name))][level]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "notes": dict(self.notes),
            "prior": self.prior,
            "household_discount": self.household_discount,
            "sibling_discount": self.sibling_discount,
            "calibration": {"slope": self.calibration[0], "intercept": self.calibration[1]},
            "common_name": dict(zip(("reference", "lowest", "highest"), self.common_name, strict=True)),
            "fields": {
                name.value: {level: {"m": self.m[name][level], "u": self.u[name][level]} for level in LEVELS[name]}
                for name in FIELDS
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> Weights:
        """Weights from their JSON form (a mapping or its text); extra keys (notes per level) are ignored."""
        if isinstance(data, str):
            data = json.loads(data)
        assert isinstance(data, Mapping)  # noqa: S101 (for mypy: json.loads returns Any)
        if data.get("format") != FORMAT:
            raise ValueError(f"weights format {data.get('format')!r} is not {FORMAT}")
        fields = data["fields"]
        calibration = data.get("calibration", {})
        common = data.get("common_name", {})
        return cls(
            prior=float(data["prior"]),
            m={name: {level: float(v["m"]) for level, v in fields[name].items()} for name in fields},
            u={name: {level: float(v["u"]) for level, v in fields[name].items()} for name in fields},
            household_discount=float(data.get("household_discount", 0.5)),
            sibling_discount=float(data.get("sibling_discount", 0.0)),
            calibration=(float(calibration.get("slope", 1.0)), float(calibration.get("intercept", 0.0))),
            common_name=(
                float(common.get("reference", 0.0)),
                float(common.get("lowest", 0.0)),
                float(common.get("highest", 0.0)),
            ),
            notes=dict(data.get("notes", {})),
        )

    def save(self, path: Path = WEIGHTS_PATH) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> Weights:
        return cls.from_json(path.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Scored:
    probability: float  # calibrated probability that the two records are one person
    log2_ratio: float  # the weight of evidence in bits (prior included, before calibration)


_OTHER_INDEXES = tuple(index for index, name in enumerate(FIELDS) if name not in HOUSEHOLD_FIELDS)
_GUARDIAN, _PHONE, _REGION = (FIELDS.index(name) for name in HOUSEHOLD_FIELDS)
_NAME = FIELDS.index(Field.NAME)


def _bits(levels: tuple[str, ...], weights: Weights, discounts: tuple[float, float]) -> float:
    table = weights.table
    total = weights.prior_bits
    for index in _OTHER_INDEXES:
        total += table[index][levels[index]]
    household = (
        table[_GUARDIAN][levels[_GUARDIAN]],
        table[_PHONE][levels[_PHONE]],
        table[_REGION][levels[_REGION]],
    )
    # Rule 2: the largest positive household weight in full, the other positive ones discounted;
    # all of them discounted again when the given names differ (siblings).
    positive = [bits for bits in household if bits > 0]
    total += sum(bits for bits in household if bits <= 0)
    if positive:
        largest = max(positive)
        same_family = largest + discounts[0] * (sum(positive) - largest)
        if levels[_NAME] in _DIFFERENT_GIVEN_NAME:
            same_family *= discounts[1]
        total += same_family
    return total


MAX_BITS = 1000.0  # 2.0**1000 is near the largest float


def _probability(bits: float, calibration: tuple[float, float]) -> float:
    z = calibration[0] * bits + calibration[1]
    if z < -MAX_BITS:
        return 0.0
    return 1.0 / (1.0 + math.exp2(-z))


def bits(levels: tuple[str, ...], weights: Weights) -> float:
    """The weight of evidence (bits, prior included) of field levels in ``FIELDS`` order (rules 1-2)."""
    return _bits(levels, weights, (weights.household_discount, weights.sibling_discount))


def probability(log2_ratio: float, weights: Weights) -> float:
    """The calibrated probability of a weight of evidence."""
    return _probability(log2_ratio, weights.calibration)


# Name levels that agree on the whole folded pinyin: the pair is among the namesakes of one key.
COMMON_NAME_LEVELS = frozenset({NameLevel.SAME, NameLevel.NORMALISED, NameLevel.HOMOPHONE, NameLevel.DIALECT})


def common_name_bits(name_level: str, count: int, weights: Weights) -> float:
    """Rule 4: how many bits a name agreement gains (rare name) or loses (common name) because
    ``count`` children on file share its sound; 0 when the count is unknown (0) or the names do not agree."""
    reference, lowest, highest = weights.common_name
    if count <= 0 or reference <= 0 or name_level not in COMMON_NAME_LEVELS:
        return 0.0
    return min(max(math.log2(reference / count), lowest), highest)


# ``namesakes_class`` of counts where rule 4 moves a name by its highest or lowest bound.
RARE_CLASS, COMMON_CLASS = -1, -2


def namesakes_class(name_level: str, count: int, weights: Weights) -> int:
    """A count that ``common_name_bits`` weighs as it weighs ``count`` (0 when rule 4 does not
    apply; ``RARE_CLASS`` / ``COMMON_CLASS`` at the bounds): what a cache of scores is keyed by."""
    reference, lowest, highest = weights.common_name
    if count <= 0 or reference <= 0 or name_level not in COMMON_NAME_LEVELS:
        return 0
    moved = math.log2(reference / count)
    if moved >= highest:
        return RARE_CLASS
    if moved <= lowest:
        return COMMON_CLASS
    return count


def score(comparison: Comparison, weights: Weights, *, name_count: int = 0) -> Scored:
    """The probability that the records are one person, and the weight of evidence behind it.

    ``name_count``: how many children on file share the name's sound (rule 4; 0 if not known)."""
    total = bits(comparison.levels, weights) + common_name_bits(comparison.levels[_NAME], name_count, weights)
    return Scored(probability=_probability(total, weights.calibration), log2_ratio=total)


_ID = FIELDS.index(Field.ID_NUMBER)
_FAMILY_LEVELS = tuple((FIELDS.index(name), level) for name, level in _FAMILY.items())


def guard_messages(levels: tuple[str, ...]) -> tuple[str, ...]:
    """The message ids of the guards (rule 3) that the field levels (``FIELDS`` order) raise."""
    messages: tuple[str, ...] = ()
    if levels[_ID] == IdLevel.DIFFERENT:
        messages = (GUARD_DIFFERENT_ID,)
    if (
        levels[_NAME] in _SIBLING_NAMES
        and levels[_ID] != IdLevel.SAME
        and any(levels[index] == level for index, level in _FAMILY_LEVELS)
    ):
        messages += (GUARD_SIBLINGS,)
    return messages


def guards(comparison: Comparison) -> tuple[Reason, ...]:
    """Why this pair may not be 确定 whatever its score (rule 3); empty when nothing forbids it."""
    return tuple(Reason(message) for message in guard_messages(comparison.levels))


def is_same_name(comparison: Comparison) -> bool:
    return comparison.level(Field.NAME) in SAME_NAME_LEVELS


# -- fitting ---------------------------------------------------------------------------------------


def _fit_calibration(
    counts: Mapping[tuple[tuple[str, ...], bool], int], weights: Weights, discounts: tuple[float, float]
) -> tuple[float, float]:
    """Logistic regression of the truth on the weight of evidence (Newton's method on grouped pairs)."""
    rows = [(_bits(levels, weights, discounts), truth, count) for (levels, truth), count in counts.items()]
    slope, intercept = 1.0, 0.0
    ln2 = math.log(2)
    for _step in range(CALIBRATION_STEPS):
        g0 = g1 = h00 = h01 = h11 = 0.0
        for bits, truth, count in rows:
            p = _probability(bits, (slope, intercept))
            residual = count * ((1.0 if truth else 0.0) - p)
            w = count * p * (1 - p) * ln2
            g0 += residual * bits
            g1 += residual
            h00 += w * bits * bits
            h01 += w * bits
            h11 += w
        determinant = h00 * h11 - h01 * h01
        if determinant <= 0:
            break
        d_slope = (h11 * g0 - h01 * g1) / determinant
        d_intercept = (h00 * g1 - h01 * g0) / determinant
        slope, intercept = slope + d_slope, intercept + d_intercept
        if abs(d_slope) < 1e-9 and abs(d_intercept) < 1e-9:  # noqa: PLR2004
            break
    if slope <= 0:  # evidence that lowers the probability would be nonsense: keep it uncalibrated
        return 1.0, 0.0
    return slope, intercept


def _log_likelihood(
    counts: Mapping[tuple[tuple[str, ...], bool], int],
    weights: Weights,
    discounts: tuple[float, float],
    calibration: tuple[float, float],
) -> float:
    total = 0.0
    for (levels, truth), count in counts.items():
        p = _probability(_bits(levels, weights, discounts), calibration)
        p = min(max(p, MIN_PROBABILITY), 1 - MIN_PROBABILITY)
        total += count * math.log(p if truth else 1 - p)
    return total


def fit(
    labelled: Iterable[tuple[Comparison, bool]],
    *,
    smoothing: float = 1.0,
    calibrate: bool = True,
    notes: Mapping[str, Any] | None = None,
    common_name: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> Weights:
    """Weights estimated from labelled candidate pairs (``True`` = one person); ``common_name`` (rule 4)
    is kept as given: the pairs' levels do not say how common their names are.

    m and u are the frequencies of each level among true and false pairs, with ``smoothing`` added
    to every count (so that a level never seen is rare, not impossible); the prior is the share of
    true pairs. Then the household and sibling discounts are chosen among ``DISCOUNTS`` and the logistic
    calibration fitted, both by the likelihood of the labels. Streams: memory grows with the number
    of distinct level combinations, not of pairs.
    """
    counts: Counter[tuple[tuple[str, ...], bool]] = Counter()
    for comparison, truth in labelled:
        counts[(comparison.levels, bool(truth))] += 1
    matches = sum(count for (_levels, truth), count in counts.items() if truth)
    non_matches = sum(counts.values()) - matches
    if not matches or not non_matches:
        raise ValueError("fitting needs both true and false pairs")
    m: dict[str, dict[str, float]] = {}
    u: dict[str, dict[str, float]] = {}
    for index, name in enumerate(FIELDS):
        seen: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
        for (levels, truth), count in counts.items():
            seen[truth][levels[index]] += count
        size = len(LEVELS[name])
        m[name] = {level: (seen[True][level] + smoothing) / (matches + smoothing * size) for level in LEVELS[name]}
        u[name] = {level: (seen[False][level] + smoothing) / (non_matches + smoothing * size) for level in LEVELS[name]}
    prior = matches / (matches + non_matches)
    fitted_notes = {
        "source": "model.fit on labelled candidate pairs",
        "pairs": matches + non_matches,
        "true_pairs": matches,
        "smoothing": smoothing,
        **(notes or {}),
    }
    weights = Weights(prior=prior, m=m, u=u, notes=fitted_notes)
    best: tuple[float, tuple[float, float], tuple[float, float]] | None = None
    for discounts in itertools.product(DISCOUNTS, DISCOUNTS):
        calibration = _fit_calibration(counts, weights, discounts) if calibrate else (1.0, 0.0)
        likelihood = _log_likelihood(counts, weights, discounts, calibration)
        if best is None or likelihood > best[0]:
            best = (likelihood, discounts, calibration)
    assert best is not None  # noqa: S101 (HOUSEHOLD_DISCOUNTS is not empty)
    _likelihood, (household, sibling), calibration = best
    return Weights(
        prior=prior,
        m=m,
        u=u,
        household_discount=household,
        sibling_discount=sibling,
        calibration=calibration,
        common_name=common_name,
        notes=fitted_notes,
    )


DEFAULT_WEIGHTS: Weights = Weights.load()
