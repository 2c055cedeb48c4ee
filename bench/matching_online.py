"""Benchmark of the online search (issue 4): one search against 100 000 and 1 000 000 children in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench .venv/bin/python -m bench matching_online
    .venv/bin/python -m bench matching_online --sizes 20000 --queries 100      # SQLite, smaller

For each size, on a throw-away test database: the demo city's children are loaded as
``bench.registry`` loads them (``bench/_registry_data.py``: COPY, indexes after the load), then
their search keys are built with COPY (``keys.child_keys``, the store's own function) and
``VACUUM ANALYZE``. Then ``--queries`` records made from children on file the way searches see
them — a registration (no number), a report (a homophone in the name, "about N years"), a typed
date (day and month swapped, a digit of the year wrong), a child who moved county, a street
child (a name and an age, nothing else, searched city-wide), an identity number with one digit
wrong — are searched:

* latency of ``search.find`` (blocks + candidates + engine; median and p95, goal < 20 ms and
  < 50 ms at a million), and of ``search.search`` (with the access-log entry), with the share of
  each step and the ``EXPLAIN (ANALYZE, BUFFERS)`` plans of one search's queries;
* the same queries answered by a brute-force scan: rapidfuzz over the folded pinyin of every name
  on file (``fuzz.ratio``, top ``search.CANDIDATES``), the same engine ranking the survivors: its
  latency, the ratio, and the recall each way finds (the child the record was made from, in a
  band) — what the blocking loses against the scan, and what the scan loses against the blocks.

Figures are printed whether or not a goal is met. The corruptions here are the bench's own small
tables (a handful of homophones), not the evaluation set's (``bench/matching.py``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from typing import Any

MEDIAN_GOAL_MS = 20.0
P95_GOAL_MS = 50.0
SEED = 2026
CITY = "3709"
KEY_BATCH = 20_000
# The brute force keeps every name at least this alike (rapidfuzz ratio of the folded pinyin, 0-100).
SCAN_CUTOFF = 70
SCAN_LIMIT = 20_000

# A few homophones of common given-name characters (the bench's own, for made-up reports).
HOMOPHONES = {
    "小": "晓", "晓": "小", "明": "铭", "铭": "明", "红": "虹", "虹": "红", "伟": "玮", "玮": "伟", "丽": "莉",
    "莉": "丽", "军": "君", "君": "军", "华": "桦", "芳": "方", "强": "蔷", "杰": "洁", "洁": "杰", "涛": "滔",
    "婷": "亭", "静": "婧", "婧": "静", "浩": "昊", "昊": "浩", "宇": "雨", "雨": "宇", "轩": "萱", "萱": "轩",
    "欣": "馨", "馨": "欣", "佳": "嘉", "嘉": "佳", "梓": "子", "子": "梓", "怡": "仪", "一": "依", "泽": "择",
    "博": "搏", "文": "雯", "雯": "文", "睿": "瑞", "瑞": "睿", "俊": "骏", "骏": "俊", "晨": "辰", "辰": "晨",
}  # fmt: skip
SCENARIOS = ("registration", "report", "typed date", "moved county", "street child", "id number typo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100000,1000000", help="children per run, comma-separated")
    parser.add_argument("--queries", type=int, default=300, help="records searched per size")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=2, help="processes that generate and write (PostgreSQL)")
    parser.add_argument("--no-plans", action="store_true", help="do not print the query plans")
    parser.add_argument("--no-brute", action="store_true", help="skip the brute-force comparison")
    parser.add_argument(
        "--brute-queries", type=int, default=100, help="queries answered by the brute force too (seconds each at 1 M)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the last test database (PostgreSQL)")
    parser.add_argument("--reuse", action="store_true", help="search a database kept with --keep (one size)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django  # noqa: PLC0415  (Django is set up by this script)

    django.setup()
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415

    setup_test_environment()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    old_name = connection.settings_dict["NAME"]
    summary: list[str] = []
    for index, size in enumerate(sizes):
        last = index == len(sizes) - 1
        keep = connection.vendor == "postgresql" and (args.keep or args.reuse) and last
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse, serialize=False)
        try:
            summary.append(run(args, size))
        finally:
            if keep:
                print(f"kept the database {connection.settings_dict['NAME']} (drop it when done)")
                connection.settings_dict["NAME"] = old_name
            else:
                connection.creation.destroy_test_db(old_name, verbosity=0)
    print("\n== summary ==")
    for line in summary:
        print(line)


# -- loading -----------------------------------------------------------------------------------


def run(args: argparse.Namespace, size: int) -> str:
    from django.db import connection  # noqa: PLC0415

    from bench import registry  # noqa: PLC0415
    from shouhu.policy import selectors as policy_selectors  # noqa: PLC0415
    from shouhu.registry.models import Child  # noqa: PLC0415

    on = policy_selectors.today()
    print(f"\n== {size:,} children; database: {connection.vendor} ==", flush=True)
    if args.reuse and Child.objects.exists():
        print(f"reusing {Child.objects.count():,} children", flush=True)
        users = registry._users()
    else:
        registry._load_regions()
        users = registry._users()
        load = argparse.Namespace(children=size, seed=args.seed, workers=args.workers)
        registry._load_children(load, on, users["bench"])
        build_keys()
    return measure_searches(args, size, on, users["city"])


def build_keys() -> None:
    """Every child's search keys with COPY (PostgreSQL) or executemany, indexes built afterwards."""
    from django.db import connection  # noqa: PLC0415

    from shouhu.matching import keys, names  # noqa: PLC0415
    from shouhu.matching.models import KeyState, MatchKey  # noqa: PLC0415
    from shouhu.registry.models import Child  # noqa: PLC0415

    started = time.perf_counter()
    table = MatchKey._meta.db_table
    postgres = connection.vendor == "postgresql"
    definitions: list[str] = []
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
            found = [(n, d) for n, d in cursor.fetchall() if not n.endswith("_pkey")]
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {name}")
            definitions = [d for _n, d in found]
    rows = children = 0
    key_seconds = 0.0
    batch: list[tuple[int, str, str]] = []
    source = Child.objects.exclude(status="merged").order_by("pk").values_list(*keys.KEY_FIELDS)
    for pk, name, former, born, village in source.iterator(chunk_size=KEY_BATCH):
        mark = time.perf_counter()
        made = keys.child_keys(name, former or [], born)
        key_seconds += time.perf_counter() - mark
        batch.extend((pk, key, village) for key in made)
        children += 1
        if len(batch) >= 10 * KEY_BATCH:
            rows += _write_keys(table, batch)
            batch = []
    rows += _write_keys(table, batch)
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition)
        if postgres:
            cursor.execute(f"VACUUM ANALYZE {table}")
    KeyState.objects.update_or_create(
        pk=1, defaults={"version": names.KEYS_VERSION, "children": children, "keys": rows}
    )
    total = time.perf_counter() - started
    print(
        f"search keys: {rows:,} keys of {children:,} children ({rows / max(children, 1):.1f} each) in "
        f"{total:.1f} s (key functions {key_seconds:.1f} s, indexes and ANALYZE {time.perf_counter() - mark:.1f} s)"
    )
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table])
            print(f"  table and indexes: {cursor.fetchone()[0]}", flush=True)


def _write_keys(table: str, batch: list[tuple[int, str, str]]) -> int:
    from django.db import connection  # noqa: PLC0415

    if not batch:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (child_id, key, village_code) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} (child_id, key, village_code) VALUES (%s, %s, %s)", batch)  # noqa: S608
    return len(batch)


# -- queries -----------------------------------------------------------------------------------


@dataclass
class Query:
    scenario: str
    source: int  # the child the record was made from
    record: Any  # PersonRecord
    scope: str | None = None


def make_queries(count: int, *, seed: int, on: date) -> list[Query]:
    """Records made from random children on file, one scenario after another."""
    from shouhu.matching import search  # noqa: PLC0415
    from shouhu.registry import idnumber  # noqa: PLC0415
    from shouhu.registry.models import Child  # noqa: PLC0415

    rng = random.Random(seed)
    last = Child.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    counties = sorted(set(Child.objects.values_list("county_code", flat=True).distinct()[:50]))
    wanted = sorted({rng.randint(1, last) for _ in range(count * 2)})[: count * 2]
    children = search.load(wanted)
    rng.shuffle(children)
    queries: list[Query] = []
    for index, child in enumerate(children):
        if len(queries) >= count:
            break
        scenario = SCENARIOS[index % len(SCENARIOS)]
        full = search.child_record(child, with_id_number=scenario == "id number typo")
        age = on.year - child.birth_date.year - ((on.month, on.day) < (child.birth_date.month, child.birth_date.day))
        record = replace(full, id_number="", id_number_hash="")
        scope = None
        if scenario == "report":
            record = replace(
                record,
                names=(_homophone(child.name, rng),),
                birth_date=None,
                age=age,
                phones=(),
                guardian_names=record.guardian_names[:1],
                guardian_phones=(),
            )
        elif scenario == "typed date":
            born = child.birth_date
            if born.day <= 12 and born.day != born.month:
                typed = born.replace(month=born.day, day=born.month)
            else:
                typed = _year_digit(born, rng)
            record = replace(record, birth_date=typed, region_code=child.village_id[:6], guardian_names=())
        elif scenario == "moved county":
            elsewhere = [c for c in counties if c != child.county_code] or [child.county_code]
            moved = rng.choice(elsewhere).ljust(12, "0")
            record = replace(record, region_code=moved, phones=(), guardian_names=(), guardian_phones=())
        elif scenario == "street child":
            record = replace(
                record, birth_date=None, age=age, region_code="", phones=(), guardian_names=(), guardian_phones=()
            )
            scope = CITY
        elif scenario == "id number typo":
            if not full.id_number:
                continue
            position = rng.randrange(6, 17)
            digit = str((int(full.id_number[position]) + rng.randint(1, 9)) % 10)
            typo = full.id_number[:position] + digit + full.id_number[position + 1 :]
            record = replace(record, id_number=typo, phones=(), guardian_names=(), guardian_phones=())
            assert idnumber.normalise(typo) != full.id_number
        queries.append(Query(scenario=scenario, source=child.pk, record=record, scope=scope))
    return queries


def _homophone(name: str, rng: random.Random) -> str:
    positions = [i for i in range(1, len(name)) if name[i] in HOMOPHONES]
    if not positions:
        return name
    i = rng.choice(positions)
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]


def _year_digit(born: date, rng: random.Random) -> date:
    for _ in range(10):
        year = born.year + rng.choice((-1, 1, -10, 10))
        try:
            return born.replace(year=year)
        except ValueError:
            continue
    return born + timedelta(days=1)


# -- measuring ---------------------------------------------------------------------------------


def percentile(samples: Sequence[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def measure_searches(args: argparse.Namespace, size: int, on: date, actor: Any) -> str:
    from django.db import connection  # noqa: PLC0415

    from shouhu.matching import engine, search  # noqa: PLC0415

    queries = make_queries(args.queries, seed=args.seed, on=on)
    print(f"{len(queries)} queries: " + ", ".join(f"{s} {n}" for s, n in Counter(q.scenario for q in queries).items()))
    limits = engine.thresholds(on)

    def find(q: Query) -> list[Any]:
        return search.find(q.record, scope=q.scope, on=on)

    for q in queries[:20]:  # warm the caches (names, the database's pages)
        find(q)
    steps: dict[str, list[float]] = {"blocks": [], "candidates": [], "engine": []}
    examined: list[int] = []
    places: list[int | None] = []  # where the child searched for stands among the blocks' candidates
    total: list[float] = []
    found_by_search: dict[int, list[Any]] = {}
    for q in queries:
        where = search._where(q.record, scope=q.scope, fallback="")
        t_blocks, pks = timed(partial(search.candidate_ids, q.record, where=where, on=on))
        t_load, loaded = timed(partial(search.records, pks, with_id_number=bool(q.record.id_number)))
        t_rank, _ranked = timed(partial(engine.rank, q.record, loaded.items(), on=on, limit=10, thresholds=limits))
        steps["blocks"].append(t_blocks)
        steps["candidates"].append(t_load)
        steps["engine"].append(t_rank)
        examined.append(len(pks))
        places.append(pks.index(q.source) + 1 if q.source in pks else None)
        elapsed, result = timed(partial(find, q))
        total.append(elapsed)
        found_by_search[id(q)] = [child.pk for child, _m in result]
    logged = [timed(partial(search.search, actor, q.record, scope=q.scope, on=on))[0] for q in queries]
    median, p95 = statistics.median(total), percentile(total, 0.95)
    verdict = "met" if median < MEDIAN_GOAL_MS and p95 < P95_GOAL_MS else "MISSED"
    print(
        f"search.find: median {median:.1f} ms, p95 {p95:.1f} ms, max {max(total):.1f} ms "
        f"(goal < {MEDIAN_GOAL_MS:.0f} ms median and < {P95_GOAL_MS:.0f} ms p95: {verdict})"
    )
    print(
        f"  by step (median): blocks {statistics.median(steps['blocks']):.1f} ms, candidates "
        f"{statistics.median(steps['candidates']):.1f} ms, engine {statistics.median(steps['engine']):.1f} ms; "
        f"children scored: median {statistics.median(examined):.0f}, p95 {percentile(examined, 0.95)}, "
        f"max {max(examined)} (cap {search.CANDIDATES})"
    )
    print(
        f"search.search (with the access-log entry): median {statistics.median(logged):.1f} ms, "
        f"p95 {percentile(logged, 0.95):.1f} ms"
    )
    by_scenario: dict[str, list[float]] = {}
    for q, ms in zip(queries, total, strict=True):
        by_scenario.setdefault(q.scenario, []).append(ms)
    print(
        "  by scenario (median / p95 ms): "
        + "; ".join(f"{s} {statistics.median(v):.1f} / {percentile(v, 0.95):.1f}" for s, v in by_scenario.items())
    )
    ranks = [p for p in places if p is not None]
    caps = sorted({10, 25, 50, search.CANDIDATES})
    within = ", ".join(f"≤{cap}: {sum(1 for p in ranks if p <= cap)}" for cap in caps)
    print(f"the child searched for among the blocks' candidates: {len(ranks)}/{len(places)}; its place {within}")
    recall_search = _recall(queries, found_by_search)
    print(f"recall of the search (the child searched for, in a band): {_recall_line(recall_search)}")
    print(
        "  by scenario: "
        + "; ".join(
            f"{s} {sum(recall_search[id(q)] for q in queries if q.scenario == s)}/{n}"
            for s, n in Counter(q.scenario for q in queries).items()
        )
    )
    if not args.no_plans:
        _plans(queries, on)
    line = (
        f"{size:,} children ({connection.vendor}): search median {median:.1f} ms, p95 {p95:.1f} ms ({verdict}); "
        f"recall {100 * sum(recall_search.values()) / max(len(queries), 1):.1f} %"
    )
    if not args.no_brute:
        line += "; " + brute_force(queries[: args.brute_queries], on, limits, total, found_by_search)
    return line


def _recall(queries: list[Query], found: dict[int, list[Any]]) -> dict[int, bool]:
    return {id(q): q.source in found[id(q)] for q in queries}


def _recall_line(hits: dict[int, bool]) -> str:
    return f"{sum(hits.values())}/{len(hits)} ({100 * sum(hits.values()) / max(len(hits), 1):.1f} %)"


def _plans(queries: list[Query], on: date) -> None:
    """The plans of one search's statements (one query per scenario's first record)."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from shouhu.matching import search  # noqa: PLC0415

    shown = set()
    for q in queries:
        if q.scenario in shown:
            continue
        shown.add(q.scenario)
        with CaptureQueriesContext(connection) as captured:
            search.find(q.record, scope=q.scope, on=on)
        print(f"plans of a search ({q.scenario}):")
        for number, query in enumerate(captured.captured_queries, 1):
            sql = query["sql"]
            print(
                f"  query {number} ({float(query['time']) * 1000:.1f} ms): {sql[:400]}{' …' if len(sql) > 400 else ''}"
            )
            explain = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            with connection.cursor() as cursor:
                cursor.execute(explain + sql)
                for row in cursor.fetchall():
                    print("    " + " | ".join(str(v) for v in row if v is not None))


# -- brute force -------------------------------------------------------------------------------


def _all_names() -> tuple[list[int], list[str]]:
    from shouhu.matching import names  # noqa: PLC0415
    from shouhu.registry.models import Child  # noqa: PLC0415

    pks: list[int] = []
    folded: list[str] = []
    rows = Child.objects.exclude(status="merged").order_by("pk").values_list("pk", "name", "former_names")
    for pk, name, former in rows.iterator(chunk_size=KEY_BATCH):
        for text in (name, *(former or ())):
            pks.append(pk)
            folded.append(" ".join(names.folded_syllables(text)))
    return pks, folded


def brute_force(
    queries: list[Query], on: date, limits: Any, search_ms: list[float], found_by_search: dict[int, list[Any]]
) -> str:
    """Every name on file scanned with rapidfuzz; every name at least ``SCAN_CUTOFF`` alike (at most
    ``SCAN_LIMIT``) ranked by the same engine: what the search would find with no blocking at all."""
    from rapidfuzz import fuzz, process  # noqa: PLC0415

    from shouhu.matching import engine, names, search  # noqa: PLC0415

    started = time.perf_counter()
    pks, folded = _all_names()
    print(f"brute force: {len(folded):,} names read and folded in {time.perf_counter() - started:.1f} s")

    def scan(q: Query) -> list[int]:
        wanted = " ".join(names.folded_syllables(q.record.name)) if q.record.names else ""
        if not wanted:
            return []
        best = process.extract(wanted, folded, scorer=fuzz.ratio, score_cutoff=SCAN_CUTOFF, limit=SCAN_LIMIT)
        return list(dict.fromkeys(pks[index] for _text, _score, index in best))

    scanned: list[int] = []

    def brute(q: Query) -> list[int]:
        found = scan(q)
        scanned.append(len(found))
        loaded: dict[int, Any] = {}
        for start in range(0, len(found), 1000):
            loaded.update(search.records(found[start : start + 1000], with_id_number=bool(q.record.id_number)))
        ranked = engine.rank(q.record, loaded.items(), on=on, limit=10, thresholds=limits)
        return [pk for pk, _m in ranked]

    scan_ms: list[float] = []
    brute_ms: list[float] = []
    found_by_brute: dict[int, list[Any]] = {}
    for q in queries:
        scan_ms.append(timed(partial(scan, q))[0])
        elapsed, found = timed(partial(brute, q))
        brute_ms.append(elapsed)
        found_by_brute[id(q)] = found
    recall_brute = _recall(queries, found_by_brute)
    recall_search = _recall(queries, found_by_search)
    lost = [q for q in queries if recall_brute[id(q)] and not recall_search[id(q)]]
    gained = [q for q in queries if recall_search[id(q)] and not recall_brute[id(q)]]
    median_brute = statistics.median(brute_ms)
    ratio = median_brute / max(statistics.median(search_ms), 1e-9)
    print(
        f"brute force (rapidfuzz ratio ≥ {SCAN_CUTOFF} over every folded name, same engine on every one of "
        f"them: median {statistics.median(scanned):.0f}, max {max(scanned)}): median "
        f"{median_brute:.1f} ms, p95 {percentile(brute_ms, 0.95):.1f} ms (the scan alone: median "
        f"{statistics.median(scan_ms):.1f} ms) — {ratio:.0f}× the search's median"
    )
    print(
        f"recall on these {len(queries)} queries: brute force {_recall_line(recall_brute)}, "
        f"search {_recall_line(recall_search)}"
    )
    print(
        f"lost by blocking (found by the scan, not by the search): {len(lost)} of {len(queries)} "
        f"({100 * len(lost) / max(len(queries), 1):.1f} %)"
        + (": " + ", ".join(f"{s} {n}" for s, n in Counter(q.scenario for q in lost).items()) if lost else "")
    )
    print(
        f"found by the search, missed by the scan: {len(gained)}"
        + (": " + ", ".join(f"{s} {n}" for s, n in Counter(q.scenario for q in gained).items()) if gained else "")
    )
    for q in lost[:5]:
        print(f"  lost: {q.scenario}: {q.record.names} born {q.record.birth_date or q.record.age} → #{q.source}")
    return (
        f"brute force median {median_brute:.0f} ms ({ratio:.0f}× slower), recall {_recall_line(recall_brute)}; "
        f"lost by blocking {len(lost)}/{len(queries)}"
    )


if __name__ == "__main__":
    main()
