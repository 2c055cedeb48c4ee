"""The shared xlsx writers: text stays text, formulas are never run, odd characters never fail a file."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from shouhu.core import xlsx

FORMULA = '=HYPERLINK("http://evil","x")'


def read_back(content: bytes, sheet: int = 0) -> list[list[tuple[object, str]]]:
    book = load_workbook(io.BytesIO(content))
    return [[(cell.value, cell.data_type) for cell in row] for row in book.worksheets[sheet].iter_rows()]


@pytest.mark.parametrize("text", [FORMULA, "=aB3#xK9pQ2mRt", "+8613800138000", "-1", "@SUM(A1)"])
def test_a_table_keeps_text_that_looks_like_a_formula_as_text(text):
    workbook, sheet = xlsx.new_workbook("t")
    xlsx.write_table(sheet, ["value"], [[text]])
    assert read_back(xlsx.to_bytes(workbook))[1] == [(text, "s")]


def test_a_table_drops_characters_that_xlsx_cannot_hold_instead_of_failing():
    workbook, sheet = xlsx.new_workbook("t")
    xlsx.write_table(sheet, ["name"], [["张\x01三"], [None]])
    rows = read_back(xlsx.to_bytes(workbook))
    assert rows[1][0][0] == "张三"
    assert rows[2][0][0] in ("", None)


def test_notes_keep_formula_like_lines_as_text():
    workbook, sheet = xlsx.new_workbook("notes")
    xlsx.write_notes(sheet, "Title", ["=not a formula"])
    assert read_back(xlsx.to_bytes(workbook))[1] == [("=not a formula", "s")]


def test_the_streamed_sheet_writes_text_as_text_and_instants_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    writer = xlsx.SheetWriter("log", ["at", "summary", "reason"], [20, 30, 30])
    writer.append([datetime(2025, 1, 1, 0, 30, tzinfo=UTC), FORMULA, "a\x07b"])
    with writer.save() as handle:
        rows = read_back(handle.read())
    assert writer.rows == 1
    assert rows[1][0][0] == datetime(2025, 1, 1, 8, 30, tzinfo=UTC).replace(tzinfo=None)  # 08:30 in Shanghai, no zone
    assert rows[1][1] == (FORMULA, "s")
    assert rows[1][2][0] == "ab"
