"""Reading registers from xlsx: the sheet's pitfalls turned into precise reasons.

Registers kept in Excel by villages, schools and hospitals arrive with full-width digits,
dates typed as text in several Chinese forms or stored as Excel serial numbers, identity
numbers that Excel turned into numbers (losing their last digits) and merged cells. The
functions here read such a sheet as a stream (openpyxl's read-only mode: memory stays flat
for 100 000 rows) and turn each cell into text, a date or a precise problem. They know
nothing of children: ``imports`` gives them the columns of each register.

``TextSheetWriter`` streams a sheet whose cells and columns are formatted as text, so that a
file of rejected rows can be corrected in Excel and uploaded again without codes turning
into numbers.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel
from openpyxl.utils.exceptions import InvalidFileException

from shouhu.core.errors import DomainError
from shouhu.core.xlsx import SHEET_TITLE_LENGTH, TEXT_FORMAT, SheetWriter, keep_as_text

# Excel's serial numbers of 1900-01-01 and 2099-12-31 (the 1900 date system): a number in a
# date column outside this range is not a date anybody meant.
FIRST_SERIAL, LAST_SERIAL = 1, 73050
# Identity numbers have 18 characters; Excel keeps 15 significant digits of a number.
EXCEL_DIGITS = 15
_DATE_SEPARATED = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{1,5}(?:\.0+)?$")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)\"")
_HEADER_NOISE = re.compile(r"\s+|\*|（必填）|\(必填\)|必填")
_CHUNK = 1 << 20


class SheetError(DomainError):
    """The file as a whole cannot be imported (not a workbook, header row wrong, merged header …)."""


class CellError(ValueError):
    """A cell whose content cannot be what the column means; ``message`` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Text ----------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and runs of white space become one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def header_text(value: Any) -> str:
    """A header cell as compared with the titles: normalised, no spaces, no "*"/"必填" marks."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(value or "")))


def raw_text(value: Any) -> str:
    """A cell as the user typed it, for the file of rejected rows (dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text_of(value: Any, column: str) -> str:
    """A text cell (name, address, phone, code): numbers as their digits, never a date or a decimal."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError(_("column %(column)s holds a true/false value") % {"column": column})
    if isinstance(value, datetime | date | time | timedelta):
        raise CellError(
            _(
                "column %(column)s holds a date or time (Excel converted what was typed); format the column as "
                "text and type the value again"
            )
            % {"column": column}
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise CellError(_("column %(column)s holds the decimal number %(value)s") % {"column": column, "value": value})
    return normalise(str(value))


def identity_text(value: Any, column: str) -> str:
    """An identity-number cell: a number with more digits than Excel keeps has lost its end."""
    # Excel writes such a number as 3.70902201603021E+17, which reads back as a float.
    if isinstance(value, float) and value.is_integer() and len(str(int(value))) > EXCEL_DIGITS:
        raise CellError(
            _(
                "column %(column)s: Excel stored the number %(value)s as a number and lost its last digits; "
                "format the column as text and type the number again"
            )
            % {"column": column, "value": f"{int(value)}"}
        )
    return text_of(value, column).replace(" ", "")


# --- Dates ---------------------------------------------------------------------------------------


def date_of(value: Any, column: str, *, epoch: datetime = WINDOWS_EPOCH) -> date | None:
    """A date cell: a real date, an Excel serial number or text in the common Chinese forms.

    Accepted text: 2016-03-02, 2016/3/2, 2016.3.2, 2016年3月2日, 20160302 (full-width digits too).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool | time | timedelta):
        raise CellError(_("column %(column)s does not hold a date") % {"column": column})
    if isinstance(value, int | float):
        return _from_number(value, column, epoch)
    text = normalise(str(value))
    if not text:
        return None
    match = _DATE_SEPARATED.match(text) or _DATE_COMPACT.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise CellError(
                _("column %(column)s: “%(value)s” is not a date of the calendar") % {"column": column, "value": text}
            ) from None
    if _SERIAL_TEXT.match(text):
        return _from_number(float(text), column, epoch)
    raise CellError(
        _("column %(column)s: “%(value)s” is not a date; write it as 2016-03-02, 2016/3/2, 2016年3月2日 or 20160302")
        % {"column": column, "value": text}
    )


def _from_number(value: float, column: str, epoch: datetime) -> date:
    if float(value).is_integer() and 19000101 <= value <= 21001231:  # noqa: PLR2004  (yyyymmdd typed as a number)
        return date_of(str(int(value)), column)  # type: ignore[return-value]
    if FIRST_SERIAL <= value <= LAST_SERIAL:
        converted = from_excel(value, epoch)
        if isinstance(converted, datetime):
            return converted.date()
    raise CellError(
        _("column %(column)s: the number %(value)s is not a date") % {"column": column, "value": raw_text(value)}
    )


# --- The sheet -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Where each known column is (0-based index → key), read from the header row."""

    columns: dict[int, str]
    width: int


def map_header(
    values: Sequence[Any],
    titles: dict[str, str],
    *,
    required: Sequence[str],
    ignored: frozenset[str] = frozenset(),
    aliases: dict[str, str] | None = None,
    expected: Sequence[str] = (),
) -> Header:
    """Map the header row onto column keys; one ``SheetError`` naming every missing, unknown and repeated column.

    ``titles`` maps each title of the template to its key; ``aliases`` other spellings seen in
    registers; columns of ``ignored`` (e.g. the reasons of a file of rejected rows) are skipped.
    """
    by_title = {header_text(title): key for title, key in titles.items()}
    by_title.update({header_text(alias): key for alias, key in (aliases or {}).items()})
    skipped = {header_text(title) for title in ignored}
    found: dict[int, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, value in enumerate(values):
        title = header_text(value)
        if not title or title in skipped:
            continue
        key = by_title.get(title)
        if key is None:
            unknown.append(normalise(str(value)))
        elif key in found.values():
            repeated.append(normalise(str(value)))
        else:
            found[index] = key
    title_of = {key: title for title, key in titles.items()}
    missing = [title_of[key] for key in required if key not in found.values()]
    if missing or unknown or repeated:
        problems = []
        if missing:
            problems.append(_("missing column(s): %(columns)s") % {"columns": "、".join(missing)})
        if unknown:
            problems.append(_("unknown column(s): %(columns)s") % {"columns": "、".join(unknown)})
        if repeated:
            problems.append(_("repeated column(s): %(columns)s") % {"columns": "、".join(repeated)})
        raise SheetError(
            _(
                "The header row (row 1) does not match the template — %(problems)s. Download the template and keep "
                "its first row: %(expected)s."
            )
            % {"problems": "; ".join(problems), "expected": "、".join(expected or titles)}
        )
    return Header(columns=found, width=len(values))


class Sheet:
    """One sheet of an uploaded workbook, read as a stream of rows (openpyxl's read-only mode)."""

    def __init__(self, file: IO[bytes], *, title: str = "") -> None:
        try:
            self.workbook = load_workbook(file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            raise SheetError(
                _("The file cannot be read as an Excel workbook (.xlsx). Save it as .xlsx and try again.")
            ) from None
        names = self.workbook.sheetnames
        self.sheet = self.workbook[title] if title in names else self.workbook.worksheets[0]
        self.epoch: datetime = getattr(self.workbook, "epoch", WINDOWS_EPOCH)

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.workbook.close()

    @property
    def row_estimate(self) -> int:
        """The number of data rows the sheet declares (its dimension), 0 when it declares none."""
        max_row = self.sheet.max_row
        return max(0, max_row - 1) if isinstance(max_row, int) else 0

    def header(self) -> tuple[Any, ...]:
        return next(self.sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values) of every row after the header, empty rows included."""
        yield from enumerate(self.sheet.iter_rows(min_row=2, values_only=True), start=2)

    def merged_rows(self) -> tuple[list[str], dict[int, str]]:
        """Merged ranges that touch the header row, and row number → merged range for the data rows.

        openpyxl's read-only mode does not read merged cells; they are listed after the rows in
        the sheet's XML, which is scanned here as a stream.
        """
        header: list[str] = []
        rows: dict[int, str] = {}
        for ref in self._merge_refs():
            _min_col, min_row, _max_col, max_row = range_boundaries(ref)
            if min_row is None or max_row is None:
                continue
            if min_row <= 1:
                header.append(ref)
                continue
            for number in range(min_row, max_row + 1):
                rows.setdefault(number, ref)
        return header, rows

    def _merge_refs(self) -> Iterator[str]:
        # Private attributes of openpyxl's read-only sheet: the archive and the sheet's path in it.
        # A test with merged cells fails loudly if a new openpyxl moves them.
        archive: zipfile.ZipFile = self.workbook._archive  # type: ignore[attr-defined]
        path: str = self.sheet._worksheet_path  # type: ignore[union-attr,attr-defined]
        tail = b""
        with archive.open(path) as source:
            while chunk := source.read(_CHUNK):
                data = tail + chunk
                last_end = 0
                for match in _MERGE_REF.finditer(data):
                    last_end = match.end()
                    yield match.group(1).decode()
                # Keep the end of the chunk that may hold the start of an element cut in two.
                tail = data[max(last_end, len(data) - 256) :]


# --- Writing sheets meant to come back -----------------------------------------------------------


class TextSheetWriter(SheetWriter):
    """A streamed sheet whose columns and cells are text: corrected in Excel, it can be uploaded again."""

    def __init__(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> None:
        # The columns' formats must be set before the first row: write-only sheets write them then.
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title[:SHEET_TITLE_LENGTH])
        for index in range(1, len(headers) + 1):
            dimension = self.sheet.column_dimensions[get_column_letter(index)]  # type: ignore[attr-defined]
            dimension.number_format = TEXT_FORMAT
            if index <= len(widths):
                dimension.width = widths[index - 1]
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self._cell(title, bold=True) for title in headers])
        self.rows = 0

    def _cell(self, value: Any, *, bold: bool = False) -> Cell:
        cell = super()._cell("" if value is None else value, bold=bold)
        if isinstance(cell.value, str):
            cell.number_format = TEXT_FORMAT
            keep_as_text(cell)
        return cell
