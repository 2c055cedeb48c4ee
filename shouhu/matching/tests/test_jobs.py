"""The de-duplication job (matching.dedup): pairs by blocking, scored, queued; decisions kept; clusters."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from shouhu.core.errors import NotAllowedError
from shouhu.core.models import Job
from shouhu.matching import batch, engine, jobs, search, services
from shouhu.matching.engine import Band
from shouhu.matching.models import PairReview, ReviewStatus
from shouhu.registry.choices import Relation
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory, KinshipFactory, PersonFactory

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)


def run(actor, region, capture) -> Job:
    with capture(execute=True):
        job = jobs.start_deduplication(actor=actor, region_code=region)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def pair(a, b) -> PairReview | None:
    first, second = sorted((a.pk, b.pk))
    return PairReview.objects.filter(child_a_id=first, child_b_id=second).first()


@pytest.fixture
def files(regions):
    """Two files of one child, twins with their own numbers, and others, in county A; one in county B."""
    grandmother = PersonFactory.create(village=regions.village_a1a, name="李秀英", phone="13905380001")
    one = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    again = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a1b)
    twin_a = ChildFactory.create(name="张子涵", birth_date=BORN, village=regions.village_a1a, id_number=True)
    twin_b = ChildFactory.create(name="张子萱", birth_date=BORN, village=regions.village_a1a, id_number=True)
    for child in (one, again):
        KinshipFactory.create(child=child, person=grandmother, relation=Relation.PATERNAL_GRANDMOTHER)
    other = ChildFactory.create(name="赵伟", birth_date=date(2012, 7, 9), village=regions.village_a2a)
    elsewhere = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    return {"one": one, "again": again, "twin_a": twin_a, "twin_b": twin_b, "other": other, "elsewhere": elsewhere}


def test_a_run_queues_the_pairs_of_its_region(files, actors, django_capture_on_commit_callbacks):
    job = run(actors["county_caseworker"], "370902", django_capture_on_commit_callbacks)
    found = pair(files["one"], files["again"])
    assert found is not None
    assert found.status == ReviewStatus.PENDING
    assert found.band in (Band.CERTAIN, Band.LIKELY)
    assert found.found_by == job
    assert found.evidence["levels"]["name"] == "homophone"
    assert pair(files["one"], files["elsewhere"]) is None  # county B is not in the run
    twins = pair(files["twin_a"], files["twin_b"])
    assert twins is None or twins.band != Band.CERTAIN
    assert pair(files["one"], files["other"]) is None
    result = job.result
    assert (result["children"], result["region"]) == (5, "370902000000")
    assert result["queued"] == PairReview.objects.count()
    assert result["clusters"] >= 1
    assert result["largest_cluster"] >= 2
    assert job.progress == job.total == 100


def test_a_second_run_keeps_decisions_and_rescores_the_rest(files, actors, django_capture_on_commit_callbacks):
    caseworker = actors["county_caseworker"]
    run(caseworker, "370902", django_capture_on_commit_callbacks)
    found = pair(files["one"], files["again"])
    assert found is not None
    services.decide_pair(actor=caseworker, review=found, decision=ReviewStatus.NOT_SAME, note="两个孩子")
    PairReview.objects.exclude(pk=found.pk).update(probability=0.01)
    job = run(caseworker, "370902", django_capture_on_commit_callbacks)
    found.refresh_from_db()
    assert found.status == ReviewStatus.NOT_SAME
    assert found.found_by_id != job.pk
    assert job.result["queued"] == 0
    assert job.result["kept_decided"] == 1
    assert job.result["rescored"] == PairReview.objects.count() - 1
    assert not PairReview.objects.filter(probability=0.01).exists()
    assert job.result["clusters"] == 0  # the only link was decided apart


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("village_director", "370902001001"),
        ("township_supervisor", "370902001"),
        ("intake_officer", "370902"),
        ("county_caseworker", "370911"),
        ("county_caseworker", ""),
        ("city_admin", "3709"),
    ],
)
def test_who_may_not_start_a_run(actors, name, region):
    with pytest.raises(NotAllowedError):
        jobs.start_deduplication(actor=actors[name], region_code=region)
    assert not Job.objects.filter(kind=jobs.DEDUP_JOB).exists()


def test_a_superuser_runs_everywhere(files, actors, django_capture_on_commit_callbacks):
    job = run(actors["superuser"], "", django_capture_on_commit_callbacks)
    assert job.result["children"] == 6
    assert pair(files["one"], files["elsewhere"]) is not None


def test_the_job_finds_what_the_batch_path_finds(files, actors, django_capture_on_commit_callbacks):
    job = run(actors["superuser"], "", django_capture_on_commit_callbacks)
    on = date.fromisoformat(job.result["on"])
    pks = sorted(Child.objects.values_list("pk", flat=True))
    records = search.records(pks, with_id_number=True)
    expected = batch.deduplicate(((pk, records[pk]) for pk in pks), on=on, thresholds=engine.thresholds(on))
    queued = set(PairReview.objects.values_list("child_a_id", "child_b_id", "band"))
    assert queued == {(p.a, p.b, p.band.value) for p in expected.pairs if p.band is not None}
    assert job.result["pairs"] == expected.stats.pairs
    assert job.result["clusters"] == len(expected.clusters)
    assert sum(job.result["bands"].values()) == len(queued)


def test_oversized_blocks_are_skipped_and_counted(files, actors, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(batch, "DEFAULT_CAP", 0)  # every block is too large
    job = run(actors["superuser"], "", django_capture_on_commit_callbacks)
    assert job.result["skipped_blocks"] > 0
    assert job.result["pairs"] == job.result["queued"] == 0
    assert not PairReview.objects.exists()


def test_progress_is_reported_through_the_steps(files, actors, monkeypatch):
    job = jobs.start_deduplication(actor=actors["superuser"], region_code="")  # not run: no commit
    seen: list[tuple[int, int, str]] = []
    monkeypatch.setattr(jobs, "REPORT_EVERY", 1)

    def report(done: int, total: int, message: str = "") -> None:
        seen.append((done, total, str(message)))

    with translation.override("en"):
        jobs.run_deduplication(job, report)
    done = [d for d, _t, _m in seen]
    assert done == sorted(done)
    assert done[-1] == 100
    assert {t for _d, t, _m in seen} == {100}
    messages = [m for _d, _t, m in seen]
    for step in ("Reading the files", "Comparing files", "Writing the pairs to review"):
        assert step in messages
    scoring = [d for d, _t, m in seen if m == "Comparing files"]
    assert any(jobs.READ_SHARE < d < jobs.READ_SHARE + jobs.SCORE_SHARE for d in scoring)
