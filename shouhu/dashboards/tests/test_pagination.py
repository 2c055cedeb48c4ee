"""The pagination partial keeps the filters of the query string and changes only the page."""

from __future__ import annotations

import re

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import Client

from shouhu.core.testing import login

pytestmark = pytest.mark.urls("shouhu.dashboards.tests.urls_shell")


def links(html):
    return dict(re.findall(r'<a class="page-link" href="([^"]+)"[^>]*>(?:<span[^>]*>)?([^<]*)', html))


def test_links_keep_the_filters_and_change_the_page(village_director):
    html = login(Client(), village_director).get("/test/pages/?role=child_director&q=%E5%BC%A0&page=5").content.decode()
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert "?role=child_director&amp;q=%E5%BC%A0&amp;page=4" in hrefs  # previous
    assert "?role=child_director&amp;q=%E5%BC%A0&amp;page=6" in hrefs  # next
    assert all("role=child_director" in href for href in hrefs)
    assert '<li class="page-item active" aria-current="page"><span class="page-link">5</span>' in html
    assert "41–50" in html
    assert "95" in html


def test_first_page_has_no_previous_link_and_elides_far_pages(village_director):
    html = login(Client(), village_director).get("/test/pages/").content.decode()
    assert 'rel="prev"' not in html
    assert 'rel="next"' in html
    assert "…" in html
    assert "page=10" in html  # the last page stays reachable


def test_a_single_page_shows_no_pagination(rf):
    page = Paginator([1, 2], 10).page(1)
    assert render_to_string("core/_pagination.html", {"page_obj": page}, request=rf.get("/")).strip() == ""
