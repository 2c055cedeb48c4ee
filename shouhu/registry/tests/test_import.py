"""Staged import of registers: every row checked, review groups, decisions, all-or-nothing commit.

Tests run in English (the registry's catalogue is merged by the lead): reasons are checked by
their English text and the column they name.
"""

from __future__ import annotations

import io
import itertools
from datetime import date, datetime, timedelta
from typing import Any, cast

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shouhu.core import jobs
from shouhu.core.errors import DomainError
from shouhu.core.models import Job
from shouhu.policy import selectors as policy_selectors
from shouhu.registry import duplicates, idnumber, imports, services
from shouhu.registry import xlsx as sheets
from shouhu.registry.choices import Relation, SchoolStatus, Sex, SituationKind
from shouhu.registry.models import Child, EntrustedCare, Kinship, Situation
from shouhu.registry.tests.factories import ChildFactory, add_parent

pytestmark = pytest.mark.django_db

VILLAGE = "370902001001"  # 东湖社区, in county A of the test world
OTHER_COUNTY_VILLAGE = "370911101201"  # 张家庄村, county B
BORN = date(2016, 3, 2)
_numbers = itertools.cycle(range(500))


@pytest.fixture(autouse=True)
def _english_and_own_files(settings, tmp_path):
    """English messages; stored files in a directory of this test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "files"}},
    }
    with translation.override("en"):
        yield


def number(born: date = BORN, sex: str = Sex.MALE, *, address: str = "370902") -> str:
    return idnumber.make(address, born, next(_numbers), sex)


def workbook(
    kind: str, rows: list[dict[str, Any]], *, header: list[str] | None = None, merge: tuple[str, ...] = ()
) -> bytes:
    """A register's xlsx: the template's header (or ``header``) and one row per dict of title → value."""
    register = imports.REGISTERS[kind]
    titles = header if header is not None else [c.title for c in register.columns]
    book = Workbook()
    sheet = first_sheet(book)
    sheet.title = register.sheet
    sheet.append(titles)
    for row in rows:
        sheet.append([row.get(title) for title in titles])
    for ref in merge:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def first_sheet(book: Workbook) -> Worksheet:
    return cast(Worksheet, book.worksheets[0])


def child_row(**values: Any) -> dict[str, Any]:
    """A good row of the left-behind register (titles → values); keyword arguments replace cells."""
    row: dict[str, Any] = {
        "姓名": "王小明",
        "公民身份号码": values["公民身份号码"] if "公民身份号码" in values else number(),
        "现居住村（社区）区划代码": VILLAGE,
        "就学状况": "小学在读",
        "父亲姓名": "王大军",
        "父亲情况": "外出务工",
        "父亲情况开始日期": "2020-03-01",
        "父亲务工地点": "上海",
        "母亲姓名": "李秀英",
        "母亲情况": "外出务工",
        "母亲情况开始日期": "2021年5月1日",
        "委托监护人姓名": "王老汉",
        "委托监护人与儿童关系": "爷爷",
        "委托监护开始日期": "2020-03-01",
    }
    row.update(values)
    return row


def check(actor, content: bytes, capture, *, kind: str = imports.RegisterKind.LEFT_BEHIND) -> Job:
    with capture(execute=True):
        job = imports.start_import(actor=actor, upload=ContentFile(content, name="register.xlsx"), kind=kind)
    job.refresh_from_db()
    return job


def commit(actor, job: Job, capture) -> Job:
    with capture(execute=True):
        imports.start_commit(actor=actor, job=job)
    job.refresh_from_db()
    return job


def verdicts(job: Job) -> dict[int, dict[str, Any]]:
    return {v["row"]: v for status in imports.STATUSES for v in imports.read_group(job, status)}


def reasons(verdict: dict[str, Any]) -> list[str]:
    return [f"{p['column']}: {p['message']}" for p in verdict.get("problems", [])]


# --- Good rows ---------------------------------------------------------------------------------------


def test_good_rows_are_new_and_nothing_is_written_before_the_review(
    county_caseworker, django_capture_on_commit_callbacks
):
    rows = [child_row(), child_row(姓名="李小红", 公民身份号码=number(sex=Sex.FEMALE))]
    job = check(county_caseworker, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.AWAITING_REVIEW
    assert job.result["counts"] == {"new": 2, "update": 0, "duplicate": 0, "rejected": 0, "unchanged": 0, "total": 2}
    assert job.result["next_url"] == f"/children/import/{job.pk}/"
    assert not Child.objects.exists()
    shown = verdicts(job)[2]["values"]
    assert shown["id_number"].startswith("3709")
    assert "*" in shown["id_number"]  # masked on the review page
    assert (shown["sex"], shown["birth_date"]) == ("男", "2016-03-02")  # read from the identity number


def test_commit_registers_children_with_family_situations_and_entrusted_carer(
    county_caseworker, django_capture_on_commit_callbacks
):
    job = check(county_caseworker, workbook("left_behind", [child_row()]), django_capture_on_commit_callbacks)
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["committed"] == {"created": 1, "updated": 0, "skipped": 0}
    child = Child.objects.get()
    assert (child.name, child.sex, child.birth_date, child.village_id) == ("王小明", Sex.MALE, BORN, VILLAGE)
    assert child.school_status == SchoolStatus.PRIMARY
    relations = {k.relation: k.person.name for k in Kinship.objects.filter(child=child).select_related("person")}
    assert relations == {
        Relation.FATHER: "王大军",
        Relation.MOTHER: "李秀英",
        Relation.PATERNAL_GRANDFATHER: "王老汉",
    }
    father_situation = Situation.objects.get(person__name="王大军")
    assert (father_situation.kind, father_situation.started_on, father_situation.place) == (
        SituationKind.WORKING_AWAY,
        date(2020, 3, 1),
        "上海",
    )
    assert Situation.objects.get(person__name="李秀英").started_on == date(2021, 5, 1)
    assert EntrustedCare.objects.get(child=child).carer.name == "王老汉"
    assert child.classified_at is not None  # the categories were computed


TEXT_FORMS = [
    ("出生日期", "2016-03-02"),
    ("出生日期", "2016/3/2"),
    ("出生日期", "2016.3.2"),
    ("出生日期", "2016年3月2日"),
    ("出生日期", "20160302"),
    ("出生日期", "２０１６年３月２日"),
    ("出生日期", 42431),  # an Excel serial number
    ("出生日期", datetime(2016, 3, 2)),  # noqa: DTZ001  (a cell formatted as a date has no zone)
]


@pytest.mark.parametrize(("title", "value"), TEXT_FORMS)
def test_dates_as_text_and_serial_numbers_are_read(title, value, county_caseworker, django_capture_on_commit_callbacks):
    row = child_row(公民身份号码="", 性别="男", **{title: value})
    job = check(county_caseworker, workbook("left_behind", [row]), django_capture_on_commit_callbacks)
    verdict = verdicts(job)[2]
    assert verdict["status"] == "new", reasons(verdict)
    assert verdict["values"]["birth_date"] == "2016-03-02"


def test_full_width_digits_in_numbers_and_codes_are_read(county_caseworker, django_capture_on_commit_callbacks):
    value = number()
    full_width = value.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    row = child_row(
        公民身份号码=f" {full_width[:6]} {full_width[6:]} ", **{"现居住村（社区）区划代码": "３７０９０２００１００１"}
    )
    job = check(county_caseworker, workbook("left_behind", [row]), django_capture_on_commit_callbacks)
    verdict = verdicts(job)[2]
    assert verdict["status"] == "new", reasons(verdict)
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    child = Child.objects.get()
    assert child.id_number_hash == services.id_number_hash(value)
    assert child.village_id == VILLAGE


def test_enumerations_are_read_in_chinese_with_common_variants(county_caseworker, django_capture_on_commit_callbacks):
    row = child_row(
        民族="回",
        户籍状况="有",
        户口性质="农业",
        就学状况="初中",
        是否寄宿="是",
        健康状况="慢性病",
        家庭救助情况="低保户",
        父亲情况="服刑",
        父亲刑期或期限月="36个月",
        **{"父亲刑期或期限（月）": "36个月", "出生日期": "2012-05-06"},
        公民身份号码=number(date(2012, 5, 6)),
    )
    job = check(county_caseworker, workbook("left_behind", [row]), django_capture_on_commit_callbacks)
    assert verdicts(job)[2]["status"] == "new", reasons(verdicts(job)[2])
    commit(county_caseworker, job, django_capture_on_commit_callbacks)
    child = Child.objects.get()
    assert (child.ethnicity, child.hukou_nature, child.school_status, child.boarding) == (
        "03",
        "agricultural",
        "junior_secondary",
        True,
    )
    assert (child.health_status, child.economic_status) == ("chronic", "dibao")
    prison = Situation.objects.get(person__name="王大军")
    assert (prison.kind, prison.term_months) == (SituationKind.IMPRISONED, 36)


# --- Bad rows: each with its column and reason --------------------------------------------------------

ADULT = date(2006, 1, 5)
BAD_ROWS: list[tuple[dict[str, Any], str, str]] = [
    ({"公民身份号码": "370902201603020113"}, "公民身份号码", "does not match the others"),
    ({"公民身份号码": "37090216030201"}, "公民身份号码", "has 18 characters"),
    ({"公民身份号码": "370902160302011"}, "公民身份号码", "old 15-digit identity number"),
    ({"公民身份号码": "370902203011020115"}, "公民身份号码", "is in the future"),
    ({"公民身份号码": 3.70902201603021e17}, "公民身份号码", "lost its last digits"),
    ({"出生日期": "2016-03-03"}, "公民身份号码", "but the date of birth entered is March 3, 2016"),
    ({"性别": "女"}, "公民身份号码", "gives the sex Male, but the sex entered is Female"),
    ({"公民身份号码": "", "出生日期": "2030-01-01", "性别": "男"}, "出生日期", "is in the future"),
    ({"公民身份号码": "", "出生日期": "2016-02-30", "性别": "男"}, "出生日期", "is not a date of the calendar"),
    ({"公民身份号码": "", "出生日期": "3/2/16", "性别": "男"}, "出生日期", "is not a date"),
    ({"公民身份号码": "", "性别": "男"}, "出生日期", "required when there is no identity number"),
    ({"公民身份号码": "", "出生日期": "2016-03-02"}, "性别", "required when there is no identity number"),
    ({"公民身份号码": "", "出生日期": ADULT.isoformat(), "性别": "男"}, "出生日期", "18 or older"),
    ({"姓名": ""}, "姓名", "is empty"),
    ({"现居住村（社区）区划代码": ""}, "现居住村（社区）区划代码", "is empty"),
    ({"现居住村（社区）区划代码": OTHER_COUNTY_VILLAGE}, "现居住村（社区）区划代码", "outside your jurisdiction"),
    ({"现居住村（社区）区划代码": "370902001000"}, "现居住村（社区）区划代码", "not the code of a village"),
    ({"现居住村（社区）区划代码": "370902001999"}, "现居住村（社区）区划代码", "not in the table of regions"),
    ({"现居住村（社区）区划代码": "37090200100"}, "现居住村（社区）区划代码", "not a 12-digit division code"),
    ({"就学状况": "读书"}, "就学状况", "“读书” is not one of the allowed values"),
    ({"性别": "男孩"}, "性别", "not one of the allowed values"),
    ({"父亲情况开始日期": ""}, "父亲情况开始日期", "needs the day it began"),
    ({"母亲情况开始日期": "2027-01-01"}, "母亲情况开始日期", "is in the future"),
    ({"父亲情况": "", "父亲务工地点": "上海"}, "父亲情况", "is empty although"),
    ({"父亲姓名": ""}, "父亲姓名", "other columns of the 父亲 are filled in"),
    ({"父亲公民身份号码": number(date(1985, 1, 1), Sex.FEMALE)}, "父亲公民身份号码", "the sex entered is Male"),
    ({"父亲情况": "失联", "父亲失联报案受理日期": "2019-01-01"}, "父亲失联报案受理日期", "before contact was lost"),
    ({"父亲刑期或期限（月）": "三年", "父亲情况": "服刑"}, "父亲刑期或期限（月）", "not a number of months"),
    ({"委托监护开始日期": ""}, "委托监护开始日期", "looks after the child"),
    ({"委托监护人与儿童关系": "父亲"}, "委托监护人与儿童关系", "a parent cannot be the entrusted carer"),
    ({"委托监护人与儿童关系": ""}, "委托监护人与儿童关系", "is empty"),
    ({"残疾等级": "二级"}, "残疾类别", "grade is given without the type"),
    ({"户籍状况": "无户籍", "户籍地区划代码": "370902"}, "户籍地区划代码", "without household registration"),
    ({"儿童联系电话": "12ab"}, "儿童联系电话", "is not a phone number"),
    ({"儿童联系电话": date(2024, 3, 7)}, "儿童联系电话", "holds a date or time"),
    ({"年级": 1.5}, "年级", "holds the decimal number 1.5"),
]


@pytest.mark.parametrize(("cells", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_rejected_with_its_column_and_reason(
    cells, column, reason, county_caseworker, django_capture_on_commit_callbacks
):
    rows = [child_row(), child_row(**cells)]
    job = check(county_caseworker, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    verdict = verdicts(job)[3]
    assert verdict["status"] == "rejected"
    assert any(p["column"] == column and reason in p["message"] for p in verdict["problems"]), reasons(verdict)
    assert verdicts(job)[2]["status"] == "new"  # the good row is kept


def test_every_problem_of_a_row_is_reported_at_once(county_caseworker, django_capture_on_commit_callbacks):
    row = child_row(姓名="", 公民身份号码="370902201603020113", **{"现居住村（社区）区划代码": OTHER_COUNTY_VILLAGE})
    job = check(county_caseworker, workbook("left_behind", [row]), django_capture_on_commit_callbacks)
    columns = {p["column"] for p in verdicts(job)[2]["problems"]}
    assert {"姓名", "公民身份号码", "现居住村（社区）区划代码"} <= columns


def test_a_wrong_number_is_the_one_reason_when_sex_and_birth_date_were_left_to_it(
    county_caseworker, django_capture_on_commit_callbacks
):
    row = child_row(公民身份号码="３７０９０２２０１６０３０２０１１３")  # full-width, check character wrong
    job = check(county_caseworker, workbook("left_behind", [row]), django_capture_on_commit_callbacks)
    assert reasons(verdicts(job)[2]) == [
        "公民身份号码: The last character of the identity number does not match the others: a digit was probably "
        "mistyped or two digits swapped."
    ]


def test_a_village_director_imports_only_into_the_own_village(village_director, django_capture_on_commit_callbacks):
    rows = [child_row(), child_row(**{"现居住村（社区）区划代码": "370902001002", "公民身份号码": number()})]
    job = check(village_director, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    assert verdicts(job)[2]["status"] == "new"
    assert "outside your jurisdiction" in reasons(verdicts(job)[3])[0]


def test_the_drop_out_list_takes_only_children_out_of_school(county_caseworker, django_capture_on_commit_callbacks):
    base = {"姓名": "赵小刚", "现居住村（社区）区划代码": VILLAGE, "监护人姓名": "赵父", "监护人与儿童关系": "父亲"}
    rows = [
        {**base, "公民身份号码": number(date(2012, 1, 1)), "就学状况": "辍学", "辍学原因": "厌学"},
        {**base, "公民身份号码": number(date(2012, 1, 2)), "就学状况": "初中在读"},
        {**base, "公民身份号码": number(date(2012, 1, 3)), "就学状况": ""},
    ]
    job = check(county_caseworker, workbook("dropout", rows), django_capture_on_commit_callbacks, kind="dropout")
    found = verdicts(job)
    assert found[2]["status"] == "new"
    assert "this register takes only" in reasons(found[3])[0]
    assert "is empty" in reasons(found[4])[0]
    commit(county_caseworker, job, django_capture_on_commit_callbacks)
    child = Child.objects.get()
    assert child.school_status == SchoolStatus.DROPPED_OUT
    assert "辍学原因：厌学" in child.notes
    assert Kinship.objects.get(child=child).is_guardian


def test_the_disability_list_requires_the_type_of_disability(county_caseworker, django_capture_on_commit_callbacks):
    rows = [
        {
            "姓名": "孙小花",
            "公民身份号码": number(date(2020, 6, 1), Sex.FEMALE),
            "现居住村（社区）区划代码": VILLAGE,
            "残疾类别": "听力",
            "残疾等级": "二级",
            "筛查机构": "泰山区妇幼保健院",
        },
        {"姓名": "孙小草", "公民身份号码": number(date(2020, 6, 2), Sex.FEMALE), "现居住村（社区）区划代码": VILLAGE},
    ]
    job = check(county_caseworker, workbook("disability", rows), django_capture_on_commit_callbacks, kind="disability")
    found = verdicts(job)
    assert found[2]["status"] == "new", reasons(found[2])
    assert reasons(found[3]) == ["残疾类别: 残疾类别 is empty"]
    commit(county_caseworker, job, django_capture_on_commit_callbacks)
    child = Child.objects.get()
    assert (child.disability_type, child.disability_grade) == ("hearing", 2)
    assert "disabled" in set(child.classifications.values_list("category", flat=True))


# --- The file as a whole ------------------------------------------------------------------------------


def test_wrong_columns_fail_the_file_with_one_message_naming_them(
    county_caseworker, django_capture_on_commit_callbacks
):
    titles = [c.title for c in imports.REGISTERS["left_behind"].columns]
    header = [t for t in titles if t not in ("出生日期", "父亲情况")] + ["备注", "学号"]
    job = check(
        county_caseworker, workbook("left_behind", [child_row()], header=header), django_capture_on_commit_callbacks
    )
    assert job.status == Job.Status.FAILED
    message = job.result["file_error"]
    assert "missing column(s): 出生日期、父亲情况" in message
    assert "unknown column(s): 备注、学号" in message
    assert imports.check_upload(io.BytesIO(workbook("left_behind", [], header=header)), "left_behind") == message


def test_a_template_of_another_register_is_refused_at_upload(county_caseworker):
    problem = imports.check_upload(io.BytesIO(workbook("dropout", [])), "left_behind")
    assert problem is not None
    assert "missing column(s)" in problem


def test_merged_cells_reject_the_rows_they_span(county_caseworker, django_capture_on_commit_callbacks):
    rows = [child_row(), child_row(公民身份号码=number()), child_row(公民身份号码=number())]
    job = check(county_caseworker, workbook("left_behind", rows, merge=("C3:C4",)), django_capture_on_commit_callbacks)
    found = verdicts(job)
    assert found[2]["status"] == "new"
    for row in (3, 4):
        assert found[row]["status"] == "rejected"
        assert "merged cells (C3:C4)" in reasons(found[row])[0]


def test_merged_cells_in_the_header_fail_the_file(county_caseworker, django_capture_on_commit_callbacks):
    job = check(
        county_caseworker, workbook("left_behind", [child_row()], merge=("A1:B1",)), django_capture_on_commit_callbacks
    )
    assert job.status == Job.Status.FAILED
    assert "merged cells (A1:B1)" in job.result["file_error"]


def test_the_same_child_twice_in_the_file_rejects_every_occurrence(
    county_caseworker, django_capture_on_commit_callbacks
):
    twice = number()
    no_number = {"公民身份号码": "", "性别": "女", "出生日期": "2015-01-01", "姓名": "周小燕"}
    rows = [
        child_row(公民身份号码=twice),
        child_row(公民身份号码=twice),
        child_row(**no_number),
        child_row(**no_number),
    ]
    job = check(county_caseworker, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    found = verdicts(job)
    assert [found[r]["status"] for r in (2, 3, 4, 5)] == ["rejected"] * 4
    assert "rows 2、3 of the file" in reasons(found[2])[-1]
    assert "rows 4、5 of the file" in reasons(found[5])[-1]


def test_empty_rows_are_skipped(county_caseworker, django_capture_on_commit_callbacks):
    rows = [child_row(), {}, {}, child_row(公民身份号码=number())]
    job = check(county_caseworker, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    assert sorted(verdicts(job)) == [2, 5]


# --- Updates ----------------------------------------------------------------------------------------


def test_a_number_on_file_is_an_update_listing_what_changes(county_caseworker, django_capture_on_commit_callbacks):
    value = number()
    child = ChildFactory.create(name="王晓明", id_number=value, sex=Sex.MALE, birth_date=BORN, phones=["13800000001"],
                         school_status=SchoolStatus.PRIMARY)  # fmt: skip
    row = child_row(公民身份号码=value, 就学状况="初中在读", 儿童联系电话="13800000002")
    job = check(county_caseworker, workbook("left_behind", [row]), django_capture_on_commit_callbacks)
    verdict = verdicts(job)[2]
    assert verdict["status"] == "update"
    assert verdict["child"] == child.pk
    changes = {c["column"]: (c["before"], c["after"]) for c in verdict["changes"]}
    assert changes["姓名"] == ("王晓明", "王小明")
    assert changes["就学状况"] == ("小学在读", "初中在读")
    assert changes["儿童联系电话"] == ("13800000001", "13800000001、13800000002")
    assert changes["父亲"][1] == "王大军 (added)"
    assert changes["父亲情况"][1] == "外出务工 since 2020-03-01"
    commit(county_caseworker, job, django_capture_on_commit_callbacks)
    child.refresh_from_db()
    assert (child.name, child.school_status) == ("王小明", SchoolStatus.JUNIOR_SECONDARY)
    assert child.former_names == ["王晓明"]
    assert child.phones == ["13800000001", "13800000002"]
    assert Child.objects.count() == 1
    assert Kinship.objects.filter(child=child).count() == 3


def test_a_row_that_changes_nothing_is_unchanged(county_caseworker, django_capture_on_commit_callbacks):
    value = number()
    child = ChildFactory.create(name="王小明", id_number=value, sex=Sex.MALE, birth_date=BORN, school_status="primary")
    add_parent(child, Relation.FATHER, name="王大军")
    row = {"姓名": "王小明", "公民身份号码": value, "现居住村（社区）区划代码": VILLAGE, "就学状况": "小学"}
    job = check(county_caseworker, workbook("left_behind", [row]), django_capture_on_commit_callbacks)
    assert verdicts(job)[2]["status"] == "unchanged"
    with pytest.raises(DomainError, match="nothing to save"):
        imports.start_commit(actor=county_caseworker, job=job)


def test_a_number_on_file_in_another_county_is_rejected_without_showing_that_file(
    county_caseworker, regions, django_capture_on_commit_callbacks
):
    value = number()
    ChildFactory.create(name="外县儿童", id_number=value, sex=Sex.MALE, birth_date=BORN, village=regions.village_b1a)
    job = check(
        county_caseworker, workbook("left_behind", [child_row(公民身份号码=value)]), django_capture_on_commit_callbacks
    )
    verdict = verdicts(job)[2]
    assert verdict["status"] == "rejected"
    assert "already on file in another jurisdiction" in reasons(verdict)[0]
    assert "外县儿童" not in str(verdict)


# --- Possible duplicates and the reviewer's decisions ----------------------------------------------------


@pytest.fixture
def look_alike(db, regions):
    """A child on file without a number, like the row of ``duplicate_row`` (a name one character apart)."""
    return ChildFactory.create(name="王晓明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1b)


def duplicate_row(**values: Any) -> dict[str, Any]:
    return child_row(公民身份号码="", 性别="男", 出生日期="2016-03-02", **values)


def test_a_look_alike_on_file_makes_the_row_a_possible_duplicate(
    county_caseworker, look_alike, django_capture_on_commit_callbacks
):
    job = check(county_caseworker, workbook("left_behind", [duplicate_row()]), django_capture_on_commit_callbacks)
    verdict = verdicts(job)[2]
    assert verdict["status"] == "duplicate"
    [candidate] = verdict["candidates"]
    assert (candidate["pk"], candidate["name"], candidate["visible"]) == (look_alike.pk, "王晓明", True)
    assert candidate["reasons"]
    with pytest.raises(DomainError, match="1 possible duplicates still need your decision"):
        imports.start_commit(actor=county_caseworker, job=job)


def test_deciding_same_child_updates_that_file(county_caseworker, look_alike, django_capture_on_commit_callbacks):
    job = check(county_caseworker, workbook("left_behind", [duplicate_row()]), django_capture_on_commit_callbacks)
    imports.decide(actor=county_caseworker, job=job, choices={2: f"same:{look_alike.pk}"})
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.result["committed"] == {"created": 0, "updated": 1, "skipped": 0}, job.message
    look_alike.refresh_from_db()
    assert look_alike.name == "王小明"
    assert look_alike.village_id == VILLAGE
    assert Child.objects.count() == 1


def test_deciding_new_child_opens_a_second_file(county_caseworker, look_alike, django_capture_on_commit_callbacks):
    job = check(county_caseworker, workbook("left_behind", [duplicate_row()]), django_capture_on_commit_callbacks)
    imports.decide(actor=county_caseworker, job=job, choices={2: "new"})
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.result["committed"]["created"] == 1
    assert Child.objects.count() == 2


def test_deciding_skip_writes_nothing_for_the_row(county_caseworker, look_alike, django_capture_on_commit_callbacks):
    rows = [duplicate_row(), child_row(姓名="李小红", 公民身份号码=number(sex=Sex.FEMALE))]
    job = check(county_caseworker, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    assert imports.decide_rest(actor=county_caseworker, job=job, choice="skip") == 1
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.result["committed"] == {"created": 1, "updated": 0, "skipped": 1}
    assert set(Child.objects.values_list("name", flat=True)) == {"王晓明", "李小红"}
    look_alike.refresh_from_db()
    assert look_alike.name == "王晓明"


def test_a_decision_for_a_child_not_offered_is_refused(
    county_caseworker, look_alike, django_capture_on_commit_callbacks
):
    other = ChildFactory.create(name="别人", sex=Sex.MALE, birth_date=date(2012, 1, 1))  # nothing in common
    job = check(county_caseworker, workbook("left_behind", [duplicate_row()]), django_capture_on_commit_callbacks)
    for choice in (f"same:{other.pk}", "merge", ""):
        with pytest.raises(DomainError):
            imports.decide(actor=county_caseworker, job=job, choices={2: choice})
    with pytest.raises(DomainError, match="not a possible duplicate"):
        imports.decide(actor=county_caseworker, job=job, choices={3: "new"})


def test_another_duplicate_finder_is_asked_for_every_row(
    county_caseworker, regions, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 4's engine replaces the default finder: the import then asks it about each row."""
    far = ChildFactory.create(name="王明", sex=Sex.MALE, birth_date=date(2016, 3, 9))  # another birth date
    asked: list[str] = []

    def pinyin_finder(query: duplicates.Query) -> list[duplicates.Candidate]:
        asked.append(query.name)
        return [duplicates.Candidate(far, 0.6)] if query.name == "王小明" else []

    monkeypatch.setattr(duplicates, "_FINDERS", [pinyin_finder])
    rows = [duplicate_row(), child_row(姓名="李小红", 公民身份号码=number(sex=Sex.FEMALE))]
    job = check(county_caseworker, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    assert sorted(asked) == ["李小红", "王小明"]
    assert verdicts(job)[2]["candidates"][0]["pk"] == far.pk
    assert verdicts(job)[3]["status"] == "new"


def test_a_look_alike_outside_the_jurisdiction_can_only_be_new_or_skipped(
    township_supervisor, regions, django_capture_on_commit_callbacks
):
    hidden = ChildFactory.create(
        name="王晓明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a2a
    )  # township A2
    job = check(township_supervisor, workbook("left_behind", [duplicate_row()]), django_capture_on_commit_callbacks)
    verdict = verdicts(job)[2]
    assert verdict["candidates"] == [{"pk": hidden.pk, "visible": False}]  # nothing of that child is shown
    with pytest.raises(DomainError):
        imports.decide(actor=township_supervisor, job=job, choices={2: f"same:{hidden.pk}"})
    imports.decide(actor=township_supervisor, job=job, choices={2: "skip"})


# --- All or nothing; changed since the review -------------------------------------------------------------


def test_a_failure_while_saving_writes_nothing(county_caseworker, monkeypatch, django_capture_on_commit_callbacks):
    rows = [child_row(公民身份号码=number()) for _ in range(5)]
    job = check(county_caseworker, workbook("left_behind", rows), django_capture_on_commit_callbacks)
    monkeypatch.setattr(imports, "WRITE_CHUNK", 2)
    real = services.bulk_register_children
    calls = []

    def failing_on_the_third_batch(**kwargs):
        calls.append(len(kwargs["records"]))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "bulk_register_children", failing_on_the_third_batch)
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert calls == [2, 2, 1]
    assert job.status == Job.Status.FAILED
    assert "disk full" in job.error
    assert not Child.objects.exists()
    assert not Kinship.objects.exists()


def test_a_child_registered_meanwhile_sends_the_import_back_to_review(
    county_caseworker, django_capture_on_commit_callbacks
):
    value = number()
    job = check(
        county_caseworker,
        workbook("left_behind", [child_row(公民身份号码=value), child_row()]),
        django_capture_on_commit_callbacks,
    )
    signature = job.result["signature"]
    ChildFactory.create(name="王小明", id_number=value, sex=Sex.MALE, birth_date=BORN)  # another user, meanwhile
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.AWAITING_REVIEW
    assert job.result["changed_since_review"] is True
    assert job.result["signature"] != signature
    assert "nothing was written" in job.message
    assert Child.objects.count() == 1  # only the one registered meanwhile
    assert verdicts(job)[2]["status"] == "update"
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)  # reviewed again: now it saves
    assert job.status == Job.Status.SUCCEEDED
    assert Child.objects.count() == 2


def test_a_file_changed_between_check_and_save_sends_the_import_back(
    county_caseworker, monkeypatch, django_capture_on_commit_callbacks
):
    value = number()
    child = ChildFactory.create(name="王晓明", id_number=value, sex=Sex.MALE, birth_date=BORN)
    job = check(
        county_caseworker, workbook("left_behind", [child_row(公民身份号码=value)]), django_capture_on_commit_callbacks
    )
    real_check = imports.check_file

    def check_then_someone_edits(*args, **kwargs):
        outcome = real_check(*args, **kwargs)
        Child.objects.filter(pk=child.pk).update(updated_at=child.updated_at + timedelta(seconds=5))
        return outcome

    monkeypatch.setattr(imports, "check_file", check_then_someone_edits)
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.AWAITING_REVIEW
    assert job.result["changed_since_review"] is True
    child.refresh_from_db()
    assert child.name == "王晓明"


def test_problems_found_when_saving_send_the_rows_back_rejected(
    county_caseworker, monkeypatch, django_capture_on_commit_callbacks
):
    job = check(
        county_caseworker,
        workbook("left_behind", [child_row(), child_row(公民身份号码=number())]),
        django_capture_on_commit_callbacks,
    )

    def refusing(**kwargs):
        raise services.BulkValidationError(
            [services.RecordError(index=0, row=3, field="family.0.situations.0.started_on", message="Too early.")]
        )

    monkeypatch.setattr(services, "bulk_register_children", refusing)
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.AWAITING_REVIEW
    assert job.result["counts"]["rejected"] == 1
    assert reasons(verdicts(job)[3]) == ["父亲情况开始日期: Too early."]
    assert not Child.objects.exists()


def test_a_decision_stays_while_the_candidates_stay(county_caseworker, look_alike, django_capture_on_commit_callbacks):
    other = child_row(姓名="李小红", 公民身份号码=number(sex=Sex.FEMALE))
    job = check(
        county_caseworker, workbook("left_behind", [duplicate_row(), other]), django_capture_on_commit_callbacks
    )
    imports.decide(actor=county_caseworker, job=job, choices={2: "new"})
    ChildFactory.create(
        name="李小红", id_number=verdicts_number(job), sex=Sex.FEMALE, birth_date=BORN
    )  # row 3 now on file
    job = commit(county_caseworker, job, django_capture_on_commit_callbacks)
    assert job.result["changed_since_review"] is True
    assert job.result["decisions"]["2"]["choice"] == "new"


def verdicts_number(job: Job) -> str:
    """The identity number of row 3 of ``job``'s file (read back from the uploaded workbook)."""
    with job.input_file.open("rb") as handle:
        sheet = first_sheet(load_workbook(handle))
    return str(sheet.cell(row=3, column=2).value)


# --- The file of rejected rows ----------------------------------------------------------------------------


def test_ten_thousand_rows_with_some_wrong_give_the_exact_rejected_rows(
    county_caseworker, django_capture_on_commit_callbacks
):
    wrong = {17: {"公民身份号码": "370902201603020113"}, 2500: {"父亲情况开始日期": ""},
             5001: {"现居住村（社区）区划代码": OTHER_COUNTY_VILLAGE}, 9999: {"出生日期": "2016-02-30"}}  # fmt: skip
    rows = []
    start = date(2010, 1, 1)
    for index in range(10_000):
        born = start + timedelta(days=index // 2)
        row = child_row(
            姓名=f"儿童{index}",
            公民身份号码=idnumber.make("370902", born, index % 2, Sex.MALE),
            出生日期=born.isoformat(),
        )
        row.update(wrong.get(index, {}))
        rows.append(row)
    content = workbook("left_behind", rows)
    job = check(county_caseworker, content, django_capture_on_commit_callbacks)
    assert job.result["counts"]["rejected"] == 4
    assert job.result["counts"]["new"] == 9996
    assert job.total >= 10_000
    assert job.progress >= 10_000

    handle = imports.rejected_file(job)
    assert handle is not None
    book = load_workbook(handle)
    sheet = first_sheet(book)
    titles = [c.title for c in imports.REGISTERS["left_behind"].columns]
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == [*titles, "原行号", "拒绝原因"]
    assert [r[len(titles)] for r in table[1:]] == [i + 2 for i in sorted(wrong)]
    for line, index in zip(table[1:], sorted(wrong), strict=True):
        expected = rows[index]
        assert [v or "" for v in line[: len(titles)]] == [sheets.raw_text(expected.get(t)) for t in titles]
        assert line[-1]  # the reason
    assert "公民身份号码:" in str(table[1][-1])
    assert sheet["B2"].number_format == "@"

    # Corrected and uploaded again, the file is accepted as it is (its two extra columns are ignored).
    for line_number, index in enumerate(sorted(wrong), start=2):
        good = child_row(
            姓名=f"儿童{index}", 公民身份号码=rows[index]["公民身份号码"], 出生日期=rows[index]["出生日期"]
        )
        if index == 17:
            good["公民身份号码"] = idnumber.make("370902", date(2010, 1, 9), 7, Sex.MALE)
            good["出生日期"] = "2010-01-09"
        if index == 9999:
            good["出生日期"] = ""
        for column, title in enumerate(titles, start=1):
            sheet.cell(row=line_number, column=column, value=good.get(title))
    buffer = io.BytesIO()
    book.save(buffer)
    again = check(county_caseworker, buffer.getvalue(), django_capture_on_commit_callbacks)
    assert again.result["counts"]["new"] == 4, [reasons(v) for v in verdicts(again).values()]


def test_progress_is_reported_every_few_hundred_rows(county_caseworker):
    rows = [child_row(姓名=f"儿童{i}", 公民身份号码=idnumber.make("370902", BORN, i, Sex.MALE)) for i in range(450)]
    calls: list[tuple[int, int]] = []
    context = imports.Context(
        actor=county_caseworker, register=imports.REGISTERS["left_behind"], today=policy_selectors.today()
    )
    outcome = imports.check_file(
        io.BytesIO(workbook("left_behind", rows)), context, lambda d, t, m: calls.append((d, t))
    )
    outcome.close()
    dones = [d for d, _t in calls]
    assert dones == sorted(dones)
    assert 450 in dones
    assert all(total >= done for done, total in calls)
    assert outcome.counts["new"] == 450


# --- Permission of the job ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["auditor", "county_admin", "department_liaison", "plan_monitor", "mandated_reporter"])
def test_roles_without_children_files_cannot_import(name, actors):
    with pytest.raises(DomainError):
        imports.start_import(actor=actors[name], upload=ContentFile(b"x", name="a.xlsx"), kind="left_behind")


def test_a_job_whose_user_lost_the_role_fails_without_writing(county_caseworker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.start_import(
            actor=county_caseworker,
            upload=ContentFile(workbook("left_behind", [child_row()]), name="a.xlsx"),
            kind="left_behind",
        )
    county_caseworker.role_assignments.all().delete()
    job = jobs.execute_job(job.pk)
    assert job.status == Job.Status.FAILED
    assert not Child.objects.exists()
