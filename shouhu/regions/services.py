"""Writes of the regions app: importing division tables and loading the demo city.

An import reads the whole table, checks every line (``tables``) and the parents against the
database, and only then writes — in one transaction, with bulk statements, so that the whole
country (≈44 k rows) loads in seconds and a refused table leaves nothing behind. Codes that
vanish from the imported scope are marked inactive, never deleted, so that every record that
points at them keeps working; renames keep the old name in the change history.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shouhu.core.errors import DomainError
from shouhu.core.history import acting_as
from shouhu.regions import codes, tables
from shouhu.regions.choices import Level
from shouhu.regions.models import DivisionImport, Region
from shouhu.regions.tables import LineProblem, TableRow

if TYPE_CHECKING:
    from shouhu.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_TABLE = DATA_DIR / "divisions-2023"
BUNDLED_YEAR = 2023
DEMO_DIR = DATA_DIR / "demo"
OFFICIAL_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP})
SCOPE_LENGTHS = (0, 2, 4, 6)
# Rows per statement: below SQLite's limit on bound parameters, large enough to be quick.
BATCH = 500
# Key of the PostgreSQL advisory lock that serialises imports (SQLite serialises writers itself).
IMPORT_LOCK_KEY = 0x5EC7_0001

ProgressCallback = Callable[[str, int, int], None]


class DivisionTableError(DomainError):
    """The table was refused: every bad line is in ``problems`` and nothing was written.

    The problems are ordered as the files are read (provinces, cities, areas, streets, then
    the village list) and by line within a file.
    """

    def __init__(self, problems: Iterable[LineProblem], sources: Sequence[str] = ()) -> None:
        rank = {source: index for index, source in enumerate(sources)}
        self.problems = sorted(problems, key=lambda p: (rank.get(p.source, len(rank)), *p.sort_key()))
        super().__init__(
            _("The division table has %(count)d problem(s); nothing was imported.") % {"count": len(self.problems)},
            code="division_table",
        )

    def operator_lines(self) -> list[str]:
        """The problems in English, one line each: file, line, code and reason."""
        return tables.describe_all(self.problems, "en")

    def messages(self, language: str = "zh-hans") -> list[str]:
        """The problems in ``language`` (Chinese by default), for a screen."""
        return tables.describe_all(self.problems, language)


@dataclass
class ImportResult:
    """What an import found and did (or, in a dry run, would do)."""

    year: int
    scope: str
    scope_name: str
    dry_run: bool
    rows: int = 0
    rows_by_level: dict[str, int] = field(default_factory=dict)
    repeats: int = 0
    created: int = 0
    renamed: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0
    confirmed: int = 0
    renames: list[tuple[str, str, str]] = field(default_factory=list)
    record: DivisionImport | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Does (or would) the import change anything stored?"""
        return bool(self.created + self.renamed + self.updated + self.deactivated + self.reactivated + self.confirmed)

    def summary(self) -> str:
        """One sentence in the active language."""
        if not self.changed:
            return gettext("Nothing to change: the database already holds this table (%(rows)d rows).") % {
                "rows": self.rows
            }
        text = gettext(
            "%(rows)d rows: %(created)d created, %(renamed)d renamed, %(updated)d otherwise updated, "
            "%(deactivated)d deactivated, %(reactivated)d reactivated, %(confirmed)d confirmed for %(year)d."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "renamed": self.renamed,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "reactivated": self.reactivated,
            "confirmed": self.confirmed,
            "year": self.year,
        }
        if self.dry_run:
            text = gettext("Dry run, nothing written. %(summary)s") % {"summary": text}
        return text


class _Stored(NamedTuple):
    name: str
    urban_rural_class: str
    generated: bool
    active: bool
    year: int


@dataclass(frozen=True)
class _Unit:
    """A part of the table an import covers: the codes under ``prefix`` at ``levels``."""

    prefix: str
    levels: frozenset[Level]


def import_divisions(
    *,
    actor: User | None,
    year: int,
    source: Path | None = BUNDLED_TABLE,
    scope: str = "",
    villages: Path | None = None,
    generated: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import the official table in ``source`` and/or a village list, for the area ``scope``.

    ``source`` is a directory with provinces/cities/areas/streets.csv (None: villages only);
    ``scope`` a code prefix (``''`` the whole country, ``'37'``, ``'3709'``): rows elsewhere in
    the table are checked but not imported, and only rows inside it can be deactivated. A
    village list replaces the villages of each city it lists. Raises ``DivisionTableError``
    listing every bad line, and writes nothing, if any line is wrong.
    """
    started = time.monotonic()
    report = progress or (lambda stage, done, total: None)
    if not scope.isascii() or (scope and not scope.isdigit()) or len(scope) not in SCOPE_LENGTHS:
        raise DomainError(
            _("The scope %(scope)s is not a province, city or county code (2, 4 or 6 digits).") % {"scope": scope},
            field="scope",
        )
    if source is None and villages is None:
        raise DomainError(_("Nothing to import: give the official table, a village list or both."))

    official = tables.read_official(source) if source is not None else tables.ParsedTable()
    village_table = (
        tables.read_villages(villages, generated=generated) if villages is not None else tables.ParsedTable()
    )
    every_row = official.rows + village_table.rows
    report("read", len(every_row), len(every_row))
    problems = official.problems + village_table.problems
    problems += tables.check_repeats(official)
    problems += tables.check_duplicates(every_row)

    with transaction.atomic():
        _lock_imports()
        scope_name = _scope_name(scope, official.rows, has_official=source is not None)
        if scope:
            problems += tables.check_scope(village_table.rows, scope, f"{scope_name} {scope}")
        rows = tables.scope_rows(official.rows, scope) + [r for r in village_table.rows if r.code.startswith(scope)]
        units = _units(scope, has_official=source is not None, village_rows=village_table.rows)
        stored = _stored_rows(units, scope)
        imported = {row.code for row in rows}
        vanishing = frozenset(
            code
            for code, row in stored.items()
            if row.active and code not in imported and any(_in_unit(code, unit) for unit in units)
        )
        if not any(problem.problem in tables.FILE_PROBLEMS for problem in problems):
            # With a file missing or unreadable, every row below it would lack its parent: noise.
            problems += tables.check_parents(every_row, stored=_stored_parents(every_row, stored), vanishing=vanishing)
        report("check", len(every_row), len(every_row))
        if problems:
            sources = [spec.filename for spec in tables.OFFICIAL_FILES] + ([villages.name] if villages else [])
            raise DivisionTableError(problems, sources)
        newer = sorted({row.year for row in stored.values() if row.year > year})
        if newer:
            raise DomainError(
                _(
                    "The database already holds the %(newer)s table for this scope; "
                    "an older table (%(year)s) cannot be imported over it."
                )
                % {"newer": newer[-1], "year": year},
                field="year",
            )

        result = ImportResult(
            year=year,
            scope=scope,
            scope_name=scope_name,
            dry_run=dry_run,
            rows=len(rows),
            rows_by_level=dict(Counter(str(row.level) for row in rows)),
            repeats=len(official.repeats),
        )
        plan = _plan(rows, stored, vanishing, year)
        plan.count_into(result)
        if dry_run or not result.changed:
            result.seconds = time.monotonic() - started
            return result

        with acting_as(actor):
            _write(plan, year, report)
            result.seconds = time.monotonic() - started
            record = DivisionImport.objects.create(
                year=year,
                scope=scope,
                scope_name=scope_name,
                source=_describe_source(source),
                villages_source=_describe_source(villages),
                generated=generated,
                rows=result.rows,
                created=result.created,
                renamed=result.renamed,
                updated=result.updated,
                deactivated=result.deactivated,
                reactivated=result.reactivated,
                confirmed=result.confirmed,
                changes=plan.changes(),
                seconds=round(result.seconds, 3),
                created_by=actor,
            )
            _log_changes(plan, actor=actor, record=record)
        result.record = record
    return result


def load_demo_city(city_code: str = "3709", *, actor: User | None = None) -> ImportResult:
    """Load the demo city: the bundled 2023 table of ``city_code`` and its generated villages.

    Idempotent: once loaded, a second call changes nothing and its result says so
    (``result.changed`` is false, ``result.summary()`` tells it).
    """
    villages = DEMO_DIR / f"{city_code}-villages.csv"
    if not villages.exists():
        raise DomainError(
            _("There is no generated village list for the city %(city)s (expected %(path)s).")
            % {"city": city_code, "path": villages.relative_to(DATA_DIR.parent)}
        )
    return import_divisions(
        actor=actor,
        year=BUNDLED_YEAR,
        source=BUNDLED_TABLE,
        scope=city_code,
        villages=villages,
        generated=True,
    )


@dataclass
class _Plan:
    """The rows to create, to change (with their changes), to confirm and to deactivate."""

    create: list[Region] = field(default_factory=list)
    change: list[tuple[Region, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    confirm: list[str] = field(default_factory=list)
    deactivate: list[tuple[str, str]] = field(default_factory=list)  # code, name

    def count_into(self, result: ImportResult) -> None:
        result.created = len(self.create)
        result.confirmed = len(self.confirm)
        result.deactivated = len(self.deactivate)
        for region, changes in self.change:
            if "name" in changes:
                result.renamed += 1
                result.renames.append((region.code, changes["name"][0], changes["name"][1]))
            if "urban_rural_class" in changes or "generated" in changes:
                result.updated += 1
            if "active" in changes:
                result.reactivated += 1

    def changes(self) -> dict[str, Any]:
        """The detail kept in the import record (old and new names, codes (de)activated)."""
        return {
            "renamed": [[r.code, c["name"][0], c["name"][1]] for r, c in self.change if "name" in c],
            "updated": [
                [r.code, {k: list(v) for k, v in c.items() if k in ("urban_rural_class", "generated")}]
                for r, c in self.change
                if "urban_rural_class" in c or "generated" in c
            ],
            "reactivated": [r.code for r, c in self.change if "active" in c],
            "deactivated": [code for code, _name in self.deactivate],
        }


def _plan(rows: Sequence[TableRow], stored: dict[str, _Stored], vanishing: frozenset[str], year: int) -> _Plan:
    plan = _Plan()
    for row in sorted(rows, key=lambda r: r.code):
        old = stored.get(row.code)
        if old is None:
            plan.create.append(
                Region(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    parent_id=row.parent,
                    urban_rural_class=row.urban_rural_class or "",
                    year=year,
                    first_year=year,
                    active=True,
                    generated=row.generated,
                )
            )
            continue
        changes: dict[str, tuple[Any, Any]] = {}
        if old.name != row.name:
            changes["name"] = (old.name, row.name)
        if row.urban_rural_class is not None and old.urban_rural_class != row.urban_rural_class:
            changes["urban_rural_class"] = (old.urban_rural_class, row.urban_rural_class)
        if old.generated != row.generated:
            changes["generated"] = (old.generated, row.generated)
        if not old.active:
            changes["active"] = (False, True)
        if changes:
            region = Region(
                code=row.code,
                name=row.name,
                urban_rural_class=changes.get("urban_rural_class", (None, old.urban_rural_class))[1],
                generated=row.generated,
                active=True,
                year=max(year, old.year),
            )
            plan.change.append((region, changes))
        elif old.year < year:
            plan.confirm.append(row.code)
    plan.deactivate = [(code, stored[code].name) for code in sorted(vanishing)]
    return plan


def _write(plan: _Plan, year: int, report: ProgressCallback) -> None:
    total = len(plan.create)
    for done, batch in _batches(plan.create, BATCH * 4):
        Region.objects.bulk_create(batch)
        report("create", done, total)
    changed = [region for region, _changes in plan.change]
    for done, batch in _batches(changed, BATCH):
        Region.objects.bulk_update(batch, ["name", "urban_rural_class", "generated", "active", "year"])
        report("update", done, len(changed))
    for done, codes_batch in _batches(plan.confirm, BATCH):
        Region.objects.filter(code__in=codes_batch).update(year=year)
        report("confirm", done, len(plan.confirm))
    for done, pairs in _batches(plan.deactivate, BATCH):
        Region.objects.filter(code__in=[code for code, _name in pairs]).update(active=False)
        report("deactivate", done, len(plan.deactivate))


def _log_changes(plan: _Plan, *, actor: User | None, record: DivisionImport) -> None:
    """One change-history entry (django-auditlog) per renamed, updated, (de)activated region.

    The bulk statements above bypass auditlog's signals, so the entries are written here, in
    auditlog's own format, so that a region's history shows its old names.
    """
    content_type = ContentType.objects.get_for_model(Region)
    extra = {"division_import": record.pk, "year": record.year}
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=region.code,
            object_repr=str(region),
            action=LogEntry.Action.UPDATE,
            changes={name: [str(old), str(new)] for name, (old, new) in changes.items()},
            actor=actor,
            additional_data=extra,
        )
        for region, changes in plan.change
    ]
    entries += [
        LogEntry(
            content_type=content_type,
            object_pk=code,
            object_repr=f"{name} ({code})",
            action=LogEntry.Action.UPDATE,
            changes={"active": ["True", "False"]},
            actor=actor,
            additional_data=extra,
        )
        for code, name in plan.deactivate
    ]
    LogEntry.objects.bulk_create(entries, batch_size=BATCH)


def _batches(items: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        yield start + len(batch), batch


def _lock_imports() -> None:
    """Serialise imports: two at once would both plan against the same stored rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _scope_name(scope: str, official_rows: Sequence[TableRow], *, has_official: bool) -> str:
    """The name of the scope's region, from the table (or, for a village list alone, the database)."""
    if not scope:
        return ""
    code = codes.pad(scope)
    for row in official_rows:
        if row.code == code:
            return row.name
    stored = Region.objects.filter(code=code, active=True).values_list("name", flat=True).first()
    if has_official or stored is None:
        where = _("the table") if has_official else _("the database")
        raise DomainError(
            _("The scope %(scope)s is not a region of %(where)s.") % {"scope": scope, "where": where}, field="scope"
        )
    return stored


def _units(scope: str, *, has_official: bool, village_rows: Sequence[TableRow]) -> list[_Unit]:
    units = [_Unit(scope, OFFICIAL_LEVELS)] if has_official else []
    # A village list replaces the villages of each city it lists (narrowed to a county scope).
    cities = sorted({row.code[:4] for row in village_rows if row.code.startswith(scope)})
    units += [_Unit(scope if len(scope) > len(city) else city, frozenset({Level.VILLAGE})) for city in cities]
    return units


def _in_unit(code: str, unit: _Unit) -> bool:
    return code.startswith(unit.prefix) and codes.level_of(code) in unit.levels


def _stored_rows(units: Sequence[_Unit], scope: str) -> dict[str, _Stored]:
    """The stored rows the import may touch: those of its units and the regions above its scope."""
    fields = ("code", "name", "urban_rural_class", "generated", "active", "year")
    stored: dict[str, _Stored] = {}
    for unit in units:
        queryset = Region.objects.filter(codes.prefix_q("code", unit.prefix), level__in=unit.levels)
        for code, *values in queryset.values_list(*fields):
            stored[code] = _Stored(*values)
    if scope:
        for code, *values in Region.objects.filter(code__in=codes.ancestors(codes.pad(scope))).values_list(*fields):
            stored[code] = _Stored(*values)
    return stored


def _stored_parents(rows: Sequence[TableRow], stored: dict[str, _Stored]) -> dict[str, bool]:
    """``code → active`` of the stored regions that rows of the table name as parents."""
    in_table = {row.code for row in rows}
    wanted = sorted({row.parent for row in rows if row.parent and row.parent not in in_table})
    found = {code: row.active for code, row in stored.items() if code in wanted}
    missing = [code for code in wanted if code not in found]
    for _done, batch in _batches(missing, BATCH):
        found.update(Region.objects.filter(code__in=batch).values_list("code", "active"))
    return found


def _describe_source(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(DATA_DIR.parent.parent.parent))
    except ValueError:
        return str(path)
