"""Export of the filtered list: masking, full numbers only with the role and a reason, the log, one download."""

from __future__ import annotations

import io
from datetime import date
from typing import Any, cast

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shouhu.audit.models import AccessEvent
from shouhu.core import jobs
from shouhu.core.errors import DomainError
from shouhu.core.models import Job
from shouhu.core.testing import REGISTRY_ACTORS, assert_permission_matrix, login
from shouhu.registry import exports, selectors
from shouhu.registry.choices import SchoolStatus, Sex
from shouhu.registry.tests.factories import ChildFactory, valid_id_number

pytestmark = pytest.mark.django_db

EXPORTERS = list(REGISTRY_ACTORS)


@pytest.fixture(autouse=True)
def _own_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "files"}},
    }


@pytest.fixture
def children(regions) -> dict[str, Any]:
    """Two children in village A1a (one out of school), one in A1b, one in county B."""
    born = date(2012, 4, 5)
    numbers = {key: valid_id_number(born, Sex.MALE) for key in ("a", "b", "c", "d")}
    return {
        "numbers": numbers,
        "a": ChildFactory.create(
            name="甲童",
            birth_date=born,
            sex=Sex.MALE,
            id_number=numbers["a"],
            school_status=SchoolStatus.DROPPED_OUT,
            village=regions.village_a1a,
        ),
        "b": ChildFactory.create(
            name="乙童",
            birth_date=born,
            sex=Sex.MALE,
            id_number=numbers["b"],
            school_status=SchoolStatus.PRIMARY,
            village=regions.village_a1a,
        ),
        "c": ChildFactory.create(
            name="丙童", birth_date=born, sex=Sex.MALE, id_number=numbers["c"], village=regions.village_a1b
        ),
        "d": ChildFactory.create(
            name="丁童", birth_date=born, sex=Sex.MALE, id_number=numbers["d"], village=regions.village_b1a
        ),
    }


def english(user) -> Client:
    client = login(Client(), user)
    client.cookies["django_language"] = "en"
    return client


def export(client: Client, capture, **data: Any) -> Job:
    with capture(execute=True):
        response = client.post(reverse("registry:export"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.filter(kind=exports.JOB_KIND).latest("pk")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def download(client: Client, job: Job) -> list[tuple[Any, ...]]:
    response = client.post(reverse("registry:export_download", args=[job.pk]))
    assert response.status_code == 200
    sheet = cast(Worksheet, load_workbook(io.BytesIO(response.content)).worksheets[0])
    return list(sheet.iter_rows(values_only=True))


def test_dialog_matrix(actors):
    assert_permission_matrix(actors, url=reverse("registry:export"), allowed=EXPORTERS)


def test_a_director_exports_the_own_village_with_masked_numbers_and_the_export_is_logged(
    village_director, children, django_capture_on_commit_callbacks
):
    client = english(village_director)
    job = export(client, django_capture_on_commit_callbacks)
    rows = download(client, job)
    header, body = rows[0], rows[1:]
    assert header[:3] == ("No.", "Name", "Sex")
    assert sorted(r[1] for r in body) == ["乙童", "甲童"]
    numbers = [r[header.index("Identity number")] for r in body]
    assert all("*" in n for n in numbers)
    assert not set(numbers) & set(children["numbers"].values())
    event = AccessEvent.objects.filter(action="export").latest("seq")
    assert (event.object_type, event.reason) == ("registry.child", "")
    assert event.detail == {"filters": {"status": "active"}, "rows": 2, "masked": True, "job": job.pk}


def test_the_list_filters_select_the_rows(county_caseworker, children, django_capture_on_commit_callbacks):
    client = english(county_caseworker)
    job = export(client, django_capture_on_commit_callbacks, school_status="dropped_out")
    assert [r[1] for r in download(client, job)[1:]] == ["甲童"]
    event = AccessEvent.objects.filter(action="export").latest("seq")
    assert event.detail["filters"]["school_status"] == "dropped_out"
    assert event.detail["rows"] == 1


def test_a_caseworker_exports_full_numbers_only_with_a_reason(
    county_caseworker, children, django_capture_on_commit_callbacks
):
    client = english(county_caseworker)
    response = client.post(reverse("registry:export"), {"export_full": "on", "export_reason": "  "})
    assert response.status_code == 200
    assert "Give the reason for exporting full identity numbers." in response.content.decode()
    assert not Job.objects.exists()
    job = export(client, django_capture_on_commit_callbacks, export_full="on", export_reason="核对低保名单")
    rows = download(client, job)
    column = rows[0].index("Identity number")
    assert sorted(r[column] for r in rows[1:]) == sorted(children["numbers"][k] for k in "abc")
    event = AccessEvent.objects.filter(action="export").latest("seq")
    assert (event.reason, event.detail["masked"], event.detail["rows"]) == ("核对低保名单", False, 3)


@pytest.mark.parametrize("name", ["village_director", "township_supervisor", "intake_officer"])
def test_other_roles_cannot_export_full_numbers(name, actors, children, django_capture_on_commit_callbacks):
    client = english(actors[name])
    page = client.get(reverse("registry:export")).content.decode()
    assert 'name="export_full"' not in page
    job = export(client, django_capture_on_commit_callbacks, export_full="on", export_reason="想要")
    assert job.params["full"] is False
    assert AccessEvent.objects.filter(action="export").latest("seq").detail["masked"] is True
    with pytest.raises(DomainError):
        exports.start_export(actor=actors[name], filters=selectors.ChildFilters(), full=True, reason="想要")


def test_the_reason_field_appears_when_full_numbers_are_requested(county_caseworker, children):
    client = english(county_caseworker)
    assert 'name="export_reason"' not in client.get(reverse("registry:export")).content.decode()
    page = client.get(reverse("registry:export"), {"export_full": "on"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="export_reason"' in page


def test_the_dialog_carries_the_filters_and_counts_the_rows(county_caseworker, children):
    page = english(county_caseworker).get(reverse("registry:export"), {"school_status": "dropped_out"}).content.decode()
    assert '<input type="hidden" name="school_status" value="dropped_out">' in page
    assert "1 child" in page


def test_a_searched_identity_number_is_masked_in_the_log(
    county_caseworker, children, django_capture_on_commit_callbacks
):
    number = children["numbers"]["a"]
    client = english(county_caseworker)
    job = export(client, django_capture_on_commit_callbacks, q=number)
    event = AccessEvent.objects.filter(action="export").latest("seq")
    assert number not in str(event.detail)
    assert event.detail["filters"]["q"] == number[:4] + "*" * 10 + number[-4:]
    assert job.result["rows"] == 1


def test_the_file_is_downloaded_once_and_the_download_is_logged(
    county_caseworker, children, django_capture_on_commit_callbacks
):
    client = english(county_caseworker)
    job = export(client, django_capture_on_commit_callbacks)
    detail = client.get(reverse("registry:export_detail", args=[job.pk])).content.decode()
    assert 'id="export-download"' in detail
    download(client, job)
    event = AccessEvent.objects.filter(action="download").latest("seq")
    assert (event.object_type, event.object_id, event.detail["rows"]) == ("core.job", str(job.pk), 3)
    again = client.post(reverse("registry:export_download", args=[job.pk]))
    assert again.status_code == 302
    job.refresh_from_db()
    assert job.result["file"] == ""
    assert 'id="export-taken"' in client.get(reverse("registry:export_detail", args=[job.pk])).content.decode()


def test_the_stored_file_is_encrypted(county_caseworker, children, django_capture_on_commit_callbacks):
    job = export(english(county_caseworker), django_capture_on_commit_callbacks)
    with default_storage.open(job.result["file"], "rb") as handle:
        stored = handle.read()
    assert not stored.startswith(b"PK")  # not a readable xlsx (zip)
    assert "甲童".encode() not in stored


def test_detail_and_download_belong_to_the_exporter(
    actors, county_caseworker, children, django_capture_on_commit_callbacks
):
    job = export(english(county_caseworker), django_capture_on_commit_callbacks)
    assert_permission_matrix(
        actors, url=reverse("registry:export_detail", args=[job.pk]), allowed=["county_caseworker", "superuser"]
    )
    assert_permission_matrix(
        actors,
        url=reverse("registry:export_download", args=[job.pk]),
        method="post",
        allowed=["county_caseworker", "superuser"],
        ok=(200, 302),
    )


def test_an_export_whose_user_lost_the_right_to_full_numbers_fails(county_caseworker, children):
    with translation.override("en"):
        job = exports.start_export(actor=county_caseworker, filters=selectors.ChildFilters(), full=True, reason="核对")
    county_caseworker.role_assignments.all().delete()
    job = jobs.execute_job(job.pk)
    assert job.status == Job.Status.FAILED
    assert not AccessEvent.objects.filter(action="export").exists()
