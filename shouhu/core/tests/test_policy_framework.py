"""The policy framework: missing and forbidden rows look alike; anonymous users see nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from shouhu.accounts.models import User
from shouhu.core.policy import CHANGE, VIEW, policy_for


@pytest.mark.django_db
def test_anonymous_user_sees_no_users(actors):
    assert not policy_for(User).visible(AnonymousUser()).exists()


@pytest.mark.django_db
def test_missing_and_forbidden_rows_both_raise_404(actors):
    policy = policy_for(User)
    director = actors["village_director"]
    with pytest.raises(Http404):
        policy.get_or_404(director, VIEW, pk=actors["city_admin"].pk)
    with pytest.raises(Http404):
        policy.get_or_404(director, VIEW, pk=999_999)
    assert policy.get_or_404(director, VIEW, pk=director.pk) == director


@pytest.mark.django_db
def test_county_admin_sees_users_of_own_county_only(actors):
    visible = set(policy_for(User).visible(actors["county_admin"]).values_list("username", flat=True))
    assert "village_director" in visible
    assert "township_supervisor" in visible
    assert "other_county_caseworker" not in visible
    assert "city_admin" not in visible


@pytest.mark.django_db
def test_county_admin_cannot_change_an_auditor(actors):
    policy = policy_for(User)
    assert policy.can(actors["county_admin"], CHANGE, actors["village_director"])
    assert not policy.can(actors["city_admin"], CHANGE, actors["city_admin"])  # not oneself
    assert not policy.can(actors["county_admin"], CHANGE, actors["other_county_caseworker"])


@pytest.mark.django_db
def test_deactivated_user_sees_nothing(actors):
    admin = actors["city_admin"]
    admin.is_active = False
    assert not policy_for(User).visible(admin).exists()


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        policy_for(User).can(AnonymousUser(), "fly")
