"""Template tags of the shell: icons, charts, Bootstrap widget attributes, message classes.

``{% load shouhu %}`` then:

* ``{% icon "people" %}`` — a decorative Bootstrap Icons glyph (hidden from screen readers);
* ``{% chart spec label=_("Coverage") height="18rem" %}`` — an ECharts chart drawn by
  ``static/shouhu/shouhu.js`` from a JSON payload (``spec`` is the ECharts option object; pages
  hold no chart code of their own);
* ``{% widget_attrs widget %}`` — used by the form-widget templates in ``templates/django/forms``
  to give every widget its Bootstrap class and ``is-invalid`` when the field has errors.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from django import template
from django.core.paginator import Page
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString

register = template.Library()

# Bootstrap's class for each widget input type; anything else is a form-control.
INPUT_CLASSES = {
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "range": "form-range",
    "color": "form-control form-control-color",
    "hidden": "",
}
SELECT_CLASS = "form-select"
MESSAGE_CLASSES = {"debug": "secondary", "info": "info", "success": "success", "warning": "warning", "error": "danger"}
MESSAGE_ICONS = {
    "debug": "bug",
    "info": "info-circle",
    "success": "check-circle",
    "warning": "exclamation-triangle",
    "error": "x-octagon",
}
_chart_ids = itertools.count(1)


@register.simple_tag
def icon(name: str, label: str = "", css: str = "") -> SafeString:
    """A Bootstrap Icons glyph; with ``label`` it is announced, otherwise it is decoration."""
    classes = f"bi bi-{name} {css}".strip()
    if label:
        return format_html('<i class="{}" role="img" aria-label="{}"></i>', classes, label)
    return format_html('<i class="{}" aria-hidden="true"></i>', classes)


@register.simple_tag
def chart(spec: dict[str, Any], label: str, height: str = "18rem", chart_id: str = "") -> SafeString:
    """A chart container and its ECharts option as JSON; ``shouhu.js`` draws it.

    ``label`` is the accessible name of the chart (what it shows); the figures themselves are
    also on the page as text, so nobody depends on the picture.
    """
    chart_id = chart_id or f"chart-{next(_chart_ids)}"
    return format_html(
        '<div class="shouhu-chart" id="{}" data-chart="{}-data" role="img" aria-label="{}" style="height: {}"></div>{}',
        chart_id,
        chart_id,
        label,
        height,
        json_script(spec, f"{chart_id}-data"),
    )


def _widget_class(widget: dict[str, Any]) -> str:
    template_name = str(widget.get("template_name", ""))
    if template_name.endswith("select.html"):
        return SELECT_CLASS
    if template_name.endswith("textarea.html"):
        return "form-control"
    return INPUT_CLASSES.get(str(widget.get("type", "")), "form-control")


@register.simple_tag
def widget_attrs(widget: dict[str, Any]) -> SafeString:
    """The widget's HTML attributes with the Bootstrap class merged into its own ``class``.

    Django (5.2) marks the widget of a field with errors ``aria-invalid="true"``; the same
    widget gets Bootstrap's ``is-invalid`` so that the error shows in colour too.
    """
    attrs = dict(widget.get("attrs", {}))
    classes = [_widget_class(widget), str(attrs.pop("class", ""))]
    if attrs.get("aria-invalid") == "true":
        classes.append("is-invalid")
    joined = " ".join(c for c in classes if c)
    if joined:
        attrs = {"class": joined, **attrs}
    rendered = [(name, value) for name, value in attrs.items() if value is not False and value is not None]
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in rendered
        ),
    )


@register.filter
def alert_class(tags: str) -> str:
    """The Bootstrap alert colour of a message's level tag (``error`` is ``danger``)."""
    level = (tags or "info").split()[-1]
    return MESSAGE_CLASSES.get(level, "info")


@register.filter
def alert_icon(tags: str) -> str:
    level = (tags or "info").split()[-1]
    return MESSAGE_ICONS.get(level, "info-circle")


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """``0.8567`` → ``"86%"``; no value → ``"–"``."""
    if value is None:
        return "–"
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def elided_pages(page: Page[Any]) -> Iterator[int | str]:
    """Page numbers around the current one with ellipses (``1 … 4 5 6 … 20``)."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)  # type: ignore[no-any-return]
