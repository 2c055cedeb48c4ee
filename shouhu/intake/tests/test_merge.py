"""A report linked to a child's file follows a merge of that file (matching.services.merge) and
goes back when the merge is undone (matching.services.unmerge)."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from shouhu.intake import services
from shouhu.intake.choices import Channel, Identification, ReporterType, Situation
from shouhu.intake.models import Report
from shouhu.matching import merging
from shouhu.matching import services as matching
from shouhu.matching.models import MergedRow
from shouhu.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)
REASON = "同一儿童：姓名同音，出生日期相同，监护人相同"
UNDO = "核实为两名儿童"


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
def files(regions):
    """Two files of one child in 东湖社区 (county A): the one to keep and the one merged into it."""
    keep = ChildFactory.create(name="王小明", birth_date=BORN, village=regions.village_a1a)
    other = ChildFactory.create(name="王晓明", birth_date=BORN, village=regions.village_a1a)
    return keep, other


def linked(actor, report: Report, child) -> Report:
    return services.identify(actor=actor, report=report, child=child, note="出生日期一致")


def report_rows(record):
    """The rows of reports that ``record`` (a merge) recorded."""
    return MergedRow.objects.filter(merge=record, content_type=ContentType.objects.get_for_model(Report))


def test_reports_are_a_link_that_merges_follow():
    link = merging.link_for(Report, "child")
    assert link is not None
    assert link in merging.registered_links()
    assert link.village_field is None  # a report keeps the region where the child was seen


def test_a_report_of_the_merged_file_moves_to_the_kept_file_and_back(
    regions, files, mandated_reporter, intake_officer, county_caseworker
):
    keep, other = files
    report = linked(intake_officer, file(mandated_reporter, regions.village_a1a), other)

    record = matching.merge(actor=county_caseworker, keep=keep, other=other, reason=REASON)

    report.refresh_from_db()
    assert report.child == keep
    assert report.identification == Identification.LINKED
    assert report.identified_by == intake_officer
    assert report.region == regions.village_a1a
    row = report_rows(record).get()
    assert (row.object_id, row.from_child, row.to_child, row.moved) == (report.pk, other.pk, keep.pk, True)
    moved = LogEntry.objects.get_for_object(report).order_by("timestamp", "pk").last()
    assert moved.actor == county_caseworker
    assert moved.changes_dict["child"] == [str(other.pk), str(keep.pk)]
    assert moved.additional_data["reason"] == REASON

    matching.unmerge(actor=county_caseworker, merge=record, reason=UNDO)

    report.refresh_from_db()
    assert report.child == other
    assert report.identification == Identification.LINKED
    row.refresh_from_db()
    assert row.returned


def test_reports_of_the_kept_file_and_unlinked_reports_stay_where_they_are(
    regions, files, mandated_reporter, intake_officer, county_caseworker
):
    keep, other = files
    of_keep = linked(intake_officer, file(mandated_reporter, regions.village_a1a), keep)
    of_other = linked(intake_officer, file(mandated_reporter, regions.village_a1b), other)
    pending = file(mandated_reporter, regions.village_a1a)
    none_on_file = services.not_on_file(actor=intake_officer, report=file(mandated_reporter, regions.village_a1a))

    record = matching.merge(actor=county_caseworker, keep=keep, other=other, reason=REASON)

    assert set(keep.reports.all()) == {of_keep, of_other}
    assert not other.reports.exists()
    assert list(report_rows(record).values_list("object_id", flat=True)) == [of_other.pk]
    matching.unmerge(actor=county_caseworker, merge=record, reason=UNDO)
    assert list(keep.reports.all()) == [of_keep]
    assert list(other.reports.all()) == [of_other]
    for report in (pending, none_on_file):
        report.refresh_from_db()
        assert report.child is None


def test_a_report_unlinked_since_the_merge_is_not_given_back(
    regions, files, mandated_reporter, intake_officer, county_caseworker
):
    keep, other = files
    report = linked(intake_officer, file(mandated_reporter, regions.village_a1a), other)
    record = matching.merge(actor=county_caseworker, keep=keep, other=other, reason=REASON)
    services.not_on_file(actor=intake_officer, report=report, note="家长确认不是同一个孩子")

    matching.unmerge(actor=county_caseworker, merge=record, reason=UNDO)

    report.refresh_from_db()
    assert report.child is None
    assert report.identification == Identification.NOT_ON_FILE
    assert not report_rows(record).get().returned
