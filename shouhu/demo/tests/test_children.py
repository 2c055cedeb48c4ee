"""The generator of synthetic children: deterministic, valid numbers, plausible ages, families and mix."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from shouhu.demo import children, names
from shouhu.demo.children import IdNumbers, Village, generate_families, school_grade_number, village_sizes
from shouhu.registry import idnumber
from shouhu.registry.choices import (
    HouseholdRegistration,
    Relation,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.dates import age_on

ON = date(2026, 11, 28)
URBAN_DISTRICT, COUNTY = "370902", "370921"


def _villages() -> list[Village]:
    """Twelve communities of an urban district and thirty villages of a county."""
    result = []
    for n in range(1, 13):
        result.append(
            Village(f"{URBAN_DISTRICT}001{n:03d}", f"社区{n}居民委员会", "111", "岱庙街道", "泰山区", "泰安市")
        )
    for n in range(1, 31):
        cls = "220" if n > 6 else "121"
        result.append(Village(f"{COUNTY}101{200 + n:03d}", f"{n}村村民委员会", cls, "文庙街道", "宁阳县", "泰安市"))
    return result


def _generate(total: int, seed: int = 7, villages: list[Village] | None = None) -> list[children.Family]:
    villages = villages or _villages()
    sizes = village_sizes(villages, total, seed=seed)
    return list(generate_families(villages, sizes, seed=seed, on=ON))


def _children(families: list[children.Family]) -> list[children.SyntheticChild]:
    return [c for f in families for c in f.children]


@pytest.fixture(scope="module")
def population() -> list[children.Family]:
    return _generate(20_000)


def test_the_same_seed_gives_the_same_children_and_another_seed_others():
    first = [(c.name, c.birth_date, c.id_number, c.school_status) for c in _children(_generate(500))]
    again = [(c.name, c.birth_date, c.id_number, c.school_status) for c in _children(_generate(500))]
    other = [(c.name, c.birth_date, c.id_number, c.school_status) for c in _children(_generate(500, seed=8))]
    assert first == again
    assert first != other


def test_a_village_draws_the_same_children_whatever_other_villages_are_generated():
    villages = _villages()
    alone = [villages[3]]
    sizes = {villages[3].code: 40}
    with_others = list(
        generate_families(villages, {**dict.fromkeys((v.code for v in villages), 30), **sizes}, seed=3, on=ON)
    )
    by_itself = list(generate_families(alone, sizes, seed=3, on=ON, city_villages=villages))
    in_village = [(c.name, c.birth_date, c.sex) for c in _children(with_others) if c.village_code == villages[3].code]
    assert in_village == [(c.name, c.birth_date, c.sex) for c in _children(by_itself)]


@pytest.mark.parametrize("total", [0, 1, 41, 1000, 12_345])
def test_village_sizes_add_up_to_the_total(total):
    assert sum(village_sizes(_villages(), total, seed=1).values()) == total


def test_a_focus_puts_its_share_in_the_villages_under_its_prefix():
    villages = _villages()
    sizes = village_sizes(villages, 10_000, seed=1, focus=[(villages[0].code, 0.1), (villages[0].code[:9], 0.3)])
    assert sizes[villages[0].code] == 1000
    rest_of_township = sum(n for code, n in sizes.items() if code.startswith(villages[0].code[:9])) - 1000
    assert rest_of_township == 3000


def test_communities_of_a_city_are_larger_than_villages_on_average():
    sizes = village_sizes(_villages(), 100_000, seed=1)
    urban = [n for code, n in sizes.items() if code.startswith(URBAN_DISTRICT)]
    rural = [n for code, n in sizes.items() if code[9:] > "206" and code.startswith(COUNTY)]
    assert sum(urban) / len(urban) > 2 * sum(rural) / len(rural)


def test_generated_families_give_exactly_the_sizes_asked_for():
    villages = _villages()
    sizes = village_sizes(villages, 777, seed=2)
    made = Counter(c.village_code for c in _children(list(generate_families(villages, sizes, seed=2, on=ON))))
    assert made == Counter({code: n for code, n in sizes.items() if n})


def test_every_identity_number_is_valid_unique_and_agrees_with_its_holder(population):
    people = [*_children(population), *(a for f in population for a in f.adults)]
    numbers = [p.id_number for p in people if p.id_number]
    assert len(numbers) == len(set(numbers))
    for person in people:
        if not person.id_number:
            continue
        parsed = idnumber.parse(person.id_number, today=ON)
        assert idnumber.check_against(parsed, birth_date=person.birth_date, sex=person.sex) == []


def test_children_are_numbered_in_the_county_of_registration(population):
    for child in _children(population):
        if child.id_number and child.hukou_region_code.startswith(("370902", "370921")):
            assert child.id_number[:6] == child.hukou_region_code[:6]


@pytest.mark.parametrize(
    ("address", "born", "sequence", "sex"),
    [
        ("370902", date(2015, 3, 5), 0, Sex.FEMALE),
        ("370902", date(2015, 3, 5), 0, Sex.MALE),
        ("370983", date(2008, 12, 31), 499, Sex.MALE),
        ("411425", date(1979, 2, 28), 137, Sex.FEMALE),
        ("130528", date(2024, 2, 29), 250, Sex.MALE),
    ],
)
def test_numbers_are_those_of_the_registry_make(address, born, sequence, sex):
    code = 2 * sequence + (1 if sex == Sex.MALE else 0)
    assert IdNumbers()._number(address, born, code) == idnumber.make(address, born, sequence, sex)


def test_numbers_of_one_day_run_out_rather_than_repeat():
    ids = IdNumbers()
    rng = random.Random(1)
    numbers = [ids.make(rng, "370902", date(2020, 1, 1), Sex.MALE) for _ in range(idnumber.SEQUENCES_PER_SEX + 3)]
    assert len(set(numbers[: idnumber.SEQUENCES_PER_SEX])) == idnumber.SEQUENCES_PER_SEX
    assert numbers[idnumber.SEQUENCES_PER_SEX :] == ["", "", ""]


def test_allocators_of_different_shares_never_give_the_same_number():
    first, second = IdNumbers(share=0, shares=2), IdNumbers(share=1, shares=2)
    rng = random.Random(2)
    day = date(2019, 6, 1)
    numbers = [ids.make(rng, "370902", day, Sex.FEMALE) for ids in (first, second) for _ in range(250)]
    assert len(set(numbers)) == 500
    assert first.make(rng, "370902", day, Sex.FEMALE) == ""


def test_children_are_minors_with_the_age_pyramid_of_the_births(population):
    kids = _children(population)
    ages = Counter(age_on(c.birth_date, ON) for c in kids)
    assert set(ages) <= set(range(18))
    years = Counter(c.birth_date.year for c in kids)
    # The peak of the two-child policy against the low births of recent years.
    assert years[2016] + years[2017] > 1.4 * (years[2022] + years[2023])
    assert 0.09 < sum(ages[a] for a in range(3)) / len(kids) < 0.2
    assert 0.5 < sum(c.sex == Sex.MALE for c in kids) / len(kids) < 0.56


def test_siblings_share_their_parents_and_the_shared_parents_carry_a_number(population):
    families = [f for f in population if len(f.children) > 1 and f.scenario == "ordinary"]
    assert len(families) > 100
    for family in families:
        fathers = {id(m.person) for c in family.children for m in c.family if m.relation == Relation.FATHER}
        assert len(fathers) == 1
        assert all(a.id_number for a in family.adults)
        surnames = {c.name[0] for c in family.children}
        assert len(surnames) <= 2  # some children carry the mother's surname


def test_parents_are_adults_when_their_children_are_born(population):
    for family in population:
        for child in family.children:
            for member in child.family:
                if member.relation in (Relation.FATHER, Relation.MOTHER):
                    assert age_on(member.person.birth_date, child.birth_date) >= 18


def _share(kids, predicate) -> float:
    return sum(1 for c in kids if predicate(c)) / len(kids)


def test_the_mix_of_situations_is_that_of_a_shandong_city(population):
    kids = _children(population)
    rural = [c for c in kids if c.village_code[9:] > "206" and c.village_code.startswith(COUNTY)]
    urban = [c for c in kids if c.village_code.startswith(URBAN_DISTRICT)]

    def both_away(child):
        away = [m for m in child.family if any(s.kind == SituationKind.WORKING_AWAY for s in m.person.situations)]
        return len([m for m in away if m.relation in (Relation.FATHER, Relation.MOTHER)]) == 2

    assert 0.02 < _share(rural, both_away) < 0.06
    assert _share(urban, both_away) < 0.02
    assert 0.008 < _share(kids, lambda c: c.disability_type is not None) < 0.025
    # Migrants live in the city's communities, rarely in its villages.
    assert _share(urban, lambda c: c.residence_since is not None) > 5 * _share(
        rural, lambda c: c.residence_since is not None
    )
    school_age = [c for c in kids if 6 <= age_on(c.birth_date, ON) <= 15]
    out = _share(school_age, lambda c: c.school_status in (SchoolStatus.DROPPED_OUT, SchoolStatus.NOT_ENROLLED))
    assert 0 < out < 0.01
    scenarios = Counter(f.scenario for f in population)
    assert scenarios["orphan"] > 0
    assert scenarios["de_facto"] > 0
    assert scenarios["ordinary"] > 0.6 * len(population)
    assert 0 < _share(kids, lambda c: c.hukou_status == HouseholdRegistration.UNREGISTERED) < 0.005


def test_hard_cases_have_the_facts_their_category_needs(population):
    for family in population:
        if family.scenario == "orphan":
            for child in family.children:
                parents = [m.person for m in child.family if m.relation in (Relation.FATHER, Relation.MOTHER)]
                kinds = {s.kind for p in parents for s in p.situations}
                assert kinds <= {SituationKind.DEAD, SituationKind.DECLARED_MISSING}
                assert SituationKind.DEAD in kinds
                assert any(m.is_guardian for m in child.family if m.relation not in (Relation.FATHER, Relation.MOTHER))
        if family.scenario == "both_away":
            for child in family.children:
                assert child.entrusted_care is not None
                assert child.entrusted_care.carer in [m.person for m in child.family]
        for adult in family.adults:
            for situation in adult.situations:
                assert situation.started_on <= ON
                if situation.kind == SituationKind.LOST_CONTACT and situation.police_accepted_on:
                    assert situation.police_accepted_on >= situation.started_on


def test_some_files_are_left_incomplete_on_purpose(population):
    kids = _children(population)
    assert 0.02 < _share(kids, lambda c: not c.id_number) < 0.1
    assert 0.01 < _share(kids, lambda c: not c.residence_address) < 0.1
    assert _share(kids, lambda c: not c.phones) > 0.001


@pytest.mark.parametrize(
    ("born", "grade"),
    [
        (date(2020, 8, 31), 1),  # six on the cut-off day: first grade this September
        (date(2020, 9, 1), 0),  # a day later: last kindergarten year
        (date(2014, 1, 15), 7),
        (date(2009, 2, 1), 12),
    ],
)
def test_school_grade_follows_the_31_august_cut_off(born, grade):
    assert school_grade_number(born, ON) == grade


def test_school_matches_the_age(population):
    for child in _children(population):
        age = age_on(child.birth_date, ON)
        if child.school_status == SchoolStatus.PRIMARY:
            assert 6 <= age <= 13
        if child.school_status == SchoolStatus.KINDERGARTEN:
            assert 2 <= age <= 6
        if age < 2:
            assert child.school_status == SchoolStatus.PRESCHOOL


@pytest.mark.parametrize(
    ("born", "female", "pool"),
    [
        (2022, True, names.FEMALE_ERAS[-1]),
        (2012, False, names.MALE_ERAS[2]),
        (1955, True, names.FEMALE_ERAS[0]),
    ],
)
def test_given_names_are_those_of_the_generation(born, female, pool):
    _, popular, single, first, second = pool
    rng = random.Random(5)
    for _ in range(200):
        name = names.given_name_born(rng, female=female, born=born)
        assert name in popular or name in single or (name[0] in first and name[1] in second)
