"""Template tags of intake: the reports linked to a child, on the child's page; a triage's colour."""

from __future__ import annotations

from typing import Any

from django import template

from shouhu.core.policy import policy_for
from shouhu.intake.choices import Urgency
from shouhu.intake.models import Report

register = template.Library()

PANEL_ROWS = 10
URGENCY_CLASSES: dict[str, str] = {Urgency.EMERGENCY: "text-bg-danger", Urgency.ORDINARY: "text-bg-primary"}


@register.filter
def urgency_class(urgency: str) -> str:
    """The badge colour of a triage: red for an emergency, blue for an ordinary matter, grey otherwise."""
    return URGENCY_CLASSES.get(urgency, "text-bg-secondary")


@register.inclusion_tag("intake/_child_panel.html", takes_context=True)
def child_reports(context: template.Context, child: Any) -> dict[str, Any]:
    """The reports linked to ``child`` that the reader may open (the front door's, or their own), newest first."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"reports": []}
    reports = policy_for(Report).visible(user).filter(child=child).order_by("-received_at", "-pk")
    return {"reports": list(reports[:PANEL_ROWS]), "request": request}
