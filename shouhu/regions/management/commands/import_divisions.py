"""Import a statistical division table (统计用区划代码) for the country, a province or a city."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from shouhu.core.errors import DomainError
from shouhu.regions import services


class Command(BaseCommand):
    help = (
        "Import the official division table (provinces/cities/areas/streets.csv of --source, by default "
        "the bundled 2023 table) for the whole country, one province (--province 37) or one city "
        "(--city 3709), and/or a city's list of villages and communities (--villages FILE: columns "
        "code,name,streetCode, optional urbanRuralClass, provinceCode, cityCode, areaCode, generated). "
        "Every line is checked first; on any problem nothing is imported and every bad line is listed. "
        "Codes that vanished from the imported scope are marked inactive; a village list replaces the "
        "villages of each city it lists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--province", help="2-digit province code: import this province only")
        where.add_argument("--city", help="4-digit city code: import this city (with its province row) only")
        parser.add_argument(
            "--source", type=Path, default=services.BUNDLED_TABLE, help="directory of the official table's CSV files"
        )
        parser.add_argument("--villages", type=Path, help="CSV list of villages and communities (12-digit codes)")
        parser.add_argument(
            "--villages-only", action="store_true", help="import the village list alone (its townships are stored)"
        )
        parser.add_argument("--generated", action="store_true", help="mark the imported villages as generated (demo)")
        parser.add_argument("--year", type=int, help="year of the table (default: the year in the --source name)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--actor", help="username to record as the importer")
        parser.add_argument(
            "--language", default="en", help="language of the messages (default en; zh-hans for Chinese)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        source: Path | None = None if options["villages_only"] else options["source"]
        if options["villages_only"] and not options["villages"]:
            raise CommandError("--villages-only needs --villages FILE")
        year = options["year"] or _year_of(options["source"])
        if year is None:
            raise CommandError(f"cannot tell the year of {options['source']}; give --year")
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no user {options['actor']!r}")
        scope = options["city"] or options["province"] or ""
        interactive = sys.stdout.isatty()

        def progress(stage: str, done: int, total: int) -> None:
            # One line per stage, rewritten in place on a terminal; only the final count in a log.
            if interactive:
                self.stdout.write(f"\r{stage}: {done:,}/{total:,}", ending="" if done < total else "\n")
                self.stdout.flush()
            elif done >= total:
                self.stdout.write(f"{stage}: {done:,}/{total:,}")

        try:
            result = services.import_divisions(
                actor=actor,  # type: ignore[arg-type]
                year=year,
                source=source,
                scope=scope,
                villages=options["villages"],
                generated=options["generated"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except services.DivisionTableError as exc:
            for line in exc.operator_lines() if options["language"] == "en" else exc.messages(options["language"]):
                self.stderr.write(line)
            raise CommandError(str(exc.message)) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        levels = ", ".join(f"{level} {count:,}" for level, count in sorted(result.rows_by_level.items()))
        self.stdout.write(f"{result.year} {result.scope_name or result.scope or 'whole country'}: {levels}")
        self.stdout.write(self.style.SUCCESS(f"{result.summary()} ({result.seconds:.1f} s)"))
        for code, old, new in result.renames[:50]:
            self.stdout.write(f"  renamed {code}: {old} → {new}")
        if len(result.renames) > 50:  # noqa: PLR2004  (the full list is in the import record)
            self.stdout.write(f"  … and {len(result.renames) - 50} more renames (see the import history)")


def _year_of(path: Path) -> int | None:
    match = re.search(r"(19|20)\d\d", path.name)
    return int(match.group()) if match else None
