"""Excel workbooks: the one place where Shouhu writes xlsx (exports, templates, import reports).

Every value goes through ``cell_value`` and every cell through ``keep_as_text``: text that a
spreadsheet would run as a formula (``=HYPERLINK(…)``, a generated password that happens to
start with ``=``) is stored as text, characters that xlsx cannot hold are dropped rather than
failing the whole file, and instants are written in the local time zone (xlsx has none).

Two writers: ``new_workbook``/``write_table`` build a small workbook in memory (templates,
user lists, rejected rows); ``SheetWriter`` streams one large sheet to a temporary file
(openpyxl's write-only mode: memory stays flat whatever the number of rows).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any, cast
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# What a spreadsheet may take for the start of a formula when the text is edited or pasted.
FORMULA_STARTS = ("=", "+", "-", "@")
SHEET_TITLE_LENGTH = 31  # Excel's limit


def cell_value(value: Any) -> Any:
    """``value`` as a cell can hold it: local naive instants, text without illegal characters."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def keep_as_text(cell: Cell | MergedCell) -> None:
    """Store text that looks like a formula as text: shown as typed, never evaluated."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"


# --- Small workbooks, built in memory ------------------------------------------------------------


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    """A workbook and its first sheet, named ``title``."""
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)
    sheet.title = title[:SHEET_TITLE_LENGTH]
    return workbook, sheet


def write_table(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
) -> None:
    """Write a header row (bold, frozen) and ``rows``; the columns are formatted as text for new entries.

    Every text cell is written as text (number format ``@``) so that phone numbers and division
    codes never turn into numbers when the file is edited in Excel and sent back.
    """
    sheet.append([cell_value(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.number_format = TEXT_FORMAT
        keep_as_text(cell)
    for row in rows:
        sheet.append(["" if value is None else cell_value(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = TEXT_FORMAT
                keep_as_text(cell)
    sheet.freeze_panes = "A2"
    for index in range(1, len(header) + 1):
        # A column style: what is typed later in Excel stays text (no 3.70902E+11, no dates).
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.number_format = TEXT_FORMAT
        if widths and index <= len(widths):
            dimension.width = widths[index - 1]


def write_notes(sheet: Worksheet, title: str, lines: Iterable[str]) -> None:
    """A sheet of explanations: a bold title and one paragraph per row."""
    sheet.append([cell_value(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in lines:
        sheet.append([cell_value(line)])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        keep_as_text(cell)
    sheet.column_dimensions["A"].width = 110


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, filename: str) -> HttpResponse:
    """An attachment response that no cache keeps (the files name people)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


# --- Large sheets, streamed to a temporary file --------------------------------------------------


class SheetWriter:
    """A one-sheet workbook written row by row to a temporary file (openpyxl's write-only mode)."""

    def __init__(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheet: WriteOnlyWorksheet = self.workbook.create_sheet(title=title[:SHEET_TITLE_LENGTH])
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self._cell(h, bold=True) for h in headers])
        self.rows = 0

    def _cell(self, value: Any, *, bold: bool = False) -> Cell:
        cell = WriteOnlyCell(self.sheet, value=cell_value(value))
        keep_as_text(cell)
        if bold:
            cell.font = Font(bold=True)
        return cell

    def append(self, values: Sequence[Any]) -> None:
        self.sheet.append([self._cell(v) for v in values])
        self.rows += 1

    def discard(self) -> None:
        """Drop a workbook that will not be saved (its rows sit in a temporary file)."""
        self.workbook.close()

    def save(self) -> IO[bytes]:
        handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (returned to the caller)
        self.workbook.save(handle)  # type: ignore[arg-type]
        handle.seek(0)
        return handle
