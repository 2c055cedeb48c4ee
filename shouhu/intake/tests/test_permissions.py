"""Who files, who sees, who triages: ReportPolicy, front_door_scope and filing_scope."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shouhu.accounts.choices import Role
from shouhu.accounts.tests.factories import UserFactory
from shouhu.core.errors import NotAllowedError
from shouhu.core.policy import CREATE, VIEW, policy_for
from shouhu.intake import permissions, services
from shouhu.intake.choices import Channel, ReporterType, Situation
from shouhu.intake.models import Report
from shouhu.intake.permissions import IDENTIFY, SEE_REPORTER, TRIAGE

pytestmark = pytest.mark.django_db

COUNTY_A = "370902000000"
COUNTY_B = "370911000000"
FILERS = {
    "village_director",
    "other_village_director",
    "township_supervisor",
    "other_township_supervisor",
    "county_caseworker",
    "other_county_caseworker",
    "intake_officer",
    "department_liaison",
    "mandated_reporter",
    "superuser",
}
NOT_FILERS = {"plan_monitor", "auditor", "county_admin", "other_county_admin", "city_admin"}
FRONT_DOOR_A = {"county_caseworker", "intake_officer", "superuser"}
FRONT_DOOR_B = {"other_county_caseworker", "superuser"}


def file(actor, region, **data) -> Report:
    values = {
        "channel": Channel.MANDATORY,
        "reporter_type": ReporterType.SCHOOL,
        "description": "孩子身上多处淤青",
        "situations": [Situation.VIOLENCE_SIGNS],
        **data,
    }
    return services.file_report(actor=actor, region=region, data=values)


@pytest.fixture
def reports(regions, actors) -> dict[str, Report]:
    """A report of county A by the school, one of county A by the police liaison, one of county B."""
    return {
        "school_a": file(actors["mandated_reporter"], regions.village_a1a),
        "police_a": file(actors["department_liaison"], regions.village_a2a, channel=Channel.REFERRAL),
        "county_b": file(actors["other_county_caseworker"], regions.village_b1a, channel=Channel.HOTLINE),
    }


def test_everyone_is_in_the_test_world(actors):
    assert set(actors) == FILERS | NOT_FILERS


# -- scopes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("intake_officer", COUNTY_A),
        ("county_caseworker", COUNTY_A),
        ("other_county_caseworker", COUNTY_B),
        ("superuser", ""),
        ("village_director", None),
        ("township_supervisor", None),
        ("department_liaison", None),
        ("mandated_reporter", None),
        ("plan_monitor", None),
        ("auditor", None),
        ("county_admin", None),
        ("city_admin", None),
    ],
)
def test_front_door_scope(actors, name, expected):
    assert permissions.front_door_scope(actors[name]) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # A village's and a township's filers report for the villages of their county.
        ("village_director", COUNTY_A),
        ("other_village_director", COUNTY_A),
        ("township_supervisor", COUNTY_A),
        ("other_township_supervisor", COUNTY_A),
        ("mandated_reporter", COUNTY_A),  # a school of township A1
        ("county_caseworker", COUNTY_A),
        ("intake_officer", COUNTY_A),
        ("department_liaison", COUNTY_A),
        ("other_county_caseworker", COUNTY_B),
        ("superuser", ""),
        ("plan_monitor", None),
        ("auditor", None),
        ("county_admin", None),
        ("other_county_admin", None),
        ("city_admin", None),
    ],
)
def test_filing_scope(actors, name, expected):
    assert permissions.filing_scope(actors[name]) == expected
    assert permissions.may_file(actors[name]) is (expected is not None)


def test_nobody_inactive_or_anonymous_has_a_scope(actors):
    intake_officer = actors["intake_officer"]
    intake_officer.is_active = False
    assert permissions.front_door_scope(intake_officer) is None
    assert permissions.filing_scope(intake_officer) is None
    assert permissions.front_door_scope(AnonymousUser()) is None
    assert permissions.filing_scope(AnonymousUser()) is None


def test_a_front_door_role_without_a_jurisdiction_has_no_front_door(regions):
    nowhere = UserFactory.create(roles=[Role.INTAKE_OFFICER], jurisdiction=None, agency=None)
    assert permissions.front_door_scope(nowhere) is None
    assert permissions.filing_scope(nowhere) is None


# -- who sees which report -------------------------------------------------------------------------

SEES = {
    "village_director": set(),
    "other_village_director": set(),
    "township_supervisor": set(),
    "other_township_supervisor": set(),
    "county_caseworker": {"school_a", "police_a"},
    "other_county_caseworker": {"county_b"},
    "intake_officer": {"school_a", "police_a"},
    "department_liaison": {"police_a"},
    "mandated_reporter": {"school_a"},
    "plan_monitor": set(),
    "auditor": set(),
    "county_admin": set(),
    "other_county_admin": set(),
    "city_admin": set(),
    "superuser": {"school_a", "police_a", "county_b"},
}


@pytest.mark.parametrize("name", sorted(SEES))
def test_who_sees_which_report(actors, reports, name):
    policy = policy_for(Report)
    user = actors[name]
    visible = set(policy.visible(user).values_list("pk", flat=True))
    assert visible == {reports[key].pk for key in SEES[name]}
    for key, report in reports.items():
        assert policy.can(user, VIEW, report) is (key in SEES[name])


def test_the_front_door_of_the_city_sees_both_counties(regions, reports):
    city_officer = UserFactory.create(roles=[Role.INTAKE_OFFICER], jurisdiction=regions.city, agency=None)
    assert permissions.front_door_scope(city_officer) == "370900000000"
    assert set(policy_for(Report).visible(city_officer)) == set(reports.values())


def test_a_village_director_sees_their_own_report_of_another_village_and_its_director_does_not(regions, actors):
    report = file(actors["village_director"], regions.village_a1b, channel=Channel.PATROL)
    assert list(policy_for(Report).visible(actors["village_director"])) == [report]
    assert not policy_for(Report).visible(actors["other_village_director"]).exists()
    assert not policy_for(Report).can(actors["village_director"], TRIAGE, report)


def test_nobody_inactive_or_anonymous_sees_a_report(actors, reports):
    policy = policy_for(Report)
    assert not policy.visible(AnonymousUser()).exists()
    intake_officer = actors["intake_officer"]
    intake_officer.is_active = False
    assert not policy.visible(intake_officer).exists()
    assert not policy.can(intake_officer, TRIAGE, reports["school_a"])


# -- who triages, identifies the child and sees the reporter --------------------------------------


@pytest.mark.parametrize("action", [TRIAGE, IDENTIFY, SEE_REPORTER])
@pytest.mark.parametrize("name", sorted(SEES))
def test_only_the_front_door_of_the_reports_region_handles_it(actors, reports, name, action):
    policy = policy_for(Report)
    user = actors[name]
    assert policy.can(user, action, reports["school_a"]) is (name in FRONT_DOOR_A)
    assert policy.can(user, action, reports["police_a"]) is (name in FRONT_DOOR_A)
    assert policy.can(user, action, reports["county_b"]) is (name in FRONT_DOOR_B)
    assert permissions.handles(user, reports["county_b"]) is (name in FRONT_DOOR_B)


@pytest.mark.parametrize("name", sorted(SEES))
def test_the_front_door_in_general_is_the_front_doors(actors, name):
    expected = name in FRONT_DOOR_A | FRONT_DOOR_B
    assert policy_for(Report).can(actors[name], TRIAGE) is expected
    assert policy_for(Report).can(actors[name], IDENTIFY) is expected


def test_the_filer_of_a_report_neither_triages_it_nor_sees_other_reporters(actors, reports):
    mandated_reporter = actors["mandated_reporter"]
    policy = policy_for(Report)
    assert policy.can(mandated_reporter, VIEW, reports["school_a"])
    assert not policy.can(mandated_reporter, TRIAGE, reports["school_a"])
    assert not policy.can(mandated_reporter, SEE_REPORTER, reports["school_a"])


# -- who files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FILERS | NOT_FILERS))
def test_who_may_file(actors, name):
    assert policy_for(Report).can(actors[name], CREATE) is (name in FILERS)


@pytest.mark.parametrize("name", sorted(NOT_FILERS))
def test_a_report_of_someone_who_may_not_file_is_refused(regions, actors, name):
    with pytest.raises(NotAllowedError):
        file(actors[name], regions.village_a1a)
    assert not Report.objects.exists()


def test_an_unknown_action_is_a_programming_error(actors):
    with pytest.raises(ValueError, match="unknown action"):
        policy_for(Report).can(actors["intake_officer"], "delete")
