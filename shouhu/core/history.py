"""Attribute versioned changes (django-auditlog) to the acting user outside web requests.

Web requests get their actor from ``AuditlogMiddleware``; services that also run in jobs and
commands wrap their writes in ``acting_as(actor)``. auditlog's own context neither nests nor
cleans up (its context variable keeps the last actor after the block, with the signal receiver
gone), so each use starts from an empty context and restores the previous one on exit: an
enclosing block (the middleware's) works again afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value, set_actor


@contextlib.contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    token = auditlog_value.set({})
    try:
        with set_actor(actor):
            yield
    finally:
        auditlog_value.reset(token)
