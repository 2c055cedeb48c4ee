"""Journeys of the child registry in a real browser: a village director registers a child and the
family on a phone and sees the categories with their explanations; a township supervisor sees
every child of the township and only those; a caseworker reveals an identity number for a reason."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse
from playwright.sync_api import Page, expect

from shouhu.audit.models import AccessEvent
from shouhu.registry import idnumber
from shouhu.registry.choices import Category, Relation, Sex, SituationKind
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory, ClassificationFactory, add_parent

BIRTH = date(2016, 4, 12)


def _no_script_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def _add_family_member(page: Page, *, relation: str, name: str, sex: str) -> None:
    page.locator("#add-family-member").tap()
    form = page.locator("#family-form")
    form.locator('select[name="relation"]').select_option(relation)
    form.locator('input[name="name"]').fill(name)
    form.locator(f'input[name="sex"][value="{sex}"]').check()
    with page.expect_navigation():
        form.locator('button[type="submit"]').tap()


def _record_situation(page: Page, *, person: str, kind: str, since: str, **fields: str) -> None:
    card = page.locator(".registry-kin", has_text=person)
    card.locator("a", has=page.locator(".bi-plus-circle")).tap()
    form = page.locator("#situation-form")
    form.locator('select[name="kind"]').select_option(kind)
    # htmx swaps in the fields of the kind chosen (e.g. the police report of lost contact).
    expect(page.locator("#situation-fields")).to_have_attribute("data-kind", kind)
    form.locator('input[name="started_on"]').fill(since)
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    with page.expect_navigation():
        form.locator('button[type="submit"]').tap()


def test_director_registers_a_child_and_family_on_a_phone_and_sees_the_categories_explained(
    phone_page, login_as, village_director, screenshot
):
    page = phone_page
    errors = _no_script_errors(page)
    login_as(page, village_director)
    page.goto(reverse("registry:create"))
    form = page.locator("#child-form")
    # The village of residence defaults to the director's own.
    expect(form.locator('select[name="village"]')).to_have_value(village_director.jurisdiction_id)
    form.locator('input[name="name"]').fill("刘小雨")

    # Given a mistyped identity number, the cause shows as it is typed;
    number = idnumber.make("370902", BIRTH, 77, Sex.FEMALE)
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    id_box = form.locator('input[name="id_number"]')
    id_box.fill(wrong)
    expect(page.locator('#id-number-check [data-id-check="invalid"]')).to_have_attribute("data-code", "check")
    screenshot(page, "registry-register-id-check-phone")
    # the right number fills in the date of birth and the sex.
    id_box.fill(number)
    expect(page.locator('#id-number-check [data-id-check="valid"]')).to_be_visible()
    expect(form.locator('input[name="birth_date"]')).to_have_value(BIRTH.isoformat())
    expect(form.locator('input[name="sex"][value="female"]')).to_be_checked()

    form.locator('input[name="residence_address"]').fill("东湖社区幸福路8号")
    form.locator('input[name="phones"]').fill("13812345678")
    form.locator('select[name="school_status"]').select_option("primary")
    form.locator('select[name="health_status"]').select_option("healthy")
    screenshot(page, "registry-register-phone")
    with page.expect_navigation():
        form.locator('button[type="submit"]').tap()

    # The new file opens on the family section.
    expect(page).to_have_url(re.compile(r"/children/\d+/#family$"))
    expect(page.locator("#child-name")).to_have_text("刘小雨")
    expect(page.locator("#child-id-number code")).to_have_text(idnumber.mask(number))

    _add_family_member(page, relation=Relation.FATHER, name="刘大山", sex=Sex.MALE)
    _record_situation(page, person="刘大山", kind=SituationKind.IMPRISONED, since="2025-03-10", term_months="36")
    _add_family_member(page, relation=Relation.MOTHER, name="陈秀英", sex=Sex.FEMALE)
    _record_situation(
        page,
        person="陈秀英",
        kind=SituationKind.LOST_CONTACT,
        since="2024-09-01",
        police_accepted_on="2024-10-02",
    )

    # Then the file shows the child as de facto unattended, with the reasons in sentences.
    category = page.locator('.registry-classification[data-category="de_facto_unattended"]')
    expect(category).to_be_visible()
    explanation = category.locator(".registry-explanation li")
    expect(explanation.first).to_be_visible()
    assert explanation.count() >= 2
    expect(category).to_contain_text("36")  # the term of the sentence
    expect(page.locator('.registry-situation[data-kind="lost_contact"]')).to_contain_text("2024-10-02")
    page.locator("#categories").scroll_into_view_if_needed()
    screenshot(page, "registry-child-phone")
    child = Child.objects.get(name="刘小雨")
    assert child.created_by == village_director
    assert child.classifications.filter(category=Category.DE_FACTO_UNATTENDED, until__isnull=True).exists()
    assert errors == []


def test_supervisor_sees_every_child_of_the_township_and_only_those(
    page, login_as, township_supervisor, regions, screenshot
):
    errors = _no_script_errors(page)
    mine = [
        ChildFactory.create(village=regions.village_a1a, name="东湖一号"),
        ChildFactory.create(village=regions.village_a1b, name="西湖二号"),
        ChildFactory.create(village=regions.village_a1b, name="西湖三号"),
    ]
    ClassificationFactory.create(child=mine[0], category=Category.LEFT_BEHIND)
    ChildFactory.create(village=regions.village_a2a, name="南关外人")
    ChildFactory.create(village=regions.village_b1a, name="张庄外人")

    login_as(page, township_supervisor)
    page.locator("#shell-nav").locator(f'a[href="{reverse("registry:list")}"]').click()
    table = page.locator("#child-table")
    expect(table).to_be_visible()
    expect(page.locator("#child-cards")).to_be_hidden()
    expect(page.locator("#child-count")).to_have_attribute("data-count", "3")
    for child in mine:
        expect(table).to_contain_text(child.name)
    expect(page.locator("main")).not_to_contain_text("南关外人")
    expect(page.locator("main")).not_to_contain_text("张庄外人")
    expect(table.locator('[data-category="left_behind"]')).to_have_count(1)
    screenshot(page, "registry-list-township-supervisor")

    # Narrowing to one village of the township keeps the other out.
    page.locator('select[name="region"]').select_option(regions.village_a1b.code)
    with page.expect_navigation():
        page.locator(".shouhu-filter-bar button[type=submit]").click()
    expect(page.locator("#child-count")).to_have_attribute("data-count", "2")
    expect(table).not_to_contain_text("东湖一号")
    assert errors == []

    # Another township's file is out of reach by its address too.
    outsider = Child.objects.get(name="南关外人")
    response = page.goto(reverse("registry:detail", args=[outsider.pk]))
    assert response is not None
    assert response.status == 404


def test_list_is_a_card_list_on_a_phone(phone_page, login_as, village_director, regions, screenshot):
    child = ChildFactory.create(village=regions.village_a1a, name="王小明")
    ClassificationFactory.create(child=child, category=Category.INFANT)
    page = phone_page
    login_as(page, village_director)
    page.goto(reverse("registry:list"))
    cards = page.locator("#child-cards")
    expect(cards).to_be_visible()
    expect(page.locator("#child-table")).to_be_hidden()
    expect(cards.locator(".registry-child-card")).to_have_count(1)
    expect(cards).to_contain_text("王小明")
    screenshot(page, "registry-list-phone")
    cards.locator(".registry-child-card a").tap()
    expect(page.locator("#child-name")).to_have_text("王小明")


def test_caseworker_reveals_a_number_for_a_reason(page, login_as, county_caseworker, regions, screenshot):
    number = idnumber.make("370902", BIRTH, 5, Sex.MALE)
    child = ChildFactory.create(village=regions.village_a1a, name="赵小龙", birth_date=BIRTH, id_number=number)
    add_parent(child, Relation.FATHER, situations=[SituationKind.WORKING_AWAY])
    login_as(page, county_caseworker)
    page.goto(reverse("registry:detail", args=[child.pk]))
    header = page.locator("#child-id-number")
    expect(header.locator("code")).to_have_text(idnumber.mask(number))
    header.locator("a", has=page.locator(".bi-eye")).click()
    reveal = page.locator("#reveal-child")
    # Asking without a reason shows nothing.
    reveal.locator("button[type=submit]").click()
    expect(reveal.locator(".invalid-feedback")).to_be_visible()
    expect(reveal.locator("[data-revealed]")).to_have_count(0)
    reveal.locator('input[name="reason"]').fill("为儿童申请基本生活补贴")
    reveal.locator("button[type=submit]").click()
    expect(reveal.locator('[data-revealed="1"]')).to_have_text(number)
    screenshot(page, "registry-reveal-caseworker")
    event = AccessEvent.objects.get(action="reveal")
    assert event.reason == "为儿童申请基本生活补贴"
    assert event.actor_id == county_caseworker.pk
