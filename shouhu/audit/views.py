"""The auditors' screens: the access log, one entry, the change log; verification and exports.

Only auditors and system administrators get past ``auditor_required``; everybody else gets
the same 404 as for a page that does not exist. Every search and view of the logs is itself
written to the access log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouhu.audit import selectors, services
from shouhu.audit.changes import describe_entries
from shouhu.audit.choices import access_action_label
from shouhu.audit.forms import AccessLogFilterForm, ChangeLogFilterForm, filter_data
from shouhu.audit.permissions import is_auditor
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError

ACCESS_EVENT_TYPE = "audit.accessevent"
LOG_ENTRY_TYPE = "audit.logentry"

View = Callable[..., HttpResponse]


def auditor_required(view: View) -> View:
    """Log-in required; then auditors and system administrators only (404 for the others)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_auditor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _key(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _summary(filters: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in filters.items())


def _log_search(request: HttpRequest, *, object_type: str, filters: dict[str, str], valid: bool) -> None:
    record_access(
        actor=request.user,
        action=AccessAction.SEARCH,
        object_type=object_type,
        region_code=filters.get("region", "") if valid else "",
        summary=_summary(filters),
        detail={
            "filters": filters,
            "valid": valid,
            "before": request.GET.get("before", ""),
            "after": request.GET.get("after", ""),
        },
        request=request,
    )


@require_GET
@auditor_required
def access_log(request: HttpRequest) -> HttpResponse:
    form = AccessLogFilterForm(request.GET)
    page = None
    rows: list[selectors.AccessRow] = []
    if form.is_valid():
        filters = form.active_filters()
        events = selectors.search_access_events(user=request.user, filters=form.cleaned_data)
        page = selectors.keyset_page(events, key="seq", before=_key(request, "before"), after=_key(request, "after"))
        rows = selectors.describe_events(page.items)
    else:
        filters = filter_data(request.GET, AccessLogFilterForm)
    _log_search(request, object_type=ACCESS_EVENT_TYPE, filters=filters, valid=form.is_valid())
    activity = selectors.daily_activity(user=request.user)
    return render(
        request,
        "audit/access_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": urlencode(filters),
            "activity": activity,
            "chart": activity.as_chart(),
            "verification": selectors.last_verification(user=request.user),
            "recent_verifications": selectors.recent_verifications(user=request.user),
            "chain_length": selectors.chain_length(),
        },
    )


@require_GET
@auditor_required
def access_event(request: HttpRequest, seq: int) -> HttpResponse:
    event = selectors.access_event(user=request.user, seq=seq)
    record_access(
        actor=request.user,
        action=AccessAction.VIEW,
        object_type=ACCESS_EVENT_TYPE,
        object_id=event.seq,
        region_code=event.region_code or event.actor_region,
        summary=f"#{event.seq}",
        request=request,
    )
    return render(
        request,
        "audit/access_event.html",
        {
            "event": event,
            "row": selectors.describe_events([event])[0],
            "action_label": access_action_label(event.action),
            "detail_json": json.dumps(event.detail, ensure_ascii=False, indent=2, sort_keys=True),
            "link": selectors.check_link(event),
        },
    )


@require_POST
@auditor_required
def verify(request: HttpRequest) -> HttpResponse:
    try:
        job = services.start_chain_verification(actor=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("audit:access_log")
    messages.success(request, _("The verification of the access log has started."))
    return redirect("jobs:detail", pk=job.pk)


def _start_export(
    request: HttpRequest,
    *,
    form_class: type[AccessLogFilterForm] | type[ChangeLogFilterForm],
    start: Callable[..., Any],
    object_type: str,
    back: str,
) -> HttpResponse:
    form = form_class(request.POST)
    filters = filter_data(request.POST, form_class)
    # Back to the list with the filters only: the form's CSRF token must not travel in a URL (it
    # would be written to the access log with the request path of the next page).
    back_url = f"{reverse(back)}?{urlencode(filters)}" if filters else reverse(back)
    if not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(back_url)
    try:
        job = start(actor=request.user, filters=filters)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(back_url)
    record_access(
        actor=request.user,
        action=AccessAction.EXPORT,
        object_type=object_type,
        region_code=form.cleaned_data.get("region", ""),
        summary=_summary(form.active_filters()),
        detail={"filters": form.active_filters(), "job": job.pk, "format": "xlsx"},
        request=request,
    )
    messages.success(request, _("The export has started; the file will be ready below."))
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@auditor_required
def access_log_export(request: HttpRequest) -> HttpResponse:
    return _start_export(
        request,
        form_class=AccessLogFilterForm,
        start=services.start_access_log_export,
        object_type=ACCESS_EVENT_TYPE,
        back="audit:access_log",
    )


@require_GET
@auditor_required
def changes(request: HttpRequest) -> HttpResponse:
    form = ChangeLogFilterForm(request.GET)
    page = None
    records = []
    if form.is_valid():
        filters = form.active_filters()
        entries = selectors.search_changes(user=request.user, filters=form.cleaned_data)
        page = selectors.keyset_page(entries, key="id", before=_key(request, "before"), after=_key(request, "after"))
        records = describe_entries(page.items)
    else:
        filters = filter_data(request.GET, ChangeLogFilterForm)
    _log_search(request, object_type=LOG_ENTRY_TYPE, filters=filters, valid=form.is_valid())
    return render(
        request,
        "audit/changes.html",
        {"form": form, "page": page, "records": records, "filters": filters, "query": urlencode(filters)},
    )


@require_POST
@auditor_required
def changes_export(request: HttpRequest) -> HttpResponse:
    return _start_export(
        request,
        form_class=ChangeLogFilterForm,
        start=services.start_change_log_export,
        object_type=LOG_ENTRY_TYPE,
        back="audit:changes",
    )
