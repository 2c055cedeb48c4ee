"""An import checks every line first; one bad line refuses the whole table, and says why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shouhu.regions import services
from shouhu.regions.models import DivisionImport, Region
from shouhu.regions.tables import Problem
from shouhu.regions.tests.tablefiles import VILLAGE_HEADER, TableFiles, write_villages

STREET = "streets.csv"
GOOD_VILLAGE = '370902001001,"东湖社区居民委员会",370902001,37,3709,370902,111'


@dataclass(frozen=True)
class Case:
    """A table with one defect: where it is, and the reason the importer must give."""

    problem: Problem
    source: str
    line: int
    code: str
    files: Any = None  # TableFiles -> None: edits the official table
    villages: list[str] | None = None
    village_header: str = VILLAGE_HEADER
    scope: str = ""


CASES = [
    Case(Problem.CODE_LENGTH, STREET, 10, "37090200", lambda t: t.add(STREET, '37090200,"短码街道",370902,37,3709')),
    Case(
        Problem.CODE_CHARACTERS, STREET, 10, "37090200a", lambda t: t.add(STREET, '37090200a,"甲街道",370902,37,3709')
    ),
    Case(
        Problem.CODE_CHARACTERS,
        STREET,
        10,
        "３７０９０２００３",
        lambda t: t.add(STREET, '３７０９０２００３,"全角",370902,37,3709'),
    ),
    Case(Problem.CODE_EMPTY, STREET, 10, "", lambda t: t.add(STREET, ',"无码街道",370902,37,3709')),
    Case(Problem.PROVINCE_PART_ZERO, "provinces.csv", 4, "00", lambda t: t.add("provinces.csv", '00,"无省"')),
    Case(Problem.CITY_PART_ZERO, "cities.csv", 5, "3700", lambda t: t.add("cities.csv", '3700,"零市",37')),
    Case(
        Problem.COUNTY_PART_ZERO,
        "areas.csv",
        5,
        "441900",
        lambda t: t.replace("areas.csv", "441900", '441900,"莞城区",4419,44'),
    ),
    Case(
        Problem.TOWNSHIP_PART_ZERO,
        STREET,
        10,
        "370902000",
        lambda t: t.add(STREET, '370902000,"泰山区政府",370902,37,3709'),
    ),
    Case(
        Problem.TOWNSHIP_PART_RANGE, STREET, 10, "370902600", lambda t: t.add(STREET, '370902600,"越界",370902,37,3709')
    ),
    Case(
        Problem.VILLAGE_PART_ZERO,
        "villages.csv",
        2,
        "370902001000",
        villages=['370902001000,"岱庙",370902001,37,3709,370902,111'],
    ),
    Case(
        Problem.TOWNSHIP_PART_RANGE,
        "villages.csv",
        2,
        "370902000001",
        villages=['370902000001,"县直村",370902000,37,3709,370902,220'],
    ),
    Case(
        Problem.PARENT_COLUMN, STREET, 10, "370902003", lambda t: t.add(STREET, '370902003,"泰前街道",370911,37,3709')
    ),
    Case(
        Problem.PARENT_COLUMN,
        "villages.csv",
        2,
        "370902001001",
        villages=['370902001001,"东湖社区居民委员会",370902001,37,3701,370902,111'],
    ),
    Case(
        Problem.PARENT_MISSING, STREET, 10, "370903001", lambda t: t.add(STREET, '370903001,"无县街道",370903,37,3709')
    ),
    Case(
        Problem.PARENT_MISSING,
        "villages.csv",
        2,
        "370902009001",
        villages=['370902009001,"无乡村",370902009,37,3709,370902,220'],
    ),
    Case(Problem.DUPLICATE, STREET, 10, "370902001", lambda t: t.add(STREET, '370902001,"岱庙街道二",370902,37,3709')),
    Case(
        Problem.DUPLICATE,
        "villages.csv",
        3,
        "370902001001",
        villages=[GOOD_VILLAGE, '370902001001,"西湖社区居民委员会",370902001,37,3709,370902,111'],
    ),
    Case(Problem.NAME_EMPTY, STREET, 10, "370902003", lambda t: t.add(STREET, '370902003,"",370902,37,3709')),
    Case(Problem.NAME_EMPTY, STREET, 10, "370902003", lambda t: t.add(STREET, '370902003,"  ",370902,37,3709')),
    Case(
        Problem.NAME_TOO_LONG,
        STREET,
        10,
        "370902003",
        lambda t: t.add(STREET, f'370902003,"{"长" * 101}",370902,37,3709'),
    ),
    Case(
        Problem.URBAN_RURAL_CLASS,
        "villages.csv",
        2,
        "370902001001",
        villages=['370902001001,"东湖社区居民委员会",370902001,37,3709,370902,999'],
    ),
    Case(
        Problem.GENERATED_FLAG,
        "villages.csv",
        2,
        "370902001001",
        villages=['370902001001,"东湖社区居民委员会",370902001,maybe'],
        village_header="code,name,streetCode,generated",
    ),
    Case(
        Problem.OUTSIDE_SCOPE,
        "villages.csv",
        2,
        "370102001001",
        villages=['370102001001,"泉城路社区居民委员会",370102001,37,3701,370102,111'],
        scope="3709",
    ),
    Case(Problem.FIELD_COUNT, STREET, 10, "370902003", lambda t: t.add(STREET, '370902003,"泰前街道",370902,37')),
    Case(
        Problem.COLUMNS_MISSING,
        "villages.csv",
        1,
        "",
        villages=[GOOD_VILLAGE],
        village_header="code,name,townCode",
    ),
]


def _run(tmp_path: Path, case: Case) -> services.DivisionTableError:
    files = TableFiles()
    if case.files is not None:
        case.files(files)
    kwargs: dict[str, Any] = {
        "actor": None,
        "year": 2023,
        "source": files.write(tmp_path / "table"),
        "scope": case.scope,
    }
    if case.villages is not None:
        kwargs["villages"] = write_villages(tmp_path / "villages.csv", case.villages, case.village_header)
    with pytest.raises(services.DivisionTableError) as caught:
        services.import_divisions(**kwargs)
    return caught.value


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.problem.value}-{c.source}-{c.code or 'none'}")
def test_a_bad_line_is_refused_with_its_reason_and_nothing_is_written(tmp_path, case):
    error = _run(tmp_path, case)
    found = [(p.problem, p.source, p.line, p.code) for p in error.problems]
    assert found == [(case.problem, case.source, case.line, case.code)]
    assert not Region.objects.exists()
    assert not DivisionImport.objects.exists()


@pytest.mark.django_db
def test_the_repeated_rows_of_the_real_table_are_accepted_as_the_region_itself(tmp_path):
    # 东莞 lists itself in areas.csv (441900); 金门县 lists itself in streets.csv (350527000).
    files = (
        TableFiles()
        .add("provinces.csv", '35,"福建省"')
        .add("cities.csv", '3505,"泉州市",35')
        .add("areas.csv", '350527,"金门县",3505,35')
        .add(STREET, '350527000,"金门县",350527,35,3505')
    )
    result = services.import_divisions(actor=None, year=2023, source=files.write(tmp_path))
    assert result.repeats == 2
    assert Region.objects.get(code="441900000000").level == "city"
    assert Region.objects.get(code="350527000000").level == "county"
    assert Region.objects.get(code="441900003000").parent_id == "441900000000"


@pytest.mark.django_db
def test_a_missing_file_is_named(tmp_path):
    directory = TableFiles().write(tmp_path)
    (directory / "areas.csv").unlink()
    with pytest.raises(services.DivisionTableError) as caught:
        services.import_divisions(actor=None, year=2023, source=directory)
    assert [(p.problem, p.source) for p in caught.value.problems] == [(Problem.FILE_MISSING, "areas.csv")]
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_a_file_in_another_encoding_is_refused(tmp_path):
    directory = TableFiles().write(tmp_path)
    (directory / "provinces.csv").write_bytes('code,name\n37,"山东省"\n'.encode("gb18030"))
    with pytest.raises(services.DivisionTableError) as caught:
        services.import_divisions(actor=None, year=2023, source=directory)
    assert [(p.problem, p.source) for p in caught.value.problems] == [(Problem.FILE_ENCODING, "provinces.csv")]


@pytest.mark.django_db
def test_a_parent_marked_inactive_is_refused_for_a_village_list(tmp_path):
    services.import_divisions(actor=None, year=2023, source=TableFiles().write(tmp_path / "table"))
    Region.objects.filter(code="370902001000").update(active=False)
    villages = write_villages(tmp_path / "v.csv", [GOOD_VILLAGE])
    with pytest.raises(services.DivisionTableError) as caught:
        services.import_divisions(actor=None, year=2023, source=None, villages=villages)
    assert [(p.problem, p.code) for p in caught.value.problems] == [(Problem.PARENT_INACTIVE, "370902001001")]


@pytest.mark.django_db
def test_a_parent_that_this_import_would_deactivate_is_refused(tmp_path):
    services.import_divisions(actor=None, year=2023, source=TableFiles().write(tmp_path / "t1"))
    # A village list that names 岱庙街道 together with a table in which 岱庙街道 is gone.
    files = TableFiles().replace(STREET, "370902001", None)
    villages = write_villages(tmp_path / "v.csv", [GOOD_VILLAGE])
    with pytest.raises(services.DivisionTableError) as caught:
        services.import_divisions(actor=None, year=2024, source=files.write(tmp_path / "t2"), villages=villages)
    assert [p.problem for p in caught.value.problems] == [Problem.PARENT_INACTIVE]
    assert Region.objects.get(code="370902001000").active


@pytest.mark.django_db
def test_a_file_with_several_bad_lines_lists_them_all_and_writes_nothing(tmp_path):
    services.import_divisions(actor=None, year=2023, source=TableFiles().write(tmp_path / "first"))
    before = list(Region.objects.values_list("code", "name", "active", "year"))
    files = (
        TableFiles()
        .replace(STREET, "370911106", '370911106,"满庄街道",370911,37,3709')  # a good rename …
        .add(STREET, '37090200x,"坏码",370902,37,3709')
        .add(STREET, '370902003,"",370902,37,3709')
        .add(STREET, '370902004,"泰前街道",370911,37,3709')
        .add("cities.csv", '3700,"零市",37')
    )
    with pytest.raises(services.DivisionTableError) as caught:
        services.import_divisions(actor=None, year=2024, source=files.write(tmp_path / "second"))
    error = caught.value
    assert [(p.source, p.line, p.problem) for p in error.problems] == [
        ("cities.csv", 5, Problem.CITY_PART_ZERO),
        (STREET, 10, Problem.CODE_CHARACTERS),
        (STREET, 11, Problem.NAME_EMPTY),
        (STREET, 12, Problem.PARENT_COLUMN),
    ]
    # … is not applied either: nothing changed, nothing recorded.
    assert list(Region.objects.values_list("code", "name", "active", "year")) == before
    assert DivisionImport.objects.count() == 1


@pytest.mark.django_db
def test_problems_read_precisely_in_english_and_in_chinese(tmp_path):
    files = TableFiles().add(STREET, '370902003,"泰前街道",370911,37,3709')
    with pytest.raises(services.DivisionTableError) as caught:
        services.import_divisions(actor=None, year=2023, source=files.write(tmp_path))
    assert caught.value.operator_lines() == [
        "streets.csv, line 10, code 370902003: the column areaCode says 370911, but the code belongs to 370902"
    ]
    assert caught.value.messages("zh-hans") == [
        "streets.csv 第 10 行，代码 370902003：areaCode 列填的是 370911，但该代码属于 370902"
    ]
