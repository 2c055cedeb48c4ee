"""Spreadsheets of the audit logs, written row by row (``shouhu.core.xlsx.SheetWriter``).

Memory stays flat whatever the number of rows: entries are read in keyset batches and
streamed into the workbook. The writer keeps text that a spreadsheet would run as a formula
as text and drops characters that xlsx cannot hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from auditlog.models import LogEntry
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shouhu.audit.changes import describe_entries
from shouhu.audit.choices import access_action_label
from shouhu.audit.models import AccessEvent
from shouhu.core.xlsx import SheetWriter

T = TypeVar("T", bound=models.Model)

BATCH = 2000
# Excel holds 1 048 576 rows; beyond this the export stops and says so.
MAX_ROWS = 1_000_000

Progress = Callable[[int, int, str], None]


def in_batches(queryset: models.QuerySet[T], *, key: str, limit: int) -> Iterator[list[T]]:
    """``queryset`` newest first (descending ``key``), ``BATCH`` rows per query, at most ``limit`` rows."""
    cursor: Any = None
    taken = 0
    while taken < limit:
        page = queryset.order_by(f"-{key}")
        if cursor is not None:
            page = page.filter(**{f"{key}__lt": cursor})
        rows = list(page[: min(BATCH, limit - taken)])
        if not rows:
            return
        taken += len(rows)
        cursor = getattr(rows[-1], key)
        yield rows


def write_access_log(queryset: models.QuerySet[AccessEvent], *, total: int, progress: Progress) -> SheetWriter:
    """The access-log entries of ``queryset``, newest first, one row each."""
    writer = SheetWriter(
        _("Access log"),
        [
            _("No."),
            _("Time"),
            _("User name"),
            _("User's jurisdiction"),
            pgettext("audit", "Action"),
            _("Record type"),
            _("Record id"),
            _("Record's region"),
            pgettext("audit", "Summary"),
            pgettext("audit", "Reason"),
            _("IP address"),
            _("Request path"),
            _("Detail"),
            _("Hash"),
        ],
        [10, 20, 16, 14, 12, 18, 14, 14, 40, 30, 16, 30, 40, 66],
    )
    try:
        _write_access_rows(writer, queryset, total=total, progress=progress)
    except BaseException:
        writer.discard()
        raise
    return writer


def _write_access_rows(
    writer: SheetWriter, queryset: models.QuerySet[AccessEvent], *, total: int, progress: Progress
) -> None:
    for batch in in_batches(queryset, key="seq", limit=total):
        for event in batch:
            writer.append(
                [
                    event.seq,
                    event.at,
                    event.actor_username,
                    event.actor_region,
                    access_action_label(event.action),
                    event.object_type,
                    event.object_id,
                    event.region_code,
                    event.summary,
                    event.reason,
                    event.ip or "",
                    event.request_path,
                    json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else "",
                    event.hash,
                ]
            )
        progress(writer.rows, total, "")


def write_changes(queryset: models.QuerySet[LogEntry], *, total: int, progress: Progress) -> SheetWriter:
    """The change-log entries of ``queryset``, newest first, one row per changed field."""
    writer = SheetWriter(
        _("Change log"),
        [
            _("Entry"),
            _("Time"),
            _("User"),
            _("User name"),
            pgettext("audit", "Action"),
            _("Record type"),
            _("Record id"),
            _("Record"),
            _("Field"),
            _("Before"),
            _("After"),
            _("IP address"),
        ],
        [10, 20, 16, 16, 10, 18, 12, 30, 20, 30, 30, 16],
    )
    try:
        _write_change_rows(writer, queryset, total=total, progress=progress)
    except BaseException:
        writer.discard()
        raise
    return writer


def _write_change_rows(
    writer: SheetWriter, queryset: models.QuerySet[LogEntry], *, total: int, progress: Progress
) -> None:
    entries = 0
    for batch in in_batches(queryset, key="id", limit=total):
        for record in describe_entries(batch):
            head = [
                record.entry_id,
                record.at,
                record.actor_name,
                record.actor_username,
                record.action_label,
                record.record_type_label,
                record.object_pk,
                record.object_repr,
            ]
            for field in record.fields or [None]:
                tail = [field.label, field.old, field.new] if field is not None else ["", "", ""]
                writer.append([*head, *tail, record.remote_addr or ""])
        entries += len(batch)
        progress(entries, total, "")
