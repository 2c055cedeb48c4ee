"""The administrators' screens of API tokens: list, issue (key shown once), revoke."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from shouhu.accounts.models import ApiToken
from shouhu.api import rules
from shouhu.api.nav import ITEMS
from shouhu.api.services import issue_api_token
from shouhu.api.testing import key_parts, make_token
from shouhu.core.testing import assert_permission_matrix, login

LIST = "/api/tokens/"
ISSUE = "/api/tokens/new/"
ADMINS = ["county_admin", "other_county_admin", "city_admin", "superuser"]
ADMINS_OF_COUNTY_A = ["county_admin", "city_admin", "superuser"]


def revoke_url(token: ApiToken) -> str:
    return f"/api/tokens/{token.pk}/revoke/"


@pytest.fixture
def liaison_token(actors) -> ApiToken:
    return issue_api_token(actor=actors["county_admin"], owner=actors["department_liaison"], name="公安数据交换").token


def form_data(**overrides):
    data = {
        "owner": "department_liaison",
        "name": "教育局学籍同步",
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    data.update(overrides)
    return data


def test_token_list_matrix(actors):
    assert_permission_matrix(actors, url=LIST, allowed=ADMINS)


def test_issue_form_matrix(actors):
    assert_permission_matrix(actors, url=ISSUE, allowed=ADMINS)


def test_revoke_page_matrix(actors, liaison_token):
    assert_permission_matrix(actors, url=revoke_url(liaison_token), allowed=ADMINS_OF_COUNTY_A)


def test_revoke_post_matrix(actors, liaison_token):
    def unrevoke():
        ApiToken.objects.filter(pk=liaison_token.pk).update(revoked_at=None)

    assert_permission_matrix(
        actors, url=revoke_url(liaison_token), method="post", allowed=ADMINS_OF_COUNTY_A, ok=(302,), setup=unrevoke
    )


def test_issue_post_matrix(actors):
    """Every administrator reaches the form; those of county A issue, the other county's is told
    the account is not in its jurisdiction; everybody else gets 404."""

    def clean():
        ApiToken.objects.all().delete()

    assert_permission_matrix(actors, url=ISSUE, method="post", data=form_data(), allowed=ADMINS, setup=clean)


def test_issuing_shows_the_key_once_and_stores_its_hash(actors):
    client = login(Client(), actors["county_admin"])
    response = client.post(ISSUE, form_data())
    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    prefix, secret = key_parts(key)
    token = ApiToken.objects.get(prefix=prefix)
    assert token.user == actors["department_liaison"]
    assert token.created_by == actors["county_admin"]
    assert timezone.localtime(token.expires_at).date() == timezone.localdate() + timedelta(days=90)
    listing = client.get(LIST).content.decode()
    assert prefix in listing
    assert secret not in listing
    assert key not in client.get(revoke_url(token)).content.decode()


def test_issued_key_works_against_the_api(actors):
    response = login(Client(), actors["county_admin"]).post(ISSUE, form_data())
    api = Client(HTTP_AUTHORIZATION=f"Bearer {response.context['key']}")
    assert api.get("/api/v1/me/").json()["username"] == "department_liaison"


def test_issue_form_proposes_one_year_and_limits_to_two(actors):
    response = login(Client(), actors["county_admin"]).get(ISSUE, {"owner": "department_liaison"})
    form = response.context["form"]
    today = timezone.localdate()
    assert form["expires_on"].value() == rules.default_expiry(today)
    assert form["owner"].value() == "department_liaison"
    html = response.content.decode()
    assert f'max="{rules.latest_expiry(today).isoformat()}"' in html
    # <input type="date"> shows only an ISO value, whatever the language of the page.
    assert f'value="{rules.default_expiry(today).isoformat()}"' in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"owner": "nobody"}, "owner"),
        ({"owner": "other_county_caseworker"}, "owner"),  # exists, but in another county
        ({"owner": "city_admin"}, "owner"),  # not in the county's reach
        ({"owner": "county_admin"}, "owner"),  # oneself: and administrators cannot hold tokens
        ({"name": ""}, "name"),
        ({"expires_on": ""}, "expires_on"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"expires_on": "9999-12-31"}, "expires_on"),
        ({"expires_on": "not a date"}, "expires_on"),
    ],
)
def test_bad_input_reshows_the_form_with_a_message(actors, overrides, field):
    data = form_data(**overrides)
    response = login(Client(), actors["county_admin"]).post(ISSUE, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    assert form["name"].value() == data["name"]  # what was typed is kept
    assert not ApiToken.objects.exists()


def test_unknown_and_foreign_accounts_get_the_same_message(actors):
    client = login(Client(), actors["county_admin"])
    unknown = client.post(ISSUE, form_data(owner="nobody")).context["form"].errors["owner"]
    foreign = client.post(ISSUE, form_data(owner="other_county_caseworker")).context["form"].errors["owner"]
    assert unknown == foreign


def test_city_admin_cannot_give_a_token_to_an_administrator(actors):
    response = login(Client(), actors["city_admin"]).post(ISSUE, form_data(owner="county_admin"))
    assert response.context["form"].errors["owner"]
    assert not ApiToken.objects.exists()


def test_resubmitting_the_form_issues_no_second_token(actors):
    client = login(Client(), actors["county_admin"])
    client.post(ISSUE, form_data())
    again = client.post(ISSUE, form_data())
    assert again.context["form"].errors["name"]
    assert ApiToken.objects.count() == 1


def test_revoking_from_the_screen(actors, liaison_token):
    client = login(Client(), actors["county_admin"])
    assert "公安数据交换" in client.get(revoke_url(liaison_token)).content.decode()
    response = client.post(revoke_url(liaison_token), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    liaison_token.refresh_from_db()
    assert liaison_token.revoked_at is not None
    messages = [str(m) for m in response.context["messages"]]
    assert any("公安数据交换" in m for m in messages)


def test_revoking_twice_says_so(actors, liaison_token):
    client = login(Client(), actors["county_admin"])
    client.post(revoke_url(liaison_token), follow=True)
    response = client.post(revoke_url(liaison_token), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_other_county_admin_cannot_revoke(actors, liaison_token):
    response = login(Client(), actors["other_county_admin"]).post(revoke_url(liaison_token))
    assert response.status_code == 404
    liaison_token.refresh_from_db()
    assert liaison_token.revoked_at is None


def test_list_shows_status_and_filters(actors, regions):
    owner = actors["department_liaison"]
    make_token(owner, name="live")
    make_token(owner, name="old", expires_at=timezone.now() - timedelta(days=1))
    make_token(owner, name="gone", revoked_at=timezone.now())
    make_token(actors["other_county_caseworker"], name="elsewhere")
    client = login(Client(), actors["county_admin"])

    def names(**query: str) -> list[str]:
        return [token.name for token, _status in client.get(LIST, query).context["rows"]]

    assert sorted(names()) == ["gone", "live", "old"]
    assert names(status="active") == ["live"]
    assert names(status="expired") == ["old"]
    assert names(status="revoked") == ["gone"]
    assert sorted(names(q="department")) == ["gone", "live", "old"]
    assert names(q="liv") == ["live"]
    statuses = {token.name: status for token, status in client.get(LIST).context["rows"]}
    assert statuses == {"live": "active", "old": "expired", "gone": "revoked"}
    assert sorted(t.name for t, _s in login(Client(), actors["city_admin"]).get(LIST).context["rows"]) == [
        "elsewhere",
        "gone",
        "live",
        "old",
    ]


def test_list_pages(actors):
    for n in range(55):
        make_token(actors["department_liaison"], name=f"t{n}")
    client = login(Client(), actors["county_admin"])
    first = client.get(LIST, {"status": "active"})
    assert len(first.context["rows"]) == 50
    assert "status=active&amp;page=2" in first.content.decode()
    assert len(client.get(LIST, {"status": "active", "page": "2"}).context["rows"]) == 5


def test_issue_needs_csrf(actors):
    client = login(Client(enforce_csrf_checks=True), actors["county_admin"])
    assert client.post(ISSUE, form_data()).status_code == 403
    assert not ApiToken.objects.exists()


def test_issuing_on_the_screen_is_versioned_with_the_administrator(actors):
    login(Client(), actors["county_admin"]).post(ISSUE, form_data())
    entry = LogEntry.objects.get_for_model(ApiToken).get()
    assert entry.actor == actors["county_admin"]


def test_menu_entries(actors):
    by_label = {str(item.url_name): item for item in ITEMS}
    tokens_item, guide_item = by_label["api:tokens"], by_label["api:docs"]
    assert {n for n, u in actors.items() if tokens_item.visible(u)} == set(ADMINS)
    assert {n for n, u in actors.items() if guide_item.visible(u)} == {*ADMINS, "department_liaison"}


def test_unverified_administrator_is_sent_to_the_second_factor_step(county_admin):
    client = Client()
    client.force_login(county_admin)  # password only
    response = client.get(LIST)
    assert response.status_code == 302
    assert "second-factor" in response["Location"]
