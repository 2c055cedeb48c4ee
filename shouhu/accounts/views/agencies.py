"""Agencies of the administrator's jurisdiction: list, create, edit (deactivate, never delete)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shouhu.accounts import selectors, services
from shouhu.accounts.forms import AgencyFilterForm, AgencyForm
from shouhu.accounts.models import Agency
from shouhu.accounts.views.common import actor, administrators_only, apply_error
from shouhu.core.errors import DomainError
from shouhu.core.pagination import paginate
from shouhu.core.policy import CHANGE, CREATE, policy_for


@administrators_only
def agency_list(request: HttpRequest) -> HttpResponse:
    form = AgencyFilterForm(request.GET or None)
    agencies = selectors.agency_list(actor(request), form.filters())
    page = paginate(request, agencies)
    return render(
        request,
        "accounts/agency_list.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "regions": selectors.regions_in_reach(actor(request)),
        },
    )


def _save(request: HttpRequest, form: AgencyForm, agency: Agency | None) -> Agency | None:
    data = form.cleaned_data
    fields = {
        "name": data["name"],
        "kind": data["kind"],
        "region": data["region"],
        "parent": data["parent"],
        "credit_code": data["credit_code"],
        "phone": data["phone"],
        "address": data["address"],
        "is_active": data["is_active"],
    }
    try:
        if agency is None:
            return services.create_agency(actor=actor(request), **fields)
        return services.update_agency(actor=actor(request), agency=agency, **fields)
    except DomainError as exc:
        apply_error(form, exc)
        return None


def _render(request: HttpRequest, form: AgencyForm, agency: Agency | None) -> HttpResponse:
    return render(
        request,
        "accounts/agency_form.html",
        {"form": form, "agency": agency, "regions": selectors.regions_in_reach(actor(request))},
    )


@administrators_only
def agency_create(request: HttpRequest) -> HttpResponse:
    if not policy_for(Agency).can(actor(request), CREATE):
        raise Http404
    form = AgencyForm(request.POST or None, actor=actor(request))
    if request.method == "POST" and form.is_valid():
        agency = _save(request, form, None)
        if agency is not None:
            messages.success(request, _("The agency %(agency)s has been registered.") % {"agency": agency})
            return redirect("accounts:agency_list")
    return _render(request, form, None)


@administrators_only
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = policy_for(Agency).get_or_404(actor(request), CHANGE, pk=pk)
    form = AgencyForm(request.POST or None, actor=actor(request), instance=agency)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, agency)
        if saved is not None:
            messages.success(request, _("The changes to %(agency)s have been saved.") % {"agency": saved})
            return redirect("accounts:agency_list")
    return _render(request, form, agency)
