"""Shell-level views: background-job progress, error pages and the CSRF failure page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware import csrf
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist, loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shouhu.core import jobs
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError
from shouhu.core.models import Job
from shouhu.core.policy import CHANGE, VIEW, policy_for


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = policy_for(Job).get_or_404(request.user, VIEW, pk=pk)
    return render(request, "core/job_detail.html", {"job": job})


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every second until the job is done."""
    job = policy_for(Job).get_or_404(request.user, VIEW, pk=pk)
    return render(request, "core/_job_progress.html", {"job": job})


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = policy_for(Job).get_or_404(request.user, VIEW, pk=pk)
    if not job.output_file:
        raise Http404
    record_access(
        actor=request.user,
        action=AccessAction.DOWNLOAD,
        object_type="core.job",
        object_id=job.pk,
        region_code=job.region_code,
        summary=job.kind,
        detail={"file": job.output_file.name},
        request=request,
    )
    name = job.result.get("output_name") or (job.output_file.name or "").rsplit("/", 1)[-1]
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def job_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    job = policy_for(Job).get_or_404(request.user, CHANGE, pk=pk)
    try:
        jobs.rerun_job(actor=request.user, job=job)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The job was started again."))
    return redirect("jobs:detail", pk=job.pk)


def _back_url(request: HttpRequest) -> str:
    """The page the visitor came from, when it is on this site (never an outside address)."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or foreign form: explain it and offer the way back (CSRF_FAILURE_VIEW)."""
    context = {
        "back_url": _back_url(request),
        "no_cookie": reason == csrf.REASON_NO_CSRF_COOKIE,
        "debug_reason": reason if settings.DEBUG else "",
    }
    return render(request, "errors/csrf.html", context, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The host may be the very thing that is bad (DisallowedHost): do not look at it.
    return render(request, "errors/400.html", {"back_url": ""}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"back_url": _back_url(request)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The exception's message is never shown: it could tell what exists elsewhere.
    return render(request, "errors/404.html", {"back_url": _back_url(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request context: no database, no context processors."""
    try:
        body = loader.get_template("errors/500.html").render({})
    except TemplateDoesNotExist:
        body = "<!doctype html><title>500</title><h1>Server Error (500)</h1>"
    return HttpResponse(body, status=500)
