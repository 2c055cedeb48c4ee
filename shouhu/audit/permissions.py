"""Access to the audit logs: auditors (and system administrators) only, within their jurisdiction.

An auditor sees an access-log entry when the user who acted worked in the auditor's
jurisdiction (``actor_region``, stored with the entry) or the record lies in it
(``region_code``); a city auditor sees the whole city. Everybody else sees nothing and gets
404 on every audit screen.

Change-log entries (django-auditlog's ``LogEntry``) are scoped by the acting user's
jurisdiction through a join on the actor — auditlog's table has no column for it, and a
second table written beside it would need a signal (STYLE.md: no logic in signals). The
consequence: an entry follows its actor when the actor moves to another jurisdiction, and
changes made by nobody (data migrations) or by system administrators without a
jurisdiction are seen by system administrators only — unless the changed record names its
region: a model registered with auditlog whose ``get_additional_data()`` returns
``{"region_code": "<12-digit code>"}`` is also seen by the auditors of that region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.db import models

from shouhu.accounts.choices import Role
from shouhu.audit.models import AccessEvent, ChainVerification
from shouhu.core.policy import EXPORT, VIEW, Policy, register_policy
from shouhu.regions import codes

if TYPE_CHECKING:
    from shouhu.accounts.models import User

# Logs are read and exported, never changed through the application.
READ_ACTIONS = frozenset({VIEW, EXPORT})
# The key of ``LogEntry.additional_data`` that names the changed record's region.
RECORD_REGION_KEY = "region_code"


def is_auditor(user: Any) -> bool:
    """May ``user`` open the audit screens at all? (Auditors and system administrators.)"""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser or user.has_role(Role.AUDITOR))


class AccessEventPolicy(Policy[AccessEvent]):
    """Auditors read the access log of their jurisdiction; nobody changes it."""

    model = AccessEvent

    def scope(self, user: User, queryset: models.QuerySet[AccessEvent]) -> models.QuerySet[AccessEvent]:
        if user.is_superuser:
            return queryset
        if not user.has_role(Role.AUDITOR) or not user.jurisdiction_id:
            return queryset.none()
        code = user.jurisdiction_id
        return queryset.filter(codes.within_q("actor_region", code) | codes.within_q("region_code", code))

    def allows(self, user: User, action: str, obj: AccessEvent | None) -> bool:
        return action in READ_ACTIONS and is_auditor(user)


class ChangeLogPolicy(Policy[LogEntry]):
    """Auditors read the change log of their jurisdiction (see the module docstring)."""

    model = LogEntry

    def scope(self, user: User, queryset: models.QuerySet[LogEntry]) -> models.QuerySet[LogEntry]:
        if user.is_superuser:
            return queryset
        if not user.has_role(Role.AUDITOR) or not user.jurisdiction_id:
            return queryset.none()
        code = user.jurisdiction_id
        record_in_region = models.Q(**{f"additional_data__{RECORD_REGION_KEY}__startswith": codes.prefix_of(code)})
        return queryset.filter(codes.within_q("actor__jurisdiction_id", code) | record_in_region)

    def allows(self, user: User, action: str, obj: LogEntry | None) -> bool:
        return action in READ_ACTIONS and is_auditor(user)


class ChainVerificationPolicy(Policy[ChainVerification]):
    """The chain is one for the whole installation: every auditor sees its verifications."""

    model = ChainVerification

    def scope(self, user: User, queryset: models.QuerySet[ChainVerification]) -> models.QuerySet[ChainVerification]:
        return queryset if is_auditor(user) else queryset.none()

    def allows(self, user: User, action: str, obj: ChainVerification | None) -> bool:
        return action == VIEW and is_auditor(user)


access_event_policy = register_policy(AccessEventPolicy())
change_log_policy = register_policy(ChangeLogPolicy())
chain_verification_policy = register_policy(ChainVerificationPolicy())
