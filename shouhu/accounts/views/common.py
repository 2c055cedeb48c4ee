"""Helpers shared by the account views: the acting user, the administrators' gate, where to go next."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from shouhu.accounts.models import User
from shouhu.accounts.permissions import manages_users
from shouhu.core.errors import DomainError

V = TypeVar("V", bound=Callable[..., HttpResponse])


def actor(request: HttpRequest) -> User:
    """The logged-in user of a view behind ``login_required``."""
    return cast(User, request.user)


def administrators_only(view: V) -> V:
    """Log-in required; everybody but county/city administrators and superusers gets 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not manages_users(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return cast(V, wrapper)


def home_url() -> str:
    try:
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    except NoReverseMatch:
        return reverse("accounts:profile")


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The ``next`` of the request if it stays on this site (and is not a log-in/out page), else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    forbidden = (reverse("accounts:login"), reverse("accounts:logout"))
    if (
        candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not candidate.startswith(forbidden)
    ):
        return candidate
    return default if default is not None else home_url()


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on its field (or above the form), keeping what was typed."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))
