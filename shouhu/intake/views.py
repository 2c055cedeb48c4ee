"""Screens of intake: file a report, the front door's queue, a report with its triage and its child.

Views are thin (STYLE.md): they fetch through the policy, validate with a form, call one service and
render; not allowed and not found are both 404. The page of a report identifies its child with the
matching engine (``search.search``, which writes the access log of the search); opening a report is
itself logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shouhu.accounts.models import User
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.pagination import paginate
from shouhu.core.policy import CREATE, VIEW, policy_for
from shouhu.intake import permissions, selectors, services
from shouhu.intake.choices import Identification
from shouhu.intake.forms import IdentifyForm, NotOnFileForm, QueueForm, ReportForm, TriageForm
from shouhu.intake.models import Report
from shouhu.matching import permissions as matching_permissions
from shouhu.matching import search
from shouhu.registry.models import Child
from shouhu.registry.views import apply_error, registry_view

OBJECT_TYPE = "intake.report"
PER_PAGE = 30
CANDIDATES = 10


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@registry_view
def queue(request: HttpRequest) -> HttpResponse:
    """The front door's queue: reports waiting for triage, the most urgent first; or the triaged ones."""
    user = _actor(request)
    if permissions.front_door_scope(user) is None:
        if permissions.may_file(user):
            return redirect("intake:mine")
        raise Http404
    form = QueueForm(request.GET or None)
    state = form.cleaned_data.get("state") if form.is_valid() else ""
    state = state or selectors.WAITING
    page = paginate(request, selectors.queue(user, state=state), PER_PAGE)
    rows = [(report, selectors.due(report)) for report in page.object_list]
    return render(
        request,
        "intake/queue.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "figures": selectors.queue_figures(user),
            "can_file": permissions.may_file(user),
            "now": timezone.now(),
        },
    )


@registry_view
def mine(request: HttpRequest) -> HttpResponse:
    """The reports the user filed: receipt codes and whether each was received and triaged."""
    user = _actor(request)
    if not permissions.may_file(user):
        raise Http404
    page = paginate(request, selectors.mine(user), PER_PAGE)
    return render(request, "intake/mine.html", {"page": page})


@registry_view
def new(request: HttpRequest) -> HttpResponse:
    """File a report. A refused form keeps everything typed."""
    user = _actor(request)
    if not policy_for(Report).can(user, CREATE):
        raise Http404
    form = ReportForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.file_report(
                actor=user, region=data["region"], data=data, id_number=data.get("id_number") or ""
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Report received. Its receipt code is %(code)s: keep it to follow the report.")
                % {"code": report.receipt_code},
            )
            return redirect("intake:detail", pk=report.pk)
    return render(request, "intake/new.html", {"form": form})


def _report_or_404(request: HttpRequest, pk: int, action: str = VIEW) -> Report:
    queryset = Report.objects.select_related("region", "child", "child__village", "reporter_agency")
    return policy_for(Report).get_or_404(_actor(request), action, queryset=queryset, pk=pk)


def _page(
    request: HttpRequest,
    report: Report,
    *,
    triage_form: TriageForm | None = None,
    identify_form: IdentifyForm | None = None,
    not_on_file_form: NotOnFileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _actor(request)
    handles = permissions.handles(user, report)
    record_access(
        actor=user,
        action=AccessAction.VIEW,
        object_type=OBJECT_TYPE,
        object_id=report.pk,
        region_code=report.region_id,
        summary=report.receipt_code,
        request=request,
    )
    result: search.SearchResult | None = None
    searching = handles and (report.identification == Identification.PENDING or request.GET.get("search") == "1")
    if searching and selectors.describes_someone(report) and matching_permissions.may_search(user):
        result = search.search(user, selectors.person_record(report), limit=CANDIDATES, request=request)
    context = {
        "report": report,
        "handles": handles,
        "due": selectors.due(report),
        "late": selectors.lateness(report),
        "now": timezone.now(),
        "result": result,
        "searching": searching,
        "describes_someone": selectors.describes_someone(report),
        "warnings": [*result.notes, *result.unused] if result is not None else [],
        "triage_form": triage_form or TriageForm(initial={"urgency": report.urgency, "note": report.triage_note}),
        "identify_form": identify_form or IdentifyForm(),
        "not_on_file_form": not_on_file_form or NotOnFileForm(),
        "child_visible": report.child is not None and policy_for(Child).can(user, VIEW, report.child),
    }
    return render(request, "intake/detail.html", context, status=status)


@registry_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report: what was seen, the child as described; for the front door, its triage and its child."""
    return _page(request, _report_or_404(request, pk))


@registry_view
@require_POST
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk, permissions.TRIAGE)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.triage(
                actor=_actor(request),
                report=report,
                urgency=form.cleaned_data["urgency"],
                note=form.cleaned_data["note"],
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Triage recorded."))
            return redirect("intake:detail", pk=report.pk)
    return _page(request, report, triage_form=form, status=400)


@registry_view
@require_POST
def identify(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the report to a file the searcher saw (and may open)."""
    report = _report_or_404(request, pk, permissions.IDENTIFY)
    form = IdentifyForm(request.POST)
    if not form.is_valid():
        raise Http404
    child = policy_for(Child).get_or_404(_actor(request), VIEW, pk=form.cleaned_data["child"])
    try:
        services.identify(actor=_actor(request), report=report, child=child, note=form.cleaned_data["note"])
    except NotAllowedError:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('intake:detail', args=[report.pk])}?search=1#intake-identification")
    messages.success(request, _("The report is linked to the file of %(name)s.") % {"name": child.name})
    return redirect("intake:detail", pk=report.pk)


@registry_view
@require_POST
def not_on_file(request: HttpRequest, pk: int) -> HttpResponse:
    """No file on record is this child: say so (the child can then be registered)."""
    report = _report_or_404(request, pk, permissions.IDENTIFY)
    form = NotOnFileForm(request.POST)
    if not form.is_valid():
        return _page(request, report, not_on_file_form=form, status=400)
    try:
        services.not_on_file(actor=_actor(request), report=report, note=form.cleaned_data["note"])
    except NotAllowedError:
        raise Http404 from None
    messages.success(request, _("Recorded: no file on record is this child."))
    return redirect("intake:detail", pk=report.pk)
