"""Journeys in a real browser: two roles log in and each sees its own home page; the language
switch; the phone-sized menu; another township's region page stays out of reach."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect


def test_village_director_logs_in_and_sees_own_village(page, login_as, village_director, screenshot):
    # Given a child director of 东湖社区, when she logs in through the log-in form,
    login_as(page, village_director)
    # then her home page shows her village, and nothing of the neighbouring village.
    expect(page).to_have_url(re.compile(r"/$"))
    main = page.locator("main")
    expect(main.locator(".shouhu-village-name")).to_have_text("东湖社区")
    expect(main).to_contain_text("370902001001")
    expect(main).to_contain_text("暂无属于保护类别的儿童")
    expect(main.locator(".shouhu-figure", has_text="儿童档案")).to_contain_text("0")
    expect(main).not_to_contain_text("西湖社区")
    expect(page.locator("header")).to_contain_text("village_director")
    screenshot(page, "home-village-director")


def test_township_supervisor_logs_in_and_sees_own_township_figures(
    page, login_as, township_supervisor, other_township_supervisor, screenshot
):
    login_as(page, township_supervisor)
    main = page.locator("main")
    expect(main).to_contain_text("岱庙街道")
    expect(main.locator("table")).to_contain_text("东湖社区")
    expect(main.locator("table")).to_contain_text("西湖社区")
    expect(main.locator("table")).to_contain_text("village_director")
    expect(main).not_to_contain_text("南关社区")  # a village of 财源街道
    # the coverage figure: both villages of 岱庙街道 have a director
    expect(main.locator(".shouhu-figure", has_text="配备率")).to_contain_text("100%")
    # the chart was drawn by shouhu.js from its JSON payload
    expect(main.locator(".shouhu-chart[data-rendered] svg").first).to_be_visible()
    screenshot(page, "home-township-supervisor")


def test_other_township_supervisor_sees_the_gap_of_own_township(page, login_as, other_township_supervisor):
    login_as(page, other_township_supervisor)
    main = page.locator("main")
    expect(main).to_contain_text("财源街道")
    expect(main.locator(".shouhu-gaps")).to_contain_text("南关社区")
    expect(main).not_to_contain_text("东湖社区")


def test_director_cannot_open_another_townships_region_page(page, login_as, village_director, regions):
    login_as(page, village_director)
    response = page.goto(reverse("regions:detail", args=[regions.township_a2.code]))
    assert response is not None
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("页面不存在或您无权访问")
    expect(page.locator("main")).not_to_contain_text("南关社区")


def test_language_switch_turns_the_page_english_and_back(page, login_as, village_director):
    login_as(page, village_director)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator(".shouhu-language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("My village")
    expect(page).to_have_url(re.compile(r"/$"))
    page.locator(".shouhu-language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main")).to_contain_text("我的村（居）")


def test_phone_shows_the_menu_off_canvas(phone_page, login_as, village_director, screenshot):
    page = phone_page
    login_as(page, village_director)
    menu = page.locator("#shell-nav")
    toggle = page.get_by_role("button", name="打开菜单")
    # On a phone the menu is folded away behind the menu button,
    expect(toggle).to_be_visible()
    expect(menu).not_to_be_visible()
    screenshot(page, "home-village-director-phone")
    # and slides in when the button is tapped.
    toggle.tap()
    expect(menu).to_be_visible()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    expect(menu).not_to_have_class(re.compile(r"\bshowing\b"))  # the slide-in has finished
    expect(menu.get_by_role("link", name="首页")).to_be_visible()
    screenshot(page, "menu-village-director-phone")
    menu.get_by_role("button", name="关闭菜单").tap()
    expect(menu).not_to_be_visible()


def test_desktop_shows_the_menu_beside_the_content(page, login_as, village_director):
    login_as(page, village_director)
    expect(page.locator("#shell-nav")).to_be_visible()
    expect(page.get_by_role("button", name="打开菜单")).not_to_be_visible()


@pytest.mark.parametrize(
    "name", ["county_caseworker", "intake_officer", "department_liaison", "mandated_reporter", "plan_monitor"]
)
def test_each_role_home_page_renders_without_script_errors(page, login_as, actors, screenshot, name):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login_as(page, actors[name])
    expect(page.locator("main h1")).to_contain_text(actors[name].full_name)
    for chart in page.locator(".shouhu-chart").all():
        expect(chart).to_have_attribute("data-rendered", "1")
    screenshot(page, f"home-{name.replace('_', '-')}")
    assert errors == []
