"""Keeping the search keys current: the receiver of the registry's ``children_changed`` signal.

A few children (a registration, an edit, a merge) are re-keyed at once, after the registry's
transaction has committed, so that the next search finds them; many (an import of a register) in
the background worker, so that the import's job ends without waiting for them. The pairs to review
follow a child who moved to another village (the review queue is scoped by the pair's villages).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import OuterRef, Subquery
from huey.contrib.djhuey import db_task

from shouhu.matching import keys
from shouhu.matching.models import PairReview
from shouhu.registry.models import Child

logger = logging.getLogger(__name__)

# Children re-keyed in the sender's process; more go to the background worker.
INLINE_LIMIT = 500


def on_children_changed(sender: Any, pks: tuple[int, ...], **kwargs: Any) -> None:
    """Re-key the changed children (now, or in the worker when there are many)."""
    if len(pks) > INLINE_LIMIT:
        refresh_keys(list(pks))
    else:
        refresh_children(list(pks))


def refresh_children(pks: list[int]) -> None:
    """The keys of these children, and the villages of their pairs to review."""
    keys.refresh(pks)
    village = Subquery(Child.objects.filter(pk=OuterRef("child_a_id")).values("village_id")[:1])
    PairReview.objects.filter(child_a_id__in=pks).update(village_a=village)
    village = Subquery(Child.objects.filter(pk=OuterRef("child_b_id")).values("village_id")[:1])
    PairReview.objects.filter(child_b_id__in=pks).update(village_b=village)


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def refresh_keys(pks: list[int]) -> None:
    refresh_children(pks)
    logger.info("search keys of %d children rebuilt", len(pks))
