"""The policies of matching, actor by actor: search, review, merge, de-duplication runs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shouhu.core.policy import VIEW, policy_for
from shouhu.core.testing import ACTORS
from shouhu.core.testing import REGISTRY_ACTORS as SEARCHERS
from shouhu.matching import permissions, services
from shouhu.matching.models import Merge, PairReview
from shouhu.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ACTORS)
def test_who_may_search(actors, name):
    assert permissions.may_search(actors[name]) is (name in SEARCHERS)


def test_nobody_anonymous_or_inactive_may_do_anything(actors):
    inactive = actors["superuser"]
    inactive.is_active = False
    for user in (AnonymousUser(), inactive):
        assert not permissions.may_search(user)
        assert not permissions.may_deduplicate(user, "370902000000")
        for action in permissions.ACTION_ROLES:
            assert not permissions.role_allows(user, action)


@pytest.mark.parametrize(
    ("name", "region", "allowed"),
    [
        ("county_caseworker", "370902000000", True),
        ("county_caseworker", "370902001000", True),
        ("county_caseworker", "370911000000", False),
        ("county_caseworker", "", False),  # everywhere: superusers only
        ("other_county_caseworker", "370902000000", False),
        ("township_supervisor", "370902001000", False),  # a caseworker's decision
        ("intake_officer", "370902000000", False),
        ("city_admin", "370900000000", False),
        ("superuser", "", True),
        ("superuser", "370911000000", True),
    ],
)
def test_who_may_run_a_deduplication_where(actors, name, region, allowed):
    assert permissions.may_deduplicate(actors[name], region) is allowed


@pytest.mark.parametrize("name", ACTORS)
def test_who_may_merge_two_files_of_one_township(actors, regions, name):
    keep = ChildFactory.create(village=regions.village_a1a)
    other = ChildFactory.create(village=regions.village_a1b)
    assert permissions.can_merge(actors[name], keep, other) is (name in {"county_caseworker", "superuser"})


@pytest.mark.parametrize("name", ACTORS)
def test_who_sees_a_merge_and_may_undo_it(actors, regions, name):
    keep = ChildFactory.create(village=regions.village_a1a)
    other = ChildFactory.create(village=regions.village_a2a)
    record = services.merge(actor=actors["county_caseworker"], keep=keep, other=other, reason="同一儿童")
    policy = policy_for(Merge)
    sees = name in {"county_caseworker", "intake_officer", "superuser"}  # both files: county A
    assert list(policy.visible(actors[name])) == ([record] if sees else [])
    assert policy.can(actors[name], VIEW, record) is sees
    assert policy.can(actors[name], permissions.UNMERGE, record) is (name in {"county_caseworker", "superuser"})


def test_policies_refuse_actions_they_do_not_know(actors):
    with pytest.raises(ValueError, match="unknown action"):
        policy_for(PairReview).can(actors["superuser"], permissions.MERGE)
    with pytest.raises(ValueError, match="unknown action"):
        policy_for(Merge).can(actors["superuser"], permissions.DECIDE)
