"""The clocks of a report, pure: when its triage is due, whether a mandatory report came late.

Sources (DOMAIN.md §1.3 and its table of defaults): the law says "immediately" (MPL art. 11,
高检发〔2020〕9号 art. 2) and fixes no hour; the hours are policy settings (``intake.triage_hours``,
``intake.emergency_triage_hours``, ``intake.late_mandatory_report_hours``), read by the caller and
passed in. Each answer carries its reason, shown to the user as it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

from shouhu.registry.facts import Reason

# Receipt codes: no 0/O, 1/I/L, so that a code read out on the phone is not misheard.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 12
RECEIPT_GROUP = 4

DUE_EMERGENCY = gettext_noop(
    "Triage due within %(hours)d hours of receipt: the reporter said the child is in danger right now "
    "(policy setting: triage of a report of an emergency)"
)
DUE_ORDINARY = gettext_noop(
    "Triage due within %(hours)d hours of receipt (policy setting: triage of a new report; the law says "
    "“immediately”, MPL art. 11)"
)
LATE = gettext_noop(
    "Reported %(hours)d hours after the situation was discovered, more than the %(limit)d hours after which a "
    "mandatory report counts as late (MPL art. 11: “immediately”)"
)


@dataclass(frozen=True)
class Due:
    """When a report's triage is due, and why."""

    at: datetime
    hours: int
    emergency: bool
    reason: Reason

    def overdue(self, now: datetime) -> bool:
        return now > self.at


def triage_due(received_at: datetime, *, emergency: bool, hours: int, emergency_hours: int) -> Due:
    """The deadline of a report's triage: ``emergency_hours`` when the child is in danger now, else ``hours``."""
    limit = emergency_hours if emergency else hours
    reason = Reason(DUE_EMERGENCY if emergency else DUE_ORDINARY, {"hours": limit})
    return Due(at=received_at + timedelta(hours=limit), hours=limit, emergency=emergency, reason=reason)


def lateness(discovered_at: datetime | None, reported_at: datetime, *, limit_hours: int) -> Reason | None:
    """Why a mandatory report counts as late (more than ``limit_hours`` from discovery), or None.

    A report with no time of discovery, or one "discovered" after it was made (a slip of the
    keyboard), is not late: suspicion and speed are never held against a reporter without cause.
    """
    if discovered_at is None or discovered_at > reported_at:
        return None
    delay = reported_at - discovered_at
    if delay <= timedelta(hours=limit_hours):
        return None
    return Reason(LATE, {"hours": int(delay.total_seconds() // 3600), "limit": limit_hours})


def new_receipt_code() -> str:
    """A random receipt code (60 bits), grouped for reading out: ``K7QM-3XWP-9DHT``."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return format_receipt(raw)


def format_receipt(text: str) -> str:
    """A code as typed (any case, with spaces or dashes) in its canonical form, or ``""`` if it is not one."""
    chars = [c for c in text.upper() if c.isalnum()]
    if len(chars) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in chars):
        return ""
    return "-".join("".join(chars[i : i + RECEIPT_GROUP]) for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))
