"""ECharts option objects for the home pages (pure: figures in, JSON-ready dicts out).

The ``{% chart %}`` tag writes an option as JSON and ``static/shouhu/shouhu.js`` draws it, so
every label is translated here, on the server, and pages carry no chart code. Options use
only what JSON can say (string formatters such as ``"{value}%"``, no functions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

PALETTE = ["#1d6f72", "#e0a030", "#5b7fb5", "#c0504d", "#8064a2", "#4bacc6", "#9bbb59", "#7f7f7f"]
MUTED = "#d5dde0"
TEXT = "#495057"
ROW_REM = 1.9  # height of one bar row in a horizontal bar chart
BASE_REM = 5.0


def height_for(rows: int, *, minimum: float = 12.0) -> str:
    """A chart height that gives each bar of a horizontal chart room on a phone."""
    return f"{max(minimum, BASE_REM + ROW_REM * rows):.1f}rem"


def _base() -> dict[str, Any]:
    return {
        "color": PALETTE,
        "textStyle": {"color": TEXT},
        "animationDuration": 400,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "legend": {"top": 0, "left": 0, "itemWidth": 14, "itemHeight": 10},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
    }


def _category_axis(names: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "category",
        "data": list(names),
        "inverse": True,
        "axisTick": {"show": False},
        "axisLabel": {"width": 120, "overflow": "truncate"},
    }


def staffed_bar(
    names: Sequence[str], staffed: Sequence[int], unstaffed: Sequence[int], *, staffed_label: str, unstaffed_label: str
) -> dict[str, Any]:
    """Horizontal stacked bars: posts filled and posts open, one bar per region."""
    option = _base()
    option["grid"]["top"] = 56  # the legend of two long labels wraps on a phone
    option["xAxis"] = {"type": "value", "minInterval": 1}
    option["yAxis"] = _category_axis(names)
    option["series"] = [
        {
            "name": staffed_label,
            "type": "bar",
            "stack": "posts",
            "data": list(staffed),
            "barMaxWidth": 22,
            "label": {"show": True, "position": "inside", "color": "#fff", "formatter": "{c}"},
        },
        {
            "name": unstaffed_label,
            "type": "bar",
            "stack": "posts",
            "data": list(unstaffed),
            "barMaxWidth": 22,
            "itemStyle": {"color": MUTED},
        },
    ]
    return option


def rate_bar(names: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> dict[str, Any]:
    """Horizontal grouped bars of percentages (0-100), one group per region."""
    option = _base()
    option["grid"]["right"] = 48  # room for the "100%" label at the end of a full bar
    option["xAxis"] = {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}}
    option["yAxis"] = _category_axis(names)
    option["series"] = [
        {
            "name": label,
            "type": "bar",
            "data": [None if value is None else round(100 * value, 1) for value in values],
            "barMaxWidth": 16,
            "label": {"show": True, "position": "right", "formatter": "{c}%", "fontSize": 11},
        }
        for label, values in series
    ]
    return option


def donut(parts: Sequence[tuple[str, int]], *, colors: Sequence[str] | None = None) -> dict[str, Any]:
    """A ring of parts of a whole (e.g. villages with and without a child director).

    Empty parts are left out of the ring (a zero slice only clutters it with a stray label),
    together with their colour.
    """
    palette = list(colors) if colors else PALETTE
    shown = [(name, value, palette[index % len(palette)]) for index, (name, value) in enumerate(parts) if value]
    option = _base()
    del option["grid"]
    option["tooltip"] = {"trigger": "item", "formatter": "{b}: {c} ({d}%)", "confine": True}
    option["legend"] = {"bottom": 0, "left": "center"}
    option["color"] = [colour for _name, _value, colour in shown]
    option["series"] = [
        {
            "type": "pie",
            "radius": ["45%", "70%"],
            "center": ["50%", "45%"],
            "avoidLabelOverlap": True,
            "label": {"show": True, "formatter": "{c}"},
            "data": [{"name": name, "value": value} for name, value, _colour in shown],
        }
    ]
    return option


def count_bar(names: Sequence[str], values: Sequence[int], *, label: str) -> dict[str, Any]:
    """Horizontal bars of counts per category (users per role, agencies per kind)."""
    option = _base()
    option["legend"] = {"show": False}
    option["grid"]["top"] = 8
    option["grid"]["right"] = 48  # room for the count at the end of the longest bar
    option["xAxis"] = {"type": "value", "minInterval": 1}
    option["yAxis"] = _category_axis(names)
    option["series"] = [
        {
            "name": label,
            "type": "bar",
            "data": list(values),
            "barMaxWidth": 20,
            "label": {"show": True, "position": "right", "formatter": "{c}"},
        }
    ]
    return option


def daily_stacked(days: Sequence[date], series: Sequence[tuple[str, Sequence[int]]]) -> dict[str, Any]:
    """Vertical stacked bars per day (access-log entries per day by action)."""
    option = _base()
    option["xAxis"] = {
        "type": "category",
        "data": [day.strftime("%m-%d") for day in days],
        "axisTick": {"alignWithLabel": True},
    }
    option["yAxis"] = {"type": "value", "minInterval": 1, "name": _("entries")}
    option["grid"]["top"] = 56
    option["series"] = [
        {"name": label, "type": "bar", "stack": "day", "data": list(values), "barMaxWidth": 18}
        for label, values in series
    ]
    return option
