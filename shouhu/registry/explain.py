"""Explanations in the reader's language: ``Reason`` values rendered as sentences.

A reason is stored language-free (``{"msg": English message id, "args": {...}}``, see
``facts.Reason``) and rendered when shown: the message is translated with gettext in the active
language, then its arguments are put in with ``%``. Arguments are plain JSON so that they can be
stored; this module gives them their form in the language:

- a date (``date`` or an ISO ``YYYY-MM-DD`` string) in the language's date format
  (``2025年3月10日`` / ``March 10, 2025``);
- a code of a choice under a known key (``relation``, ``situation``, ``disability`` …) as the
  translated label of that choice (``father`` → ``父亲``);
- anything else as it is.

A translation with broken placeholders never breaks a page: the English sentence is shown instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.translation import gettext

from shouhu.registry.choices import (
    Category,
    DisabilityType,
    EconomicStatus,
    HealthStatus,
    HukouNature,
    Relation,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.facts import Reason

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Argument keys whose values are codes of these choices (rendered as their translated label).
CHOICE_ARGUMENTS: Mapping[str, type[models.TextChoices]] = {
    "relation": Relation,
    "other_relation": Relation,
    "situation": SituationKind,
    "disability": DisabilityType,
    "economic_status": EconomicStatus,
    "health": HealthStatus,
    "school_status": SchoolStatus,
    "hukou_nature": HukouNature,
    "category": Category,
    "sex": Sex,
    "form_sex": Sex,
    "number_sex": Sex,
}


def format_date(value: date) -> str:
    """A date in the active language's format."""
    return str(formats.date_format(value, "DATE_FORMAT"))


def _display(key: str, value: Any) -> Any:
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str):
        choices = CHOICE_ARGUMENTS.get(key)
        if choices is not None and value in choices.values:
            return str(choices(value).label)
        if ISO_DATE.match(value):
            try:
                return format_date(date.fromisoformat(value))
            except ValueError:
                return value
    return value


def _parts(reason: Reason | Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    if isinstance(reason, Reason):
        return reason.msg, reason.args
    return str(reason["msg"]), reason.get("args") or {}


def render_one(reason: Reason | Mapping[str, Any]) -> str:
    """One reason as a sentence in the active language."""
    msg, args = _parts(reason)
    if not args:
        return gettext(msg)
    shown = {key: _display(key, value) for key, value in args.items()}
    try:
        return gettext(msg) % shown
    except (KeyError, TypeError, ValueError):
        # A translation whose placeholders do not match the message: show the English sentence.
        return msg % shown


def render(reasons: Iterable[Reason | Mapping[str, Any]]) -> list[str]:
    """Reasons (``Reason`` values or their stored ``{"msg", "args"}`` form) as sentences."""
    return [render_one(reason) for reason in reasons]
