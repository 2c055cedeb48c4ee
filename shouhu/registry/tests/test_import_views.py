"""Screens of the import: upload, templates, review with decisions, commit, rejected rows; permission matrices."""

from __future__ import annotations

import io
from typing import cast

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shouhu.audit.models import AccessEvent
from shouhu.core.models import Job
from shouhu.core.testing import REGISTRY_ACTORS, assert_permission_matrix, login
from shouhu.registry import imports
from shouhu.registry.choices import Sex
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory
from shouhu.registry.tests.test_import import (
    BORN,
    OTHER_COUNTY_VILLAGE,
    _english_and_own_files,  # noqa: F401  (the autouse fixture of these tests too)
    child_row,
    duplicate_row,
    number,
    workbook,
)

pytestmark = pytest.mark.django_db

IMPORTERS = list(REGISTRY_ACTORS)


@pytest.fixture
def checked(county_caseworker, django_capture_on_commit_callbacks) -> Job:
    """A checked import of county A's caseworker: one new row, one rejected, one possible duplicate."""
    ChildFactory.create(name="王晓明", sex=Sex.MALE, birth_date=BORN)
    rows = [
        child_row(姓名="李小红", 公民身份号码=number(sex=Sex.FEMALE)),
        child_row(**{"现居住村（社区）区划代码": OTHER_COUNTY_VILLAGE}),
        duplicate_row(),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.start_import(
            actor=county_caseworker,
            upload=ContentFile(workbook("left_behind", rows), name="r.xlsx"),
            kind="left_behind",
        )
    job.refresh_from_db()
    assert job.result["counts"]["duplicate"] == 1
    return job


def english(user) -> Client:
    """A logged-in client whose pages are in English (the language cookie wins over the user's language)."""
    client = login(Client(), user)
    client.cookies["django_language"] = "en"
    return client


# --- Permission matrices -----------------------------------------------------------------------------


def test_upload_page_matrix(actors):
    assert_permission_matrix(actors, url=reverse("registry:import"), allowed=IMPORTERS)


@pytest.mark.parametrize("kind", list(imports.REGISTERS))
def test_template_matrix(actors, kind):
    assert_permission_matrix(actors, url=reverse("registry:import_template", args=[kind]), allowed=IMPORTERS)


def test_unknown_register_template_is_404(county_caseworker):
    response = english(county_caseworker).get(reverse("registry:import_template", args=["census"]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["import_review", "import_rejected"])
def test_review_and_rejected_rows_belong_to_the_importer(actors, checked, name):
    assert_permission_matrix(
        actors, url=reverse(f"registry:{name}", args=[checked.pk]), allowed=["county_caseworker", "superuser"]
    )


@pytest.mark.parametrize("name", ["import_decide", "import_commit", "import_cancel"])
def test_actions_on_an_import_belong_to_the_importer(actors, checked, name):
    assert_permission_matrix(
        actors,
        url=reverse(f"registry:{name}", args=[checked.pk]),
        method="post",
        data={"rest": "skip"},
        allowed=["county_caseworker", "superuser"],
        ok=(302,),
    )


def test_a_get_of_an_action_is_refused(county_caseworker, checked):
    response = english(county_caseworker).get(reverse("registry:import_commit", args=[checked.pk]))
    assert response.status_code == 405


# --- Upload --------------------------------------------------------------------------------------------


def test_an_uploaded_register_starts_the_check_and_shows_the_job(county_caseworker, django_capture_on_commit_callbacks):
    client = english(county_caseworker)
    upload = ContentFile(workbook("left_behind", [child_row()]), name="留守儿童.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import"), {"register": "left_behind", "file": upload})
    job = Job.objects.get(kind=imports.JOB_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params["register"] == "left_behind"
    assert job.params["file_name"] == "留守儿童.xlsx"
    job.refresh_from_db()
    assert job.status == Job.Status.AWAITING_REVIEW
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert reverse("registry:import_review", args=[job.pk]).encode() in page.content  # the Review button


def test_a_wrong_header_is_refused_on_the_page_with_the_columns_named(county_caseworker):
    client = english(county_caseworker)
    titles = [c.title for c in imports.REGISTERS["left_behind"].columns]
    upload = ContentFile(workbook("left_behind", [], header=[*titles[1:], "备注"]), name="r.xlsx")
    response = client.post(reverse("registry:import"), {"register": "left_behind", "file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "missing column(s): 姓名" in text
    assert "unknown column(s): 备注" in text
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.csv", b"a,b", "Upload an Excel workbook (.xlsx)"),
        ("r.xlsx", b"not a zip", "cannot be read as an Excel workbook"),
    ],
)
def test_other_files_are_refused_on_the_page(county_caseworker, name, content, message):
    client = english(county_caseworker)
    response = client.post(
        reverse("registry:import"), {"register": "left_behind", "file": ContentFile(content, name=name)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_upload_page_links_the_three_templates(county_caseworker):
    response = english(county_caseworker).get(reverse("registry:import"))
    for kind in imports.REGISTERS:
        assert reverse("registry:import_template", args=[kind]) in response.content.decode()


# --- Templates --------------------------------------------------------------------------------------------


def _sheets(content: bytes) -> dict[str, Worksheet]:
    book = load_workbook(io.BytesIO(content))
    return {s.title: cast(Worksheet, s) for s in book.worksheets}


@pytest.mark.parametrize("kind", list(imports.REGISTERS))
def test_a_template_has_instructions_allowed_values_and_the_villages_in_reach(county_caseworker, kind):
    response = english(county_caseworker).get(reverse("registry:import_template", args=[kind]))
    register = imports.REGISTERS[kind]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _sheets(response.content)
    assert list(sheets) == ["填写说明", register.sheet, "可选值", "区划代码"]
    data = sheets[register.sheet]
    assert [c.value for c in data[1]] == [c.title for c in register.columns]
    assert data.column_dimensions["B"].number_format == "@"  # identity numbers stay text
    assert data.data_validations.dataValidation  # drop-down lists of the allowed values
    options = {col[0].value: [c.value for c in col[1:] if c.value] for col in sheets["可选值"].iter_cols()}
    assert options["性别"] == ["男", "女"]
    villages = [row[0] for row in sheets["区划代码"].iter_rows(min_row=2, values_only=True)]
    assert villages == ["370902001001", "370902001002", "370902002001"]
    assert sheets["填写说明"].max_row > 5
    assert imports.check_upload(io.BytesIO(response.content), kind) is None  # the template itself is accepted


def test_a_village_director_gets_only_the_own_village_in_the_template(village_director):
    response = english(village_director).get(reverse("registry:import_template", args=["left_behind"]))
    villages = [row[0] for row in _sheets(response.content)["区划代码"].iter_rows(min_row=2, values_only=True)]
    assert villages == ["370902001001"]


def test_the_drop_out_template_offers_only_out_of_school_values(county_caseworker):
    response = english(county_caseworker).get(reverse("registry:import_template", args=["dropout"]))
    options = {
        col[0].value: [c.value for c in col[1:] if c.value] for col in _sheets(response.content)["可选值"].iter_cols()
    }
    assert options["就学状况"] == ["未入学", "辍学"]


# --- Review, decisions, commit ----------------------------------------------------------------------------


def test_review_shows_each_group(county_caseworker, checked):
    client = english(county_caseworker)
    url = reverse("registry:import_review", args=[checked.pk])
    rejected = client.get(url, {"section": "rejected"}).content.decode()
    assert "Row 3" in rejected
    assert "现居住村（社区）区划代码" in rejected
    assert "outside your jurisdiction" in rejected
    assert reverse("registry:import_rejected", args=[checked.pk]) in rejected
    new = client.get(url, {"section": "new"}).content.decode()
    assert "李小红" in new
    duplicates = client.get(url, {"section": "duplicate"}).content.decode()
    assert 'name="decision-4"' in duplicates
    assert "王晓明" in duplicates
    assert "disabled" in client.get(url).content.decode()  # saving waits for the decision


def test_showing_possible_duplicates_is_written_to_the_access_log(county_caseworker, checked):
    english(county_caseworker).get(reverse("registry:import_review", args=[checked.pk]), {"section": "duplicate"})
    event = AccessEvent.objects.filter(action="search", object_type="registry.child").latest("seq")
    assert event.detail["job"] == checked.pk
    assert event.detail["children"] == list(Child.objects.filter(name="王晓明").values_list("pk", flat=True))


def test_decisions_are_posted_per_row_and_commit_then_saves(
    county_caseworker, checked, django_capture_on_commit_callbacks
):
    client = english(county_caseworker)
    response = client.post(reverse("registry:import_commit", args=[checked.pk]))
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "1 possible duplicates still need your decision." in follow
    response = client.post(reverse("registry:import_decide", args=[checked.pk]), {"decision-4": "new", "page": "1"})
    assert response["Location"].endswith("section=duplicate&page=1")
    checked.refresh_from_db()
    assert checked.result["decisions"]["4"]["choice"] == "new"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_commit", args=[checked.pk]))
    assert response["Location"] == reverse("jobs:detail", args=[checked.pk])
    checked.refresh_from_db()
    assert checked.result["committed"] == {"created": 2, "updated": 0, "skipped": 0}
    assert Child.objects.filter(name="王小明").exists()
    page = client.get(reverse("registry:import_review", args=[checked.pk])).content.decode()
    assert 'id="import-committed"' in page


def test_a_decision_not_offered_is_refused_with_a_message(county_caseworker, checked):
    client = english(county_caseworker)
    client.post(reverse("registry:import_decide", args=[checked.pk]), {"decision-4": "same:999999"})
    checked.refresh_from_db()
    assert checked.result["decisions"] == {}


def test_cancel_deletes_the_stored_rows(county_caseworker, checked):
    client = english(county_caseworker)
    response = client.post(reverse("registry:import_cancel", args=[checked.pk]))
    assert response["Location"] == reverse("registry:import")
    checked.refresh_from_db()
    assert checked.status == Job.Status.CANCELLED
    assert imports.read_group(checked, "new") == []
    assert imports.rejected_file(checked) is None


def test_the_rejected_rows_download_is_logged(county_caseworker, checked):
    response = english(county_caseworker).get(reverse("registry:import_rejected", args=[checked.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    sheet = cast(Worksheet, load_workbook(io.BytesIO(response.getvalue())).worksheets[0])
    assert [row[-2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [3]
    event = AccessEvent.objects.filter(action="download").latest("seq")
    assert (event.object_type, event.object_id, event.detail["rows"]) == ("core.job", str(checked.pk), 1)


def test_the_updates_show_what_changes_and_link_the_file(county_caseworker, django_capture_on_commit_callbacks):
    value = number()
    child = ChildFactory.create(name="王晓明", id_number=value, sex=Sex.MALE, birth_date=BORN)
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.start_import(
            actor=county_caseworker,
            upload=ContentFile(workbook("left_behind", [child_row(公民身份号码=value)]), name="r.xlsx"),
            kind="left_behind",
        )
    page = english(county_caseworker).get(reverse("registry:import_review", args=[job.pk])).content.decode()
    assert 'data-section="update"' in page  # the group shown first when there is nothing to fix
    assert "王晓明</span> → <strong>王小明</strong>" in page
    assert reverse("registry:detail", args=[child.pk]) in page
