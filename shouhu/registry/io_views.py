"""Screens of the registry's xlsx import (upload, review, decisions, commit) and export (dialog, download).

Views are thin: the import and export jobs do the work (``imports``, ``exports``). Only users who
may register children import, only users who may export children's files export; everybody
else gets 404, as for a job of another user. Downloads are written to the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shouhu.accounts.models import User
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError
from shouhu.core.models import Job
from shouhu.core.policy import CHANGE, VIEW, policy_for
from shouhu.core.xlsx import download
from shouhu.registry import exports, imports, selectors
from shouhu.registry.forms import ChildFilterForm
from shouhu.registry.io_forms import DecisionsForm, ExportForm, ImportUploadForm

REVIEW_PAGE_SIZE = 50
V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def io_view(view: V) -> V:
    """Logged in, and never kept in a cache (the pages and files name children)."""
    return login_required(never_cache(view))


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _importer(request: HttpRequest) -> User:
    actor = _actor(request)
    if not imports.may_import(actor):
        raise Http404
    return actor


def _job(request: HttpRequest, kind: str, pk: int, action: str = VIEW) -> Job:
    return policy_for(Job).get_or_404(_actor(request), action, queryset=Job.objects.filter(kind=kind), pk=pk)


def _log_download(request: HttpRequest, job: Job, what: str, rows: int) -> None:
    record_access(
        actor=_actor(request),
        action=AccessAction.DOWNLOAD,
        object_type="core.job",
        object_id=job.pk,
        region_code=job.region_code,
        summary=what,
        detail={"kind": job.kind, "rows": rows},
        request=request,
    )


# --- Import ----------------------------------------------------------------------------------------


@io_view
def import_upload(request: HttpRequest) -> HttpResponse:
    """Choose the type of register and upload the file; every row is then checked in the background."""
    actor = _importer(request)
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"register": request.GET.get("register")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_import(
                actor=actor, upload=form.cleaned_data["file"], kind=form.cleaned_data["register"]
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            return redirect("jobs:detail", pk=job.pk)
    recent = policy_for(Job).visible(actor, Job.objects.filter(kind=imports.JOB_KIND))[:10]
    registers = [(kind, imports.RegisterKind(kind).label) for kind in imports.REGISTERS]
    return render(
        request,
        "registry/io/import_upload.html",
        {"form": form, "recent": recent, "registers": registers, "max_rows": imports.MAX_ROWS},
    )


@io_view
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _importer(request)
    if kind not in imports.REGISTERS:
        raise Http404
    return download(imports.template_workbook(actor, kind), imports.REGISTERS[kind].file_name)


def _section(request: HttpRequest, counts: dict[str, int]) -> str:
    section = request.GET.get("section") or ""
    if section in imports.STATUSES:
        return section
    for candidate in (imports.REJECTED, imports.DUPLICATE, imports.UPDATE, imports.NEW):
        if counts.get(candidate):
            return candidate
    return imports.NEW


@io_view
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows of a checked file in their groups; decisions on possible duplicates; commit or cancel."""
    actor = _importer(request)
    job = _job(request, imports.JOB_KIND, pk)
    counts: dict[str, int] = job.result.get("counts") or {}
    section = _section(request, counts)
    paginator = Paginator(range(counts.get(section, 0)), REVIEW_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = imports.read_group(
        job, section, offset=page.start_index() - 1 if page.object_list else 0, limit=REVIEW_PAGE_SIZE
    )
    decisions = job.result.get("decisions") or {}
    if section == imports.DUPLICATE and rows:
        shown = sorted({c["pk"] for r in rows for c in r.get("candidates", []) if c.get("visible")})
        if shown:
            record_access(
                actor=actor,
                action=AccessAction.SEARCH,
                object_type="registry.child",
                region_code=job.region_code,
                summary="possible duplicates of an import",
                detail={"job": job.pk, "children": shown},
                request=request,
            )
    for row in rows:
        row["decision"] = (decisions.get(str(row["row"])) or {}).get("choice", "")
        for candidate in row.get("candidates", []):
            candidate["choice"] = f"{imports.DECIDE_SAME}:{candidate['pk']}"
            candidate["checked"] = row["decision"] == candidate["choice"]
    register = imports.REGISTERS.get(job.params.get("register", ""))
    waiting = counts.get(imports.DUPLICATE, 0) - len(decisions)
    reviewing = job.status == Job.Status.AWAITING_REVIEW and job.result.get("stage") == "checked"
    return render(
        request,
        "registry/io/import_review.html",
        {
            "job": job,
            "register": register,
            "register_label": imports.RegisterKind(register.kind).label if register else "",
            "counts": counts,
            "section": section,
            "sections": [s for s in imports.STATUSES if s != imports.UNCHANGED or counts.get(s)],
            "rows": rows,
            "page_obj": page,
            "decisions_waiting": max(waiting, 0),
            "can_commit": reviewing
            and waiting <= 0
            and any(counts.get(s) for s in (imports.NEW, imports.UPDATE, imports.DUPLICATE)),
            "reviewing": reviewing,
            "committed": job.result.get("committed"),
            "has_rejected_file": bool((job.result.get("files") or {}).get("rejected_xlsx")),
        },
    )


def _back_to_review(job: Job, section: str = "", page: str = "") -> HttpResponse:
    query = urlencode({k: v for k, v in {"section": section, "page": page}.items() if v})
    return redirect(reverse("registry:import_review", args=[job.pk]) + (f"?{query}" if query else ""))


@io_view
@require_POST
def import_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the decisions of a page of possible duplicates, or one decision for all the others."""
    actor = _importer(request)
    job = _job(request, imports.JOB_KIND, pk, CHANGE)
    form = DecisionsForm(request.POST)
    page = request.POST.get("page", "")
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return _back_to_review(job, imports.DUPLICATE, page)
    try:
        if form.cleaned_data["rest"]:
            count = imports.decide_rest(actor=actor, job=job, choice=form.cleaned_data["rest"])
        else:
            count = imports.decide(actor=actor, job=job, choices=form.cleaned_data["choices"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(count)d decisions recorded.") % {"count": count})
    return _back_to_review(job, imports.DUPLICATE, page)


@io_view
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    job = _job(request, imports.JOB_KIND, pk, CHANGE)
    try:
        imports.start_commit(actor=actor, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back_to_review(job)
    return redirect("jobs:detail", pk=job.pk)


@io_view
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    job = _job(request, imports.JOB_KIND, pk, CHANGE)
    try:
        imports.cancel_import(actor=actor, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back_to_review(job)
    messages.info(request, _("The import has been cancelled; nothing was written."))
    return redirect("registry:import")


@io_view
def import_rejected(request: HttpRequest, pk: int) -> FileResponse:
    """The rejected rows as typed, with the reason in each: correct them and upload this file again."""
    _importer(request)
    job = _job(request, imports.JOB_KIND, pk)
    handle = imports.rejected_file(job)
    if handle is None:
        raise Http404
    rows = (job.result.get("counts") or {}).get(imports.REJECTED, 0)
    _log_download(request, job, "rejected rows of an import", rows)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    response = FileResponse(handle, as_attachment=True, filename=f"被拒绝的行-{job.pk}-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response


# --- Export ----------------------------------------------------------------------------------------


def _exporter(request: HttpRequest) -> User:
    actor = _actor(request)
    if not exports.may_export(actor):
        raise Http404
    return actor


def _filter_summary(form: ChildFilterForm) -> list[tuple[str, str]]:
    """The list's filters as the dialog shows them: label and the value chosen."""
    if not form.is_valid():
        return []
    shown = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in ("", None, False) or name == "sort":
            continue
        choices = dict(getattr(field, "choices", []) or [])
        display = choices.get(value, value) if not isinstance(value, bool) else _("Yes")
        shown.append((str(field.label), str(display).strip()))
    return shown


@io_view
def export_dialog(request: HttpRequest) -> HttpResponse:
    """Export the list as it is filtered: masked identity numbers, or full ones with a reason."""
    actor = _exporter(request)
    data = request.POST if request.method == "POST" else request.GET
    filter_form = ChildFilterForm(data, actor=actor)
    filters = exports.filters_from(filter_form.values())
    if request.method == "POST":
        form = ExportForm(request.POST, actor=actor)
    else:  # ticking "full numbers" asks for the page again (htmx) to show the reason field
        form = ExportForm(initial={"export_full": bool(request.GET.get("export_full"))}, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            job = exports.start_export(
                actor=actor,
                filters=filters,
                full=bool(form.cleaned_data.get("export_full")),
                reason=str(form.cleaned_data.get("export_reason") or ""),
            )
        except DomainError as exc:
            form.add_error(f"export_{exc.field}" if f"export_{exc.field}" in form.fields else None, str(exc.message))
        else:
            return redirect("jobs:detail", pk=job.pk)
    carried = [(name, str(value)) for name, value in data.items() if name in filter_form.fields and value]
    return render(
        request,
        "registry/io/export_dialog.html",
        {
            "form": form,
            "count": selectors.child_list(actor, filters).count(),
            "filters": _filter_summary(filter_form),
            "carried": carried,
            "list_query": urlencode(carried),
            "show_reason": form.wants_full,
        },
    )


@io_view
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _exporter(request)
    job = _job(request, exports.JOB_KIND, pk)
    return render(request, "registry/io/export_detail.html", {"job": job, "result": job.result})


@io_view
@require_POST
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's workbook, once; afterwards a new export must be made."""
    actor = _exporter(request)
    job = _job(request, exports.JOB_KIND, pk, CHANGE)
    content = exports.take_file(actor=actor, job=job)
    if content is None:
        messages.error(request, _("This file was already downloaded (or is not ready). Export the list again."))
        return redirect("registry:export_detail", pk=job.pk)
    _log_download(request, job, "export of children", int(job.result.get("rows", 0)))
    return download(content, str(job.result.get("output_name") or "children.xlsx"))
