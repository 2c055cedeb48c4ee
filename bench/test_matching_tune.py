"""The tuner behind the shipped weights (``bench/matching.py --tune``) scores as the engine does."""

from __future__ import annotations

import json
import math
import shutil
from functools import cache
from pathlib import Path
from typing import Any

from bench import _matching_data as data
from bench import _matching_tune as tuning
from shouhu.demo.corruption import labelled_set
from shouhu.matching import model
from shouhu.matching.model import DEFAULT_WEIGHTS


@cache
def _set() -> tuple[tuning.Tuning, dict[tuple[Any, ...], int]]:
    labelled = labelled_set(3000, seed=5)
    truth, records = data.Truth.read(labelled)
    table = tuning.pair_table(records, truth.kind, on=labelled.on)
    return tuning.Tuning(table, len(truth.true_pairs())), dict(table)


def test_the_vectorised_score_is_the_models() -> None:
    tuned, table = _set()
    bits = tuned.bits(tuning.Params.of(DEFAULT_WEIGHTS))
    assert len(bits) == len(table) > 100
    for (levels, namesakes, _kind), got in zip(table, bits, strict=True):
        expected = model.bits(levels, DEFAULT_WEIGHTS) + model.common_name_bits(levels[1], namesakes, DEFAULT_WEIGHTS)
        assert math.isclose(got, expected, abs_tol=1e-9)
    assert {kind for _levels, _n, kind in table} >= {tuning.TRUE, "other"}


def test_tuning_never_lowers_f1_and_writes_weights_that_score_as_tuned(tmp_path: Path) -> None:
    tuned, _table = _set()
    start = tuning.Params.of(DEFAULT_WEIGHTS)
    f1, precision, recall, _twins, _siblings = tuned.quality(start)
    assert 0 < precision <= 1
    assert 0 < recall <= 1
    assert 0 < f1 <= 1
    params, best = tuning.tune([(tuned, 1.0)], DEFAULT_WEIGHTS, rounds=1, say=lambda _line: None)
    assert best >= f1
    assert math.isclose(tuned.quality(params)[0], best)
    weights = tuning.tuned_weights(DEFAULT_WEIGHTS, params, {"tuned on": "a test"})
    assert math.isclose(tuned.quality(tuning.Params.of(weights))[0], best, abs_tol=1e-9)
    path = tmp_path / "weights.json"
    tuning.save_keeping_reasons(weights, path)  # a new file: the shipped reasons
    assert json.loads(path.read_text(encoding="utf-8"))["fields"]["name"]["same"]["why"]
    shutil.copy(model.WEIGHTS_PATH, path)
    tuning.save_keeping_reasons(weights, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["fields"]["name"]["same"]["why"]  # the reasons stay
    assert saved["notes"]["tuned on"] == "a test"
    again = model.Weights.load(path)
    assert again.table == weights.table
    for field, levels in saved["fields"].items():
        assert math.isclose(sum(v["m"] for v in levels.values()), 1.0), field
        assert math.isclose(sum(v["u"] for v in levels.values()), 1.0), field


def test_no_round_is_the_start() -> None:
    tuned, _table = _set()
    params, best = tuning.tune([(tuned, 1.0)], DEFAULT_WEIGHTS, rounds=0, say=lambda _line: None)
    assert best == tuned.quality(tuning.Params.of(DEFAULT_WEIGHTS))[0]
    assert all((a == b).all() for a, b in zip(params.bits, tuning.Params.of(DEFAULT_WEIGHTS).bits, strict=True))
