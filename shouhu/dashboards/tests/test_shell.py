"""The shell every page shares: layout, navigation, language switch, log-out, messages, htmx CSRF."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, override_settings
from django.urls import reverse

from shouhu.core import context_processors
from shouhu.core.context_processors import Page, navigation
from shouhu.core.navigation import SECTIONS, NavItem
from shouhu.core.testing import login

SHELL_URLS = "shouhu.dashboards.tests.urls_shell"


@pytest.fixture
def director_client(village_director):
    return login(Client(), village_director)


def page_of(client, url="/", **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_page_is_chinese_by_default_with_the_product_name(director_client):
    page = page_of(director_client)
    assert '<html lang="zh-hans">' in page
    assert "守护" in page
    assert "<title>首页 · 守护</title>" in page


def test_page_language_follows_the_language_cookie(director_client):
    director_client.cookies["django_language"] = "en"
    page = page_of(director_client)
    assert '<html lang="en">' in page
    assert "<title>Home · Shouhu</title>" in page


def test_language_switch_posts_to_set_language_and_returns_to_the_same_page(director_client):
    page = page_of(director_client, "/?tab=2")
    form = re.search(r'<form class="shouhu-language-switch" action="([^"]+)" method="post">(.*?)</form>', page, re.S)
    assert form is not None
    assert form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'name="next" value="/?tab=2"' in form.group(2)
    assert 'name="language" value="en"' in form.group(2)


def test_switching_language_turns_the_next_page_english_and_back(director_client):
    response = director_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "My village" in page_of(director_client)
    director_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "我的村（居）" in page_of(director_client)


def test_top_bar_and_menu_say_who_the_user_is(director_client):
    page = page_of(director_client)
    assert "village_director" in page
    assert "儿童主任" in page  # the role
    assert "东湖社区" in page  # the jurisdiction
    assert "东湖社区居委会" in page  # the agency


def test_menu_is_an_off_canvas_panel_with_the_users_entries(director_client):
    page = page_of(director_client)
    assert 'id="shell-nav"' in page
    assert "offcanvas-lg" in page
    assert 'data-bs-target="#shell-nav"' in page
    assert f'href="{reverse("dashboards:home")}"' in page
    assert 'aria-current="page"' in page


def test_skip_link_and_main_landmark(director_client):
    page = page_of(director_client)
    assert 'href="#main"' in page
    assert '<main id="main"' in page


def test_htmx_requests_carry_the_csrf_token(director_client):
    page = page_of(director_client)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert meta is not None
    token = meta.group(1)
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page


def test_assets_are_served_from_the_vendored_static_files(director_client):
    page = page_of(director_client)
    for asset in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "shouhu/shouhu.js",
        "shouhu/shouhu.css",
    ):
        assert f"/static/{asset}" in page
    assert "http://" not in page
    assert "https://" not in page


@override_settings(ROOT_URLCONF=SHELL_URLS)
def test_log_out_is_a_post_form_and_my_account_a_link_when_the_accounts_app_has_them(director_client):
    page = page_of(director_client)
    assert re.search(
        r'<form action="/accounts/logout/" method="post">\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )
    assert 'href="/accounts/profile/"' in page


@override_settings(ROOT_URLCONF=SHELL_URLS)
def test_messages_are_bootstrap_alerts_with_their_level(director_client):
    page = page_of(director_client, "/test/messages/")
    assert 'class="alert alert-danger alert-dismissible' in page
    assert 'class="alert alert-success alert-dismissible' in page
    assert "出错了" in page
    assert 'role="alert"' in page  # errors are announced
    assert 'role="status"' in page  # successes politely


def test_anonymous_page_has_no_menu_but_a_language_switch(db):
    page = Client().get("/no-such-page/").content.decode()
    assert 'id="shell-nav"' not in page
    assert "shouhu-language-switch" in page


def test_navigation_groups_visible_entries_by_section_and_skips_unresolvable_ones(village_director, rf, monkeypatch):
    items = [
        NavItem("甲", "dashboards:home", "house", visible=lambda u: True, section="help"),
        NavItem("乙", "dashboards:home", "house", visible=lambda u: True, section="work"),
        NavItem("不可见", "dashboards:home", "house", visible=lambda u: False, section="work"),
        NavItem("未挂载", "nowhere:page", "house", visible=lambda u: True, section="work"),
    ]
    request = rf.get("/")
    request.user = village_director
    monkeypatch.setattr(context_processors, "items_for", lambda user: [i for i in items if i.visible(user)])
    sections = navigation(village_director, Page(request))
    assert [section.key for section in sections] == ["work", "help"]
    assert [link.label for link in sections[0].links] == ["乙"]
    assert sections[0].label == SECTIONS["work"]


def test_anonymous_visitor_has_no_navigation(rf):
    assert navigation(AnonymousUser(), Page(rf.get("/"))) == []
