"""The daily recomputation: reviews that have come, and every child after a change of the rules' settings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shouhu.core.jobs import execute_job
from shouhu.core.models import Job
from shouhu.policy import selectors as policy_selectors
from shouhu.policy.models import PolicyValue
from shouhu.registry import services, tasks
from shouhu.registry.choices import Category
from shouhu.registry.models import Child, Classification, ReclassificationRun
from shouhu.registry.tests.factories import ChildFactory, ClassificationFactory

pytestmark = pytest.mark.django_db


def test_daily_run_recomputes_the_children_due(regions):
    today = policy_selectors.today()
    due = ChildFactory.create(village=regions.village_a1a, next_review_on=today, classified_at=None)
    not_due = ChildFactory.create(village=regions.village_a1a, next_review_on=today + timedelta(days=5))
    not_due.classified_at = not_due.created_at
    not_due.save()
    run = tasks.run_daily(on=today)
    assert run.due_children == 1
    assert run.settings_changed == []
    assert run.job is None
    due.refresh_from_db()
    assert due.classified_at is not None
    assert tasks.run_daily(on=today) == run  # once a day


def test_closed_files_are_not_recomputed(regions):
    today = policy_selectors.today()
    ChildFactory.create(village=regions.village_a1a, next_review_on=today, status="moved_away")
    assert services.reclassify_due(on=today) == 0


def test_a_change_of_a_rule_setting_recomputes_every_active_child(actors, regions, city_admin):
    today = policy_selectors.today()
    tasks.run_daily(on=today - timedelta(days=3))
    infant = ChildFactory.create(village=regions.village_a1a, birth_date=today - timedelta(days=200))
    stale = ClassificationFactory.create(
        child=ChildFactory.create(village=regions.village_a1a), category=Category.DISABLED
    )
    PolicyValue.objects.create(
        key="registry.lost_contact_months",
        value=9,
        effective_from=today - timedelta(days=1),
        reason="市民政局文件",
        created_by=city_admin,
    )
    policy_selectors.invalidate()
    run = tasks.run_daily(on=today)
    assert run.settings_changed == ["registry.lost_contact_months"]
    job = Job.objects.get(kind=services.RECLASSIFY_ALL_JOB)
    assert run.job == job
    execute_job(job.pk)  # the test settings run jobs on commit; run it here in case the hook did not
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["children"] == 2
    assert Classification.objects.filter(child=infant, category=Category.INFANT, until__isnull=True).exists()
    stale.refresh_from_db()
    assert stale.until == today


def test_a_change_of_another_setting_recomputes_nothing(regions, city_admin):
    today = policy_selectors.today()
    tasks.run_daily(on=today - timedelta(days=1))
    PolicyValue.objects.create(
        key="workforce.training_rotations_per_year", value=2, effective_from=today, reason="x", created_by=city_admin
    )
    policy_selectors.invalidate()
    assert tasks.run_daily(on=today).settings_changed == []
    assert not Job.objects.exists()


def test_the_recomputation_job_reports_progress(regions, county_caseworker):
    for i in range(3):
        ChildFactory.create(village=regions.village_a1a, birth_date=date(2024, 1, 1 + i))
    job = services.start_reclassify_all(actor=county_caseworker, reason="测试")
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == job.total == 3
    assert job.result["changed"] == 3
    assert Child.objects.filter(classified_at__isnull=True).count() == 0


def test_the_first_run_looks_back_one_day(regions):
    assert not ReclassificationRun.objects.exists()
    run = tasks.run_daily(on=policy_selectors.today())
    assert run.day == policy_selectors.today()
