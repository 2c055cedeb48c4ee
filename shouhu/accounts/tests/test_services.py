"""Services of accounts: the placement rules (tables of cases), account actions, agencies, versioning."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import password_validation
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts import services, tokens
from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, ApiToken, RoleAssignment, User
from shouhu.accounts.tests.factories import TEST_PASSWORD, UserFactory
from shouhu.accounts.tests.helpers import post_login
from shouhu.core.errors import DomainError, NotAllowedError

pytestmark = pytest.mark.django_db

R = Role


def agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


# (actor, roles, region attribute of the `regions` fixture, agency name, expected error field or None)
CREATE_CASES = [
    ("county_admin", [R.CHILD_DIRECTOR], "village_a1a", "东湖社区居委会", None),
    ("county_admin", [R.CHILD_DIRECTOR], "village_a1a", "泰安市民政局", None),  # agency above: in reach
    ("county_admin", [R.DEPARTMENT_LIAISON], "county_a", "岱庙小学", None),  # agency below: in reach
    ("county_admin", [R.TOWNSHIP_SUPERVISOR, R.MANDATED_REPORTER], "township_a1", "岱庙街道办事处", None),
    ("county_admin", [R.CHILD_DIRECTOR], "village_b1a", None, "jurisdiction"),  # other county
    ("county_admin", [R.COUNTY_CASEWORKER], "city", None, "jurisdiction"),  # above the admin
    ("county_admin", [R.CHILD_DIRECTOR], "township_a1", None, "roles"),  # level
    ("county_admin", [R.TOWNSHIP_SUPERVISOR], "village_a1a", None, "roles"),  # level
    ("county_admin", [R.COUNTY_ADMIN], "county_a", None, "roles"),  # not grantable
    ("county_admin", [R.AUDITOR], "county_a", None, "roles"),  # not grantable
    ("county_admin", [], "village_a1a", None, "roles"),
    ("county_admin", [R.TOWNSHIP_SUPERVISOR], "township_a1", "财源街道办事处", "agency"),  # neighbour
    ("county_admin", [R.CHILD_DIRECTOR], "village_a1a", "西湖社区居委会", "agency"),  # neighbour village
    ("city_admin", [R.AUDITOR], "city", "泰安市民政局", None),
    ("city_admin", [R.COUNTY_ADMIN], "county_b", "岱岳区民政局", None),
    ("city_admin", [R.CHILD_DIRECTOR], "village_b1a", None, None),
    ("city_admin", [R.CITY_ADMIN], "city", None, "roles"),
    ("city_admin", [R.COUNTY_CASEWORKER], "other_city_county", None, "jurisdiction"),
    ("superuser", [R.CITY_ADMIN], "other_city", None, None),
]


@pytest.mark.parametrize(("actor", "roles", "region", "agency_name", "error"), CREATE_CASES)
def test_create_user_follows_the_placement_rules(*, actors, regions, actor, roles, region, agency_name, error):
    kwargs = {
        "actor": actors[actor],
        "username": "new_person",
        "full_name": "新 用户",
        "phone": "138 0013 8000",
        "jurisdiction": getattr(regions, region),
        "agency": agency(agency_name) if agency_name else None,
        "roles": roles,
    }
    if error:
        with pytest.raises(DomainError) as caught:
            services.create_user(**kwargs)
        assert caught.value.field == error
        assert not User.objects.filter(username="new_person").exists()
        return
    user, password = services.create_user(**kwargs)
    user.refresh_from_db()
    assert user.roles == frozenset(roles)
    assert user.phone == "13800138000"
    assert user.full_name == "新 用户"
    assert user.must_change_password
    assert user.created_by == actors[actor]
    assert user.check_password(password)
    password_validation.validate_password(password, user)
    assert set(RoleAssignment.objects.filter(user=user).values_list("granted_by", flat=True)) == {actors[actor].pk}


@pytest.mark.parametrize("name", ["township_supervisor", "county_caseworker", "auditor", "village_director"])
def test_non_administrators_cannot_create_users(actors, regions, name):
    with pytest.raises(NotAllowedError):
        services.create_user(
            actor=actors[name],
            username="x1",
            full_name="某人",
            jurisdiction=regions.village_a1a,
            agency=None,
            roles=[R.CHILD_DIRECTOR],
        )


@pytest.mark.parametrize(
    ("username", "message"),
    [("village_director", "已被使用"), ("has space", "只能包含"), ("", "请输入用户名")],
)
def test_bad_usernames_are_refused(county_admin, regions, username, message):
    with pytest.raises(DomainError, match=message) as caught:
        services.create_user(
            actor=county_admin,
            username=username,
            full_name="某人",
            jurisdiction=regions.village_a1a,
            agency=None,
            roles=[R.CHILD_DIRECTOR],
        )
    assert caught.value.field == "username"


def test_bad_phone_is_refused(county_admin, regions):
    with pytest.raises(DomainError) as caught:
        services.create_user(
            actor=county_admin,
            username="x1",
            full_name="某人",
            phone="12345",
            jurisdiction=regions.village_a1a,
            agency=None,
            roles=[R.CHILD_DIRECTOR],
        )
    assert caught.value.field == "phone"


def test_temporary_passwords_are_strong_and_different():
    passwords = {services.generate_temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == services.TEMPORARY_PASSWORD_LENGTH
        assert not set(password) & set("0O1lI")
        password_validation.validate_password(password)


def _update(actor, user, **changes):
    fields = {
        "full_name": user.full_name,
        "phone": user.phone,
        "jurisdiction": user.jurisdiction,
        "agency": user.agency,
        "roles": list(user.roles),
        "language": user.language,
    }
    return services.update_user(actor=actor, user=user, **{**fields, **changes})


def test_administrator_moves_a_director_to_another_village(county_admin, village_director, regions):
    updated = _update(county_admin, village_director, jurisdiction=regions.village_a2a, agency=None)
    assert updated.jurisdiction_id == regions.village_a2a.code
    assert updated.agency is None


def test_administrator_changes_roles(county_admin, township_supervisor):
    updated = _update(county_admin, township_supervisor, roles=[R.TOWNSHIP_SUPERVISOR, R.MANDATED_REPORTER])
    assert updated.roles == {R.TOWNSHIP_SUPERVISOR, R.MANDATED_REPORTER}
    assert RoleAssignment.objects.filter(user=township_supervisor).count() == 2


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("county_admin", "county_admin"),  # themselves
        ("county_admin", "other_county_admin"),  # other county, and an administrator
        ("county_admin", "other_county_caseworker"),  # other county
        ("county_admin", "superuser"),
        ("city_admin", "superuser"),
        ("city_admin", "city_admin"),
        ("county_admin", "auditor"),  # a role the county administrator cannot grant
        ("township_supervisor", "village_director"),  # not an administrator
    ],
)
def test_who_may_not_edit_whom(actors, actor, target):
    with pytest.raises(NotAllowedError):
        _update(actors[actor], actors[target], full_name="改名")
    assert User.objects.get(pk=actors[target].pk).full_name != "改名"


def test_unchanged_inactive_agency_may_stay_but_none_is_newly_given(county_admin, village_director):
    current = village_director.agency
    Agency.objects.filter(pk=current.pk).update(is_active=False)
    village_director.refresh_from_db()
    _update(county_admin, village_director, full_name="王秀兰")
    other = Agency.objects.create(
        name="停用的居委会", kind=AgencyKind.VILLAGE_COMMITTEE, region=village_director.jurisdiction, is_active=False
    )
    with pytest.raises(DomainError) as caught:
        _update(county_admin, village_director, agency=other)
    assert caught.value.field == "agency"


def test_deactivate_and_reactivate(county_admin, village_director):
    client = Client()
    post_login(client, "village_director")
    services.set_user_active(actor=county_admin, user=village_director, active=False)
    village_director.refresh_from_db()
    assert not village_director.is_active
    assert village_director.deactivated_at is not None
    assert User.objects.filter(pk=village_director.pk).exists()  # never deleted
    assert client.get("/accounts/me/").status_code == 302  # the open session ended
    services.set_user_active(actor=county_admin, user=village_director, active=True)
    village_director.refresh_from_db()
    assert village_director.is_active
    assert village_director.deactivated_at is None


def test_reset_password_gives_a_temporary_password_and_lifts_the_lock(county_admin, village_director):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(), "village_director", f"wrong-{attempt}")
    assert AccessAttempt.objects.filter(username="village_director").exists()
    password = services.reset_password(actor=county_admin, user=village_director)
    village_director.refresh_from_db()
    assert village_director.check_password(password)
    assert village_director.must_change_password
    assert not AccessAttempt.objects.filter(username="village_director").exists()
    response = post_login(Client(), "village_director", password)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/password/")


def test_unlock_lets_a_locked_user_log_in_and_is_versioned(county_admin, village_director):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(), "village_director", f"wrong-{attempt}")
    assert post_login(Client(), "village_director").status_code == 429
    assert services.unlock_user(actor=county_admin, user=village_director) > 0
    assert post_login(Client(), "village_director").status_code == 302
    entry = LogEntry.objects.get_for_object(village_director).filter(changes__has_key="login_lock").get()
    assert entry.actor == county_admin
    assert services.unlock_user(actor=county_admin, user=village_director) == 0


def test_reset_second_factor_removes_the_devices_and_is_versioned(county_admin, city_admin):
    TOTPDevice.objects.create(user=county_admin, name="phone", confirmed=True)
    services._new_backup_codes(county_admin)
    services.reset_second_factor(actor=city_admin, user=county_admin)
    assert not TOTPDevice.objects.filter(user=county_admin).exists()
    entry = LogEntry.objects.get_for_object(county_admin).filter(changes__has_key="second_factor").get()
    assert entry.actor == city_admin


def test_county_admin_cannot_reset_the_second_factor_of_another_administrator(county_admin, other_county_admin):
    TOTPDevice.objects.create(user=other_county_admin, name="phone", confirmed=True)
    with pytest.raises(NotAllowedError):
        services.reset_second_factor(actor=county_admin, user=other_county_admin)
    assert TOTPDevice.objects.filter(user=other_county_admin).exists()


# --- Versioning ----------------------------------------------------------------------------------


def test_user_changes_are_versioned_without_the_password(county_admin, regions):
    user, _password = services.create_user(
        actor=county_admin,
        username="versioned",
        full_name="版本",
        jurisdiction=regions.village_a1a,
        agency=None,
        roles=[R.CHILD_DIRECTOR],
    )
    created = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert created.actor == county_admin
    assert "username" in created.changes_dict
    assert "password" not in created.changes_dict
    services.reset_password(actor=county_admin, user=user)
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in (entry.changes_dict or {})
    role_entries = LogEntry.objects.filter(content_type__model="roleassignment")
    assert role_entries.filter(action=LogEntry.Action.CREATE, actor=county_admin).exists()


def test_agency_and_api_token_are_versioned_without_the_key_hash(county_admin, regions):
    created = services.create_agency(
        actor=county_admin, name="新单位", kind=AgencyKind.SCHOOL, region=regions.township_a1
    )
    assert LogEntry.objects.get_for_object(created).get().actor == county_admin
    new = tokens.generate()
    token = ApiToken.objects.create(user=county_admin, name="教育局数据交换", prefix=new.prefix, key_hash=new.key_hash)
    entry = LogEntry.objects.get_for_object(token).get()
    assert "name" in entry.changes_dict
    assert "key_hash" not in entry.changes_dict


# --- Agencies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "region", "parent", "credit_code", "error"),
    [
        ("county_admin", "township_a1", "泰山区民政局", "", None),
        ("county_admin", "county_a", None, "914403001922038216", None),
        ("county_admin", "county_b", None, "", "region"),  # other county
        ("county_admin", "township_a1", "财源街道办事处", "", "parent"),  # parent of a neighbouring township
        ("county_admin", "county_a", "岱庙小学", "", "parent"),  # parent below the unit
        ("county_admin", "county_a", None, "914403001922038217", "credit_code"),
        ("city_admin", "county_b", "泰安市民政局", "", None),
    ],
)
def test_create_agency_rules(*, actors, regions, actor, region, parent, credit_code, error):
    kwargs = {
        "actor": actors[actor],
        "name": "测试学校",
        "kind": AgencyKind.SCHOOL,
        "region": getattr(regions, region),
        "parent": agency(parent) if parent else None,
        "credit_code": credit_code,
    }
    if error:
        with pytest.raises(DomainError) as caught:
            services.create_agency(**kwargs)
        assert caught.value.field == error
    else:
        assert services.create_agency(**kwargs).name == "测试学校"


def test_agency_name_is_unique_in_its_region(county_admin, regions):
    with pytest.raises(DomainError) as caught:
        services.create_agency(
            actor=county_admin, name="泰山区民政局", kind=AgencyKind.CIVIL_AFFAIRS, region=regions.county_a
        )
    assert caught.value.field == "name"


def test_agency_cannot_become_its_own_ancestor(county_admin, regions):
    top = services.create_agency(actor=county_admin, name="上级", kind=AgencyKind.OTHER, region=regions.county_a)
    below = services.create_agency(
        actor=county_admin, name="下级", kind=AgencyKind.OTHER, region=regions.county_a, parent=top
    )
    with pytest.raises(DomainError) as caught:
        services.update_agency(
            actor=county_admin, agency=top, name="上级", kind=AgencyKind.OTHER, region=regions.county_a, parent=below
        )
    assert caught.value.field == "parent"


def test_moving_an_agency_away_from_its_users_is_refused(county_admin, regions, village_director):
    committee = village_director.agency
    with pytest.raises(DomainError) as caught:
        services.update_agency(
            actor=county_admin, agency=committee, name=committee.name, kind=committee.kind, region=regions.village_a1b
        )
    assert caught.value.field == "region"


def test_county_admin_cannot_edit_an_agency_of_another_county(county_admin, regions):
    other = agency("岱岳区民政局")
    with pytest.raises(NotAllowedError):
        services.update_agency(actor=county_admin, agency=other, name="改名", kind=other.kind, region=other.region)


def test_password_of_factory_users_is_known(village_director):
    assert village_director.check_password(TEST_PASSWORD)
    assert UserFactory.build().username
