"""Export of a filtered list of children to xlsx, as a background job, downloadable once.

The list's filters (``selectors.ChildFilters``) select the rows through ``selectors.child_list``,
so an export holds exactly what its user may see on the list. Identity numbers are masked
(``3709**********1234``) unless the user's role allows a full export (``EXPORT_FULL``:
caseworkers) and a reason is given (PIPL art. 51, least privilege). Every export is written to
the access log with its reason, its filters, the number of rows and whether numbers were masked.

The workbook is streamed row by row (memory stays flat for a city's list), kept encrypted with
the field key until its one download, and deleted as it is read.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shouhu.core import crypto
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.jobs import ProgressReporter, register_job, start_job
from shouhu.core.models import Job
from shouhu.core.policy import EXPORT, policy_for
from shouhu.core.xlsx import SheetWriter
from shouhu.policy import selectors as policy_selectors
from shouhu.regions import codes
from shouhu.regions.models import Region
from shouhu.registry import completeness, dates, idnumber, selectors
from shouhu.registry.choices import (
    Category,
    DisabilityType,
    EconomicStatus,
    Ethnicity,
    FileStatus,
    GuardianshipQuality,
    HealthStatus,
    HouseholdRegistration,
    RiskLevel,
    SchoolStatus,
    Sex,
)
from shouhu.registry.models import Child
from shouhu.registry.permissions import EXPORT_FULL

if TYPE_CHECKING:
    from shouhu.accounts.models import User

JOB_KIND = "registry.export"
# Excel holds 1 048 576 rows; a larger list must be narrowed first.
MAX_ROWS = 1_000_000
BATCH = 2000
REASON_MAX_LENGTH = 500
STORAGE_DIR = "registry/exports"
# A run of 15 or more digits (an identity number, perhaps mistyped) in a search of the list.
NUMBER_IN_TEXT = re.compile(r"[0-9]{14,17}[0-9Xx]")


def may_export(actor: User) -> bool:
    return policy_for(Child).can(actor, EXPORT)


def may_export_full(actor: User) -> bool:
    return policy_for(Child).can(actor, EXPORT_FULL)


def filters_from(values: Mapping[str, Any]) -> selectors.ChildFilters:
    """``ChildFilters`` from stored values (unknown keys, e.g. of an older version, are ignored)."""
    known = {f.name for f in fields(selectors.ChildFilters)} - {"on"}
    return selectors.ChildFilters(**{k: v for k, v in values.items() if k in known})


def loggable_filters(filters: selectors.ChildFilters) -> dict[str, Any]:
    """The filters as the access log keeps them: only those set, an identity number in a search masked."""
    values = {k: v for k, v in asdict(filters).items() if v not in ("", False, None) and k != "on"}
    if "q" in values:
        values["q"] = NUMBER_IN_TEXT.sub(lambda m: idnumber.mask(m.group(0)), str(values["q"]))
    return values


def start_export(*, actor: User, filters: selectors.ChildFilters, full: bool, reason: str) -> Job:
    """Queue the export of the children that ``filters`` select from ``actor``'s list.

    Full identity numbers need the ``EXPORT_FULL`` permission and a reason; both are checked
    again when the job runs.
    """
    if not may_export(actor):
        raise NotAllowedError()
    reason = " ".join(reason.split())
    if full and not may_export_full(actor):
        raise DomainError(_("Your role does not allow exporting full identity numbers."), field="full")
    if full and not reason:
        raise DomainError(_("Give the reason for exporting full identity numbers."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(_("At most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}, field="reason")
    values = asdict(filters)
    values.pop("on", None)
    return start_job(
        actor=actor,
        kind=JOB_KIND,
        params={
            "filters": values,
            "full": full,
            "reason": reason if full else "",
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )


def detail_url(job: Job) -> str:
    return reverse("registry:export_detail", args=[job.pk])


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _headers() -> list[tuple[str, int]]:
    return [
        (pgettext("export column", "No."), 7),
        (pgettext("export column", "Name"), 10),
        (pgettext("export column", "Sex"), 6),
        (pgettext("export column", "Date of birth"), 12),
        (pgettext("export column", "Age"), 6),
        (pgettext("export column", "Identity number"), 21),
        (pgettext("export column", "Ethnicity"), 8),
        (pgettext("export column", "Village code"), 15),
        (pgettext("export column", "Village or community"), 16),
        (pgettext("export column", "Township"), 14),
        (pgettext("export column", "Address"), 24),
        (pgettext("export column", "Household registration"), 12),
        (pgettext("export column", "Schooling"), 14),
        (pgettext("export column", "School or kindergarten"), 18),
        (pgettext("export column", "Health"), 10),
        (pgettext("export column", "Disability"), 10),
        (pgettext("export column", "Disability grade"), 8),
        (pgettext("export column", "Family assistance"), 14),
        (pgettext("export column", "Guardianship"), 10),
        (pgettext("export column", "Risk"), 8),
        (pgettext("export column", "Current categories"), 40),
        (pgettext("export column", "File status"), 10),
        (pgettext("export column", "File complete"), 8),
        (pgettext("export column", "Missing information"), 40),
        (pgettext("export column", "Contact phones"), 16),
    ]


class _Rows:
    """Turns children into export rows in the active language (labels and township names cached)."""

    def __init__(self, *, full: bool, on: date) -> None:
        self.full = full
        self.on = on
        self.townships: dict[str, str] = {}
        self.labels = {
            "sex": _labels(Sex),
            "ethnicity": _labels(Ethnicity),
            "hukou": _labels(HouseholdRegistration),
            "school": _labels(SchoolStatus),
            "health": _labels(HealthStatus),
            "disability": _labels(DisabilityType),
            "economic": _labels(EconomicStatus),
            "guardianship": _labels(GuardianshipQuality),
            "risk": _labels(RiskLevel),
            "category": _labels(Category),
            "status": _labels(FileStatus),
        }
        self.yes, self.no = _("Yes"), _("No")

    def township(self, village_code: str) -> str:
        code = codes.parent_code(village_code) or ""
        if code not in self.townships:
            self.townships[code] = Region.objects.filter(code=code).values_list("name", flat=True).first() or ""
        return self.townships[code]

    def number(self, child: Child) -> str:
        if not child.id_number_hash:
            return ""
        if self.full and child.id_number_cipher:
            return crypto.decrypt(child.id_number_cipher)
        return child.id_number_mask

    def row(self, index: int, child: Child) -> list[Any]:
        label = self.labels
        categories = selectors.current_categories(child)
        return [
            index,
            child.name,
            label["sex"].get(child.sex, child.sex),
            child.birth_date,
            dates.age_on(child.birth_date, self.on),
            self.number(child),
            label["ethnicity"].get(child.ethnicity, child.ethnicity),
            child.village_id,
            child.village.name,
            self.township(child.village_id),
            child.residence_address,
            label["hukou"].get(child.hukou_status, child.hukou_status),
            label["school"].get(child.school_status, child.school_status),
            child.school_name,
            label["health"].get(child.health_status, child.health_status),
            label["disability"].get(child.disability_type, child.disability_type),
            child.disability_grade or "",
            label["economic"].get(child.economic_status, child.economic_status),
            label["guardianship"].get(child.guardianship_quality, child.guardianship_quality),
            label["risk"].get(child.risk_level, child.risk_level),
            "、".join(label["category"].get(c.category, c.category) for c in categories),
            label["status"].get(child.status, child.status),
            self.yes if child.is_complete else self.no,
            "、".join(completeness.labels(list(child.missing_fields or []))),
            "、".join(child.phones or []),
        ]


@register_job(JOB_KIND)
def run_export(job: Job, report: ProgressReporter) -> None:
    """Write the workbook; the policy is checked again as the job's user at run time."""
    actor = job.created_by
    if actor is None or not actor.is_active or not may_export(actor):
        raise NotAllowedError(_("You may not export children's files."))
    full = bool(job.params.get("full"))
    reason = str(job.params.get("reason", ""))
    if full and (not may_export_full(actor) or not reason):
        raise NotAllowedError(_("Your role does not allow exporting full identity numbers."))
    filters = filters_from(job.params.get("filters") or {})
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        children = selectors.child_list(actor, filters)
        total = min(children.count(), MAX_ROWS)
        report(0, total, _("Writing the list"))
        headers = _headers()
        writer = SheetWriter(_("Children"), [h for h, _w in headers], [w for _h, w in headers])
        rows = _Rows(full=full, on=policy_selectors.today())
        try:
            for index, child in enumerate(children[:total].iterator(chunk_size=BATCH), start=1):
                writer.append(rows.row(index, child))
                if index % BATCH == 0:
                    report(index, total, _("Writing the list"))
            with writer.save() as handle:
                name = _store(job, handle)
        except BaseException:
            writer.discard()
            raise
        record_access(
            actor=actor,
            action=AccessAction.EXPORT,
            object_type="registry.child",
            region_code=filters.region or actor.jurisdiction_id or "",
            summary=_("Export of %(rows)d children") % {"rows": writer.rows},
            detail={"filters": loggable_filters(filters), "rows": writer.rows, "masked": not full, "job": job.pk},
            reason=reason,
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        stem = _("children")
        job.result = {
            "file": name,
            "rows": writer.rows,
            "masked": not full,
            "reason": reason,
            "filters": loggable_filters(filters),
            "output_name": f"{stem}-{stamp}.xlsx",
            "next_url": detail_url(job),
        }
        job.message = _("%(rows)d children written; the file can be downloaded once.") % {"rows": writer.rows}


def _store(job: Job, handle: IO[bytes]) -> str:
    """The workbook encrypted with the field key (it names children) until its one download."""
    token = crypto.encrypt(base64.b64encode(handle.read()).decode("ascii"))
    return default_storage.save(f"{STORAGE_DIR}/{job.pk}/export.xlsx.enc", ContentFile(token.encode("ascii")))


def take_file(*, actor: User, job: Job) -> bytes | None:
    """The export's workbook, once: the file is deleted as it is read. None if already taken."""
    if not may_export(actor):
        raise NotAllowedError()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        name = locked.result.get("file")
        if not name or locked.result.get("downloaded_at"):
            return None
        with default_storage.open(name, "rb") as stored:
            content = base64.b64decode(crypto.decrypt(stored.read().decode("ascii")))
        default_storage.delete(name)
        locked.result = {**locked.result, "file": "", "downloaded_at": timezone.now().isoformat()}
        locked.save(update_fields=["result", "updated_at"])
    job.result = locked.result
    return content
