"""Read-outs of reports: the front door's queue and its figures, a filer's own reports, the clocks
of a report (deadline, lateness) and the child as the matching engine reads the report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shouhu.intake import rules, selectors, services
from shouhu.intake.choices import Channel, ReporterType, Situation, Urgency
from shouhu.intake.models import Report
from shouhu.policy import selectors as policy_selectors
from shouhu.policy import services as policy_services
from shouhu.registry.choices import Sex
from shouhu.registry.facts import Reason
from shouhu.registry.tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)


def file(actor, region, id_number: str = "", **data) -> Report:
    values = {
        "channel": Channel.MANDATORY,
        "reporter_type": ReporterType.SCHOOL,
        "description": "孩子身上多处淤青",
        "situations": [Situation.VIOLENCE_SIGNS],
        **data,
    }
    return services.file_report(actor=actor, region=region, data=values, id_number=id_number)


def shift(report: Report, **fields) -> Report:
    """Move a report's clocks (a report received earlier, a deadline passed)."""
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


def names(reports) -> list[str]:
    return [r.child_name for r in reports]


@pytest.fixture
def world(regions, actors):
    """Reports of county A — one overdue, one emergency, one ordinary, two triaged — and one of county B."""
    school = actors["mandated_reporter"]
    now = timezone.now()
    ordinary = shift(file(school, regions.village_a1a, child_name="张三"), received_at=now - timedelta(minutes=1))
    emergency = file(school, regions.village_a1b, child_name="李四", immediate_danger=True)
    overdue = shift(
        file(school, regions.village_a2a, child_name="王五"),
        received_at=now - timedelta(hours=30),
        triage_due_at=now - timedelta(hours=6),
    )
    old_triaged = shift(file(school, regions.village_a1a, child_name="赵六"), received_at=now - timedelta(days=3))
    new_triaged = shift(
        file(school, regions.village_a1a, child_name="钱七", immediate_danger=True),
        received_at=now - timedelta(days=1),
    )
    services.triage(actor=actors["intake_officer"], report=old_triaged, urgency=Urgency.ORDINARY)
    services.triage(actor=actors["intake_officer"], report=new_triaged, urgency=Urgency.EMERGENCY)
    county_b = file(actors["other_county_caseworker"], regions.village_b1a, child_name="孙八", channel=Channel.HOTLINE)
    return {
        "ordinary": ordinary,
        "emergency": emergency,
        "overdue": overdue,
        "old_triaged": old_triaged,
        "new_triaged": new_triaged,
        "county_b": county_b,
    }


# -- the queue -------------------------------------------------------------------------------------


def test_waiting_reports_come_by_deadline(world, intake_officer):
    assert names(selectors.queue(intake_officer)) == ["王五", "李四", "张三"]
    assert names(selectors.queue(intake_officer, state=selectors.WAITING)) == ["王五", "李四", "张三"]


def test_triaged_reports_come_newest_first(world, intake_officer):
    assert names(selectors.queue(intake_officer, state=selectors.TRIAGED)) == ["钱七", "赵六"]


def test_all_reports_come_newest_first(world, intake_officer):
    assert names(selectors.queue(intake_officer, state=selectors.ALL)) == ["李四", "张三", "钱七", "王五", "赵六"]


def test_the_queue_of_county_b_has_county_bs_reports_only(world, other_county_caseworker):
    assert names(selectors.queue(other_county_caseworker, state=selectors.ALL)) == ["孙八"]


def test_the_superusers_queue_has_every_report(world, superuser):
    assert set(selectors.queue(superuser, state=selectors.ALL)) == set(world.values())


@pytest.mark.parametrize("name", ["mandated_reporter", "village_director", "plan_monitor", "county_admin"])
def test_who_is_not_the_front_door_has_no_queue_even_of_their_own_reports(world, actors, name):
    for state in selectors.STATES:
        assert not selectors.queue(actors[name], state=state).exists()


def test_the_figures_of_the_queue(world, intake_officer, other_county_caseworker):
    figures = selectors.queue_figures(intake_officer)
    # Three wait; one is overdue; one is an emergency (the triaged emergency 钱七 does not count).
    assert figures == selectors.QueueFigures(waiting=3, overdue=1, emergencies=1)
    assert selectors.queue_figures(other_county_caseworker) == selectors.QueueFigures(
        waiting=1, overdue=0, emergencies=0
    )


@pytest.mark.parametrize("name", ["mandated_reporter", "department_liaison", "auditor", "city_admin"])
def test_who_is_not_the_front_door_has_no_figures(world, actors, name):
    assert selectors.queue_figures(actors[name]) is None


def test_mine_is_what_a_filer_filed_newest_first(world, mandated_reporter, intake_officer, regions):
    assert names(selectors.mine(mandated_reporter)) == ["李四", "张三", "钱七", "王五", "赵六"]
    own = file(intake_officer, regions.village_a1a, child_name="周九", channel=Channel.HOTLINE)
    assert list(selectors.mine(intake_officer)) == [own]


# -- the clocks ------------------------------------------------------------------------------------


def test_the_deadline_of_a_report_is_the_one_fixed_at_receipt_with_its_reason(world):
    due = selectors.due(world["emergency"])
    assert due.at == world["emergency"].triage_due_at
    assert due.emergency
    assert due.hours == 2
    assert due.reason == Reason(rules.DUE_EMERGENCY, {"hours": 2})
    overdue = selectors.due(world["overdue"])
    assert overdue.at == world["overdue"].triage_due_at
    assert overdue.overdue(timezone.now())
    assert overdue.reason == Reason(rules.DUE_ORDINARY, {"hours": 24})


def test_a_mandatory_report_made_long_after_the_discovery_is_late(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1a, discovered_at=timezone.now() - timedelta(hours=30, minutes=5))
    assert selectors.lateness(report) == Reason(rules.LATE, {"hours": 30, "limit": 24})


def test_a_mandatory_report_made_soon_after_the_discovery_is_not_late(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1a, discovered_at=timezone.now() - timedelta(hours=23))
    assert selectors.lateness(report) is None


def test_a_mandatory_report_with_no_time_of_discovery_is_not_late(regions, mandated_reporter):
    assert selectors.lateness(file(mandated_reporter, regions.village_a1a)) is None


@pytest.mark.parametrize("channel", [Channel.PUBLIC, Channel.HOTLINE, Channel.PATROL, Channel.REFERRAL])
def test_only_a_mandatory_report_is_ever_late(regions, intake_officer, channel):
    report = file(
        intake_officer, regions.village_a1a, channel=channel, discovered_at=timezone.now() - timedelta(days=5)
    )
    assert selectors.lateness(report) is None


def test_lateness_follows_the_setting(regions, city_admin, mandated_reporter):
    policy_services.set_policy_value(
        actor=city_admin,
        key="intake.late_mandatory_report_hours",
        value=48,
        effective_from=policy_selectors.today(),
        reason="泰安市民政局〔2026〕3号通知",
    )
    try:
        late = file(mandated_reporter, regions.village_a1a, discovered_at=timezone.now() - timedelta(hours=50))
        in_time = file(mandated_reporter, regions.village_a1a, discovered_at=timezone.now() - timedelta(hours=30))
        assert selectors.lateness(late) == Reason(rules.LATE, {"hours": 50, "limit": 48})
        assert selectors.lateness(in_time) is None
    finally:
        policy_selectors._thread.uncommitted = False
        policy_selectors.invalidate()


# -- the child as the report describes them --------------------------------------------------------


def test_the_person_record_of_a_full_description(regions, mandated_reporter):
    number = valid_id_number(BORN, Sex.MALE)
    report = file(
        mandated_reporter,
        regions.village_a1a,
        id_number=number,
        child_name="王晓明",
        child_other_name="明明",
        child_sex=Sex.MALE,
        child_birth_date=BORN,
        child_address="东湖社区3号楼",
        place="岱庙小学",
        guardian_name="王建国",
        contact_phone="13900000001",
    )
    record = selectors.person_record(report)
    assert record.names == ("王晓明", "明明")
    assert record.sex == Sex.MALE
    assert record.birth_date == BORN
    assert record.age is None
    assert record.on is None
    assert record.id_number == number
    assert record.region_code == regions.village_a1a.code
    assert record.address == "东湖社区3号楼"
    assert record.guardian_names == ("王建国",)
    assert record.phones == ("13900000001",)


def test_the_person_record_of_a_sketchy_description(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1b, child_other_name="小明", child_age=9, place="西湖公园")
    record = selectors.person_record(report)
    assert record.names == ("小明",)
    assert record.sex is None
    assert record.birth_date is None
    assert record.age == 9
    assert record.on == timezone.localdate(report.received_at)
    assert record.id_number == ""
    assert record.region_code == regions.village_a1b.code
    assert record.address == "西湖公园"  # no address told: the place stands in
    assert record.guardian_names == ()
    assert record.phones == ()


def test_an_age_given_with_a_birth_date_is_not_used(regions, mandated_reporter):
    # The form refuses both; a service caller may still pass both: the date wins.
    report = file(mandated_reporter, regions.village_a1a, child_name="王晓明", child_birth_date=BORN, child_age=3)
    record = selectors.person_record(report)
    assert record.birth_date == BORN
    assert record.age is None
    assert record.on is None


def test_a_malformed_number_is_given_to_the_engine_as_typed(regions, mandated_reporter):
    typed = valid_id_number(BORN, Sex.MALE)[:17]
    report = file(mandated_reporter, regions.village_a1a, id_number=typed)
    assert selectors.person_record(report).id_number == typed


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"child_name": "王晓明"}, True),
        ({"child_other_name": "小明"}, True),
        ({"child_birth_date": BORN}, True),
        ({"id_number": "370902201603021234"}, True),
        ({}, False),
        ({"child_age": 9, "child_sex": Sex.MALE, "guardian_name": "王建国", "contact_phone": "13900000001"}, False),
    ],
)
def test_describes_someone_needs_a_name_a_date_or_a_number(regions, mandated_reporter, fields, expected):
    report = file(mandated_reporter, regions.village_a1a, **fields)
    assert selectors.describes_someone(report) is expected


def test_a_report_filed_before_a_move_leaves_the_queue_of_the_new_jurisdiction(regions, intake_officer):
    report = services.file_report(
        actor=intake_officer,
        region=regions.village_a1a,
        data={"channel": "hotline", "reporter_type": "public", "description": "来电"},
    )
    intake_officer.jurisdiction = regions.county_b
    intake_officer.save()
    assert report not in selectors.queue(intake_officer, state=selectors.ALL)
    figures = selectors.queue_figures(intake_officer)
    assert figures is not None
    assert figures.waiting == 0
    assert report in selectors.mine(intake_officer)  # still theirs to follow
