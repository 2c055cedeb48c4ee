"""Reading registers from xlsx: dates in their Chinese forms, full-width digits, numbers Excel mangled, merged cells."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import cast

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import MAC_EPOCH
from openpyxl.worksheet.worksheet import Worksheet

from shouhu.registry import xlsx


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


DATES = [
    ("2016-03-02", date(2016, 3, 2)),
    ("2016/3/2", date(2016, 3, 2)),
    ("2016.3.2", date(2016, 3, 2)),
    ("2016年3月2日", date(2016, 3, 2)),
    ("2016 年 3 月 2 日", date(2016, 3, 2)),
    ("20160302", date(2016, 3, 2)),
    ("２０１６年３月２日", date(2016, 3, 2)),  # full-width digits
    ("２０１６－０３－０２", date(2016, 3, 2)),
    ("2016-03-02 00:00:00", date(2016, 3, 2)),
    (42431, date(2016, 3, 2)),  # Excel serial number
    (42431.0, date(2016, 3, 2)),
    ("42431", date(2016, 3, 2)),  # a serial number kept as text
    (20160302, date(2016, 3, 2)),  # yyyymmdd typed into a number cell
    (datetime(2016, 3, 2, 0, 0), date(2016, 3, 2)),  # noqa: DTZ001  (cells hold naive instants)
    (date(2016, 3, 2), date(2016, 3, 2)),
    (None, None),
    ("", None),
    ("  ", None),
]


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_dates_are_read_in_every_common_form(value, expected):
    assert xlsx.date_of(value, "出生日期") == expected


BAD_DATES = [
    ("2016-02-30", "is not a date of the calendar"),
    ("20161302", "is not a date of the calendar"),
    ("16-3-2", "is not a date"),
    ("三月二日", "is not a date"),
    ("2016年3月", "is not a date"),
    (99999999, "is not a date"),
    (True, "does not hold a date"),
]


@pytest.mark.parametrize(("value", "reason"), BAD_DATES)
def test_a_cell_that_is_not_a_date_names_column_and_value(value, reason):
    with pytest.raises(xlsx.CellError) as caught:
        xlsx.date_of(value, "出生日期")
    assert reason in caught.value.message
    assert "出生日期" in caught.value.message


def test_the_1904_date_system_of_old_mac_workbooks_is_respected():
    assert xlsx.date_of(40969, "d", epoch=MAC_EPOCH) == date(2016, 3, 2)


def test_full_width_digits_and_spaces_are_normalised():
    assert xlsx.text_of("  ３７０９０２　００１００１ ", "c") == "370902 001001"
    assert xlsx.identity_text("３７０９０２ ２０１６０３０２ １２３ｘ", "c") == "37090220160302123x"


def test_text_cells_refuse_dates_decimals_and_booleans():
    for value, reason in [(date(2024, 3, 7), "holds a date"), (1.5, "decimal number 1.5"), (True, "true/false")]:
        with pytest.raises(xlsx.CellError) as caught:
            xlsx.text_of(value, "联系电话")
        assert reason in caught.value.message


def test_whole_numbers_read_as_their_digits():
    assert xlsx.text_of(13800138000, "c") == "13800138000"
    assert xlsx.text_of(370902001001.0, "c") == "370902001001"


def test_an_identity_number_excel_stored_as_a_number_is_refused_with_the_cause():
    with pytest.raises(xlsx.CellError) as caught:
        xlsx.identity_text(3.709022016030212e17, "公民身份号码")
    assert "lost its last digits" in caught.value.message
    assert xlsx.identity_text(370902201603021234, "c") == "370902201603021234"  # an exact integer is kept


TITLES = {"姓名": "name", "性别": "sex", "出生日期": "birth_date"}


def test_header_maps_titles_with_marks_and_full_width_spaces():
    header = xlsx.map_header(
        ["姓名*", "性别（必填）", " 出生　日期 ", "原行号"], TITLES, required=["name"], ignored=frozenset({"原行号"})
    )
    assert header.columns == {0: "name", 1: "sex", 2: "birth_date"}


def test_a_wrong_header_names_every_missing_unknown_and_repeated_column():
    with pytest.raises(xlsx.SheetError) as caught:
        xlsx.map_header(["名字", "性别", "性别", "备注"], TITLES, required=["name", "birth_date"])
    message = str(caught.value.message)
    assert "missing column(s): 姓名、出生日期" in message
    assert "unknown column(s): 名字、备注" in message
    assert "repeated column(s): 性别" in message


def test_aliases_are_accepted():
    header = xlsx.map_header(["名字"], TITLES, required=["name"], aliases={"名字": "name"})
    assert header.columns == {0: "name"}


def _workbook(rows, *, merge=(), date_1904=False) -> io.BytesIO:
    workbook = Workbook()
    if date_1904:
        workbook.epoch = MAC_EPOCH
    sheet = cast(Worksheet, workbook.worksheets[0])
    for row in rows:
        sheet.append(row)
    for ref in merge:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_sheet_streams_rows_with_their_numbers():
    with xlsx.Sheet(_workbook([["姓名"], ["甲"], [], ["乙"]])) as sheet:
        assert sheet.header() == ("姓名",)
        rows = [(n, v) for n, v in sheet.rows()]
    assert rows[0] == (2, ("甲",))
    assert rows[-1] == (4, ("乙",))


def test_merged_cells_are_found_in_header_and_rows():
    with xlsx.Sheet(_workbook([["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]], merge=["A2:A3", "A1:B1"])) as sheet:
        header, rows = sheet.merged_rows()
    assert header == ["A1:B1"]
    assert rows == {2: "A2:A3", 3: "A2:A3"}


def test_merged_cells_of_a_large_sheet_are_found_across_chunks():
    rows = [["姓名", "备注"]] + [[f"name{i}", "x" * 50] for i in range(30000)]
    with xlsx.Sheet(_workbook(rows, merge=["B29000:B29002"])) as sheet:
        _header, merged = sheet.merged_rows()
    assert merged == {29000: "B29000:B29002", 29001: "B29000:B29002", 29002: "B29000:B29002"}


def test_something_else_than_a_workbook_is_refused():
    with pytest.raises(xlsx.SheetError):
        xlsx.Sheet(io.BytesIO(b"name,sex\n"))


def test_text_sheet_writer_keeps_columns_as_text_and_formulas_as_text():
    writer = xlsx.TextSheetWriter("被拒绝的行", ["公民身份号码", "姓名"], [20, 10])
    writer.append(["370902201603021234", "=HYPERLINK(1)"])
    with writer.save() as handle:
        sheet = cast(Worksheet, load_workbook(handle).worksheets[0])
    assert sheet["A2"].value == "370902201603021234"
    assert sheet["A2"].number_format == "@"
    assert sheet.column_dimensions["A"].number_format == "@"
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == "=HYPERLINK(1)"
