"""Reads of the registry: the list's filters and scope, a file with a fixed number of queries, the
timeline, and the counts by category."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from shouhu.policy import selectors as policy_selectors
from shouhu.registry import dates, selectors, services
from shouhu.registry.choices import Category, FileStatus, Relation
from shouhu.registry.selectors import ChildFilters, born_by, category_counts, child_list
from shouhu.registry.tests.factories import (
    ChildFactory,
    ClassificationFactory,
    KinshipFactory,
    PersonFactory,
    SituationFactory,
    add_parent,
    valid_id_number,
)

pytestmark = pytest.mark.django_db


def names(queryset):
    return sorted(c.name for c in queryset)


@pytest.fixture
def world(regions):
    """Children in four villages of two counties."""
    return {
        "a1a": ChildFactory.create(name="东一", village=regions.village_a1a),
        "a1b": ChildFactory.create(name="西一", village=regions.village_a1b),
        "a2a": ChildFactory.create(name="南一", village=regions.village_a2a),
        "b1a": ChildFactory.create(name="张一", village=regions.village_b1a),
    }


@pytest.mark.parametrize(
    ("actor", "seen"),
    [
        ("village_director", ["东一"]),
        ("township_supervisor", ["东一", "西一"]),
        ("county_caseworker", ["东一", "南一", "西一"]),
        ("intake_officer", ["东一", "南一", "西一"]),
        ("other_county_caseworker", ["张一"]),
        ("plan_monitor", []),
        ("auditor", []),
        ("superuser", ["东一", "南一", "张一", "西一"]),
    ],
)
def test_list_is_scoped_to_the_jurisdiction(actors, world, actor, seen):
    assert names(child_list(actors[actor], ChildFilters())) == seen


def test_region_filter_narrows_inside_the_scope_only(actors, world):
    caseworker = actors["county_caseworker"]
    assert names(child_list(caseworker, ChildFilters(region="370902001"))) == ["东一", "西一"]
    assert names(child_list(caseworker, ChildFilters(region="370902001002"))) == ["西一"]
    assert names(child_list(caseworker, ChildFilters(region="370911"))) == []  # another county: nothing
    assert names(child_list(caseworker, ChildFilters(region="abc"))) == []


def test_category_and_key_reason_filters(actors, world):
    ClassificationFactory.create(child=world["a1a"], category=Category.LEFT_BEHIND)
    ClassificationFactory.create(child=world["a1b"], category=Category.KEY_ILL)
    ClassificationFactory.create(child=world["a2a"], category=Category.LEFT_BEHIND, until=date(2025, 1, 1))  # ended
    caseworker = actors["county_caseworker"]
    assert names(child_list(caseworker, ChildFilters(category=Category.LEFT_BEHIND))) == ["东一"]
    assert names(child_list(caseworker, ChildFilters(key_reason="any"))) == ["西一"]
    assert names(child_list(caseworker, ChildFilters(key_reason=Category.KEY_ILL, region="370902001"))) == ["西一"]
    assert names(child_list(caseworker, ChildFilters(key_reason=Category.KEY_DISABLED))) == []


@pytest.mark.parametrize(
    "on",
    [date(2025, 6, 15), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2025, 1, 1)],
)
def test_age_bands_are_birth_date_ranges_that_agree_with_completed_years(actors, regions, on):
    """Children born on every day around each band's edges fall in the band of their age on ``on``."""
    births = set()
    for years in (0, 2, 3, 5, 6, 11, 12, 15, 16, 17, 18):
        edge = born_by(on, years)
        births |= {edge - timedelta(days=d) for d in (-2, -1, 0, 1, 2)}
    births |= {date(on.year - 4, 2, 29) if on.year % 4 == 0 else date(2020, 2, 29)}
    for i, born in enumerate(sorted(b for b in births if b <= on)):
        ChildFactory.create(name=f"童{i}", village=regions.village_a1a, birth_date=born)
    caseworker = actors["county_caseworker"]
    for band, (low, high) in selectors.AGE_BANDS.items():
        listed = {c.birth_date for c in child_list(caseworker, ChildFilters(age_band=band, on=on))}
        expected = {b for b in births if b <= on and low <= dates.age_on(b, on) <= high}
        assert listed == expected, band


@pytest.mark.parametrize(
    ("on", "years", "bound"),
    [
        (date(2025, 6, 15), 3, date(2022, 6, 15)),
        (date(2024, 2, 29), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 4, date(2020, 2, 29)),
        (date(2025, 3, 1), 1, date(2024, 3, 1)),
    ],
)
def test_born_by(on, years, bound):
    assert born_by(on, years) == bound


def test_school_risk_incomplete_and_status_filters(actors, regions):
    ChildFactory.create(name="辍学", village=regions.village_a1a, school_status="dropped_out", is_complete=True)
    ChildFactory.create(name="高风险", village=regions.village_a1a, risk_level="high", is_complete=True)
    ChildFactory.create(name="不全", village=regions.village_a1a, is_complete=False)
    ChildFactory.create(name="迁出", village=regions.village_a1a, status=FileStatus.MOVED_AWAY, is_complete=True)
    director = actors["village_director"]
    assert names(child_list(director, ChildFilters(school_status="dropped_out"))) == ["辍学"]
    assert names(child_list(director, ChildFilters(risk_level="high"))) == ["高风险"]
    assert names(child_list(director, ChildFilters(incomplete=True))) == ["不全"]
    assert names(child_list(director, ChildFilters(status=FileStatus.MOVED_AWAY))) == ["迁出"]
    assert len(child_list(director, ChildFilters(status="all"))) == 4
    assert len(child_list(director, ChildFilters())) == 3


def test_search_by_part_of_a_name_or_a_former_name_or_a_whole_identity_number(actors, regions):
    number = valid_id_number(date(2016, 1, 1), "male")
    ChildFactory.create(
        name="王小明",
        former_names=["王狗蛋", "Wang Goudan"],
        village=regions.village_a1a,
        birth_date=date(2016, 1, 1),
        id_number=number,
    )
    ChildFactory.create(name="李小红", village=regions.village_a1a)
    director = actors["village_director"]
    assert names(child_list(director, ChildFilters(q="小明"))) == ["王小明"]
    assert names(child_list(director, ChildFilters(q="狗蛋"))) == ["王小明"]
    assert names(child_list(director, ChildFilters(q="goudan"))) == ["王小明"]
    assert names(child_list(director, ChildFilters(q=number))) == ["王小明"]
    another = number[:-1] + ("1" if number[-1] == "0" else "0")  # another check character: another number
    assert names(child_list(director, ChildFilters(q=another))) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["乙", "丙", "甲"]),
        ("birth_date", ["丙", "甲", "乙"]),
        ("-birth_date", ["乙", "甲", "丙"]),
        ("village", ["乙", "甲", "丙"]),  # by village, then by name (code points: 乙 < 甲)
    ],
)
def test_sorts(actors, regions, sort, expected):
    ChildFactory.create(name="甲", village=regions.village_a1a, birth_date=date(2015, 1, 1))
    ChildFactory.create(name="乙", village=regions.village_a1a, birth_date=date(2016, 1, 1))
    ChildFactory.create(name="丙", village=regions.village_a1b, birth_date=date(2014, 1, 1))
    listed = [c.name for c in child_list(actors["township_supervisor"], ChildFilters(sort=sort))]
    if sort == "name":
        assert listed == sorted(listed)
    else:
        assert listed == expected


def test_list_page_costs_three_queries_whatever_its_length(actors, regions, django_assert_num_queries):
    for i in range(30):
        child = ChildFactory.create(name=f"童{i}", village=regions.village_a1a)
        ClassificationFactory.create(child=child, category=Category.LEFT_BEHIND)
        ClassificationFactory.create(child=child, category=Category.KEY_ILL)
    director = actors["village_director"]
    director.roles  # noqa: B018  (the roles are read once per request, before the list)
    with django_assert_num_queries(3):
        rows = list(child_list(director, ChildFilters(category=Category.LEFT_BEHIND))[:20])
        shown = [(c.village.name, [k.category for k in selectors.current_categories(c)]) for c in rows]
    assert len(shown) == 20
    assert all(categories == ["key_ill", "left_behind"] for _v, categories in shown)


def test_file_costs_a_fixed_number_of_queries(actors, regions, django_assert_num_queries):
    child = ChildFactory.create(village=regions.village_a1a)
    for relation in ("father", "mother", "paternal_grandmother"):
        person = add_parent(child, Relation(relation))
        SituationFactory.create(person=person)
        SituationFactory.create(person=person, kind="serious_illness")
    ClassificationFactory.create(child=child)
    director = actors["village_director"]
    director.roles  # noqa: B018
    with django_assert_num_queries(6):
        loaded = selectors.child_detail(director, child.pk)
        family = [(k.person.name, [s.kind for s in k.person.situations.all()]) for k in loaded.kinships.all()]
        extra = (list(loaded.entrusted_cares.all()), selectors.current_categories(loaded), list(loaded.overrides.all()))
        assert loaded.village.parent is not None
        _ = loaded.village.parent.name
    assert len(family) == 3
    assert all(len(situations) == 2 for _n, situations in family)
    assert len(extra[1]) == 1


def test_file_outside_the_scope_is_a_404(actors, world):
    with pytest.raises(Http404):
        selectors.child_detail(actors["other_village_director"], world["a1a"].pk)
    with pytest.raises(Http404):
        selectors.child_detail(actors["auditor"], world["a1a"].pk)
    assert selectors.child_detail(actors["county_caseworker"], world["a1a"].pk) == world["a1a"]


def test_person_detail_lists_only_the_children_the_actor_sees(actors, regions):
    parent = PersonFactory.create(village=regions.village_a1a)
    KinshipFactory.create(child=ChildFactory.create(village=regions.village_a1a), person=parent)
    KinshipFactory.create(
        child=ChildFactory.create(village=regions.village_a1b), person=parent, village_code="370902001002"
    )
    loaded = selectors.person_detail(actors["village_director"], parent.pk)
    assert [k.child.village_id for k in loaded.kinships.all()] == ["370902001001"]
    assert len(selectors.person_detail(actors["township_supervisor"], parent.pk).kinships.all()) == 2


def test_timeline_merges_changes_categories_decisions_and_reveals(actors, regions):
    caseworker = actors["county_caseworker"]
    child = services.register_child(
        actor=caseworker,
        data={"name": "赵小花", "sex": "female", "birth_date": date(2015, 3, 3), "village": regions.village_a1a},
        id_number=valid_id_number(date(2015, 3, 3), "female"),
    )
    kinship = services.add_family_member(actor=caseworker, child=child, relation="father", person_data={"name": "赵刚"})
    services.record_situation(
        actor=caseworker,
        person=kinship.person,
        data={"kind": "imprisoned", "started_on": "2025-01-01", "term_months": 24},
    )
    decision = services.override_category(
        actor=caseworker, child=child, category=Category.DISABLED, effect="include", reason="残联证明在办"
    )
    services.withdraw_override(actor=caseworker, override=decision, reason="已取得残疾证")
    services.reveal_id_number(actor=caseworker, obj=child, reason="核对")
    before_removal = {e.record_type for e in selectors.child_timeline(caseworker, child) if e.kind == "change"}
    assert {"registry.child", "registry.kinship", "registry.person", "registry.situation"} <= before_removal
    services.remove_family_member(actor=caseworker, kinship=kinship)
    entries = selectors.child_timeline(caseworker, child)
    kinds = [e.kind for e in entries]
    assert {"change", "category_opened", "category_closed", "decision", "decision_withdrawn", "reveal"} <= set(kinds)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    removed = [e for e in entries if e.record_type == "registry.kinship" and e.title.startswith(("删除", "Delete"))]
    assert removed
    reveal = next(e for e in entries if e.kind == "reveal")
    assert reveal.detail == "核对"
    assert reveal.actor_name == caseworker.get_full_name()


def test_timeline_outside_the_scope_is_a_404(actors, world):
    with pytest.raises(Http404):
        selectors.child_timeline(actors["other_village_director"], world["a1a"])


def test_timeline_does_not_show_another_childs_removed_relation(actors, regions):
    caseworker = actors["county_caseworker"]
    data = {"sex": "male", "birth_date": date(2015, 3, 3), "village": regions.village_a1a}
    one = services.register_child(actor=caseworker, data={**data, "name": "一"})
    eleven = one
    for i in range(10):  # make a child whose pk ends like the first one's
        eleven = services.register_child(
            actor=caseworker, data={**data, "name": f"别{i}", "birth_date": date(2014, 1, 1 + i)}
        )
    kinship = services.add_family_member(actor=caseworker, child=eleven, relation="father", person_data={"name": "某"})
    services.remove_family_member(actor=caseworker, kinship=kinship)
    assert not [e for e in selectors.child_timeline(caseworker, one) if e.record_type == "registry.kinship"]


def test_category_counts_by_township_in_the_scope(actors, regions, world):
    ClassificationFactory.create(child=world["a1a"], category=Category.LEFT_BEHIND)
    ClassificationFactory.create(child=world["a1b"], category=Category.LEFT_BEHIND)
    ClassificationFactory.create(child=world["a2a"], category=Category.LEFT_BEHIND)
    ClassificationFactory.create(child=world["a2a"], category=Category.INFANT)
    ClassificationFactory.create(child=world["b1a"], category=Category.LEFT_BEHIND)
    ClassificationFactory.create(child=world["a1a"], category=Category.INFANT, until=date(2025, 1, 1))  # ended
    rows = category_counts(actors["county_caseworker"], by_level="township")
    assert [(r.region_code, r.region_name, r.category, r.count) for r in rows] == [
        ("370902001000", "岱庙街道", "left_behind", 2),
        ("370902002000", "财源街道", "infant", 1),
        ("370902002000", "财源街道", "left_behind", 1),
    ]
    city = category_counts(actors["plan_monitor"], by_level="county")
    assert [(r.region_code, r.category, r.count) for r in city] == [
        ("370902000000", "infant", 1),
        ("370902000000", "left_behind", 3),
        ("370911000000", "left_behind", 1),
    ]
    assert category_counts(actors["plan_monitor"], by_level="county", within="370911") == [
        selectors.CategoryCount("370911000000", "岱岳区", "left_behind", 1)
    ]
    assert category_counts(actors["county_caseworker"], by_level="county", within="370911") == []
    assert category_counts(actors["auditor"], by_level="city") == []
    director = category_counts(actors["village_director"], by_level="township")
    assert [(r.region_code, r.category, r.count) for r in director] == [("370902001000", "left_behind", 1)]
    villages = category_counts(actors["township_supervisor"], by_level="village")
    assert [(r.region_code, r.region_name, r.count) for r in villages] == [
        ("370902001001", "东湖社区", 1),
        ("370902001002", "西湖社区", 1),
    ]
    assert [(r.region_code, r.count) for r in category_counts(actors["superuser"], by_level="city")] == [
        ("370900000000", 1),
        ("370900000000", 4),
    ]
    assert selectors.counts_by_category(actors["village_director"]) == {"left_behind": 1}


def test_category_counts_cost_two_queries(actors, world, django_assert_num_queries):
    ClassificationFactory.create(child=world["a1a"], category=Category.LEFT_BEHIND)
    city_admin = actors["city_admin"]
    city_admin.roles  # noqa: B018
    with django_assert_num_queries(2):
        category_counts(city_admin, by_level="village")


def test_age_of_a_listed_child_matches_the_rules(actors, regions):
    today = policy_selectors.today()
    ChildFactory.create(name="今天三岁", village=regions.village_a1a, birth_date=born_by(today, 3))
    listed = names(child_list(actors["village_director"], ChildFilters(age_band="3-5")))
    assert listed == ["今天三岁"]
