"""Fixtures of the browser tests: Debian's Chromium driven by Playwright against a live server.

The tests run headless with the flags a sandboxed CI machine needs. Playwright's sync API runs
its own event loop in this thread, so Django's "async unsafe" guard is lifted for the tests.
Every test in this folder carries the ``browser`` marker (``pytest -m "not browser"`` skips them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from shouhu.accounts.models import User
from shouhu.accounts.tests.factories import TEST_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SHOUHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: run `make browser-deps` (Debian's chromium package)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: Browser, base_url: str, viewport: ViewportSize, *, mobile: bool = False) -> Iterator[Page]:
    context = browser.new_context(
        base_url=base_url, viewport=viewport, locale="zh-CN", is_mobile=mobile, has_touch=mobile
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A desktop-sized page of a fresh browser context (no cookies) on the live server."""
    yield from _page(browser, live_server.url, DESKTOP)


@pytest.fixture
def phone_page(browser: Browser, live_server) -> Iterator[Page]:
    """A phone-sized (390×844, touch) page, as a village director sees the site."""
    yield from _page(browser, live_server.url, PHONE, mobile=True)


@pytest.fixture
def login_as() -> Callable[..., None]:
    """Log a user in through the real log-in form (``accounts:login``)."""

    def login(page: Page, user: User, password: str = TEST_PASSWORD) -> None:
        page.goto(reverse("accounts:login"))
        form = page.locator("form", has=page.locator('input[name="password"]'))
        form.locator('input[name="username"]').fill(user.username)
        form.locator('input[name="password"]').fill(password)
        with page.expect_navigation():
            form.locator('button[type="submit"], input[type="submit"]').first.click()

    return login


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot into var/screenshots/NAME.png (for a person to look at)."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
