"""Attribute versioned changes (django-auditlog) to the acting user outside web requests.

Web requests get their actor from ``AuditlogMiddleware``; services that also run in jobs and
commands wrap their writes in ``acting_as(actor)``. Nested use keeps the outer actor, since
auditlog's own context does not nest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value, set_actor


@contextlib.contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    try:
        current = auditlog_value.get()
    except LookupError:
        current = None
    if current and current.get("actor") is not None:
        yield
        return
    with set_actor(actor):
        yield
