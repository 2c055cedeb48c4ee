"""What the registry tells the apps above it: children's files changed.

``children_changed`` is sent with ``pks`` (a tuple of ``Child`` primary keys) once the transaction
that changed them has committed — never for a write that was rolled back. It is sent by the
services that change a child's own facts (``register_child``, ``update_child``,
``change_file_status``, ``set_id_number``) and by ``bulk_register_children`` (imports) with every
child written. Receivers keep derived stores current (``shouhu.matching`` rebuilds the children's
search keys); they do no business logic of the registry (STYLE.md "Writes").

A receiver's failure does not undo the registry's write (it is already committed): it is
logged, and the derived store is rebuilt by its own command (``manage.py matching_reindex``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from shouhu.registry.models import Child

logger = logging.getLogger(__name__)

# Sent with ``sender=Child`` and ``pks=tuple[int, ...]``.
children_changed = Signal()


def send_children_changed(pks: Iterable[int]) -> None:
    """Send ``children_changed`` for ``pks`` after the current transaction commits (now, outside one)."""
    changed = tuple(sorted({int(pk) for pk in pks}))
    if not changed:
        return
    transaction.on_commit(lambda: _send(changed))


def _send(pks: tuple[int, ...]) -> None:
    for receiver, outcome in children_changed.send_robust(sender=Child, pks=pks):
        if isinstance(outcome, Exception):
            logger.error(
                "children_changed: %s failed for %d children",
                getattr(receiver, "__name__", receiver),
                len(pks),
                exc_info=outcome,
            )
