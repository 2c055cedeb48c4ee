"""Benchmark of the regions app: importing the national table and reading by code range.

    .venv/bin/python -m bench.regions [--villages-per-township 10] [--repeat 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench .venv/bin/python -m bench.regions

Runs on a throw-away test database (SQLite in memory, or ``test_<name>`` on PostgreSQL): imports
the bundled 2023 table of the whole country, loads the demo city, adds synthetic villages under
every township of the country (a national-scale table: ≈10 per township by default, 400 k rows),
then times the reads the screens and the policies make. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--villages-per-township", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django  # noqa: PLC0415  (Django is set up by this script, not imported at module load)

    django.setup()
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.villages_per_township, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def median_ms(label: str, action: Callable[[], Any], repeat: int) -> None:
    action()  # warm the caches
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"{label}: median {statistics.median(samples):.2f} ms, p95 {sorted(samples)[int(len(samples) * 0.95)]:.2f} ms"
    )


def run(per_township: int, repeat: int) -> None:
    from django.db import connection  # noqa: PLC0415

    from shouhu.accounts.models import User  # noqa: PLC0415
    from shouhu.regions import selectors, services  # noqa: PLC0415
    from shouhu.regions.choices import Level  # noqa: PLC0415
    from shouhu.regions.models import Region  # noqa: PLC0415

    print(f"database: {connection.vendor}")
    result = timed(
        "import the 2023 table of the whole country", lambda: services.import_divisions(actor=None, year=2023)
    )
    print(f"  {result.summary()}")
    again = timed("import it again (nothing to change)", lambda: services.import_divisions(actor=None, year=2023))
    print(f"  {again.summary()}")
    demo = timed("load the demo city (3709, with its villages)", lambda: services.load_demo_city(actor=None))
    print(f"  {demo.summary()}")

    townships = list(
        Region.objects.filter(level=Level.TOWNSHIP).exclude(code__startswith="3709").values_list("code", flat=True)
    )
    villages = [
        Region(
            code=f"{code[:9]}{200 + n:03d}",
            name=f"合成{n}村",
            level=Level.VILLAGE,
            parent_id=code,
            urban_rural_class="220",
            year=2023,
            first_year=2023,
            generated=True,
        )
        for code in townships
        for n in range(1, per_township + 1)
    ]
    timed(
        f"bulk-insert {len(villages):,} synthetic villages",
        lambda: Region.objects.bulk_create(villages, batch_size=2000),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE regions_region")
    print(f"regions in the table: {Region.objects.count():,}")

    superuser = User(username="bench", is_superuser=True, is_active=True)
    median_ms(
        "all of one township (range on the primary key)",
        lambda: list(Region.objects.within("370911106000").values_list("code", flat=True)),
        repeat,
    )
    median_ms(
        "villages of one county (range + level)",
        lambda: list(selectors.regions_within(superuser, "370911000000", level=Level.VILLAGE).values_list("code")),
        repeat,
    )
    median_ms("counts by level of a city", lambda: selectors.level_counts(superuser, "370900000000"), repeat)
    median_ms("counts by level of a province", lambda: selectors.level_counts(superuser, "370000000000"), repeat // 4)
    median_ms(
        "children of a county with their counts",
        lambda: selectors.children_with_counts(superuser, "370911000000"),
        repeat,
    )
    median_ms(
        "search a city by name",
        lambda: list(selectors.search_regions(superuser, "庄", within="370900000000")[:50]),
        repeat,
    )
    median_ms(
        "grouped village choices of a county",
        lambda: selectors.region_choices(superuser, within="370911000000"),
        repeat // 4,
    )


if __name__ == "__main__":
    main()
