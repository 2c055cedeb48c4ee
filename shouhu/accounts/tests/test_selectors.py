"""Reads of accounts: lock-out state, user list filters, figures for home pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from shouhu.accounts import selectors
from shouhu.accounts.tests.helpers import post_login

pytestmark = pytest.mark.django_db


def lock(username: str) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(), username, f"wrong-{attempt}")


def test_failures_and_lockout_end(village_director):
    assert selectors.login_failures("village_director") == 0
    assert selectors.lockout_until("village_director") is None
    post_login(Client(), "village_director", "wrong")
    assert selectors.login_failures("village_director") == 1
    assert selectors.lockout_until("village_director") is None
    before = timezone.now()
    lock("village_director")
    until = selectors.lockout_until("village_director")
    assert until is not None
    assert before + settings.AXES_COOLOFF_TIME <= until <= timezone.now() + settings.AXES_COOLOFF_TIME


def test_locked_filter_and_summary(county_admin, village_director, other_county_caseworker):
    lock("village_director")
    lock("other_county_caseworker")  # another county: not in the county administrator's figures
    locked = selectors.user_list(county_admin, selectors.UserFilters(locked="yes"))
    assert [u.username for u in locked] == ["village_director"]
    unlocked = selectors.user_list(county_admin, selectors.UserFilters(locked="no"))
    assert "village_director" not in {u.username for u in unlocked}
    assert [u.username for u in selectors.locked_users(county_admin)] == ["village_director"]


def test_deactivated_users_only_with_the_status_filter(county_admin, village_director):
    village_director.is_active = False
    village_director.save()
    active = {u.username for u in selectors.user_list(county_admin, selectors.UserFilters())}
    gone = {u.username for u in selectors.user_list(county_admin, selectors.UserFilters(status="deactivated"))}
    assert "village_director" not in active
    assert gone == {"village_director"}


def test_user_list_is_scoped_by_the_policy(township_supervisor, village_director, other_village_director):
    # A township supervisor sees the users of the township (UserPolicy), not other townships'.
    names = {u.username for u in selectors.user_list(township_supervisor, selectors.UserFilters())}
    assert {"village_director", "other_village_director", "township_supervisor"} <= names
    assert "other_township_supervisor" not in names
