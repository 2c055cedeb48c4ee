"""Journeys of a report in a real browser: a teacher (a mandated reporter) reports on a phone a pupil
whose name she heard, not read ("王晓明, about 9", the issue's example) and gets a receipt code; the
intake officer finds such a report at the top of her queue, sees the file of 王小明 born 2016-03-02
come first with the evidence, links the report to it and triages it as an emergency."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from shouhu.intake import services
from shouhu.intake.choices import Channel, Identification, ReporterType, Situation, Urgency
from shouhu.intake.models import Report
from shouhu.matching import keys
from shouhu.registry.choices import Sex
from shouhu.registry.tests.factories import ChildFactory

BORN = date(2016, 3, 2)


def _no_script_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def _on_file(regions):
    wanted = ChildFactory.create(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    other = ChildFactory.create(name="李小红", sex=Sex.FEMALE, birth_date=BORN, village=regions.village_a1a)
    keys.refresh([wanted.pk, other.pk])
    return wanted, other


def test_a_teacher_reports_a_pupil_on_a_phone_and_gets_a_receipt_code(
    phone_page, login_as, mandated_reporter, regions, screenshot
):
    page = phone_page
    errors = _no_script_errors(page)
    _on_file(regions)
    login_as(page, mandated_reporter)
    # From her home page: what she saw, where, and the child as she heard the name.
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("intake:new")}"]').first.tap()
    form = page.locator("#report-form")
    form.locator('input[name="situations"][value="violence_signs"]').check()
    form.locator('input[name="immediate_danger"]').check()
    form.locator('textarea[name="description"]').fill("手臂和背部多处淤青，孩子说是在家里被打的")
    form.locator('select[name="region"]').select_option(regions.village_a1a.code)
    form.locator('input[name="child_name"]').fill("王晓明")
    form.locator('input[name="child_sex"][value="male"]').check()
    form.locator('input[name="child_age"]').fill("9")
    screenshot(page, "intake-report-phone")
    with page.expect_navigation():
        form.locator('button[type="submit"]').tap()

    report = Report.objects.get()
    assert report.immediate_danger
    expect(page.locator(".alert-success")).to_contain_text(report.receipt_code)
    # She sees what she sent and that it waits for triage, not the search of the registry.
    expect(page.locator("#intake-described")).to_contain_text("王晓明")
    expect(page.locator("#intake-due")).to_be_visible()
    expect(page.locator("#search-results")).to_have_count(0)
    expect(page.locator("#intake-reporter")).to_have_count(0)
    assert errors == []


@pytest.fixture
def pupil_report(regions, mandated_reporter):
    """A teacher's report of "王晓明, about 9", in danger now, with 王小明 and a girl born the same day on file."""
    wanted, other = _on_file(regions)
    report = services.file_report(
        actor=mandated_reporter,
        region=regions.village_a1a,
        data={
            "channel": Channel.MANDATORY,
            "reporter_type": ReporterType.SCHOOL,
            "situations": [Situation.VIOLENCE_SIGNS],
            "immediate_danger": True,
            "description": "手臂和背部多处淤青",
            "child_name": "王晓明",
            "child_sex": Sex.MALE,
            "child_age": 9,
            "reporter_name": "杨老师",
        },
    )
    return report, wanted, other


def test_the_intake_officer_finds_the_childs_file_links_the_report_and_triages_it(
    page, login_as, intake_officer, pupil_report, screenshot
):
    errors = _no_script_errors(page)
    report, wanted, other = pupil_report
    # The report is first in her queue, in danger now.
    login_as(page, intake_officer)
    page.locator("#shell-nav").locator(f'a[href="{reverse("intake:queue")}"]').click()
    row = page.locator(".intake-report-row").first
    expect(row).to_have_attribute("data-report", str(report.pk))
    expect(row).to_contain_text("王晓明")
    with page.expect_navigation():
        row.locator("a").click()

    # The file of 王小明 comes first, the name's evidence for it; the girl born the same day does not come.
    best = page.locator(".matching-candidate").first
    expect(best).to_have_attribute("data-candidate", str(wanted.pk))
    expect(best.locator('[data-field="name"][data-level="homophone"]')).to_have_attribute("data-direction", "for")
    expect(page.locator(f'.matching-candidate[data-candidate="{other.pk}"]')).to_have_count(0)
    expect(page.locator("#intake-reporter")).to_contain_text("杨老师")
    screenshot(page, "intake-report-identify")
    with page.expect_navigation():
        best.locator(".intake-link").click()
    expect(page.locator("#intake-identification")).to_have_attribute("data-state", "linked")
    expect(page.locator("#intake-linked")).to_contain_text("王小明")

    # Triage: an emergency, with a note.
    triage = page.locator("#intake-triage-form")
    triage.locator(f'input[name="urgency"][value="{Urgency.EMERGENCY}"]').check()
    triage.locator('textarea[name="note"]').fill("已通知派出所，儿童主任上门核实")
    with page.expect_navigation():
        triage.locator('button[type="submit"]').click()
    expect(page.locator("#intake-urgency")).to_have_text(re.compile("紧急"))
    report.refresh_from_db()
    assert (report.child_id, report.identification, report.urgency) == (
        wanted.pk,
        Identification.LINKED,
        Urgency.EMERGENCY,
    )
    assert errors == []
