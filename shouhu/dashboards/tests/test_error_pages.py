"""Error pages: in the user's language, helpful, and telling nothing of what exists elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.client import RequestFactory
from django.utils import translation

from shouhu.core import views
from shouhu.core.testing import login

pytestmark = pytest.mark.urls("shouhu.dashboards.tests.urls_shell")


def test_404_says_not_found_or_not_available_without_telling_which(village_director):
    response = login(Client(), village_director).get("/regions/999999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在或您无权访问" in page
    assert "返回我的首页" in page


def test_404_is_english_for_an_english_speaker(village_director):
    client = login(Client(), village_director)
    client.cookies["django_language"] = "en"
    page = client.get("/no-such-page/").content.decode()
    assert "Not found or not available to you" in page
    assert '<html lang="en">' in page


def test_404_offers_the_way_back_only_to_a_page_of_this_site(village_director):
    client = login(Client(), village_director)
    same_site = client.get("/nowhere/", HTTP_REFERER="http://testserver/somewhere/").content.decode()
    assert 'href="http://testserver/somewhere/"' in same_site
    other_site = client.get("/nowhere/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in other_site


def test_403_explains_that_nothing_was_changed(village_director):
    response = login(Client(), village_director).get("/test/denied/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "您无权进行此操作" in page
    assert "secret reason" not in page


def test_400_page(village_director):
    response = login(Client(), village_director).get("/test/bad/")
    assert response.status_code == 400
    assert "无法识别此请求" in response.content.decode()


def test_500_page_is_standalone_and_needs_no_database():
    # No database fixture: any query here would fail the test.
    request = RequestFactory().get("/anything/")
    with translation.override("zh-hans"):
        response = views.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出现错误" in page
    assert "/static/" not in page
    assert "{%" not in page


def test_500_page_follows_the_active_language():
    with translation.override("en"):
        page = views.server_error(RequestFactory().get("/")).content.decode()
    assert "Something went wrong on the server" in page
    assert '<html lang="en">' in page


def test_an_unhandled_error_answers_with_the_500_page(village_director):
    client = login(Client(raise_request_exception=False), village_director)
    response = client.get("/test/crash/")
    assert response.status_code == 500
    assert "服务器出现错误" in response.content.decode()


def test_expired_form_page_explains_and_offers_to_go_back(village_director):
    client = login(Client(enforce_csrf_checks=True), village_director)
    response = client.post("/test/form/", {"name": "张三"}, HTTP_REFERER="http://testserver/test/form/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已过期" in page
    assert 'href="http://testserver/test/form/"' in page
    assert "本次提交未保存任何内容" in page


def test_expired_form_page_mentions_cookies_when_the_browser_sent_none(village_director):
    client = login(Client(enforce_csrf_checks=True), village_director)
    client.cookies.pop("csrftoken", None)
    page = client.post("/test/form/", {"name": "张三"}).content.decode()
    assert "Cookie" in page
