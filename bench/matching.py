"""Benchmark of batch matching (issue 4): quality on the corrupted set, and 1 M de-duplicated against Splink.

    .venv/bin/python -m bench matching                          # quality at 10 k and 100 k, batch at 1 M
    .venv/bin/python -m bench matching --sizes 10000 --batch-size 0 --no-splink      # a quick look
    .venv/bin/python -m bench matching --fit                    # refit weights.json first, then measure
    .venv/bin/python -m bench matching --tune                   # tune weights.json on pair F1 first
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench .venv/bin/python -m bench matching
                                                                # … then the online search at 100 k and 1 M

No database: the labelled set (``shouhu.demo.corruption.labelled_set``) streams the demo city's
children with second records typed by other departments and corrupted, twins and siblings kept
apart by the truth. For each size, side by side, the engine's batch path (``shouhu.matching.batch``:
the store's blocking keys, oversized blocks split or skipped, weak blocks only in pairs; the engine
scores each pair) and Splink 5 (DuckDB backend, the same fields, comparable blocking rules, trained
with its EM — ``bench/_matching_data.py``):

* precision, recall and F1 of the pairs in 很可能 and above (goal F1 ≥ 0.97);
* the share of true pairs that survive blocking (for the batch also without the cap, and with the
  cap but without the weak-pair rule: what each costs);
* siblings and twins in 确定 (goal 0) and in 很可能;
* wall time of the whole de-duplication (records in memory → pairs in a band and clusters), and the
  pairs compared. Goal at 1 M: faster than Splink with an F1 at least as good.

``--fit`` first fits the model (``model.fit``) on the candidate pairs of another labelled set
(``--train-seed``, ``--fit-size``), writes it (``--weights-out``, default the shipped
``shouhu/matching/weights.json``) and measures with it. Figures are printed whether or not a goal is
met. Splink runs up to ``--splink-limit`` records; above it its time is extrapolated from the
largest size it ran, and labelled so.

``--tune`` then moves the weights' sizes to where pair F1 is highest over every candidate pair of
training sets (``--train-seed``, ``--tune-sizes``; ``bench/_matching_tune.py``: coordinate ascent,
the model's rules kept) and writes them over ``weights.json``, each level's reason kept: the shipped
weights were tuned so.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

F1_GOAL = 0.97
SEED = 2026
CERTAIN, LIKELY, POSSIBLE = "certain", "likely", "possible"


@dataclass
class Side:
    """One system's figures at one size."""

    name: str
    quality: Any = None  # _matching_data.Quality
    blocking_recall: float | None = None
    blocking_notes: str = ""
    compared: int | None = None
    families: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float | None = None
    cpu_seconds: float | None = None  # of every process and thread (the machine's other load aside)
    seconds_note: str = ""
    steps: dict[str, float] = field(default_factory=dict)
    clusters: int | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000", help="record counts of the quality runs, comma-separated")
    parser.add_argument("--batch-size", type=int, default=1_000_000, help="records of the batch run (0: none)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the test sets")
    parser.add_argument("--workers", type=int, default=2, help="processes that score pairs (Splink: DuckDB threads)")
    parser.add_argument("--cap", type=int, default=None, help="largest block kept (default batch.DEFAULT_CAP)")
    parser.add_argument("--weak-shared", type=int, default=None, help="weak blocks a pair must share")
    parser.add_argument("--no-splink", action="store_true", help="the batch path alone")
    parser.add_argument("--splink-limit", type=int, default=1_000_000, help="largest size Splink runs on")
    parser.add_argument("--no-uncapped", action="store_true", help="skip the blocking recall without the cap")
    parser.add_argument("--fit", action="store_true", help="fit the model on a training set first and save it")
    parser.add_argument("--fit-size", type=int, default=100_000)
    parser.add_argument("--train-seed", type=int, default=None, help="seed of the training set (default seed + 1)")
    parser.add_argument("--weights-out", type=Path, default=None, help="where --fit writes (default weights.json)")
    parser.add_argument(
        "--tune", action="store_true", help="tune the weights on pair F1 over training sets first and save them"
    )
    parser.add_argument("--tune-sizes", default="100000,1000000", help="record counts of the training sets")
    parser.add_argument("--tune-weights", default="0.3,0.7", help="each training set's share of the objective")
    parser.add_argument("--tune-rounds", type=int, default=4)
    parser.add_argument(
        "--online-sizes",
        default=None,
        help="then the online search's latency (bench/matching_online) at these sizes; default 100000,1000000 "
        "when DATABASE_URL is PostgreSQL, none otherwise (0: none)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django  # noqa: PLC0415  (Django is set up by this script: the engine's messages are gettext)

    django.setup()
    from shouhu.matching import batch  # noqa: PLC0415
    from shouhu.matching.model import DEFAULT_WEIGHTS  # noqa: PLC0415

    args.cap = args.cap or batch.DEFAULT_CAP
    args.weak_shared = args.weak_shared or batch.WEAK_SHARED
    weights = _fit(args) if args.fit else DEFAULT_WEIGHTS
    if args.tune:
        weights = _tune(args, weights)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.batch_size:
        sizes.append(args.batch_size)
    splink_runs: list[tuple[int, float]] = []  # (records, seconds) of the Splink runs so far
    for size in sizes:
        _run_size(args, size, weights, splink_runs)
    _online(args)


def _online(args: argparse.Namespace) -> None:
    """The speed part of the issue's benchmark, in the same run: ``bench/matching_online``."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    sizes = args.online_sizes if args.online_sizes is not None else ("100000,1000000" if on_postgres else "0")
    if sizes.strip() in ("", "0"):
        print("\n(online search latency: set DATABASE_URL to PostgreSQL, or --online-sizes, to measure it here)")
        return
    from bench import matching_online  # noqa: PLC0415

    print(f"\n== online search (bench/matching_online) at {sizes} children ==", flush=True)
    sys.argv = ["bench.matching_online", "--sizes", sizes]
    matching_online.main()


def _fit(args: argparse.Namespace) -> Any:
    from shouhu.demo.corruption import labelled_set  # noqa: PLC0415
    from shouhu.matching import batch, model  # noqa: PLC0415
    from shouhu.matching.compare import compare_prepared, prepare  # noqa: PLC0415

    seed = args.train_seed if args.train_seed is not None else args.seed + 1
    if seed == args.seed:
        raise SystemExit("the training set must not be the test set: give another --train-seed")
    started = time.perf_counter()
    labelled = labelled_set(args.fit_size, seed=seed)
    entities: list[int] = []
    prepared = []
    for item in labelled:
        entities.append(item.entity)
        prepared.append(prepare(item.record, on=labelled.on))
    blocks = batch.Blocks((p.record for p in prepared), on=labelled.on, cap=args.cap, weak_shared=args.weak_shared)
    pairs = ((compare_prepared(prepared[i], prepared[j]), entities[i] == entities[j]) for i, j in blocks.pairs())
    notes = {
        "source": "bench/matching.py --fit",
        "training set": f"shouhu.demo.corruption.labelled_set({args.fit_size}, seed={seed}), on {labelled.on}",
        "drawn as": f"batch candidate pairs (cap {args.cap}, weak blocks shared {args.weak_shared})",
    }
    weights = model.fit(pairs, notes=notes)
    out = args.weights_out or model.WEIGHTS_PATH
    weights.save(out)
    print(
        f"fitted on {weights.notes.get('pairs', 0):,} candidate pairs of {args.fit_size:,} records (seed {seed}), "
        f"{weights.notes.get('true_pairs', 0):,} true: prior {weights.prior:.4f}, household discount "
        f"{weights.household_discount}, sibling discount {weights.sibling_discount}, calibration "
        f"{weights.calibration[0]:.3f}×bits + {weights.calibration[1]:.2f}; written to {out} "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return weights


def _tune(args: argparse.Namespace, start: Any) -> Any:
    """``_matching_tune``: pair tables of the training sets, coordinate ascent of F1, written out."""
    from bench import _matching_data as data  # noqa: PLC0415
    from bench import _matching_tune as tuning  # noqa: PLC0415
    from shouhu.demo.corruption import labelled_set  # noqa: PLC0415
    from shouhu.matching import model  # noqa: PLC0415

    seed = args.train_seed if args.train_seed is not None else args.seed + 1
    if seed == args.seed:
        raise SystemExit("the training set must not be the test set: give another --train-seed")
    started = time.perf_counter()
    sizes = [int(s) for s in args.tune_sizes.split(",") if s.strip()]
    shares = [float(s) for s in args.tune_weights.split(",")]
    if len(shares) != len(sizes):
        raise SystemExit("--tune-weights needs one share per --tune-sizes")
    sets = []
    for size in sizes:
        labelled = labelled_set(size, seed=seed)
        truth, records = data.Truth.read(labelled)
        table = tuning.pair_table(records, truth.kind, on=labelled.on)
        sets.append(tuning.Tuning(table, len(truth.true_pairs())))
        print(f"  training set {size:,} records (seed {seed}): {sum(table.values()):,} candidate pairs", flush=True)
    params, _best = tuning.tune(list(zip(sets, shares, strict=True)), start, rounds=args.tune_rounds)
    for size, tuned in zip(sizes, sets, strict=True):
        before, after = tuned.quality(tuning.Params.of(start)), tuned.quality(params)
        print(f"  {size:,}: pair F1 {before[0]:.4f} → {after[0]:.4f} (P {after[1]:.4f}, R {after[2]:.4f})")
    notes = {"tuned on": f"seed {seed}, {args.tune_sizes} records, objective shares {args.tune_weights}"}
    weights = tuning.tuned_weights(start, params, notes)
    out = args.weights_out or model.WEIGHTS_PATH
    tuning.save_keeping_reasons(weights, out)
    print(f"tuned weights written to {out} ({time.perf_counter() - started:.0f} s)", flush=True)
    return weights


def _cpu_seconds() -> float:
    """CPU time of this process (its threads: DuckDB's) and of its children that ended (the batch's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> str:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return f"peak memory {own:,} MB (largest worker {children:,} MB)"


def _run_size(args: argparse.Namespace, size: int, weights: Any, splink_runs: list[tuple[int, float]]) -> None:
    from bench import _matching_data as data  # noqa: PLC0415
    from shouhu.demo.corruption import labelled_set  # noqa: PLC0415
    from shouhu.matching import batch  # noqa: PLC0415
    from shouhu.matching.engine import DEFAULT_THRESHOLDS  # noqa: PLC0415

    labelled = labelled_set(size, seed=args.seed)
    started = time.perf_counter()
    truth, records = data.Truth.read(labelled)
    generated = time.perf_counter() - started
    true = truth.true_pairs()
    family_pairs = _family_pair_counts(truth)
    print(
        f"\n== {size:,} records (seed {args.seed}, on {labelled.on}): {len(set(truth.entity)):,} children, "
        f"{len(true):,} true pairs; on file {family_pairs['sibling']:,} sibling and {family_pairs['twin']:,} twin "
        f"pairs of records — generated in {generated:.1f} s ({size / generated:,.0f} records/s), {_peak_mb()}",
        flush=True,
    )

    ours = Side(f"Shouhu batch ({args.workers} proc.)")
    mark, cpu = time.perf_counter(), _cpu_seconds()
    result = batch.deduplicate(
        enumerate(records),
        on=labelled.on,
        weights=weights,
        thresholds=DEFAULT_THRESHOLDS,
        cap=args.cap,
        weak_shared=args.weak_shared,
        workers=args.workers,
    )
    ours.seconds = time.perf_counter() - mark
    ours.cpu_seconds = _cpu_seconds() - cpu
    ours.steps = result.seconds
    ours.compared = result.stats.pairs
    ours.clusters = len(result.clusters)
    linked = [(p.a, p.b) for p in result.pairs if p.band in batch.LINKING]
    ours.quality = data.quality(linked, true)
    ours.families = data.family_counts(truth, ((p.a, p.b, str(p.band)) for p in result.pairs))
    candidates = sum(1 for a, b in true if result.is_candidate(a, b))
    ours.blocking_recall = candidates / len(true) if true else 0.0
    stats = result.stats
    notes = [
        f"{stats.split:,} blocks over {args.cap} split, {stats.oversized:,} parts skipped "
        f"({stats.oversized_members:,} records in them)"
    ]
    del result
    if not args.no_uncapped:
        notes += _blocking_costs(records, labelled.on, true, args)
    ours.blocking_notes = "; ".join(notes)
    missed = true - {(a, b) if a < b else (b, a) for a, b in linked}
    print(f"  batch done in {ours.seconds:.1f} s, {_peak_mb()}", flush=True)

    splink = Side(f"Splink (DuckDB, {args.workers} thr.)")
    if not args.no_splink:
        if size <= args.splink_limit:
            _run_splink(records, truth, true, on=labelled.on, args=args, side=splink)
            if splink.seconds is not None:
                splink_runs.append((size, splink.seconds))
        elif splink_runs:
            ran, seconds = max(splink_runs)
            splink.seconds = seconds * size / ran
            splink.seconds_note = f"EXTRAPOLATED linearly from {ran:,} records ({seconds:.0f} s), not measured"
    _print_table(size, ours, splink, args)
    _print_misses(truth, true, missed)


def _family_pair_counts(truth: Any) -> Counter[str]:
    by_family: dict[int, list[int]] = {}
    for key, family in enumerate(truth.family):
        by_family.setdefault(family, []).append(key)
    counts: Counter[str] = Counter()
    for keys in by_family.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                counts[truth.kind(a, b)] += 1
    return counts


def _blocking_costs(records: list[Any], on: date, true: set[tuple[int, int]], args: argparse.Namespace) -> list[str]:
    """Blocking recall of the store's keys without the cap, and with the cap but every weak pair."""
    from shouhu.matching import batch  # noqa: PLC0415

    notes = []
    for label, cap, weak in (("no cap, every shared key", 10**9, 1), ("cap, every weak pair", args.cap, 1)):
        blocks = batch.Blocks(records, on=on, cap=cap, weak_shared=weak)
        found = sum(1 for a, b in true if blocks.is_candidate(a, b))
        notes.append(f"{label}: {found / len(true):.4f}" if true else f"{label}: -")
        del blocks
    return notes


def _run_splink(records: list[Any], truth: Any, true: set[tuple[int, int]], *, on: date, args: Any, side: Side) -> None:
    from bench import _matching_data as data  # noqa: PLC0415
    from shouhu.matching.engine import DEFAULT_THRESHOLDS  # noqa: PLC0415

    try:
        import splink  # type: ignore[import-not-found,unused-ignore]  # noqa: F401, PLC0415
    except ImportError:
        side.seconds_note = "Splink is not installed: `make bench` installs the bench group"
        return
    mark, cpu = time.perf_counter(), _cpu_seconds()
    rows = list(data.splink_rows(enumerate(records), on=on))
    derived = time.perf_counter() - mark
    result = data.run_splink(
        rows, truth.entity, threshold=DEFAULT_THRESHOLDS.likely, keep_above=DEFAULT_THRESHOLDS.possible,
        threads=args.workers,
    )  # fmt: skip
    side.cpu_seconds = _cpu_seconds() - cpu
    del rows
    side.steps = {"derive pinyin columns": derived, **result.seconds}
    side.seconds = sum(side.steps.values())
    side.compared = result.comparisons
    side.clusters = result.clusters
    side.blocking_recall = result.true_candidates / len(true) if true else 0.0
    limits = DEFAULT_THRESHOLDS
    side.quality = data.quality(((a, b) for a, b, p in result.pairs if p >= limits.likely), true)
    side.families = data.family_counts(
        truth,
        (
            (a, b, CERTAIN if p >= limits.certain else LIKELY if p >= limits.likely else POSSIBLE)
            for a, b, p in result.pairs
        ),
    )
    print(f"  Splink done in {side.seconds:.1f} s, {_peak_mb()}", flush=True)


def _cell(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _print_table(size: int, ours: Side, splink: Side, args: argparse.Namespace) -> None:
    def q(side: Side, name: str) -> Any:
        return getattr(side.quality, name) if side.quality is not None else None

    def goal_f1(side: Side) -> str:
        f1 = q(side, "f1")
        return "-" if f1 is None else f"{f1:.4f} ({'met' if f1 >= F1_GOAL else 'MISSED'})"

    def family(side: Side, kind: str, band: str) -> Any:
        return side.families.get((kind, band), 0) if side.quality is not None else None

    rows: list[tuple[str, str, str]] = [
        ("precision, 很可能 and above", _cell(q(ours, "precision")), _cell(q(splink, "precision"))),
        ("recall", _cell(q(ours, "recall")), _cell(q(splink, "recall"))),
        (f"F1 (goal ≥ {F1_GOAL})", goal_f1(ours), goal_f1(splink)),
        ("true pairs surviving blocking", _cell(ours.blocking_recall), _cell(splink.blocking_recall)),
        ("pairs compared", _cell(ours.compared), _cell(splink.compared)),
        (
            "siblings in 确定 (goal 0)",
            _cell(family(ours, "sibling", CERTAIN)),
            _cell(family(splink, "sibling", CERTAIN)),
        ),
        ("twins in 确定 (goal 0)", _cell(family(ours, "twin", CERTAIN)), _cell(family(splink, "twin", CERTAIN))),
        ("siblings in 很可能", _cell(family(ours, "sibling", LIKELY)), _cell(family(splink, "sibling", LIKELY))),
        ("twins in 很可能", _cell(family(ours, "twin", LIKELY)), _cell(family(splink, "twin", LIKELY))),
        ("clusters (2+ records)", _cell(ours.clusters), _cell(splink.clusters)),
        ("wall time, s", _cell(ours.seconds, 1), _cell(splink.seconds, 1) + (" *" if splink.seconds_note else "")),
        ("CPU time (all processes), s", _cell(ours.cpu_seconds, 1), _cell(splink.cpu_seconds, 1)),
    ]
    width = max(len(r[0]) for r in rows) + 2
    print(f"  {'':<{width}}{ours.name:<28}{splink.name}")
    for label, mine, theirs in rows:
        print(f"  {label:<{width}}{mine:<28}{theirs}")
    if ours.seconds is not None and splink.seconds is not None and ours.quality is not None:
        faster = ours.seconds < splink.seconds
        as_good = splink.quality is None or ours.quality.f1 >= splink.quality.f1
        verdict = "met" if faster and as_good else "MISSED"
        print(f"  goal at {size:,}: faster than Splink with an F1 at least as good — {verdict}")
    print(f"  batch blocking: {ours.blocking_notes}")
    print("  batch steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in ours.steps.items()))
    if splink.steps:
        print("  Splink steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in splink.steps.items()))
    if splink.seconds_note:
        print(f"  * Splink: {splink.seconds_note}")
    print(
        f"  (cap {args.cap}, weak blocks shared {args.weak_shared}, thresholds 确定 ≥ 0.99, 很可能 ≥ 0.80)", flush=True
    )


def _print_misses(truth: Any, true: set[tuple[int, int]], missed: set[tuple[int, int]]) -> None:
    """Recall of the batch by corruption (true pairs with it on either side), worst first."""
    from bench import _matching_data as data  # noqa: PLC0415

    totals = data.corruption_totals(truth, true)
    lost = data.missed_by_corruption(truth, missed)
    worst = sorted(totals, key=lambda c: (1 - lost[c] / totals[c]) if totals[c] else 1.0)
    cells = [f"{c} {1 - lost[c] / totals[c]:.3f} ({totals[c]:,})" for c in worst if totals[c]]
    print("  batch recall by corruption (true pairs with it): " + ", ".join(cells), flush=True)


if __name__ == "__main__":
    main()
