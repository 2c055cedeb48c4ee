"""Template context shared by every page of the shell (``base.html``).

``shell`` adds:

* ``shell_nav`` — the user's navigation: the entries of every app's ``nav.py`` that the user
  may see (``navigation.items_for``), grouped by ``navigation.SECTIONS``, each with its URL and
  whether it is the current page. An entry whose URL does not resolve (an app not mounted) is
  left out rather than breaking every page.
* ``shell_user`` — what the top bar says about the user: name, role labels, jurisdiction
  region and agency.
* ``shell_region`` — the user's jurisdiction region (or None);
* ``page`` — facts of the current request the layout needs (path, view name, languages).

Everything is computed lazily, so a page that renders no shell (an htmx partial) costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from shouhu.core.navigation import SECTIONS, NavItem, items_for

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.functional import Promise


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    icon: str
    url_name: str
    active: bool = False


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str | Promise
    links: tuple[NavLink, ...]


@dataclass(frozen=True)
class ShellUser:
    name: str
    username: str
    role_labels: tuple[str, ...]
    region: Any  # regions.Region or None (core does not import regions)
    agency: Any  # accounts.Agency or None
    is_superuser: bool


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    active: bool


class Page:
    """What the layout needs to know about the request being answered."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def path(self) -> str:
        """The path with its query string: where a language switch or log-in returns to."""
        return self._request.get_full_path()

    @cached_property
    def url_name(self) -> str:
        match = getattr(self._request, "resolver_match", None)
        return match.view_name if match else ""

    @cached_property
    def namespace(self) -> str:
        match = getattr(self._request, "resolver_match", None)
        return match.namespace if match else ""

    @cached_property
    def language(self) -> str:
        return get_language() or settings.LANGUAGE_CODE

    @cached_property
    def languages(self) -> tuple[Language, ...]:
        return tuple(Language(code, name, code == self.language) for code, name in settings.LANGUAGES)

    @cached_property
    def other_language(self) -> Language:
        """The language the switch offers (the first one that is not active)."""
        return next(lang for lang in self.languages if not lang.active)


def _links(items: list[NavItem], page: Page) -> list[tuple[NavItem, NavLink]]:
    resolved: list[tuple[NavItem, str]] = []
    for item in items:
        try:
            resolved.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    exact = any(item.url_name == page.url_name for item, _ in resolved)
    links: list[tuple[NavItem, NavLink]] = []
    namespace_marked = False
    for item, url in resolved:
        if exact:
            active = item.url_name == page.url_name
        else:
            # A page without its own entry (a detail page) lights up the first entry of its app.
            active = not namespace_marked and bool(page.namespace) and item.url_name.startswith(page.namespace + ":")
            namespace_marked = namespace_marked or active
        links.append((item, NavLink(item.label, url, item.icon, item.url_name, active)))
    return links


def navigation(user: Any, page: Page) -> list[NavSection]:
    """The user's navigation grouped by section, in the order of ``SECTIONS``."""
    grouped: dict[str, list[NavLink]] = {}
    for item, link in _links(items_for(user), page):
        grouped.setdefault(item.section, []).append(link)
    return [NavSection(key, SECTIONS[key], tuple(grouped[key])) for key in SECTIONS if key in grouped]


def _definition_order(member: Enum) -> int:
    return list(member.__class__).index(member)


def shell_user(user: Any) -> ShellUser | None:
    if not getattr(user, "is_authenticated", False):
        return None
    roles = sorted(user.roles, key=_definition_order)
    return ShellUser(
        name=user.get_full_name(),
        username=user.get_username(),
        role_labels=tuple(str(role.label) for role in roles),
        region=user.jurisdiction if user.jurisdiction_id else None,
        agency=user.agency if user.agency_id else None,
        is_superuser=user.is_superuser,
    )


def shell(request: HttpRequest) -> dict[str, Any]:
    page = Page(request)
    user = getattr(request, "user", None)
    return {
        "page": page,
        "shell_nav": SimpleLazyObject(lambda: navigation(user, page)),
        "shell_user": SimpleLazyObject(lambda: shell_user(user)),
        "shell_region": SimpleLazyObject(lambda: getattr(shell_user(user), "region", None)),
    }
