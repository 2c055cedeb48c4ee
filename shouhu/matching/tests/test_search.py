"""Online search (search.search / search.find): blocks in the database, the engine's ranking, access."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from shouhu.audit.models import AccessEvent
from shouhu.core.errors import NotAllowedError
from shouhu.matching import keys, search, services
from shouhu.matching.compare import FIELDS
from shouhu.matching.engine import Band
from shouhu.matching.model import DEFAULT_WEIGHTS
from shouhu.matching.models import ReviewStatus
from shouhu.matching.record import PersonRecord
from shouhu.regions.tests.factories import make_region
from shouhu.registry import explain, idnumber
from shouhu.registry.choices import FileStatus, Relation
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory, KinshipFactory, PersonFactory, valid_id_number

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)
ON = date(2025, 6, 1)
LIJIA = "370911101202"  # 李家村, a village of township B1 (county B)


@pytest.fixture
def lijia(regions):
    return make_region(LIJIA, "李家村", urban_rural_class="220")


def on_file(**fields) -> Child:
    """A child's file with its search keys."""
    child = ChildFactory.create(**fields)
    keys.refresh([child.pk])
    return child


def with_father(child: Child, name: str, phone: str = "") -> None:
    father = PersonFactory.create(village=child.village, name=name, phone=phone)
    KinshipFactory.create(child=child, person=father, relation=Relation.FATHER)


def test_a_report_about_wang_xiaoming_about_9_in_lijia_reaches_wang_xiaoming_on_file(actors, lijia):
    """The issue's example: "王晓明, about 9, in 李家村" must reach 王小明 born 2016-03-02 of 李家村."""
    wanted = on_file(name="王小明", birth_date=BORN, village=lijia)
    with_father(wanted, "王建国")
    on_file(name="李小红", birth_date=BORN, village=lijia)  # same birth date, another child
    on_file(name="王小明", birth_date=date(2008, 3, 2), village=lijia)  # same name, 17 years old
    report = PersonRecord(names=("王晓明",), age=9, region_code=LIJIA, guardian_names=("王建国",))

    found = search.search(actors["other_county_caseworker"], report, on=ON)

    assert [c.child for c in found][:1] == [wanted]
    best = found[0]
    assert best.visible
    assert best.band in (Band.LIKELY, Band.POSSIBLE, Band.CERTAIN)
    evidence = {line.field: line for line in best.evidence()}
    assert evidence["name"].direction == "for"
    assert evidence["guardian"].direction == "for"
    assert evidence["id_number"].direction == "neutral"  # not given: not compared
    with translation.override("en"):
        assert [line.label for line in best.evidence()][:2] == ["Identity number", "Name"]
        guardian_reason = evidence["guardian"].reason
        assert guardian_reason is not None
        assert evidence["guardian"].text == explain.render_one(guardian_reason)
        assert "王建国" in evidence["guardian"].text
        assert evidence["id_number"].text == ""
    shown = best.as_json()
    assert list(dict.fromkeys(line["field"] for line in shown["evidence"])) == [str(f) for f in FIELDS]
    # Three records sound like 王晓明 (two files and the report): a rare name, said after the name.
    assert [line["level"] for line in shown["evidence"] if line["field"] == "name"] == ["homophone", "rare"]
    assert shown["band"] == best.band.value
    assert 0 < shown["probability"] <= 1


def test_a_search_makes_the_same_number_of_queries_for_one_candidate_or_forty(actors, regions):
    on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    record = PersonRecord(names=("王小明",), birth_date=BORN, sex="male", region_code="370902001001")
    caseworker = actors["county_caseworker"]
    search.search(caseworker, record, on=ON)  # the first access-log entry creates the chain's head
    with CaptureQueriesContext(connection) as one:
        assert len(search.search(caseworker, record, on=ON)) == 1
    for index in range(40):
        child = on_file(name="王小明", birth_date=BORN - timedelta(days=index), village=regions.village_a1a)
        with_father(child, f"王父{index}")
    with CaptureQueriesContext(connection) as many:
        assert len(search.search(caseworker, record, on=ON, limit=50)) > 1
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_blocks_keep_the_best_candidates_only(regions, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    wanted = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    for name in ("李小红", "张伟", "赵敏", "孙丽"):
        on_file(name=name, birth_date=BORN, village=regions.village_a1a)  # the birth date only
    record = PersonRecord(names=("王小明",), birth_date=BORN, sex="male", region_code="370902001001")
    ids = search.candidate_ids(record, where=search.Where(near="370902"), on=ON)
    assert len(ids) == 3
    assert ids[0] == wanted.pk


def test_the_same_identity_number_is_certain_and_a_typo_in_it_is_strong_evidence(actors, regions):
    number = valid_id_number(BORN, "male")
    child = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a, id_number=number)
    caseworker = actors["county_caseworker"]
    exact = search.search(caseworker, PersonRecord(names=("王小明",), id_number=number), on=ON)
    assert [(c.child, c.band) for c in exact] == [(child, Band.CERTAIN)]
    typo = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]
    found = search.search(caseworker, PersonRecord(names=("王晓明",), id_number=typo, sex="male"), on=ON)
    assert [c.child for c in found] == [child]
    lines = {line.field: line for line in found[0].evidence()}
    assert lines["id_number"].level == "one_digit"
    assert lines["id_number"].direction == "for"
    logged = json.dumps([e.detail for e in AccessEvent.objects.filter(action="search")], ensure_ascii=False)
    assert number not in logged
    assert typo not in logged
    assert number not in json.dumps(found[0].as_json())


def test_a_file_the_searcher_may_not_open_shows_only_that_it_exists(actors, regions):
    elsewhere = on_file(name="王小明", birth_date=BORN, village=regions.village_a2a)
    found = search.search(
        actors["village_director"], PersonRecord(names=("王小明",), birth_date=BORN, sex="male"), on=ON
    )
    assert [(c.child, c.visible) for c in found] == [(elsewhere, False)]
    assert found[0].match is None
    assert found[0].evidence() == []
    assert set(found[0].as_json()) == {"pk", "visible", "probability", "band"}
    event = AccessEvent.objects.filter(action="search").latest("seq")
    assert event.detail["candidates"] == []
    assert event.detail["elsewhere"] == 1


def test_a_region_outside_the_jurisdiction_is_not_used_and_the_search_goes_on(actors, regions, lijia):
    child = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    record = PersonRecord(names=("王小明",), birth_date=BORN, region_code=LIJIA)  # county B
    found = search.search(actors["county_caseworker"], record, on=ON)
    assert [c.child for c in found] == [child]
    assert [n.args for n in found.notes] == [{"code": LIJIA}]
    assert found[0].match is not None
    assert found[0].match.comparison is not None
    assert found[0].match.comparison.level("region") == "missing"


@pytest.mark.parametrize(
    "record",
    [
        PersonRecord(),
        PersonRecord(names=("",)),
        PersonRecord(names=("王",)),
        PersonRecord(names=("王小明",), birth_date=ON + timedelta(days=30)),
        PersonRecord(names=("王小明",), id_number="37090X-bad"),
        PersonRecord(names=("王小明",), region_code="37-09"),
        PersonRecord(names=("王小明",), age=-4, sex="boy", phones=("12",)),
    ],
)
def test_bad_input_never_crashes_and_the_search_goes_on_with_the_rest(actors, regions, record):
    child = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    found = search.search(actors["county_caseworker"], record, on=ON)
    if record.names and record.names[0] == "王小明":
        assert child in [c.child for c in found]
    if not record.names or not record.names[0]:
        assert found.notes


def test_merged_files_are_never_found(actors, regions):
    number = valid_id_number(BORN, "male")
    kept = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    merged = on_file(name="王晓明", birth_date=BORN, village=regions.village_a1a, id_number=number)
    Child.objects.filter(pk=merged.pk).update(status=FileStatus.MERGED, merged_into=kept)
    record = PersonRecord(names=("王晓明",), birth_date=BORN, id_number=number)
    assert merged not in [c.child for c in search.search(actors["county_caseworker"], record, on=ON)]


def test_a_file_decided_not_the_same_is_not_proposed_again(actors, regions):
    mine = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    twin = on_file(name="王晓明", birth_date=BORN, village=regions.village_a1a)
    caseworker = actors["county_caseworker"]
    record = search.child_record(search.load([mine.pk])[0])
    assert twin in [c.child for c in search.search(caseworker, record, exclude_pk=mine.pk, on=ON)]
    review = services.record_pair(mine, twin, probability=0.9, band=Band.LIKELY, evidence={})
    assert review is not None
    services.decide_pair(actor=caseworker, review=review, decision=ReviewStatus.NOT_SAME, note="双胞胎兄弟")
    assert twin not in [c.child for c in search.search(caseworker, record, exclude_pk=mine.pk, on=ON)]
    assert mine not in [c.child for c in search.search(caseworker, record, exclude_pk=mine.pk, on=ON)]


def test_the_scope_bounds_every_block(actors, regions):
    in_a = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a)
    in_b = on_file(name="王小明", birth_date=BORN, village=regions.village_b1a)
    record = PersonRecord(names=("王小明",), birth_date=BORN)
    everywhere = {c.child for c in search.search(actors["superuser"], record, on=ON)}
    assert everywhere == {in_a, in_b}
    assert {c.child for c in search.search(actors["superuser"], record, scope="370911", on=ON)} == {in_b}


def test_twins_are_never_certain(actors, regions):
    first = on_file(name="王小明", birth_date=BORN, village=regions.village_a1a, id_number=True)
    second = on_file(name="王小亮", birth_date=BORN, village=regions.village_a1a, id_number=True)
    for child in (first, second):
        with_father(child, "王建国", "13905380001")
    record = search.child_record(search.load([first.pk])[0])
    found = search.search(actors["county_caseworker"], record, exclude_pk=first.pk, on=ON)
    assert all(c.band != Band.CERTAIN for c in found if c.child == second)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("village_director", True),
        ("township_supervisor", True),
        ("county_caseworker", True),
        ("intake_officer", True),
        ("superuser", True),
        ("department_liaison", False),
        ("mandated_reporter", False),
        ("plan_monitor", False),
        ("auditor", False),
        ("county_admin", False),
        ("city_admin", False),
    ],
)
def test_who_may_search(actors, regions, name, allowed):
    record = PersonRecord(names=("王小明",), birth_date=BORN)
    if allowed:
        search.search(actors[name], record, on=ON)
        assert AccessEvent.objects.filter(action="search", actor=actors[name]).count() == 1
    else:
        with pytest.raises(NotAllowedError):
            search.search(actors[name], record, on=ON)
        assert not AccessEvent.objects.filter(actor=actors[name]).exists()


def test_every_search_is_logged_with_what_was_given(actors, regions):
    number = valid_id_number(BORN, "male")
    record = PersonRecord(names=("王晓明",), age=9, id_number=number, phones=("13905380001",))
    search.search(actors["county_caseworker"], record, on=ON, scope="370902")
    event = AccessEvent.objects.get(action="search")
    assert event.detail["record"]["names"] == ["王晓明"]
    assert event.detail["record"]["age"] == 9
    assert event.detail["record"]["id_number"].count("*") == 10
    assert event.detail["record"]["phones"] == 1
    assert event.detail["scope"] == "370902"
    assert event.object_type == "registry.child"


def test_namesakes_are_the_files_under_the_name_key_and_the_searched_record(regions, lijia):
    for name in ("王小明", "王晓明", "王小铭"):  # one sound: one key
        on_file(name=name, birth_date=BORN, village=lijia)
    on_file(name="李红", birth_date=BORN, village=lijia)
    renamed = on_file(name="李明", former_names=["王小明"], birth_date=BORN, village=lijia)

    assert search.namesakes(PersonRecord(names=("王晓明",))) == 5  # four files (one by a former name), and it
    assert search.namesakes(PersonRecord(names=("王小明",)), on_file=True) == 4
    assert search.namesakes(PersonRecord(names=("李明",)), on_file=True) == 1
    assert search.namesakes(PersonRecord(names=("",))) == search.namesakes(PersonRecord(names=())) == 0
    assert renamed.pk


def test_a_common_name_weighs_less_and_says_so(actors, regions, lijia, monkeypatch):
    wanted = on_file(name="王小明", birth_date=BORN, village=lijia)
    with_father(wanted, "王建国")
    report = PersonRecord(names=("王小明",), age=9, region_code=LIJIA, guardian_names=("王建国",))
    [alone] = search.search(actors["other_county_caseworker"], report, on=ON)
    reference = DEFAULT_WEIGHTS.common_name[0]
    monkeypatch.setattr(keys, "name_counts", lambda wanted_keys: dict.fromkeys(wanted_keys, 4 * reference - 1))
    [crowded] = search.search(actors["other_county_caseworker"], report, on=ON)
    assert crowded.child == alone.child == wanted
    assert crowded.probability < alone.probability
    [common] = [line for line in crowded.evidence() if line.level == "common"]
    assert common.field == "name"
    assert common.weight == pytest.approx(-2)
    assert [line.field for line in crowded.evidence()].count("name") == 2  # the name, then how common it is


def test_records_read_files_with_their_families_in_key_order_and_leave_merged_ones_out(lijia) -> None:
    """``records`` is one statement on PostgreSQL and two queries elsewhere: the same records either way."""
    first = ChildFactory.create(
        name="王小明", former_names=["王明"], birth_date=BORN, village=lijia, phones=["13912345678"], id_number=True
    )
    with_father(first, "王建国", "13800000001")
    mother = PersonFactory.create(village=lijia, name="李秀英", phone="")
    KinshipFactory.create(child=first, person=mother, relation=Relation.MOTHER)
    alone = ChildFactory.create(name="张丽", village=lijia)
    merged = ChildFactory.create(name="王晓明", village=lijia, status=FileStatus.MERGED)

    found = search.records([alone.pk, merged.pk, first.pk], with_id_number=True)

    assert list(found) == sorted([first.pk, alone.pk])  # key order; the merged file left out
    record = found[first.pk]
    assert record.names == ("王小明", "王明")
    assert record.phones == ("13912345678",)
    assert record.guardian_names == ("王建国", "李秀英")  # in the family's order
    assert record.guardian_phones == ("13800000001",)
    assert idnumber.is_valid(record.id_number)  # decrypted when asked
    assert record.id_number_hash == first.id_number_hash != ""
    assert found[alone.pk].names == ("张丽",)
    assert found[alone.pk].guardian_names == found[alone.pk].guardian_phones == ()
    assert search.records([first.pk])[first.pk].id_number == ""  # not decrypted unless asked
    assert search.records([]) == {}
