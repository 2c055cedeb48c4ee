"""``GET /api/v1/me/``: the caller's account, by session and by token."""

from __future__ import annotations

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.api.testing import SESSION, TOKEN, api_client, assert_api_error, assert_api_permission_matrix

ME = "/api/v1/me/"


def test_every_actor_reaches_me_by_session(actors):
    assert_api_permission_matrix(actors, url=ME, allowed=actors, ok=(200,))


def test_every_actor_without_second_factor_reaches_me_by_token(actors):
    allowed = [name for name, user in actors.items() if not user.needs_second_factor]
    assert_api_permission_matrix(actors, url=ME, allowed=allowed, auth=TOKEN)


def test_me_describes_the_caller(village_director):
    body = api_client(village_director).get(ME).json()
    assert body["username"] == "village_director"
    assert body["roles"] == ["child_director"]
    assert body["agency"]["name"] == "东湖社区居委会"
    assert body["agency"]["kind"] == "village_committee"
    assert body["jurisdiction"]["code"] == "370902001001"
    assert body["jurisdiction"]["level"] == "village"
    assert [r["code"] for r in body["jurisdiction"]["path"]] == [
        "370000000000",
        "370900000000",
        "370902000000",
        "370902001000",
        "370902001001",
    ]
    assert body["jurisdiction"]["full_name"].endswith("泰安市泰山区岱庙街道东湖社区")
    assert body["language"] == "zh-hans"
    assert body["is_administrator"] is False
    assert body["second_factor"] == {"required": False, "configured": False, "verified": True}
    assert body["authentication"] == SESSION
    assert body["token"] is None


def test_me_by_token_names_the_token(department_liaison):
    client = api_client(department_liaison, auth=TOKEN)
    body = client.get(ME).json()
    assert body["authentication"] == TOKEN
    assert body["token"]["name"] == "test"
    assert body["token"]["expires_at"]
    assert body["second_factor"]["verified"] is None


def test_administrator_with_verified_second_factor_sees_it(county_admin):
    body = api_client(county_admin).get(ME).json()
    assert body["is_administrator"] is True
    assert body["second_factor"] == {"required": True, "configured": True, "verified": True}


def test_session_without_verified_second_factor_gets_403(county_admin):
    client = Client()
    client.force_login(county_admin)  # password only: the second factor is still due
    TOTPDevice.objects.create(user=county_admin, name="phone", confirmed=True)
    response = client.get(ME)
    assert response.status_code == 403
    assert "username" not in response.content.decode()


def test_superuser_without_jurisdiction_or_agency(superuser):
    body = api_client(superuser).get(ME).json()
    assert body["jurisdiction"] is None
    assert body["agency"] is None
    assert body["is_administrator"] is True


def test_me_is_read_only(village_director):
    response = api_client(village_director).patch(ME, {"full_name": "改名"}, format="json")
    assert_api_error(response, 405, code="method_not_allowed")
