"""The store of policy settings: values that take effect from a date, and their withdrawals.

Both tables are append-only (PostgreSQL refuses UPDATE and DELETE, migration 0002): a value is
never edited, it is followed by a later one, so that the value a past decision was taken under
can always be found again. A scheduled value that has not taken effect yet can be withdrawn;
the withdrawal is a row of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REASON_MAX_LENGTH = 1000


class PolicyValue(models.Model):
    """The value of setting ``key`` from ``effective_from`` (a date in Asia/Shanghai) on."""

    key = models.CharField(_("setting"), max_length=100)
    value = models.JSONField(_("value"))
    effective_from = models.DateField(_("effective from"))
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("set at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("policy setting value")
        verbose_name_plural = _("policy setting values")
        ordering = ("key", "-effective_from", "-pk")
        indexes = (models.Index(fields=["key", "effective_from"], name="policy_value_key_from"),)
        constraints = (
            models.CheckConstraint(condition=~models.Q(key=""), name="policy_value_key_present"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="policy_value_reason_present"),
        )

    def __str__(self) -> str:
        return f"{self.key} = {self.value!r} from {self.effective_from:%Y-%m-%d}"


class PolicyWithdrawal(models.Model):
    """The withdrawal of a scheduled value before its date: it never takes effect."""

    value = models.OneToOneField(
        PolicyValue, verbose_name=_("withdrawn value"), on_delete=models.PROTECT, related_name="withdrawal"
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("withdrawn at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("withdrawal of a scheduled value")
        verbose_name_plural = _("withdrawals of scheduled values")
        constraints = (models.CheckConstraint(condition=~models.Q(reason=""), name="policy_withdrawal_reason_present"),)

    def __str__(self) -> str:
        return f"withdrawal of {self.value_id}"
