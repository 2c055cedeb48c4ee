"""Writes of matching: decisions on pairs of files, merges of two files into one, and their undoing.

* ``decide_pair`` — a reviewer's decision on a pair (the same child / not the same / unsure). A pair
  decided "not the same" is never put in the queue again (``record_pair`` leaves it as it is) and
  cannot be merged until someone decides it again.
* ``merge`` — the other file's linked rows (``merging.registered_links``: family relations, entrusted
  care, category decisions, and what later apps register) move to the kept file; the other file
  becomes ``merged`` with ``merged_into``; the kept file takes what it lacked (the identity number,
  the other names as former names, the phones). Everything is recorded (``Merge``, ``MergedRow``)
  and happens in one transaction: an interruption leaves both files as they were.
* ``unmerge`` — puts everything back from that record; the categories of both files are computed
  again by the registry's services.

Every service takes the ``actor``, checks the policy (``permissions``), locks both children's rows
(in primary-key order, so that two merges cannot deadlock) and writes under ``acting_as(actor)``
with the reason in the change log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.core import crypto
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.policy import VIEW, policy_for
from shouhu.matching import engine, merging, permissions, search
from shouhu.matching.engine import Band, Match
from shouhu.matching.models import Merge, MergedRow, PairReview, ReviewStatus
from shouhu.policy import selectors as policy_selectors
from shouhu.registry import idnumber
from shouhu.registry.choices import FileStatus
from shouhu.registry.models import AUDIT_NOTE_ATTRIBUTE, Child, Classification
from shouhu.registry.services import refresh_file
from shouhu.registry.signals import send_children_changed

if TYPE_CHECKING:
    from shouhu.accounts.models import User
    from shouhu.core.models import Job

DECISIONS = frozenset({ReviewStatus.SAME, ReviewStatus.NOT_SAME, ReviewStatus.UNSURE})


def ordered(a: int, b: int) -> tuple[int, int]:
    """A pair's primary keys in the order ``PairReview`` stores them."""
    return (a, b) if a < b else (b, a)


def _clean_reason(reason: str, *, name: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("Give the reason."), field=name, code="required")
    return text


# -- pairs to review -------------------------------------------------------------------------------


def record_pair(
    child_a: Child,
    child_b: Child,
    *,
    probability: float,
    band: str,
    evidence: Mapping[str, Any],
    job: Job | None = None,
    scored_at: datetime | None = None,
) -> PairReview | None:
    """Put a pair found by a search or a de-duplication run in the queue, or update its score.

    A decided pair keeps its decision (a "not the same" is never asked again); returns None for a
    pair of one file. No actor: the finding is the system's; the decision is a person's.
    """
    if child_a.pk == child_b.pk:
        return None
    first, second = (child_a, child_b) if child_a.pk < child_b.pk else (child_b, child_a)
    values = {
        "probability": float(probability),
        "band": str(band),
        "evidence": dict(evidence),
        "scored_at": scored_at or timezone.now(),
        "village_a": first.village_id,
        "village_b": second.village_id,
    }
    with transaction.atomic():
        review, created = PairReview.objects.select_for_update().get_or_create(
            child_a=first, child_b=second, defaults={**values, "found_by": job}
        )
        if not created and review.status in (ReviewStatus.PENDING, ReviewStatus.UNSURE):
            for name, value in values.items():
                setattr(review, name, value)
            review.save(update_fields=list(values))
    return review


def propose_pair(*, actor: User, child_a: Child, child_b: Child, on: date | None = None) -> PairReview:
    """Put two files ``actor`` may see in the review queue (e.g. after an identity search), scored now.

    A pair the engine puts below every band is queued too (a person suspects it); its band is then
    the lowest, ``possible``, and the evidence says how weak it is.
    """
    children = policy_for(Child)
    if not (
        permissions.role_allows(actor, permissions.DECIDE)
        and children.can(actor, VIEW, child_a)
        and children.can(actor, VIEW, child_b)
    ):
        raise NotAllowedError()
    if child_a.pk == child_b.pk:
        raise DomainError(_("Choose two different files."), code="same_file")
    found = score_pair(child_a, child_b, on=on or policy_selectors.today())
    review = record_pair(
        child_a,
        child_b,
        probability=found.probability,
        band=found.band or Band.POSSIBLE,
        evidence=found.as_json(),
    )
    assert review is not None  # noqa: S101  (two different files)
    return review


def score_pair(child_a: Child, child_b: Child, *, on: date) -> Match:
    """The engine's comparison of two files as they are stored (identity numbers compared in clear)."""
    loaded = {child.pk: child for child in search.load([child_a.pk, child_b.pk], merged=True)}
    first = search.child_record(loaded[child_a.pk], with_id_number=True)
    second = search.child_record(loaded[child_b.pk], with_id_number=True)
    return engine.match(first, second, on=on, name_count=search.namesakes(first, on_file=True))


def decide_pair(*, actor: User, review: PairReview, decision: str, note: str = "") -> PairReview:
    """Record a reviewer's decision on a pair: ``same``, ``not_same`` or ``unsure`` (with a note).

    A pair whose files were merged since cannot be decided again (undo the merge instead).
    """
    if not policy_for(PairReview).can(actor, permissions.DECIDE, review):
        raise NotAllowedError()
    if decision not in DECISIONS:
        raise DomainError(
            _("“%(value)s” is not one of the choices.") % {"value": decision}, field="decision", code="choice"
        )
    note = (note or "").strip()
    if decision == ReviewStatus.NOT_SAME and not note:
        raise DomainError(_("Say why they are not the same child."), field="note", code="required")
    with transaction.atomic():
        locked = PairReview.objects.select_for_update().get(pk=review.pk)
        if Merge.objects.filter(review=locked, undone_at__isnull=True).exists():
            raise DomainError(_("These files were merged; undo the merge to change the decision."), code="merged")
        locked.status = decision
        locked.note = note
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return locked


def _review_of(a: int, b: int, *, lock: bool = False) -> PairReview | None:
    first, second = ordered(a, b)
    reviews = PairReview.objects.filter(child_a_id=first, child_b_id=second)
    if lock:
        reviews = reviews.select_for_update()
    return reviews.first()


# -- merge -----------------------------------------------------------------------------------------


def _lock_pair(a: int, b: int) -> dict[int, Child]:
    rows = Child.objects.select_for_update().filter(pk__in=[a, b]).order_by("pk")
    return {child.pk: child for child in rows}


def merge(*, actor: User, keep: Child, other: Child, reason: str) -> Merge:
    """Merge ``other`` into ``keep``: move its linked rows, mark it merged, record everything.

    Refused (``NotAllowedError``, a 404 to the user) unless the actor is a caseworker who may see
    and change both files; refused (``DomainError``) for one file twice, a file already merged, two
    different identity numbers (two children: correct the wrong number first) and a pair decided
    "not the same".
    """
    if not permissions.can_merge(actor, keep, other):
        raise NotAllowedError()
    reason = _clean_reason(reason)
    if keep.pk == other.pk:
        raise DomainError(_("Choose two different files."), code="same_file")
    today = policy_selectors.today()
    with transaction.atomic(), acting_as(actor):
        locked = _lock_pair(keep.pk, other.pk)
        kept, merged = locked[keep.pk], locked[other.pk]
        if FileStatus.MERGED in (kept.status, merged.status):
            raise DomainError(_("One of these files was merged into another one already."), code="merged")
        if kept.id_number_hash and merged.id_number_hash and kept.id_number_hash != merged.id_number_hash:
            raise DomainError(
                _("The two files have different identity numbers: they are two children, or one number is wrong."),
                code="different_id_numbers",
            )
        review = _review_of(kept.pk, merged.pk, lock=True)
        if review is not None and review.status == ReviewStatus.NOT_SAME:
            raise DomainError(
                _("These files were decided not to be the same child; review the pair again first."), code="not_same"
            )
        record = Merge.objects.create(
            keep=kept,
            other=merged,
            reason=reason,
            merged_by=actor,
            other_status=merged.status,
            other_status_changed_on=merged.status_changed_on,
            review=review,
        )
        rows: list[MergedRow] = []
        for link in merging.registered_links():
            rows += _move_link(link, record, kept, merged, reason)
        MergedRow.objects.bulk_create(rows)
        # The merged file leaves the identity-number constraint before the kept file takes its number.
        merged.status = FileStatus.MERGED
        merged.merged_into = kept
        merged.status_changed_on = today
        setattr(merged, AUDIT_NOTE_ATTRIBUTE, reason)
        merged.save(update_fields=["status", "merged_into", "status_changed_on", "updated_at"])
        _close_categories(merged, today)
        record.taken = _take_facts(kept, merged, reason)
        record.save(update_fields=["taken"])
        if review is not None:
            review.status, review.decided_by, review.decided_at = ReviewStatus.SAME, actor, timezone.now()
            review.note = review.note or reason
            review.save(update_fields=["status", "decided_by", "decided_at", "note"])
        refresh_file(child=kept, on=today)
        refresh_file(child=merged, on=today, classify=False)
        send_children_changed([kept.pk, merged.pk])
    return record


def _move_link(link: merging.Link, record: Merge, kept: Child, merged: Child, reason: str) -> list[MergedRow]:
    model = link.model
    content_type = ContentType.objects.get_for_model(model)
    rows = list(model._default_manager.select_for_update().filter(**{link.attname: merged.pk}).order_by("pk"))
    on_kept = list(model._default_manager.filter(**{link.attname: kept.pk})) if link.conflict else []
    recorded: list[MergedRow] = []
    for row in rows:
        left = link.conflict(row, on_kept) if link.conflict is not None else None
        village_before = str(getattr(row, link.village_field)) if link.village_field else ""
        if left is None:
            setattr(row, link.attname, kept.pk)
            fields = [link.attname]
            if link.village_field:
                setattr(row, link.village_field, kept.village_id)
                fields.append(link.village_field)
            setattr(row, AUDIT_NOTE_ATTRIBUTE, reason)
            row.save(update_fields=fields)
            on_kept.append(row)
        recorded.append(
            MergedRow(
                merge=record,
                content_type=content_type,
                object_id=row.pk,
                field=link.field,
                from_child=merged.pk,
                to_child=kept.pk,
                moved=left is None,
                village_before=village_before,
                note=left.as_json() if left is not None else {},
            )
        )
    return recorded


def _take_facts(kept: Child, merged: Child, reason: str) -> dict[str, Any]:
    """What the kept file lacks and the merged one has: its number, its names, its phones."""
    taken: dict[str, Any] = {}
    fields: list[str] = []
    if merged.id_number_cipher and not kept.id_number_hash:
        problems = _number_problems(merged.id_number_cipher, kept)
        if problems:
            taken["id_number_left"] = problems
        else:
            kept.id_number_cipher = merged.id_number_cipher
            kept.id_number_hash = merged.id_number_hash
            kept.id_number_mask = merged.id_number_mask
            taken["id_number"] = True
            fields += ["id_number_cipher", "id_number_hash", "id_number_mask"]
    known = {kept.name, *(kept.former_names or [])}
    names = [n for n in [merged.name, *(merged.former_names or [])] if n and n not in known]
    names = list(dict.fromkeys(names))
    if names:
        kept.former_names = [*(kept.former_names or []), *names]
        taken["former_names"] = names
        fields.append("former_names")
    phones = [p for p in dict.fromkeys(merged.phones or []) if p and p not in (kept.phones or [])]
    if phones:
        kept.phones = [*(kept.phones or []), *phones]
        taken["phones"] = phones
        fields.append("phones")
    if fields:
        setattr(kept, AUDIT_NOTE_ATTRIBUTE, reason)
        kept.save(update_fields=[*fields, "updated_at"])
    return taken


def _number_problems(cipher: str, kept: Child) -> list[str]:
    """Why the merged file's number does not fit the kept file (its birth date and sex), if it does not."""
    try:
        number = idnumber.parse(crypto.decrypt(cipher))
    except idnumber.IdNumberError as error:
        return [error.code]
    return [p.code for p in idnumber.check_against(number, birth_date=kept.birth_date, sex=kept.sex or None)]


def _close_categories(child: Child, on: date) -> None:
    """A file that is no longer in use holds no current category (as ``change_file_status`` closes them)."""
    for row in Classification.objects.filter(child=child, until__isnull=True):
        row.until = max(on, row.since)
        row.save(update_fields=["until"])
    Child.objects.filter(pk=child.pk).update(next_review_on=None, classified_at=timezone.now())


# -- unmerge ---------------------------------------------------------------------------------------


def unmerge(*, actor: User, merge: Merge, reason: str) -> Merge:
    """Undo ``merge``: the moved rows go back, the kept file gives back what it took, the merged file
    gets its status again; the categories of both are computed again.

    Refused unless the actor is a caseworker who may see and change both files; refused when the
    merge was undone already or when the kept file was merged into a third one since (undo that
    merge first). Rows deleted or moved elsewhere since the merge stay where they are
    (``MergedRow.returned`` is False for them).
    """
    if not policy_for(Merge).can(actor, permissions.UNMERGE, merge) or not permissions.can_change_both(
        actor, merge.keep, merge.other
    ):
        raise NotAllowedError()
    reason = _clean_reason(reason)
    today = policy_selectors.today()
    with transaction.atomic(), acting_as(actor):
        record = Merge.objects.select_for_update().get(pk=merge.pk)
        if record.undone_at is not None:
            raise DomainError(_("This merge was undone already."), code="undone")
        locked = _lock_pair(record.keep_id, record.other_id)
        kept, merged = locked[record.keep_id], locked[record.other_id]
        if kept.status == FileStatus.MERGED:
            raise DomainError(
                _("The kept file was merged into another one since; undo that merge first."), code="kept_merged"
            )
        if merged.status != FileStatus.MERGED or merged.merged_into_id != kept.pk:
            raise DomainError(_("The merged file changed since the merge."), code="changed")
        _give_back_facts(kept, merged, record.taken, reason)
        merged.status = record.other_status
        merged.status_changed_on = record.other_status_changed_on
        merged.merged_into = None
        setattr(merged, AUDIT_NOTE_ATTRIBUTE, reason)
        merged.save(update_fields=["status", "status_changed_on", "merged_into", "updated_at"])
        _move_back(record, kept, merged, reason)
        record.undone_at = timezone.now()
        record.undone_by = actor
        record.undo_reason = reason
        record.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        if record.review_id is not None:
            PairReview.objects.filter(pk=record.review_id).update(
                status=ReviewStatus.PENDING, decided_by=None, decided_at=None
            )
        refresh_file(child=kept, on=today)
        refresh_file(child=merged, on=today)
        send_children_changed([kept.pk, merged.pk])
    return record


def _give_back_facts(kept: Child, merged: Child, taken: Mapping[str, Any], reason: str) -> None:
    fields: list[str] = []
    if taken.get("id_number") and kept.id_number_hash == merged.id_number_hash:
        kept.id_number_cipher = kept.id_number_hash = kept.id_number_mask = ""
        fields += ["id_number_cipher", "id_number_hash", "id_number_mask"]
    names = set(taken.get("former_names") or [])
    if names and kept.former_names:
        kept.former_names = [n for n in kept.former_names if n not in names]
        fields.append("former_names")
    phones = set(taken.get("phones") or [])
    if phones and kept.phones:
        kept.phones = [p for p in kept.phones if p not in phones]
        fields.append("phones")
    if fields:
        setattr(kept, AUDIT_NOTE_ATTRIBUTE, reason)
        kept.save(update_fields=[*fields, "updated_at"])


def _move_back(record: Merge, kept: Child, merged: Child, reason: str) -> None:
    returned: list[int] = []
    kept_away: list[int] = []
    for row in record.rows.filter(moved=True).select_related("content_type").order_by("pk"):
        model = row.content_type.model_class()
        if model is None:  # the app of these rows is gone
            kept_away.append(row.pk)
            continue
        link = merging.link_for(model, row.field)
        attname = link.attname if link is not None else str(model._meta.get_field(row.field).attname)  # type: ignore[union-attr]
        obj: models.Model | None = (
            model._default_manager.select_for_update().filter(pk=row.object_id, **{attname: kept.pk}).first()
        )
        if obj is None:
            kept_away.append(row.pk)
            continue
        setattr(obj, attname, merged.pk)
        fields = [attname]
        if link is not None and link.village_field:
            setattr(obj, link.village_field, merged.village_id)
            fields.append(link.village_field)
        setattr(obj, AUDIT_NOTE_ATTRIBUTE, reason)
        obj.save(update_fields=fields)
        returned.append(row.pk)
    MergedRow.objects.filter(pk__in=returned).update(returned=True)
    MergedRow.objects.filter(pk__in=kept_away).update(returned=False)
