"""Who sees which audit entries: auditors of a jurisdiction, system administrators, nobody else."""

from __future__ import annotations

from typing import cast

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser

from shouhu.accounts.choices import Role
from shouhu.accounts.models import User
from shouhu.accounts.tests.factories import UserFactory
from shouhu.audit.choices import VerificationTrigger
from shouhu.audit.models import AccessEvent, ChainVerification
from shouhu.audit.permissions import is_auditor
from shouhu.audit.services import verify_chain
from shouhu.audit.tests.factories import county_auditor, log_access, log_change
from shouhu.core.accesslog import AccessAction
from shouhu.core.policy import CHANGE, CREATE, DELETE, EXPORT, VIEW, policy_for
from shouhu.core.testing import ACTORS
from shouhu.regions.tests.factories import make_region

pytestmark = pytest.mark.django_db

NOT_AUDITORS = [name for name in ACTORS if name not in ("auditor", "superuser")]


@pytest.fixture
def events(actors, regions):
    other_city_user = cast(User, UserFactory(username="jinan_worker", jurisdiction=make_region("370102")))
    return {
        "a_by_a": log_access(actors["county_caseworker"], region_code="370902001001"),
        "b_by_b": log_access(actors["other_county_caseworker"], region_code="370911101201"),
        "a_by_b": log_access(actors["other_county_caseworker"], region_code="370902002001"),
        "login_in_a": log_access(actors["village_director"], action=AccessAction.LOGIN, object_type="accounts.user"),
        "failed_unknown": log_access(None, action=AccessAction.LOGIN_FAILED, detail={"username": "nobody"}),
        "other_city": log_access(other_city_user, region_code="370102000000"),
    }


def seen(user, model=AccessEvent):
    return set(policy_for(model).visible(user).values_list("pk", flat=True))


def test_city_auditor_sees_the_whole_city(actors, events):
    expected = {events[k].pk for k in ("a_by_a", "b_by_b", "a_by_b", "login_in_a")}
    assert seen(actors["auditor"]) == expected


def test_county_auditor_sees_own_county_by_user_or_record(regions, events):
    assert seen(county_auditor(regions.county_a)) == {events[k].pk for k in ("a_by_a", "a_by_b", "login_in_a")}


def test_county_auditor_does_not_see_another_countys_events(regions, events):
    auditor_b = county_auditor(regions.county_b, "auditor_b")
    visible = seen(auditor_b)
    assert events["a_by_a"].pk not in visible
    assert events["login_in_a"].pk not in visible
    assert visible == {events["b_by_b"].pk, events["a_by_b"].pk}  # a_by_b: the user works in county B


def test_system_administrator_sees_everything(actors, events):
    assert seen(actors["superuser"]) == {e.pk for e in events.values()}


@pytest.mark.parametrize("name", NOT_AUDITORS)
def test_other_roles_see_no_entries(actors, events, name):
    user = actors[name]
    assert not seen(user)
    assert not is_auditor(user)
    assert not policy_for(AccessEvent).can(user, VIEW)
    assert not policy_for(LogEntry).can(user, VIEW)
    assert not policy_for(ChainVerification).can(user, VIEW)


def test_anonymous_and_deactivated_auditors_see_nothing(actors, events):
    assert not seen(AnonymousUser())
    auditor = actors["auditor"]
    auditor.is_active = False
    assert not seen(auditor)
    assert not is_auditor(auditor)


def test_auditor_without_jurisdiction_sees_nothing(events):
    drifting = UserFactory(username="drifting", roles=[Role.AUDITOR], jurisdiction=None)
    assert not seen(drifting)


@pytest.mark.parametrize(
    ("action", "allowed"), [(VIEW, True), (EXPORT, True), (CHANGE, False), (CREATE, False), (DELETE, False)]
)
def test_auditors_read_and_export_but_never_change(actors, events, action, allowed):
    for model in (AccessEvent, LogEntry):
        assert policy_for(model).can(actors["auditor"], action) is allowed
        assert policy_for(model).can(actors["superuser"], action) is allowed


def test_auditor_may_act_on_a_visible_entry_only(regions, events):
    auditor_a = county_auditor(regions.county_a)
    policy = policy_for(AccessEvent)
    assert policy.can(auditor_a, VIEW, events["a_by_a"])
    assert not policy.can(auditor_a, VIEW, events["b_by_b"])


@pytest.fixture
def changes(actors, regions):
    agency = actors["county_caseworker"].agency
    return {
        "by_a": log_change(actors["county_caseworker"], obj=agency),
        "by_b": log_change(actors["other_county_caseworker"], obj=agency),
        "by_b_in_a": log_change(
            actors["other_county_caseworker"], obj=agency, additional_data={"region_code": "370902001001"}
        ),
        "by_nobody": log_change(None, obj=agency),
        "by_superuser": log_change(actors["superuser"], obj=agency),
        "by_nobody_in_b": log_change(None, obj=agency, additional_data={"region_code": "370911101201"}),
    }


def test_change_log_is_scoped_by_the_actors_jurisdiction_or_the_records_region(actors, regions, changes):
    def names(user):
        visible = seen(user, LogEntry)
        return {name for name, entry in changes.items() if entry.pk in visible}

    assert names(actors["auditor"]) == {"by_a", "by_b", "by_b_in_a", "by_nobody_in_b"}
    assert names(county_auditor(regions.county_a)) == {"by_a", "by_b_in_a"}
    assert names(county_auditor(regions.county_b, "auditor_b")) == {"by_b", "by_b_in_a", "by_nobody_in_b"}
    assert names(actors["superuser"]) == set(changes)
    for name in NOT_AUDITORS:
        assert names(actors[name]) == set(), name


def test_every_auditor_sees_the_chain_verifications(actors, regions):
    verification = verify_chain(actor=None, trigger=VerificationTrigger.COMMAND)
    assert seen(county_auditor(regions.county_b, "auditor_b"), ChainVerification) == {verification.pk}
    assert seen(actors["superuser"], ChainVerification) == {verification.pk}
    assert not seen(actors["city_admin"], ChainVerification)
