"""Reads of matching for screens and the API: the review queue, a file's pairs and merges.

Every selector starts from the policy (``permissions``): a pair is seen by the registry roles whose
jurisdiction covers both files, a merge likewise. Querysets come joined (both children and their
villages), so that a page of the queue is a fixed number of queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Prefetch, Q

from shouhu.core.policy import policy_for
from shouhu.matching.models import Merge, MergedRow, PairReview, ReviewStatus
from shouhu.regions import codes

if TYPE_CHECKING:
    from shouhu.accounts.models import User
    from shouhu.registry.models import Child


def review_queue(
    actor: User, *, status: str | None = ReviewStatus.PENDING, band: str | None = None, region: str | None = None
) -> models.QuerySet[PairReview]:
    """The pairs ``actor`` may review, most likely first: by default those waiting for a decision.

    ``status`` None gives every status; ``band`` one band; ``region`` (a division code or its
    2-12 digit prefix) the pairs whose two files lie in it.
    """
    pairs = policy_for(PairReview).visible(actor)
    if status is not None:
        pairs = pairs.filter(status=status)
    if band is not None:
        pairs = pairs.filter(band=band)
    if region:
        code = codes.pad(region)
        pairs = pairs.filter(codes.within_q("village_a", code), codes.within_q("village_b", code))
    return pairs.select_related("child_a__village", "child_b__village", "decided_by").order_by("-probability", "pk")


def pairs_of(actor: User, child: Child) -> models.QuerySet[PairReview]:
    """The pairs of one file that ``actor`` may see, any status."""
    return (
        policy_for(PairReview)
        .visible(actor)
        .filter(Q(child_a=child) | Q(child_b=child))
        .select_related("child_a__village", "child_b__village", "decided_by")
        .order_by("-probability", "pk")
    )


def merges_of(actor: User, child: Child) -> models.QuerySet[Merge]:
    """The merges that kept or took ``child``'s file, newest first, with their rows."""
    return (
        policy_for(Merge)
        .visible(actor)
        .filter(Q(keep=child) | Q(other=child))
        .select_related("keep", "other", "merged_by", "undone_by")
        .prefetch_related(Prefetch("rows", queryset=MergedRow.objects.select_related("content_type")))
        .order_by("-merged_at", "-pk")
    )
