"""Queries and read-outs of reports: the front door's queue, a filer's own reports, a report's clocks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from shouhu.core import crypto
from shouhu.core.policy import policy_for
from shouhu.intake import permissions, rules
from shouhu.intake.choices import Channel
from shouhu.intake.models import Report
from shouhu.matching.record import PersonRecord
from shouhu.policy import selectors as policy_selectors
from shouhu.regions import codes
from shouhu.registry.facts import Reason

WAITING = "waiting"
TRIAGED = "triaged"
ALL = "all"
STATES = (WAITING, TRIAGED, ALL)


def queue(user: Any, *, state: str = WAITING) -> models.QuerySet[Report]:
    """The front door's reports of ``user``'s jurisdiction: waiting ones by deadline, others newest first."""
    scope = permissions.front_door_scope(user)
    reports = policy_for(Report).visible(user)
    if scope is None:
        return reports.none()
    if scope:
        # Only the reports this front door handles (not those its user filed elsewhere before a move).
        reports = reports.filter(codes.within_q("region", scope))
    reports = reports.select_related("region", "child")
    if state == WAITING:
        return reports.filter(urgency="").order_by("triage_due_at", "pk")
    if state == TRIAGED:
        reports = reports.exclude(urgency="")
    return reports.order_by("-received_at", "-pk")


def mine(user: Any) -> models.QuerySet[Report]:
    """The reports ``user`` filed, newest first."""
    return policy_for(Report).visible(user).filter(created_by=user).select_related("region").order_by("-received_at")


@dataclass(frozen=True)
class QueueFigures:
    waiting: int
    overdue: int
    emergencies: int


def queue_figures(user: Any) -> QueueFigures | None:
    """How many reports wait for triage in ``user``'s front door, how many overdue (None: not the front door)."""
    if permissions.front_door_scope(user) is None:
        return None
    waiting = queue(user, state=WAITING)
    now = timezone.now()
    return QueueFigures(
        waiting=waiting.count(),
        overdue=waiting.filter(triage_due_at__lt=now).count(),
        emergencies=waiting.filter(immediate_danger=True).count(),
    )


def _hours(key: str, on: datetime) -> int:
    """An HOURS setting in force on the day of ``on``."""
    value = policy_selectors.get(key, on)
    if not isinstance(value, int):
        raise TypeError(f"{key} is not a number of hours: {value!r}")
    return value


def triage_due(received_at: datetime, *, emergency: bool) -> rules.Due:
    """The deadline of a report received at ``received_at``, under the settings of that day."""
    return rules.triage_due(
        received_at,
        emergency=emergency,
        hours=_hours("intake.triage_hours", received_at),
        emergency_hours=_hours("intake.emergency_triage_hours", received_at),
    )


def due(report: Report) -> rules.Due:
    """The triage deadline of ``report`` (fixed at receipt) and why (the settings in force on that day)."""
    return replace(triage_due(report.received_at, emergency=report.immediate_danger), at=report.triage_due_at)


def lateness(report: Report) -> Reason | None:
    """Why a mandatory report counts as late, or None (other channels are never late)."""
    if report.channel != Channel.MANDATORY:
        return None
    limit = _hours("intake.late_mandatory_report_hours", report.received_at)
    return rules.lateness(report.discovered_at, report.received_at, limit_hours=limit)


def person_record(report: Report) -> PersonRecord:
    """The child as the report describes them, as the matching engine reads a person."""
    names = tuple(n for n in (report.child_name, report.child_other_name) if n)
    age = report.child_age if report.child_birth_date is None else None
    return PersonRecord(
        names=names,
        sex=report.child_sex or None,
        birth_date=report.child_birth_date,
        age=age,
        on=timezone.localdate(report.received_at) if age is not None else None,
        id_number=crypto.decrypt(report.id_number_cipher) if report.id_number_cipher else "",
        phones=(report.contact_phone,) if report.contact_phone else (),
        region_code=report.region_id,
        address=report.child_address or report.place,
        guardian_names=(report.guardian_name,) if report.guardian_name else (),
    )


def describes_someone(report: Report) -> bool:
    """Does the report say enough of the child to search the registry (a name, a date or a number)?"""
    return bool(report.child_name or report.child_other_name or report.child_birth_date or report.id_number_cipher)
