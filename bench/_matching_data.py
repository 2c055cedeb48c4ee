"""Helpers of ``bench/matching.py``: the truth of a labelled set, pair quality, and the Splink run.

Splink (DuckDB backend) is given the same fields as the engine — names, birth date, sex, region,
identity number, phones — with the pinyin readings the engine makes (``shouhu.matching.names``:
folded syllables, the given name's, the sorted syllables), so that it is not handicapped by
Chinese characters, and blocking rules of the same kinds as the batch's blocks (identity number;
the name with the birth year; the name in the county; the birth date with sex and county). It is
trained the way its documentation teaches: the prior from deterministic rules, u by random
sampling, m by expectation maximisation on two blocking rules; then ``predict`` and connected
components at the 很可能 threshold.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shouhu.demo.corruption import LabelledRecord
from shouhu.matching import names
from shouhu.matching.batch import _place
from shouhu.registry import idnumber

SPLINK_SEED = 42


# -- truth and quality ---------------------------------------------------------------------------


@dataclass
class Truth:
    """The entity and family of every record (by key), and the true pairs."""

    entity: list[int] = field(default_factory=list)
    family: list[int] = field(default_factory=list)
    born: list[date] = field(default_factory=list)
    corruptions: list[tuple[str, ...]] = field(default_factory=list)
    source: list[str] = field(default_factory=list)

    def add(self, item: LabelledRecord) -> None:
        self.entity.append(item.entity)
        self.family.append(item.family)
        self.born.append(item.born)
        self.corruptions.append(item.corruptions)
        self.source.append(item.source)

    @classmethod
    def read(cls, labelled: Iterable[LabelledRecord]) -> tuple[Truth, list[Any]]:
        """The truth of a labelled set and its records, by position."""
        truth = cls()
        records = []
        for item in labelled:
            truth.add(item)
            records.append(item.record)
        return truth, records

    def true_pairs(self) -> set[tuple[int, int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for key, entity in enumerate(self.entity):
            members[entity].append(key)
        return {(a, b) for keys in members.values() for i, a in enumerate(keys) for b in keys[i + 1 :]}

    def kind(self, a: int, b: int) -> str:
        """``same``, ``twin``, ``sibling`` or ``other`` (``corruption.pair_kind`` on keys)."""
        if self.entity[a] == self.entity[b]:
            return "same"
        if self.family[a] != self.family[b]:
            return "other"
        return "twin" if self.born[a] == self.born[b] else "sibling"


@dataclass
class Quality:
    """Precision, recall and F1 of predicted pairs against the true pairs."""

    predicted: int
    true: int
    found: int

    @property
    def precision(self) -> float:
        return self.found / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.true if self.true else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"P {self.precision:.4f}  R {self.recall:.4f}  F1 {self.f1:.4f}  "
            f"({self.found:,} of {self.true:,} true pairs among {self.predicted:,} predicted)"
        )


def quality(predicted: Iterable[tuple[int, int]], true: set[tuple[int, int]]) -> Quality:
    chosen = {(a, b) if a < b else (b, a) for a, b in predicted}
    return Quality(predicted=len(chosen), true=len(true), found=len(chosen & true))


def family_counts(truth: Truth, pairs: Iterable[tuple[int, int, str]]) -> Counter[tuple[str, str]]:
    """(kind, band) counts of pairs of distinct children of one family: siblings and twins."""
    counts: Counter[tuple[str, str]] = Counter()
    for a, b, band in pairs:
        kind = truth.kind(a, b)
        if kind in ("sibling", "twin"):
            counts[(kind, band)] += 1
    return counts


def missed_by_corruption(truth: Truth, missed: Iterable[tuple[int, int]]) -> Counter[str]:
    """How often each corruption (or none) is on a side of a true pair that was missed."""
    counts: Counter[str] = Counter()
    for a, b in missed:
        done = set(truth.corruptions[a]) | set(truth.corruptions[b])
        counts.update(done or {"(none)"})
    return counts


def corruption_totals(truth: Truth, pairs: Iterable[tuple[int, int]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for a, b in pairs:
        counts.update(set(truth.corruptions[a]) | set(truth.corruptions[b]) or {"(none)"})
    return counts


# -- Splink --------------------------------------------------------------------------------------

SPLINK_COLUMNS = (
    "unique_id",
    "name",
    "name_fold",
    "given_fold",
    "sorted_fold",
    "birth_date",
    "birth_text",
    "birth_year",
    "sex",
    "village",
    "township",
    "county",
    "id_number",
    "phones",
)


def _approximate_year(record: Any, on: date) -> int | None:
    if record.birth_date is not None:
        return int(record.birth_date.year)
    if record.birth_year is not None:
        return int(record.birth_year)
    if record.age is not None:
        said_on = record.on or on
        return int(said_on.year - record.age)
    return None


def splink_rows(items: Iterable[tuple[int, Any]], *, on: date) -> Iterator[tuple[Any, ...]]:
    """One row per record, in ``SPLINK_COLUMNS`` order, with the engine's readings of the names."""
    for key, record in items:
        name = record.names[0] if record.names else ""
        folded = names.folded_syllables(name) if name else ()
        given = names.given_syllables(name) if name else ()
        given_folded = tuple(names.fold(s) for s in given)
        number = idnumber.normalise(record.id_number) if record.id_number else ""
        county, township = _place(record.region_code)
        village = record.region_code if len(record.region_code) == 12 and not record.region_code.endswith("000") else ""
        born = record.birth_date if record.birth_date is not None and record.birth_date <= on else None
        phones = sorted(
            {
                "".join(c for c in p if c.isdigit())[-11:]
                for p in (*record.phones, *record.guardian_phones)
                if sum(c.isdigit() for c in p) >= 7
            }
        )
        yield (
            key,
            names.normalise(name) or None,
            "".join(folded) or None,
            "".join(given_folded) or None,
            "-".join(sorted(folded)) or None,
            born,
            born.isoformat() if born else None,
            _approximate_year(record, on),
            record.sex or None,
            village or None,
            township or None,
            county or None,
            number or None,
            phones or None,
        )


@dataclass
class SplinkResult:
    seconds: dict[str, float]
    pairs: list[tuple[int, int, float]]  # pairs predicted at or above the lowest threshold asked
    clusters: int  # clusters of two records or more at the threshold
    comparisons: int  # the pairs its blocking rules gave (each once)
    true_candidates: int  # the true pairs among them


def run_splink(
    rows: Sequence[tuple[Any, ...]],
    entities: Sequence[int],
    *,
    threshold: float,
    keep_above: float,
    max_u_pairs: float = 5e6,
    threads: int = 2,
) -> SplinkResult:
    """Train and run Splink on ``rows`` (``splink_rows``); the pairs at ``keep_above`` and above.

    ``entities`` (the truth, by row) only count the true pairs among the pairs Splink's blocking
    gave; Splink never sees them.
    """
    # The bench dependency group only (``make bench`` installs it); absent, mypy finds no module.
    import duckdb  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
    import splink.comparison_level_library as cll  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    import splink.comparison_library as cl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    from splink.blocking_rule_library import CustomRule  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    logging.getLogger("splink").setLevel(logging.WARNING)
    seconds: dict[str, float] = {}
    mark = time.perf_counter()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in SPLINK_COLUMNS]
    keys = list(columns[0])
    schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            ("name", pa.string()),
            ("name_fold", pa.string()),
            ("given_fold", pa.string()),
            ("sorted_fold", pa.string()),
            ("birth_date", pa.date32()),
            ("birth_text", pa.string()),
            ("birth_year", pa.int32()),
            ("sex", pa.string()),
            ("village", pa.string()),
            ("township", pa.string()),
            ("county", pa.string()),
            ("id_number", pa.string()),
            ("phones", pa.list_(pa.string())),
        ]
    )
    table = pa.Table.from_arrays(
        [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )
    del columns
    connection = duckdb.connect()
    connection.execute(f"SET threads TO {threads}")
    db_api = DuckDBAPI(connection)
    frame = db_api.register(table, dataset_display_name="children")
    seconds["load into DuckDB"] = time.perf_counter() - mark

    name_comparison = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_fold"),
            cll.ExactMatchLevel("name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_fold"),
            cll.ExactMatchLevel("sorted_fold"),
            cll.JaroWinklerLevel("name_fold", 0.92),
            cll.ExactMatchLevel("given_fold"),
            cll.JaroWinklerLevel("name_fold", 0.8),
            cll.ElseLevel(),
        ],
    )
    birth_comparison = cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(is_null_level=True),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel("levenshtein(birth_text_l, birth_text_r) <= 1", label_for_charts="one character"),
            cll.CustomLevel(
                "abs(date_diff('day', birth_date_l, birth_date_r)) <= 62", label_for_charts="within two months"
            ),
            cll.CustomLevel("birth_year_l = birth_year_r", label_for_charts="same year"),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", label_for_charts="a year apart"),
            cll.ElseLevel(),
        ],
    )
    region_comparison = cl.CustomComparison(
        output_column_name="region",
        comparison_levels=[
            cll.NullLevel("county"),
            cll.ExactMatchLevel("village"),
            cll.ExactMatchLevel("township"),
            cll.ExactMatchLevel("county"),
            cll.ElseLevel(),
        ],
    )
    id_comparison = cl.CustomComparison(
        output_column_name="id_number",
        comparison_levels=[
            cll.NullLevel("id_number"),
            cll.ExactMatchLevel("id_number"),
            cll.LevenshteinLevel("id_number", 2),
            cll.ElseLevel(),
        ],
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name_comparison,
            birth_comparison,
            cl.ExactMatch("sex"),
            region_comparison,
            id_comparison,
            cl.ArrayIntersectAtSizes("phones", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("name_fold", "birth_year"),
            block_on("sorted_fold", "birth_year"),
            block_on("name_fold", "county"),
            block_on("given_fold", "birth_year", "county"),
            block_on("birth_date", "sex", "county"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(frame, settings, log_level=None)

    mark = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), CustomRule("l.name = r.name AND l.birth_date = r.birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_u_pairs, seed=SPLINK_SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_fold", "birth_year"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    seconds["train (prior, u sampling, EM)"] = time.perf_counter() - mark

    mark = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=keep_above)
    seconds["predict"] = time.perf_counter() - mark
    # Untimed: the pairs its blocking rules gave (cached by predict), and how many are true pairs.
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    connection.register("truth_arrow", pa.table({"unique_id": pa.array(keys, pa.int64()), "entity": entities}))
    counted = connection.execute(
        "SELECT count(*), count(*) FILTER (WHERE a.entity = b.entity) "  # noqa: S608 (Splink's own table)
        f"FROM (SELECT DISTINCT join_key_l, join_key_r FROM {blocked.physical_name}) p "
        "JOIN truth_arrow a ON a.unique_id = p.join_key_l JOIN truth_arrow b ON b.unique_id = p.join_key_r"
    ).fetchall()[0]
    mark = time.perf_counter()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    clusters = connection.execute(
        f"SELECT count(*) FROM (SELECT cluster_id FROM {clustered.physical_name} "  # noqa: S608 (Splink's own table)
        "GROUP BY cluster_id HAVING count(*) > 1)"
    ).fetchall()[0]
    seconds["cluster"] = time.perf_counter() - mark
    pairs = connection.execute(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {predictions.physical_name}"  # noqa: S608
    ).fetchall()
    connection.close()
    return SplinkResult(
        seconds=seconds,
        pairs=[(int(a), int(b), float(p)) for a, b, p in pairs],
        clusters=int(clusters[0]) if clusters else 0,
        comparisons=int(counted[0]) if counted else 0,
        true_candidates=int(counted[1]) if counted else 0,
    )
