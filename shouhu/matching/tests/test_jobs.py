"""The de-duplication job (matching.dedup): pairs by blocking, scored, queued; decisions kept; clusters."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.errors import NotAllowedError
from shouhu.core.models import Job
from shouhu.matching import jobs, services
from shouhu.matching.engine import Band
from shouhu.matching.models import PairReview, ReviewStatus
from shouhu.matching.record import PersonRecord
from shouhu.registry.choices import Relation
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


def _record(name: str, born: date | None = BORN, region: str = "370902001001") -> PersonRecord:
    return PersonRecord(names=(name,), sex="male", birth_date=born, region_code=region)


def test_candidate_pairs_by_name_key_or_birth_date_and_oversized_blocks_are_skipped(monkeypatch):
    records = {
        1: _record("王小明"),
        2: _record("王晓明", date(2015, 1, 1)),  # the name keys (homophone), another year
        3: _record("李红", BORN, "370902002001"),  # the birth date, sex and county
        4: _record("李红", BORN, "370911101201"),  # same birth date, another county: no pair with 1
        5: _record("赵伟", None),
    }
    pairs, skipped = jobs.candidate_pairs(records)
    assert (1, 2) in pairs
    assert (1, 3) in pairs
    assert (1, 4) not in pairs
    assert (3, 4) in pairs  # the same name
    assert not any(5 in p for p in pairs)
    assert skipped == 0
    monkeypatch.setattr(jobs, "MAX_BLOCK", 1)
    pairs, skipped = jobs.candidate_pairs(records)
    assert pairs == []
    assert skipped >= 3  # every block of two files or more


def test_clusters_link_pairs_and_a_decision_apart_separates():
    pairs = [(1, 2), (2, 3), (4, 5), (6, 7)]
    assert sorted(map(sorted, jobs.clusters(pairs))) == [[1, 2, 3], [4, 5], [6, 7]]
    assert sorted(map(sorted, jobs.clusters(pairs, apart={(2, 3), (7, 6)}))) == [[1, 2], [4, 5]]
