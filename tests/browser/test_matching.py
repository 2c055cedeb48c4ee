"""Journeys of matching in a real browser: a caseworker searches on a phone for a child whose name was
heard, not read (a homophone), and sees the likely file with the evidence; then, at a desk, opens the
review queue, confirms a pair, merges the two files, sees the file kept, and undoes the merge."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse
from playwright.sync_api import Page, expect

from shouhu.audit.models import AccessEvent
from shouhu.matching import keys, services
from shouhu.matching.models import Merge, PairReview, ReviewStatus
from shouhu.registry.choices import FileStatus, Relation, Sex
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory, KinshipFactory, PersonFactory

BORN = date(2016, 3, 2)


def _no_script_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def _on_file(village, name: str, father: str, phone: str = "") -> Child:
    child = ChildFactory.create(name=name, sex=Sex.MALE, birth_date=BORN, village=village)
    person = PersonFactory.create(village=village, name=father, phone=phone)
    KinshipFactory.create(child=child, person=person, relation=Relation.FATHER)
    keys.refresh([child.pk])
    return child


def _confirm_and_merge(page: Page, first: Child, second: Child, screenshot) -> None:
    """On a pair's page: the two files side by side with the evidence; confirm, then merge into ``first``."""
    expect(page.locator(f'.matching-file[data-child="{first.pk}"]')).to_be_visible()
    expect(page.locator(f'.matching-file[data-child="{second.pk}"]')).to_be_visible()
    expect(page.locator('#evidence [data-field="guardian"]')).to_have_attribute("data-direction", "for")
    page.locator("#decision-form textarea[name='note']").fill("父亲相同，出生日期相同，名字同音")
    with page.expect_navigation():
        page.locator('#decision-form button[value="same"]').click()
    expect(page.locator("#pair-status")).to_have_attribute("data-status", "same")

    # Then merges them, keeping the first file.
    merge_form = page.locator("#merge-form")
    expect(merge_form).to_be_visible()
    merge_form.locator(f'input[name="keep"][value="{first.pk}"]').check()
    merge_form.locator('textarea[name="reason"]').fill("同一儿童在两个社区各登记了一次")
    screenshot(page, "matching-pair")
    with page.expect_navigation():
        merge_form.locator('button[type="submit"]').click()
    expect(page.locator("#merge-state")).to_have_attribute("data-in-force", "1")
    expect(page.locator("#merge-kept")).to_contain_text("王小明")
    expect(page.locator("#merge-moved")).not_to_be_empty()
    screenshot(page, "matching-merge")
    second.refresh_from_db()
    assert (second.status, second.merged_into_id) == (FileStatus.MERGED, first.pk)


def test_caseworker_finds_a_child_by_a_homophone_name_on_a_phone(
    phone_page, login_as, county_caseworker, regions, screenshot
):
    page = phone_page
    errors = _no_script_errors(page)
    wanted = _on_file(regions.village_a1a, "王小明", "王建国", "13812345678")
    _on_file(regions.village_a1a, "李小红", "李大山")  # same birth date, another child

    login_as(page, county_caseworker)
    page.goto(reverse("matching:search"))
    form = page.locator("#search-form")
    # Given what a child on the street says: a name heard (晓, not 小), the birth date and the father.
    form.locator('input[name="name"]').fill("王晓明")
    form.locator('input[name="sex"][value="male"]').check()
    form.locator('input[name="birth_date"]').fill(BORN.isoformat())
    form.locator('input[name="guardian_name"]').fill("王建国")
    with page.expect_navigation():
        form.locator('button[type="submit"]').tap()

    # Then the file of 王小明 comes first, 很可能 or 确定, with the evidence for it in green.
    best = page.locator(".matching-candidate").first
    expect(best).to_have_attribute("data-candidate", str(wanted.pk))
    assert best.get_attribute("data-band") in ("certain", "likely")
    expect(best.locator(".matching-band")).to_have_text(re.compile("确定|很可能"))
    name_line = best.locator('[data-field="name"][data-level="homophone"]')
    expect(name_line).to_have_attribute("data-direction", "for")
    expect(name_line).to_contain_text("王晓明")
    # How common the name is, said after it (two records on file sound like 王晓明: a rare name).
    expect(best.locator('[data-field="name"][data-level="rare"]')).to_have_attribute("data-direction", "for")
    expect(best.locator('[data-field="guardian"]')).to_contain_text("王建国")
    expect(best.locator('[data-field="guardian"]')).to_have_attribute("data-direction", "for")
    screenshot(page, "matching-search-phone")
    # The form keeps what was typed, and the search is in the access log.
    expect(form.locator('input[name="name"]')).to_have_value("王晓明")
    assert AccessEvent.objects.filter(actor=county_caseworker, action="search", object_type="registry.child").exists()

    # The candidate opens the child's file.
    with page.expect_navigation():
        best.locator(".matching-name").tap()
    expect(page.locator("#child-name")).to_have_text("王小明")
    assert errors == []


def test_caseworker_confirms_a_pair_merges_the_files_and_undoes_the_merge(
    page, login_as, county_caseworker, regions, screenshot
):
    errors = _no_script_errors(page)
    first = _on_file(regions.village_a1a, "王小明", "王建国", "13812345678")
    second = _on_file(regions.village_a1b, "王晓明", "王建国")
    mother = PersonFactory.create(village=regions.village_a1b, name="李秀英")
    KinshipFactory.create(child=second, person=mother, relation=Relation.MOTHER)
    review = services.propose_pair(actor=county_caseworker, child_a=first, child_b=second)

    login_as(page, county_caseworker)
    page.locator("#shell-nav").locator(f'a[href="{reverse("matching:reviews")}"]').click()
    row = page.locator(f'.matching-pair-row[data-pair="{review.pk}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("王小明")
    expect(row).to_contain_text("王晓明")
    screenshot(page, "matching-queue")
    with page.expect_navigation():
        row.locator("a").click()

    _confirm_and_merge(page, first, second, screenshot)

    # The kept file shows the mother of the merged one, and the merge.
    with page.expect_navigation():
        page.locator("#merge-kept a").click()
    expect(page.locator("#child-name")).to_have_text("王小明")
    expect(page.locator('.registry-kin[data-relation="mother"]')).to_contain_text("李秀英")
    merge = Merge.objects.get()
    expect(page.locator(f'.matching-child-merge[data-merge="{merge.pk}"]')).to_be_visible()

    # Undone: both files are as they were.
    with page.expect_navigation():
        page.locator(f'.matching-child-merge[data-merge="{merge.pk}"] a').click()
    page.locator('#unmerge-form textarea[name="reason"]').fill("合并有误")
    with page.expect_navigation():
        page.locator('#unmerge-form button[type="submit"]').click()
    expect(page.locator("#merge-state")).to_have_attribute("data-in-force", "0")
    expect(page.locator("#merge-undone")).to_contain_text("合并有误")
    second.refresh_from_db()
    assert second.status == FileStatus.ACTIVE
    assert PairReview.objects.get(pk=review.pk).status == ReviewStatus.PENDING
    assert errors == []


def test_caseworker_runs_a_de_duplication_of_the_county_and_opens_its_pairs(
    page, login_as, county_caseworker, regions, screenshot
):
    errors = _no_script_errors(page)
    first = _on_file(regions.village_a1a, "王小明", "王建国", "13812345678")
    second = _on_file(regions.village_a2a, "王晓明", "王建国")
    _on_file(regions.village_b1a, "王小明", "王建国")  # another county: not in this run

    login_as(page, county_caseworker)
    page.locator("#shell-nav").locator(f'a[href="{reverse("matching:dedup")}"]').click()
    form = page.locator("#dedup-form")
    form.locator('select[name="region"]').select_option(regions.county_a.code)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()

    # The shell's progress bar, then the run's figures and the way to its pairs.
    expect(page.locator(".shouhu-job .progress-bar")).to_have_text("100%")
    expect(page.locator("#dedup-result")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#dedup-queued")).to_have_text("1")
    screenshot(page, "matching-dedup")
    with page.expect_navigation():
        page.locator("#dedup-queue-link").click()
    rows = page.locator(".matching-pair-row")
    expect(rows).to_have_count(1)
    pair = PairReview.objects.get()
    assert (pair.child_a_id, pair.child_b_id) == (first.pk, second.pk)
    expect(rows.first).to_have_attribute("data-pair", str(pair.pk))
    assert errors == []
