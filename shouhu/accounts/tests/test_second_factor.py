"""The second factor: set-up with a QR code, backup codes shown once, verification, the gate."""

from __future__ import annotations

import base64
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts import services
from shouhu.accounts.tests.helpers import events, post_login, totp_code
from shouhu.core.accesslog import AccessAction
from shouhu.core.testing import login

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")
BACKUP = reverse("accounts:backup_codes")
USERS = reverse("accounts:user_list")


def english_client(user) -> Client:
    """A client of ``user``, who prefers English (the log-in applies the user's language)."""
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.parametrize("name", ["county_admin", "city_admin", "auditor", "superuser"])
def test_user_who_needs_a_second_factor_goes_to_setup_after_the_password(actors, name):
    response = post_login(Client(), name, next="/accounts/users/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Faccounts%2Fusers%2F"


@pytest.mark.parametrize("name", ["village_director", "county_caseworker", "department_liaison"])
def test_other_users_are_not_asked_for_a_second_factor(actors, name):
    client = Client()
    post_login(client, name)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_user_with_a_device_goes_to_the_verify_step(county_admin):
    confirmed_device(county_admin)
    response = post_login(Client(), "county_admin", next="/accounts/users/")
    assert response["Location"] == f"{VERIFY}?next=%2Faccounts%2Fusers%2F"


def test_setup_shows_a_qr_code_and_the_key_and_confirms_with_a_real_code(county_admin, access_log):
    client = Client()
    post_login(client, "county_admin")
    page = client.get(SETUP + "?next=/accounts/users/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert "<path" in html
    device = TOTPDevice.objects.get(user=county_admin, confirmed=False)
    found = re.search(r'id="totp-key">([A-Z2-7 ]+)<', html)
    assert found is not None
    key = found.group(1).replace(" ", "")
    assert base64.b32decode(key + "=" * (-len(key) % 8)).hex() == device.key
    response = client.post(SETUP, {"token": totp_code(device.key), "next": "/accounts/users/"})
    assert response.status_code == 302
    assert response["Location"] == f"{BACKUP}?next=%2Faccounts%2Fusers%2F"
    device.refresh_from_db()
    assert device.confirmed
    codes = client.get(response["Location"])
    shown = re.findall(r"user-select-all\">([a-z2-7]{4}-[a-z2-7]{4})<", codes.content.decode())
    assert len(shown) == services.BACKUP_CODE_COUNT
    stored = set(StaticToken.objects.filter(device__user=county_admin).values_list("token", flat=True))
    assert {c.replace("-", "") for c in shown} == stored
    # Shown once: a second visit does not show them again.
    again = client.get(BACKUP)
    assert again.status_code == 302
    assert client.get(USERS).status_code == 200
    methods = [e["detail"].get("method") for e in events(access_log, AccessAction.LOGIN)]
    assert methods == [None, "setup"]


def test_setup_with_a_wrong_code_is_refused_and_recorded(county_admin, access_log):
    client = english_client(county_admin)
    post_login(client, "county_admin")
    client.get(SETUP)
    response = client.post(SETUP, {"token": "000000"})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=county_admin, confirmed=True).exists()
    assert [e["detail"]["stage"] for e in events(access_log, AccessAction.LOGIN_FAILED)] == ["second_factor_setup"]


def test_someone_with_only_the_password_cannot_replace_an_existing_authenticator(county_admin):
    confirmed_device(county_admin)
    client = Client()
    post_login(client, "county_admin")
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=county_admin, confirmed=False).exists()


def test_verify_with_the_current_totp_code(county_admin, access_log):
    device = confirmed_device(county_admin)
    client = Client()
    post_login(client, "county_admin")
    response = client.post(VERIFY, {"token": totp_code(device.key), "next": "/accounts/users/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/users/"
    assert client.get(USERS).status_code == 200
    assert events(access_log, AccessAction.LOGIN)[-1]["detail"]["method"] == "totp"


def test_verify_accepts_full_width_digits_and_spaces(county_admin):
    device = confirmed_device(county_admin)
    client = Client()
    post_login(client, "county_admin")
    code = totp_code(device.key)
    typed = " ".join(chr(ord(c) + 0xFEE0) for c in code)  # １ ２ ３ …
    assert client.post(VERIFY, {"token": typed}).status_code == 302
    assert client.get(USERS).status_code == 200


def test_wrong_code_is_refused_then_throttled(county_admin, access_log):
    device = confirmed_device(county_admin)
    client = english_client(county_admin)
    post_login(client, "county_admin")
    first = client.post(VERIFY, {"token": "000000" if totp_code(device.key) != "000000" else "111111"})
    assert "The code is not right" in first.content.decode()
    second = client.post(VERIFY, {"token": totp_code(device.key)})
    assert second.status_code == 200
    assert "Too many wrong codes" in second.content.decode()
    assert client.get(USERS).status_code == 302
    assert len(events(access_log, AccessAction.LOGIN_FAILED)) == 2


def test_backup_code_works_once(county_admin, access_log):
    confirmed_device(county_admin)
    client = Client()
    post_login(client, "county_admin")
    # Set up backup codes as the set-up step would.
    codes = services._new_backup_codes(county_admin)
    response = client.post(VERIFY, {"token": services.format_backup_code(codes[0]).upper()})
    assert response.status_code == 302
    assert client.get(USERS).status_code == 200
    assert events(access_log, AccessAction.LOGIN)[-1]["detail"]["method"] == "backup_code"
    other = Client()
    post_login(other, "county_admin")
    assert other.post(VERIFY, {"token": codes[0]}).status_code == 200
    assert other.get(USERS).status_code == 302


def test_gate_sends_unverified_pages_to_the_second_factor_step(county_admin):
    client = Client()
    post_login(client, "county_admin")
    response = client.get(USERS + "?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Faccounts%2Fusers%2F%3Fpage%3D2"


def test_gate_answers_api_calls_with_403_json(county_admin):
    client = Client()
    post_login(client, "county_admin")
    response = client.get("/api/v1/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_gate_lets_through_login_logout_static_and_language_switch(county_admin):
    client = Client()
    post_login(client, "county_admin")
    assert client.get(reverse("accounts:login")).status_code == 302  # already logged in: onwards
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.get(SETUP).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_gate_answers_htmx_with_a_full_page_redirect(county_admin):
    client = Client()
    post_login(client, "county_admin")
    response = client.get(USERS, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == SETUP


def test_testing_login_helper_satisfies_the_gate(county_admin):
    client = login(Client(), county_admin)
    assert client.get(USERS).status_code == 200


def test_admin_reset_of_the_second_factor_sends_the_user_to_setup_again(county_admin, city_admin):
    confirmed_device(county_admin)
    client = login(Client(), county_admin)
    services.reset_second_factor(actor=city_admin, user=county_admin)
    assert not TOTPDevice.objects.filter(user=county_admin).exists()
    response = client.get(USERS)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_verified_user_may_replace_the_authenticator(county_admin):
    old = confirmed_device(county_admin)
    client = Client()
    post_login(client, "county_admin")
    client.post(VERIFY, {"token": totp_code(old.key)})
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=county_admin, confirmed=False)
    response = client.post(SETUP, {"token": totp_code(new.key)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=county_admin).values_list("pk", flat=True)) == [new.pk]
    assert client.get(USERS).status_code == 200


def test_new_backup_codes_replace_the_old_ones(county_admin):
    device = confirmed_device(county_admin)
    old = services._new_backup_codes(county_admin)
    client = Client()
    post_login(client, "county_admin")
    client.post(VERIFY, {"token": totp_code(device.key)})
    response = client.post(reverse("accounts:backup_codes_new"))
    assert response["Location"].startswith(BACKUP)
    page = client.get(response["Location"]).content.decode()
    assert old[0] not in set(StaticToken.objects.values_list("token", flat=True))
    assert StaticToken.objects.count() == services.BACKUP_CODE_COUNT
    assert StaticToken.objects.first().token[:4] in page


def test_totp_code_command_prints_a_code_the_login_accepts(county_admin):
    out = StringIO()
    call_command("totp_code", "county_admin", stdout=out, stderr=StringIO())
    lines = out.getvalue().strip().splitlines()
    assert "key (base32)" in lines[0]
    code = lines[-1]
    device = TOTPDevice.objects.get(user=county_admin)
    assert device.confirmed
    assert code == totp_code(device.key)
    client = Client()
    post_login(client, "county_admin")
    assert client.post(VERIFY, {"token": code}).status_code == 302
    assert client.get(USERS).status_code == 200


def test_totp_code_command_reuses_the_existing_device(county_admin):
    device = confirmed_device(county_admin)
    out = StringIO()
    call_command("totp_code", "county_admin", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == totp_code(device.key)
    assert TOTPDevice.objects.filter(user=county_admin).count() == 1


@override_settings(PRODUCTION=True)
def test_totp_code_command_is_refused_in_production(county_admin):
    with pytest.raises(CommandError, match="production"):
        call_command("totp_code", "county_admin", stdout=StringIO())
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/me/", "/api/schema/"])
def test_gate_answers_every_api_endpoint_with_json(county_admin, path):
    client = Client()
    client.force_login(county_admin)  # password only
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_pages_under_api_are_pages_for_the_gate(county_admin):
    client = Client()
    client.force_login(county_admin)
    response = client.get("/api/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
