"""Write the generated village list of the demo city (committed as data/demo/<city>-villages.csv)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouhu.regions import demo, tables
from shouhu.regions.services import BUNDLED_TABLE, DEMO_DIR


class Command(BaseCommand):
    help = (
        "Generate the villages and communities of a demo city from the townships of the bundled "
        "2023 table, deterministically, into data/demo/<city>-villages.csv (or --output)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city", default="3709", help="4-digit city code (default 3709, 泰安市)")
        parser.add_argument("--source", type=Path, default=BUNDLED_TABLE, help="directory of the official table")
        parser.add_argument("--output", type=Path, help="file to write (default data/demo/<city>-villages.csv)")
        parser.add_argument(
            "--check", action="store_true", help="write nothing; fail if the file differs from what would be written"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        city: str = options["city"]
        if len(city) != 4 or not city.isascii() or not city.isdigit():  # noqa: PLR2004  (a city code has 4 digits)
            raise CommandError(f"--city {city!r}: give the 4-digit code of a prefecture-level city")
        streets = tables.OFFICIAL_FILES[-1]
        table = tables.read_file(options["source"] / streets.filename, streets, source=streets.filename)
        if table.problems:
            raise CommandError("\n".join(tables.describe_all(table.problems, "en")))
        townships = [demo.Township(row.code, row.name) for row in table.rows if row.code.startswith(city)]
        if not townships:
            raise CommandError(f"the table has no township in city {city}")
        villages = demo.generate(townships)
        text = demo.to_csv(villages)
        output: Path = options["output"] or DEMO_DIR / f"{city}-villages.csv"
        if options["check"]:
            if not output.exists() or output.read_text(encoding="utf-8") != text:
                raise CommandError(f"{output} is not what the generator writes; run generate_demo_villages")
            self.stdout.write(f"{output} is up to date ({len(villages)} villages and communities)")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {len(villages)} villages and communities of {len(townships)} townships to {output}"
            )
        )
