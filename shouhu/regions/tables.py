"""Reading and checking division tables (统计用区划代码) before anything is written.

Pure module: files in, rows and problems out, no database. File format: the CSV files of
modood/Administrative-divisions-of-China (``data/divisions-2023/README.md``); code rules:
DOMAIN.md §6.1. Every line is checked and every problem of every line is kept, so that an
operator fixes a file in one pass; the caller refuses the whole table when any problem remains.
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from shouhu.regions import codes
from shouhu.regions.choices import Level, UrbanRuralClass

NAME_MAX_LENGTH = 100  # Region.name
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "是"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "否"})


class Problem(enum.StrEnum):
    """Why a line of a division table was refused."""

    FILE_MISSING = "file_missing"
    FILE_ENCODING = "file_encoding"
    COLUMNS_MISSING = "columns_missing"
    FIELD_COUNT = "field_count"
    CODE_EMPTY = "code_empty"
    CODE_CHARACTERS = "code_characters"
    CODE_LENGTH = "code_length"
    PROVINCE_PART_ZERO = "province_part_zero"
    CITY_PART_ZERO = "city_part_zero"
    COUNTY_PART_ZERO = "county_part_zero"
    TOWNSHIP_PART_ZERO = "township_part_zero"
    TOWNSHIP_PART_RANGE = "township_part_range"
    VILLAGE_PART_ZERO = "village_part_zero"
    PARENT_COLUMN = "parent_column"
    PARENT_MISSING = "parent_missing"
    PARENT_INACTIVE = "parent_inactive"
    DUPLICATE = "duplicate"
    NAME_EMPTY = "name_empty"
    NAME_TOO_LONG = "name_too_long"
    URBAN_RURAL_CLASS = "urban_rural_class"
    GENERATED_FLAG = "generated_flag"
    OUTSIDE_SCOPE = "outside_scope"


# Problems of a whole file: the rows below cannot be judged against it.
FILE_PROBLEMS = frozenset({Problem.FILE_MISSING, Problem.FILE_ENCODING, Problem.COLUMNS_MISSING})

PROBLEM_TEXT: dict[Problem, Promise] = {
    Problem.FILE_MISSING: _("the file does not exist"),
    Problem.FILE_ENCODING: _("the file is not UTF-8 text (first bad byte at offset %(offset)d)"),
    Problem.COLUMNS_MISSING: _("the header lacks the column(s) %(columns)s; it has %(found)s"),
    Problem.FIELD_COUNT: _("the line has %(found)d fields; the header has %(expected)d"),
    Problem.CODE_EMPTY: _("the code is empty"),
    Problem.CODE_CHARACTERS: _("the code has characters other than the digits 0-9"),
    Problem.CODE_LENGTH: _("the code has %(found)d digits; codes in this file have %(expected)d"),
    Problem.PROVINCE_PART_ZERO: _("the province part (digits 1-2) is 00"),
    Problem.CITY_PART_ZERO: _("the city part (digits 3-4) is 00"),
    Problem.COUNTY_PART_ZERO: _(
        "the county part (digits 5-6) is 00, which only a city without counties may use to repeat "
        "itself, under its own name; the city %(parent)s is %(parent_name)s"
    ),
    Problem.TOWNSHIP_PART_ZERO: _(
        "the township part (digits 7-9) is 000, which only a county may use to repeat itself, "
        "under its own name; the region %(parent)s is %(parent_name)s"
    ),
    Problem.TOWNSHIP_PART_RANGE: _("the township part (digits 7-9) is %(part)s; township codes run from 001 to 599"),
    Problem.VILLAGE_PART_ZERO: _("the village part (digits 10-12) is 000, which is the township's own code"),
    Problem.PARENT_COLUMN: _("the column %(column)s says %(declared)s, but the code belongs to %(expected)s"),
    Problem.PARENT_MISSING: _("the parent region %(parent)s is neither in this table nor in the database"),
    Problem.PARENT_INACTIVE: _("the parent region %(parent)s is no longer in the division table (inactive)"),
    Problem.DUPLICATE: _("the code already appears in %(source)s on line %(line)d"),
    Problem.NAME_EMPTY: _("the name is empty"),
    Problem.NAME_TOO_LONG: _("the name has %(found)d characters; at most %(limit)d are allowed"),
    Problem.URBAN_RURAL_CLASS: _("the urban-rural class %(value)s is not one of %(allowed)s"),
    Problem.GENERATED_FLAG: _("the generated column says %(value)s; write 1 or 0"),
    Problem.OUTSIDE_SCOPE: _("the code lies outside the scope of this import (%(scope)s)"),
}


@dataclass(frozen=True)
class LineProblem:
    """One reason why one line (or, with line 0 or 1, a whole file) was refused."""

    source: str
    line: int
    code: str
    problem: Problem
    params: Mapping[str, Any] = field(default_factory=dict)

    def reason(self) -> str:
        """The reason in the active language."""
        return str(PROBLEM_TEXT[self.problem]) % dict(self.params)

    def describe(self) -> str:
        """``source, line N, code C: reason`` in the active language."""
        if self.line <= 0:
            return gettext("%(source)s: %(reason)s") % {"source": self.source, "reason": self.reason()}
        return gettext("%(source)s, line %(line)d, code %(code)s: %(reason)s") % {
            "source": self.source,
            "line": self.line,
            "code": self.code or "-",
            "reason": self.reason(),
        }

    def sort_key(self) -> tuple[str, int, str]:
        return (self.source, self.line, self.problem.value)


def describe_all(problems: Iterable[LineProblem], language: str) -> list[str]:
    """Every problem as one line of text in ``language`` (``"en"`` for operators, ``"zh-hans"``)."""
    with override(language):
        return [p.describe() for p in problems]


@dataclass(frozen=True)
class FileSpec:
    """The layout of one file of the table: its level, code length and parent columns."""

    level: Level
    filename: str
    digits: int
    # Columns that repeat a prefix of the code, with that prefix's length.
    parent_columns: tuple[tuple[str, int], ...]
    required: tuple[str, ...]


OFFICIAL_FILES = (
    FileSpec(Level.PROVINCE, "provinces.csv", 2, (), ("code", "name")),
    FileSpec(Level.CITY, "cities.csv", 4, (("provinceCode", 2),), ("code", "name", "provinceCode")),
    FileSpec(
        Level.COUNTY,
        "areas.csv",
        6,
        (("cityCode", 4), ("provinceCode", 2)),
        ("code", "name", "cityCode", "provinceCode"),
    ),
    FileSpec(
        Level.TOWNSHIP,
        "streets.csv",
        9,
        (("areaCode", 6), ("cityCode", 4), ("provinceCode", 2)),
        ("code", "name", "areaCode", "provinceCode", "cityCode"),
    ),
)
VILLAGE_FILE = FileSpec(
    Level.VILLAGE,
    "villages.csv",
    12,
    (("streetCode", 9), ("areaCode", 6), ("cityCode", 4), ("provinceCode", 2)),
    ("code", "name", "streetCode"),
)
URBAN_RURAL_CLASSES = frozenset(UrbanRuralClass.values)


@dataclass(frozen=True)
class TableRow:
    """A valid line of a table, with its code in the 12-digit form."""

    source: str
    line: int
    code: str
    name: str
    level: Level
    urban_rural_class: str | None = None  # None: the file has no such column (keep what is stored)
    generated: bool = False

    @property
    def parent(self) -> str | None:
        return codes.parent_code(self.code)


@dataclass
class ParsedTable:
    """The valid rows of one or more files, the repeated rows set aside, and every problem."""

    rows: list[TableRow] = field(default_factory=list)
    # Lines that repeat their parent's own code and name (东莞's 441900, 金门县's 350527000).
    repeats: list[TableRow] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    def extend(self, other: ParsedTable) -> None:
        self.rows += other.rows
        self.repeats += other.repeats
        self.problems += other.problems


def read_official(directory: Path) -> ParsedTable:
    """The four files of the official table in ``directory``, checked line by line and together."""
    table = ParsedTable()
    for spec in OFFICIAL_FILES:
        table.extend(read_file(directory / spec.filename, spec, source=spec.filename))
    return table


def read_villages(path: Path, *, generated: bool = False) -> ParsedTable:
    """A city's list of villages and communities (``code,name,streetCode`` …), checked line by line."""
    return read_file(path, VILLAGE_FILE, source=path.name, generated=generated)


def read_file(path: Path, spec: FileSpec, *, source: str, generated: bool = False) -> ParsedTable:
    """The rows of one file; the lines that cannot become rows are listed as problems."""
    table = ParsedTable()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        table.problems.append(LineProblem(source, 0, "", Problem.FILE_MISSING))
        return table
    except UnicodeDecodeError as exc:
        table.problems.append(LineProblem(source, 0, "", Problem.FILE_ENCODING, {"offset": exc.start}))
        return table
    reader = csv.reader(text.splitlines())
    header = [column.strip() for column in next(reader, [])]
    missing = [column for column in spec.required if column not in header]
    if missing:
        found = ", ".join(header) or "-"
        table.problems.append(
            LineProblem(source, 1, "", Problem.COLUMNS_MISSING, {"columns": ", ".join(missing), "found": found})
        )
        return table
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        row, problems = _check_line(values, header, spec, source=source, line=reader.line_num, generated=generated)
        table.problems += problems
        if row is not None and not problems:
            if codes.level_of(row.code) != spec.level:
                table.repeats.append(row)
            else:
                table.rows.append(row)
    return table


def _check_line(
    values: Sequence[str], header: Sequence[str], spec: FileSpec, *, source: str, line: int, generated: bool
) -> tuple[TableRow | None, list[LineProblem]]:
    raw_code = values[0].strip() if values else ""
    if len(values) != len(header):
        return None, [
            LineProblem(source, line, raw_code, Problem.FIELD_COUNT, {"found": len(values), "expected": len(header)})
        ]
    record = {column: value.strip() for column, value in zip(header, values, strict=True)}
    code = record["code"]
    problems: list[LineProblem] = []

    def refuse(problem: Problem, **params: Any) -> None:
        problems.append(LineProblem(source, line, code, problem, params))

    code_ok = False
    if not code:
        refuse(Problem.CODE_EMPTY)
    elif not code.isascii() or not code.isdigit():
        refuse(Problem.CODE_CHARACTERS)
    elif len(code) != spec.digits:
        refuse(Problem.CODE_LENGTH, found=len(code), expected=spec.digits)
    else:
        code_ok = True
        for problem, params in segment_problems(code, spec.level):
            refuse(problem, **params)
        for column, digits in spec.parent_columns:
            declared = record.get(column, "")
            if column in record and (declared or column in spec.required) and declared != code[:digits]:
                refuse(Problem.PARENT_COLUMN, column=column, declared=declared or '""', expected=code[:digits])

    name = record["name"]
    if not name:
        refuse(Problem.NAME_EMPTY)
    elif len(name) > NAME_MAX_LENGTH:
        refuse(Problem.NAME_TOO_LONG, found=len(name), limit=NAME_MAX_LENGTH)

    urban_rural_class = record.get("urbanRuralClass")
    if urban_rural_class and urban_rural_class not in URBAN_RURAL_CLASSES:
        refuse(Problem.URBAN_RURAL_CLASS, value=urban_rural_class, allowed=", ".join(sorted(URBAN_RURAL_CLASSES)))

    flag = record.get("generated", "").lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        refuse(Problem.GENERATED_FLAG, value=record["generated"])

    if not code_ok or problems:
        return None, problems
    row = TableRow(
        source=source,
        line=line,
        code=codes.pad(code),
        name=name,
        level=spec.level,
        urban_rural_class=urban_rural_class,
        generated=generated or flag in TRUE_WORDS,
    )
    return row, problems


def segment_problems(code: str, level: Level) -> list[tuple[Problem, dict[str, Any]]]:
    """What is wrong with the segments of ``code``, a code of the file of ``level`` (§6.1).

    A county code with county part 00 and a township code with township part 000 are not
    wrong here: they are the table's repetition of a region under itself (东莞 441900,
    金门县 350527000), accepted or refused once the whole table is known (``check_repeats``).
    """
    found: list[tuple[Problem, dict[str, Any]]] = []
    if code[:2] == "00":
        found.append((Problem.PROVINCE_PART_ZERO, {}))
    if level is not Level.PROVINCE and code[2:4] == "00":
        found.append((Problem.CITY_PART_ZERO, {}))
    if level in (Level.TOWNSHIP, Level.VILLAGE):
        part = code[6:9]
        if codes.township_kind(code.ljust(codes.CODE_LENGTH, "0")) is None and not (
            level is Level.TOWNSHIP and part == "000"
        ):
            found.append((Problem.TOWNSHIP_PART_RANGE, {"part": part}))
    if level is Level.VILLAGE and code[9:12] == "000":
        found.append((Problem.VILLAGE_PART_ZERO, {}))
    return found


def check_repeats(table: ParsedTable) -> list[LineProblem]:
    """Refuse the repeated lines that are not their parent's own code and name."""
    names = {row.code: row.name for row in table.rows}
    problems: list[LineProblem] = []
    for row in table.repeats:
        if names.get(row.code) == row.name:
            continue
        problem = Problem.COUNTY_PART_ZERO if row.level is Level.COUNTY else Problem.TOWNSHIP_PART_ZERO
        shown = row.code[: codes.PREFIX_LENGTH[row.level]]
        problems.append(
            LineProblem(
                row.source,
                row.line,
                shown,
                problem,
                {"parent": codes.prefix_of(row.code), "parent_name": names.get(row.code, "-")},
            )
        )
    return problems


def check_duplicates(rows: Sequence[TableRow]) -> list[LineProblem]:
    """Refuse every line whose code an earlier line already has."""
    first: dict[str, TableRow] = {}
    problems: list[LineProblem] = []
    for row in rows:
        earlier = first.setdefault(row.code, row)
        if earlier is not row:
            problems.append(
                LineProblem(
                    row.source,
                    row.line,
                    row.code[: codes.PREFIX_LENGTH[row.level]],
                    Problem.DUPLICATE,
                    {"source": earlier.source, "line": earlier.line},
                )
            )
    return problems


def check_parents(
    rows: Sequence[TableRow], *, stored: Mapping[str, bool], vanishing: frozenset[str] = frozenset()
) -> list[LineProblem]:
    """Refuse the rows whose parent is neither in the table nor an active stored region.

    ``stored`` maps the codes already in the database to their ``active`` flag; ``vanishing``
    are stored codes this import will mark inactive.
    """
    in_table = {row.code for row in rows}
    problems: list[LineProblem] = []
    for row in rows:
        parent = row.parent
        if parent is None or parent in in_table:
            continue
        shown = row.code[: codes.PREFIX_LENGTH[row.level]]
        parent_shown = codes.prefix_of(parent)
        if parent not in stored:
            problems.append(LineProblem(row.source, row.line, shown, Problem.PARENT_MISSING, {"parent": parent_shown}))
        elif not stored[parent] or parent in vanishing:
            problems.append(LineProblem(row.source, row.line, shown, Problem.PARENT_INACTIVE, {"parent": parent_shown}))
    return problems


def within_scope(code: str, scope: str) -> bool:
    """Is ``code`` inside the area of the code prefix ``scope`` (``''``: the whole country)?"""
    return code.startswith(scope)


def scope_rows(rows: Sequence[TableRow], scope: str) -> list[TableRow]:
    """The rows inside ``scope`` and the rows of the regions above it (a city's province)."""
    if not scope:
        return list(rows)
    above = set(codes.ancestors(codes.pad(scope)))
    return [row for row in rows if within_scope(row.code, scope) or row.code in above]


def check_scope(rows: Sequence[TableRow], scope: str, scope_label: str) -> list[LineProblem]:
    """Refuse the rows of a city's own list that lie outside the scope of the import."""
    return [
        LineProblem(
            row.source,
            row.line,
            row.code,
            Problem.OUTSIDE_SCOPE,
            {"scope": scope_label},
        )
        for row in rows
        if not within_scope(row.code, scope)
    ]
