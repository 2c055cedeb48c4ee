"""The navigation of the shell, assembled from each app's ``nav.py``.

An app lists its entries in ``shouhu/<app>/nav.py`` as ``ITEMS = [NavItem(...), ...]``; the
shell shows a user the entries whose ``visible(user)`` is true, grouped by section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

SECTIONS: dict[str, Any] = {
    "work": _("Work"),
    "monitor": _("Monitoring"),
    "admin": _("Administration"),
    "audit": _("Audit"),
    "help": _("Reference"),
}


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str  # a Bootstrap Icons name, e.g. "people"
    visible: Callable[[Any], bool]
    section: str = "work"
    order: int = 100


@cache
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shouhu."):
            continue
        try:
            module = import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
            continue
        items.extend(module.ITEMS)
    return tuple(sorted(items, key=lambda item: (list(SECTIONS).index(item.section), item.order)))


def items_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in all_items() if item.visible(user)]
