"""The xlsx import of users: every row checked, review, rejected rows file, all-or-nothing commit."""

from __future__ import annotations

import io
import time
from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shouhu.accounts import services, user_import
from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, User
from shouhu.accounts.tests.factories import UserFactory
from shouhu.accounts.tests.helpers import post_login, workbook_bytes
from shouhu.core import jobs
from shouhu.core.models import Job
from shouhu.core.testing import login
from shouhu.regions.tests.factories import make_region

pytestmark = pytest.mark.django_db

GOOD = ["wang_xl", "王秀兰", "13800138001", "儿童主任", "370902001001", "东湖社区居委会", "村(居)民委员会"]


def check(actor: User, content: bytes, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = user_import.start_import(actor=actor, upload=ContentFile(content, name="users.xlsx"))
    job.refresh_from_db()
    return job


def commit(actor: User, job: Job, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        jobs.continue_job(actor=actor, job=job, phase="commit")
    job.refresh_from_db()
    return job


def verdicts(job: Job) -> dict[int, dict[str, Any]]:
    return {v["row"]: v for v in job.result["rows"]}


def test_good_rows_are_new_and_the_job_waits_for_review(county_admin, django_capture_on_commit_callbacks):
    rows = [
        GOOD,
        ["li_jh", "李建华", "", "儿童督导员", "370902001000", "岱庙街道办事处", ""],
        ["zhang_lj", "张丽娟", "13800138003", "个案社工、接报员", "370902000000", "泰山区民政局", "民政局"],
    ]
    job = check(county_admin, workbook_bytes(rows), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.AWAITING_REVIEW
    assert job.result["counts"] == {
        "new": 3,
        "update": 0,
        "unchanged": 0,
        "rejected": 0,
        "total": 3,
        "new_agencies": 0,
    }
    assert job.result["next_url"] == reverse("accounts:user_import_review", args=[job.pk])
    plan = verdicts(job)[4]["plan"]
    assert plan["roles"] == sorted([Role.COUNTY_CASEWORKER.value, Role.INTAKE_OFFICER.value])
    assert not User.objects.filter(username__in=["wang_xl", "li_jh", "zhang_lj"]).exists()  # nothing yet


# (row, expected substring of a reason) — one bad row each, checked against the county administrator of 泰山区.
BAD_ROWS: list[tuple[list[Any], str]] = [
    (["", "王秀兰", "", "儿童主任", "370902001001", "", ""], "“用户名”未填写"),
    (["a b!", "王秀兰", "", "儿童主任", "370902001001", "", ""], "用户名只能包含"),
    (["x1", "", "", "儿童主任", "370902001001", "", ""], "“姓名”未填写"),
    (["x1", "王秀兰", "12345", "儿童主任", "370902001001", "", ""], "“12345”不是11位手机号"),
    (["x1", "王秀兰", "", "校长", "370902001001", "", ""], "无法识别的角色“校长”"),
    (["x1", "王秀兰", "", "", "370902001001", "", ""], "“角色”未填写"),
    (["x1", "王秀兰", "", "儿童主任", "370902001000", "", ""], "不能设在乡（镇、街道）一级"),
    (["x1", "王秀兰", "", "儿童督导员", "370902001001", "", ""], "不能设在村（社区）一级"),
    (["x1", "王秀兰", "", "儿童主任", "370902009999", "", ""], "区划代码 370902009999 不在区划表中"),
    (["x1", "王秀兰", "", "儿童主任", "37090200100", "", ""], "不是12位数字"),
    (["x1", "王秀兰", "", "儿童主任", "370911101201", "", ""], "不在您的管辖范围内"),
    (["x1", "王秀兰", "", "审计员", "370902000000", "", ""], "您无权授予以下角色：审计员"),
    (["x1", "王秀兰", "", "区县管理员", "370902000000", "", ""], "您无权授予以下角色：区县管理员"),
    (["x1", "王秀兰", "", "儿童主任", "370902001001", "无此单位", ""], "如需新建，请填写单位类型"),
    (["x1", "王秀兰", "", "儿童主任", "370902001001", "东湖社区居委会", "学校"], "登记的类型是村(居)民委员会"),
    (["x1", "王秀兰", "", "儿童主任", "370902001001", "财源街道办事处", ""], "隶属线上没有名为“财源街道办事处”"),
    (["x1", "王秀兰", "", "儿童主任", "370902001001", "", "学校"], "填写了单位类型但没有填写单位名称"),
    (["x1", "王秀兰", "", "儿童主任", "370902001001", "新单位", "不存在的类型"], "无法识别的单位类型"),
    (["x1", "王秀兰", date(2024, 3, 7), "儿童主任", "370902001001", "", ""], "“手机号”列是日期或时间格式"),
    (["x1", "王秀兰", "", "儿童主任", 370902001001.5, "", ""], "“所属区划代码”列是小数"),
    (["x1", "王秀兰", "", "儿童主任", "370902001001", True, ""], "逻辑值"),
    (["other_county_caseworker", "某人", "", "儿童主任", "370902001001", "", ""], "已被不在您管理范围内的用户使用"),
    (["county_admin", "某人", "", "儿童主任", "370902001001", "", ""], "不能通过导入修改自己的账号"),
    (["x1", "王秀兰", "", "校长", "370911101201", "", ""], "不在您的管辖范围内"),  # reported with a bad role too
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS)
def test_bad_row_is_rejected_with_its_reason(actors, county_admin, row, reason, django_capture_on_commit_callbacks):
    job = check(county_admin, workbook_bytes([GOOD, row]), django_capture_on_commit_callbacks)
    verdict = verdicts(job)[3]
    assert verdict["status"] == "rejected"
    assert any(reason in r for r in verdict["reasons"]), verdict["reasons"]
    assert verdicts(job)[2]["status"] == "new"  # the good row is not affected


def test_repeated_username_rejects_every_occurrence(county_admin, django_capture_on_commit_callbacks):
    job = check(county_admin, workbook_bytes([GOOD, GOOD[:], GOOD[:]]), django_capture_on_commit_callbacks)
    assert {v["status"] for v in job.result["rows"]} == {"rejected"}
    assert "第2、3、4行" in job.result["rows"][0]["reasons"][-1]


def test_merged_cells_reject_the_rows_they_span(county_admin, django_capture_on_commit_callbacks):
    rows = [
        GOOD,
        ["li_a", "李甲", "", "儿童主任", "370902001002", "", ""],
        ["li_b", "李乙", "", "儿童主任", "", "", ""],
    ]
    job = check(county_admin, workbook_bytes(rows, merge="E3:E4"), django_capture_on_commit_callbacks)
    found = verdicts(job)
    assert found[2]["status"] == "new"
    for number in (3, 4):
        assert found[number]["status"] == "rejected"
        assert "合并单元格（E3:E4）" in found[number]["reasons"][0]


def test_full_width_digits_and_numbers_as_numbers_are_read_as_text(county_admin, django_capture_on_commit_callbacks):
    rows: list[list[Any]] = [
        ["wang_xl", " 王秀兰 ", "１３８ ００１３ ８００１", "儿童主任", "３７０９０２００１００１", "", ""],
        ["wang_x2", "王秀", 13800138002, "儿童主任，强制报告责任人", 370902001002, "", ""],
        ["wang_x3", "王三", 13800138003.0, "儿童主任", 370902001001.0, "", ""],
    ]
    job = check(county_admin, workbook_bytes(rows), django_capture_on_commit_callbacks)
    found = verdicts(job)
    assert [found[n]["status"] for n in (2, 3, 4)] == ["new", "new", "new"]
    assert found[2]["plan"]["phone"] == "13800138001"
    assert found[2]["plan"]["full_name"] == "王秀兰"
    assert found[2]["plan"]["region"] == "370902001001"
    assert found[3]["plan"]["region"] == "370902001002"
    assert found[3]["plan"]["roles"] == sorted([Role.CHILD_DIRECTOR.value, Role.MANDATED_REPORTER.value])
    assert found[4]["plan"]["phone"] == "13800138003"


def test_existing_username_is_an_update_or_unchanged(
    county_admin, village_director, django_capture_on_commit_callbacks
):
    same = [
        "village_director",
        village_director.full_name,
        village_director.phone,
        "儿童主任",
        village_director.jurisdiction_id,
        "",
        "",
    ]
    moved = ["village_director", "王新名", "", "儿童主任", "370902001002", "西湖社区居委会", ""]
    unchanged = check(county_admin, workbook_bytes([same]), django_capture_on_commit_callbacks)
    assert unchanged.result["rows"][0]["status"] == "unchanged"
    job = check(county_admin, workbook_bytes([moved]), django_capture_on_commit_callbacks)
    verdict = job.result["rows"][0]
    assert verdict["status"] == "update"
    assert verdict["changes"]["姓名"] == [village_director.full_name, "王新名"]
    assert verdict["changes"]["所属区划代码"] == ["370902001001", "370902001002"]
    assert verdict["changes"]["单位名称"] == ["东湖社区居委会", "西湖社区居委会"]
    assert verdict["plan"]["phone"] == village_director.phone  # empty keeps the current phone


def test_wrong_header_is_one_clear_message(county_admin, django_capture_on_commit_callbacks):
    content = workbook_bytes([GOOD], header=["用户名", "名字", "手机号", "角色", "区划", "单位名称", "单位类型"])
    job = check(county_admin, content, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "缺少列：姓名、所属区划代码" in job.message
    assert "无法识别的列：名字、区划" in job.message
    assert "表头（第1行）与模板不符" in job.error


def test_upload_form_refuses_a_wrong_header_at_once(county_admin):
    client = login(Client(), county_admin)
    content = workbook_bytes([GOOD], header=["用户名", "姓名"])
    upload = ContentFile(content, name="users.xlsx")
    response = client.post(reverse("accounts:user_import"), {"file": upload})
    assert response.status_code == 200
    assert "缺少列：手机号、角色、所属区划代码、单位名称、单位类型" in response.content.decode()
    assert not Job.objects.exists()


def test_upload_form_refuses_what_is_not_xlsx(county_admin):
    client = login(Client(), county_admin)
    response = client.post(reverse("accounts:user_import"), {"file": ContentFile(b"a,b\n", name="users.csv")})
    assert "请上传Excel工作簿" in response.content.decode()
    fake = ContentFile(b"not a zip", name="users.xlsx")
    assert (
        "无法将该文件作为Excel工作簿" in client.post(reverse("accounts:user_import"), {"file": fake}).content.decode()
    )


def test_upload_starts_the_job_and_the_job_page_links_to_the_review(county_admin, django_capture_on_commit_callbacks):
    client = login(Client(), county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:user_import"), {"file": ContentFile(workbook_bytes([GOOD]), name="users.xlsx")}
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("accounts:user_import_review", args=[job.pk]) in page
    review = client.get(reverse("accounts:user_import_review", args=[job.pk]) + "?section=new").content.decode()
    assert "wang_xl" in review
    assert "保存 1 行" in review


def test_rejected_rows_file_has_the_rows_as_typed_and_the_reasons(county_admin, django_capture_on_commit_callbacks):
    rows = [
        GOOD,
        ["x1", "王秀兰", "12345", "校长", "370902001001", "", ""],
        ["x2", "李四", "", "儿童主任", "370911101201", "", ""],
    ]
    job = check(county_admin, workbook_bytes(rows), django_capture_on_commit_callbacks)
    client = login(Client(), county_admin)
    response = client.get(reverse("accounts:user_import_rejected", args=[job.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content))["用户"]
    content = [list(r) for r in sheet.iter_rows(values_only=True)]
    names = "、".join(
        [
            "儿童主任",
            "儿童督导员",
            "个案社工",
            "接报员",
            "部门联络员",
            "强制报告责任人",
            "规划监测员",
            "审计员",
            "区县管理员",
            "市级管理员",
        ]
    )
    assert content == [
        ["用户名", "姓名", "手机号", "角色", "所属区划代码", "单位名称", "单位类型", "原行号", "拒绝原因"],
        [
            "x1",
            "王秀兰",
            "12345",
            "校长",
            "370902001001",
            None,
            None,
            3,
            f"“12345”不是11位手机号；无法识别的角色“校长”（可填：{names}）",
        ],
        [
            "x2",
            "李四",
            None,
            "儿童主任",
            "370911101201",
            None,
            None,
            4,
            "张家庄村 (370911101201) 不在您的管辖范围内，您只能在管辖范围内设置用户。",
        ],
    ]
    # Corrected and sent back, the file is read again (its two extra columns are ignored).
    again = check(county_admin, response.content, django_capture_on_commit_callbacks)
    assert again.result["counts"]["rejected"] == 2


def test_commit_writes_every_accepted_row_and_delivers_passwords_once(
    county_admin, village_director, django_capture_on_commit_callbacks
):
    rows = [
        GOOD,
        ["li_jh", "李建华", "", "儿童督导员、强制报告责任人", "370902001000", "岱庙街道办事处", ""],
        ["new_unit", "赵六", "", "儿童主任", "370902002001", "南关社区居委会", "村(居)民委员会"],
        ["village_director", "王新名", "", "儿童主任", "370902001001", "", ""],
        ["bad", "坏行", "", "校长", "370902001001", "", ""],
    ]
    job = check(county_admin, workbook_bytes(rows), django_capture_on_commit_callbacks)
    assert job.result["counts"]["new_agencies"] == 1
    client = login(Client(), county_admin)
    response = client.post(reverse("accounts:user_import_commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING  # queued; run it as the worker would
    jobs.execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["committed"] == {"created": 3, "updated": 1, "agencies_created": 1}
    wang = User.objects.get(username="wang_xl")
    assert wang.must_change_password
    assert wang.roles == {Role.CHILD_DIRECTOR}
    assert wang.agency is not None
    assert wang.agency.name == "东湖社区居委会"
    assert wang.created_by == county_admin
    new_agency = Agency.objects.get(name="南关社区居委会")
    assert new_agency.region_id == "370902002001"
    assert new_agency.kind == AgencyKind.VILLAGE_COMMITTEE
    assert User.objects.get(username="new_unit").agency == new_agency
    village_director.refresh_from_db()
    assert village_director.full_name == "王新名"
    assert not User.objects.filter(username="bad").exists()
    # Every change is versioned under the administrator.
    assert LogEntry.objects.get_for_object(wang).get(action=LogEntry.Action.CREATE).actor == county_admin
    # The passwords: once, and they work.
    download = client.post(reverse("accounts:user_import_passwords", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("用户名", "姓名", "所属区划代码", "区划名称", "临时密码")
    passwords = {row[0]: row[4] for row in table[1:]}
    assert set(passwords) == {"wang_xl", "li_jh", "new_unit"}
    assert post_login(Client(), "wang_xl", str(passwords["wang_xl"]))["Location"].startswith("/accounts/password/")
    again = client.post(reverse("accounts:user_import_passwords", args=[job.pk]))
    assert again.status_code == 302
    job.refresh_from_db()
    assert job.result["passwords_file"] == ""
    assert job.result["passwords_taken_at"]


def test_commit_is_all_or_nothing(county_admin, monkeypatch, django_capture_on_commit_callbacks):
    rows = [[f"user_{n}", f"用户{n}", "", "儿童主任", "370902001001", "新居委会", "村(居)民委员会"] for n in range(5)]
    job = check(county_admin, workbook_bytes(rows), django_capture_on_commit_callbacks)
    original = services._set_roles
    calls = {"n": 0}

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk full")
        original(**kwargs)

    monkeypatch.setattr(services, "_set_roles", failing)
    job = commit(county_admin, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert calls["n"] == 4
    assert not User.objects.filter(username__startswith="user_").exists()
    assert not Agency.objects.filter(name="新居委会").exists()
    assert not job.result.get("passwords_file")


def test_commit_writes_nothing_if_accounts_changed_since_the_review(county_admin, django_capture_on_commit_callbacks):
    job = check(
        county_admin,
        workbook_bytes([GOOD, ["li_a", "李甲", "", "儿童主任", "370902001002", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    UserFactory(username="li_a", jurisdiction=make_region("370911101201"))  # taken meanwhile, elsewhere
    job = commit(county_admin, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.AWAITING_REVIEW
    assert job.result["changed_since_review"]
    assert not User.objects.filter(username="wang_xl").exists()
    assert verdicts(job)[3]["status"] == "rejected"
    # Reviewed again, the commit goes through.
    job = commit(county_admin, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED
    assert User.objects.filter(username="wang_xl").exists()


def test_cancel_writes_nothing(county_admin, django_capture_on_commit_callbacks):
    job = check(county_admin, workbook_bytes([GOOD]), django_capture_on_commit_callbacks)
    client = login(Client(), county_admin)
    assert client.post(reverse("accounts:user_import_cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert client.post(reverse("accounts:user_import_commit", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert not User.objects.filter(username="wang_xl").exists()


def test_template_has_the_header_instructions_options_and_regions(county_admin):
    client = login(Client(), county_admin)
    response = client.get(reverse("accounts:user_import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["填写说明", "用户", "选项", "区划代码"]
    assert [c.value for c in workbook["用户"][1]] == [c.title for c in user_import.COLUMNS]
    assert workbook["用户"].max_row == 1  # no example row that could be imported by mistake
    notes = " ".join(str(c.value) for c in workbook["填写说明"]["A"])
    assert "必填列：用户名、姓名、角色、所属区划代码" in notes
    assert "儿童主任: 村（社区）" in notes
    assert "审计员" not in notes  # a county administrator cannot grant it
    options = [row[0] for row in workbook["选项"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert "儿童主任" in options
    codes = {row[0] for row in workbook["区划代码"].iter_rows(min_row=2, values_only=True)}
    assert "370902001001" in codes
    assert "370911101201" not in codes  # another county
    # The template itself passes the header check.
    assert user_import.check_file(io.BytesIO(response.content)) is None


def test_thousand_rows_with_bad_ones(county_admin, regions, django_capture_on_commit_callbacks):
    villages = [make_region(f"370902001{n:03d}") for n in range(3, 53)]
    rows = []
    for n in range(1000):
        village = villages[n % len(villages)].code
        if n % 100 == 7:
            rows.append([f"dir_{n:04d}", f"主任{n}", "1380013", "儿童主任", village, "", ""])  # bad phone
        elif n % 100 == 42:
            rows.append([f"dir_{n:04d}", f"主任{n}", "", "儿童主任", "370911101201", "", ""])  # other county
        else:
            rows.append([f"dir_{n:04d}", f"主任{n}", f"139{n:08d}", "儿童主任", village, "", ""])
    started = time.monotonic()
    job = check(county_admin, workbook_bytes(rows), django_capture_on_commit_callbacks)
    checked = time.monotonic()
    assert job.result["counts"]["new"] == 980
    assert job.result["counts"]["rejected"] == 20
    assert job.progress == job.total == 1000
    job = commit(county_admin, job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED
    assert User.objects.filter(username__startswith="dir_").count() == 980
    assert checked - started < 30
    assert time.monotonic() - checked < 60


def test_review_page_lists_rejected_rows_first(county_admin, django_capture_on_commit_callbacks):
    job = check(
        county_admin,
        workbook_bytes([GOOD, ["x1", "某", "", "校长", "370902001001", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    html = login(Client(), county_admin).get(reverse("accounts:user_import_review", args=[job.pk])).content.decode()
    assert "无法识别的角色“校长”" in html
    assert "下载被拒绝的行" in html


def test_a_temporary_password_starting_with_an_equals_sign_is_delivered_as_text(regions):
    # The generator may put "=" first; written as a formula, the password would be lost for good.
    content = user_import.passwords_workbook(
        [({"username": "wang_xl", "full_name": "王秀兰", "region": "370902001001"}, "=aB3#xK9pQ2mRt")]
    )
    cell = load_workbook(io.BytesIO(content)).worksheets[0].cell(row=2, column=5)
    assert (cell.value, cell.data_type) == ("=aB3#xK9pQ2mRt", "s")


def test_rejected_rows_keep_what_was_typed_as_text_never_as_a_formula(county_admin):
    verdicts = [
        {
            "row": 2,
            "status": "rejected",
            "values": dict.fromkeys(user_import.TITLES, '=HYPERLINK("x")'),
            "reasons": ["r"],
        }
    ]
    sheet = load_workbook(io.BytesIO(user_import.rejected_workbook(verdicts))).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")
