"""Access policies of reports: who files, who sees, who triages and identifies the child.

Rules (DESIGN.md "Who uses it"; DOMAIN.md §1.2 and §1.4):

* **File** a report: mandated reporters (schools, hospitals … MPL art. 11 ¶2), the registry roles
  (a child director reports risks at once), department liaisons (referrals in) and the front door
  itself (a hotline call, a walk-in). A report is filed for a village of the filer's county.
* **The front door** (一门受理): intake officers and caseworkers see every report of their
  jurisdiction, triage it, identify the child (search the registry, link the file) and see who
  reported. Nobody else sees the reporter (反家暴法 art. 14: the reporter's information is kept
  confidential).
* **Everyone else** who filed a report sees their own reports: the receipt code, what they wrote,
  whether it was received and triaged — not the triage note, nor which file it was linked to.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from shouhu.accounts.choices import Role
from shouhu.accounts.models import User
from shouhu.core.policy import CREATE, VIEW, Policy, register_policy
from shouhu.intake.models import Report
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.registry.permissions import REGISTRY_ROLES

TRIAGE = "triage"
IDENTIFY = "identify"
SEE_REPORTER = "see_reporter"

FRONT_DOOR = frozenset({Role.INTAKE_OFFICER, Role.COUNTY_CASEWORKER})
FILERS = REGISTRY_ROLES | {Role.MANDATED_REPORTER, Role.DEPARTMENT_LIAISON}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def front_door_scope(user: Any) -> str | None:
    """The region code whose reports ``user`` handles at the front door, ``""`` for all, None for none."""
    if not _active(user):
        return None
    if user.is_superuser:
        return ""
    if user.jurisdiction_id and user.roles & FRONT_DOOR:
        return str(user.jurisdiction_id)
    return None


def filing_scope(user: Any) -> str | None:
    """The region (a county, or the whole jurisdiction above it) for whose villages ``user`` may file."""
    if not _active(user):
        return None
    if user.is_superuser:
        return ""
    if not (user.jurisdiction_id and user.roles & FILERS):
        return None
    code = str(user.jurisdiction_id)
    level = codes.level_of(code)
    if level is Level.VILLAGE:
        code = codes.parent_code(code) or code
    if level in (Level.TOWNSHIP, Level.VILLAGE):
        # The county above (the city, for a city without counties: ``codes.parent_code``).
        return codes.parent_code(code) or code
    return code


def may_file(user: Any) -> bool:
    return filing_scope(user) is not None


def handles(user: Any, report: Report) -> bool:
    """Is ``report`` within ``user``'s front door (triage, identification, the reporter's identity)?"""
    scope = front_door_scope(user)
    if scope is None:
        return False
    return scope == "" or codes.is_within(report.region_id, scope)


class ReportPolicy(Policy[Report]):
    """Reports: the front door's by region, everyone's own by who filed them."""

    model = Report
    actions = frozenset({VIEW, CREATE, TRIAGE, IDENTIFY, SEE_REPORTER})

    def scope(self, user: User, queryset: models.QuerySet[Report]) -> models.QuerySet[Report]:
        scope = front_door_scope(user)
        if scope == "":
            return queryset
        own = Q(created_by=user)
        if scope is None:
            return queryset.filter(own)
        return queryset.filter(codes.within_q("region", scope) | own)

    def allows(self, user: User, action: str, obj: Report | None) -> bool:
        if action == VIEW:
            return True
        if action == CREATE:
            return may_file(user)
        if obj is None:
            return front_door_scope(user) is not None
        return handles(user, obj)


register_policy(ReportPolicy())
