"""The labelled evaluation set: deterministic, streamed, distinct children, and corruptions that do what they say."""

from __future__ import annotations

import itertools
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import date

import pytest
from opencc import OpenCC  # type: ignore[import-untyped]
from pypinyin import lazy_pinyin

from shouhu.demo import corruption
from shouhu.demo.children import city_villages
from shouhu.demo.corruption import (
    DIALECT,
    HOMOPHONES,
    REGISTRY,
    SURNAME_MISREADINGS,
    TRADITIONAL,
    LabelledRecord,
    demo_villages,
    labelled_set,
    pair_kind,
)
from shouhu.registry import idnumber
from shouhu.registry.dates import age_on

SIZE = 6000
# The surname readings the homophone table relies on (《现代汉语词典》 surname entries).
SURNAME_READINGS = {"覃": "qin", "长": "chang"}


@pytest.fixture(scope="module")
def records() -> list[LabelledRecord]:
    return list(labelled_set(SIZE, seed=11))


@pytest.fixture(scope="module")
def registry(records: list[LabelledRecord]) -> dict[int, LabelledRecord]:
    return {r.entity: r for r in records if r.source == REGISTRY}


def _given(name: str) -> str:
    return corruption._split(name)[1]


def _only(records: list[LabelledRecord], name: str, sources: tuple[str, ...] = ()) -> list[LabelledRecord]:
    """Second records with this corruption alone (and from these departments, if given)."""
    chosen = [r for r in records if r.corruptions == (name,) and (not sources or r.source in sources)]
    assert chosen, f"no record has only {name}"
    return chosen


def test_the_same_seed_gives_the_same_records_and_another_seed_others():
    first = [(r.entity, r.source, r.corruptions, r.record) for r in labelled_set(800, seed=3)]
    again = [(r.entity, r.source, r.corruptions, r.record) for r in labelled_set(800, seed=3)]
    other = [(r.entity, r.source, r.corruptions, r.record) for r in labelled_set(800, seed=4)]
    assert first == again
    assert first != other


@pytest.mark.parametrize("size", [0, 1, 7, 2500])
def test_exactly_n_records_come_out_numbered_in_order(size):
    keys = [r.key for r in labelled_set(size, seed=5)]
    assert keys == list(range(size))


def test_a_set_is_streamed_not_built():
    started = time.perf_counter()
    first = list(itertools.islice(labelled_set(10**9, seed=1), 3))
    assert time.perf_counter() - started < 5
    assert [r.key for r in first] == [0, 1, 2]


def test_each_child_has_one_registry_record_before_its_second_records(records):
    seen: set[int] = set()
    for record in records:
        if record.source == REGISTRY:
            assert record.entity not in seen
            assert record.corruptions == ()
            seen.add(record.entity)
        else:
            assert record.entity in seen  # typed after the registry's own record
    assert seen == set(range(len(seen)))


def test_a_share_of_the_children_have_second_records_from_other_departments(records, registry):
    copies = Counter(r.entity for r in records if r.source != REGISTRY)
    share = len(copies) / len(registry)
    assert 0.15 < share < 0.25  # DUPLICATE_SHARE
    assert max(copies.values()) == 2  # a third record now and then, never more
    assert {r.source for r in records} == {
        REGISTRY,
        "school",
        "health",
        "household_register",
        "civil_affairs",
        "report",
    }


def test_second_records_carry_up_to_three_corruptions_and_some_none(records):
    counts = Counter(len([c for c in r.corruptions if c != "former_name"]) for r in records if r.source != REGISTRY)
    assert set(counts) == {0, 1, 2, 3}
    assert counts[1] > counts[2] > counts[3]


def test_registry_records_are_whole_and_truthful(registry):
    for item in registry.values():
        record = item.record
        assert record.birth_date == item.born
        assert len(record.region_code) == 12
        if record.id_number:
            assert idnumber.parse(record.id_number, today=corruption.ON).birth_date == item.born


def test_twins_share_their_family_and_birth_day_but_not_their_names_or_numbers(registry):
    by_family: dict[int, list[LabelledRecord]] = defaultdict(list)
    for item in registry.values():
        by_family[item.family].append(item)
    twins = [
        (a, b)
        for members in by_family.values()
        for a, b in itertools.combinations(members, 2)
        if pair_kind(a, b) == "twin"
    ]
    assert len(twins) > 20
    for a, b in twins:
        x, y = a.record, b.record
        assert x.birth_date == y.birth_date
        assert (x.region_code, x.phones, x.guardian_names) == (y.region_code, y.phones, y.guardian_names)
        assert corruption._split(x.name)[0] == corruption._split(y.name)[0]
        assert lazy_pinyin(_given(x.name)) != lazy_pinyin(_given(y.name))
        assert len(_given(x.name)) == len(_given(y.name))
        if x.id_number and y.id_number:
            assert x.id_number != y.id_number
            assert idnumber.is_valid(x.id_number, today=corruption.ON)
            assert idnumber.is_valid(y.id_number, today=corruption.ON)
    assert any(_given(a.record.name)[0] == _given(b.record.name)[0] for a, b in twins)  # 思雨 / 思涵


def test_siblings_are_born_a_pregnancy_apart_and_called_by_names_that_sound_different(registry):
    by_family: dict[int, list[LabelledRecord]] = defaultdict(list)
    for item in registry.values():
        by_family[item.family].append(item)
    siblings = 0
    for members in by_family.values():
        for a, b in itertools.combinations(members, 2):
            if pair_kind(a, b) == "sibling":
                siblings += 1
                assert abs((a.born - b.born).days) >= corruption.MIN_BIRTH_SPACING_DAYS
                assert lazy_pinyin(_given(a.record.name)) != lazy_pinyin(_given(b.record.name))
                assert a.record.guardian_names == b.record.guardian_names
    assert siblings > 500


def test_a_former_name_never_sounds_like_the_name_of_a_brother_sister_or_twin():
    # Seed 16 once gave the twin 陈沐泽 the former name 陈沐辰, his twin brother's; at a million,
    # 梁桐 had been 梁梓涵 with a sister 梁子涵.
    by_family: dict[int, list[LabelledRecord]] = defaultdict(list)
    for item in labelled_set(5000, seed=16):
        if item.source == REGISTRY:
            by_family[item.family].append(item)
    renamed = 0
    for members in by_family.values():
        for item in members:
            for former in item.record.names[1:]:
                renamed += 1
                others = {tuple(lazy_pinyin(_given(m.record.name))) for m in members if m.entity != item.entity}
                assert tuple(lazy_pinyin(_given(former))) not in others, (item.record, others)
    assert renamed > 20


def test_pair_kind_tells_one_child_from_siblings_twins_and_strangers(records):
    one = records[0]
    assert pair_kind(one, one) == "same"
    stranger = next(r for r in records if r.family != one.family)
    assert pair_kind(one, stranger) == "other"


def test_a_homophone_replaces_one_character_by_one_that_reads_alike(records, registry):
    for item in _only(records, "homophone"):
        typed, true = item.record.name, registry[item.entity].record.name
        changed = [(x, y) for x, y in zip(true, typed, strict=True) if x != y]
        assert len(changed) == 1
        assert changed[0][1] in HOMOPHONES[changed[0][0]]


def test_a_dialect_slip_replaces_one_character_by_one_a_dialect_merges(records, registry):
    for item in _only(records, "dialect"):
        typed, true = item.record.name, registry[item.entity].record.name
        changed = [(x, y) for x, y in zip(true, typed, strict=True) if x != y]
        assert len(changed) == 1
        assert changed[0][1] in DIALECT[changed[0][0]]


def test_traditional_characters_read_back_as_the_simplified_name(records, registry):
    t2s = OpenCC("t2s")
    for item in _only(records, "traditional"):
        assert item.record.name != registry[item.entity].record.name
        assert t2s.convert(item.record.name) == registry[item.entity].record.name


def test_spaces_and_swaps_and_drops_keep_the_characters(records, registry):
    for item in _only(records, "spaces"):
        assert "".join(item.record.name.split()) == registry[item.entity].record.name
    for item in _only(records, "swapped_given"):
        true = registry[item.entity].record.name
        assert sorted(item.record.name) == sorted(true)
        assert item.record.name != true
    for item in _only(records, "dropped_character"):
        true = registry[item.entity].record.name
        assert len(item.record.name) == len(true) - 1
        assert any(true[:i] + true[i + 1 :] == item.record.name for i in range(len(true)))


def test_a_romanised_name_is_written_in_latin_letters(records, registry):
    for item in _only(records, "pinyin"):
        assert item.record.name.isascii()
        words = item.record.name.lower().split()
        assert "".join(lazy_pinyin(registry[item.entity].record.name)) in {"".join(words), "".join(reversed(words))}


def test_identity_numbers_go_missing_or_get_one_digit_or_a_swap_wrong(records, registry):
    for item in _only(records, "id_one_digit", ("civil_affairs", "household_register")):
        true, typed = registry[item.entity].record.id_number, item.record.id_number
        assert sum(x != y for x, y in zip(true, typed, strict=True)) == 1
        assert not idnumber.is_valid(typed, today=corruption.ON)  # GB 11643's check catches one digit
    for item in _only(records, "id_swapped", ("civil_affairs", "household_register")):
        true, typed = registry[item.entity].record.id_number, item.record.id_number
        places = [i for i, (x, y) in enumerate(zip(true, typed, strict=True)) if x != y]
        assert len(places) == 2
        assert places[1] == places[0] + 1
    for item in _only(records, "id_missing"):
        assert item.record.id_number == ""
    for item in _only(records, "id_format", ("civil_affairs", "household_register")):
        assert idnumber.normalise(item.record.id_number) == registry[item.entity].record.id_number


def test_a_guardians_number_in_the_childs_field_is_a_valid_number_of_someone_else(records, registry):
    for item in _only(records, "id_of_guardian"):
        assert item.record.id_number != registry[item.entity].record.id_number
        assert idnumber.is_valid(item.record.id_number, today=corruption.ON)


def test_birth_dates_get_day_and_month_swapped_a_digit_wrong_or_only_a_year_or_an_age(records):
    for item in _only(records, "birth_day_month", ("school", "health", "civil_affairs")):
        born = item.born
        assert item.record.birth_date == date(born.year, born.day, born.month)
    for item in _only(records, "birth_one_digit", ("school", "health", "civil_affairs")):
        typed = item.record.birth_date
        assert typed is not None
        assert sum(x != y for x, y in zip(f"{typed:%Y%m%d}", f"{item.born:%Y%m%d}", strict=True)) == 1
    for item in _only(records, "birth_year_only", ("school", "health", "civil_affairs")):
        assert (item.record.birth_date, item.record.birth_year) == (None, item.born.year)
    for item in _only(records, "birth_about_age"):
        record = item.record
        assert record.birth_date is None
        assert record.age is not None
        assert record.on is not None
        assert abs(record.age - age_on(item.born, record.on)) <= 1
    for item in _only(records, "birth_lunar", ("school", "health", "civil_affairs")):
        assert item.record.birth_date is not None
        assert 20 <= (item.born - item.record.birth_date).days <= 50


def test_a_moved_child_is_recorded_in_another_village_of_the_city_mostly_nearby(records, registry):
    villages = {v.code for v in demo_villages()}
    moved = _only(records, "moved", ("school", "health", "civil_affairs"))
    for item in moved:
        assert item.record.region_code in villages
        assert item.record.region_code != registry[item.entity].record.region_code
    nearby = sum(i.record.region_code[:9] == registry[i.entity].record.region_code[:9] for i in moved)
    assert nearby > len(moved) / 3


def test_phones_change_or_are_written_differently(records, registry):
    def digits(phone: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", phone) if c.isdigit())[-11:]

    for item in _only(records, "phone_format", ("civil_affairs",)):
        assert item.record.phones != registry[item.entity].record.phones
        assert [digits(p) for p in item.record.phones] == list(registry[item.entity].record.phones)
    for item in _only(records, "phone_changed", ("civil_affairs",)):
        assert not set(item.record.phones) & set(registry[item.entity].record.phones)


def test_surname_misreadings_cover_the_surnames_read_otherwise():
    assert set(SURNAME_MISREADINGS) <= {"曾", "单", "区", "仇", "解", "覃", "朴", "查", "盖"}
    for surname, (by_sound, everyday) in SURNAME_MISREADINGS.items():
        assert surname not in by_sound
        assert everyday == "".join(lazy_pinyin(surname))  # what a romanising system says


def test_the_tables_are_right():
    t2s = OpenCC("t2s")
    for simplified, traditional in TRADITIONAL.items():
        assert simplified != traditional
        assert t2s.convert(traditional) == simplified
    for char, alikes in HOMOPHONES.items():
        for alike in alikes:
            assert alike != char
            # pypinyin reads surnames the everyday way (覃 tan): a surname-table reading also counts
            special = {SURNAME_READINGS.get(c, "".join(lazy_pinyin(c))) for c in (char, alike)}
            assert len(special) == 1, (char, alike)
    for char, alikes in DIALECT.items():
        for alike in alikes:
            assert lazy_pinyin(alike) != lazy_pinyin(char), (char, alike)


@pytest.mark.django_db
def test_the_villages_read_from_the_files_are_those_the_demo_city_loads():
    from shouhu.regions.services import load_demo_city  # noqa: PLC0415

    load_demo_city("3709")
    assert demo_villages("3709") == tuple(city_villages("3709"))
