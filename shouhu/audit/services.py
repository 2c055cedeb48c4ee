"""Writing the access log, verifying its chain, and starting the auditors' background jobs."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shouhu.audit import chain
from shouhu.audit.choices import ChainProblem, VerificationTrigger
from shouhu.audit.models import AccessEvent, ChainHead, ChainVerification
from shouhu.core.errors import NotAllowedError
from shouhu.core.jobs import start_job
from shouhu.core.net import client_ip
from shouhu.core.policy import EXPORT, VIEW, policy_for
from shouhu.regions import codes

if TYPE_CHECKING:
    from django.http import HttpRequest

    from shouhu.accounts.models import User
    from shouhu.core.models import Job

logger = logging.getLogger(__name__)

HEAD_ID = 1
# Rows read per query while verifying: memory stays constant whatever the size of the log.
VERIFY_BATCH = 5000
VERIFY_JOB = "audit.verify_chain"
EXPORT_ACCESS_LOG_JOB = "audit.export_access_log"
EXPORT_CHANGES_JOB = "audit.export_changes"

ProgressCallback = Callable[[int, int, str], None]


def _clean_text(value: str, limit: int | None = None) -> str:
    # PostgreSQL text cannot hold NUL; a NUL in a user agent must not make the request fail.
    value = value.replace("\x00", "\ufffd")
    return value[:limit] if limit is not None else value


def _normalised_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """``detail`` exactly as the database will give it back, so that the hash can be recomputed."""
    text = _clean_text(json.dumps(detail, cls=DjangoJSONEncoder, ensure_ascii=False))
    result: dict[str, Any] = json.loads(text)
    return result


def append_access_event(
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
) -> AccessEvent:
    """Append one entry to the chain (serialised on the chain head row).

    The entry commits with the caller's transaction: a view that fails after logging
    leaves neither the entry nor a hole in the chain.
    """
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AccessEvent(
        actor=actor if authenticated else None,
        actor_username=_clean_text(actor.get_username() if authenticated else str(detail.get("username", "")), 150),
        actor_region=(getattr(actor, "jurisdiction_id", None) or "") if authenticated else "",
        action=action,
        object_type=_clean_text(object_type, 64),
        object_id=_clean_text(object_id, 64),
        # Scopes compare 12-digit codes; a short code ("3709") would fall outside every range.
        region_code=codes.pad(region_code) if region_code else "",
        summary=_clean_text(summary, 255),
        detail=_normalised_detail(detail),
        reason=_clean_text(reason),
    )
    if request is not None:
        # Normalised as the database will store it, so that the hash matches what is read back.
        event.ip = AccessEvent._meta.get_field("ip").get_prep_value(client_ip(request))
        event.user_agent = _clean_text(request.META.get("HTTP_USER_AGENT", ""), 255)
        event.request_path = _clean_text(request.get_full_path(), 255)
    key = settings.SHOUHU_AUDIT_KEY
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(
            pk=HEAD_ID, defaults={"hash": chain.GENESIS, "seal": chain.head_seal(key, 0, chain.GENESIS)}
        )
        # Taken under the lock, so that times never go backwards along the chain.
        event.at = timezone.now()
        event.seq = head.seq + 1
        event.prev_hash = head.hash
        event.hash = chain.link(key, head.hash, event.hashed_content())
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.seal = chain.head_seal(key, head.seq, head.hash)
        head.save(update_fields=["seq", "hash", "seal"])
    return event


def write_access_event(**kwargs: Any) -> None:
    """The writer installed into ``shouhu.core.accesslog``."""
    append_access_event(**kwargs)


_VERIFY_FIELDS = (*chain.HASHED_FIELDS, "prev_hash", "hash")


def _read_head() -> chain.Head | None:
    row = ChainHead.objects.filter(pk=HEAD_ID).values("seq", "hash", "seal").first()
    return chain.Head(row["seq"], row["hash"], row["seal"]) if row else None


def _entry_beyond_head() -> chain.Break | None:
    """An entry that lies beyond the head: written outside the log."""
    # Rows are read before the head: a row commits together with the head that covers it,
    # so a committed row beyond a head read afterwards cannot come from the writer.
    highest = AccessEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    latest = _read_head()
    if highest is None or latest is None or highest <= latest.seq:
        return None
    first = AccessEvent.objects.filter(seq__gt=latest.seq).order_by("seq").values_list("seq", flat=True).first()
    return chain.beyond_head(first if first is not None else highest, latest)


def _checkpoint() -> chain.Link | None:
    """The furthest link an earlier verification found intact."""
    row = (
        ChainVerification.objects.filter(ok=True, last_seq__isnull=False)
        .order_by("-last_seq", "-started_at")
        .values("last_seq", "last_hash")
        .first()
    )
    return chain.Link(row["last_seq"] or 0, row["last_hash"]) if row else None


def verify_chain(
    *,
    actor: User | None,
    trigger: VerificationTrigger,
    from_seq: int | None = None,
    resume: bool = False,
    batch_size: int = VERIFY_BATCH,
    progress: ProgressCallback | None = None,
) -> ChainVerification:
    """Walk the access log in ``seq`` order, recompute every link and record what was found.

    Reads ``batch_size`` rows per query (keyset on ``seq``), so memory stays constant. The
    walk covers the entries up to the head as read at the start; entries appended while it
    runs are checked next time. ``from_seq`` starts at that entry and trusts the one before
    it; ``resume`` starts after the furthest entry an earlier verification found intact,
    from the hash that verification recorded (entries before it are not read again). Returns
    the saved ``ChainVerification``; ``ok`` is false at the first broken link.
    """
    key = settings.SHOUHU_AUDIT_KEY
    started_at = timezone.now()
    clock = time.monotonic()
    head = _read_head()
    checkpoint = _checkpoint()
    broken: chain.Break | None = None

    start = chain.START
    if resume and from_seq is None and checkpoint is not None:
        start = checkpoint
        from_seq = checkpoint.seq + 1
    elif from_seq is not None and from_seq > 1:
        anchor = AccessEvent.objects.filter(seq=from_seq - 1).values_list("hash", flat=True).first()
        if anchor is None:
            broken = chain.Break(ChainProblem.MISSING, "anchor_missing", from_seq - 1, {"seq": from_seq - 1})
        else:
            start = chain.Link(from_seq - 1, anchor)
    walker = chain.ChainWalker(key, start=start, checkpoint=checkpoint)
    upper = head.seq if head is not None else None
    total = max((upper if upper is not None else 0) - start.seq, 0)

    rows = AccessEvent.objects.order_by("seq").values(*_VERIFY_FIELDS)
    if upper is not None:
        rows = rows.filter(seq__lte=upper)
    if from_seq is not None:
        rows = rows.filter(seq__gte=from_seq)
    cursor: int | None = None
    while broken is None:
        batch = list((rows if cursor is None else rows.filter(seq__gt=cursor))[:batch_size])
        if not batch:
            break
        for row in batch:
            broken = walker.feed(row)
            if broken is not None:
                break
        cursor = batch[-1]["seq"]
        if progress is not None:
            progress(walker.checked, max(total, walker.checked), "")

    if broken is None:
        broken = chain.check_head(key, head, walker.last, checkpoint=checkpoint)
    if broken is None:
        broken = _entry_beyond_head()

    return _record_verification(
        actor=actor,
        trigger=trigger,
        started_at=started_at,
        seconds=time.monotonic() - clock,
        from_seq=from_seq,
        walker=walker,
        head=head,
        broken=broken,
    )


def _record_verification(
    *,
    actor: User | None,
    trigger: VerificationTrigger,
    started_at: datetime,
    seconds: float,
    from_seq: int | None,
    walker: chain.ChainWalker,
    head: chain.Head | None,
    broken: chain.Break | None,
) -> ChainVerification:
    with translation.override("en"):
        message = broken.message if broken is not None else ""
    intact = walker.last if walker.last != chain.START else None
    verification = ChainVerification.objects.create(
        started_at=started_at,
        finished_at=started_at + timedelta(seconds=seconds),
        trigger=trigger,
        requested_by=actor,
        from_seq=from_seq,
        rows_checked=walker.checked,
        last_seq=intact.seq if intact is not None else None,
        last_hash=intact.hash if intact is not None else "",
        head_seq=head.seq if head is not None else None,
        ok=broken is None,
        problem=broken.problem if broken is not None else "",
        broken_seq=broken.seq if broken is not None else None,
        kind=broken.kind if broken is not None else "",
        params=broken.params if broken is not None else {},
        message=message,
    )
    if broken is not None:
        logger.error("access-log chain broken: %s", message)
    return verification


def start_chain_verification(*, actor: User) -> Job:
    """Queue a full verification of the chain as a background job of ``actor``."""
    if not policy_for(ChainVerification).can(actor, VIEW):
        raise NotAllowedError(_("You may not verify the access log."))
    return start_job(actor=actor, kind=VERIFY_JOB)


def start_access_log_export(*, actor: User, filters: dict[str, str]) -> Job:
    """Queue an xlsx export of the access-log entries ``actor`` sees that match ``filters``."""
    if not policy_for(AccessEvent).can(actor, EXPORT):
        raise NotAllowedError(_("You may not export the access log."))
    return start_job(actor=actor, kind=EXPORT_ACCESS_LOG_JOB, params={"filters": filters})


def start_change_log_export(*, actor: User, filters: dict[str, str]) -> Job:
    """Queue an xlsx export of the change-log entries ``actor`` sees that match ``filters``."""
    if not policy_for(LogEntry).can(actor, EXPORT):
        raise NotAllowedError(_("You may not export the change log."))
    return start_job(actor=actor, kind=EXPORT_CHANGES_JOB, params={"filters": filters})
