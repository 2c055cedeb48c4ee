"""Access policies of the registry: who sees which child, and who may do what to a file."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shouhu.core.policy import CHANGE, CREATE, DELETE, EXPORT, VIEW, policy_for
from shouhu.core.testing import ACTORS, REGISTRY_ACTORS
from shouhu.registry.models import CategoryOverride, Child, Classification, Kinship, Person, Situation
from shouhu.registry.permissions import EXPORT_FULL, OVERRIDE, REVEAL, counts_scope_code
from shouhu.registry.tests.factories import (
    CategoryOverrideFactory,
    ChildFactory,
    ClassificationFactory,
    KinshipFactory,
    PersonFactory,
    SituationFactory,
)

pytestmark = pytest.mark.django_db

# Who may do what to a child of 东湖社区 (village A1a of township A1, county A).
WORKERS_OF_A1A = {"village_director", "township_supervisor", "county_caseworker", "intake_officer", "superuser"}
EXPECTED = {
    VIEW: WORKERS_OF_A1A,
    CHANGE: WORKERS_OF_A1A,
    EXPORT: WORKERS_OF_A1A,
    REVEAL: WORKERS_OF_A1A,
    EXPORT_FULL: {"county_caseworker", "superuser"},
    OVERRIDE: {"county_caseworker", "superuser"},
    DELETE: set(),
}


@pytest.fixture
def child(regions):
    return ChildFactory.create(village=regions.village_a1a)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_child_actions_by_role_and_place(actors, child, action):
    policy = policy_for(Child)
    allowed = {name for name in ACTORS if policy.can(actors[name], action, child)}
    assert allowed == EXPECTED[action]


def test_create_is_for_the_registry_roles(actors):
    policy = policy_for(Child)
    allowed = {name for name in ACTORS if policy.can(actors[name], CREATE)}
    assert allowed == set(REGISTRY_ACTORS)


@pytest.mark.parametrize(
    ("village", "seen_by"),
    [
        (
            "village_a1a",
            {"village_director", "township_supervisor", "county_caseworker", "intake_officer", "superuser"},
        ),
        (
            "village_a1b",
            {"other_village_director", "township_supervisor", "county_caseworker", "intake_officer", "superuser"},
        ),
        ("village_a2a", {"other_township_supervisor", "county_caseworker", "intake_officer", "superuser"}),
        ("village_b1a", {"other_county_caseworker", "superuser"}),
    ],
)
def test_each_child_is_visible_exactly_to_the_workers_of_its_place(actors, regions, village, seen_by):
    child = ChildFactory.create(village=getattr(regions, village))
    visible = {name for name in ACTORS if policy_for(Child).visible(actors[name]).filter(pk=child.pk).exists()}
    assert visible == seen_by


def test_director_of_other_village_cannot_act_on_the_file(actors, child):
    for action in (VIEW, CHANGE, REVEAL):
        assert not policy_for(Child).can(actors["other_village_director"], action, child)


def test_anonymous_and_inactive_users_see_nothing(actors, child):
    assert not policy_for(Child).visible(AnonymousUser()).exists()
    director = actors["village_director"]
    director.is_active = False
    assert not policy_for(Child).visible(director).exists()


def test_family_member_is_visible_through_a_child_of_another_village(actors, regions):
    """A parent recorded in village A1b, with a second child in A1a, is seen by A1a's director."""
    parent = PersonFactory.create(village=regions.village_a1b)
    KinshipFactory.create(child=ChildFactory.create(village=regions.village_a1b), person=parent)
    assert not policy_for(Person).visible(actors["village_director"]).filter(pk=parent.pk).exists()
    KinshipFactory.create(
        child=ChildFactory.create(village=regions.village_a1a), person=parent, village_code=regions.village_a1a.code
    )
    assert policy_for(Person).visible(actors["village_director"]).filter(pk=parent.pk).exists()
    assert policy_for(Person).visible(actors["other_village_director"]).filter(pk=parent.pk).exists()
    assert not policy_for(Person).visible(actors["other_county_caseworker"]).filter(pk=parent.pk).exists()


def test_person_is_visible_once_even_with_several_children(actors, regions):
    parent = PersonFactory.create(village=regions.village_a1a)
    for _ in range(3):
        KinshipFactory.create(child=ChildFactory.create(village=regions.village_a1a), person=parent)
    assert policy_for(Person).visible(actors["county_caseworker"]).filter(pk=parent.pk).count() == 1


def test_persons_are_never_deleted_and_have_no_decisions(actors, regions):
    person = PersonFactory.create(village=regions.village_a1a)
    for action in (DELETE, EXPORT_FULL, OVERRIDE):
        assert not policy_for(Person).can(actors["superuser"], action, person)


@pytest.mark.parametrize("model_factory", [KinshipFactory, SituationFactory, ClassificationFactory])
def test_rows_of_a_file_follow_the_childs_village(actors, regions, model_factory):
    child = ChildFactory.create(village=regions.village_a2a)
    if model_factory is SituationFactory:
        row = model_factory.create(person=PersonFactory.create(village=regions.village_a2a))
    else:
        row = model_factory.create(child=child)
    model = type(row)
    visible = {name for name in ACTORS if policy_for(model).visible(actors[name]).filter(pk=row.pk).exists()}
    assert visible == {"other_township_supervisor", "county_caseworker", "intake_officer", "superuser"}


def test_categories_are_read_only(actors, regions):
    row = ClassificationFactory.create(child=ChildFactory.create(village=regions.village_a1a))
    assert policy_for(Classification).can(actors["county_caseworker"], VIEW, row)
    assert not policy_for(Classification).can(actors["county_caseworker"], CHANGE, row)


def test_only_caseworkers_change_category_decisions(actors, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    decision = CategoryOverrideFactory.create(child=child, decided_by=actors["county_caseworker"])
    allowed = {name for name in ACTORS if policy_for(CategoryOverride).can(actors[name], CHANGE, decision)}
    assert allowed == {"county_caseworker", "superuser"}
    readers = {name for name in ACTORS if policy_for(CategoryOverride).can(actors[name], VIEW, decision)}
    assert readers == WORKERS_OF_A1A


def test_kinship_rows_may_be_removed_by_workers_of_the_place(actors, regions):
    kinship = KinshipFactory.create(child=ChildFactory.create(village=regions.village_a1a))
    allowed = {name for name in ACTORS if policy_for(Kinship).can(actors[name], DELETE, kinship)}
    assert allowed == WORKERS_OF_A1A


def test_situation_policy_exists_for_views(actors, regions):
    situation = SituationFactory.create(person=PersonFactory.create(village=regions.village_a1a))
    assert policy_for(Situation).can(actors["village_director"], CHANGE, situation)


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("village_director", "370902001001"),
        ("township_supervisor", "370902001000"),
        ("county_caseworker", "370902000000"),
        ("plan_monitor", "370900000000"),
        ("city_admin", "370900000000"),
        ("county_admin", "370902000000"),
        ("auditor", None),
        ("department_liaison", None),
        ("mandated_reporter", None),
        ("superuser", ""),
    ],
)
def test_who_reads_aggregate_counts_and_where(actors, name, scope):
    assert counts_scope_code(actors[name]) == scope
