"""Log-in through the real form: success, wrong password, lock-out, deactivated users, next, log-out."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouhu.accounts import selectors
from shouhu.accounts.tests.factories import TEST_PASSWORD
from shouhu.accounts.tests.helpers import events, post_login
from shouhu.accounts.views.auth import SESSION_MARKER_COOKIE
from shouhu.core.accesslog import AccessAction

pytestmark = pytest.mark.django_db


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_login_page_has_username_and_password_fields():
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_right_password_logs_in_and_is_recorded(village_director, access_log):
    client = Client()
    response = post_login(client, "village_director", next="/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    [entry] = events(access_log, AccessAction.LOGIN)
    assert entry["object_type"] == "accounts.user"
    assert entry["object_id"] == str(village_director.pk)
    assert entry["actor"] == village_director
    assert entry["region_code"] == village_director.jurisdiction_id
    assert SESSION_MARKER_COOKIE in response.cookies


def test_wrong_password_says_so_with_attempts_left(village_director, access_log):
    client = english_client()
    response = post_login(client, "village_director", "wrong-password")
    assert response.status_code == 200
    text = response.content.decode()
    assert "The username or the password is wrong" in text
    assert f"{settings.AXES_FAILURE_LIMIT - 1} more failed attempt" in text
    assert "_auth_user_id" not in client.session
    [entry] = events(access_log, AccessAction.LOGIN_FAILED)
    assert entry["actor"] is None
    assert entry["detail"]["username"] == "village_director"
    assert entry["object_id"] == str(village_director.pk)


def test_wrong_password_in_chinese_by_default(village_director):
    response = post_login(Client(), "village_director", "wrong-password")
    assert "用户名或密码错误" in response.content.decode()


def _without_tokens(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|csrf-token" content=|"X-CSRFToken": )"[^"]*"', "", html)


def test_unknown_username_gets_the_same_answer_as_a_wrong_password(village_director):
    known = post_login(english_client(), "village_director", "wrong-password").content.decode()
    unknown = post_login(english_client(), "nobody_here", "wrong-password").content.decode()
    assert _without_tokens(known.replace("village_director", "X")) == _without_tokens(
        unknown.replace("nobody_here", "X")
    )


def test_attempts_left_count_down(village_director):
    client = english_client()
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        text = post_login(client, "village_director", f"wrong-{attempt}").content.decode()
        assert f"{limit - attempt} more failed attempt" in text


def test_lockout_after_the_failure_limit_answers_429_with_the_end_time(village_director, access_log):
    client = english_client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "village_director", f"wrong-{attempt}").status_code == 200
    before = timezone.now()
    response = post_login(client, "village_director", "wrong-last")
    assert response.status_code == 429
    text = response.content.decode()
    assert "This account is locked" in text
    expected_end = timezone.localtime(before + settings.AXES_COOLOFF_TIME)
    assert expected_end.strftime("%Y-%m-%d %H:") in text
    assert int(response["Retry-After"]) > 0
    locked = [e for e in events(access_log, AccessAction.LOGIN_FAILED) if e["detail"].get("locked_out")]
    assert len(locked) == 1


def test_locked_account_cannot_log_in_even_with_the_right_password(village_director):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "village_director", f"wrong-{attempt}")
    response = post_login(Client(), "village_director", TEST_PASSWORD)
    assert response.status_code == 429
    assert "账号已被锁定" in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_lockout_page_is_in_the_visitors_language(village_director):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = post_login(english_client(), "village_director", f"wrong-{attempt}")
    assert "This account is locked" in response.content.decode()


def test_deactivated_user_with_right_password_is_told_the_account_is_deactivated(village_director):
    village_director.is_active = False
    village_director.save()
    response = post_login(english_client(), "village_director", TEST_PASSWORD)
    assert response.status_code == 200
    assert "This account has been deactivated" in response.content.decode()


def test_deactivated_user_with_wrong_password_learns_nothing_more(village_director):
    village_director.is_active = False
    village_director.save()
    text = post_login(english_client(), "village_director", "wrong").content.decode()
    assert "deactivated" not in text
    assert "The username or the password is wrong" in text


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/accounts/me/", "/accounts/me/"),
        ("https://evil.example/steal", None),
        ("//evil.example/steal", None),
        ("/accounts/logout/", None),
    ],
)
def test_next_is_followed_only_inside_the_site(village_director, next_url, expected):
    response = post_login(Client(), "village_director", next=next_url)
    assert response.status_code == 302
    if expected:
        assert response["Location"] == expected
    else:
        assert "evil.example" not in response["Location"]
        assert response["Location"] != next_url


def test_login_page_keeps_next_in_the_form():
    response = Client().get(reverse("accounts:login") + "?next=/accounts/users/")
    assert b'name="next" value="/accounts/users/"' in response.content


def test_logout_is_post_only(village_director):
    client = Client()
    post_login(client, "village_director")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_ends_the_session_and_is_recorded(village_director, access_log):
    client = Client()
    post_login(client, "village_director")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert response.cookies[SESSION_MARKER_COOKIE].value == ""
    [entry] = events(access_log, AccessAction.LOGOUT)
    assert entry["actor"] == village_director
    # After an explicit log-out the log-in page does not speak of an expired session.
    assert "会话已超时" not in client.get(reverse("accounts:login")).content.decode()


def test_language_of_the_user_is_applied_at_login(village_director):
    village_director.language = "en"
    village_director.save()
    client = Client()
    response = post_login(client, "village_director", next="/accounts/me/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "My account" in client.get("/accounts/me/").content.decode()


def test_attempts_during_the_lockout_do_not_extend_it(village_director, access_log):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(), "village_director", f"wrong-{attempt}")
    until = selectors.lockout_until("village_director")
    response = post_login(Client(), "village_director", TEST_PASSWORD)
    assert response.status_code == 429
    assert selectors.lockout_until("village_director") == until
    assert "_auth_user_id" not in Client().session
