"""Password change (own and forced), other sessions ending, session expiry, language preference."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts import services
from shouhu.accounts.models import User
from shouhu.accounts.tests.factories import TEST_PASSWORD
from shouhu.accounts.tests.helpers import post_login, totp_code
from shouhu.core.testing import login

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")
PROFILE = reverse("accounts:profile")
NEW_PASSWORD = "Qiang-Mi-Ma-2024!"


def change(client: Client, old: str = TEST_PASSWORD, new: str = NEW_PASSWORD, again: str | None = None, **extra):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new, **extra})


def test_user_changes_own_password(village_director):
    client = Client()
    post_login(client, "village_director")
    response = change(client)
    assert response.status_code == 302
    village_director.refresh_from_db()
    assert village_director.check_password(NEW_PASSWORD)
    assert village_director.password_changed_at is not None
    assert client.get(PROFILE).status_code == 200  # this session stays


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("wrong-old", NEW_PASSWORD, None, "你的旧密码不正确"),
        (TEST_PASSWORD, NEW_PASSWORD, "Something-Else-1!", "输入的两个密码不一致"),
        (TEST_PASSWORD, "Ab1!", None, "密码太短：至少需要 12 个字符"),
        (TEST_PASSWORD, "alllowercaseletters", None, "密码须至少包含以下 3 类字符"),
        (TEST_PASSWORD, "123456789012345", None, "密码只包含数字"),
        (TEST_PASSWORD, TEST_PASSWORD, None, "新密码不能与当前密码相同"),
    ],
)
def test_bad_password_change_is_refused_with_a_chinese_message(village_director, old, new, again, message):
    client = Client()
    post_login(client, "village_director")
    response = change(client, old, new, again)
    assert response.status_code == 200
    assert message in response.content.decode()
    village_director.refresh_from_db()
    assert village_director.check_password(TEST_PASSWORD)


def test_other_sessions_end_after_a_password_change(village_director):
    here, elsewhere = Client(), Client()
    post_login(here, "village_director")
    post_login(elsewhere, "village_director")
    assert elsewhere.get(PROFILE).status_code == 200
    change(here)
    assert here.get(PROFILE).status_code == 200
    response = elsewhere.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_forced_password_change_blocks_every_page_until_done(village_director, county_admin):
    services.reset_password(actor=county_admin, user=village_director)
    village_director.refresh_from_db()
    assert village_director.must_change_password
    # The test cannot know the temporary password: set a known one the way the reset left it.
    village_director.set_password(TEST_PASSWORD)
    village_director.save()
    client = Client()
    response = post_login(client, "village_director", next=PROFILE)
    assert response["Location"] == f"{CHANGE}?next=%2Faccounts%2Fme%2F"
    blocked = client.get(PROFILE)
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{CHANGE}?next=%2Faccounts%2Fme%2F"
    assert client.get("/api/v1/").json()["code"] == "password_change_required"
    page = client.get(CHANGE)
    assert "临时密码" in page.content.decode()
    done = change(client, next=PROFILE)
    assert done["Location"] == PROFILE
    village_director.refresh_from_db()
    assert not village_director.must_change_password
    assert client.get(PROFILE).status_code == 200


def test_second_factor_comes_before_the_forced_password_change(county_admin):
    device = TOTPDevice.objects.create(user=county_admin, name="phone", confirmed=True)
    User.objects.filter(pk=county_admin.pk).update(must_change_password=True)
    client = Client()
    response = post_login(client, "county_admin")
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get(CHANGE).status_code == 302  # the password page waits for the second factor
    after = client.post(reverse("accounts:otp_verify"), {"token": totp_code(device.key), "next": PROFILE})
    assert after["Location"] == f"{CHANGE}?next=%2Faccounts%2Fme%2F"


def test_expired_session_says_so_on_the_login_page_and_returns_to_the_page(village_director):
    client = Client()
    post_login(client, "village_director")
    assert client.get(PROFILE).status_code == 200
    Session.objects.all().delete()  # the idle timeout, as the session store sees it
    response = client.get(PROFILE)
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert "您的会话已超时，请重新登录" in login_page.content.decode()
    back = post_login(client, "village_director", next=PROFILE)
    assert back["Location"] == PROFILE


def test_a_fresh_visitor_is_not_told_of_a_timeout():
    assert "会话已超时" not in Client().get(reverse("accounts:login")).content.decode()


def test_session_cookie_expires_with_the_idle_timeout(village_director):
    client = Client()
    post_login(client, "village_director")
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_expired_session_in_an_htmx_request_reloads_the_page_through_the_login(village_director):
    client = Client()
    response = client.get(
        reverse("accounts:user_list"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/accounts/me/?x=1"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login") + "?next=%2Faccounts%2Fme%2F%3Fx%3D1"


def test_language_change_on_the_profile_page(village_director):
    client = login(Client(), village_director)
    response = client.post(PROFILE, {"language": "en"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    village_director.refresh_from_db()
    assert village_director.language == "en"
    assert "My account" in client.get(PROFILE).content.decode()


def test_profile_shows_roles_agency_jurisdiction_and_second_factor(county_admin):
    client = login(Client(), county_admin)
    html = client.get(PROFILE).content.decode()
    assert "区县管理员" in html
    assert "泰山区民政局" in html
    assert "泰山区" in html
    assert "身份验证器应用于" in html  # the test helper's confirmed device
