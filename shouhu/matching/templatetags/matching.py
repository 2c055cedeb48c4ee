"""Template helpers of the matching screens: band and evidence colours, a file's pairs and merges.

``{% load matching %}`` then ``{{ band|band_class }}``, ``{{ line.direction|direction_class }}``,
``{% child_matching child %}`` (the panel of the child's page, shown only to those who may see it).
"""

from __future__ import annotations

from typing import Any

from django import template

from shouhu.core.policy import VIEW
from shouhu.matching import permissions, selectors
from shouhu.matching.engine import Band
from shouhu.registry import explain
from shouhu.registry.permissions import registry_scope_code

register = template.Library()

BAND_CLASSES = {
    Band.CERTAIN: "text-bg-success",
    Band.LIKELY: "text-bg-primary",
    Band.POSSIBLE: "text-bg-warning",
}
DIRECTION_CLASSES = {
    "for": "text-success-emphasis",
    "against": "text-danger-emphasis",
    "neutral": "text-body-secondary",
}
DIRECTION_ICONS = {"for": "check-circle-fill", "against": "x-circle-fill", "neutral": "dash-circle"}
PANEL_ROWS = 20


@register.filter
def band_class(band: str) -> str:
    """The badge colour of a band (确定 green, 很可能 blue, 可能 amber)."""
    return BAND_CLASSES.get(str(band), "text-bg-secondary")  # type: ignore[call-overload,no-any-return]


@register.filter
def band_label(band: str) -> str:
    try:
        return str(Band(band).label)
    except ValueError:
        return str(band)


@register.filter
def direction_class(direction: str) -> str:
    return DIRECTION_CLASSES.get(direction, "text-body-secondary")


@register.filter
def direction_icon(direction: str) -> str:
    return DIRECTION_ICONS.get(direction, "dash-circle")


@register.filter
def other_of(review: Any, child: Any) -> Any:
    """The other file of a pair."""
    return review.child_b if review.child_a_id == child.pk else review.child_a


@register.inclusion_tag("matching/_child_panel.html", takes_context=True)
def child_matching(context: template.Context, child: Any) -> dict[str, Any]:
    """The child's pairs to review and merges, for a user who may review pairs (nothing otherwise)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not permissions.role_allows(user, VIEW) or registry_scope_code(user) is None:
        return {"shown": False}
    pairs = list(selectors.pairs_of(user, child)[:PANEL_ROWS])
    merges = list(selectors.merges_of(user, child)[:PANEL_ROWS])
    return {"shown": True, "child": child, "pairs": pairs, "merges": merges, "request": request}


@register.filter
def sentence(reason: Any) -> str:
    """One reason (``Reason`` or its JSON) in the reader's language; nothing for none."""
    return explain.render_one(reason) if reason else ""
