"""The append-only, hash-chained access log.

Versioned changes of records (who changed what, before and after) are kept by
django-auditlog's ``LogEntry``; this module keeps who *looked at*, searched or exported
sensitive records, which auditlog does not.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    request_path = models.CharField(_("request path"), max_length=255, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="access_event_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")

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
    """The single row that holds the last link; locked while an entry is appended."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("access-log chain head")

    def __str__(self) -> str:
        return f"head #{self.seq}"
