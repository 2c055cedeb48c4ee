"""Benchmark of the child registry: one million children in the demo city, and the list's queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench .venv/bin/python -m bench registry
    .venv/bin/python -m bench registry --children 20000          # SQLite, smaller

Runs on a throw-away test database (``test_<name>`` on PostgreSQL, in memory on SQLite): imports
the 2023 division table of the country (migrants come from other provinces), loads the demo
city 泰安市 with its generated villages, generates ``--children`` children with their families
(``shouhu.demo.children``) and writes them with their categories (``bench/_registry_data.py``:
COPY, secondary indexes built after the load, then VACUUM ANALYZE as autovacuum would). It
times ``bulk_register_children`` on a sample, then each query of the issue's goal, median and
95th percentile over ``--repeat`` runs, and prints the plans (``EXPLAIN (ANALYZE, BUFFERS)``):

    (a) the list page of one township (the first page and the count), as the list screen asks;
    (b) the same for one county with two filters (a category and an age band);
    (c) the count of children by category for every township of the city (``category_counts``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

GOAL_MS = 100.0
PER_PAGE = 30  # the list screen's page (shouhu.registry.views.PER_PAGE)
SEED = 2026
CITY = "3709"
CHUNK = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--bulk-sample", type=int, default=2000, help="records timed through bulk_register_children")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=2, help="processes that generate and write (PostgreSQL)")
    parser.add_argument("--no-plans", action="store_true", help="do not print the query plans")
    parser.add_argument(
        "--keep", action="store_true", help="keep the test database (PostgreSQL) for experiments; --reuse runs on it"
    )
    parser.add_argument("--reuse", action="store_true", help="the queries only, on a database kept with --keep")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django  # noqa: PLC0415  (Django is set up by this script, not imported at module load)

    django.setup()
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    keep = connection.vendor == "postgresql" and (args.keep or args.reuse)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse)
    try:
        run(args)
    finally:
        if keep:
            print(f"kept the database {connection.settings_dict['NAME']} (drop it when done)")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def measure(label: str, action: Callable[[], Any], repeat: int) -> float:
    """Median and 95th percentile of ``action`` in milliseconds, against the goal; returns the median."""
    action()  # warm the caches
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    verdict = "met" if median < GOAL_MS else "MISSED"
    print(f"{label}: median {median:.1f} ms, p95 {p95:.1f} ms (goal < {GOAL_MS:.0f} ms median: {verdict})", flush=True)
    return median


def show_plans(action: Callable[[], Any]) -> None:
    """Each query ``action`` makes, with its plan (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS))."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as captured:
        action()
    for number, query in enumerate(captured.captured_queries, 1):
        sql = query["sql"]
        print(f"  query {number} ({float(query['time']) * 1000:.1f} ms): {sql[:600]}{' …' if len(sql) > 600 else ''}")
        explain = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(explain + sql)
            for row in cursor.fetchall():
                print("    " + " | ".join(str(v) for v in row if v is not None))


def run(args: argparse.Namespace) -> None:
    from django.db import connection  # noqa: PLC0415

    from shouhu.policy import selectors as policy_selectors  # noqa: PLC0415
    from shouhu.registry.models import Child  # noqa: PLC0415

    on = policy_selectors.today()
    if args.reuse and Child.objects.exists():
        print(f"database: {connection.vendor}; reusing {Child.objects.count():,} children", flush=True)
        _queries(args, on, _users())
        return
    print(f"database: {connection.vendor}; children: {args.children:,}; seed {args.seed}", flush=True)
    _load_regions()
    users = _users()
    _load_children(args, on, users["bench"])
    _bulk_sample(args, on, users["bench"])
    _queries(args, on, users)


def _load_regions() -> None:
    from shouhu.regions import services  # noqa: PLC0415

    timed("import the 2023 division table of the country", lambda: services.import_divisions(actor=None, year=2023))
    timed(f"load the demo city {CITY} with its villages", lambda: services.load_demo_city(CITY))


def _users() -> dict[str, Any]:
    """A superuser that loads, and one user per query: township supervisor, county and city caseworkers."""
    from shouhu.accounts.choices import Role  # noqa: PLC0415
    from shouhu.accounts.models import RoleAssignment, User  # noqa: PLC0415

    def user(username: str, role: Role | None, place: str | None) -> User:
        made, created = User.objects.get_or_create(
            username=username, defaults={"full_name": username, "jurisdiction_id": place, "is_superuser": role is None}
        )
        if created and role is not None:
            RoleAssignment.objects.create(user=made, role=role)
        return User.objects.get(pk=made.pk)

    return {
        "bench": user("bench", None, None),
        "city": user("bench_city", Role.COUNTY_CASEWORKER, f"{CITY}00000000"),
    }


@dataclass
class Part:
    """The villages one worker loads, and where its primary keys and identity numbers start."""

    worker: int
    workers: int
    villages: list[Any]
    sizes: dict[str, int]
    child_base: int
    person_base: int
    seed: int
    on: date
    actor_id: int


@dataclass
class PartResult:
    children: int
    persons: int
    categories: Counter[str]
    seconds: dict[str, float]
    cpu: float  # CPU seconds of the worker process (the wall time also counts waiting for the CPU)


def _parts(villages: list[Any], sizes: dict[str, int], args: argparse.Namespace, on: date, actor_id: int) -> list[Part]:
    """Consecutive villages with about the same number of children for each worker."""
    total = sum(sizes.values())
    parts: list[Part] = []
    start = done = 0
    for worker in range(args.workers):
        goal = total * (worker + 1) // args.workers
        end = start
        count = 0
        while end < len(villages) and (done + count < goal or worker == args.workers - 1):
            count += sizes.get(villages[end].code, 0)
            end += 1
        parts.append(
            Part(
                worker=worker,
                workers=args.workers,
                villages=villages[start:end],
                sizes={v.code: sizes.get(v.code, 0) for v in villages[start:end]},
                child_base=done + 1,
                # A family has at most four adults and one child: room for every worker's persons.
                person_base=4 * done + 1,
                seed=args.seed,
                on=on,
                actor_id=actor_id,
            )
        )
        start, done = end, done + count
    return parts


def _load_part(part: Part) -> PartResult:
    """Generate and write one worker's villages (in its own connection and transaction)."""
    from django.db import connection, transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from bench import _registry_data as data  # noqa: PLC0415
    from shouhu.demo import children  # noqa: PLC0415
    from shouhu.registry.services import rule_settings  # noqa: PLC0415

    cpu = time.process_time()
    phases = data.Phases()
    ids = children.IdNumbers(share=part.worker, shares=part.workers + 1)  # the last share: the sample
    maker = data.RowMaker(
        on=part.on, now=timezone.now(), actor_id=part.actor_id, settings=rule_settings(part.on), phases=phases
    )
    maker.next_child, maker.next_person = part.child_base, part.person_base
    origins = [code.ljust(12, "0") for code, _place in children.OUTSIDE_ORIGINS]
    maker.preload_regions([v.code for v in part.villages] + origins)
    city_villages = children.city_villages(CITY)
    families = children.generate_families(
        part.villages, part.sizes, seed=part.seed, on=part.on, ids=ids, city_villages=city_villages
    )
    reported = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Foreign keys are not checked row by row during the load (generated, consistent data).
                cursor.execute("SET LOCAL session_replication_role = replica")
        for batch in data.chunks(_timed_iter(families, phases), CHUNK):
            for family in batch:
                maker.add(family)
            rows = maker.take()
            mark = time.perf_counter()
            data.write(maker, rows)
            phases.add("write (COPY / INSERT)", mark)
            if maker.children - reported >= 100_000:
                reported = maker.children
                print(f"  worker {part.worker}: {maker.children:,} children …", flush=True)
    connection.close()
    return PartResult(
        children=maker.children,
        persons=maker.next_person - part.person_base,
        categories=maker.categories,
        seconds=phases.seconds,
        cpu=time.process_time() - cpu,
    )


def _load_children(args: argparse.Namespace, on: date, actor: Any) -> None:
    from django.db import connection, connections  # noqa: PLC0415

    from bench import _registry_data as data  # noqa: PLC0415
    from shouhu.demo import children  # noqa: PLC0415

    started = time.perf_counter()
    villages = children.city_villages(CITY)
    sizes = children.village_sizes(villages, args.children, seed=args.seed)
    postgres = connection.vendor == "postgresql"
    if not postgres:
        args.workers = 1  # an in-memory database is one connection's
    parts = _parts(villages, sizes, args, on, actor.pk)
    definitions = data.drop_secondary_indexes() if postgres else []
    if args.workers == 1:
        results = [_load_part(parts[0])] if postgres else [_in_memory(parts[0])]
    else:
        connections.close_all()  # each worker opens its own connection
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            results = pool.map(_load_part, parts)
    phases: dict[str, float] = {}
    for result in results:
        for phase, seconds in result.seconds.items():
            phases[phase] = phases.get(phase, 0.0) + seconds
    mark = time.perf_counter()
    if postgres:
        data.create_indexes(definitions)
    data.reset_sequences()
    phases["build the secondary indexes"] = time.perf_counter() - mark
    if postgres:
        mark = time.perf_counter()
        with connection.cursor() as cursor:
            for model in data.MODELS:
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        phases["VACUUM ANALYZE"] = time.perf_counter() - mark
    total = time.perf_counter() - started
    loaded = sum(r.children for r in results)
    categories: Counter[str] = Counter()
    for result in results:
        categories.update(result.categories)
    print(
        f"loaded {loaded:,} children, {sum(r.persons for r in results):,} family members and "
        f"{sum(categories.values()):,} categories in {total:.1f} s ({loaded / total:,.0f} children/s, "
        f"{args.workers} worker{'s' if args.workers > 1 else ''})"
    )
    cpu = " + ".join(f"{r.cpu:.0f}" for r in results)
    print(f"  CPU time of the worker processes: {cpu} s (on a busy machine the wall time is longer)")
    print("  time by phase (the workers' phases are summed over the workers):")
    for phase, seconds in sorted(phases.items(), key=lambda item: -item[1]):
        print(f"    {phase}: {seconds:.1f} s")
    shares = ", ".join(f"{c} {n:,} ({100 * n / loaded:.2f} %)" for c, n in categories.most_common())
    print(f"  categories: {shares}", flush=True)


def _timed_iter(families: Any, phases: Any) -> Any:
    """The generator's families, with the time spent generating them counted apart."""
    iterator = iter(families)
    while True:
        mark = time.perf_counter()
        try:
            family = next(iterator)
        except StopIteration:
            return
        phases.add("generate families", mark)
        yield family


def _in_memory(part: Part) -> PartResult:
    """SQLite: the load in this process (a connection closed would lose the in-memory database)."""
    from django.db import connection  # noqa: PLC0415

    close = connection.close
    connection.close = lambda: None  # type: ignore[method-assign]
    try:
        return _load_part(part)
    finally:
        connection.close = close  # type: ignore[method-assign]


def _bulk_sample(args: argparse.Namespace, on: date, actor: Any) -> None:
    """``bulk_register_children`` on a sample of records (rolled back), to compare the paths."""
    if args.bulk_sample <= 0:
        return
    from django.db import transaction  # noqa: PLC0415

    from shouhu.demo import children  # noqa: PLC0415
    from shouhu.regions.models import Region  # noqa: PLC0415
    from shouhu.registry.services import bulk_register_children  # noqa: PLC0415

    ids = children.IdNumbers(share=args.workers, shares=args.workers + 1)  # never a number of the load
    villages = children.city_villages(CITY)[:50]
    sizes = children.village_sizes(villages, args.bulk_sample, seed=args.seed + 1)
    families = list(children.generate_families(villages, sizes, seed=args.seed + 1, on=on, ids=ids))
    wanted = {c.hukou_region_code for f in families for c in f.children}
    known = frozenset(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    records = [children.child_record(c, known_regions=known) for f in families for c in f.children]
    with transaction.atomic():
        started = time.perf_counter()
        try:
            result = bulk_register_children(actor=actor, records=records, on=on)
        except Exception as error:
            print(f"bulk_register_children on {len(records):,} records failed: {error}")
            transaction.set_rollback(True)
            return
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    rate = len(records) / seconds
    print(
        f"bulk_register_children, {len(records):,} records (rolled back): {seconds:.1f} s, {rate:,.0f} children/s, "
        f"{result.log_entries:,} change-log entries; a million would take ≈{1_000_000 / rate / 60:.0f} min"
    )


def _queries(args: argparse.Namespace, on: date, users: dict[str, Any]) -> None:
    from django.core.paginator import Paginator  # noqa: PLC0415
    from django.db.models import Count  # noqa: PLC0415
    from django.db.models.functions import Substr  # noqa: PLC0415

    from shouhu.accounts.choices import Role  # noqa: PLC0415
    from shouhu.accounts.models import RoleAssignment, User  # noqa: PLC0415
    from shouhu.registry import selectors  # noqa: PLC0415
    from shouhu.registry.choices import Category  # noqa: PLC0415
    from shouhu.registry.models import Child  # noqa: PLC0415

    # The largest township and county: the worst case of their level.
    by_county = Child.objects.values("county_code").annotate(n=Count("pk")).order_by("-n")
    county, county_children = by_county.values_list("county_code", "n")[0]
    by_township = (
        Child.objects.filter(county_code=county)
        .annotate(township=Substr("village_id", 1, 9))
        .values("township")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    township, township_children = by_township.values_list("township", "n")[0]

    def user(username: str, role: Role, place: str) -> User:
        made, created = User.objects.get_or_create(
            username=username, defaults={"full_name": username, "jurisdiction_id": place}
        )
        if created:
            RoleAssignment.objects.create(user=made, role=role)
        return User.objects.get(pk=made.pk)

    supervisor = user("bench_supervisor", Role.TOWNSHIP_SUPERVISOR, township.ljust(12, "0"))
    caseworker = user("bench_caseworker", Role.COUNTY_CASEWORKER, county.ljust(12, "0"))
    city = users["city"]
    print(
        f"township {township} ({township_children:,} children), county {county} ({county_children:,} children), "
        f"city {CITY} ({Child.objects.count():,} children)",
        flush=True,
    )

    def list_page(actor: User, filters: Any) -> tuple[int, int]:
        page = Paginator(selectors.child_list(actor, filters), PER_PAGE).get_page(1)
        shown = len(list(page.object_list))
        return shown, page.paginator.count

    township_filters = selectors.ChildFilters(on=on)
    county_filters = selectors.ChildFilters(category=Category.LEFT_BEHIND, age_band="6-11", on=on)
    figures: list[tuple[str, Callable[[], Any]]] = [
        ("(a) township list: first page + count", lambda: list_page(supervisor, township_filters)),
        (
            "(b) county list, left-behind aged 6-11: first page + count",
            lambda: list_page(caseworker, county_filters),
        ),
        (
            "(c) children by category for every township of the city",
            lambda: selectors.category_counts(city, by_level="township"),
        ),
    ]
    print(f"(a) finds {list_page(supervisor, township_filters)[1]:,}, (b) {list_page(caseworker, county_filters)[1]:,}")
    print(f"(c) gives {len(selectors.category_counts(city, by_level='township')):,} rows")
    for label, action in figures:
        measure(label, action, args.repeat)
        if not args.no_plans:
            show_plans(action)


if __name__ == "__main__":
    main()
