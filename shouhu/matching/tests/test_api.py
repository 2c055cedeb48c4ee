"""``/api/v1/matching/``: search, a department's list, the pairs to review — the screens' rules by
session and by token, for every actor of the test world."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.api.testing import (
    AUTH_MODES,
    allowed_for,
    api_client,
    assert_api_permission_matrix,
    assert_visibility_matrix,
)
from shouhu.audit.models import AccessEvent
from shouhu.core.testing import REGISTRY_ACTORS as SEARCHERS
from shouhu.matching import api, keys, services
from shouhu.matching.engine import Band
from shouhu.matching.models import PairReview, ReviewStatus
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/matching/search/"
LISTS = "/api/v1/matching/lists/"
PAIRS = "/api/v1/matching/pairs/"
BORN = date(2016, 3, 2)
REVIEWERS_OF_A1 = ["township_supervisor", "county_caseworker", "intake_officer", "superuser"]


def on_file(**fields) -> Child:
    child = ChildFactory.create(**fields)
    keys.refresh([child.pk])
    return child


@pytest.fixture
def wang(regions):
    return on_file(name="王小明", sex="male", birth_date=BORN, village=regions.village_a1a)


@pytest.fixture
def pair(regions, wang):
    other = on_file(name="王晓明", sex="male", birth_date=BORN, village=regions.village_a1b)
    match = services.score_pair(wang, other, on=date(2025, 6, 1))
    review = services.record_pair(
        wang, other, probability=match.probability, band=match.band or Band.POSSIBLE, evidence=match.as_json()
    )
    assert review is not None
    return review


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_search_matrix(actors, wang, auth):
    assert_api_permission_matrix(
        actors,
        url=SEARCH,
        method="post",
        data={"name": "王晓明", "birth_date": "2016-03-02"},
        allowed=allowed_for(actors, SEARCHERS, auth),
        denied=(403,),  # refused as a whole: the role does not search
        auth=auth,
    )


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_list_matrix(actors, wang, auth):
    assert_api_permission_matrix(
        actors,
        url=LISTS,
        method="post",
        data={"records": [{"name": "王晓明", "birth_date": "2016-03-02"}]},
        allowed=allowed_for(actors, SEARCHERS, auth),
        denied=(403,),  # refused as a whole: the role does not search
        auth=auth,
    )


def test_a_homophone_finds_the_child_with_the_evidence_in_the_readers_language(actors, wang):
    client = api_client(actors["county_caseworker"])
    response = client.post(
        SEARCH,
        {"name": "王晓明", "sex": "male", "birth_date": "2016-03-02", "ref": "R-1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ref"] == "R-1"
    best = body["candidates"][0]
    assert (best["id"], best["visible"], best["name"]) == (wang.pk, True, "王小明")
    assert best["band"] in (Band.CERTAIN, Band.LIKELY)
    by_field = {line["field"]: line for line in best["evidence"]}
    assert by_field["name"]["direction"] == "for"
    assert by_field["name"]["field_label"] == "Name"
    assert by_field["birth"]["direction"] == "for"
    assert by_field["name"]["text"]
    assert AccessEvent.objects.filter(actor=actors["county_caseworker"], action="search").count() == 1


def test_a_file_the_caller_may_not_open_shows_only_that_it_exists_and_where(actors, wang):
    """A caseworker of county B finds county A's file: band and county, nothing of the child."""
    response = api_client(actors["other_county_caseworker"]).post(
        SEARCH, {"name": "王小明", "sex": "male", "birth_date": "2016-03-02"}, format="json"
    )
    assert response.status_code == 200, response.content
    hidden = response.json()["candidates"][0]
    assert hidden["visible"] is False
    assert (hidden["id"], hidden["name"], hidden["birth_date"], hidden["village"]) == (None, "", None, "")
    assert hidden["evidence"] == []
    assert hidden["guards"] == []
    assert hidden["county"] == wang.village_id[:6] + "000000"
    assert hidden["county_name"]


def test_bad_input_is_explained_and_the_search_goes_on(actors, wang):
    """A malformed identity number, a future birth date, a one-character name: said, and still searched."""
    response = api_client(actors["county_caseworker"]).post(
        SEARCH,
        {"name": "王", "id_number": "37090219990101123", "birth_date": "2030-01-01", "phones": ["12"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.content
    unused = " ".join(response.json()["unused"])
    assert "2030" in unused  # the birth date in the future
    assert "12" in unused  # the phone too short
    assert "GB 11643" in unused  # the identity number fails its check: a clue, not proof


def test_nothing_to_search_on_is_said(actors, wang):
    response = api_client(actors["county_caseworker"]).post(SEARCH, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.json()["candidates"] == []
    assert any("Nothing to search on" in note for note in response.json()["notes"])


def test_a_region_outside_the_jurisdiction_is_not_used(actors, wang, regions):
    response = api_client(actors["village_director"]).post(
        SEARCH,
        {"name": "王小明", "birth_date": "2016-03-02", "region": regions.village_b1a.code},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert any("outside your jurisdiction" in note for note in response.json()["notes"])


def test_malformed_fields_are_a_400_that_names_them(actors):
    client = api_client(actors["county_caseworker"])

    def refused(url, data, field):
        response = client.post(url, data, format="json")
        assert response.status_code == 400, response.content
        assert list(response.json()) == [field]

    refused(SEARCH, {"birth_date": "2016-13-40"}, "birth_date")
    refused(SEARCH, {"sex": "x"}, "sex")
    refused(LISTS, {"records": [{"name": f"儿童{i}"} for i in range(api.LIST_LIMIT + 1)]}, "records")
    refused(LISTS, {"records": []}, "records")


def test_a_departments_list_is_answered_record_by_record(actors, wang, regions):
    other = on_file(name="李红", sex="female", birth_date=date(2015, 5, 5), village=regions.village_a1a)
    records = [
        {"ref": "1", "name": "王晓明", "birth_date": "2016-03-02"},
        {"ref": "2", "name": "李虹", "sex": "female", "birth_date": "2015-05-05"},
        {"ref": "3", "name": "赵无名", "birth_date": "2001-01-01"},
    ]
    response = api_client(actors["county_caseworker"]).post(LISTS, {"records": records}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["ref"] for r in results] == ["1", "2", "3"]
    assert results[0]["candidates"][0]["id"] == wang.pk
    assert results[1]["candidates"][0]["id"] == other.pk
    assert all(c["id"] not in (wang.pk, other.pk) for c in results[2]["candidates"])
    assert AccessEvent.objects.filter(actor=actors["county_caseworker"], action="search").count() == 3


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_pairs_are_seen_by_the_reviewers_of_both_files(actors, pair, auth):
    assert_visibility_matrix(
        actors,
        url=PAIRS,
        sees=allowed_for(actors, REVIEWERS_OF_A1, auth),
        item=lambda row: row["id"] == pair.pk,
        auth=auth,
    )


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_pair_detail_matrix(actors, pair, auth):
    assert_api_permission_matrix(
        actors, url=f"{PAIRS}{pair.pk}/", allowed=allowed_for(actors, REVIEWERS_OF_A1, auth), auth=auth
    )


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_decide_matrix(actors, pair, auth):
    assert_api_permission_matrix(
        actors,
        url=f"{PAIRS}{pair.pk}/decide/",
        method="post",
        data={"decision": "unsure", "note": "待家访"},
        allowed=allowed_for(actors, REVIEWERS_OF_A1, auth),
        auth=auth,
    )


def test_a_pair_shows_its_reasons_and_a_not_the_same_is_remembered(actors, pair):
    client = api_client(actors["county_caseworker"])
    row = client.get(f"{PAIRS}{pair.pk}/").json()
    assert row["reasons_for"], row
    assert (row["status"], row["band"]) == (ReviewStatus.PENDING, pair.band)

    refused = client.post(f"{PAIRS}{pair.pk}/decide/", {"decision": "not_same"}, format="json")
    assert (refused.status_code, refused.json()["code"], list(refused.json())) == (400, "required", ["note", "code"])
    decided = client.post(f"{PAIRS}{pair.pk}/decide/", {"decision": "not_same", "note": "双胞胎"}, format="json")
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == ReviewStatus.NOT_SAME
    assert PairReview.objects.get(pk=pair.pk).decided_by == actors["county_caseworker"]
    # Out of the default queue (pending), in the queue of every status.
    assert [r["id"] for r in client.get(PAIRS).json()["results"]] == []
    assert [r["id"] for r in client.get(PAIRS, {"status": "any"}).json()["results"]] == [pair.pk]
    wrong = client.get(PAIRS, {"band": "nonsense"})
    assert (wrong.status_code, list(wrong.json())) == (400, ["band"])
