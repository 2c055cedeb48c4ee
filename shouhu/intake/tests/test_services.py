"""The actions on a report: file it (receipt code, clock, identity number, history), identify its
child, say no file is on record, triage it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from django.utils.translation import override

from shouhu.core import crypto
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.intake import rules, services
from shouhu.intake.choices import Channel, Identification, ReporterType, Situation, Urgency
from shouhu.intake.models import Report
from shouhu.policy import selectors as policy_selectors
from shouhu.policy import services as policy_services
from shouhu.registry import idnumber
from shouhu.registry.choices import Sex
from shouhu.registry.services import id_number_lookup_hash
from shouhu.registry.tests.factories import ChildFactory, valid_id_number

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)
DECISION = "泰安市民政局〔2026〕3号通知"


def file(actor, region, id_number: str = "", **data) -> Report:
    values = {
        "channel": Channel.MANDATORY,
        "reporter_type": ReporterType.SCHOOL,
        "description": "孩子身上多处淤青，说是被父亲打的",
        "situations": [Situation.VIOLENCE_SIGNS],
        **data,
    }
    return services.file_report(actor=actor, region=region, data=values, id_number=id_number)


@pytest.fixture
def report(regions, mandated_reporter) -> Report:
    return file(mandated_reporter, regions.village_a1a, child_name="王晓明", child_age=9, child_sex=Sex.MALE)


@pytest.fixture
def _policy_store_reset():
    """A setting written in the test's transaction makes the store reread until commit: undo that after."""
    yield
    policy_selectors._thread.uncommitted = False
    policy_selectors.invalidate()


def history(report: Report) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(report).order_by("timestamp", "pk"))


# -- filing ----------------------------------------------------------------------------------------


def test_a_filed_report_gets_a_well_formed_receipt_code_of_its_own(regions, mandated_reporter):
    reports = [file(mandated_reporter, regions.village_a1a) for _ in range(5)]
    codes = [r.receipt_code for r in reports]
    assert all(rules.format_receipt(code) == code for code in codes)
    assert len(set(codes)) == len(codes)
    assert set(Report.objects.values_list("receipt_code", flat=True)) == set(codes)


def test_a_receipt_code_drawn_twice_is_drawn_again(regions, mandated_reporter, report, monkeypatch):
    draws = iter([report.receipt_code, "K7QM-3XWP-9DHT"])
    monkeypatch.setattr(rules, "new_receipt_code", lambda: next(draws))
    again = file(mandated_reporter, regions.village_a1b)
    assert again.receipt_code == "K7QM-3XWP-9DHT"
    assert Report.objects.count() == 2


def test_a_report_is_received_now_by_whoever_filed_it(regions, mandated_reporter):
    before = timezone.now()
    report = file(mandated_reporter, regions.village_a1a)
    after = timezone.now()
    report.refresh_from_db()
    assert before <= report.received_at <= after
    assert report.created_by == mandated_reporter
    assert report.region == regions.village_a1a
    assert report.identification == Identification.PENDING
    assert report.urgency == ""


def test_the_triage_clock_takes_the_default_settings(regions, mandated_reporter):
    ordinary = file(mandated_reporter, regions.village_a1a)
    emergency = file(mandated_reporter, regions.village_a1a, immediate_danger=True)
    assert ordinary.triage_due_at - ordinary.received_at == timedelta(hours=24)
    assert emergency.triage_due_at - emergency.received_at == timedelta(hours=2)


@pytest.mark.usefixtures("_policy_store_reset")
def test_a_changed_setting_sets_the_clock_of_reports_received_from_its_day_on(regions, city_admin, mandated_reporter):
    today = policy_selectors.today()
    policy_services.set_policy_value(
        actor=city_admin, key="intake.triage_hours", value=12, effective_from=today, reason=DECISION
    )
    policy_services.set_policy_value(
        actor=city_admin, key="intake.emergency_triage_hours", value=1, effective_from=today, reason=DECISION
    )
    ordinary = file(mandated_reporter, regions.village_a1a)
    emergency = file(mandated_reporter, regions.village_a1a, immediate_danger=True)
    assert ordinary.triage_due_at - ordinary.received_at == timedelta(hours=12)
    assert emergency.triage_due_at - emergency.received_at == timedelta(hours=1)


@pytest.mark.usefixtures("_policy_store_reset")
def test_a_setting_that_applies_from_tomorrow_does_not_change_todays_clock(regions, city_admin, mandated_reporter):
    policy_services.set_policy_value(
        actor=city_admin,
        key="intake.triage_hours",
        value=12,
        effective_from=policy_selectors.today() + timedelta(days=1),
        reason=DECISION,
    )
    report = file(mandated_reporter, regions.village_a1a)
    assert report.triage_due_at - report.received_at == timedelta(hours=24)


def test_a_village_outside_the_filers_county_is_refused(regions, mandated_reporter):
    with pytest.raises(DomainError) as raised:
        file(mandated_reporter, regions.village_b1a)
    assert raised.value.field == "region"
    with override("en"):
        assert str(raised.value.message) == "Choose a village of your county."
    assert not Report.objects.exists()


def test_a_county_caseworker_files_for_every_village_of_the_county_and_none_other(regions, county_caseworker):
    assert file(county_caseworker, regions.village_a2a, channel=Channel.HOTLINE).region == regions.village_a2a
    for village in (regions.village_b1a, regions.other_city_county):
        with pytest.raises(DomainError) as raised:
            file(county_caseworker, village, channel=Channel.HOTLINE)
        assert raised.value.field == "region"
    assert Report.objects.count() == 1


def test_the_superuser_files_anywhere(regions, superuser):
    assert file(superuser, regions.village_b1a, channel=Channel.HOTLINE).region == regions.village_b1a


def test_a_discovery_in_the_future_is_refused_and_one_in_the_past_kept(regions, mandated_reporter):
    with pytest.raises(DomainError) as raised:
        file(mandated_reporter, regions.village_a1a, discovered_at=timezone.now() + timedelta(minutes=5))
    assert raised.value.field == "discovered_at"
    assert not Report.objects.exists()
    yesterday = timezone.now() - timedelta(days=1)
    report = file(mandated_reporter, regions.village_a1a, discovered_at=yesterday)
    report.refresh_from_db()
    assert report.discovered_at == yesterday


def test_a_valid_identity_number_is_stored_encrypted_with_its_hash_and_mask(regions, mandated_reporter):
    number = valid_id_number(BORN, Sex.MALE)
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    report = file(mandated_reporter, regions.village_a1a, id_number=typed)
    report.refresh_from_db()
    assert number not in report.id_number_cipher
    assert crypto.decrypt(report.id_number_cipher) == number
    assert report.id_number_hash
    assert report.id_number_hash == id_number_lookup_hash(number)
    assert report.id_number_mask == number[:4] + "*" * 10 + number[-4:]
    # The keyed hash is the registry's: the file with that number is found by it.
    child = ChildFactory.create(birth_date=BORN, id_number=number)
    assert child.id_number_hash == report.id_number_hash


def test_a_malformed_identity_number_is_kept_masked_without_a_hash(regions, mandated_reporter):
    typed = valid_id_number(BORN, Sex.MALE)[:17]  # a digit short
    report = file(mandated_reporter, regions.village_a1a, id_number=typed)
    report.refresh_from_db()
    assert report.id_number_hash == ""
    assert crypto.decrypt(report.id_number_cipher) == typed
    assert report.id_number_mask == idnumber.mask(typed) == typed[:4] + "*" * 9 + typed[-4:]


def test_no_identity_number_stores_nothing(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1a, id_number="   ")
    report.refresh_from_db()
    assert (report.id_number_cipher, report.id_number_hash, report.id_number_mask) == ("", "", "")


def test_situations_are_kept_once_each_in_the_order_given(regions, mandated_reporter):
    report = file(
        mandated_reporter,
        regions.village_a1a,
        situations=[Situation.ABANDONED, Situation.VIOLENCE_SIGNS, Situation.ABANDONED, Situation.VIOLENCE_SIGNS],
    )
    report.refresh_from_db()
    assert report.situations == [Situation.ABANDONED, Situation.VIOLENCE_SIGNS]


def test_a_report_with_nothing_but_a_description_is_received(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1a, situations=[])
    report.refresh_from_db()
    assert report.situations == []
    assert report.child_name == ""
    assert report.triage_due_at is not None


def test_only_the_fields_of_a_report_are_taken_from_the_data(regions, mandated_reporter, intake_officer, report):
    other = file(
        mandated_reporter,
        regions.village_a1a,
        urgency=Urgency.NO_ACTION,
        triage_note="自己关闭",
        created_by=intake_officer,
        child=None,
        receipt_code="AAAA-AAAA-AAAA",
        child_age=None,
    )
    other.refresh_from_db()
    assert other.urgency == ""
    assert other.triage_note == ""
    assert other.created_by == mandated_reporter
    assert other.receipt_code != "AAAA-AAAA-AAAA"
    assert other.child_age is None


def test_the_reporting_unit_is_the_filers_agency_for_a_mandatory_report_only(
    regions, mandated_reporter, intake_officer
):
    mandatory = file(mandated_reporter, regions.village_a1a)
    assert mandatory.reporter_agency == mandated_reporter.agency
    hotline = file(intake_officer, regions.village_a1a, channel=Channel.HOTLINE, reporter_type=ReporterType.PUBLIC)
    assert hotline.reporter_agency is None


def test_filing_is_in_the_history_with_the_filer_and_without_the_cipher(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1a, id_number=valid_id_number(BORN, Sex.MALE))
    created = LogEntry.objects.get_for_object(report).get()
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == mandated_reporter
    assert created.additional_data["region_code"] == regions.village_a1a.code
    changes = created.changes_dict
    assert "receipt_code" in changes
    assert "description" in changes
    assert "id_number_cipher" not in changes
    assert "id_number_hash" not in changes


def test_two_reports_filed_by_two_people_are_each_attributed(regions, mandated_reporter, village_director):
    first = file(mandated_reporter, regions.village_a1a)
    second = file(village_director, regions.village_a1a, channel=Channel.PATROL)
    assert LogEntry.objects.get_for_object(first).get().actor == mandated_reporter
    assert LogEntry.objects.get_for_object(second).get().actor == village_director


# -- identifying the child -------------------------------------------------------------------------


def test_the_front_door_links_the_report_to_a_file_it_sees(regions, intake_officer, report):
    child = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    before = timezone.now()
    services.identify(actor=intake_officer, report=report, child=child, note="出生日期与监护人一致")
    report.refresh_from_db()
    assert report.child == child
    assert report.identification == Identification.LINKED
    assert report.identified_by == intake_officer
    assert report.identified_at >= before
    assert report.identification_note == "出生日期与监护人一致"
    assert list(child.reports.all()) == [report]
    entry = history(report)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == intake_officer
    assert entry.additional_data["reason"] == "出生日期与监护人一致"


def test_a_file_the_actor_cannot_see_is_not_linked(regions, intake_officer, report):
    elsewhere = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_b1a)
    with pytest.raises(NotAllowedError):
        services.identify(actor=intake_officer, report=report, child=elsewhere)
    report.refresh_from_db()
    assert report.child is None
    assert report.identification == Identification.PENDING


@pytest.mark.parametrize("name", ["mandated_reporter", "village_director", "other_county_caseworker", "auditor"])
def test_only_the_front_door_of_the_report_identifies_its_child(regions, actors, report, name):
    child = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    with pytest.raises(NotAllowedError):
        services.identify(actor=actors[name], report=report, child=child)
    with pytest.raises(NotAllowedError):
        services.not_on_file(actor=actors[name], report=report, note="查无此人")
    report.refresh_from_db()
    assert report.child is None
    assert report.identification == Identification.PENDING


def test_no_file_on_record_undoes_a_link(regions, intake_officer, county_caseworker, report):
    child = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    services.identify(actor=intake_officer, report=report, child=child)
    services.not_on_file(actor=county_caseworker, report=report, note="家长确认不是同一个孩子")
    report.refresh_from_db()
    assert report.child is None
    assert report.identification == Identification.NOT_ON_FILE
    assert report.identified_by == county_caseworker
    assert report.identification_note == "家长确认不是同一个孩子"
    entry = history(report)[-1]
    assert entry.actor == county_caseworker
    assert entry.additional_data["reason"] == "家长确认不是同一个孩子"


# -- triage ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   \n"])
def test_closing_a_report_needs_a_note(intake_officer, report, note):
    with pytest.raises(DomainError) as raised:
        services.triage(actor=intake_officer, report=report, urgency=Urgency.NO_ACTION, note=note)
    assert raised.value.field == "note"
    with override("en"):
        assert str(raised.value.message) == "Say why this is not a child-protection matter."
    report.refresh_from_db()
    assert report.urgency == ""
    assert report.triaged_by is None


def test_a_report_is_closed_with_its_note(intake_officer, report):
    services.triage(actor=intake_officer, report=report, urgency=Urgency.NO_ACTION, note="  成年人，非儿童保护事项 ")
    report.refresh_from_db()
    assert report.urgency == Urgency.NO_ACTION
    assert report.triage_note == "成年人，非儿童保护事项"


@pytest.mark.parametrize("urgency", ["", "later", "EMERGENCY"])
def test_an_unknown_urgency_is_refused(intake_officer, report, urgency):
    with pytest.raises(DomainError) as raised:
        services.triage(actor=intake_officer, report=report, urgency=urgency, note="x")
    assert raised.value.field == "urgency"
    report.refresh_from_db()
    assert report.urgency == ""


@pytest.mark.parametrize("name", ["mandated_reporter", "other_county_caseworker", "county_admin"])
def test_only_the_front_door_of_the_report_triages_it(actors, report, name):
    with pytest.raises(NotAllowedError):
        services.triage(actor=actors[name], report=report, urgency=Urgency.EMERGENCY)
    report.refresh_from_db()
    assert report.urgency == ""


def test_a_triage_changed_later_keeps_both_in_the_history(intake_officer, county_caseworker, report):
    services.triage(actor=intake_officer, report=report, urgency=Urgency.ORDINARY, note="先评估")
    services.triage(actor=county_caseworker, report=report, urgency=Urgency.EMERGENCY, note="再次来电：正在挨打")
    report.refresh_from_db()
    assert report.urgency == Urgency.EMERGENCY
    assert report.triaged_by == county_caseworker
    assert report.triage_note == "再次来电：正在挨打"
    updates = [e for e in history(report) if e.action == LogEntry.Action.UPDATE]
    assert [(e.actor, e.changes_dict["urgency"]) for e in updates] == [
        (intake_officer, ["", Urgency.ORDINARY]),
        (county_caseworker, [Urgency.ORDINARY, Urgency.EMERGENCY]),
    ]


def test_the_reporters_name_and_phone_stay_out_of_the_change_history(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1a, reporter_name="杨春梅", reporter_phone="13912345678")
    (entry,) = history(report)
    assert "reporter_name" not in entry.changes_dict
    assert "reporter_phone" not in entry.changes_dict
    assert "杨春梅" not in str(entry.changes)
    assert "13912345678" not in str(entry.changes)
    assert "description" in entry.changes_dict  # the rest of the report is versioned


def test_an_over_long_malformed_number_is_masked_at_both_ends(regions, mandated_reporter):
    report = file(mandated_reporter, regions.village_a1a, id_number="37090220160302123456")
    assert report.id_number_mask == "3709**********3456"
    assert report.id_number_hash == ""


def test_a_merged_file_is_never_linked(regions, intake_officer, report):
    merged = ChildFactory.create(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    merged.status = "merged"
    merged.save()
    with override("en"), pytest.raises(DomainError, match="merged into another"):
        services.identify(actor=intake_officer, report=report, child=merged)
    report.refresh_from_db()
    assert report.identification == Identification.PENDING
