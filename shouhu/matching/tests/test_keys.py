"""The search keys: what a file is stored under, what a search asks for, and how they stay current."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from shouhu.matching import keys, names, tasks
from shouhu.matching.keys import search_keys, year_key
from shouhu.matching.models import KeyState, MatchKey
from shouhu.matching.record import PersonRecord
from shouhu.registry import services as registry_services
from shouhu.registry.choices import FileStatus
from shouhu.registry.models import Child
from shouhu.registry.services import ChildRecord
from shouhu.registry.tests.factories import ChildFactory

BORN = date(2016, 3, 2)
ON = date(2025, 6, 1)


def stored(child: Child) -> set[str]:
    return set(MatchKey.objects.filter(child=child).values_list("key", flat=True))


# -- the keys (no database) ------------------------------------------------------------------------


def test_a_file_is_stored_under_its_name_keys_alone_and_with_the_birth_year():
    made = keys.child_keys("王小明", [], BORN)
    by_name = names.blocking_keys("王小明")
    assert by_name
    assert by_name <= made
    assert {year_key(2016, k) for k in by_name} <= made
    assert len(made) == 2 * len(by_name)
    assert keys.child_keys("王小明", [], None) == by_name
    longest = MatchKey._meta.get_field("key").max_length
    assert longest is not None
    assert all(len(k) <= longest and k.isascii() for k in made)


def test_former_names_add_their_keys():
    assert names.blocking_keys("李子轩") <= keys.child_keys("王小明", ["李子轩"], BORN)


@pytest.mark.parametrize(
    ("record", "years"),
    [
        (PersonRecord(birth_date=BORN), (2016,)),
        (PersonRecord(birth_year=2016), (2016,)),
        # "about 9" on 2025-06-01: born 2015-06-02 … 2016-06-01 exactly, a year either side.
        (PersonRecord(age=9), (2014, 2015, 2016, 2017)),
        (PersonRecord(age=9, on=date(2024, 6, 1)), (2013, 2014, 2015, 2016)),
        (PersonRecord(birth_date=ON + timedelta(days=1)), ()),  # in the future: not used
        (PersonRecord(birth_year=1700), ()),
        (PersonRecord(age=-3), ()),
        (PersonRecord(), ()),
    ],
)
def test_the_birth_years_a_record_allows(record, years):
    assert keys.birth_years(record, on=ON) == years


def test_a_search_asks_for_the_swapped_birth_date_and_both_sexes_when_the_sex_is_unknown():
    asked = search_keys(PersonRecord(names=("王晓明",), birth_date=BORN), on=ON)
    assert asked.births == (date(2016, 2, 3), BORN)
    assert asked.sexes == ("male", "female")
    assert asked.nearby == names.blocking_keys("王晓明")
    assert asked.everywhere == {year_key(2016, k) for k in names.blocking_keys("王晓明")}
    only_boys = search_keys(PersonRecord(birth_date=date(2016, 3, 20), sex="male"), on=ON)
    assert (only_boys.births, only_boys.sexes) == ((date(2016, 3, 20),), ("male",))  # the 20th is no month
    assert not only_boys.nearby
    assert search_keys(PersonRecord(birth_date=ON + timedelta(days=1)), on=ON).births == ()


@pytest.mark.parametrize(
    ("query", "on_file"),
    [
        (PersonRecord(names=("王晓明",), age=9), ("王小明", BORN)),  # homophone, an age
        (PersonRecord(names=("曾小明",), birth_date=BORN), ("曾晓明", BORN)),
        (PersonRecord(names=("王小明",), birth_date=date(2016, 2, 3)), ("王晓明", BORN)),  # day and month swapped
        (PersonRecord(names=("王明",), birth_year=2016), ("王小明", BORN)),  # a character dropped
        (PersonRecord(names=("小明王",), birth_date=BORN), ("王小明", BORN)),  # in another order
        (PersonRecord(names=("李小红",), birth_date=BORN), ("王小明", BORN)),  # only the birth date
        (PersonRecord(names=("王小明",), birth_date=date(2019, 3, 2)), ("王小明", BORN)),  # a wrong year
    ],
)
def test_a_search_and_the_file_it_should_find_share_a_key(query, on_file):
    name, born = on_file
    asked = search_keys(query, on=ON)
    made = keys.child_keys(name, [], born)
    assert (asked.everywhere | asked.nearby) & made or born in asked.births


def test_an_empty_record_asks_for_nothing():
    assert not search_keys(PersonRecord(names=("",)), on=ON)


# -- the store -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refresh_replaces_a_childs_keys_and_a_merged_file_has_none(regions):
    child = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    merged = ChildFactory.create(name="王晓明", birth_date=BORN, status=FileStatus.MERGED, village=regions.village_a1a)
    keys.refresh([child.pk, merged.pk])
    assert stored(child) == keys.child_keys("王小明", [], BORN)
    assert set(MatchKey.objects.filter(child=child).values_list("village_code", flat=True)) == {"370902001001"}
    assert stored(merged) == set()
    Child.objects.filter(pk=child.pk).update(name="李子轩")
    keys.refresh([child.pk])
    assert stored(child) == keys.child_keys("李子轩", [], BORN)
    assert KeyState.objects.get().version == names.KEYS_VERSION


@pytest.fixture
def registration(regions):
    return {
        "name": "王小明",
        "sex": "male",
        "birth_date": BORN,
        "village": regions.village_a1a,
        "residence_address": "东湖路8号",
        "school_status": "primary",
        "health_status": "healthy",
    }


@pytest.mark.django_db
def test_a_registered_child_is_keyed_once_the_registration_commits(
    village_director, registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        child = registry_services.register_child(actor=village_director, data=registration)
        assert stored(child) == set()  # not before the commit
    for callback in callbacks:
        callback()
    assert stored(child) == keys.child_keys("王小明", [], BORN)


@pytest.mark.django_db
def test_a_registration_rolled_back_sends_nothing(village_director, registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        registry_services.register_child(actor=village_director, data=registration)
        transaction.set_rollback(True)
    assert callbacks == []
    assert not MatchKey.objects.exists()


@pytest.mark.django_db
def test_an_edit_rekeys_the_child(village_director, registration, regions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        child = registry_services.register_child(actor=village_director, data=registration)
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.update_child(
            actor=village_director, child=child, data={"name": "王子轩", "former_names": ["王小明"]}
        )
    assert stored(child) == keys.child_keys("王子轩", ["王小明"], BORN)


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [tasks.INLINE_LIMIT, 1])
def test_an_import_keys_every_child_written(
    county_caseworker, regions, django_capture_on_commit_callbacks, monkeypatch, limit
):
    monkeypatch.setattr(tasks, "INLINE_LIMIT", limit)  # 1: through the background task
    records = [
        ChildRecord(data={"name": name, "sex": "female", "birth_date": BORN, "village": regions.village_a1a.code})
        for name in ("李小雨", "李晓宇", "张婷")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = registry_services.bulk_register_children(actor=county_caseworker, records=records)
    for pk, record in zip(result.child_pks, records, strict=True):
        assert stored(Child(pk=pk)) == keys.child_keys(record.data["name"], [], BORN)


@pytest.mark.django_db
def test_rebuild_rekeys_everyone_and_notes_the_version(regions, monkeypatch):
    child = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    merged = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a1a)
    keys.refresh([child.pk, merged.pk])
    Child.objects.filter(pk=merged.pk).update(status=FileStatus.MERGED)  # merged behind the signal's back
    MatchKey.objects.filter(child=child).delete()
    monkeypatch.setattr(names, "KEYS_VERSION", names.KEYS_VERSION + 1)
    assert keys.stale()
    done = []
    state = keys.rebuild(progress=lambda d, t: done.append((d, t)), batch=1)
    assert done == [(1, 1)]
    assert stored(child) == keys.child_keys("王小明", [], BORN)
    assert stored(merged) == set()
    assert (state.version, state.children, state.keys) == (names.KEYS_VERSION, 1, len(stored(child)))
    assert not keys.stale()


@pytest.mark.django_db
def test_the_reindex_command_prints_its_progress_and_skips_current_keys(regions):
    ChildFactory.create_batch(3, village=regions.village_a1a)
    out = StringIO()
    call_command("matching_reindex", stdout=out)
    assert "3/3 children (100 %)" in out.getvalue()
    assert f"of 3 children written (version {names.KEYS_VERSION}, was none)" in out.getvalue()
    out = StringIO()
    call_command("matching_reindex", "--if-stale", stdout=out)
    assert out.getvalue().strip() == f"search keys are current (version {names.KEYS_VERSION})"
