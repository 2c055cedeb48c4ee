"""Template helpers of the registry screens: ages, categories, explanations, parents' contact.

``{% load registry %}`` then ``{{ child.birth_date|age }}``, ``{{ classification|explanation }}``,
``{{ category|category_class }}``, ``{{ risk|risk_class }}``, ``{% weekly_contact care as status %}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import template
from django.utils import timezone

from shouhu.registry import dates, explain
from shouhu.registry.choices import KEY_CHILD_REASONS, Category, RiskLevel

register = template.Library()

# MPL art. 23 as read in DOMAIN.md §8.11: a parent working away keeps in touch with the child at
# least once a week — no more than 7 days between two contacts, counted on a rolling basis.
WEEKLY_CONTACT_DAYS = 7

CATEGORY_CLASSES = {
    Category.ORPHAN: "text-bg-danger",
    Category.DE_FACTO_UNATTENDED: "text-bg-danger",
    Category.DIFFICULTY_POVERTY: "text-bg-warning",
    Category.DIFFICULTY_DISABILITY: "text-bg-warning",
    Category.DIFFICULTY_GUARDIANSHIP: "text-bg-warning",
    Category.DIFFICULTY_ORPHAN: "text-bg-warning",
    Category.DIFFICULTY_TEMPORARY: "text-bg-warning",
    Category.LEFT_BEHIND: "text-bg-primary",
    Category.MIGRANT: "text-bg-info",
    Category.DISABLED: "text-bg-secondary",
    Category.STREET: "text-bg-danger",
    Category.INFANT: "text-bg-light border",
}
RISK_CLASSES = {
    RiskLevel.HIGH: "text-bg-danger",
    RiskLevel.MEDIUM: "text-bg-warning",
    RiskLevel.LOW: "text-bg-success",
    RiskLevel.UNASSESSED: "text-bg-light border",
}


@register.filter
def age(birth_date: date | None, on: date | None = None) -> int | str:
    """Completed years today (or on ``on``); the birthday itself counts (DOMAIN.md §8.4)."""
    if birth_date is None:
        return ""
    return dates.age_on(birth_date, on or timezone.localdate())


@register.filter
def category_class(category: str) -> str:
    """The badge colour of a category: protection categories strong, key-child reasons outlined."""
    if category in KEY_CHILD_REASONS:
        return "text-bg-light border border-warning-subtle text-warning-emphasis"
    return CATEGORY_CLASSES.get(category, "text-bg-secondary")  # type: ignore[call-overload,no-any-return]


@register.filter
def is_key_reason(category: str) -> bool:
    return category in KEY_CHILD_REASONS


@register.filter
def risk_class(risk: str) -> str:
    return RISK_CLASSES.get(risk, "text-bg-light border")  # type: ignore[call-overload,no-any-return]


@register.filter
def category_label(value: str) -> str:
    try:
        return str(Category(value).label)
    except ValueError:
        return value


@register.filter
def explanation(reasons: Any) -> list[str]:
    """The sentences of an explanation (stored reasons, or a row with ``explanation``) in the reader's language."""
    if reasons is None:
        return []
    if hasattr(reasons, "explanation"):
        reasons = reasons.explanation
    return list(explain.render(reasons or []))


@dataclass(frozen=True)
class ContactStatus:
    """Whether a parent working away kept the weekly contact, as of today."""

    known: bool
    kept: bool
    days: int | None  # days since the last contact

    @property
    def overdue_by(self) -> int:
        return max(0, (self.days or 0) - WEEKLY_CONTACT_DAYS)


def contact_status(last_contact: date | None, today: date) -> ContactStatus:
    """MPL art. 23 (DOMAIN.md §8.11): kept while at most 7 days have passed since the last contact."""
    if last_contact is None:
        return ContactStatus(known=False, kept=False, days=None)
    days = (today - last_contact).days
    return ContactStatus(known=True, kept=days <= WEEKLY_CONTACT_DAYS, days=days)


@register.simple_tag
def weekly_contact(care: Any) -> ContactStatus:
    return contact_status(getattr(care, "last_parent_contact_on", None), timezone.localdate())
