"""Actions on reports: file one, identify its child, triage it. Each checks the actor and is versioned.

A report is never refused for what it lacks (DOMAIN.md §1.1: suspicion suffices): a report with no
name, no date of birth and no situation ticked is still received, and its triage clock starts. The
service refuses only what cannot be right: a region outside the filer's reach, a discovery in the
future, a link to a file the actor may not see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.core import crypto
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.policy import CREATE, VIEW, policy_for
from shouhu.intake import permissions, rules, selectors
from shouhu.intake.choices import Channel, Identification, Urgency
from shouhu.intake.models import Report
from shouhu.regions import codes
from shouhu.registry import idnumber
from shouhu.registry.choices import FileStatus
from shouhu.registry.models import AUDIT_NOTE_ATTRIBUTE, Child
from shouhu.registry.services import id_number_lookup_hash

RECEIPT_ATTEMPTS = 5
MASK_LENGTH = 18  # the stored mask's length (``IdentityFields.id_number_mask``)
MASK_ENDS = 4
# Fields of a report a filer gives (the form's, the API's); anything else is ignored.
REPORT_FIELDS = (
    "channel",
    "reporter_type",
    "reporter_name",
    "reporter_phone",
    "situations",
    "immediate_danger",
    "description",
    "place",
    "discovered_at",
    "child_name",
    "child_other_name",
    "child_sex",
    "child_birth_date",
    "child_age",
    "child_address",
    "guardian_name",
    "contact_phone",
)


def _require(actor: Any, action: str, report: Report | None = None) -> None:
    if not policy_for(Report).can(actor, action, report):
        raise NotAllowedError()


def _store_number(report: Report, text: str) -> None:
    """The identity number as typed: encrypted; hashed and masked when valid, else masked as typed."""
    text = idnumber.normalise(text or "")
    if not text:
        report.id_number_cipher = report.id_number_hash = report.id_number_mask = ""
        return
    report.id_number_cipher = crypto.encrypt(text)
    report.id_number_hash = id_number_lookup_hash(text)
    masked = idnumber.mask(text)
    if len(masked) > MASK_LENGTH:  # a malformed, over-long number: its ends, the middle starred
        masked = masked[:MASK_ENDS] + "*" * (MASK_LENGTH - 2 * MASK_ENDS) + masked[-MASK_ENDS:]
    report.id_number_mask = masked


def file_report(*, actor: Any, region: Any, data: Mapping[str, Any], id_number: str = "") -> Report:
    """Receive a report about a child in ``region`` (a village of the filer's county); its clock starts now."""
    _require(actor, CREATE)
    scope = permissions.filing_scope(actor)
    if scope is None or (scope and not codes.is_within(region.code, scope)):
        raise DomainError(_("Choose a village of your county."), field="region")
    now = timezone.now()
    discovered_at = data.get("discovered_at")
    if discovered_at is not None and discovered_at > now:
        raise DomainError(_("The time of discovery is in the future."), field="discovered_at")
    values = {name: data[name] for name in REPORT_FIELDS if data.get(name) is not None}
    report = Report(**values, region=region, received_at=now, created_by=actor)
    report.situations = list(dict.fromkeys(data.get("situations") or ()))
    if actor.agency_id and report.channel in (Channel.MANDATORY, Channel.REFERRAL, Channel.PATROL):
        report.reporter_agency_id = actor.agency_id
    report.triage_due_at = selectors.triage_due(now, emergency=report.immediate_danger).at
    _store_number(report, id_number)
    with acting_as(actor):
        for _attempt in range(RECEIPT_ATTEMPTS):
            report.receipt_code = rules.new_receipt_code()
            try:
                with transaction.atomic():
                    report.save()
                return report
            except IntegrityError:
                if Report.objects.filter(receipt_code=report.receipt_code).exists():
                    continue  # a receipt code drawn twice (one chance in 10^17): draw again
                raise
    raise RuntimeError("no free receipt code after several attempts")


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


def identify(*, actor: Any, report: Report, child: Child, note: str = "") -> Report:
    """Link ``report`` to the file of ``child``: a person saw the evidence and says it is this child."""
    _require(actor, permissions.IDENTIFY, report)
    if not policy_for(Child).can(actor, VIEW, child):
        raise NotAllowedError()
    if child.status == FileStatus.MERGED:
        # A page searched before a merge: the report goes to the kept file, never to the merged one.
        raise DomainError(_("This file was merged into another: open the search again and link the kept file."))
    return _identified(actor, report, child, Identification.LINKED, note)


def not_on_file(*, actor: Any, report: Report, note: str = "") -> Report:
    """Record that no file on record is the child of ``report`` (the search was looked at)."""
    _require(actor, permissions.IDENTIFY, report)
    return _identified(actor, report, None, Identification.NOT_ON_FILE, note)


def _identified(actor: Any, report: Report, child: Child | None, identification: str, note: str) -> Report:
    with transaction.atomic(), acting_as(actor):
        report = _locked(report)
        report.child = child
        report.identification = identification
        report.identified_by = actor
        report.identified_at = timezone.now()
        report.identification_note = note
        setattr(report, AUDIT_NOTE_ATTRIBUTE, note)
        report.save()
    return report


def triage(*, actor: Any, report: Report, urgency: str, note: str = "") -> Report:
    """The front door's triage: an emergency, an ordinary matter to assess, or no protection matter.

    Closing a report as no protection matter needs a note saying why (it is the last look anyone
    takes at it); a triage can be changed later, and every change is in the report's history.
    """
    _require(actor, permissions.TRIAGE, report)
    if urgency not in Urgency.values:
        raise DomainError(_("Choose how urgent the report is."), field="urgency")
    note = (note or "").strip()
    if urgency == Urgency.NO_ACTION and not note:
        raise DomainError(_("Say why this is not a child-protection matter."), field="note")
    with transaction.atomic(), acting_as(actor):
        report = _locked(report)
        report.urgency = urgency
        report.triaged_by = actor
        report.triaged_at = timezone.now()
        report.triage_note = note
        report.save()
    return report
