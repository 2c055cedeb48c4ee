"""User management for county and city administrators (the Django admin is for system administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shouhu.accounts import selectors, services
from shouhu.accounts.choices import AgencyKind
from shouhu.accounts.forms import UserFilterForm, UserForm
from shouhu.accounts.models import User
from shouhu.accounts.user_import import COLUMNS, chinese_label
from shouhu.accounts.views.common import actor, administrators_only, apply_error
from shouhu.core import xlsx
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError
from shouhu.core.pagination import paginate
from shouhu.core.policy import CHANGE, CREATE, EXPORT, policy_for

OBJECT_TYPE = "accounts.user"
EXPORT_ROW_LIMIT = 20000


def _filter_form(request: HttpRequest) -> UserFilterForm:
    return UserFilterForm(request.GET or None, actor=actor(request))


def _active_filters(filters: selectors.UserFilters) -> dict[str, object]:
    return {name: value for name, value in filters.__dict__.items() if value}


@administrators_only
def user_list(request: HttpRequest) -> HttpResponse:
    """The users of the administrator's jurisdiction: filters, search, pages, count.

    A page of the list names people with their phone numbers: it is logged as a search, as the
    API's user list is.
    """
    user = actor(request)
    form = _filter_form(request)
    filters = form.filters()
    users = selectors.user_list(user, filters)
    page = paginate(request, users)
    record_access(
        actor=user,
        action=AccessAction.SEARCH,
        object_type=OBJECT_TYPE,
        region_code=filters.region or user.jurisdiction_id or "",
        summary="user list",
        detail={"filters": _active_filters(filters), "count": page.paginator.count, "page": page.number},
        request=request,
    )
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "failure_limit": selectors.failure_limit(),
            "regions": selectors.regions_in_reach(user),
            "can_create": policy_for(User).can(user, CREATE),
        },
    )


@administrators_only
def user_export(request: HttpRequest) -> HttpResponse:
    """The filtered user list as xlsx (logged: it is a list of people with their phones)."""
    user = actor(request)
    if not policy_for(User).can(user, EXPORT):
        raise Http404
    form = _filter_form(request)
    filters = form.filters()
    users = list(selectors.user_list(user, filters)[:EXPORT_ROW_LIMIT])
    limit = selectors.failure_limit()
    workbook, sheet = xlsx.new_workbook("用户")
    xlsx.write_table(
        sheet,
        [*(c.title for c in COLUMNS), "区划名称", "状态", "已锁定", "双因素认证", "上次登录"],
        [
            (
                u.username,
                u.full_name,
                u.phone,
                "、".join(chinese_label(r) for r in sorted(u.roles)),
                u.jurisdiction_id or "",
                u.agency.name if u.agency else "",
                chinese_label(AgencyKind(u.agency.kind)) if u.agency else "",
                u.jurisdiction.name if u.jurisdiction else "",
                _("Active") if u.is_active else _("Deactivated"),
                _("Yes") if u.login_failures >= limit else "",  # type: ignore[attr-defined]
                _("Set up") if u.has_totp else _("Not set up"),  # type: ignore[attr-defined]
                timezone.localtime(u.last_login).strftime("%Y-%m-%d %H:%M") if u.last_login else "",
            )
            for u in users
        ],
        widths=[16, 10, 14, 22, 16, 24, 18, 16, 8, 8, 12, 18],
    )
    record_access(
        actor=user,
        action=AccessAction.EXPORT,
        object_type=OBJECT_TYPE,
        region_code=filters.region or user.jurisdiction_id or "",
        summary=_("User list: %(count)d rows") % {"count": len(users)},
        detail={"filters": _active_filters(filters), "rows": len(users)},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx.download(xlsx.to_bytes(workbook), f"用户-{stamp}.xlsx")


@administrators_only
def role_overview(request: HttpRequest) -> HttpResponse:
    """Who holds which role where: roles × the regions one level below the jurisdiction."""
    overview = selectors.role_overview(actor(request))
    return render(request, "accounts/role_overview.html", {"overview": overview})


@administrators_only
@never_cache
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    shown = selectors.user_detail(user, pk)
    record_access(
        actor=user,
        action=AccessAction.VIEW,
        object_type=OBJECT_TYPE,
        object_id=shown.pk,
        region_code=shown.jurisdiction_id or "",
        summary=str(shown),
        request=request,
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "shown": shown,
            "roles": sorted(shown.roles),
            "region_path": shown.jurisdiction.path() if shown.jurisdiction else [],
            "second_factor": selectors.second_factor_state(shown),
            "locked_until": selectors.lockout_until(shown.username),
            "can_change": policy_for(User).can(user, CHANGE, shown),
        },
    )


def _render_form(request: HttpRequest, form: UserForm, shown: User | None) -> HttpResponse:
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "shown": shown, "regions": selectors.regions_in_reach(actor(request))},
    )


@administrators_only
@never_cache
def user_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not policy_for(User).can(user, CREATE):
        raise Http404
    form = UserForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, password = services.create_user(
                actor=user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                jurisdiction=data["jurisdiction"],
                agency=data["agency"],
                roles=form.role_values(),
                language=data["language"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _temporary_password(request, created, password, created_now=True)
    return _render_form(request, form, None)


@administrators_only
@never_cache
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    shown = policy_for(User).get_or_404(user, CHANGE, pk=pk)
    form = UserForm(request.POST or None, actor=user, instance=shown)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                actor=user,
                user=shown,
                full_name=data["full_name"],
                phone=data["phone"],
                jurisdiction=data["jurisdiction"],
                agency=data["agency"],
                roles=form.role_values(),
                language=data["language"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The changes to %(user)s have been saved.") % {"user": shown})
            return redirect("accounts:user_detail", pk=shown.pk)
    return _render_form(request, form, shown)


def _temporary_password(request: HttpRequest, shown: User, password: str, *, created_now: bool) -> HttpResponse:
    response = render(
        request,
        "accounts/temporary_password.html",
        {"shown": shown, "password": password, "created_now": created_now},
    )
    response["Cache-Control"] = "no-store"
    return response


def _changeable(request: HttpRequest, pk: int) -> User:
    return policy_for(User).get_or_404(actor(request), CHANGE, pk=pk)


@administrators_only
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    shown = services.set_user_active(actor=actor(request), user=_changeable(request, pk), active=False)
    messages.success(request, _("%(user)s has been deactivated and can no longer log in.") % {"user": shown})
    return redirect("accounts:user_detail", pk=pk)


@administrators_only
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    shown = services.set_user_active(actor=actor(request), user=_changeable(request, pk), active=True)
    messages.success(request, _("%(user)s has been reactivated.") % {"user": shown})
    return redirect("accounts:user_detail", pk=pk)


@administrators_only
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _changeable(request, pk)
    password = services.reset_password(actor=actor(request), user=shown)
    return _temporary_password(request, shown, password, created_now=False)


@administrators_only
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _changeable(request, pk)
    if services.unlock_user(actor=actor(request), user=shown):
        messages.success(request, _("%(user)s can log in again.") % {"user": shown})
    else:
        messages.info(request, _("%(user)s was not locked.") % {"user": shown})
    return redirect("accounts:user_detail", pk=pk)


@administrators_only
@require_POST
def user_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _changeable(request, pk)
    services.reset_second_factor(actor=actor(request), user=shown)
    messages.success(
        request,
        _("The authenticator of %(user)s has been removed; they set up a new one at their next log-in.")
        % {"user": shown},
    )
    return redirect("accounts:user_detail", pk=pk)
