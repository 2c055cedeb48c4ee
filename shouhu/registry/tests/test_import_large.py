"""A 100 000-row register through the whole import, timed (run on demand; prints its figures).

    SHOUHU_LARGE_IMPORT=100000 DATABASE_URL=postgres://… .venv/bin/pytest shouhu/registry/tests/test_import_large.py -s

The register has both parents working away and a grandparent as entrusted carer on every row
(the left-behind register's usual row: five rows written per child), 1 % of rows wrong in
different ways. The test checks the counts and the exact rejected rows, and prints the time
of the check, of the commit, how often the job's progress was written and the time of an
export of the children written.
"""

from __future__ import annotations

import io
import os
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from shouhu.core.models import Job
from shouhu.regions.tests.factories import make_region
from shouhu.registry import exports, idnumber, imports, selectors
from shouhu.registry.choices import Sex
from shouhu.registry.models import Child, Kinship, Situation
from shouhu.registry.tests.test_import import _english_and_own_files  # noqa: F401  (autouse)

ROWS = int(os.environ.get("SHOUHU_LARGE_IMPORT", "0") or 0)
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ROWS, reason="set SHOUHU_LARGE_IMPORT=<rows> to run"),
]
VILLAGES = 40
WRONG_EVERY = 100


def _row(index: int, villages: list[str]) -> list[Any]:
    born = date(2010, 1, 1) + timedelta(days=index % 3600)
    sex = Sex.MALE if index % 2 else Sex.FEMALE
    values: dict[str, Any] = {
        "姓名": f"儿童{index}",
        "公民身份号码": idnumber.make("370902", born, (index // 3600) % 500, sex),
        "现居住村（社区）区划代码": villages[index % len(villages)],
        "就学状况": "小学在读",
        "父亲姓名": f"父{index}",
        "父亲情况": "外出务工",
        "父亲情况开始日期": "2020-03-01",
        "父亲务工地点": "上海",
        "母亲姓名": f"母{index}",
        "母亲情况": "外出务工",
        "母亲情况开始日期": "2021/5/1",
        "委托监护人姓名": f"祖{index}",
        "委托监护人与儿童关系": "奶奶",
        "委托监护开始日期": "2020年3月1日",
    }
    if index % WRONG_EVERY == 7:
        values["公民身份号码"] = str(values["公民身份号码"])[:-1] + (
            "0" if str(values["公民身份号码"])[-1] != "0" else "1"
        )
    elif index % WRONG_EVERY == 57:
        values["父亲情况开始日期"] = ""
    titles = [c.title for c in imports.REGISTERS["left_behind"].columns]
    return [values.get(t) for t in titles]


def _register(rows: int, villages: list[str]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(imports.REGISTERS["left_behind"].sheet)
    sheet.append([c.title for c in imports.REGISTERS["left_behind"].columns])
    for index in range(rows):
        sheet.append(_row(index, villages))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_large_register_imports_with_progress(county_caseworker, django_capture_on_commit_callbacks):
    villages = [make_region(f"370902001{n:03d}", f"村{n}").code for n in range(201, 201 + VILLAGES)]
    started = time.monotonic()
    content = _register(ROWS, villages)
    built = time.monotonic() - started

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        job = imports.start_import(
            actor=county_caseworker, upload=ContentFile(content, name="large.xlsx"), kind="left_behind"
        )
    job.refresh_from_db()
    checked = time.monotonic() - started
    progress_writes = sum(1 for q in queries if q["sql"].startswith('UPDATE "core_job"'))
    wrong = sum(1 for i in range(ROWS) if i % WRONG_EVERY in (7, 57))
    assert job.status == Job.Status.AWAITING_REVIEW, job.error
    assert job.result["counts"]["rejected"] == wrong
    assert job.result["counts"]["new"] == ROWS - wrong

    handle = imports.rejected_file(job)
    assert handle is not None
    rejected_rows = [
        r[-2] for r in load_workbook(handle, read_only=True).worksheets[0].iter_rows(min_row=2, values_only=True)
    ]
    assert rejected_rows == [i + 2 for i in range(ROWS) if i % WRONG_EVERY in (7, 57)]

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        imports.start_commit(actor=county_caseworker, job=job)
    job.refresh_from_db()
    committed = time.monotonic() - started
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert Child.objects.count() == ROWS - wrong

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.start_export(actor=county_caseworker, filters=selectors.ChildFilters(), full=False, reason="")
    export.refresh_from_db()
    exported = time.monotonic() - started
    assert export.result["rows"] == ROWS - wrong, export.error
    print(
        f"\n{connection.vendor}: {ROWS} rows ({len(content) / 1e6:.1f} MB xlsx built in {built:.0f} s)"
        f"\n  check: {checked:.1f} s ({ROWS / checked:.0f} rows/s), progress written {progress_writes} times"
        f"\n  commit (check again + write): {committed:.1f} s; job says {job.result['seconds']}"
        f"\n  rows written: {Child.objects.count()} children, {Kinship.objects.count()} relations, "
        f"{Situation.objects.count()} situations"
        f"\n  export of the {export.result['rows']} children (masked): {exported:.1f} s"
    )
