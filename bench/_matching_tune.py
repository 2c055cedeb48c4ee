"""Tuning the matching model's weights on pair F1: ``bench/matching.py --tune``.

The shipped ``weights.json`` started hand-set (m and u per level, each with its reason); the sizes of
the weights were then moved to where pair F1 (很可能 and above, the issue's measure) is highest over
every candidate pair of labelled training sets — never the test seed. The model's form stays the
engine's (``model`` rules 1-4: missing fields weigh nothing, household evidence counts once, rule 4's
common names); only its numbers move:

* ``pair_table``: every candidate pair of a labelled set (the batch's blocks), grouped by its field
  levels, its namesakes' count and what it truly is (the same child, twins, siblings, others);
* ``Tuning``: the model's score of each group as numpy arrays (``model._bits`` and
  ``model.common_name_bits`` vectorised; ``test_matching_tune`` checks they agree), and pair F1;
* ``tune``: coordinate ascent — each level's bits, the prior and rule 4's bounds tried a few steps up
  and down, a step kept when the weighted F1 of the training sets rises — for a few rounds;
* ``tuned_weights``: the result as m and u (u moved with m kept; m moved where u would pass 1; the
  missing level of each field takes the rest, which weighs nothing).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from shouhu.core.memory import collector_paused
from shouhu.matching import batch, compare, model
from shouhu.matching.compare import FIELDS, LEVELS, MISSING, Field
from shouhu.matching.model import Weights

LIKELY_BITS = 2.0  # 很可能 ≥ 0.80 with the identity calibration: log2(0.8 / 0.2)
STEPS = (-2.0, -1.0, -0.5, -0.25, 0.25, 0.5, 1.0, 2.0)  # bits tried for each level
BOUND_STEPS = (-1.0, -0.5, 0.5, 1.0)
TRUE, TWIN, SIBLING = "same", "twin", "sibling"  # ``_matching_data.Truth.kind``
MAX_LEVEL_SHARE = 0.98  # of m or u, the non-missing levels of a field together at most

_LEVELS = [list(LEVELS[name]) for name in FIELDS]
_INDEX = [{str(level): i for i, level in enumerate(levels)} for levels in _LEVELS]
_NAME, _GUARDIAN, _PHONE, _REGION = (FIELDS.index(f) for f in (Field.NAME, Field.GUARDIAN, Field.PHONE, Field.REGION))
_OTHERS = [i for i in range(len(FIELDS)) if i not in (_GUARDIAN, _PHONE, _REGION)]


def pair_table(records: Sequence[Any], kind: Any, *, on: Any) -> Counter[tuple[Any, ...]]:
    """(levels, namesakes, kind) → pairs, over every candidate pair of the batch's blocks (namesakes
    counted among the records, as ``batch.deduplicate`` counts them); ``kind(i, j)`` says what the
    records at positions i and j truly are (``_matching_data.Truth.kind``)."""
    table: Counter[tuple[Any, ...]] = Counter()
    levels = compare.levels_prepared
    with collector_paused():
        prepared = [compare.prepare(record, on=on) for record in records]
        batch.count_names(prepared)
        for i, j in batch.Blocks(records, on=on).pairs():
            a, b = prepared[i], prepared[j]
            table[(levels(a, b), max(a.name_count, b.name_count), kind(i, j))] += 1
    return table


@dataclass
class Params:
    bits: list[np.ndarray]  # per field, per level (FIELDS and LEVELS order); missing levels stay 0
    prior: float
    common_name: tuple[float, float, float]
    household_discount: float
    sibling_discount: float

    @classmethod
    def of(cls, weights: Weights) -> Params:
        table = [np.array([weights.table[f][str(level)] for level in _LEVELS[f]]) for f in range(len(FIELDS))]
        return cls(table, weights.prior_bits, weights.common_name, weights.household_discount, weights.sibling_discount)

    def copy(self) -> Params:
        return replace(self, bits=[row.copy() for row in self.bits])


class Tuning:
    """A pair table as arrays, scored by the model's rules for any ``Params``."""

    def __init__(self, table: Counter[tuple[Any, ...]], true_pairs: int) -> None:
        items = list(table.items())
        self.levels = np.array([[_INDEX[f][str(key[0][f])] for f in range(len(FIELDS))] for key, _n in items])
        self.levels = self.levels.reshape(len(items), len(FIELDS))
        self.namesakes = np.array([key[1] for key, _n in items], dtype=np.float64)
        labels = np.array([key[2] for key, _n in items])
        self.true, self.twin, self.sibling = labels == TRUE, labels == TWIN, labels == SIBLING
        self.count = np.array([n for _key, n in items], dtype=np.float64)
        self.true_pairs = true_pairs
        names = self.levels[:, _NAME] if items else np.zeros(0, dtype=int)
        self._different_given = np.isin(names, [_INDEX[_NAME][str(x)] for x in model._DIFFERENT_GIVEN_NAME])
        common = [_INDEX[_NAME][str(x)] for x in model.COMMON_NAME_LEVELS]
        self._common = np.isin(names, common) & (self.namesakes > 0)

    def bits(self, p: Params) -> np.ndarray:
        """``model.bits`` + ``model.common_name_bits`` of every group."""
        levels = self.levels
        total = np.full(len(levels), p.prior)
        for f in _OTHERS:
            total += p.bits[f][levels[:, f]]
        household = np.stack([p.bits[f][levels[:, f]] for f in (_GUARDIAN, _PHONE, _REGION)], axis=1)
        positive = np.where(household > 0, household, 0.0)
        total += np.where(household <= 0, household, 0.0).sum(axis=1)
        largest = positive.max(axis=1)
        family = largest + p.household_discount * (positive.sum(axis=1) - largest)
        total += np.where(self._different_given, family * p.sibling_discount, family)
        reference, lowest, highest = p.common_name
        if reference > 0:
            moved = np.clip(np.log2(reference / np.maximum(self.namesakes, 1)), lowest, highest)
            total += np.where(self._common, moved, 0.0)
        return total

    def quality(self, p: Params) -> tuple[float, float, float, float, float]:
        """F1, precision, recall of the pairs at 很可能 and above; twin and sibling pairs among them."""
        linked = self.bits(p) >= LIKELY_BITS
        tp = self.count[linked & self.true].sum()
        fp = self.count[linked & ~self.true].sum()
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / self.true_pairs if self.true_pairs else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return f1, precision, recall, self.count[linked & self.twin].sum(), self.count[linked & self.sibling].sum()


def tune(
    sets: Sequence[tuple[Tuning, float]], start: Weights, *, rounds: int = 4, say: Any = print
) -> tuple[Params, float]:
    """Coordinate ascent of the weighted F1 of ``sets`` ((tuning, weight) pairs) from ``start``."""

    def objective(p: Params) -> float:
        return sum(weight * tuning.quality(p)[0] for tuning, weight in sets)

    p = Params.of(start)
    best = objective(p)
    say(f"  start: weighted F1 {best:.4f}")
    for round_ in range(rounds):
        for f in range(len(FIELDS)):
            for i, level in enumerate(_LEVELS[f]):
                if level == MISSING:
                    continue  # rule 1: a missing field weighs nothing
                for step in STEPS:
                    p.bits[f][i] += step
                    value = objective(p)
                    if value > best + 1e-7:
                        best = value
                    else:
                        p.bits[f][i] -= step
        for trial in _bound_trials(p):
            value = objective(trial)
            if value > best + 1e-7:
                best, p = value, trial
        say(f"  round {round_ + 1}: weighted F1 {best:.4f}")
    return p, best


def _bound_trials(p: Params) -> Iterable[Params]:
    for step in BOUND_STEPS:
        yield replace(p.copy(), prior=p.prior + step)
    reference, lowest, highest = p.common_name
    for factor in (2.0, 0.5):
        yield replace(p.copy(), common_name=(reference * factor, lowest, highest))
    for step in BOUND_STEPS:
        if lowest + step <= 0:
            yield replace(p.copy(), common_name=(reference, lowest + step, highest))
        if highest + step >= 0:
            yield replace(p.copy(), common_name=(reference, lowest, highest + step))
    for discount in (p.household_discount - 0.25, p.household_discount + 0.25):
        if 0 <= discount <= 1:
            yield replace(p.copy(), household_discount=discount)


def tuned_weights(start: Weights, p: Params, notes: dict[str, Any]) -> Weights:
    """``p`` as m and u: u moved with m kept (m moved where u would reach 1); the missing level of each
    field takes the rest of both (it weighs nothing)."""
    m: dict[str, dict[str, float]] = {name: dict(start.m[name]) for name in FIELDS}
    u: dict[str, dict[str, float]] = {name: dict(start.u[name]) for name in FIELDS}
    for f, name in enumerate(FIELDS):
        shown = [level for level in _LEVELS[f] if level != MISSING]
        for i, level in enumerate(_LEVELS[f]):
            if level == MISSING:
                continue
            ratio = 2.0 ** float(p.bits[f][i])
            if m[name][level] / ratio < MAX_LEVEL_SHARE:
                u[name][level] = m[name][level] / ratio
            else:
                m[name][level] = u[name][level] * ratio
        for kind in (m, u):
            total = sum(kind[name][level] for level in shown)
            if total > MAX_LEVEL_SHARE:  # shrink both sides alike: the ratios (the weights) stay
                scale = MAX_LEVEL_SHARE / total
                for level in shown:
                    m[name][level] *= scale
                    u[name][level] *= scale
        for kind in (m, u):
            kind[name][MISSING] = 1.0 - sum(kind[name][level] for level in shown)
    prior = 1.0 / (1.0 + math.exp2(-p.prior))
    return replace(
        start,
        prior=prior,
        m=m,
        u=u,
        common_name=p.common_name,
        household_discount=p.household_discount,
        sibling_discount=p.sibling_discount,
        notes={**start.notes, **notes},
    )


def save_keeping_reasons(weights: Weights, path: Path) -> None:
    """Write ``weights`` over the JSON at ``path`` (or the shipped one's, when ``path`` is new),
    keeping each level's reason ("why")."""
    data = json.loads((path if path.exists() else model.WEIGHTS_PATH).read_text(encoding="utf-8"))
    fresh = weights.to_json()
    for name, levels in fresh["fields"].items():
        for level, values in levels.items():
            data["fields"][name][level].update(values)
    data.update({key: value for key, value in fresh.items() if key != "fields"})
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
