"""The matching screens: who reaches each page (permission matrices over every actor, own and other
jurisdiction), the identity search (candidates, evidence, files elsewhere, warnings, the access log),
decisions, merges and their undoing through the pages, the de-duplication run's page, the child's
page's panel."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shouhu.accounts.choices import AgencyKind
from shouhu.accounts.models import Agency
from shouhu.audit.models import AccessEvent
from shouhu.core.models import Job
from shouhu.core.navigation import items_for
from shouhu.core.testing import REGISTRY_ACTORS as SEARCHERS
from shouhu.core.testing import assert_permission_matrix, login
from shouhu.matching import jobs, keys, services, views
from shouhu.matching.engine import Band
from shouhu.matching.models import Merge, PairReview, ReviewStatus
from shouhu.registry.choices import FileStatus, Relation, Sex
from shouhu.registry.models import Child, Kinship
from shouhu.registry.tests.factories import ChildFactory, KinshipFactory, PersonFactory, valid_id_number

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)
# Whose jurisdiction covers village A1a (東湖社区): they see a pair and a merge of two of its files.
SEES_A1A = ["village_director", "township_supervisor", "county_caseworker", "intake_officer", "superuser"]
MERGERS = ["county_caseworker", "superuser"]
CASEWORKERS = ["county_caseworker", "other_county_caseworker", "superuser"]


def on_file(**fields) -> Child:
    child = ChildFactory.create(**fields)
    keys.refresh([child.pk])
    return child


def with_father(child: Child, name: str, phone: str = "") -> None:
    father = PersonFactory.create(village=child.village, name=name, phone=phone)
    KinshipFactory.create(child=child, person=father, relation=Relation.FATHER)


def client_of(user, *, english: bool = False) -> Client:
    client = login(Client(), user)
    if english:
        client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def two(regions) -> tuple[Child, Child]:
    """Two files of one child in village A1a: a homophone name, the same birth date and father."""
    a = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    b = on_file(name="王晓明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    with_father(a, "王建国", "13812345678")
    with_father(b, "王建国")
    mother = PersonFactory.create(village=b.village, name="李秀英")
    KinshipFactory.create(child=b, person=mother, relation=Relation.MOTHER)
    return a, b


@pytest.fixture
def review(two, county_caseworker) -> PairReview:
    return services.propose_pair(actor=county_caseworker, child_a=two[0], child_b=two[1])


@pytest.fixture
def merge(two, review, county_caseworker) -> Merge:
    services.decide_pair(actor=county_caseworker, review=review, decision=ReviewStatus.SAME)
    return services.merge(actor=county_caseworker, keep=two[0], other=two[1], reason="同一儿童，两次登记")


# --- permission matrices ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["matching:search", "matching:reviews"])
def test_search_and_queue_open_to_the_registry_roles_only(actors, name):
    assert_permission_matrix(actors, url=reverse(name), allowed=SEARCHERS)


def test_a_search_posts_for_the_registry_roles_only(actors, two):
    assert_permission_matrix(
        actors, url=reverse("matching:search"), method="post", data={"name": "王小明"}, allowed=SEARCHERS
    )


def test_de_duplication_opens_to_caseworkers_only(actors):
    assert_permission_matrix(actors, url=reverse("matching:dedup"), allowed=CASEWORKERS)


def test_a_pair_opens_to_those_whose_jurisdiction_covers_both_files(actors, review):
    assert_permission_matrix(actors, url=reverse("matching:pair", args=[review.pk]), allowed=SEES_A1A)


def test_a_pair_of_two_counties_opens_only_above_both(actors, regions, county_caseworker):
    a = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    b = on_file(name="王晓明", birth_date=BORN, village=regions.village_b1a)
    review = services.record_pair(a, b, probability=0.9, band=Band.LIKELY, evidence={})
    assert review is not None
    assert_permission_matrix(actors, url=reverse("matching:pair", args=[review.pk]), allowed=["superuser"])


def test_deciding_posts_for_those_who_see_the_pair(actors, review):
    def reset():
        PairReview.objects.filter(pk=review.pk).update(status=ReviewStatus.PENDING)

    assert_permission_matrix(
        actors,
        url=reverse("matching:pair", args=[review.pk]),
        method="post",
        data={"decision": "unsure", "note": ""},
        allowed=SEES_A1A,
        ok=(302,),
        setup=reset,
    )


def test_the_merge_form_posts_for_caseworkers_of_both_files_only(actors, two, review):
    """Everyone else gets 404; the allowed get the form back (the reason is missing)."""
    assert_permission_matrix(
        actors,
        url=reverse("matching:pair_merge", args=[review.pk]),
        method="post",
        data={"keep": two[0].pk, "reason": ""},
        allowed=MERGERS,
        ok=(200,),
    )
    assert not Merge.objects.exists()


def test_a_merge_opens_to_those_who_see_both_files_and_is_undone_by_caseworkers(actors, merge):
    assert_permission_matrix(actors, url=reverse("matching:merge", args=[merge.pk]), allowed=SEES_A1A)
    assert_permission_matrix(
        actors,
        url=reverse("matching:unmerge", args=[merge.pk]),
        method="post",
        data={"reason": ""},
        allowed=MERGERS,
        ok=(200,),
    )
    merge.refresh_from_db()
    assert merge.in_force


def test_proposing_a_pair_posts_for_those_who_see_both_files(actors, two):
    def forget():
        PairReview.objects.all().delete()

    assert_permission_matrix(
        actors,
        url=reverse("matching:propose"),
        method="post",
        data={"child_a": two[0].pk, "child_b": two[1].pk},
        allowed=SEES_A1A,
        ok=(302,),
        setup=forget,
    )


def test_a_run_opens_to_the_caseworker_who_started_it(actors, regions, county_caseworker):
    job = jobs.start_deduplication(actor=county_caseworker, region_code=regions.county_a.code)
    assert_permission_matrix(
        actors, url=reverse("matching:dedup_job", args=[job.pk]), allowed=["county_caseworker", "superuser"]
    )


def test_a_job_of_another_kind_is_not_a_run(regions, county_caseworker):
    other = Job.objects.create(kind="registry.import", created_by=county_caseworker, params={})
    response = client_of(county_caseworker).get(reverse("matching:dedup_job", args=[other.pk]))
    assert response.status_code == 404


# --- the identity search --------------------------------------------------------------------------


def test_a_homophone_name_finds_the_child_with_the_evidence_in_words(two, county_caseworker):
    a, b = two
    with translation.override("en"):
        response = client_of(county_caseworker, english=True).post(
            reverse("matching:search"),
            {"name": "王晓名", "sex": "male", "birth_date": "2016-03-02", "guardian_name": "王建国"},
        )
    assert response.status_code == 200
    result = response.context["result"]
    assert {c.child for c in result[:2]} == {a, b}
    best = result[0]
    assert best.visible
    assert best.band in (Band.CERTAIN, Band.LIKELY)
    html = response.content.decode()
    assert f'data-candidate="{best.child.pk}"' in html
    assert f'data-band="{best.band.value}"' in html
    assert re.search(r'data-field="name" data-level="(same|homophone)" data-direction="for"', html)
    assert "Homophone names" in html or "Same name" in html
    assert "Shared guardian: 王建国" in html
    assert reverse("registry:detail", args=[best.child.pk]) in html


def test_many_namesakes_of_an_age_ask_for_what_tells_them_apart(regions, county_caseworker):
    """A street child's name and age alone fit more files than a page shows: the screen says what narrows it."""
    for day in range(1, 13):
        on_file(name="王浩", sex="male", birth_date=date(2016, 1, day), village=regions.village_a1a)
    client = client_of(county_caseworker, english=True)
    with translation.override("en"):
        crowded = client.post(reverse("matching:search"), {"name": "王浩", "sex": "male", "age": "10"})
        narrowed = client.post(
            reverse("matching:search"), {"name": "王浩", "sex": "male", "age": "10", "guardian_name": "王建国"}
        )
    assert len(crowded.context["result"]) == views.RESULTS
    assert 'id="search-crowded"' in crowded.content.decode()
    assert 'id="search-crowded"' not in narrowed.content.decode()


def test_a_file_outside_the_jurisdiction_shows_only_that_it_exists_and_whom_to_ask(regions, other_county_caseworker):
    hidden = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    with_father(hidden, "王建国", "13812345678")
    Agency.objects.filter(kind=AgencyKind.CIVIL_AFFAIRS, region=regions.city).update(phone="0538-1234567")
    response = client_of(other_county_caseworker).post(
        reverse("matching:search"), {"name": "王小明", "birth_date": "2016-03-02", "guardian_name": "王建国"}
    )
    html = response.content.decode()
    assert [c.visible for c in response.context["result"]] == [False]
    assert 'data-candidate="hidden"' in html
    assert "泰安市民政局" in html
    assert "0538-1234567" in html
    results = html.split('id="search-results"')[1]
    for secret in ("王小明", "王建国", "东湖社区", "13812345678", "2016-03-02"):
        assert secret not in results
    assert reverse("registry:detail", args=[hidden.pk]) not in html


def test_what_the_engine_could_not_use_is_shown_as_warnings(two, county_caseworker):
    with translation.override("en"):
        response = client_of(county_caseworker, english=True).post(
            reverse("matching:search"), {"name": "王", "id_number": "12345", "birth_date": "2099-01-01"}
        )
    assert response.status_code == 200
    warnings = re.findall(r'class="matching-warning">([^<]*)<', response.content.decode())
    assert any("only one character" in w for w in warnings)
    assert any("5 characters, not 18" in w for w in warnings)
    assert any("2099" in w and "in the future" in w for w in warnings)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "王小明", "birth_date": "2016-03-02", "age": "9"}, "age"),
        ({"name": "王小明", "birth_date": "2016-13-45"}, "birth_date"),
        ({"guardian_name": "王建国", "phone": "13812345678"}, None),
    ],
)
def test_a_rejected_search_keeps_what_was_typed(county_caseworker, data, field):
    response = client_of(county_caseworker).post(reverse("matching:search"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["result"] is None
    assert (field in form.errors) if field else form.non_field_errors()
    html = response.content.decode()
    for value in data.values():
        assert f'value="{value}"' in html
    assert not AccessEvent.objects.filter(action="search", object_type="registry.child").exists()


def test_every_search_is_written_to_the_access_log_with_the_number_masked(two, county_caseworker):
    number = valid_id_number(BORN, "male")
    client_of(county_caseworker).post(reverse("matching:search"), {"name": "王晓明", "id_number": number})
    event = AccessEvent.objects.get(action="search", object_type="registry.child")
    assert event.actor == county_caseworker
    assert event.detail["record"]["names"] == ["王晓明"]
    assert number not in str(event.detail)
    assert set(event.detail["candidates"]) == {two[0].pk, two[1].pk}


def test_two_files_found_together_can_be_put_in_the_queue(two, county_caseworker):
    client = client_of(county_caseworker)
    response = client.post(reverse("matching:search"), {"name": "王小明", "birth_date": "2016-03-02"})
    first = response.context["first_visible"]
    assert first is not None
    html = response.content.decode()
    assert reverse("matching:propose") in html
    other = next(c.child for c in response.context["result"] if c.child != first.child)
    response = client.post(reverse("matching:propose"), {"child_a": first.child.pk, "child_b": other.pk})
    review = PairReview.objects.get()
    assert response["Location"] == reverse("matching:pair", args=[review.pk])


# --- the queue and a pair ---------------------------------------------------------------------------


def test_the_queue_lists_likeliest_first_and_filters(regions, county_caseworker):
    files = [on_file(name=f"孩子{i}", birth_date=BORN, village=regions.village_a1a) for i in range(4)]
    likely = services.record_pair(files[0], files[1], probability=0.9, band=Band.LIKELY, evidence={})
    possible = services.record_pair(files[2], files[3], probability=0.4, band=Band.POSSIBLE, evidence={})
    assert likely is not None
    client = client_of(county_caseworker)
    page = client.get(reverse("matching:reviews")).context["page_obj"]
    assert list(page.object_list) == [likely, possible]
    assert list(client.get(reverse("matching:reviews"), {"band": "possible"}).context["page_obj"]) == [possible]
    assert list(client.get(reverse("matching:reviews"), {"region": regions.township_a2.code}).context["page_obj"]) == []
    services.decide_pair(actor=county_caseworker, review=likely, decision=ReviewStatus.UNSURE)
    assert list(client.get(reverse("matching:reviews")).context["page_obj"]) == [possible]
    assert list(client.get(reverse("matching:reviews"), {"status": "unsure"}).context["page_obj"]) == [likely]
    assert len(client.get(reverse("matching:reviews"), {"status": "all"}).context["page_obj"]) == 2


def test_the_queue_pages_on_the_server(regions, county_caseworker, monkeypatch):
    files = [on_file(name=f"孩子{i}", birth_date=BORN, village=regions.village_a1a) for i in range(9)]
    for i in range(8):
        services.record_pair(files[i], files[i + 1], probability=0.5 + i / 100, band=Band.POSSIBLE, evidence={})
    monkeypatch.setattr(views, "PER_PAGE", 5)
    client = client_of(county_caseworker)
    first = client.get(reverse("matching:reviews")).context["page_obj"]
    second = client.get(reverse("matching:reviews"), {"page": 2}).context["page_obj"]
    assert (len(first), len(second), first.paginator.count) == (5, 3, 8)
    assert first[0].probability > second[0].probability


def test_a_pair_shows_both_files_side_by_side_and_logs_each(two, review, township_supervisor):
    response = client_of(township_supervisor).get(reverse("matching:pair", args=[review.pk]))
    html = response.content.decode()
    for child in two:
        assert f'data-child="{child.pk}"' in html
    assert 'data-field="guardian" data-level="shared" data-direction="for"' in html
    logged = set(
        AccessEvent.objects.filter(action="view", object_type="registry.child").values_list("object_id", flat=True)
    )
    assert logged == {str(two[0].pk), str(two[1].pk)}
    # A township supervisor decides but does not merge.
    assert response.context["decision_form"] is not None
    assert response.context["merge_form"] is None


def test_not_the_same_needs_a_note_and_is_remembered(review, township_supervisor):
    client = client_of(township_supervisor)
    url = reverse("matching:pair", args=[review.pk])
    response = client.post(url, {"decision": "not_same", "note": ""})
    assert response.status_code == 200
    assert "note" in response.context["decision_form"].errors
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    response = client.post(url, {"decision": "not_same", "note": "父亲不同，一个是双胞胎之一"}, follow=True)
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (ReviewStatus.NOT_SAME, township_supervisor)
    assert 'id="pair-remembered"' in response.content.decode()


def test_confirm_then_merge_then_unmerge_through_the_pages(two, review, county_caseworker):
    a, b = two
    client = client_of(county_caseworker)
    response = client.post(reverse("matching:pair", args=[review.pk]), {"decision": "same", "note": ""})
    assert response["Location"] == reverse("matching:pair", args=[review.pk]) + "#merge"
    page = client.get(reverse("matching:pair", args=[review.pk]))
    assert page.context["merge_form"] is not None
    assert 'id="merge-form"' in page.content.decode()

    # The reason is required; what was chosen stays chosen.
    response = client.post(reverse("matching:pair_merge", args=[review.pk]), {"keep": b.pk, "reason": " "})
    assert response.status_code == 200
    assert "reason" in response.context["merge_form"].errors
    assert str(response.context["merge_form"]["keep"].value()) == str(b.pk)

    response = client.post(reverse("matching:pair_merge", args=[review.pk]), {"keep": a.pk, "reason": "同一人"})
    merge = Merge.objects.get()
    assert response["Location"] == reverse("matching:merge", args=[merge.pk])
    b.refresh_from_db()
    assert (b.status, b.merged_into) == (FileStatus.MERGED, a)
    assert Kinship.objects.filter(child=a, person__name="李秀英").exists()  # the mother moved
    page = client.get(reverse("matching:merge", args=[merge.pk]))
    html = page.content.decode()
    kept = html.split('id="merge-kept"')[1].split("</div></div></div>")[0]
    assert a.name in kept
    assert 'id="unmerge-form"' in html

    response = client.post(reverse("matching:unmerge", args=[merge.pk]), {"reason": "错误合并"})
    assert response["Location"] == reverse("matching:merge", args=[merge.pk])
    b.refresh_from_db()
    merge.refresh_from_db()
    assert b.status == FileStatus.ACTIVE
    assert not merge.in_force
    assert Kinship.objects.filter(child=b, person__name="李秀英").exists()  # and moved back
    html = client.get(reverse("matching:merge", args=[merge.pk])).content.decode()
    assert 'id="merge-undone"' in html
    assert 'id="unmerge-form"' not in html


def test_the_merge_of_files_decided_apart_is_refused_with_the_reason(two, review, county_caseworker):
    services.decide_pair(actor=county_caseworker, review=review, decision=ReviewStatus.NOT_SAME, note="不同")
    with translation.override("en"):
        response = client_of(county_caseworker, english=True).post(
            reverse("matching:pair_merge", args=[review.pk]), {"keep": two[0].pk, "reason": "同一人"}
        )
    assert response.status_code == 200
    assert "decided not to be the same child" in response.content.decode()
    assert not Merge.objects.exists()


def test_files_with_two_identity_numbers_are_not_merged(regions, county_caseworker):
    a = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a, id_number=valid_id_number(BORN, "male"))
    b = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a, id_number=True)
    review = services.propose_pair(actor=county_caseworker, child_a=a, child_b=b)
    response = client_of(county_caseworker).post(
        reverse("matching:pair_merge", args=[review.pk]), {"keep": a.pk, "reason": "同一人"}
    )
    assert response.status_code == 200
    assert response.context["merge_form"].errors
    assert not Merge.objects.exists()


def test_a_caseworker_cannot_merge_a_file_outside_the_county(regions, county_caseworker, superuser):
    """The pair spans two counties: the caseworker of one of them gets 404 and nothing changes."""
    a = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    b = on_file(name="王晓明", birth_date=BORN, village=regions.village_b1a)
    review = services.propose_pair(actor=superuser, child_a=a, child_b=b)
    response = client_of(county_caseworker).post(
        reverse("matching:pair_merge", args=[review.pk]), {"keep": a.pk, "reason": "同一人"}
    )
    assert response.status_code == 404
    assert not Merge.objects.exists()
    b.refresh_from_db()
    assert b.status == FileStatus.ACTIVE


def test_a_merged_pair_offers_no_decision_and_no_second_merge(two, review, merge, county_caseworker):
    page = client_of(county_caseworker).get(reverse("matching:pair", args=[review.pk]))
    assert page.context["decision_form"] is None
    assert page.context["merge_form"] is None
    assert f'data-merge="{merge.pk}"' in page.content.decode()


# --- the child's page ------------------------------------------------------------------------------


def test_the_childs_page_lists_its_pairs_and_merges_to_reviewers_only(two, review, merge, county_caseworker, actors):
    a, _b = two
    html = client_of(county_caseworker).get(reverse("registry:detail", args=[a.pk])).content.decode()
    assert 'id="matching"' in html
    assert f'data-pair="{review.pk}"' in html
    assert f'data-merge="{merge.pk}"' in html
    alone = ChildFactory.create(village=a.village)
    html = client_of(county_caseworker).get(reverse("registry:detail", args=[alone.pk])).content.decode()
    assert 'id="matching"' not in html


# --- de-duplication runs ------------------------------------------------------------------------------


def test_a_caseworker_starts_a_run_of_the_county_and_follows_it_to_the_queue(
    two, county_caseworker, regions, django_capture_on_commit_callbacks
):
    client = client_of(county_caseworker)
    form = client.get(reverse("matching:dedup")).context["form"]
    assert regions.county_a.code in dict(form.fields["region"].choices)
    assert regions.county_b.code not in dict(form.fields["region"].choices)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:dedup"), {"region": regions.county_a.code})
    job = Job.objects.get(kind=jobs.DEDUP_JOB)
    assert response["Location"] == reverse("matching:dedup_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'id="dedup-queue-link"' in html
    assert f'hx-get="{reverse("matching:dedup_job", args=[job.pk])}"' not in html  # done: no more polling
    queue = client.get(page.context["queue_url"]["region"]).context["page_obj"]
    assert [(p.child_a, p.child_b) for p in queue] == [two]
    by_job = client.get(page.context["queue_url"]["job"]).context["page_obj"]
    assert [p.found_by_id for p in by_job] == [job.pk]
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="dedup-result"')


def test_a_run_outside_the_jurisdiction_is_refused_on_the_field(county_caseworker, regions):
    response = client_of(county_caseworker).post(reverse("matching:dedup"), {"region": regions.county_b.code})
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Job.objects.exists()


# --- registration's duplicate step (the registry's form, the engine's candidates) --------------------


def _registration(regions, name: str) -> dict[str, str]:
    return {
        "name": name,
        "sex": Sex.MALE,
        "birth_date": BORN.isoformat(),
        "ethnicity": "01",
        "village": regions.village_a1a.code,
        "hukou_status": "registered",
        "hukou_nature": "agricultural",
        "economic_status": "none",
        "guardianship_quality": "unassessed",
        "risk_level": "unassessed",
        "residence_address": "幸福路8号",
    }


def test_registration_shows_the_probability_and_the_reasons_of_a_file_it_may_open(regions, village_director):
    same = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    with translation.override("en"):
        response = client_of(village_director, english=True).post(
            reverse("registry:create"), _registration(regions, "王晓明")
        )
    html = response.content.decode()
    candidate = html.split(f'data-candidate="{same.pk}"')[1].split("</li>")[0]
    assert re.search(r'registry-candidate-score"[^>]*>\d+%<', candidate)
    assert re.search(r'registry-candidate-band">(Certain|Likely)<', candidate)
    assert "Homophone names: 王晓明 / 王小明" in candidate


def test_registration_says_nothing_of_a_file_outside_the_jurisdiction_but_that_it_exists(regions, village_director):
    elsewhere = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1b)
    with_father(elsewhere, "王建国", "13812345678")
    response = client_of(village_director).post(reverse("registry:create"), _registration(regions, "王晓明"))
    html = response.content.decode()
    assert 'data-candidate="hidden"' in html
    candidate = html.split('data-candidate="hidden"')[1].split("</li>")[0]
    assert re.search(r'registry-candidate-score"[^>]*>\d+%<', candidate)
    for secret in ("王小明", "王建国", "西湖社区", "138"):
        assert secret not in candidate


# --- the menu ----------------------------------------------------------------------------------------


def test_the_menu_offers_search_and_queue_to_the_registry_roles_and_runs_to_caseworkers(actors):

    for name, user in actors.items():
        entries = {item.url_name for item in items_for(user)} & {
            "matching:search",
            "matching:reviews",
            "matching:dedup",
        }
        expected = set()
        if name in SEARCHERS:
            expected |= {"matching:search", "matching:reviews"}
        if name in CASEWORKERS:
            expected.add("matching:dedup")
        assert entries == expected, name


def test_a_page_of_the_queue_costs_the_same_queries_for_one_pair_or_twenty(regions, county_caseworker):
    files = [on_file(name=f"孩子{i}", birth_date=BORN, village=regions.village_a1a) for i in range(21)]
    services.record_pair(files[0], files[1], probability=0.9, band=Band.LIKELY, evidence={})
    client = client_of(county_caseworker)
    client.get(reverse("matching:reviews"))  # the first access-log entry creates the chain's head
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(reverse("matching:reviews")).context["page_obj"]) == 1
    for i in range(1, 20):
        services.record_pair(files[i], files[i + 1], probability=0.5, band=Band.POSSIBLE, evidence={})
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(reverse("matching:reviews")).context["page_obj"]) == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)
