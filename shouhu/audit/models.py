"""The append-only, hash-chained access log and the record of its verifications.

Versioned changes of records (who changed what, before and after) are kept by
django-auditlog's ``LogEntry``; this module keeps who *looked at*, searched or exported
sensitive records, which auditlog does not.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.audit.choices import ChainProblem, VerificationTrigger, access_action_label, describe_break


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an access-log row."""


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("the access log is append-only")


class AccessEvent(models.Model):
    """One view, search, export or reveal of sensitive data, chained to the one before."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    # No database constraint: a row of this table is never updated, not even by a cascade.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    actor_region = models.CharField(_("user's jurisdiction"), max_length=12, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, db_index=True)
    object_type = models.CharField(_("record type"), max_length=64, db_index=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    region_code = models.CharField(_("record's region"), max_length=12, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    reason = models.TextField(pgettext_lazy("audit", "reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    request_path = models.CharField(_("request path"), max_length=255, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(pgettext_lazy("audit", "hash"), max_length=64)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="access_event_object"),
            models.Index(fields=["actor_username", "seq"], name="access_event_username"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")

    @property
    def action_label(self) -> str:
        return access_action_label(self.action)

    def hashed_content(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_region": self.actor_region,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "region_code": self.region_code,
            "summary": self.summary,
            "detail": self.detail,
            "reason": self.reason,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "request_path": self.request_path,
        }


class ChainHead(models.Model):
    """The single row that holds the last link; locked while an entry is appended.

    ``seal`` is an HMAC of ``seq`` and ``hash`` under the audit key: deleting entries at the
    end and moving the head back to match is detected without the key.
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("access-log chain head")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class ChainVerification(models.Model):
    """One run of the chain verification: when, who or what started it, and what it found."""

    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"))
    trigger = models.CharField(_("started by"), max_length=20, choices=VerificationTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_seq = models.BigIntegerField(_("from entry"), null=True, blank=True)
    rows_checked = models.BigIntegerField(_("entries checked"), default=0)
    last_seq = models.BigIntegerField(_("last intact entry"), null=True, blank=True)
    last_hash = models.CharField(_("hash of the last intact entry"), max_length=64, blank=True)
    head_seq = models.BigIntegerField(_("chain head"), null=True, blank=True)
    ok = models.BooleanField(_("intact"))
    problem = models.CharField(_("problem"), max_length=20, choices=ChainProblem.choices, blank=True)
    broken_seq = models.BigIntegerField(_("first broken entry"), null=True, blank=True)
    kind = models.CharField(_("kind of break"), max_length=40, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    message = models.TextField(
        pgettext_lazy("audit", "message"), blank=True, help_text=_("In English, for operators and logs.")
    )

    class Meta:
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ok=True, problem="") | models.Q(ok=False) & ~models.Q(problem=""),
                name="chain_verification_problem_iff_broken",
            ),
        ]

    def __str__(self) -> str:
        return f"verification {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'broken'}"

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def is_full(self) -> bool:
        """Did it walk the chain from its first entry?"""
        return self.from_seq is None

    def describe(self) -> str:
        """What was found, in the active language."""
        return describe_break(self.kind, self.params) if self.kind else ""
