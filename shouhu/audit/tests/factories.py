"""Entries of the audit logs for tests, and the means of an attacker with database rights."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from shouhu.accounts.choices import Role
from shouhu.accounts.models import User
from shouhu.accounts.tests.factories import UserFactory
from shouhu.audit.models import AccessEvent
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.regions.models import Region


def log_access(
    actor: User | None,
    *,
    action: str = AccessAction.VIEW,
    object_type: str = "accounts.user",
    object_id: str | int = "1",
    region_code: str = "",
    summary: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessEvent:
    """Write one entry through the real writer and return it."""
    record_access(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        region_code=region_code,
        summary=summary,
        reason=reason,
        detail=detail,
    )
    return AccessEvent.objects.order_by("-seq")[0]


def county_auditor(region: Region, username: str = "county_auditor") -> User:
    """An auditor whose jurisdiction is ``region`` (the shared world has only a city auditor)."""
    return cast(User, UserFactory(username=username, full_name=username, roles=[Role.AUDITOR], jurisdiction=region))


def log_change(
    actor: User | None,
    *,
    obj: Any,
    action: int = LogEntry.Action.UPDATE,
    changes: dict[str, Any] | None = None,
    additional_data: dict[str, Any] | None = None,
) -> LogEntry:
    """A change-log entry about ``obj`` as django-auditlog would have written it."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        object_repr=str(obj),
        action=action,
        changes=changes or {},
        actor=actor,
        additional_data=additional_data,
    )


@contextlib.contextmanager
def attacker() -> Iterator[CursorWrapper]:
    """A cursor that writes the access-log table directly, as a database superuser could.

    On PostgreSQL the append-only trigger is bypassed the way such an attacker would:
    ``session_replication_role = replica`` for the transaction. SQLite has no trigger.
    """
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
        if postgres:
            cursor.execute("SET LOCAL session_replication_role = origin")
