"""The xlsx import of users: template, upload, review of every row, commit, files of the result."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shouhu.accounts import user_import
from shouhu.accounts.forms import ImportUploadForm
from shouhu.accounts.views.common import actor, administrators_only, apply_error
from shouhu.core import jobs, xlsx
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError
from shouhu.core.models import Job
from shouhu.core.pagination import paginate
from shouhu.core.policy import CHANGE, VIEW, policy_for

SECTIONS = ("rejected", "new", "update", "unchanged")
REVIEW_PAGE_SIZE = 100


def _job(request: HttpRequest, pk: int, action: str = VIEW) -> Job:
    queryset = Job.objects.filter(kind=user_import.JOB_KIND)
    return policy_for(Job).get_or_404(actor(request), action, queryset=queryset, pk=pk)


@administrators_only
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a filled-in template; the check runs as a background job with a progress bar."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = user_import.start_import(actor=actor(request), upload=form.cleaned_data["file"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect("jobs:detail", pk=job.pk)
    recent = policy_for(Job).visible(actor(request), Job.objects.filter(kind=user_import.JOB_KIND))[:10]
    return render(request, "accounts/import_upload.html", {"form": form, "recent": recent})


@administrators_only
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx.download(user_import.template_workbook(actor(request)), "用户导入模板.xlsx")


@administrators_only
@never_cache
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """New, updated, unchanged and rejected rows of a checked file; then commit or cancel."""
    job = _job(request, pk)
    rows = job.result.get("rows", [])
    counts = job.result.get("counts", {})
    section = request.GET.get("section") or ("rejected" if counts.get("rejected") else "new")
    if section not in SECTIONS:
        section = "rejected"
    page = paginate(request, [r for r in rows if r["status"] == section], REVIEW_PAGE_SIZE)
    return render(
        request,
        "accounts/import_review.html",
        {
            "job": job,
            "counts": counts,
            "section": section,
            "sections": SECTIONS,
            "page": page,
            "columns": user_import.COLUMNS,
            "can_commit": job.status == Job.Status.AWAITING_REVIEW
            and (counts.get("new", 0) + counts.get("update", 0)) > 0,
            "passwords_ready": bool(job.result.get("passwords_file")),
        },
    )


@administrators_only
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk, CHANGE)
    try:
        jobs.continue_job(actor=actor(request), job=job, phase="commit")
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:user_import_review", pk=job.pk)
    return redirect("jobs:detail", pk=job.pk)


@administrators_only
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk, CHANGE)
    try:
        jobs.cancel_job(actor=actor(request), job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:user_import_review", pk=job.pk)
    messages.info(request, _("The import has been cancelled; nothing was written."))
    return redirect("accounts:user_import")


def _log_download(request: HttpRequest, job: Job, what: str, rows: int) -> None:
    record_access(
        actor=actor(request),
        action=AccessAction.DOWNLOAD,
        object_type="core.job",
        object_id=job.pk,
        region_code=job.region_code,
        summary=what,
        detail={"kind": job.kind, "rows": rows},
        request=request,
    )


@administrators_only
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows with the reason in each: correct them and upload this file again."""
    job = _job(request, pk)
    rows = job.result.get("rows", [])
    rejected = sum(1 for r in rows if r["status"] == "rejected")
    if not rejected:
        raise Http404
    _log_download(request, job, "rejected rows", rejected)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    return xlsx.download(user_import.rejected_workbook(rows), f"被拒绝的行-{job.pk}-{stamp}.xlsx")


@administrators_only
@require_POST
def import_passwords(request: HttpRequest, pk: int) -> HttpResponse:
    """The temporary passwords of the new users: one download, then the file is gone."""
    job = _job(request, pk, CHANGE)
    content = user_import.take_passwords(job)
    if content is None:
        messages.error(request, _("The passwords were already downloaded; reset a user's password if it was lost."))
        return redirect("accounts:user_import_review", pk=job.pk)
    _log_download(request, job, "temporary passwords", job.result.get("committed", {}).get("created", 0))
    return xlsx.download(content, f"临时密码-{job.pk}.xlsx")
