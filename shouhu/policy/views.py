"""Screens of the policy settings: the list, one setting's history, a new value, a withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.policy import CREATE, DELETE, VIEW
from shouhu.policy import selectors, services
from shouhu.policy.definitions import DEFINITIONS, Definition, grouped
from shouhu.policy.forms import AsOfForm, PolicyValueForm, WithdrawalForm, initial_of
from shouhu.policy.models import PolicyValue
from shouhu.policy.permissions import policy_value_policy


def _definition_or_404(key: str) -> Definition:
    definition = DEFINITIONS.get(key)
    if definition is None:
        raise Http404
    return definition


def _require(request: HttpRequest, action: str) -> None:
    if not policy_value_policy.can(request.user, action):
        raise Http404  # not allowed looks like not found


@login_required
def setting_list(request: HttpRequest) -> HttpResponse:
    """Every setting by group: the value in force, the default, the source, what is scheduled."""
    _require(request, VIEW)
    form = AsOfForm(request.GET or None)
    on = selectors.today()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    states = {state.key: state for state in selectors.setting_states(on)}
    groups = [(group, [states[d.key] for d in definitions]) for group, definitions in grouped()]
    context = {
        "form": form,
        "on": on,
        "is_today": on == selectors.today(),
        "groups": groups,
        "can_edit": policy_value_policy.can(request.user, CREATE),
    }
    return render(request, "policy/list.html", context)


@login_required
def setting_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One setting: its definition, the value in force and every value ever set."""
    _require(request, VIEW)
    definition = _definition_or_404(key)
    context = {
        "definition": definition,
        "state": selectors.setting_state(definition),
        "history": selectors.value_history(request.user, key),
        "can_edit": policy_value_policy.can(request.user, CREATE),
    }
    return render(request, "policy/detail.html", context)


@login_required
def setting_edit(request: HttpRequest, key: str) -> HttpResponse:
    """A new value of one setting from a date on (city administrators)."""
    _require(request, CREATE)
    definition = _definition_or_404(key)
    state = selectors.setting_state(definition)
    if request.method == "POST":
        form = PolicyValueForm(request.POST, definition=definition)
        if form.is_valid():
            try:
                services.set_policy_value(
                    actor=request.user,  # type: ignore[arg-type]
                    key=key,
                    value=form.cleaned_data["value"],
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                )
            except NotAllowedError as exc:
                raise Http404 from exc
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("The new value is saved."))
                return redirect("policy:detail", key=key)
    else:
        form = PolicyValueForm(
            definition=definition,
            initial={"value": initial_of(definition, state.value), "effective_from": selectors.today()},
        )
    return render(request, "policy/edit.html", {"definition": definition, "state": state, "form": form})


@login_required
def value_withdraw(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Withdraw a scheduled value before it takes effect (city administrators)."""
    _require(request, DELETE)
    definition = _definition_or_404(key)
    value = policy_value_policy.get_or_404(
        request.user, DELETE, queryset=PolicyValue.objects.filter(key=key, withdrawal__isnull=True), pk=pk
    )
    if request.method == "POST":
        form = WithdrawalForm(request.POST)
        if form.is_valid():
            try:
                services.withdraw_scheduled_value(
                    actor=request.user,  # type: ignore[arg-type]
                    value=value,
                    reason=form.cleaned_data["reason"],
                )
            except NotAllowedError as exc:
                raise Http404 from exc
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("The scheduled value is withdrawn; it will not take effect."))
                return redirect("policy:detail", key=key)
    else:
        form = WithdrawalForm()
    context = {
        "definition": definition,
        "value": value,
        "display": selectors.display_stored(definition, value.value),
        "withdrawable": value.effective_from > selectors.today(),
        "form": form,
    }
    return render(request, "policy/withdraw.html", context)
