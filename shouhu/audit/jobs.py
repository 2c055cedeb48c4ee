"""Background jobs of the audit app: verifying the chain, exporting the logs.

Registered with ``shouhu.core.jobs`` when the app is ready. Export jobs re-check the
policy as their user at run time, so a user who lost the auditor role in between gets
nothing.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.files import File
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu.audit import exports, selectors, services
from shouhu.audit.choices import VerificationTrigger
from shouhu.audit.forms import AccessLogFilterForm, ChangeLogFilterForm
from shouhu.audit.models import AccessEvent
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.jobs import ProgressReporter, register_job
from shouhu.core.models import Job
from shouhu.core.policy import EXPORT, policy_for
from shouhu.core.xlsx import SheetWriter


@register_job(services.VERIFY_JOB)
def run_chain_verification(job: Job, report: ProgressReporter) -> None:
    verification = services.verify_chain(actor=job.created_by, trigger=VerificationTrigger.JOB, progress=report)
    job.result = {
        "verification": verification.pk,
        "ok": verification.ok,
        "rows": verification.rows_checked,
        "broken_seq": verification.broken_seq,
        "next_url": reverse("audit:access_log"),
    }
    with translation.override(getattr(job.created_by, "language", None)):
        if verification.ok:
            job.message = _("The chain is intact: %(rows)s entries checked.") % {"rows": verification.rows_checked}
        else:
            job.message = _("The chain is broken at #%(seq)s.") % {"seq": verification.broken_seq}


def _export_name(stem: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


@register_job(services.EXPORT_ACCESS_LOG_JOB)
def run_access_log_export(job: Job, report: ProgressReporter) -> None:
    user = job.created_by
    if user is None or not policy_for(AccessEvent).can(user, EXPORT):
        raise NotAllowedError(_("You may not export the access log."))
    form = AccessLogFilterForm(job.params.get("filters", {}))
    if not form.is_valid():
        raise DomainError(_("The filters of this export are not valid."))
    with translation.override(user.language):
        events = selectors.search_access_events(user=user, filters=form.cleaned_data)
        total = min(events.count(), exports.MAX_ROWS)
        writer = exports.write_access_log(events, total=total, progress=report)
        _finish_export(job, writer, stem="access-log", total=total)


@register_job(services.EXPORT_CHANGES_JOB)
def run_change_log_export(job: Job, report: ProgressReporter) -> None:
    user = job.created_by
    if user is None or not policy_for(LogEntry).can(user, EXPORT):
        raise NotAllowedError(_("You may not export the change log."))
    form = ChangeLogFilterForm(job.params.get("filters", {}))
    if not form.is_valid():
        raise DomainError(_("The filters of this export are not valid."))
    with translation.override(user.language):
        entries = selectors.search_changes(user=user, filters=form.cleaned_data)
        total = min(entries.count(), exports.MAX_ROWS)
        writer = exports.write_changes(entries, total=total, progress=report)
        _finish_export(job, writer, stem="change-log", total=total)


def _finish_export(job: Job, writer: SheetWriter, *, stem: str, total: int) -> None:
    name = _export_name(stem)
    with writer.save() as handle:
        job.output_file.save(name, File(handle, name=name), save=False)
    job.result = {"rows": writer.rows, "output_name": name, "limited": total >= exports.MAX_ROWS}
    job.message = _("%(rows)s rows exported.") % {"rows": writer.rows}
    if total >= exports.MAX_ROWS:
        job.message = _("Only the newest %(rows)s entries were exported; narrow the filters.") % {"rows": total}
