"""Issuing and revoking API tokens: who may, to whom, and what is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.utils import timezone

from shouhu.accounts import tokens
from shouhu.accounts.choices import Role
from shouhu.accounts.models import ApiToken, User
from shouhu.accounts.tests.factories import UserFactory
from shouhu.api import rules
from shouhu.api.services import issue_api_token, revoke_api_token
from shouhu.api.testing import key_parts
from shouhu.core.errors import DomainError, NotAllowedError


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_issue_returns_a_working_key_and_stores_only_its_hash(county_admin, department_liaison):
    issued = issue_api_token(actor=county_admin, owner=department_liaison, name="教育局数据交换")
    prefix, secret = key_parts(issued.key)
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.prefix == prefix
    assert tokens.matches(secret, token.key_hash)
    assert secret not in token.key_hash
    assert token.user == department_liaison
    assert token.created_by == county_admin
    assert token.name == "教育局数据交换"


def test_issue_defaults_to_one_year(county_admin, department_liaison):
    issued = issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    expires = timezone.localtime(issued.token.expires_at)
    assert expires.date() == rules.default_expiry(timezone.localdate())
    assert (expires.hour, expires.minute) == (0, 0)


# Who may issue a token to whom. The owner must be an active account the actor manages
# (UserPolicy "change": inside the actor's jurisdiction, with roles the actor may grant), and
# must not log in with a second factor.
ISSUE_CASES = [
    ("county_admin", "department_liaison", None),
    ("county_admin", "village_director", None),
    ("county_admin", "county_caseworker", None),
    ("city_admin", "department_liaison", None),
    ("city_admin", "other_county_caseworker", None),
    ("superuser", "mandated_reporter", None),
    ("other_county_admin", "department_liaison", "not_allowed"),  # another county
    ("county_admin", "other_county_caseworker", "not_allowed"),
    ("county_admin", "plan_monitor", "not_allowed"),  # city level, above the county
    ("county_admin", "county_admin", "not_allowed"),  # oneself
    ("city_admin", "county_admin", "second_factor"),
    ("city_admin", "auditor", "second_factor"),
]


@pytest.mark.parametrize(("actor", "owner", "code"), ISSUE_CASES)
def test_who_may_issue_to_whom(actors, actor, owner, code):
    if code is None:
        issued = issue_api_token(actor=actors[actor], owner=actors[owner], name="sync")
        assert issued.token.user == actors[owner]
        return
    with pytest.raises(DomainError) as caught:
        issue_api_token(actor=actors[actor], owner=actors[owner], name="sync")
    assert caught.value.code == code
    assert caught.value.field == "owner"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "actor",
    [
        "village_director",
        "township_supervisor",
        "county_caseworker",
        "intake_officer",
        "department_liaison",
        "mandated_reporter",
        "plan_monitor",
        "auditor",
    ],
)
def test_only_administrators_issue_tokens(actors, actor):
    with pytest.raises(NotAllowedError):
        issue_api_token(actor=actors[actor], owner=actors["village_director"], name="sync")


def test_deactivated_account_gets_no_token(county_admin, department_liaison):
    department_liaison.is_active = False
    department_liaison.save(update_fields=["is_active"])
    with pytest.raises(DomainError) as caught:
        issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    assert caught.value.code in {"inactive", "not_allowed"}


@pytest.mark.parametrize(
    ("days", "code"),
    [(0, "not_in_future"), (-3, "not_in_future"), (800, "too_far")],
)
def test_expiry_out_of_range_is_refused(county_admin, department_liaison, days, code):
    with pytest.raises(DomainError) as caught:
        issue_api_token(
            actor=county_admin,
            owner=department_liaison,
            name="sync",
            expires_on=timezone.localdate() + timedelta(days=days),
        )
    assert (caught.value.code, caught.value.field) == (code, "expires_on")


def test_expiry_of_exactly_two_years_is_allowed(county_admin, department_liaison):
    latest = rules.latest_expiry(timezone.localdate())
    issued = issue_api_token(actor=county_admin, owner=department_liaison, name="sync", expires_on=latest)
    assert timezone.localtime(issued.token.expires_at).date() == latest


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_name_must_be_given_and_short(county_admin, department_liaison, name):
    with pytest.raises(DomainError) as caught:
        issue_api_token(actor=county_admin, owner=department_liaison, name=name)
    assert caught.value.field == "name"


def test_same_name_twice_is_refused_while_the_first_is_valid(county_admin, department_liaison):
    first = issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    with pytest.raises(DomainError) as caught:
        issue_api_token(actor=county_admin, owner=department_liaison, name=" sync ")
    assert caught.value.field == "name"
    revoke_api_token(actor=county_admin, token=first.token)
    second = issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    assert second.token.pk != first.token.pk


def test_a_valid_token_without_an_expiry_also_keeps_its_name(county_admin, department_liaison):
    # A token that never expires (made by a system administrator) is valid too.
    first = issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    ApiToken.objects.filter(pk=first.token.pk).update(expires_at=None)
    with pytest.raises(DomainError) as caught:
        issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    assert caught.value.field == "name"


def test_revoke_sets_the_time_once(county_admin, department_liaison):
    issued = issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    token = revoke_api_token(actor=county_admin, token=issued.token)
    assert token.revoked_at is not None
    with pytest.raises(DomainError) as caught:
        revoke_api_token(actor=county_admin, token=issued.token)
    assert caught.value.code == "already_revoked"


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("county_admin", True),
        ("city_admin", True),
        ("superuser", True),
        ("other_county_admin", False),
        ("department_liaison", False),  # the owner itself
        ("auditor", False),
        ("township_supervisor", False),
    ],
)
def test_who_may_revoke(actors, actor, allowed):
    issued = issue_api_token(actor=actors["county_admin"], owner=actors["department_liaison"], name="sync")
    if allowed:
        assert revoke_api_token(actor=actors[actor], token=issued.token).revoked_at is not None
    else:
        with pytest.raises(NotAllowedError):
            revoke_api_token(actor=actors[actor], token=issued.token)
        assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


def test_county_admin_may_issue_to_a_new_service_account_of_the_county(county_admin, regions):
    service: User = UserFactory(  # type: ignore[assignment]  # factory_boy returns the model
        username="edu-sync", roles=[Role.DEPARTMENT_LIAISON], jurisdiction=regions.county_a
    )
    assert issue_api_token(actor=county_admin, owner=service, name="学籍同步").token.user == service


def test_api_tokens_are_versioned():
    assert auditlog.contains(ApiToken)  # registered by the accounts app


def test_issue_and_revoke_are_versioned(county_admin, department_liaison):
    issued = issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    revoke_api_token(actor=county_admin, token=issued.token)
    entries = LogEntry.objects.get_for_object(issued.token).order_by("timestamp")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert "revoked_at" in entries[1].changes_dict


def test_issue_and_revoke_are_attributed_to_the_actor(county_admin, department_liaison):
    issued = issue_api_token(actor=county_admin, owner=department_liaison, name="sync")
    revoke_api_token(actor=county_admin, token=issued.token)
    entries = LogEntry.objects.get_for_object(issued.token)
    assert {e.actor_id for e in entries} == {county_admin.pk}
