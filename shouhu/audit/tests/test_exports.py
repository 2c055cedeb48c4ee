"""The xlsx exports: the filtered, visible entries, newest first, with formulas kept as text."""

from __future__ import annotations

import pytest
from django.utils import translation
from openpyxl import load_workbook

from shouhu.audit import exports
from shouhu.audit.models import AccessEvent
from shouhu.audit.selectors import search_access_events
from shouhu.audit.tests.factories import county_auditor, log_access

pytestmark = pytest.mark.django_db


def rows_of(writer):
    with writer.save() as handle:
        sheet = load_workbook(handle).active
        assert sheet is not None
        return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_the_access_log_export_holds_what_the_auditor_sees(actors, regions, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 2)  # several batches
    own = [log_access(actors["county_caseworker"], object_id=n, region_code="370902001001") for n in range(5)]
    log_access(actors["other_county_caseworker"], region_code="370911101201")
    auditor = county_auditor(regions.county_a)
    events = search_access_events(user=auditor, filters={})
    progress = []
    with translation.override("en"):
        writer = exports.write_access_log(events, total=events.count(), progress=lambda *a: progress.append(a[0]))
        rows = rows_of(writer)
    assert rows[0][:3] == ("No.", "Time", "User name")
    assert [row[0] for row in rows[1:]] == [e.seq for e in reversed(own)]
    assert rows[1][13] == own[-1].hash
    assert rows[1][1].tzinfo is None  # local time, as spreadsheets have no zones
    assert progress == [2, 4, 5]


def test_the_export_stops_at_its_limit(actors):
    for n in range(4):
        log_access(actors["county_caseworker"], object_id=n)
    writer = exports.write_access_log(AccessEvent.objects.all(), total=3, progress=lambda *a: None)
    assert writer.rows == 3
    assert len(rows_of(writer)) == 4


def test_formulas_and_control_characters_are_kept_as_harmless_text(actors):
    log_access(actors["county_caseworker"], summary='=HYPERLINK("http://evil","x")', reason="a\x07b")
    writer = exports.write_access_log(AccessEvent.objects.all(), total=1, progress=lambda *a: None)
    with writer.save() as handle:
        sheet = load_workbook(handle).active
        assert sheet is not None
        summary, reason = sheet.cell(row=2, column=9), sheet.cell(row=2, column=10)
    assert summary.data_type == "s"
    assert summary.value == '=HYPERLINK("http://evil","x")'
    assert reason.value == "ab"
