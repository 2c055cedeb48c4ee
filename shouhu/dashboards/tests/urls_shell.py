"""URLs of the shell tests: the project's, with stand-ins for log-out/profile and a few test pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template import Template
from django.template.context import RequestContext
from django.urls import include, path

from config import urls as project_urls


def stand_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stand-in")


class SampleForm(forms.Form):
    name = forms.CharField(label="姓名", help_text="与身份证一致", max_length=5)
    phone = forms.CharField(label="电话", required=False)
    kind = forms.ChoiceField(label="类别", choices=[("a", "甲"), ("b", "乙")])
    notes = forms.CharField(label="备注", widget=forms.Textarea, required=False)
    agree = forms.BooleanField(label="同意")
    level = forms.ChoiceField(label="级别", choices=[("1", "一"), ("2", "二")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("phone") == "000":
            raise forms.ValidationError("电话与姓名不符")
        return data


def form_page(request: HttpRequest) -> HttpResponse:
    form = SampleForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()
    template = Template(
        '{% extends "base.html" %}{% block content %}<form method="post">{{ form }}</form>{% endblock %}'
    )
    return HttpResponse(template.render(RequestContext(request, {"form": form})))


def message_page(request: HttpRequest) -> HttpResponse:
    messages.error(request, "出错了")
    messages.success(request, "已保存")
    template = Template('{% extends "base.html" %}{% block content %}x{% endblock %}')
    return HttpResponse(template.render(RequestContext(request, {})))


def pagination_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(list(range(95)), 10).get_page(request.GET.get("page"))
    template = Template('{% include "core/_pagination.html" with page_obj=page_obj %}')
    return HttpResponse(template.render(RequestContext(request, {"page_obj": page})))


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("secret reason")


def bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


accounts_stand_ins = (
    [
        path("logout/", stand_in, name="logout"),
        path("profile/", stand_in, name="profile"),
        path("login/", stand_in, name="login"),
    ],
    "accounts",
)
test_pages = [
    path("form/", form_page),
    path("messages/", message_page),
    path("pages/", pagination_page),
    path("denied/", denied),
    path("bad/", bad),
    path("crash/", crash),
]

# The project's URLs without its accounts app, plus the stand-ins and the test pages.
without_accounts = [p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "accounts"]
urlpatterns = [*without_accounts, path("accounts/", include(accounts_stand_ins)), path("test/", include(test_pages))]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
