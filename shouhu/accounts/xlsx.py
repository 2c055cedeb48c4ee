"""Excel workbooks of accounts: writing sheets and serving them as downloads.

Every text cell is written as text (number format ``@``) so that phone numbers and division
codes never turn into numbers when an administrator edits the file and sends it back.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any, cast
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    """A workbook and its first sheet, named ``title``."""
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)
    sheet.title = title[:31]  # Excel's limit
    return workbook, sheet


def write_table(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
) -> None:
    """Write a header row (bold, frozen) and ``rows``; the columns are formatted as text for new entries."""
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.number_format = TEXT_FORMAT
    count = 1
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
        count += 1
        for cell in sheet[count]:
            if isinstance(cell.value, str):
                cell.number_format = TEXT_FORMAT
    sheet.freeze_panes = "A2"
    for index in range(1, len(header) + 1):
        # A column style: what is typed later in Excel stays text (no 3.70902E+11, no dates).
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.number_format = TEXT_FORMAT
        if widths and index <= len(widths):
            dimension.width = widths[index - 1]


def write_notes(sheet: Worksheet, title: str, lines: Iterable[str]) -> None:
    """A sheet of explanations: a bold title and one paragraph per row."""
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in lines:
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
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
