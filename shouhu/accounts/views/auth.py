"""Log-in with lock-out, the second factor, passwords and the user's own account page."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login

from shouhu.accounts import selectors, services
from shouhu.accounts.forms import CodeForm, LanguageForm, LoginForm, OwnPasswordChangeForm, SetupCodeForm
from shouhu.accounts.middleware import second_factor_step
from shouhu.accounts.models import User
from shouhu.accounts.views.common import actor, apply_error, home_url, safe_next
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError

# A small, non-sensitive cookie that lives as long as the browser session: if a request comes
# without a session but with this cookie, the session has expired (not "never logged in").
SESSION_MARKER_COOKIE = "shouhu_signed_in"
BACKUP_CODES_SESSION_KEY = "shouhu_new_backup_codes"
OBJECT_TYPE = "accounts.user"


def _record(request: HttpRequest, action: str, user: User | None, username: str, **detail: Any) -> None:
    record_access(
        actor=user if user is not None and user.is_authenticated and request.user.is_authenticated else None,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=user.pk if user is not None else "",
        region_code=(user.jurisdiction_id or "") if user is not None else "",
        summary=username,
        detail={"username": username, **detail},
        request=request,
    )


def _set_marker(response: HttpResponse) -> None:
    response.set_cookie(
        SESSION_MARKER_COOKIE,
        "1",
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _with_next(url_name: str, next_url: str) -> str:
    return reverse(url_name) + "?" + urlencode({"next": next_url})


def next_step(user: User, next_url: str) -> str:
    """Where a user goes after a step of the log-in: second factor, password change, then the page."""
    if user.needs_second_factor and not getattr(user, "is_verified", lambda: False)():
        return _with_next(second_factor_step(user), next_url)
    if user.must_change_password:
        return _with_next("accounts:password_change", next_url)
    return next_url


def _deactivated(username: str, password: str) -> bool:
    """Is this a deactivated account whose password was right? (Only then is it said so.)"""
    user = User.objects.filter(username=username, is_active=False).first()
    return user is not None and user.check_password(password)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password, through django-axes (lock-out of the username after repeated failures).

    A wrong password never says whether the username exists; the attempts left are shown, as
    they are counted alike for existing and unknown usernames.
    """
    next_url = safe_next(request)
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_step(actor(request), next_url))
    timed_out = request.method != "POST" and request.COOKIES.get(SESSION_MARKER_COOKIE) == "1"
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username, password = form.cleaned_data["username"], form.cleaned_data["password"]
        user = authenticate(request, username=username, password=password)
        if user is None:
            existing = User.objects.filter(username=username).first()
            if getattr(request, "axes_locked_out", False):
                _record(request, AccessAction.LOGIN_FAILED, existing, username, locked_out=True)
                request.shouhu_lockout_recorded = True  # type: ignore[attr-defined]
                return locked_out(request, credentials={"username": username})
            if _deactivated(username, password):
                _record(request, AccessAction.LOGIN_FAILED, existing, username, reason="deactivated")
                form.add_error(None, _("This account has been deactivated. Ask your administrator."))
            else:
                _record(request, AccessAction.LOGIN_FAILED, existing, username, reason="wrong_credentials")
                failures = getattr(request, "axes_failures_since_start", None) or selectors.login_failures(username)
                left = max(selectors.failure_limit() - failures, 0)
                form.add_error(
                    None,
                    _(
                        "The username or the password is wrong. %(left)d more failed attempt(s) lock the account "
                        "for %(minutes)d minutes."
                    )
                    % {"left": left, "minutes": selectors.cool_off().total_seconds() // 60},
                )
        else:
            login(request, user)
            _record(request, AccessAction.LOGIN, user, username, stage="password")
            translation.activate(user.language)
            signed_in = redirect(next_step(user, next_url))
            _set_language_cookie(signed_in, user.language)
            _set_marker(signed_in)
            return signed_in
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url if next_url != home_url() else "", "timed_out": timed_out},
    )
    if timed_out:
        response.delete_cookie(SESSION_MARKER_COOKIE)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        user = actor(request)
        _record(request, AccessAction.LOGOUT, user, user.username)
        logout(request)
        messages.info(request, _("You have logged out."))
    response = redirect("accounts:login")
    response.delete_cookie(SESSION_MARKER_COOKIE)
    return response


def locked_out(
    request: HttpRequest, response_or_credentials: Any = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lock-out page of django-axes (HTTP 429): the account is locked, and until when.

    Axes calls it with ``(request, original_response, credentials)``; older versions with
    ``(request, credentials)``.
    """
    if isinstance(response_or_credentials, dict):
        credentials = response_or_credentials
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")
    if not getattr(request, "shouhu_lockout_recorded", False) and username:
        _record(
            request,
            AccessAction.LOGIN_FAILED,
            User.objects.filter(username=username).first(),
            username,
            locked_out=True,
        )
        request.shouhu_lockout_recorded = True  # type: ignore[attr-defined]
    until = selectors.lockout_until(username) if username else None
    until = until or timezone.now() + selectors.cool_off()
    seconds = max(int((until - timezone.now()).total_seconds()), 0)
    response = render(
        request,
        "accounts/locked_out.html",
        {"until": until, "minutes": (seconds + 59) // 60, "limit": selectors.failure_limit()},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


# --- Second factor -------------------------------------------------------------------------------


def _qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG (no image file, no external service)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string()
    text = svg.decode() if isinstance(svg, bytes) else str(svg)
    # Size by the page, not in millimetres; label it for screen readers.
    return text.replace("<svg ", '<svg class="shouhu-qr" role="img" aria-label="QR" ', 1)


def _grouped_key(device: Any) -> str:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and key, then a code from the app to confirm."""
    user = actor(request)
    verified = user.is_verified()  # type: ignore[attr-defined]
    if _confirmed_devices(user) and not verified:
        # Someone who only knows the password must not replace the existing authenticator.
        return redirect(_with_next("accounts:otp_verify", safe_next(request)))
    device = services.pending_totp_device(actor=user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            backup = services.confirm_totp_device(actor=user, device=device, token=form.cleaned_data["token"])
        except DomainError as exc:
            apply_error(form, exc)
            _record(request, AccessAction.LOGIN_FAILED, user, user.username, stage="second_factor_setup")
        else:
            otp_login(request, device)
            _record(request, AccessAction.LOGIN, user, user.username, stage="second_factor", method="setup")
            request.session[BACKUP_CODES_SESSION_KEY] = backup
            return redirect(_with_next("accounts:backup_codes", safe_next(request)))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308  (generated here from our own data)
            "key": _grouped_key(device),
            "next": safe_next(request, ""),
            "replacing": verified,
        },
    )


def _confirmed_devices(user: User) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))


@login_required
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Enter the code of the authenticator app, or a backup code."""
    user = actor(request)
    next_url = safe_next(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_step(user, next_url))
    if not _confirmed_devices(user):
        return redirect(_with_next("accounts:otp_setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(actor=user, token=form.cleaned_data["token"])
        except DomainError as exc:
            apply_error(form, exc)
            _record(request, AccessAction.LOGIN_FAILED, user, user.username, stage="second_factor")
        else:
            otp_login(request, device)
            method = "backup_code" if device.__class__.__name__ == "StaticDevice" else "totp"
            _record(request, AccessAction.LOGIN, user, user.username, stage="second_factor", method=method)
            if method == "backup_code":
                left = selectors.second_factor_state(user).backup_codes_left
                messages.warning(
                    request,
                    _("You used a backup code; %(left)d are left. Generate new ones on your account page.")
                    % {"left": left},
                )
            return redirect(next_step(user, next_url))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": safe_next(request, "")})


@login_required
@never_cache
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The new backup codes, shown this once."""
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    next_url = safe_next(request)
    if not codes:
        messages.info(request, _("Backup codes are shown only once. You can generate new ones on your account page."))
        return redirect(next_step(actor(request), next_url))
    response = render(
        request,
        "accounts/backup_codes.html",
        {"codes": [services.format_backup_code(c) for c in codes], "next": next_step(actor(request), next_url)},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def backup_codes_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect(_with_next("accounts:otp_verify", reverse("accounts:profile")))
    try:
        request.session[BACKUP_CODES_SESSION_KEY] = services.regenerate_backup_codes(actor=user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:profile")
    return redirect(_with_next("accounts:backup_codes", reverse("accounts:profile")))


# --- Password and profile ------------------------------------------------------------------------


@sensitive_post_parameters()
@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    """Old password and the new one twice; other sessions of the user end."""
    user = actor(request)
    form = OwnPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(actor=user, new_password=form.cleaned_data["new_password1"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed. Other sessions of your account have ended."))
            return redirect(safe_next(request, reverse("accounts:profile")))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": user.must_change_password, "next": safe_next(request, "")},
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """My account: roles, agency, jurisdiction, second factor, language."""
    user = actor(request)
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        services.set_language(actor=user, language=form.cleaned_data["language"])
        translation.activate(user.language)
        messages.success(request, _("The language has been changed."))
        response = HttpResponseRedirect(reverse("accounts:profile"))
        _set_language_cookie(response, user.language)
        return response
    path = user.jurisdiction.path() if user.jurisdiction else []
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "roles": sorted(user.roles),
            "region_path": path,
            "second_factor": selectors.second_factor_state(user),
            "verified": user.is_verified(),  # type: ignore[attr-defined]
            "form": form,
        },
    )
