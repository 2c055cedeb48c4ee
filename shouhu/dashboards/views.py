"""The home page: one page per user, made of the sections of the user's roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shouhu.dashboards.panels import build_panels

if TYPE_CHECKING:
    from shouhu.accounts.models import User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast("User", request.user)  # login_required: never anonymous here
    region = user.jurisdiction
    context = {
        "panels": build_panels(user),
        "region": region,
        "region_path": region.path() if region else [],
        "has_role": bool(user.roles) or user.is_superuser,
    }
    return render(request, "dashboards/home.html", context)
