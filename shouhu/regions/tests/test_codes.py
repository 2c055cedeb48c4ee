"""The pure rules of 12-digit division codes (DOMAIN.md §6.1), as tables of cases."""

from __future__ import annotations

import pytest

from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.codes import CodeError, TownshipKind


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("370000000000", Level.PROVINCE),
        ("370900000000", Level.CITY),
        ("370902000000", Level.COUNTY),
        ("370902001000", Level.TOWNSHIP),
        ("370902001001", Level.VILLAGE),
        ("441900000000", Level.CITY),  # 东莞: the city, also listed as its own county
        ("441900003000", Level.TOWNSHIP),  # a township of 东莞, county part 00
        ("441900003001", Level.VILLAGE),
        ("419001000000", Level.COUNTY),  # 济源, under the province's 4190 group
    ],
)
def test_level_of_reads_the_lowest_non_zero_segment(code, level):
    assert codes.level_of(code) is level


@pytest.mark.parametrize(
    "bad", ["37090200100", "3709020010011", "37090200100x", "３７０９０２００１００１", "000000000000", ""]
)
def test_level_of_refuses_what_is_not_a_code(bad):
    with pytest.raises(CodeError):
        codes.level_of(bad)


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("370000000000", None),
        ("370900000000", "370000000000"),
        ("370902000000", "370900000000"),
        ("370902001000", "370902000000"),
        ("370902001001", "370902001000"),
        ("441900003000", "441900000000"),  # 东莞's townships hang under the city itself
        ("442000101000", "442000000000"),  # 中山
        ("460400100000", "460400000000"),  # 儋州
        ("441900003001", "441900003000"),
        ("620201001000", "620201000000"),  # 嘉峪关 has a county-level row: a normal township
    ],
)
def test_parent_code(code, parent):
    assert codes.parent_code(code) == parent


def test_ancestors_of_a_village_of_dongguan_skip_the_missing_county():
    assert codes.ancestors("441900003001") == ["440000000000", "441900000000", "441900003000"]


@pytest.mark.parametrize(
    ("short", "full"),
    [("37", "370000000000"), ("3709", "370900000000"), ("370902", "370902000000"), ("370902001", "370902001000")],
)
def test_pad_fills_a_short_code_to_twelve_digits(short, full):
    assert codes.pad(short) == full


@pytest.mark.parametrize("bad", ["3", "370", "37090", "3709020011", "37a9", " "])
def test_pad_refuses_lengths_that_are_no_level(bad):
    with pytest.raises(CodeError):
        codes.pad(bad)


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("370000000000", "370000000000", "380000000000"),
        ("370900000000", "370900000000", "371000000000"),
        ("370902000000", "370902000000", "370903000000"),
        ("370902001000", "370902001000", "370902002000"),
        ("370902001001", "370902001001", "370902001002"),
        ("370999000000", "370999000000", "371000000000"),  # carry into the city part
        ("370902999000", "370902999000", "370903000000"),  # carry into the county part
        ("990000000000", "990000000000", None),  # overflow: no upper bound
    ],
)
def test_range_bounds(code, low, high):
    assert codes.range_bounds(code) == (low, high)


@pytest.mark.parametrize(
    ("prefix", "low", "high"),
    [
        ("", "000000000000", None),
        ("3", "300000000000", "400000000000"),
        ("37090", "370900000000", "370910000000"),
        ("9", "900000000000", None),
        ("999999999999", "999999999999", None),
    ],
)
def test_prefix_bounds_of_any_digit_prefix(prefix, low, high):
    assert codes.prefix_bounds(prefix) == (low, high)


@pytest.mark.parametrize("bad", ["37a", "1234567890123", "３７"])
def test_prefix_bounds_refuses_what_is_no_prefix(bad):
    with pytest.raises(CodeError):
        codes.prefix_bounds(bad)


def test_within_q_is_a_range_and_not_a_pattern():
    q = codes.within_q("code", "370902001000")
    assert q.children == [("code__gte", "370902001000"), ("code__lt", "370902002000")]


def test_within_q_of_the_last_province_has_no_upper_bound():
    assert codes.within_q("code", "990000000000").children == [("code__gte", "990000000000")]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("370902001000", TownshipKind.SUB_DISTRICT),
        ("370902099000", TownshipKind.SUB_DISTRICT),
        ("370911100000", TownshipKind.TOWN),
        ("370911199000", TownshipKind.TOWN),
        ("370911200000", TownshipKind.TOWNSHIP),
        ("370911399000", TownshipKind.TOWNSHIP),
        ("370911400000", TownshipKind.SPECIAL),
        ("370911599000", TownshipKind.SPECIAL),
        ("370911600000", None),
        ("370911000000", None),
    ],
)
def test_township_kind_from_digits_seven_to_nine(code, kind):
    assert codes.township_kind(code) is kind


@pytest.mark.parametrize(
    ("inner", "outer", "expected"),
    [
        ("370902001001", "370902001000", True),
        ("370902001000", "370902001000", True),
        ("370902002001", "370902001000", False),
        ("370911101201", "370900000000", True),
        ("370102000000", "370900000000", False),
    ],
)
def test_is_within(inner, outer, expected):
    assert codes.is_within(inner, outer) is expected
