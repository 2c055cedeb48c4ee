"""Merging two files of one child, and undoing it (services.merge / services.unmerge)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.matching import keys, merging, services
from shouhu.matching.models import MatchKey, Merge, MergedRow, PairReview, ReviewStatus
from shouhu.registry import services as registry_services
from shouhu.registry.choices import Category, FileStatus, Relation
from shouhu.registry.models import CategoryOverride, Child, Classification, EntrustedCare, Kinship
from shouhu.registry.tests.factories import (
    CategoryOverrideFactory,
    ChildFactory,
    EntrustedCareFactory,
    KinshipFactory,
    PersonFactory,
    add_parent,
    left_behind_child,
    valid_id_number,
)

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)
REASON = "同一儿童：姓名同音，出生日期相同，监护人相同"


def snapshot(child: Child) -> dict[str, Any]:
    """Everything of a file that a merge touches, in a form to compare before and after."""
    child = Child.objects.get(pk=child.pk)
    return {
        "status": child.status,
        "status_changed_on": child.status_changed_on,
        "merged_into": child.merged_into_id,
        "id_number_hash": child.id_number_hash,
        "id_number_mask": child.id_number_mask,
        "former_names": list(child.former_names or []),
        "phones": list(child.phones or []),
        "missing_fields": list(child.missing_fields or []),
        "kinships": sorted(
            Kinship.objects.filter(child=child).values_list("pk", "person_id", "relation", "village_code")
        ),
        "cares": sorted(
            EntrustedCare.objects.filter(child=child).values_list("pk", "carer_id", "since", "until", "village_code")
        ),
        "overrides": sorted(
            CategoryOverride.objects.filter(child=child).values_list("pk", "category", "withdrawn_at", "village_code")
        ),
        "categories": current_categories(child),
    }


def current_categories(child: Child) -> list[str]:
    return sorted(Classification.objects.filter(child=child, until__isnull=True).values_list("category", flat=True))


@pytest.fixture
def pair(regions):
    """Two files of one left-behind child in 张家庄村 (county B): one with the family, one bare."""
    full = left_behind_child(name="王晓明", birth_date=BORN, phones=["13900000001"])
    bare = ChildFactory.create(
        name="王小明",
        birth_date=BORN,
        village=regions.village_b1a,
        hukou_region=regions.village_b1a,
        hukou_nature="agricultural",
        phones=["13900000002"],
        id_number=True,
    )
    for child in (full, bare):
        registry_services.refresh_file(child=child)
    return full, bare


@pytest.fixture
def caseworker(actors):
    return actors["other_county_caseworker"]  # county B


def test_merge_moves_the_family_the_care_and_the_decisions_to_the_kept_file(pair, caseworker):
    full, bare = pair
    override = CategoryOverrideFactory.create(child=full, decided_by=caseworker, category=Category.DISABLED)
    kinships = set(Kinship.objects.filter(child=full).values_list("pk", flat=True))
    care = EntrustedCare.objects.get(child=full)

    record = services.merge(actor=caseworker, keep=bare, other=full, reason=REASON)

    assert set(Kinship.objects.filter(child=bare).values_list("pk", flat=True)) == kinships
    assert not Kinship.objects.filter(child=full).exists()
    assert EntrustedCare.objects.get(pk=care.pk).child_id == bare.pk
    assert CategoryOverride.objects.get(pk=override.pk).child_id == bare.pk
    merged = Child.objects.get(pk=full.pk)
    assert (merged.status, merged.merged_into_id) == (FileStatus.MERGED, bare.pk)
    assert record.other_status == FileStatus.ACTIVE
    moved = MergedRow.objects.filter(merge=record)
    assert moved.count() == len(kinships) + 2
    assert all(r.moved and (r.from_child, r.to_child) == (full.pk, bare.pk) for r in moved)
    assert {r.object_id for r in moved if r.content_type.model == "kinship"} == kinships


def test_categories_are_computed_again_for_both_files(pair, caseworker):
    full, bare = pair
    assert Category.LEFT_BEHIND in current_categories(full)
    assert Category.LEFT_BEHIND not in current_categories(bare)
    services.merge(actor=caseworker, keep=bare, other=full, reason=REASON)
    assert Category.LEFT_BEHIND in current_categories(bare)
    assert current_categories(full) == []
    closed = Classification.objects.filter(child=full, category=Category.LEFT_BEHIND).get()
    assert closed.until is not None


def test_the_kept_file_takes_the_number_the_names_and_the_phones_it_lacks(pair, caseworker):
    full, bare = pair
    number_hash = bare.id_number_hash
    record = services.merge(actor=caseworker, keep=full, other=bare, reason=REASON)
    kept = Child.objects.get(pk=full.pk)
    assert kept.id_number_hash == number_hash
    assert kept.former_names == ["王小明"]
    assert kept.phones == ["13900000001", "13900000002"]
    assert record.taken == {"id_number": True, "former_names": ["王小明"], "phones": ["13900000002"]}


def test_a_number_that_does_not_fit_the_kept_file_stays_on_the_merged_one(regions, caseworker):
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    other = ChildFactory.create(name="王晓明", birth_date=date(2016, 3, 3), village=regions.village_b1a, id_number=True)
    record = services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    assert Child.objects.get(pk=keep.pk).id_number_hash == ""
    assert record.taken["id_number_left"]


def test_rows_the_kept_file_has_already_stay_with_the_reason(regions, caseworker):
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    other = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_b1a)
    grandmother = PersonFactory.create(village=regions.village_b1a, name="李奶奶")
    KinshipFactory.create(child=keep, person=grandmother, relation=Relation.PATERNAL_GRANDMOTHER)
    same_person = KinshipFactory.create(child=other, person=grandmother, relation=Relation.PATERNAL_GRANDMOTHER)
    add_parent(keep, Relation.FATHER)
    second_father = Kinship.objects.get(person=add_parent(other, Relation.FATHER))
    mother = Kinship.objects.get(person=add_parent(other, Relation.MOTHER))
    EntrustedCareFactory.create(child=keep, carer=grandmother)
    current_care = EntrustedCareFactory.create(child=other)
    old_care = EntrustedCareFactory.create(child=other, since=date(2022, 1, 1), until=date(2023, 1, 1))

    record = services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)

    rows = {(r.content_type.model, r.object_id): r for r in record.rows.all()}
    assert not rows[("kinship", same_person.pk)].moved
    assert not rows[("kinship", second_father.pk)].moved
    assert rows[("kinship", mother.pk)].moved
    assert not rows[("entrustedcare", current_care.pk)].moved
    assert rows[("entrustedcare", old_care.pk)].moved
    assert rows[("kinship", second_father.pk)].note["msg"].startswith("The kept file already has a %(relation)s")
    assert Kinship.objects.get(pk=second_father.pk).child_id == other.pk
    assert Kinship.objects.get(pk=mother.pk).child_id == keep.pk


def test_moved_rows_take_the_kept_files_village_and_get_it_back(regions, actors):
    caseworker = actors["county_caseworker"]  # county A: villages A1a and A2a
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a2a)
    other = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a1a)
    mother = Kinship.objects.get(person=add_parent(other, Relation.MOTHER))
    record = services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    assert Kinship.objects.get(pk=mother.pk).village_code == regions.village_a2a.code
    assert record.rows.get().village_before == regions.village_a1a.code
    services.unmerge(actor=caseworker, merge=record, reason="其实是两个孩子")
    assert Kinship.objects.get(pk=mother.pk).village_code == regions.village_a1a.code


# -- an interruption leaves both files whole ---------------------------------------------------------


class CrashError(Exception):
    """A crash injected in the middle of a merge."""


def _fail(*args: Any, **kwargs: Any) -> None:
    raise CrashError


def _fail_on_second_link(monkeypatch):
    calls = {"n": 0}
    move = services._move_link

    def second_fails(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise CrashError
        return move(*args, **kwargs)

    monkeypatch.setattr(services, "_move_link", second_fails)


@pytest.mark.parametrize(
    "where", ["after the family moved", "before the categories", "before the kept file is refreshed", "at the end"]
)
def test_an_interrupted_merge_leaves_both_files_whole(pair, caseworker, monkeypatch, where):
    full, bare = pair
    CategoryOverrideFactory.create(child=full, decided_by=caseworker, category=Category.DISABLED)
    before = (snapshot(full), snapshot(bare))
    if where == "after the family moved":
        _fail_on_second_link(monkeypatch)
    elif where == "before the categories":
        monkeypatch.setattr(services, "_close_categories", _fail)
    elif where == "before the kept file is refreshed":
        monkeypatch.setattr(services, "refresh_file", _fail)
    else:
        monkeypatch.setattr(services, "send_children_changed", _fail)
    with pytest.raises(CrashError):
        services.merge(actor=caseworker, keep=bare, other=full, reason=REASON)
    assert (snapshot(full), snapshot(bare)) == before
    assert not Merge.objects.exists()
    assert not MergedRow.objects.exists()


# -- undo ----------------------------------------------------------------------------------------


def test_unmerge_restores_everything(pair, caseworker):
    full, bare = pair
    CategoryOverrideFactory.create(child=full, decided_by=caseworker, category=Category.DISABLED)
    registry_services.change_file_status(
        actor=caseworker, child=full, status=FileStatus.MOVED_AWAY, on=date(2025, 1, 10), reason="迁往外地"
    )
    registry_services.change_file_status(
        actor=caseworker, child=full, status=FileStatus.ACTIVE, on=date(2025, 2, 1), reason="回到本村"
    )
    before = (snapshot(full), snapshot(bare))
    assert before[0]["categories"]
    assert before[0]["status_changed_on"] == date(2025, 2, 1)
    record = services.merge(actor=caseworker, keep=full, other=bare, reason=REASON)
    assert snapshot(full) != before[0]

    services.unmerge(actor=caseworker, merge=record, reason="核实为两名儿童")

    assert (snapshot(full), snapshot(bare)) == before
    record.refresh_from_db()
    assert record.undone_by == caseworker
    assert record.undo_reason == "核实为两名儿童"
    assert not record.in_force
    assert all(r.returned for r in record.rows.filter(moved=True))


def test_unmerge_puts_back_the_status_a_closed_file_had(regions, caseworker):
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    other = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_b1a)
    registry_services.change_file_status(
        actor=caseworker, child=other, status=FileStatus.MOVED_AWAY, on=date(2025, 1, 10), reason="迁往外地"
    )
    record = services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    services.unmerge(actor=caseworker, merge=record, reason="核实为两名儿童")
    other.refresh_from_db()
    assert (other.status, other.status_changed_on, other.merged_into_id) == (
        FileStatus.MOVED_AWAY,
        date(2025, 1, 10),
        None,
    )


def test_rows_deleted_since_the_merge_are_not_returned(pair, caseworker):
    full, bare = pair
    record = services.merge(actor=caseworker, keep=bare, other=full, reason=REASON)
    gone = Kinship.objects.filter(child=bare).first()
    assert gone is not None
    registry_services.remove_family_member(actor=caseworker, kinship=gone)
    services.unmerge(actor=caseworker, merge=record, reason="核实为两名儿童")
    rows = {r.object_id: r.returned for r in record.rows.filter(content_type__model="kinship")}
    assert rows.pop(gone.pk) is False
    assert all(rows.values())


def test_an_undone_merge_cannot_be_undone_again(pair, caseworker):
    full, bare = pair
    record = services.merge(actor=caseworker, keep=bare, other=full, reason=REASON)
    services.unmerge(actor=caseworker, merge=record, reason="核实为两名儿童")
    with pytest.raises(DomainError) as refused:
        services.unmerge(actor=caseworker, merge=record, reason="再次撤销")
    assert refused.value.code == "undone"


def test_a_merge_whose_kept_file_was_merged_since_waits_for_that_merge_to_be_undone(regions, caseworker):
    first, second, third = (
        ChildFactory.create(name=name, birth_date=BORN, village=regions.village_b1a)
        for name in ("王小明", "王晓明", "王小铭")
    )
    earlier = services.merge(actor=caseworker, keep=second, other=first, reason=REASON)
    later = services.merge(actor=caseworker, keep=third, other=second, reason=REASON)
    with pytest.raises(DomainError) as refused:
        services.unmerge(actor=caseworker, merge=earlier, reason="撤销")
    assert refused.value.code == "kept_merged"
    services.unmerge(actor=caseworker, merge=later, reason="撤销")
    services.unmerge(actor=caseworker, merge=earlier, reason="撤销")
    assert set(Child.objects.values_list("status", flat=True)) == {FileStatus.ACTIVE}


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("village_director", False),
        ("township_supervisor", False),
        ("intake_officer", False),
        ("county_caseworker", True),
        ("other_county_caseworker", False),
        ("county_admin", False),
        ("city_admin", False),
        ("auditor", False),
        ("superuser", True),
    ],
)
def test_only_a_caseworker_who_may_change_both_files_merges(regions, actors, name, allowed):
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    other = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a2a)
    if allowed:
        services.merge(actor=actors[name], keep=keep, other=other, reason=REASON)
        assert Child.objects.get(pk=other.pk).status == FileStatus.MERGED
    else:
        with pytest.raises(NotAllowedError):
            services.merge(actor=actors[name], keep=keep, other=other, reason=REASON)
        assert Child.objects.get(pk=other.pk).status == FileStatus.ACTIVE


def test_a_merge_of_a_file_the_caseworker_cannot_see_is_refused(regions, actors):
    mine = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    elsewhere = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    for keep, other in ((mine, elsewhere), (elsewhere, mine)):
        for actor in (actors["county_caseworker"], actors["other_county_caseworker"]):
            with pytest.raises(NotAllowedError):
                services.merge(actor=actor, keep=keep, other=other, reason=REASON)
    assert not Merge.objects.exists()
    services.merge(actor=actors["superuser"], keep=mine, other=elsewhere, reason=REASON)


def test_an_unmerge_needs_a_caseworker_who_may_change_both_files(pair, actors, caseworker):
    full, bare = pair
    record = services.merge(actor=caseworker, keep=bare, other=full, reason=REASON)
    for name in ("county_caseworker", "village_director", "township_supervisor", "city_admin"):
        with pytest.raises(NotAllowedError):
            services.unmerge(actor=actors[name], merge=record, reason="撤销")
    assert Merge.objects.get(pk=record.pk).in_force


def _two(regions, **other_fields: Any) -> tuple[Child, Child]:
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    other = ChildFactory.create(
        **{"name": "王晓明", "birth_date": BORN, "village": regions.village_b1a, **other_fields}
    )
    return keep, other


def test_refusals_of_the_domain(regions, caseworker):
    keep, other = _two(regions)
    with pytest.raises(DomainError) as refused:
        services.merge(actor=caseworker, keep=keep, other=keep, reason=REASON)
    assert refused.value.code == "same_file"
    with pytest.raises(DomainError) as refused:
        services.merge(actor=caseworker, keep=keep, other=other, reason="  ")
    assert refused.value.field == "reason"
    services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    with pytest.raises(DomainError) as refused:
        services.merge(actor=caseworker, keep=other, other=keep, reason=REASON)
    assert refused.value.code == "merged"


def test_two_files_with_different_identity_numbers_are_not_merged(regions, caseworker):
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a, id_number=True)
    other = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a, id_number=True)
    with pytest.raises(DomainError) as refused:
        services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    assert refused.value.code == "different_id_numbers"
    number = valid_id_number(BORN, "male", address_code="370911")
    registry_services.set_id_number(actor=caseworker, obj=other, id_number="")
    registry_services.set_id_number(actor=caseworker, obj=keep, id_number=number)
    services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)


def test_a_pair_decided_not_the_same_is_not_merged(regions, caseworker):
    keep, other = _two(regions)
    review = services.record_pair(keep, other, probability=0.7, band="likely", evidence={})
    assert review is not None
    services.decide_pair(actor=caseworker, review=review, decision=ReviewStatus.NOT_SAME, note="双胞胎")
    with pytest.raises(DomainError) as refused:
        services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    assert refused.value.code == "not_same"
    services.decide_pair(actor=caseworker, review=review, decision=ReviewStatus.SAME)
    record = services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    assert record.review == review
    services.unmerge(actor=caseworker, merge=record, reason="撤销")
    assert PairReview.objects.get(pk=review.pk).status == ReviewStatus.PENDING


# -- links of later apps ------------------------------------------------------------------------


def test_a_link_registered_by_another_app_is_followed(regions, caseworker, monkeypatch):
    monkeypatch.setattr(merging, "_LINKS", dict(merging._LINKS))
    keep, other = _two(regions)
    override = CategoryOverrideFactory.create(child=other, decided_by=caseworker)
    monkeypatch.setattr(merging, "_LINKS", {})
    merging.register_link(CategoryOverride, "child")  # as a later app would register its rows
    record = services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    assert CategoryOverride.objects.get(pk=override.pk).child_id == keep.pk
    assert [r.object_id for r in record.rows.all()] == [override.pk]


def test_only_foreign_keys_to_a_child_are_links():
    with pytest.raises(ValueError, match="not a foreign key to Child"):
        merging.register_link(Kinship, "person")


def test_after_a_merge_the_merged_file_is_not_searchable_and_the_kept_one_answers_to_both_names(
    regions, caseworker, django_capture_on_commit_callbacks
):
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    other = ChildFactory.create(name="李子轩", birth_date=BORN, village=regions.village_b1a)
    keys.refresh([keep.pk, other.pk])
    with django_capture_on_commit_callbacks(execute=True):
        record = services.merge(actor=caseworker, keep=keep, other=other, reason=REASON)
    assert not MatchKey.objects.filter(child=other).exists()
    stored = set(MatchKey.objects.filter(child=keep).values_list("key", flat=True))
    assert stored == keys.child_keys("王小明", ["李子轩"], BORN)
    with django_capture_on_commit_callbacks(execute=True):
        services.unmerge(actor=caseworker, merge=record, reason="两名儿童")
    assert set(MatchKey.objects.filter(child=other).values_list("key", flat=True)) == keys.child_keys(
        "李子轩", [], BORN
    )
    assert set(MatchKey.objects.filter(child=keep).values_list("key", flat=True)) == keys.child_keys("王小明", [], BORN)
