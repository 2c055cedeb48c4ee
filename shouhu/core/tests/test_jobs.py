"""The job services refuse moves their state does not allow, in the user's language."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shouhu.core import jobs
from shouhu.core.errors import DomainError
from shouhu.core.models import Job
from shouhu.core.testing import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("move", "status", "message"),
    [
        (jobs.rerun_job, Job.Status.SUCCEEDED, "只有失败的任务才能重新运行。"),
        (jobs.cancel_job, Job.Status.SUCCEEDED, "该任务已不能取消。"),
        (lambda **kw: jobs.continue_job(phase="commit", **kw), Job.Status.RUNNING, "该任务已不在等待审核。"),
    ],
)
def test_a_move_the_state_does_not_allow_is_refused_in_chinese(county_admin, move, status, message):
    job = Job.objects.create(kind="test.kind", created_by=county_admin, status=status)
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        move(actor=county_admin, job=job)
    assert refused.value.code == "job_state"
    with translation.override("zh-hans"):
        assert str(refused.value.message) == message


def test_running_a_finished_job_again_says_why_on_the_page(county_admin):
    job = Job.objects.create(kind="test.kind", created_by=county_admin, status=Job.Status.SUCCEEDED)
    client = login(Client(), county_admin)
    response = client.post(reverse("jobs:rerun", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Only a failed job can be run again."]
