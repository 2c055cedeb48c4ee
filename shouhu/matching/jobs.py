"""Batch de-duplication of a region as a background job (``matching.dedup``), with progress.

The job reads every file of the region (not merged) with its family, once, and runs the batch path
of ``batch.py`` on it — the path ``bench/matching`` measures: candidate pairs by the store's blocks
(``batch.candidate_pairs``: identity number, name keys with the birth year or in the county, birth
date with sex in the county; an oversized block split by place or year, or skipped and counted),
each record prepared once, each pair scored with the engine (``batch.score_pairs``: the policy's
thresholds, ``weights.json``). The pairs that reach a band go to the review queue (``PairReview``)
in bulk with their evidence — a pair already decided keeps its decision, so "not the same" is never
asked again. Clusters (``batch.clusters``: files linked by pairs of 很可能 and above, not separated
by a "not the same") are counted in the result: the review screen shows them together.

One process: ``batch.deduplicate`` can fork workers, but a forked worker would share the job's
database connection (its socket, its transaction) with the parent; the job scores in its own
process, and a county (the intended unit, a few hundred thousand files at most) takes minutes.
Memory holds the region's records, prepared (≈1.5 kB each); the whole registry (a superuser's run)
is possible on a server with the memory for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.core.errors import NotAllowedError
from shouhu.core.jobs import ProgressReporter, register_job, start_job
from shouhu.core.memory import collector_paused
from shouhu.core.models import Job
from shouhu.matching import batch, engine, keys, names, permissions, search
from shouhu.matching.compare import prepare
from shouhu.matching.engine import Band, Match, Thresholds
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
# Shares of the progress bar: reading the files, blocking and scoring them; then the queue.
READ_SHARE, SCORE_SHARE = 30, 60
REPORT_EVERY = 10_000  # pairs scored between two reports
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
    for batch_records in region_records(region):
        records.update(batch_records)
        report(READ_SHARE * len(records) // max(total, 1), 100, _("Reading the files"))
    outcome.children = len(records)
    villages = {pk: record.region_code for pk, record in records.items()}

    with collector_paused():  # millions of objects, no cycles
        found = _score(records, on=on, limits=limits, outcome=outcome, report=report)
    report(READ_SHARE + SCORE_SHARE, 100, _("Writing the pairs to review"))
    write_reviews(found, villages=villages, job=job, outcome=outcome)
    groups = batch.clusters(((a, b, match.band) for a, b, match in found), apart=_not_same(found))
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


def _score(
    records: dict[int, PersonRecord], *, on: date, limits: Thresholds, outcome: Outcome, report: ProgressReporter
) -> list[tuple[int, int, Match]]:
    """The candidate pairs (``batch.candidate_pairs``, files in the order of their keys) that reach a
    band (``batch.score_pairs``), each with the engine's evidence; the bands and blocks counted."""
    order = sorted(records)
    position = {pk: i for i, pk in enumerate(order)}
    stats = batch.BlockStats()
    pairs = batch.candidate_pairs(((pk, records[pk]) for pk in order), on=on, cap=batch.DEFAULT_CAP, stats=stats)

    def reported(pairs: Iterator[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        # Pairs come by their first file, in order: how far the first file is, is how far the scoring is.
        for count, (a, b) in enumerate(pairs, 1):
            if count % REPORT_EVERY == 0:
                report(READ_SHARE + SCORE_SHARE * position[a] // len(order), 100, _("Comparing files"))
            yield a, b

    report(READ_SHARE, 100, _("Comparing files"))
    prepared = {pk: prepare(record, on=on) for pk, record in records.items()}
    # Namesakes in the whole registry, as a search counts them (``model`` rule 4).
    wanted = (names.current_name_key(record.names) for record in records.values())
    batch.count_names(prepared.values(), keys.name_counts(wanted))
    found: list[tuple[int, int, Match]] = []
    for pair in batch.score_pairs(reported(pairs), prepared, weights=DEFAULT_WEIGHTS, thresholds=limits):
        # Sentences only for the pairs that reach a band; the engine's band is the batch's.
        match = engine.match_prepared(prepared[pair.a], prepared[pair.b], weights=DEFAULT_WEIGHTS, thresholds=limits)
        if match.band is not None:
            found.append((pair.a, pair.b, match))
            outcome.bands[match.band.value] += 1
    outcome.pairs = stats.pairs
    outcome.skipped_blocks = stats.oversized
    return found


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
