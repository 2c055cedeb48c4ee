"""Screens of accounts: a permission matrix over all actors for every view, and what each screen does."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shouhu.accounts import user_import
from shouhu.accounts.choices import Role
from shouhu.accounts.models import Agency, User
from shouhu.accounts.tests.factories import UserFactory
from shouhu.accounts.tests.helpers import events, workbook_bytes
from shouhu.core.accesslog import AccessAction
from shouhu.core.models import Job
from shouhu.core.testing import assert_permission_matrix, login

pytestmark = pytest.mark.django_db

ADMINS = ["county_admin", "other_county_admin", "city_admin", "superuser"]
# Managers of the village director of county A (泰山区).
OVER_DIRECTOR = ["county_admin", "city_admin", "superuser"]


@pytest.fixture
def everyone(actors) -> list[str]:
    return list(actors)


# --- Permission matrices -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "accounts:user_list",
        "accounts:user_export",
        "accounts:role_overview",
        "accounts:user_create",
        "accounts:agency_list",
        "accounts:agency_create",
        "accounts:user_import",
        "accounts:user_import_template",
    ],
)
def test_management_screens_are_for_administrators_only(actors, url_name):
    assert_permission_matrix(actors, url=reverse(url_name), allowed=ADMINS)


@pytest.mark.parametrize("url_name", ["accounts:profile", "accounts:password_change", "accounts:otp_setup"])
def test_own_account_screens_are_for_every_user(actors, everyone, url_name):
    assert_permission_matrix(actors, url=reverse(url_name), allowed=everyone)


@pytest.mark.parametrize("url_name", ["accounts:otp_verify", "accounts:backup_codes"])
def test_second_factor_steps_move_a_verified_user_on(actors, everyone, url_name):
    assert_permission_matrix(actors, url=reverse(url_name), allowed=everyone, ok=(302,))


def test_login_page_sends_logged_in_users_on(actors, everyone):
    assert_permission_matrix(actors, url=reverse("accounts:login"), allowed=everyone, ok=(302,), anonymous=(200,))


def test_logout_matrix(actors, everyone):
    assert_permission_matrix(
        actors, url=reverse("accounts:logout"), method="post", allowed=everyone, ok=(302,), anonymous=(302,)
    )


def test_new_backup_codes_matrix(actors, everyone):
    # Users without an authenticator are told to set one up; all land back on a page of their own.
    assert_permission_matrix(
        actors, url=reverse("accounts:backup_codes_new"), method="post", allowed=everyone, ok=(302,)
    )


@pytest.mark.parametrize("url_name", ["accounts:user_detail", "accounts:user_edit"])
def test_director_of_county_a_is_managed_by_county_a_and_the_city(actors, village_director, url_name):
    assert_permission_matrix(actors, url=reverse(url_name, args=[village_director.pk]), allowed=OVER_DIRECTOR)


def test_administrator_sees_but_does_not_edit_own_account_here(actors, county_admin):
    assert_permission_matrix(actors, url=reverse("accounts:user_detail", args=[county_admin.pk]), allowed=OVER_DIRECTOR)
    assert_permission_matrix(
        actors, url=reverse("accounts:user_edit", args=[county_admin.pk]), allowed=["city_admin", "superuser"]
    )


def test_nobody_but_a_superuser_manages_a_superuser(actors, superuser):
    assert_permission_matrix(actors, url=reverse("accounts:user_detail", args=[superuser.pk]), allowed=["superuser"])
    assert_permission_matrix(actors, url=reverse("accounts:user_edit", args=[superuser.pk]), allowed=[])


def test_county_admin_does_not_edit_an_auditor(actors, auditor):
    assert_permission_matrix(
        actors, url=reverse("accounts:user_edit", args=[auditor.pk]), allowed=["city_admin", "superuser"]
    )


@pytest.mark.parametrize(
    ("url_name", "ok"),
    [
        ("accounts:user_deactivate", (302,)),
        ("accounts:user_reactivate", (302,)),
        ("accounts:user_reset_password", (200,)),
        ("accounts:user_unlock", (302,)),
        ("accounts:user_reset_second_factor", (302,)),
    ],
)
def test_account_actions_matrix(actors, village_director, url_name, ok):
    def reactivate():
        User.objects.filter(pk=village_director.pk).update(is_active=True)

    assert_permission_matrix(
        actors,
        url=reverse(url_name, args=[village_director.pk]),
        method="post",
        allowed=OVER_DIRECTOR,
        ok=ok,
        setup=reactivate,
    )


@pytest.mark.parametrize(
    "url_name",
    ["accounts:user_deactivate", "accounts:user_reset_password", "accounts:user_unlock"],
)
def test_account_actions_refuse_get(county_admin, village_director, url_name):
    client = login(Client(), county_admin)
    assert client.get(reverse(url_name, args=[village_director.pk])).status_code == 405


def test_agency_edit_matrix(actors):
    village = Agency.objects.get(name="东湖社区居委会")
    assert_permission_matrix(actors, url=reverse("accounts:agency_edit", args=[village.pk]), allowed=OVER_DIRECTOR)
    other = Agency.objects.get(name="岱岳区民政局")
    assert_permission_matrix(
        actors,
        url=reverse("accounts:agency_edit", args=[other.pk]),
        allowed=["other_county_admin", "city_admin", "superuser"],
    )


@pytest.fixture
def import_job(county_admin, django_capture_on_commit_callbacks) -> Job:
    rows = [
        ["wang_xl", "王秀兰", "", "儿童主任", "370902001001", "", ""],
        ["bad", "坏", "", "校长", "370902001001", "", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = user_import.start_import(actor=county_admin, upload=ContentFile(workbook_bytes(rows), name="u.xlsx"))
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("url_name", ["accounts:user_import_review", "accounts:user_import_rejected"])
def test_import_pages_belong_to_the_administrator_who_started_it(actors, import_job, url_name):
    assert_permission_matrix(actors, url=reverse(url_name, args=[import_job.pk]), allowed=["county_admin", "superuser"])


@pytest.mark.parametrize(
    "url_name", ["accounts:user_import_commit", "accounts:user_import_cancel", "accounts:user_import_passwords"]
)
def test_import_actions_belong_to_the_administrator_who_started_it(actors, import_job, url_name):
    def waiting():
        Job.objects.filter(pk=import_job.pk).update(status=Job.Status.AWAITING_REVIEW)

    assert_permission_matrix(
        actors,
        url=reverse(url_name, args=[import_job.pk]),
        method="post",
        allowed=["county_admin", "superuser"],
        ok=(302,),
        setup=waiting,
    )


def test_a_job_of_another_kind_is_not_an_import(county_admin):
    job = Job.objects.create(kind="other.kind", created_by=county_admin, status=Job.Status.AWAITING_REVIEW)
    client = login(Client(), county_admin)
    assert client.get(reverse("accounts:user_import_review", args=[job.pk])).status_code == 404


# --- What the screens do -------------------------------------------------------------------------


def test_user_list_shows_the_jurisdiction_only_with_a_count(county_admin, actors):
    html = login(Client(), county_admin).get(reverse("accounts:user_list") + "?status=all").content.decode()
    assert ">village_director<" in html
    assert ">other_county_caseworker<" not in html
    assert ">city_admin<" not in html
    in_county = [u for u in actors.values() if (u.jurisdiction_id or "").startswith("370902")]
    assert f'id="user-count">{len(in_county)}<' in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("role=child_director", ["village_director", "other_village_director"], ["township_supervisor"]),
        ("region=370902001000", ["village_director", "township_supervisor"], ["other_township_supervisor"]),
        ("q=other_village", ["other_village_director"], ["township_supervisor"]),
        ("second_factor=yes", ["county_admin"], ["village_director"]),
    ],
)
def test_user_list_filters(county_admin, actors, query, present, absent):
    client = login(Client(), county_admin)
    html = client.get(reverse("accounts:user_list") + "?" + query).content.decode()
    for name in present:
        assert f">{name}<" in html
    for name in absent:
        assert f">{name}<" not in html


def test_user_list_paginates_on_the_server(county_admin, regions):
    for n in range(60):
        UserFactory(username=f"bulk{n:02d}", jurisdiction=regions.village_a2a)
    client = login(Client(), county_admin)
    first = client.get(reverse("accounts:user_list") + "?q=bulk").content.decode()
    second = client.get(reverse("accounts:user_list") + "?q=bulk&page=2").content.decode()
    assert 'id="user-count">60<' in first
    assert first.count("/accounts/users/") - second.count("/accounts/users/") > 30
    assert "bulk59" in second
    assert "bulk59" not in first


def test_user_detail_is_logged(county_admin, village_director, access_log):
    response = login(Client(), county_admin).get(reverse("accounts:user_detail", args=[village_director.pk]))
    assert response.status_code == 200
    [entry] = events(access_log, AccessAction.VIEW)
    assert entry["object_type"] == "accounts.user"
    assert entry["object_id"] == str(village_director.pk)
    assert entry["region_code"] == village_director.jurisdiction_id


def test_the_user_list_is_logged_as_a_search(county_admin, access_log):
    # The list names people with their phones, like the API's list, which is logged too.
    response = login(Client(), county_admin).get(reverse("accounts:user_list"), {"role": "child_director"})
    assert response.status_code == 200
    [entry] = events(access_log, AccessAction.SEARCH)
    assert entry["object_type"] == "accounts.user"
    assert entry["region_code"] == county_admin.jurisdiction_id
    assert entry["detail"]["filters"]["role"] == "child_director"
    assert entry["detail"]["count"] == 2


def test_the_export_link_keeps_the_filters_but_not_the_page(county_admin):
    response = login(Client(), county_admin).get(reverse("accounts:user_list"), {"role": "child_director", "page": "1"})
    assert f'href="{reverse("accounts:user_export")}?role=child_director"' in response.content.decode()


def test_export_is_the_filtered_list_and_is_logged(county_admin, access_log):
    client = login(Client(), county_admin)
    response = client.get(reverse("accounts:user_export") + "?role=child_director")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == tuple(c.title for c in user_import.COLUMNS)
    assert sorted(str(r[0]) for r in rows[1:]) == ["other_village_director", "village_director"]
    [entry] = events(access_log, AccessAction.EXPORT)
    assert entry["detail"]["rows"] == 2
    assert entry["detail"]["filters"]["role"] == "child_director"


def test_create_user_shows_the_temporary_password_once(county_admin, regions):
    client = login(Client(), county_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "new_director",
            "full_name": "新主任",
            "phone": "13800138000",
            "jurisdiction": "370902001002",
            "roles": [Role.CHILD_DIRECTOR.value],
            "language": "zh-hans",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    password = html.split('id="temporary-password">', 1)[1].split("<", 1)[0]
    user = User.objects.get(username="new_director")
    assert user.check_password(password)
    assert password not in client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()


def test_refused_create_keeps_what_was_typed_with_a_precise_message(county_admin):
    client = login(Client(), county_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "new_director",
            "full_name": "新主任",
            "jurisdiction": "370902001000",
            "roles": [Role.CHILD_DIRECTOR.value],
            "language": "zh-hans",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "角色“儿童主任”不能设在乡（镇、街道）一级" in html
    assert 'value="new_director"' in html
    assert 'value="370902001000"' in html
    assert not User.objects.filter(username="new_director").exists()


def test_roles_offered_are_those_the_administrator_may_grant(county_admin, city_admin):
    county_form = login(Client(), county_admin).get(reverse("accounts:user_create")).content.decode()
    city_form = login(Client(), city_admin).get(reverse("accounts:user_create")).content.decode()
    assert 'value="auditor"' not in county_form
    assert 'value="county_admin"' not in county_form
    assert 'value="auditor"' in city_form
    assert 'value="city_admin"' not in city_form


def test_edit_user(county_admin, township_supervisor):
    client = login(Client(), county_admin)
    response = client.post(
        reverse("accounts:user_edit", args=[township_supervisor.pk]),
        {
            "full_name": "李建华",
            "phone": "",
            "jurisdiction": township_supervisor.jurisdiction_id,
            "agency": township_supervisor.agency_id,
            "roles": [Role.TOWNSHIP_SUPERVISOR.value, Role.MANDATED_REPORTER.value],
            "language": "en",
        },
    )
    assert response.status_code == 302
    township_supervisor.refresh_from_db()
    assert township_supervisor.full_name == "李建华"
    assert township_supervisor.language == "en"
    assert township_supervisor.roles == {Role.TOWNSHIP_SUPERVISOR, Role.MANDATED_REPORTER}


def test_role_overview_counts_roles_per_township(county_admin, city_admin):
    html = login(Client(), county_admin).get(reverse("accounts:role_overview")).content.decode()
    row = html.split('data-code="370902001000"', 1)[1].split("</tr>", 1)[0]
    # 岱庙街道: two directors (villages A1a, A1b), one supervisor, one mandated reporter.
    assert '<a href="/accounts/users/?role=child_director&amp;region=370902001000">2</a>' in row
    assert '<a href="/accounts/users/?role=township_supervisor&amp;region=370902001000">1</a>' in row
    assert '<a href="/accounts/users/?role=mandated_reporter&amp;region=370902001000">1</a>' in row
    city = login(Client(), city_admin).get(reverse("accounts:role_overview")).content.decode()
    assert 'data-code="370911000000"' in city  # counties of the city are the rows
    assert 'data-code="370902001000"' not in city


def test_agency_create_and_list(county_admin):
    client = login(Client(), county_admin)
    response = client.post(
        reverse("accounts:agency_create"),
        {"name": "岱庙中学", "kind": "school", "region": "370902001000", "credit_code": "", "is_active": "on"},
    )
    assert response.status_code == 302
    html = client.get(reverse("accounts:agency_list") + "?kind=school").content.decode()
    assert "岱庙中学" in html
    assert "岱岳区民政局" not in client.get(reverse("accounts:agency_list")).content.decode()


def test_agency_form_keeps_input_on_a_bad_credit_code(county_admin):
    client = login(Client(), county_admin)
    response = client.post(
        reverse("accounts:agency_create"),
        {"name": "岱庙中学", "kind": "school", "region": "370902001000", "credit_code": "914403001922038217"},
    )
    html = response.content.decode()
    assert "校验位不正确" in html
    assert 'value="岱庙中学"' in html


@pytest.mark.parametrize(
    "url",
    ["/system-admin/accounts/user/", "/system-admin/accounts/user/add/", "/system-admin/accounts/agency/"],
)
def test_django_admin_of_accounts_is_for_superusers(actors, url):
    # Not staff: the admin sends everyone else to its log-in page.
    assert_permission_matrix(actors, url=url, allowed=["superuser"], denied=(302,))


def test_django_admin_user_page_opens(superuser, village_director):
    client = login(Client(), superuser)
    response = client.get(f"/system-admin/accounts/user/{village_director.pk}/change/")
    assert response.status_code == 200
    assert "village_director" in response.content.decode()
