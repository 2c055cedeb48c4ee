"""``/api/v1/users/`` and ``/api/v1/agencies/``: who sees what, filters, pages, minimal fields."""

from __future__ import annotations

import pytest

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency
from shouhu.accounts.tests.factories import UserFactory
from shouhu.api.testing import (
    TOKEN,
    api_client,
    assert_api_error,
    assert_api_permission_matrix,
    assert_visibility_matrix,
)
from shouhu.audit.models import AccessEvent

USERS = "/api/v1/users/"
AGENCIES = "/api/v1/agencies/"
ADMINS_OF_COUNTY_A = ["county_admin", "city_admin", "superuser"]


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# Who sees the record of the director of village A1a: herself, the supervisor of township A1,
# the administrators of county A and of the city, the superuser.
VILLAGE_DIRECTOR_SEEN_BY = ["village_director", "township_supervisor", *ADMINS_OF_COUNTY_A]


def test_user_detail_matrix_by_session(actors):
    url = f"{USERS}{actors['village_director'].pk}/"
    assert_api_permission_matrix(actors, url=url, allowed=VILLAGE_DIRECTOR_SEEN_BY)


def test_user_detail_matrix_by_token(actors):
    url = f"{USERS}{actors['village_director'].pk}/"
    allowed = [n for n in VILLAGE_DIRECTOR_SEEN_BY if not actors[n].needs_second_factor]
    assert_api_permission_matrix(actors, url=url, allowed=allowed, auth=TOKEN)


def test_user_list_matrix(actors):
    target = actors["village_director"].pk
    assert_visibility_matrix(actors, url=USERS, sees=VILLAGE_DIRECTOR_SEEN_BY, item=lambda row: row["id"] == target)


def test_user_list_of_other_county_is_seen_by_its_admin_and_the_city(actors):
    target = actors["other_county_caseworker"].pk
    assert_visibility_matrix(
        actors,
        url=USERS,
        sees=["other_county_caseworker", "other_county_admin", "city_admin", "superuser"],
        item=lambda row: row["id"] == target,
    )


def test_missing_user_is_404_like_a_hidden_one(actors):
    client = api_client(actors["county_admin"])
    missing = assert_api_error(client.get(f"{USERS}999999/"), 404, code="not_found")
    hidden = assert_api_error(client.get(f"{USERS}{actors['other_county_caseworker'].pk}/"), 404)
    assert missing == hidden


def test_county_admin_lists_exactly_the_users_of_the_county(actors):
    response = api_client(actors["county_admin"]).get(USERS, {"page_size": 500})
    in_county = {u.pk for u in actors.values() if u.jurisdiction_id and u.jurisdiction_id.startswith("370902")}
    assert ids(response) == in_county


def test_others_see_only_themselves(actors):
    for name in ["village_director", "county_caseworker", "department_liaison", "auditor", "plan_monitor"]:
        response = api_client(actors[name]).get(USERS)
        assert ids(response) == {actors[name].pk}, name


def test_phone_goes_to_administrators_only(actors):
    director = actors["village_director"]
    by_admin = api_client(actors["county_admin"]).get(f"{USERS}{director.pk}/").json()
    by_supervisor = api_client(actors["township_supervisor"]).get(f"{USERS}{director.pk}/").json()
    by_herself = api_client(director).get(f"{USERS}{director.pk}/").json()
    assert by_admin["phone"] == director.phone
    assert by_supervisor["phone"] is None
    assert by_herself["phone"] is None
    assert set(by_admin) == {"id", "username", "full_name", "roles", "agency", "jurisdiction", "is_active", "phone"}


def test_user_fields_are_minimal(actors):
    body = api_client(actors["county_admin"]).get(f"{USERS}{actors['village_director'].pk}/").json()
    assert body["roles"] == ["child_director"]
    assert body["jurisdiction"] == {"code": "370902001001", "name": "东湖社区", "level": "village"}
    assert body["agency"]["name"] == "东湖社区居委会"
    assert "password" not in body
    assert "email" not in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"role": "child_director"}, {"village_director", "other_village_director"}),
        (
            {"role": ["child_director", "township_supervisor"]},
            {
                "village_director",
                "other_village_director",
                "township_supervisor",
                "other_township_supervisor",
            },
        ),
        (
            {"within": "370902001"},
            {"village_director", "other_village_director", "township_supervisor", "mandated_reporter"},
        ),
        ({"within": "370902001001"}, {"village_director"}),
        ({"within": "370911"}, {"other_county_caseworker", "other_county_admin"}),
        ({"q": "supervisor"}, {"township_supervisor", "other_township_supervisor"}),
        ({"role": "county_caseworker", "within": "370902"}, {"county_caseworker"}),
    ],
)
def test_user_filters(actors, query, expected):
    response = api_client(actors["city_admin"]).get(USERS, query)
    assert response.status_code == 200
    assert ids(response) == {actors[name].pk for name in expected}


def test_filter_by_agency_and_active(actors):
    director = actors["village_director"]
    client = api_client(actors["county_admin"])
    assert ids(client.get(USERS, {"agency": director.agency_id})) == {director.pk}
    director.is_active = False
    director.save(update_fields=["is_active"])
    assert director.pk in ids(client.get(USERS, {"active": "false"}))
    assert director.pk not in ids(client.get(USERS, {"active": "true"}))
    assert director.pk in ids(client.get(USERS, {"page_size": 500}))


def test_only_administrators_search_by_phone(actors, regions):
    director = actors["village_director"]
    director.phone = "13912345678"
    director.save(update_fields=["phone"])
    assert ids(api_client(actors["county_admin"]).get(USERS, {"q": "912345"})) == {director.pk}
    assert ids(api_client(actors["township_supervisor"]).get(USERS, {"q": "912345"})) == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"role": "emperor"}, "role"),
        ({"within": "3709x"}, "within"),
        ({"within": "37090"}, "within"),
        ({"agency": "abc"}, "agency"),
        ({"active": "maybe"}, "active"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_filter_is_400_naming_the_parameter(actors, query, field):
    response = api_client(actors["county_admin"]).get(USERS, query)
    assert response.status_code == 400
    assert field in response.json()


def test_pages_of_users(actors, regions):
    for n in range(7):
        UserFactory(username=f"director{n}", roles=[Role.CHILD_DIRECTOR], jurisdiction=regions.village_a2a)
    client = api_client(actors["county_admin"])
    first = client.get(USERS, {"within": "370902002001", "page_size": "5"}).json()
    assert first["count"] == 7
    assert len(first["results"]) == 5
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert second["next"] is None
    assert {r["username"] for r in first["results"] + second["results"]} == {f"director{n}" for n in range(7)}
    assert_api_error(client.get(USERS, {"page": 99}), 404)


def test_user_list_has_no_query_per_row(actors, regions, django_assert_max_num_queries):
    for n in range(30):
        UserFactory(username=f"d{n}", roles=[Role.CHILD_DIRECTOR], jurisdiction=regions.village_a1b)
    client = api_client(actors["township_supervisor"])
    client.get(USERS)  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(USERS, {"page_size": 100})
    assert response.json()["count"] >= 30


def test_administrator_reading_users_is_logged(actors):
    admin = actors["county_admin"]
    client = api_client(admin)
    director = actors["village_director"]
    client.get(f"{USERS}{director.pk}/")
    client.get(USERS, {"role": "child_director"})
    view = AccessEvent.objects.filter(actor=admin, action="view", object_type="accounts.user").get()
    assert view.object_id == str(director.pk)
    assert view.region_code == director.jurisdiction_id
    search = AccessEvent.objects.filter(actor=admin, action="search", object_type="accounts.user").get()
    assert search.detail["query"] == {"role": ["child_director"]}
    assert search.detail["count"] == 2


def test_own_record_is_not_logged(actors):
    director = actors["village_director"]
    api_client(director).get(f"{USERS}{director.pk}/")
    assert not AccessEvent.objects.filter(actor=director).exists()


def test_users_are_read_only(actors):
    client = api_client(actors["county_admin"])
    director = actors["village_director"]
    assert_api_error(client.post(USERS, {"username": "new"}, format="json"), 405)
    assert_api_error(client.patch(f"{USERS}{director.pk}/", {"full_name": "x"}, format="json"), 405)
    assert_api_error(client.delete(f"{USERS}{director.pk}/"), 405)


# A user sees the agencies of their jurisdiction and above it (where reports and referrals go),
# never those of another village, township or county.
COUNTY_B_AND_ABOVE = ["other_county_caseworker", "other_county_admin", "plan_monitor", "auditor", "city_admin"]
COUNTY_A = [
    "village_director",
    "other_village_director",
    "township_supervisor",
    "other_township_supervisor",
    "county_caseworker",
    "intake_officer",
    "department_liaison",
    "mandated_reporter",
    "county_admin",
]
CITY = ["plan_monitor", "auditor", "city_admin"]


def test_agency_detail_matrix(actors):
    agency = Agency.objects.get(name="岱岳区民政局")
    allowed = [*COUNTY_B_AND_ABOVE, "superuser"]
    assert_api_permission_matrix(actors, url=f"{AGENCIES}{agency.pk}/", allowed=allowed)


def test_agency_detail_matrix_by_token(actors):
    agency = Agency.objects.get(name="岱岳区民政局")
    allowed = [n for n in COUNTY_B_AND_ABOVE if not actors[n].needs_second_factor]
    assert_api_permission_matrix(actors, url=f"{AGENCIES}{agency.pk}/", allowed=allowed, auth=TOKEN)


def test_agency_list_matrix(actors):
    agency = Agency.objects.get(name="泰山区公安分局")
    sees = [*COUNTY_A, *CITY, "superuser"]
    assert_visibility_matrix(actors, url=AGENCIES, sees=sees, item=lambda row: row["id"] == agency.pk)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # as the director of 东湖社区: own village, township, county and city units only
        ({"kind": "civil_affairs"}, {"泰山区民政局", "泰安市民政局"}),
        ({"kind": ["school", "public_security"]}, {"岱庙小学", "泰山区公安分局"}),
        ({"within": "370902001"}, {"东湖社区居委会", "岱庙街道办事处", "岱庙小学"}),
        ({"within": "370911"}, set()),
        ({"q": "街道"}, {"岱庙街道办事处"}),
        ({"kind": "civil_affairs", "within": "370902"}, {"泰山区民政局"}),
    ],
)
def test_agency_filters(actors, query, expected):
    params = dict(query)
    params["page_size"] = "500"
    response = api_client(actors["village_director"]).get(AGENCIES, params)
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == expected


def test_agency_shape(actors):
    agency = Agency.objects.get(name="泰山区公安分局")
    body = api_client(actors["department_liaison"]).get(f"{AGENCIES}{agency.pk}/").json()
    assert body["kind"] == AgencyKind.PUBLIC_SECURITY
    assert body["region"] == {"code": "370902000000", "name": "泰山区", "level": "county"}
    assert body["is_active"] is True


@pytest.mark.parametrize(("query", "field"), [({"kind": "palace"}, "kind"), ({"within": "1"}, "within")])
def test_bad_agency_filter_is_400(actors, query, field):
    response = api_client(actors["village_director"]).get(AGENCIES, query)
    assert response.status_code == 400
    assert field in response.json()
