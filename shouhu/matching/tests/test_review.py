"""Pairs to review: found, proposed, decided; "not the same" is never asked again; the queue's scope."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.testing import ACTORS
from shouhu.matching import selectors, services, tasks
from shouhu.matching.engine import Band
from shouhu.matching.models import PairReview, ReviewStatus
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)


@pytest.fixture
def two(regions):
    """Two files of one township (A1), in its two villages."""
    a = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    b = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a1b)
    return a, b


def found(a: Child, b: Child, probability: float = 0.9, band: str = Band.LIKELY) -> PairReview:
    review = services.record_pair(a, b, probability=probability, band=band, evidence={"for": []})
    assert review is not None
    return review


def test_a_pair_is_stored_once_in_order_whichever_way_it_is_found(two):
    a, b = two
    first = found(b, a, 0.6, Band.POSSIBLE)
    again = found(a, b, 0.85)
    assert first.pk == again.pk
    assert (again.child_a_id, again.child_b_id) == (min(a.pk, b.pk), max(a.pk, b.pk))
    assert (again.probability, again.band) == (0.85, Band.LIKELY)
    assert (again.village_a, again.village_b) == (a.village_id, b.village_id)
    assert PairReview.objects.count() == 1
    assert services.record_pair(a, a, probability=1, band=Band.CERTAIN, evidence={}) is None


@pytest.mark.parametrize("decision", [ReviewStatus.NOT_SAME, ReviewStatus.SAME])
def test_a_decided_pair_keeps_its_decision_when_found_again(two, actors, decision):
    a, b = two
    review = found(a, b)
    services.decide_pair(actor=actors["county_caseworker"], review=review, decision=decision, note="家访核实")
    again = found(a, b, 0.99, Band.CERTAIN)
    assert (again.status, again.probability) == (decision, 0.9)


def test_an_unsure_pair_is_scored_again(two, actors):
    a, b = two
    review = found(a, b)
    services.decide_pair(actor=actors["county_caseworker"], review=review, decision=ReviewStatus.UNSURE)
    assert found(a, b, 0.5, Band.POSSIBLE).probability == 0.5


def test_a_decision_records_who_when_and_why(two, actors):
    a, b = two
    review = services.decide_pair(
        actor=actors["township_supervisor"], review=found(a, b), decision=ReviewStatus.NOT_SAME, note="双胞胎"
    )
    review.refresh_from_db()
    assert (review.status, review.decided_by, review.note) == (
        ReviewStatus.NOT_SAME,
        actors["township_supervisor"],
        "双胞胎",
    )
    assert review.decided_at is not None


def test_not_the_same_needs_a_reason_and_decisions_are_from_the_list(two, actors):
    review = found(*two)
    caseworker = actors["county_caseworker"]
    with pytest.raises(DomainError) as refused:
        services.decide_pair(actor=caseworker, review=review, decision=ReviewStatus.NOT_SAME, note=" ")
    assert refused.value.field == "note"
    for wrong in ("pending", "maybe"):
        with pytest.raises(DomainError) as refused:
            services.decide_pair(actor=caseworker, review=review, decision=wrong)
        assert refused.value.code == "choice"
    assert PairReview.objects.get(pk=review.pk).status == ReviewStatus.PENDING


def test_a_merged_pair_cannot_be_decided_again(regions, actors):
    a = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    b = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a1a)
    review = found(a, b)
    caseworker = actors["county_caseworker"]
    services.merge(actor=caseworker, keep=a, other=b, reason="同一儿童")
    assert PairReview.objects.get(pk=review.pk).status == ReviewStatus.SAME
    with pytest.raises(DomainError) as refused:
        services.decide_pair(actor=caseworker, review=review, decision=ReviewStatus.NOT_SAME, note="弄错了")
    assert refused.value.code == "merged"


# Pair in villages A1a and A1b (township A1): who covers both files decides.
DECIDERS = {"township_supervisor", "county_caseworker", "intake_officer", "superuser"}


@pytest.mark.parametrize("name", ACTORS)
def test_who_sees_and_decides_a_pair(two, actors, name):
    review = found(*two)
    actor = actors[name]
    assert list(selectors.review_queue(actor)) == ([review] if name in DECIDERS else [])
    if name in DECIDERS:
        services.decide_pair(actor=actor, review=review, decision=ReviewStatus.UNSURE)
    else:
        with pytest.raises(NotAllowedError):
            services.decide_pair(actor=actor, review=review, decision=ReviewStatus.UNSURE)


def test_the_queue_is_most_likely_first_and_filters(regions, actors):
    children = [ChildFactory.create(birth_date=BORN, village=regions.village_a1a) for _ in range(4)]
    low = found(children[0], children[1], 0.3, Band.POSSIBLE)
    high = found(children[0], children[2], 0.95, Band.LIKELY)
    done = found(children[1], children[3], 0.99, Band.CERTAIN)
    elsewhere = found(ChildFactory.create(village=regions.village_a2a), children[3], 0.5, Band.POSSIBLE)
    caseworker = actors["county_caseworker"]
    services.decide_pair(actor=caseworker, review=done, decision=ReviewStatus.SAME)
    assert list(selectors.review_queue(caseworker)) == [high, elsewhere, low]
    assert list(selectors.review_queue(caseworker, band=Band.POSSIBLE)) == [elsewhere, low]
    assert list(selectors.review_queue(caseworker, region="370902001")) == [high, low]
    assert list(selectors.review_queue(caseworker, status=None)) == [done, high, elsewhere, low]
    assert list(selectors.pairs_of(caseworker, children[3])) == [done, elsewhere]


def test_a_pair_follows_a_child_who_moves(two, actors, regions):
    a, b = two
    review = found(a, b)
    Child.objects.filter(pk=b.pk).update(village=regions.village_a2a)
    tasks.refresh_children([b.pk])
    review.refresh_from_db()
    assert (review.village_a, review.village_b) == (a.village_id, regions.village_a2a.code)
    assert list(selectors.review_queue(actors["township_supervisor"])) == []  # no longer both in A1


def test_a_reviewer_proposes_a_pair_scored_by_the_engine(two, actors):
    a, b = two
    review = services.propose_pair(actor=actors["township_supervisor"], child_a=a, child_b=b)
    assert review.status == ReviewStatus.PENDING
    assert 0 < review.probability <= 1
    assert review.band in Band.values
    levels = review.evidence["levels"]
    assert (levels["name"], levels["birth"]) == ("homophone", "same")
    with pytest.raises(NotAllowedError):
        services.propose_pair(actor=actors["village_director"], child_a=a, child_b=b)  # cannot see b
    with pytest.raises(DomainError):
        services.propose_pair(actor=actors["township_supervisor"], child_a=a, child_b=a)


def test_merges_of_a_file_with_their_rows(regions, actors):
    a = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    b = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a1a)
    caseworker = actors["county_caseworker"]
    record = services.merge(actor=caseworker, keep=a, other=b, reason="同一儿童")
    assert list(selectors.merges_of(caseworker, a)) == [record]
    assert list(selectors.merges_of(caseworker, b)) == [record]
    assert list(selectors.merges_of(actors["other_county_caseworker"], a)) == []
    assert list(selectors.merges_of(actors["other_village_director"], a)) == []
