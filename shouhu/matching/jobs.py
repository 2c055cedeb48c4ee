"""Batch de-duplication of a region as a background job (``matching.dedup``), with progress.

The job reads every file of the region (not merged) with its family, once; makes candidate pairs by
blocking (``batch.candidate_pairs``: the store's name keys, the birth date with the sex in the
county; blocks above a cap are skipped and counted); scores each pair with the engine, each record
prepared once; and puts the pairs that reach a band in the review queue (``PairReview``) in bulk —
a pair already decided keeps its decision, so "not the same" is never asked again. Clusters (files
linked by pairs of 很可能 and above, not separated by a "not the same") are counted in the result:
the review screen shows them together.

Memory holds the region's records (≈1-2 kB each): a county at a time is the intended unit; the
whole registry (a superuser's run) is possible on a server with the memory for it.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.core.errors import NotAllowedError
from shouhu.core.jobs import ProgressReporter, register_job, start_job
from shouhu.core.models import Job
from shouhu.matching import engine, keys, permissions, search
from shouhu.matching.compare import prepare
from shouhu.matching.engine import Band, Match
from shouhu.matching.model import DEFAULT_WEIGHTS
from shouhu.matching.models import PairReview, ReviewStatus
from shouhu.matching.record import PersonRecord
from shouhu.policy import selectors as policy_selectors
from shouhu.regions import codes
from shouhu.registry.choices import FileStatus
from shouhu.registry.models import Child

if TYPE_CHECKING:
    from shouhu.accounts.models import User

DEDUP_JOB = "matching.dedup"
LOAD_BATCH = 2000
WRITE_BATCH = 1000
# Shares of the progress bar: reading the files, scoring the pairs, writing the queue.
READ_SHARE, SCORE_SHARE = 30, 60
RESCORED = (ReviewStatus.PENDING, ReviewStatus.UNSURE)


def start_deduplication(*, actor: User, region_code: str) -> Job:
    """Queue a de-duplication of the files of ``region_code`` (a 12-digit code; ``""``: everywhere)."""
    if region_code:
        region_code = codes.pad(region_code)
    if not permissions.may_deduplicate(actor, region_code):
        raise NotAllowedError()
    return start_job(actor=actor, kind=DEDUP_JOB, params={"region": region_code})


@dataclass
class Outcome:
    children: int = 0
    pairs: int = 0
    skipped_blocks: int = 0
    bands: dict[str, int] = field(default_factory=lambda: {band.value: 0 for band in Band})
    queued: int = 0
    rescored: int = 0
    kept_decided: int = 0
    clusters: int = 0
    largest_cluster: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def region_records(region_code: str) -> Iterator[dict[int, PersonRecord]]:
    """The region's files (not merged) as the engine reads them, in batches of ``LOAD_BATCH`` (keyset)."""
    live = Child.objects.exclude(status=FileStatus.MERGED)
    if region_code:
        live = live.filter(codes.within_q("village", region_code))
    last = 0
    while True:
        pks = list(live.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:LOAD_BATCH])
        if not pks:
            return
        yield search.records(pks, with_id_number=True)
        last = pks[-1]


@register_job(DEDUP_JOB)
def run_deduplication(job: Job, report: ProgressReporter) -> None:
    started = time.monotonic()
    region = str(job.params.get("region", ""))
    on = policy_selectors.today()
    limits = engine.thresholds(on)
    outcome = Outcome()
    live = Child.objects.exclude(status=FileStatus.MERGED)
    total = (live.filter(codes.within_q("village", region)) if region else live).count()
    records: dict[int, PersonRecord] = {}
    villages: dict[int, str] = {}
    for batch_records in region_records(region):
        records.update(batch_records)
        villages.update((pk, record.region_code) for pk, record in batch_records.items())
        report(READ_SHARE * len(records) // max(total, 1), 100, _("Reading the files"))
    outcome.children = len(records)

    pairs, outcome.skipped_blocks = candidate_pairs(records)
    outcome.pairs = len(pairs)
    prepared = {pk: prepare(record, on=on) for pk, record in records.items()}
    found: list[tuple[int, int, Match]] = []
    for count, (a, b) in enumerate(pairs, 1):
        match = engine.match_prepared(prepared[a], prepared[b], weights=DEFAULT_WEIGHTS, thresholds=limits)
        if match.band is not None:
            found.append((a, b, match) if a < b else (b, a, match))
            outcome.bands[match.band.value] += 1
        if count % 10_000 == 0:
            report(READ_SHARE + SCORE_SHARE * count // max(len(pairs), 1), 100, _("Comparing files"))
    report(READ_SHARE + SCORE_SHARE, 100, _("Writing the pairs to review"))
    write_reviews(found, villages=villages, job=job, outcome=outcome)
    decided_apart = _not_same(found)
    groups = clusters([(a, b) for a, b, m in found if m.band in (Band.CERTAIN, Band.LIKELY)], apart=decided_apart)
    outcome.clusters = len(groups)
    outcome.largest_cluster = max((len(g) for g in groups), default=0)
    job.result = {
        **outcome.as_json(),
        "region": region,
        "on": on.isoformat(),
        "seconds": round(time.monotonic() - started, 1),
    }
    job.message = _("%(pairs)d pairs to review (%(new)d new) among %(children)d files") % {
        "pairs": outcome.queued + outcome.rescored,
        "new": outcome.queued,
        "children": outcome.children,
    }
    report(100, 100, job.message)


def write_reviews(
    found: list[tuple[int, int, Match]], *, villages: dict[int, str], job: Job | None, outcome: Outcome
) -> None:
    """Queue new pairs and rescore pending or unsure ones in bulk; decided pairs stay as decided."""
    now = timezone.now()
    for start in range(0, len(found), WRITE_BATCH):
        chunk = found[start : start + WRITE_BATCH]
        with transaction.atomic():
            firsts = sorted({a for a, _b, _m in chunk})
            existing = {
                (r.child_a_id, r.child_b_id): r
                for r in PairReview.objects.select_for_update().filter(child_a_id__in=firsts)
                if (r.child_a_id, r.child_b_id) in {(a, b) for a, b, _m in chunk}
            }
            new: list[PairReview] = []
            changed: list[PairReview] = []
            for a, b, match in chunk:
                values = {
                    "probability": match.probability,
                    "band": match.band.value if match.band else Band.POSSIBLE.value,
                    "evidence": match.as_json(),
                    "scored_at": now,
                    "village_a": villages[a],
                    "village_b": villages[b],
                }
                review = existing.get((a, b))
                if review is None:
                    new.append(PairReview(child_a_id=a, child_b_id=b, found_by=job, **values))
                elif review.status in RESCORED:
                    for name, value in values.items():
                        setattr(review, name, value)
                    changed.append(review)
                else:
                    outcome.kept_decided += 1
            PairReview.objects.bulk_create(new, batch_size=WRITE_BATCH)
            PairReview.objects.bulk_update(
                changed, ["probability", "band", "evidence", "scored_at", "village_a", "village_b"]
            )
        outcome.queued += len(new)
        outcome.rescored += len(changed)


def _not_same(found: list[tuple[int, int, Match]]) -> set[tuple[int, int]]:
    """The pairs among ``found`` that a person decided are not the same child."""
    firsts = sorted({a for a, _b, _m in found})
    apart: set[tuple[int, int]] = set()
    for start in range(0, len(firsts), WRITE_BATCH):
        rows = PairReview.objects.filter(
            child_a_id__in=firsts[start : start + WRITE_BATCH], status=ReviewStatus.NOT_SAME
        ).values_list("child_a_id", "child_b_id")
        apart.update(rows)
    return apart


# -- blocking and clusters --------------------------------------------------------------------------

# A block of more files than this says too little (a common name in a whole county): skipped, counted.
MAX_BLOCK = 500


def candidate_pairs(records: dict[int, PersonRecord]) -> tuple[list[tuple[int, int]], int]:
    """Pairs of files sharing a stored name key (``keys.child_keys``) or the birth date, sex and
    county; blocks larger than ``MAX_BLOCK`` are skipped. Returns the pairs and the blocks skipped."""
    blocks: dict[Any, list[int]] = {}
    for pk, record in records.items():
        for key in keys.child_keys(record.name, record.names[1:], record.birth_date):
            blocks.setdefault(key, []).append(pk)
        if record.birth_date is not None:
            blocks.setdefault((record.birth_date, record.sex, record.region_code[:6]), []).append(pk)
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            skipped += 1
            continue
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            pairs.update((a, b) for b in ordered[i + 1 :])
    return sorted(pairs), skipped


def clusters(pairs: list[tuple[int, int]], *, apart: Collection[tuple[int, int]] = ()) -> list[set[int]]:
    """Files linked by ``pairs`` (union-find), a pair decided "not the same" (``apart``) not linking."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        if (a, b) in apart or (b, a) in apart:
            continue
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = {}
    for x in parent:
        groups.setdefault(root(x), set()).add(x)
    return [g for g in groups.values() if len(g) > 1]
