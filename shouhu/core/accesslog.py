"""The one entry point for writing the access log (views, searches, exports, reveals).

Every app calls ``record_access``; the audit app installs the writer that appends to the
hash-chained log (``shouhu.audit``), so that apps below it in the layering (accounts,
regions) can log too without importing it. A call before a writer is installed is a
programming error, never a silent loss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest


class AccessAction:
    """What was done to sensitive data (values stored in the log)."""

    VIEW = "view"
    SEARCH = "search"
    EXPORT = "export"
    REVEAL = "reveal"  # a masked value (identity number) shown in full, with a reason
    DOWNLOAD = "download"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"


class AccessWriter(Protocol):
    def __call__(
        self,
        *,
        actor: Any,
        action: str,
        object_type: str,
        object_id: str,
        region_code: str,
        summary: str,
        detail: dict[str, Any],
        reason: str,
        request: HttpRequest | None,
    ) -> None: ...


_writer: AccessWriter | None = None


def install_writer(writer: AccessWriter) -> None:
    global _writer  # noqa: PLW0603  (one writer per process, installed at start-up)
    _writer = writer


def record_access(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str | int = "",
    region_code: str = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Append one entry to the access log (who did ``action`` to which record, and why)."""
    if _writer is None:
        raise RuntimeError("no access-log writer installed (is shouhu.audit in INSTALLED_APPS?)")
    _writer(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_code=region_code,
        summary=summary,
        detail=detail or {},
        reason=reason,
        request=request,
    )
