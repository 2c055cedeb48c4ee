"""Bearer tokens of partner systems: what gets in, and the 401 each refusal gets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shouhu.accounts import tokens
from shouhu.accounts.models import ApiToken
from shouhu.api.testing import assert_api_error, key_parts, make_token

ME = "/api/v1/me/"


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def test_valid_token_acts_as_its_owner(department_liaison):
    response = bearer(make_token(department_liaison)).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "department_liaison"
    assert response.json()["authentication"] == "token"


def test_token_keyword_is_accepted_as_well_as_bearer(department_liaison):
    assert bearer(make_token(department_liaison), keyword="Token").get(ME).status_code == 200


def test_use_is_recorded_at_most_every_few_minutes(department_liaison):
    key = make_token(department_liaison)
    bearer(key).get(ME)
    token = ApiToken.objects.get(user=department_liaison)
    first_use = token.last_used_at
    assert first_use is not None
    bearer(key).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == first_use  # not rewritten on every request
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=6))
    bearer(key).get(ME)
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(minutes=6)


def test_no_credentials_get_401_with_a_bearer_challenge(db):
    body = assert_api_error(APIClient().get(ME), 401, code="not_authenticated")
    assert body["detail"]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer", "token_header"),
        ("Bearer one two", "token_header"),
        ("Bearer garbage", "token_invalid"),
        ("Bearer shu_", "token_invalid"),
        ("Bearer shu_abc", "token_invalid"),
        ("Bearer xyz_0123456789ab_secret", "token_invalid"),
        ("Bearer shu_0123456789ab_not-the-secret", "token_invalid"),
    ],
)
def test_malformed_or_unknown_keys_get_401(db, header, code):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_api_error(client.get(ME), 401, code=code)


def test_non_ascii_key_gets_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer shu_ab_密钥".encode().decode("latin-1"))
    assert_api_error(client.get(ME), 401, code="token_invalid")


def test_right_prefix_with_wrong_secret_gets_401(department_liaison):
    key = make_token(department_liaison)
    prefix = key_parts(key)[0]
    assert_api_error(bearer(f"shu_{prefix}_wrong-secret").get(ME), 401, code="token_invalid")


def test_other_authorization_schemes_are_left_to_other_authenticators(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert_api_error(client.get(ME), 401, code="not_authenticated")


def test_revoked_token_gets_401_saying_so(department_liaison):
    key = make_token(department_liaison, revoked_at=timezone.now())
    body = assert_api_error(bearer(key).get(ME), 401, code="token_revoked")
    assert "invalid_token" in bearer(key).get(ME)["WWW-Authenticate"]
    assert body["detail"]


def test_expired_token_gets_401_saying_when(department_liaison):
    key = make_token(department_liaison, expires_at=timezone.now() - timedelta(seconds=1))
    client = bearer(key)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")
    body = assert_api_error(client.get(ME), 401, code="token_expired")
    assert "expired on" in body["detail"]


def test_messages_follow_the_callers_language(department_liaison):
    key = make_token(department_liaison, revoked_at=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_api_error(client.get(ME), 401)["detail"] == "This token was revoked."
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert assert_api_error(client.get(ME), 401)["detail"] == "该令牌已被吊销。"


def test_token_of_deactivated_account_gets_401(department_liaison):
    key = make_token(department_liaison)
    department_liaison.is_active = False
    department_liaison.save(update_fields=["is_active"])
    assert_api_error(bearer(key).get(ME), 401, code="owner_inactive")


@pytest.mark.parametrize("name", ["county_admin", "city_admin", "auditor", "superuser"])
def test_token_of_account_with_second_factor_gets_401(actors, name):
    key = make_token(actors[name])
    assert_api_error(bearer(key).get(ME), 401, code="owner_needs_second_factor")


def test_revoking_takes_effect_on_the_next_request(department_liaison):
    key = make_token(department_liaison)
    client = bearer(key)
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(user=department_liaison).update(revoked_at=timezone.now())
    assert_api_error(client.get(ME), 401, code="token_revoked")


def test_only_the_hash_of_the_secret_is_stored(department_liaison):
    key = make_token(department_liaison)
    prefix, secret = key_parts(key)
    token = ApiToken.objects.get(prefix=prefix)
    assert secret not in token.key_hash
    assert token.key_hash == tokens.hash_secret(secret)
