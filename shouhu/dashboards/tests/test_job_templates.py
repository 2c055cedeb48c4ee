"""The restyled job templates keep their contract: polling while running, rerun when failed."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from shouhu.core.models import Job
from shouhu.core.testing import login


def test_running_job_polls_its_progress(county_admin):
    job = Job.objects.create(kind="test.kind", created_by=county_admin, status=Job.Status.RUNNING, progress=3, total=4)
    page = login(Client(), county_admin).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}"' in page
    assert 'aria-valuenow="75"' in page
    assert "3/4" in page


def test_failed_job_stops_polling_and_offers_to_run_again(county_admin):
    job = Job.objects.create(kind="test.kind", created_by=county_admin, status=Job.Status.FAILED)
    page = login(Client(), county_admin).get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-get" not in page
    assert f'action="{reverse("jobs:rerun", args=[job.pk])}"' in page
    assert "任务失败" in page


def test_job_awaiting_review_links_to_the_review(county_admin):
    job = Job.objects.create(
        kind="test.kind", created_by=county_admin, status=Job.Status.AWAITING_REVIEW, result={"next_url": "/review/1/"}
    )
    page = login(Client(), county_admin).get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-get" not in page
    assert 'href="/review/1/"' in page
    assert "审核" in page
