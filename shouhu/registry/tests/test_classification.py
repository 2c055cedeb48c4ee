"""The category rules (DOMAIN.md §2, §3, §8) as tables of cases taken from the sources.

Each case names the rule it checks and gives the expected answer for one category on one day:
``since`` when the category holds, ``None`` when it does not. Every threshold is tried on the day
before, the day of and the day after. The last part checks ``next_review_on`` as a property:
the result is the same every day up to it and differs on it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import translation

from shouhu.registry.choices import (
    Category,
    DisabilityType,
    EconomicStatus,
    GuardianshipQuality,
    HealthStatus,
    HukouNature,
    Relation,
    SchoolStatus,
    SituationKind,
)
from shouhu.registry.classification import classify
from shouhu.registry.dates import birthday
from shouhu.registry.explain import render
from shouhu.registry.facts import ChildFacts, ParentFact, PlaceFact, RuleSettings, SituationFact

K = SituationKind
C = Category
DAY = timedelta(days=1)
ON = date(2025, 6, 1)
BORN = date(2015, 5, 1)  # ten years old on ON
NATIONAL = frozenset({"poverty", "disability", "guardianship"})
SETTINGS = RuleSettings(difficulty_categories=NATIONAL)
DAY_AFTER = replace(SETTINGS, lost_contact_day_after=True)
ALL_DIFFICULTY = replace(SETTINGS, difficulty_categories=NATIONAL | {"orphan", "temporary_hardship"})


def sit(kind, started, **kwargs):
    return SituationFact(kind=kind, started_on=started, **kwargs)


def father(*situations, lives_with_child=False):
    return ParentFact(Relation.FATHER, "父亲", tuple(situations), lives_with_child)


def mother(*situations, lives_with_child=False):
    return ParentFact(Relation.MOTHER, "母亲", tuple(situations), lives_with_child)


def adoptive(relation, *situations):
    return ParentFact(relation, "养父母", tuple(situations))


def child(*parents, born=BORN, **kwargs):
    values = {"has_household_registration": True, "hukou_nature": HukouNature.AGRICULTURAL, **kwargs}
    return ChildFacts(birth_date=born, parents=tuple(parents), **values)


def place(township, *, urban=False, rural=None):
    """A place by its 9-digit township code; the county and city are its prefixes."""
    return PlaceFact(
        township_code=township + "000",
        county_code=township[:6] + "000000",
        city_code=township[:4] + "00000000",
        county_is_urban_district=urban,
        rural=rural,
    )


def since_of(facts, on, category, settings=SETTINGS):
    found = {f.category: f.since for f in classify(facts, settings, on).findings}
    return found.get(category)


def unused_of(facts, on, settings=SETTINGS):
    with translation.override("en"):
        return " | ".join(render(classify(facts, settings, on).unused))


# Situations used across the tables.
DEAD = sit(K.DEAD, date(2023, 2, 1))
DEAD_LATER = sit(K.DEAD, date(2024, 7, 9))
DECLARED_DEAD = sit(K.DECLARED_DEAD, date(2024, 3, 5))
DECLARED_MISSING = sit(K.DECLARED_MISSING, date(2024, 9, 1))
PRISON_3Y = sit(K.IMPRISONED, date(2025, 3, 10), term_months=36)
ILL = sit(K.SERIOUS_ILLNESS, date(2024, 11, 20))
AWAY = sit(K.WORKING_AWAY, date(2023, 3, 1), place="广州")
AWAY_LATER = sit(K.WORKING_AWAY, date(2024, 2, 15))
HOME_RURAL = place("370902101")  # a town of 泰山区's county code, used as a rural county here
ELSEWHERE = place("370911102")


ORPHAN_CASES = [
    pytest.param(child(father(DEAD), mother(DEAD_LATER)), ON, date(2024, 7, 9), id="orphan/54号: both parents dead"),
    pytest.param(child(father(DEAD), mother(DECLARED_DEAD)), ON, date(2024, 3, 5), id="orphan/§2: declared dead"),
    pytest.param(
        child(father(DEAD), mother(DECLARED_MISSING)), ON, date(2024, 9, 1), id="orphan/§8.5: dead + declared missing"
    ),
    pytest.param(
        child(father(DECLARED_MISSING), mother(sit(K.DECLARED_MISSING, date(2022, 1, 1)))),
        ON,
        date(2024, 9, 1),
        id="orphan/§8.5: both declared missing",
    ),
    pytest.param(child(birth_parents_unknown=True), ON, BORN, id="orphan/54号: birth parents cannot be found"),
    pytest.param(
        child(father(sit(K.DEAD, date(2010, 1, 1))), mother(DEAD)),
        ON,
        date(2023, 2, 1),
        id="orphan/since never before the later death",
    ),
    pytest.param(
        child(father(sit(K.DEAD, date(2014, 1, 1))), mother(sit(K.DEAD, date(2015, 1, 1)))),
        ON,
        BORN,
        id="orphan/posthumous child: since the birth",
    ),
    pytest.param(child(father(DEAD), mother()), ON, None, id="orphan/one parent alive"),
    pytest.param(child(father(DEAD)), ON, None, id="orphan/mother not recorded"),
    pytest.param(child(father(DEAD), mother(ILL)), ON, None, id="orphan/other parent ill"),
    pytest.param(
        child(father(DEAD), mother(sit(K.DEAD, ON + DAY))), ON, None, id="orphan/a death recorded for tomorrow"
    ),
    pytest.param(child(father(DEAD), mother(sit(K.DEAD, ON))), ON, ON, id="orphan/a death today counts today"),
    pytest.param(
        child(father(DEAD), mother(sit(K.DECLARED_MISSING, date(2022, 1, 1), ended_on=date(2025, 1, 1)))),
        ON,
        None,
        id="orphan/a declaration of missing revoked",
    ),
    pytest.param(
        child(father(DEAD), mother(DEAD_LATER), born=date(2007, 6, 1)),
        date(2025, 5, 31),
        date(2024, 7, 9),
        id="orphan/day before the 18th birthday",
    ),
    pytest.param(
        child(father(DEAD), mother(DEAD_LATER), born=date(2007, 6, 1)),
        date(2025, 6, 1),
        None,
        id="orphan/on the 18th birthday: no longer a child",
    ),
    pytest.param(
        child(father(DEAD), mother(DEAD_LATER), born=date(2008, 2, 29)),
        date(2026, 2, 28),
        date(2024, 7, 9),
        id="orphan/born 29 February: still 17 on 28 February",
    ),
    pytest.param(
        child(father(DEAD), mother(DEAD_LATER), born=date(2008, 2, 29)),
        date(2026, 3, 1),
        None,
        id="orphan/born 29 February: 18 on 1 March",
    ),
    pytest.param(
        child(
            father(DEAD),
            mother(DEAD_LATER),
            adoptive(Relation.ADOPTIVE_FATHER),
            adoptive(Relation.ADOPTIVE_MOTHER),
        ),
        ON,
        None,
        id="orphan/民法典 1111: adopted, the adoptive parents alive",
    ),
    pytest.param(
        child(adoptive(Relation.ADOPTIVE_FATHER, DEAD), adoptive(Relation.ADOPTIVE_MOTHER, DEAD_LATER)),
        ON,
        date(2024, 7, 9),
        id="orphan/民法典 1111: both adoptive parents dead",
    ),
    pytest.param(
        child(adoptive(Relation.ADOPTIVE_FATHER), adoptive(Relation.ADOPTIVE_MOTHER), birth_parents_unknown=True),
        ON,
        None,
        id="orphan/abandoned child adopted",
    ),
]


@pytest.mark.parametrize(("facts", "on", "since"), ORPHAN_CASES)
def test_orphan(facts, on, since):
    assert since_of(facts, on, C.ORPHAN) == since


PENDING = sit(K.PRETRIAL_DETENTION, date(2025, 1, 31))  # six months complete on 2025-07-31
HELD_NO_TERM = sit(K.IMPRISONED, date(2025, 1, 31))
LOST = sit(K.LOST_CONTACT, date(2025, 3, 1), police_accepted_on=date(2025, 4, 2))  # complete on 2025-10-02
LOST_MONTH_END = sit(K.LOST_CONTACT, date(2025, 8, 1), police_accepted_on=date(2025, 8, 31))  # on 2026-02-28


def severe(grade, kind=DisabilityType.PHYSICAL):
    return sit(K.SEVERE_DISABILITY, date(2020, 1, 1), disability_grade=grade, disability_type=kind)


DE_FACTO_CASES = [
    # Both parents in set Q (62号).
    pytest.param(child(father(PRISON_3Y), mother(ILL)), ON, SETTINGS, date(2025, 3, 10), id="Q+Q: sentence + ill"),
    pytest.param(
        child(father(sit(K.IMPRISONED, date(2025, 3, 10), term_months=6)), mother(ILL)),
        ON,
        SETTINGS,
        date(2025, 3, 10),
        id="§8.1: a term of exactly 6 months counts from its first day",
    ),
    pytest.param(
        child(father(sit(K.IMPRISONED, date(2025, 3, 10), term_months=5)), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="§8.1: a term of 5 months does not count",
    ),
    pytest.param(
        child(father(sit(K.IMPRISONED, date(2025, 3, 10), term_months=11)), mother(ILL)),
        ON,
        replace(SETTINGS, liberty_restriction_term_months=12),
        None,
        id="§8.1: the term threshold is a setting",
    ),
    pytest.param(
        child(father(sit(K.DRUG_REHABILITATION, date(2025, 5, 31))), mother(ILL)),
        ON,
        SETTINGS,
        date(2025, 5, 31),
        id="§8.1: drug rehabilitation, statutory 2-year term, from day one",
    ),
    pytest.param(
        child(father(sit(K.DRUG_REHABILITATION, date(2025, 5, 31), term_months=3)), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="§8.1: drug rehabilitation with a recorded 3-month term",
    ),
    pytest.param(
        child(father(sit(K.DRUG_REHABILITATION, date(2023, 6, 1))), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="§8.1: drug rehabilitation, statutory term over",
    ),
    pytest.param(
        child(father(sit(K.OTHER_LIBERTY_RESTRICTION, date(2025, 1, 1), term_months=6)), mother(ILL)),
        ON,
        SETTINGS,
        date(2025, 1, 1),
        id="§8.1: other restriction of liberty with a term",
    ),
    pytest.param(
        child(father(PENDING), mother(ILL)), date(2025, 7, 30), SETTINGS, None, id="§8.1: pre-trial, day before"
    ),
    pytest.param(
        child(father(PENDING), mother(ILL)),
        date(2025, 7, 31),
        SETTINGS,
        date(2025, 7, 31),
        id="§8.1: pre-trial, 6 calendar months on the day",
    ),
    pytest.param(
        child(father(PENDING), mother(ILL)),
        date(2025, 8, 1),
        SETTINGS,
        date(2025, 7, 31),
        id="§8.1: pre-trial, day after",
    ),
    pytest.param(
        child(father(PENDING), mother(ILL)),
        date(2025, 4, 30),
        replace(SETTINGS, pretrial_detention_months=3),
        date(2025, 4, 30),
        id="§8.1: pre-trial months are a setting (31 Jan + 3 months = 30 Apr)",
    ),
    pytest.param(
        child(father(HELD_NO_TERM), mother(ILL)),
        date(2025, 7, 30),
        SETTINGS,
        None,
        id="§8.1: sentence without a recorded term waits like pre-trial detention",
    ),
    pytest.param(
        child(father(HELD_NO_TERM), mother(ILL)),
        date(2025, 7, 31),
        SETTINGS,
        date(2025, 7, 31),
        id="§8.1: sentence without a term, 6 months elapsed",
    ),
    pytest.param(child(father(LOST), mother(ILL)), date(2025, 10, 1), SETTINGS, None, id="§8.2: lost, day before"),
    pytest.param(
        child(father(LOST), mother(ILL)), date(2025, 10, 2), SETTINGS, date(2025, 10, 2), id="§8.2: lost, on the day"
    ),
    pytest.param(
        child(father(LOST), mother(ILL)), date(2025, 10, 3), SETTINGS, date(2025, 10, 2), id="§8.2: lost, day after"
    ),
    pytest.param(
        child(father(LOST), mother(ILL)), date(2025, 10, 2), DAY_AFTER, None, id="§8.2 125号 超过: not on the day"
    ),
    pytest.param(
        child(father(LOST), mother(ILL)),
        date(2025, 10, 3),
        DAY_AFTER,
        date(2025, 10, 3),
        id="§8.2 125号 超过: the day after",
    ),
    pytest.param(
        child(father(LOST_MONTH_END), mother(ILL)),
        date(2026, 2, 27),
        SETTINGS,
        None,
        id="§8.3: lost from 31 August, day before 28 February",
    ),
    pytest.param(
        child(father(LOST_MONTH_END), mother(ILL)),
        date(2026, 2, 28),
        SETTINGS,
        date(2026, 2, 28),
        id="§8.3: lost from 31 August, complete on 28 February",
    ),
    pytest.param(
        child(father(LOST_MONTH_END), mother(ILL)),
        date(2026, 2, 28),
        DAY_AFTER,
        None,
        id="§8.2 + §8.3: day after, not on 28 February",
    ),
    pytest.param(
        child(father(LOST_MONTH_END), mother(ILL)),
        date(2026, 3, 1),
        DAY_AFTER,
        date(2026, 3, 1),
        id="§8.2 + §8.3: day after, on 1 March",
    ),
    pytest.param(
        child(father(sit(K.LOST_CONTACT, date(2024, 1, 1))), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="§8.2: lost contact without a police report never counts",
    ),
    pytest.param(
        child(father(replace(LOST, ended_on=date(2025, 12, 1))), mother(ILL)),
        date(2025, 12, 1),
        SETTINGS,
        None,
        id="§8.2: contact found again",
    ),
    pytest.param(
        child(father(LOST), mother(ILL)),
        date(2025, 10, 2),
        replace(SETTINGS, lost_contact_months=3),
        date(2025, 7, 2),
        id="§8.2: the lost-contact months are a setting",
    ),
    pytest.param(child(father(severe(1)), mother(ILL)), ON, SETTINGS, date(2024, 11, 20), id="重残: grade 1"),
    pytest.param(child(father(severe(2)), mother(ILL)), ON, SETTINGS, date(2024, 11, 20), id="重残: grade 2"),
    pytest.param(child(father(severe(3)), mother(ILL)), ON, SETTINGS, None, id="重残: grade 3 physical is not"),
    pytest.param(
        child(father(severe(3, DisabilityType.INTELLECTUAL)), mother(ILL)),
        ON,
        SETTINGS,
        date(2024, 11, 20),
        id="重残: grade 3 intellectual",
    ),
    pytest.param(
        child(father(severe(4, DisabilityType.MENTAL)), mother(ILL)),
        ON,
        SETTINGS,
        date(2024, 11, 20),
        id="重残: grade 4 mental",
    ),
    pytest.param(
        child(father(severe(4, DisabilityType.VISUAL)), mother(ILL)), ON, SETTINGS, None, id="重残: grade 4 visual"
    ),
    pytest.param(child(father(severe(None)), mother(ILL)), ON, SETTINGS, None, id="重残: grade unknown"),
    pytest.param(
        child(father(sit(K.GUARDIANSHIP_REVOKED, date(2025, 2, 1))), mother(ILL)),
        ON,
        SETTINGS,
        date(2025, 2, 1),
        id="125号: guardianship revoked",
    ),
    pytest.param(
        child(father(sit(K.DEPORTED, date(2025, 2, 1), pays_support=False)), mother(ILL)),
        ON,
        SETTINGS,
        date(2025, 2, 1),
        id="125号: deported, not paying support",
    ),
    pytest.param(
        child(father(sit(K.DEPORTED, date(2025, 2, 1), pays_support=True)), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="125号: deported, paying support",
    ),
    pytest.param(
        child(father(sit(K.DEPORTED, date(2025, 2, 1))), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="125号: deported, support not recorded",
    ),
    # One parent dead or missing, the other in Q.
    pytest.param(child(father(DEAD), mother(PRISON_3Y)), ON, SETTINGS, date(2025, 3, 10), id="dead + Q"),
    pytest.param(child(father(DECLARED_DEAD), mother(ILL)), ON, SETTINGS, date(2024, 11, 20), id="declared dead + Q"),
    pytest.param(
        child(father(DECLARED_MISSING), mother(ILL)), ON, SETTINGS, date(2024, 11, 20), id="declared missing + Q"
    ),
    pytest.param(child(father(DEAD), mother(AWAY)), ON, SETTINGS, None, id="dead + working away is not"),
    pytest.param(child(father(DEAD), mother()), ON, SETTINGS, None, id="dead + a parent at home is not"),
    pytest.param(child(father(PRISON_3Y), mother()), ON, SETTINGS, None, id="one in Q, the other at home"),
    pytest.param(child(father(PRISON_3Y)), ON, SETTINGS, None, id="one in Q, the other not recorded"),
    pytest.param(
        child(father(sit(K.NO_CAPACITY, date(2024, 1, 1))), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="no guardianship capacity is not in Q",
    ),
    # Exclusivity (§8.5): orphan wins.
    pytest.param(child(father(DEAD), mother(DECLARED_MISSING)), ON, SETTINGS, None, id="§8.5: an orphan is not"),
    pytest.param(child(father(DEAD), mother(DEAD_LATER)), ON, SETTINGS, None, id="§8.5: both dead is an orphan"),
    pytest.param(
        child(father(PRISON_3Y), mother(ILL), birth_parents_unknown=True),
        ON,
        SETTINGS,
        None,
        id="§8.5: birth parents unknown is an orphan",
    ),
    # Situations that ended no longer count.
    pytest.param(
        child(father(replace(PRISON_3Y, ended_on=date(2025, 5, 20))), mother(ILL)),
        ON,
        SETTINGS,
        None,
        id="released early",
    ),
    pytest.param(
        child(father(replace(PRISON_3Y, ended_on=date(2025, 6, 2))), mother(ILL)),
        ON,
        SETTINGS,
        date(2025, 3, 10),
        id="release recorded for tomorrow",
    ),
    pytest.param(
        child(father(PRISON_3Y), mother(ILL)), date(2028, 3, 9), SETTINGS, date(2025, 3, 10), id="term's last day"
    ),
    pytest.param(child(father(PRISON_3Y), mother(ILL)), date(2028, 3, 10), SETTINGS, None, id="term over"),
    pytest.param(
        child(father(PRISON_3Y), mother(replace(ILL, ended_on=date(2025, 6, 1)))),
        ON,
        SETTINGS,
        None,
        id="recovered today",
    ),
    # Under 18 only, 29 February included.
    pytest.param(
        child(father(PRISON_3Y), mother(ILL), born=date(2008, 2, 29)),
        date(2026, 2, 28),
        SETTINGS,
        date(2025, 3, 10),
        id="under 18: 17 on 28 February",
    ),
    pytest.param(
        child(father(PRISON_3Y), mother(ILL), born=date(2008, 2, 29)),
        date(2026, 3, 1),
        SETTINGS,
        None,
        id="under 18: 18 on 1 March",
    ),
    pytest.param(
        child(father(sit(K.IMPRISONED, date(2014, 1, 1), term_months=60)), mother(ILL), born=date(2016, 1, 1)),
        date(2017, 1, 1),
        SETTINGS,
        None,
        id="term over before the mother fell ill",
    ),
    pytest.param(
        child(father(sit(K.IMPRISONED, date(2014, 1, 1), term_months=60)), mother(ILL), born=date(2016, 1, 1)),
        date(2018, 1, 1),
        SETTINGS,
        None,
        id="term over",
    ),
    pytest.param(
        child(
            father(sit(K.IMPRISONED, date(2014, 1, 1), term_months=120)),
            mother(sit(K.SERIOUS_ILLNESS, date(2012, 1, 1))),
            born=date(2016, 1, 1),
        ),
        date(2017, 1, 1),
        SETTINGS,
        date(2016, 1, 1),
        id="since never before the birth",
    ),
    # Adoptive parents replace the birth parents (民法典 art. 1111).
    pytest.param(
        child(
            father(),
            mother(),
            adoptive(Relation.ADOPTIVE_FATHER, PRISON_3Y),
            adoptive(Relation.ADOPTIVE_MOTHER, ILL),
        ),
        ON,
        SETTINGS,
        date(2025, 3, 10),
        id="adoptive parents in Q",
    ),
    pytest.param(
        child(
            father(PRISON_3Y),
            mother(ILL),
            adoptive(Relation.ADOPTIVE_FATHER),
            adoptive(Relation.ADOPTIVE_MOTHER),
        ),
        ON,
        SETTINGS,
        None,
        id="birth parents in Q, adoptive parents well",
    ),
]


@pytest.mark.parametrize(("facts", "on", "settings", "since"), DE_FACTO_CASES)
def test_de_facto_unattended(facts, on, settings, since):
    assert since_of(facts, on, C.DE_FACTO_UNATTENDED, settings) == since


@pytest.mark.parametrize(
    ("facts", "on"), [pytest.param(*case.values[:2], id=case.id) for case in ORPHAN_CASES + DE_FACTO_CASES]
)
def test_orphan_and_de_facto_are_never_both_held(facts, on):
    categories = classify(facts, SETTINGS, on).categories()
    assert not {C.ORPHAN, C.DE_FACTO_UNATTENDED} <= categories


POVERTY = [EconomicStatus.DIBAO, EconomicStatus.EXTREME_POVERTY, EconomicStatus.LOW_INCOME, EconomicStatus.MONITORED]


@pytest.mark.parametrize("status", POVERTY)
def test_difficulty_poverty_for_each_assistance_status(status):
    assert since_of(child(economic_status=status), ON, C.DIFFICULTY_POVERTY) == BORN


def test_no_assistance_is_no_poverty_category():
    assert since_of(child(economic_status=EconomicStatus.NONE), ON, C.DIFFICULTY_POVERTY) is None


@pytest.mark.parametrize("grade", [None, 1, 4])
def test_difficulty_disability_for_any_recorded_disability(grade):
    facts = child(disability_type=DisabilityType.HEARING, disability_grade=grade)
    assert since_of(facts, ON, C.DIFFICULTY_DISABILITY) == BORN


PARTIAL = sit(K.PRETRIAL_DETENTION, date(2025, 5, 1))  # one month held: below the threshold

GUARDIANSHIP_CASES = [
    pytest.param(child(father(PRISON_3Y), mother(ILL)), ON, date(2025, 3, 10), id="de facto unattended"),
    pytest.param(child(father(PARTIAL), mother(DEAD)), ON, date(2025, 5, 1), id="pre-trial below threshold + dead"),
    pytest.param(
        child(father(sit(K.LOST_CONTACT, date(2025, 1, 1))), mother(PRISON_3Y)),
        ON,
        date(2025, 3, 10),
        id="lost without police record + sentence",
    ),
    pytest.param(
        child(father(sit(K.NO_CAPACITY, date(2024, 1, 1))), mother(ILL)),
        ON,
        date(2024, 11, 20),
        id="no capacity + ill",
    ),
    pytest.param(
        child(father(sit(K.IMPRISONED, date(2025, 3, 1), term_months=4)), mother(DEAD)),
        ON,
        date(2025, 3, 1),
        id="short sentence + dead",
    ),
    pytest.param(
        child(father(sit(K.GUARDIANSHIP_REVOKED, date(2025, 2, 1))), mother()),
        ON,
        date(2025, 2, 1),
        id="guardianship revoked, the other parent well",
    ),
    pytest.param(child(guardianship_quality=GuardianshipQuality.POOR), ON, BORN, id="poor guardianship"),
    pytest.param(child(father(PARTIAL), mother()), ON, None, id="one parent held, the other at home"),
    pytest.param(child(father(severe(3)), mother(DEAD)), ON, None, id="a disability that is not severe"),
    pytest.param(child(father(AWAY), mother(AWAY_LATER)), ON, None, id="both away: left-behind, not (c)"),
    pytest.param(child(father(DEAD), mother(DEAD_LATER)), ON, None, id="an orphan is not (c)"),
    pytest.param(child(guardianship_quality=GuardianshipQuality.ADEQUATE), ON, None, id="adequate guardianship"),
    pytest.param(child(father(PARTIAL)), ON, None, id="mother not recorded"),
]


@pytest.mark.parametrize(("facts", "on", "since"), GUARDIANSHIP_CASES)
def test_difficulty_guardianship(facts, on, since):
    assert since_of(facts, on, C.DIFFICULTY_GUARDIANSHIP) == since


def test_difficulty_guardianship_keeps_its_since_when_the_de_facto_threshold_is_reached():
    facts = child(father(PENDING), mother(ILL))
    assert since_of(facts, date(2025, 7, 30), C.DIFFICULTY_GUARDIANSHIP) == date(2025, 1, 31)
    assert since_of(facts, date(2025, 7, 31), C.DIFFICULTY_GUARDIANSHIP) == date(2025, 1, 31)
    assert since_of(facts, date(2025, 7, 31), C.DE_FACTO_UNATTENDED) == date(2025, 7, 31)


EVERYTHING = child(
    father(DEAD),
    mother(DEAD_LATER),
    economic_status=EconomicStatus.DIBAO,
    disability_type=DisabilityType.PHYSICAL,
    guardianship_quality=GuardianshipQuality.POOR,
)


@pytest.mark.parametrize(
    ("setting", "category"),
    [
        ("poverty", C.DIFFICULTY_POVERTY),
        ("disability", C.DIFFICULTY_DISABILITY),
        ("guardianship", C.DIFFICULTY_GUARDIANSHIP),
        ("orphan", C.DIFFICULTY_ORPHAN),
    ],
)
def test_each_difficulty_category_is_switched_by_the_setting(setting, category):
    with_it = RuleSettings(difficulty_categories=frozenset({setting}))
    without_it = RuleSettings(difficulty_categories=(NATIONAL | {"orphan"}) - {setting})
    facts = EVERYTHING if setting != "guardianship" else replace(EVERYTHING, parents=())
    assert category in classify(facts, with_it, ON).categories()
    assert category not in classify(facts, without_it, ON).categories()


def test_difficulty_orphan_follows_the_orphan_finding():
    facts = child(father(DEAD), mother(DEAD_LATER))
    assert since_of(facts, ON, C.DIFFICULTY_ORPHAN, ALL_DIFFICULTY) == date(2024, 7, 9)
    assert since_of(child(), ON, C.DIFFICULTY_ORPHAN, ALL_DIFFICULTY) is None


def test_temporary_hardship_is_never_found_by_the_rules_only_decided():
    everything = classify(EVERYTHING, ALL_DIFFICULTY, ON).categories()
    assert C.DIFFICULTY_TEMPORARY not in everything


LEFT_BEHIND_CASES = [
    pytest.param(child(father(AWAY), mother(AWAY_LATER)), ON, date(2024, 2, 15), id="13号: both parents away"),
    pytest.param(child(father(AWAY), mother(ILL)), ON, date(2024, 11, 20), id="13号: one away, other seriously ill"),
    pytest.param(child(father(AWAY), mother(severe(1))), ON, date(2023, 3, 1), id="13号: other severely disabled"),
    pytest.param(child(father(AWAY), mother(severe(3))), ON, None, id="13号: other's disability not severe"),
    pytest.param(
        child(father(AWAY), mother(sit(K.NO_CAPACITY, date(2024, 5, 5)))),
        ON,
        date(2024, 5, 5),
        id="13号: other without capacity",
    ),
    pytest.param(child(father(DEAD), mother(AWAY)), ON, date(2023, 3, 1), id="§8.7: other dead"),
    pytest.param(child(father(DECLARED_MISSING), mother(AWAY)), ON, date(2024, 9, 1), id="§8.7: declared missing"),
    pytest.param(
        child(father(sit(K.GUARDIANSHIP_REVOKED, date(2024, 4, 4))), mother(AWAY)),
        ON,
        date(2024, 4, 4),
        id="other stripped of guardianship",
    ),
    pytest.param(child(father(PRISON_3Y), mother(AWAY)), ON, None, id="other in prison is not unable here"),
    pytest.param(child(father(AWAY), mother()), ON, None, id="one away, the other at home"),
    pytest.param(child(father(AWAY)), ON, None, id="one away, the other not recorded"),
    pytest.param(
        child(father(AWAY, lives_with_child=True), mother(AWAY_LATER)),
        ON,
        None,
        id="§3: the child lives with the parent away",
    ),
    pytest.param(
        child(father(replace(AWAY, ended_on=date(2025, 5, 1))), mother(AWAY_LATER)),
        ON,
        None,
        id="father came home",
    ),
    pytest.param(
        child(father(AWAY), mother(AWAY_LATER), hukou_nature=HukouNature.NON_AGRICULTURAL),
        ON,
        None,
        id="§3: not a rural registration",
    ),
    pytest.param(
        child(
            father(AWAY),
            mother(AWAY_LATER),
            hukou_nature=HukouNature.RESIDENT,
            hukou_place=place("370902201", rural=True),
        ),
        ON,
        date(2024, 2, 15),
        id="§3: unified registration in a rural place",
    ),
    pytest.param(
        child(
            father(AWAY),
            mother(AWAY_LATER),
            hukou_nature=HukouNature.RESIDENT,
            hukou_place=place("370902001", rural=False),
        ),
        ON,
        None,
        id="§3: unified registration in a town",
    ),
    pytest.param(
        child(father(AWAY), mother(AWAY_LATER), hukou_nature=HukouNature.UNKNOWN),
        ON,
        None,
        id="§3: registration type and place unknown",
    ),
    pytest.param(
        child(father(AWAY), mother(AWAY_LATER), has_household_registration=False),
        ON,
        None,
        id="§3: no household registration",
    ),
    pytest.param(
        child(father(AWAY), mother(AWAY_LATER), born=date(2009, 6, 2)),
        date(2025, 6, 1),
        date(2024, 2, 15),
        id="13号: day before the 16th birthday",
    ),
    pytest.param(
        child(father(AWAY), mother(AWAY_LATER), born=date(2009, 6, 1)),
        date(2025, 6, 1),
        None,
        id="13号: on the 16th birthday",
    ),
    pytest.param(
        child(father(AWAY), mother(AWAY_LATER), born=date(2024, 3, 1)),
        ON,
        date(2024, 3, 1),
        id="since never before the birth",
    ),
]


@pytest.mark.parametrize(("facts", "on", "since"), LEFT_BEHIND_CASES)
def test_left_behind(facts, on, since):
    assert since_of(facts, on, C.LEFT_BEHIND) == since


def migrant(home, here, since=date(2024, 12, 1), **kwargs):
    return child(hukou_place=home, residence_place=here, residence_since=since, **kwargs)


URBAN_A = place("370902001", urban=True)  # 泰山区, a 市辖区 of 泰安市
URBAN_A2 = place("370902002", urban=True)
URBAN_B = place("370911003", urban=True)  # 岱岳区, another 市辖区 of 泰安市
COUNTY = place("370921101")  # 宁阳县
OTHER_CITY = place("370102001", urban=True)  # 济南市历下区

MIGRANT_CASES = [
    pytest.param(migrant(COUNTY, ELSEWHERE), date(2025, 5, 31), None, id="§8.6: day before six months"),
    pytest.param(migrant(COUNTY, ELSEWHERE), date(2025, 6, 1), date(2025, 6, 1), id="§8.6: six months on the day"),
    pytest.param(migrant(COUNTY, ELSEWHERE), date(2025, 6, 2), date(2025, 6, 1), id="§8.6: day after"),
    pytest.param(
        migrant(COUNTY, ELSEWHERE, since=date(2025, 8, 31)),
        date(2026, 2, 28),
        date(2026, 2, 28),
        id="§8.3: from 31 August, six months on 28 February",
    ),
    pytest.param(migrant(COUNTY, COUNTY), ON, None, id="§8.6: same township"),
    pytest.param(migrant(place("370921101"), place("370921102")), ON, date(2025, 6, 1), id="§8.6: within a county"),
    pytest.param(migrant(URBAN_A, URBAN_A2), ON, None, id="§8.6: within an urban district"),
    pytest.param(migrant(URBAN_A, URBAN_B), ON, None, id="§8.6: between urban districts of one city"),
    pytest.param(migrant(OTHER_CITY, URBAN_A), ON, date(2025, 6, 1), id="§8.6: urban districts of two cities"),
    pytest.param(migrant(COUNTY, URBAN_A), ON, date(2025, 6, 1), id="§8.6: from a county to the city"),
    pytest.param(migrant(URBAN_A, COUNTY), ON, date(2025, 6, 1), id="§8.6: from the city to a county"),
    pytest.param(migrant(COUNTY, ELSEWHERE, since=None), ON, None, id="since when not recorded"),
    pytest.param(migrant(COUNTY, None), ON, None, id="residence unknown"),
    pytest.param(migrant(COUNTY, ELSEWHERE, has_household_registration=False), ON, None, id="not registered"),
    pytest.param(
        migrant(COUNTY, ELSEWHERE, since=date(2010, 1, 1), born=date(2025, 1, 10)),
        date(2025, 7, 10),
        date(2025, 7, 10),
        id="born there: six months from the birth",
    ),
]


@pytest.mark.parametrize(("facts", "on", "since"), MIGRANT_CASES)
def test_migrant(facts, on, since):
    assert since_of(facts, on, C.MIGRANT) == since


OTHER_CASES = [
    pytest.param(child(economic_status=EconomicStatus.DIBAO), ON, C.DIFFICULTY_POVERTY, BORN, id="36号 (a): dibao"),
    pytest.param(
        child(disability_type=DisabilityType.MENTAL, disability_grade=3),
        ON,
        C.DIFFICULTY_DISABILITY,
        BORN,
        id="36号 (b)",
    ),
    pytest.param(child(disability_type=DisabilityType.VISUAL), ON, C.DISABLED, BORN, id="残疾儿童"),
    pytest.param(child(), ON, C.DISABLED, None, id="残疾儿童: none"),
    pytest.param(child(street_child=True), ON, C.STREET, BORN, id="流浪儿童"),
    pytest.param(child(), ON, C.STREET, None, id="流浪儿童: none"),
    pytest.param(child(born=date(2022, 6, 2)), ON, C.INFANT, date(2022, 6, 2), id="infant: day before 3"),
    pytest.param(child(born=date(2022, 6, 1)), ON, C.INFANT, None, id="infant: 3 today"),
    pytest.param(child(born=date(2024, 2, 29)), date(2027, 2, 28), C.INFANT, date(2024, 2, 29), id="infant: 29 Feb"),
    pytest.param(child(born=date(2024, 2, 29)), date(2027, 3, 1), C.INFANT, None, id="infant: 3 on 1 March"),
    pytest.param(child(born=ON), ON, C.INFANT, ON, id="infant: born today"),
    # Key children, seed (10).
    pytest.param(
        child(guardianship_quality=GuardianshipQuality.POOR), ON, C.KEY_POOR_GUARDIANSHIP, BORN, id="key: poor care"
    ),
    pytest.param(
        child(guardianship_quality=GuardianshipQuality.UNASSESSED),
        ON,
        C.KEY_POOR_GUARDIANSHIP,
        None,
        id="key: unassessed",
    ),
    pytest.param(
        child(school_status=SchoolStatus.NOT_ENROLLED, born=date(2019, 6, 1)),
        ON,
        C.KEY_OUT_OF_SCHOOL,
        ON,
        id="§8.7: never enrolled, 6 today",
    ),
    pytest.param(
        child(school_status=SchoolStatus.NOT_ENROLLED, born=date(2019, 6, 2)),
        ON,
        C.KEY_OUT_OF_SCHOOL,
        None,
        id="§8.7: never enrolled, 5",
    ),
    pytest.param(
        child(school_status=SchoolStatus.DROPPED_OUT, born=date(2012, 1, 1)),
        ON,
        C.KEY_OUT_OF_SCHOOL,
        date(2018, 1, 1),
        id="§8.7: dropped out at 13",
    ),
    pytest.param(
        child(school_status=SchoolStatus.DROPPED_OUT, born=date(2009, 6, 2)),
        ON,
        C.KEY_OUT_OF_SCHOOL,
        date(2015, 6, 2),
        id="§8.7: dropped out, day before 16",
    ),
    pytest.param(
        child(school_status=SchoolStatus.DROPPED_OUT, born=date(2009, 6, 1)),
        ON,
        C.KEY_OUT_OF_SCHOOL,
        None,
        id="§8.7: dropped out, 16 today",
    ),
    pytest.param(
        child(school_status=SchoolStatus.FINISHED, born=date(2009, 6, 1)),
        ON,
        C.KEY_OUT_OF_SCHOOL,
        None,
        id="§8.7: 16, finished lower secondary",
    ),
    pytest.param(
        child(school_status=SchoolStatus.KINDERGARTEN, born=date(2019, 1, 1)),
        ON,
        C.KEY_OUT_OF_SCHOOL,
        None,
        id="§8.7: six and in kindergarten",
    ),
    pytest.param(child(has_household_registration=False), ON, C.KEY_UNREGISTERED, BORN, id="key: no hukou"),
    pytest.param(child(), ON, C.KEY_UNREGISTERED, None, id="key: registered"),
    pytest.param(child(health_status=HealthStatus.ILL), ON, C.KEY_ILL, BORN, id="key: ill"),
    pytest.param(child(health_status=HealthStatus.CHRONIC), ON, C.KEY_ILL, BORN, id="key: chronic"),
    pytest.param(child(health_status=HealthStatus.SERIOUS), ON, C.KEY_ILL, BORN, id="key: serious"),
    pytest.param(child(health_status=HealthStatus.HEALTHY), ON, C.KEY_ILL, None, id="key: healthy"),
    pytest.param(child(disability_type=DisabilityType.SPEECH), ON, C.KEY_DISABLED, BORN, id="key: disabled"),
    pytest.param(
        child(disability_type=DisabilityType.SPEECH, born=date(2007, 6, 1)), ON, C.KEY_DISABLED, None, id="key: 18"
    ),
]


@pytest.mark.parametrize(("facts", "on", "category", "since"), OTHER_CASES)
def test_other_categories_and_key_reasons(facts, on, category, since):
    assert since_of(facts, on, category) == since


def test_nothing_holds_before_the_birth_or_from_the_18th_birthday():
    facts = child(has_household_registration=False, born=date(2007, 6, 1))
    assert classify(facts, SETTINGS, date(2007, 5, 31)).findings == ()
    assert classify(facts, SETTINGS, date(2025, 5, 31)).categories() == {C.KEY_UNREGISTERED}
    assert classify(facts, SETTINGS, date(2025, 6, 1)).findings == ()


def test_findings_come_in_the_order_of_the_categories():
    facts = child(
        born=date(2023, 1, 1),
        has_household_registration=False,
        disability_type=DisabilityType.PHYSICAL,
        street_child=True,
    )
    found = [f.category for f in classify(facts, SETTINGS, ON).findings]
    assert found == [C.DIFFICULTY_DISABILITY, C.DISABLED, C.STREET, C.INFANT, C.KEY_UNREGISTERED, C.KEY_DISABLED]


# --- explanations ------------------------------------------------------------------------------


def reasons_of(facts, on, category, settings=SETTINGS):
    (finding,) = [f for f in classify(facts, settings, on).findings if f.category == category]
    with translation.override("en"):
        return render(finding.reasons)


def test_the_issue_example_is_explained_sentence_by_sentence():
    facts = child(father(PRISON_3Y), mother(LOST))
    assert reasons_of(facts, date(2025, 10, 2), C.DE_FACTO_UNATTENDED) == [
        "Both parents are in situations that leave the child without care",
        "Father serving a sentence, term 36 months, since March 10, 2025",
        "Mother lost contact; the police accepted the report on April 2, 2025; 6 months were complete on Oct. 2, 2025",
    ]


def test_reasons_keep_dates_as_iso_strings():
    facts = child(father(PRISON_3Y), mother(LOST))
    (finding,) = [
        f for f in classify(facts, SETTINGS, date(2025, 10, 2)).findings if f.category == C.DE_FACTO_UNATTENDED
    ]
    assert finding.reasons[1].args == {"relation": "father", "date": "2025-03-10", "months": 36}
    assert finding.reasons[2].args["done"] == "2025-10-02"


@pytest.mark.parametrize(
    ("situation", "sentence"),
    [
        (
            sit(K.DRUG_REHABILITATION, date(2025, 1, 1)),
            "Father in compulsory drug rehabilitation since Jan. 1, 2025, statutory term 24 months",
        ),
        (
            sit(K.DRUG_REHABILITATION, date(2025, 1, 1), term_months=12),
            "Father in compulsory drug rehabilitation, term 12 months, since Jan. 1, 2025",
        ),
        (
            sit(K.OTHER_LIBERTY_RESTRICTION, date(2025, 1, 1), term_months=12),
            "Father under a restriction of liberty, term 12 months, since Jan. 1, 2025",
        ),
        (
            sit(K.PRETRIAL_DETENTION, date(2024, 12, 1)),
            "Father detained awaiting trial since Dec. 1, 2024; 6 months were complete on June 1, 2025",
        ),
        (
            sit(K.IMPRISONED, date(2024, 12, 1)),
            "Father deprived of liberty since Dec. 1, 2024 with no term recorded; "
            "6 months were complete on June 1, 2025",
        ),
        (severe(2), "Father severely disabled (Physical, grade 2) since Jan. 1, 2020"),
        (
            sit(K.SEVERE_DISABILITY, date(2020, 1, 1), disability_grade=1),
            "Father severely disabled (grade 1) since Jan. 1, 2020",
        ),
        (sit(K.GUARDIANSHIP_REVOKED, date(2025, 2, 1)), "Father stripped of guardianship by a court on Feb. 1, 2025"),
        (
            sit(K.DEPORTED, date(2025, 2, 1), pays_support=False),
            "Father deported on Feb. 1, 2025 and not paying support",
        ),
        (sit(K.SERIOUS_ILLNESS, date(2025, 2, 1)), "Father seriously ill since Feb. 1, 2025"),
    ],
)
def test_each_qualifying_situation_has_its_sentence(situation, sentence):
    facts = child(father(situation), mother(DEAD))
    assert sentence in reasons_of(facts, ON, C.DE_FACTO_UNATTENDED)


def test_left_behind_reasons_name_the_registration_and_the_places():
    facts = child(father(AWAY), mother(AWAY_LATER))
    assert reasons_of(facts, ON, C.LEFT_BEHIND) == [
        "Both parents work away from home",
        "Household registration of the agricultural type",
        "Father working away from home in 广州 since March 1, 2023",
        "Mother working away from home since Feb. 15, 2024",
    ]


@pytest.mark.parametrize(
    ("facts", "on", "settings", "fragment"),
    [
        (
            child(father(sit(K.LOST_CONTACT, date(2024, 1, 1))), mother(ILL)),
            ON,
            SETTINGS,
            "no report accepted by the police",
        ),
        (
            child(father(sit(K.IMPRISONED, date(2025, 3, 1), term_months=4)), mother(ILL)),
            ON,
            SETTINGS,
            "shorter than the 6 months",
        ),
        (
            child(father(sit(K.IMPRISONED, date(2025, 3, 1), term_months=7)), mother(ILL)),
            ON,
            replace(SETTINGS, liberty_restriction_term_months=8),
            "shorter than the 8 months",
        ),
        (child(father(severe(None)), mother(ILL)), ON, SETTINGS, "grade of the disability is not recorded"),
        (child(father(severe(3)), mother(ILL)), ON, SETTINGS, "grade 3 does not count as severe"),
        (
            child(father(sit(K.DEPORTED, date(2025, 2, 1))), mother(ILL)),
            ON,
            SETTINGS,
            "whether support is paid is not recorded",
        ),
        (
            child(father(sit(K.DEPORTED, date(2025, 2, 1), pays_support=True)), mother(ILL)),
            ON,
            SETTINGS,
            "but pays support",
        ),
        (child(father(PRISON_3Y), mother(ILL)), date(2028, 3, 10), SETTINGS, "record the release or a new term"),
        (child(father(PRISON_3Y)), ON, SETTINGS, "Mother: not recorded in the file"),
        (
            child(father(AWAY), mother(AWAY_LATER), hukou_nature=HukouNature.UNKNOWN),
            ON,
            SETTINGS,
            "not recorded as rural",
        ),
        (migrant(COUNTY, ELSEWHERE, since=None), ON, SETTINGS, "since when is not recorded"),
        (
            child(father(AWAY), mother(AWAY_LATER), has_household_registration=False),
            ON,
            SETTINGS,
            "the child has no household registration",
        ),
    ],
)
def test_facts_that_do_not_count_are_explained_in_unused(facts, on, settings, fragment):
    assert fragment in unused_of(facts, on, settings)


def test_difficulty_guardianship_names_what_keeps_each_parent_away():
    facts = child(father(PARTIAL), mother(severe(2)))
    assert reasons_of(facts, ON, C.DIFFICULTY_GUARDIANSHIP) == [
        "Neither parent can care for the child now",
        "Father: Detained awaiting trial since May 1, 2025",
        "Mother severely disabled (Physical, grade 2) since Jan. 1, 2020",
    ]


def test_nothing_unused_for_a_plain_file():
    assert unused_of(child(father(), mother()), ON) == ""
    assert unused_of(child(father(PRISON_3Y), mother(ILL)), ON) == ""


def test_the_unused_note_of_a_recorded_release_does_not_appear():
    facts = child(father(replace(PRISON_3Y, ended_on=date(2026, 1, 1))), mother(ILL))
    assert unused_of(facts, date(2028, 6, 1)) == ""


# --- next_review_on ---------------------------------------------------------------------------


NEXT_CASES = [
    pytest.param(child(born=date(2024, 1, 1)), ON, SETTINGS, date(2027, 1, 1), id="3rd birthday ends infancy"),
    pytest.param(
        child(born=date(2024, 2, 29)), ON, SETTINGS, date(2027, 3, 1), id="3rd birthday of a 29 February child"
    ),
    pytest.param(child(), ON, SETTINGS, None, id="nothing pending"),
    pytest.param(child(has_household_registration=False), ON, SETTINGS, date(2033, 5, 1), id="18th birthday"),
    pytest.param(child(father(PENDING), mother(ILL)), ON, SETTINGS, date(2025, 7, 31), id="pre-trial threshold"),
    pytest.param(child(father(LOST), mother(ILL)), ON, SETTINGS, date(2025, 10, 2), id="lost-contact threshold"),
    pytest.param(
        child(father(LOST), mother(ILL)), ON, DAY_AFTER, date(2025, 10, 3), id="lost-contact threshold, day after"
    ),
    pytest.param(child(father(PRISON_3Y), mother(ILL)), ON, SETTINGS, date(2028, 3, 10), id="term over"),
    pytest.param(
        child(father(replace(PRISON_3Y, ended_on=date(2026, 1, 1))), mother(ILL)),
        ON,
        SETTINGS,
        date(2026, 1, 1),
        id="recorded release",
    ),
    pytest.param(child(father(AWAY), mother(AWAY_LATER)), ON, SETTINGS, date(2031, 5, 1), id="16th birthday"),
    pytest.param(
        child(school_status=SchoolStatus.NOT_ENROLLED, born=date(2020, 1, 1)),
        ON,
        SETTINGS,
        date(2026, 1, 1),
        id="6th birthday",
    ),
    pytest.param(
        migrant(COUNTY, ELSEWHERE, since=date(2025, 3, 31)), ON, SETTINGS, date(2025, 9, 30), id="six months here"
    ),
    pytest.param(
        child(father(DEAD), mother(sit(K.DEAD, date(2025, 7, 1)))), ON, SETTINGS, date(2025, 7, 1), id="a future fact"
    ),
]


@pytest.mark.parametrize(("facts", "on", "settings", "expected"), NEXT_CASES)
def test_next_review_on(facts, on, settings, expected):
    assert classify(facts, settings, on).next_review_on == expected


def _all_cases():
    for case in ORPHAN_CASES + GUARDIANSHIP_CASES + LEFT_BEHIND_CASES + MIGRANT_CASES + OTHER_CASES:
        yield case.values[0], case.values[1], SETTINGS, case.id
    for case in DE_FACTO_CASES + NEXT_CASES:
        yield case.values[0], case.values[1], case.values[2], case.id


PROPERTY_CASES = [pytest.param(facts, on, settings, id=name) for facts, on, settings, name in _all_cases()]


@pytest.mark.parametrize(("facts", "on", "settings"), PROPERTY_CASES)
def test_next_review_on_is_the_first_day_the_result_changes(facts, on, settings):
    """Property: the findings are the same every day before ``next_review_on`` and differ on it."""
    result = classify(facts, settings, on)
    end = result.next_review_on or birthday(facts.birth_date, 18) + timedelta(days=400)
    day = on + DAY
    while day < end:
        later = classify(facts, settings, day)
        assert later.findings == result.findings, f"changed on {day}, before next_review_on {end}"
        day += DAY if day - on < timedelta(days=800) else timedelta(days=29)
    if result.next_review_on is not None:
        assert classify(facts, settings, result.next_review_on).findings != result.findings
        assert classify(facts, settings, result.next_review_on - DAY).findings == result.findings


@pytest.mark.parametrize(("facts", "on", "settings"), PROPERTY_CASES)
def test_reasons_are_plain_json_that_survives_storage(facts, on, settings):
    result = classify(facts, settings, on)
    reasons = [r for f in result.findings for r in f.reasons] + list(result.unused)
    for reason in reasons:
        stored = reason.as_json()
        assert json.loads(json.dumps(stored)) == stored
        assert all(type(value) in (str, int) for value in reason.args.values()), reason
        assert reason.msg


def test_next_review_on_walks_a_whole_childhood():
    """From birth to 18, following next_review_on meets every change of category and nothing else."""
    facts = child(
        father(
            sit(K.WORKING_AWAY, date(2017, 3, 1), ended_on=date(2021, 9, 1)),
            sit(K.IMPRISONED, date(2021, 9, 1), term_months=60),
        ),
        mother(sit(K.WORKING_AWAY, date(2018, 5, 31), ended_on=date(2025, 8, 1)), LOST_MONTH_END),
        born=date(2012, 2, 29),
        school_status=SchoolStatus.DROPPED_OUT,
        hukou_place=HOME_RURAL,
        residence_place=ELSEWHERE,
        residence_since=date(2012, 2, 29),
    )
    walked = []
    day = facts.birth_date
    while day is not None:
        result = classify(facts, SETTINGS, day)
        walked.append((day, {f.category for f in result.findings}))
        day = result.next_review_on
    assert walked == [
        (date(2012, 2, 29), {C.INFANT}),
        (date(2012, 8, 29), {C.INFANT, C.MIGRANT}),  # six months in another township
        (date(2015, 3, 1), {C.MIGRANT}),  # 3rd birthday of a 29 February child
        (date(2018, 3, 1), {C.MIGRANT, C.KEY_OUT_OF_SCHOOL}),  # 6th birthday
        (date(2018, 5, 31), {C.MIGRANT, C.KEY_OUT_OF_SCHOOL, C.LEFT_BEHIND}),  # both parents away
        (date(2021, 9, 1), {C.MIGRANT, C.KEY_OUT_OF_SCHOOL}),  # father imprisoned, no longer away
        (date(2025, 8, 1), {C.MIGRANT, C.KEY_OUT_OF_SCHOOL, C.DIFFICULTY_GUARDIANSHIP}),  # mother lost
        (date(2026, 2, 28), {C.MIGRANT, C.KEY_OUT_OF_SCHOOL, C.DIFFICULTY_GUARDIANSHIP, C.DE_FACTO_UNATTENDED}),
        (date(2026, 9, 1), {C.MIGRANT, C.KEY_OUT_OF_SCHOOL}),  # father's five years are over
        (date(2028, 2, 29), {C.MIGRANT}),  # 16th birthday, in a leap year
        (date(2030, 3, 1), set()),  # 18th birthday, in a common year
    ]
