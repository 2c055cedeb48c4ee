"""Changing policy settings: a new value from a date on, or the withdrawal of a scheduled one."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.policy import CREATE, DELETE
from shouhu.policy import selectors
from shouhu.policy.definitions import get_definition
from shouhu.policy.models import REASON_MAX_LENGTH, PolicyValue, PolicyWithdrawal
from shouhu.policy.permissions import policy_value_policy

if TYPE_CHECKING:
    from shouhu.accounts.models import User


def _clean_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("Give the reason for this change (e.g. the document that decided it)."), field="reason")
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(
            _("Keep the reason within %(count)d characters.") % {"count": REASON_MAX_LENGTH}, field="reason"
        )
    return text


def set_policy_value(*, actor: User, key: str, value: Any, effective_from: date, reason: str) -> PolicyValue:
    """Set setting ``key`` to ``value`` from ``effective_from`` on (a date in Asia/Shanghai).

    Only a city administrator or a system administrator may. The value is validated against
    the setting's definition; the change is recorded in the change history with the actor.
    """
    if not policy_value_policy.can(actor, CREATE):
        raise NotAllowedError(_("Only a city administrator may change policy settings."))
    definition = get_definition(key)
    typed = definition.clean(value)
    if not isinstance(effective_from, date):
        raise DomainError(_("Enter the date from which the value applies."), field="effective_from")
    # No retroactive change: a deadline, a visit schedule or a category decided under the value
    # in force on a past day must stay explainable by that value. A change takes effect today at
    # the earliest; what it alters from then on is recomputed from ``changes_between``.
    if effective_from < selectors.today():
        raise DomainError(_("A change cannot apply to the past: choose today or a later date."), field="effective_from")
    reason = _clean_reason(reason)
    with transaction.atomic(), acting_as(actor):
        # Two administrators changing one setting at once: the second waits for the first, so that
        # its "already the value?" check reads the store with the first one's value in it.
        list(PolicyValue.objects.select_for_update().filter(key=key).values_list("pk", flat=True))
        if selectors.load_timeline().value(definition, effective_from) == typed:
            raise DomainError(
                _("This is already the value in force on %(date)s.") % {"date": effective_from.isoformat()},
                field="value",
            )
        row = PolicyValue.objects.create(
            key=key,
            value=definition.to_json(typed),
            effective_from=effective_from,
            reason=reason,
            created_by=actor,
        )
        selectors.note_write()
    return row


def withdraw_scheduled_value(*, actor: User, value: PolicyValue, reason: str) -> PolicyWithdrawal:
    """Withdraw ``value`` before its date: it will never take effect.

    A value already in force cannot be withdrawn (decisions were taken under it); set a new
    value instead.
    """
    if not policy_value_policy.can(actor, DELETE, value):
        raise NotAllowedError(_("Only a city administrator may change policy settings."))
    reason = _clean_reason(reason)
    with transaction.atomic(), acting_as(actor):
        locked = PolicyValue.objects.select_for_update().get(pk=value.pk)
        if PolicyWithdrawal.objects.filter(value=locked).exists():
            raise DomainError(_("This value has already been withdrawn."))
        if locked.effective_from <= selectors.today():
            raise DomainError(_("This value is already in force and cannot be withdrawn; set a new value instead."))
        withdrawal = PolicyWithdrawal.objects.create(value=locked, reason=reason, created_by=actor)
        selectors.note_write()
    return withdrawal
