"""The API framework: CSRF for session writes, throttling, the error format, policy viewsets."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import RequestFactory
from rest_framework import serializers, throttling
from rest_framework.test import APIClient, force_authenticate

from shouhu.accounts.models import Agency, ApiToken
from shouhu.api.accounts import AgencyViewSet, ApiTokenViewSet, MeView, UserViewSet
from shouhu.api.schema import SchemaView
from shouhu.api.services import issue_api_token
from shouhu.api.testing import TOKEN, api_client, assert_api_error, assert_api_permission_matrix, make_token
from shouhu.api.urls import router
from shouhu.core.drf import PolicyModelViewSet
from shouhu.core.policy import CHANGE, CREATE, VIEW
from shouhu.core.testing import login


@pytest.fixture
def liaison_token(actors) -> ApiToken:
    return issue_api_token(actor=actors["county_admin"], owner=actors["department_liaison"], name="sync").token


def revoke_url(token: ApiToken) -> str:
    return f"/api/v1/tokens/{token.pk}/revoke/"


# CSRF: a browser session must prove the write comes from a Shouhu page; a token need not.


def test_session_write_without_csrf_token_is_refused(actors, liaison_token):
    client = login(APIClient(enforce_csrf_checks=True), actors["county_admin"])
    body = assert_api_error(client.post(revoke_url(liaison_token)), 403, code="permission_denied")
    assert "CSRF" in body["detail"]
    liaison_token.refresh_from_db()
    assert liaison_token.revoked_at is None


def test_session_write_with_csrf_token_goes_through(actors, liaison_token):
    client = login(APIClient(enforce_csrf_checks=True), actors["county_admin"])
    client.get("/api/schema/swagger/")  # a page that hands out the CSRF cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(revoke_url(liaison_token), HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"


def test_token_write_needs_no_csrf_token(department_liaison, liaison_token):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(department_liaison)}")
    # Past authentication without a CSRF failure: the policy answers (a liaison sees no token).
    assert_api_error(client.post(revoke_url(liaison_token)), 404, code="not_found")


def test_token_revoke_matrix_by_session(actors, liaison_token):
    def unrevoke():
        ApiToken.objects.filter(pk=liaison_token.pk).update(revoked_at=None)

    assert_api_permission_matrix(
        actors,
        url=revoke_url(liaison_token),
        method="post",
        allowed=["county_admin", "city_admin", "superuser"],
        setup=unrevoke,
    )


def test_token_list_by_token_shows_nothing_to_non_administrators(actors, liaison_token):
    response = api_client(actors["department_liaison"], auth=TOKEN).get("/api/v1/tokens/")
    assert response.json()["count"] == 0


def test_revoking_twice_by_api_is_400(actors, liaison_token):
    client = api_client(actors["county_admin"])
    client.post(revoke_url(liaison_token))
    assert_api_error(client.post(revoke_url(liaison_token)), 400, code="already_revoked")


# Throttling: per user, session and token sharing one budget.


REST_SETTINGS: dict[str, Any] = settings.REST_FRAMEWORK
THROTTLES = {throttling.UserRateThrottle, throttling.AnonRateThrottle}


@pytest.mark.parametrize("view", [MeView, SchemaView, UserViewSet, AgencyViewSet, ApiTokenViewSet])
def test_api_views_are_throttled_per_user_and_per_address(view):
    assert set(view.throttle_classes) >= THROTTLES


@pytest.mark.parametrize("view", [v for _p, v, _b in router.registry], ids=lambda v: v.__name__)
def test_every_registered_endpoint_is_throttled(view):
    assert set(view.throttle_classes) >= THROTTLES


def test_throttle_rates_are_configured():
    rates = REST_SETTINGS["DEFAULT_THROTTLE_RATES"]
    for scope in ("user", "anon"):
        num, duration = throttling.UserRateThrottle().parse_rate(rates[scope])
        assert num is not None
        assert num > 0
        assert duration is not None
        assert duration > 0


def test_too_many_requests_get_429_with_retry_after(actors, monkeypatch):
    monkeypatch.setattr(throttling.UserRateThrottle, "rate", "3/minute", raising=False)
    liaison = actors["department_liaison"]
    session, token = api_client(liaison), api_client(liaison, auth=TOKEN)
    assert [session.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    assert token.get("/api/v1/me/").status_code == 200
    response = token.get("/api/v1/me/")  # the fourth call of the same user, by whatever means
    assert_api_error(response, 429, code="throttled")
    assert int(response["Retry-After"]) > 0
    assert api_client(actors["village_director"]).get("/api/v1/me/").status_code == 200


# The error format: one body shape, the right status.


def test_error_statuses_and_format(actors):
    admin = api_client(actors["county_admin"])
    assert_api_error(APIClient().get("/api/v1/users/"), 401, code="not_authenticated")
    assert_api_error(admin.get(f"/api/v1/users/{actors['other_county_admin'].pk}/"), 404, code="not_found")
    assert_api_error(admin.get("/api/v1/users/0/"), 404, code="not_found")
    assert_api_error(admin.delete(f"/api/v1/users/{actors['village_director'].pk}/"), 405)
    bad = admin.get("/api/v1/users/", {"within": "12345"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["within"]


def test_error_messages_follow_the_language(actors):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/api/v1/users/").json()["detail"] == "Authentication credentials were not provided."
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.get("/api/v1/users/").json()["detail"] == "身份认证信息未提供。"


# Policy viewsets (shouhu.core.drf).


def view_of(viewset, action: str, method: str):
    view = viewset()
    view.action = action
    view.action_map = {method.lower(): action}  # what DRF sets on every request
    request = RequestFactory().generic(method, "/")
    return view, request


def test_custom_action_maps_to_its_policy_action():
    view, request = view_of(ApiTokenViewSet, "revoke", "POST")
    assert view.policy_action(request) == CHANGE


def test_class_level_action_map_is_honoured_despite_drf_overwriting_the_attribute():
    class Legacy(UserViewSet):
        action_map = {"reveal": "export"}

    view, request = view_of(Legacy, "reveal", "POST")
    assert view.policy_action(request) == "export"
    view, request = view_of(Legacy, "list", "GET")
    assert view.policy_action(request) == VIEW


def test_schema_generation_gets_an_empty_queryset_without_a_user():
    view = UserViewSet()
    view.swagger_fake_view = True  # type: ignore[attr-defined]  # what the schema generator sets
    assert view.get_queryset().model.__name__ == "User"
    assert view.get_queryset().query.is_empty()


def test_unverified_session_of_an_administrator_is_refused_by_the_viewset(county_admin):
    """Behind the account gate; checked again here for any API view reached with a session."""
    view = UserViewSet.as_view({"get": "list"})

    def request_as(user):
        request = RequestFactory().get("/api/v1/users/")
        request.user = user  # as the middleware leaves it; session authentication takes it from there
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return request

    assert view(request_as(county_admin)).status_code == 403  # no verified device
    county_admin.is_verified = lambda: True  # type: ignore[attr-defined]  # what django-otp adds
    assert view(request_as(county_admin)).status_code == 200


class AgencyWriteSerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ("name", "kind", "region")


class AgencyWriteViewSet(PolicyModelViewSet):
    queryset = Agency.objects.all()
    serializer_class = AgencyWriteSerializer


@pytest.mark.parametrize(("name", "status"), [("village_director", 403), ("county_admin", 400)])
def test_create_is_checked_against_the_policy_before_the_input(actors, name, status):
    request = RequestFactory().post("/", {}, content_type="application/json")
    force_authenticate(request, user=actors[name])
    response = AgencyWriteViewSet.as_view({"post": "create"})(request)
    assert response.status_code == status
    assert AgencyWriteViewSet().get_policy().can(actors["county_admin"], CREATE)
