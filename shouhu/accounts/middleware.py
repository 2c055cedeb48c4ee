"""Gate in front of every page: the second factor first, then a forced password change.

After the password step a user who needs a second factor (administrators, auditors,
superusers) is logged in but not verified; until they set up or enter a TOTP code (or a
backup code), every page except the log-in, log-out, static files, the language switch and
the gate pages themselves is refused: HTML requests are sent to the right step, API
requests with the session get a 403 JSON answer. Then a user whose password was reset by an
administrator (``must_change_password``) is sent to the password change.

It also turns the log-in redirect of an htmx request (a session that expired while a page
polled or swapped a fragment) into a full-page redirect that returns to the page, not to the
fragment.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user

# The endpoints of the API (shouhu/api/urls.py) and its schema answer JSON, not a redirect to a
# form; the other pages under /api/ (guide, viewers, token screens) are pages like any other.
API_PREFIXES = ("/api/v1/",)
API_PATHS = frozenset({"/api/schema/"})
OPEN_PREFIXES = ("/i18n/",)


def _open_paths() -> frozenset[str]:
    return frozenset({reverse("accounts:login"), reverse("accounts:logout")})


def _second_factor_paths() -> frozenset[str]:
    return frozenset({reverse("accounts:otp_setup"), reverse("accounts:otp_verify"), reverse("accounts:backup_codes")})


def _password_paths() -> frozenset[str]:
    return frozenset({reverse("accounts:password_change"), reverse("accounts:backup_codes")})


def wants_json(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIXES) or path in API_PATHS


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def second_factor_step(user: object) -> str:
    """The URL name of the step a not-yet-verified user must take: set up, or enter a code."""
    return "accounts:otp_verify" if any(devices_for_user(user, confirmed=True)) else "accounts:otp_setup"


class SecurityGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.gate(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        return self.full_page_login_redirect(request, response)

    def gate(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # reverse() includes the script prefix, as request.path does (request.path_info does not).
        path = request.path
        if path in _open_paths() or request.path_info.startswith((settings.STATIC_URL or "/static/", *OPEN_PREFIXES)):
            return None
        verified = getattr(user, "is_verified", lambda: False)()
        if getattr(user, "needs_second_factor", False) and not verified:
            if path in _second_factor_paths():
                return None
            return self.refuse(
                request,
                step=second_factor_step(user),
                code="second_factor_required",
                message=_("Confirm your log-in with the code of your authenticator app first."),
            )
        if getattr(user, "must_change_password", False) and path not in _password_paths():
            return self.refuse(
                request,
                step="accounts:password_change",
                code="password_change_required",
                message=_("Change your temporary password first."),
            )
        return None

    @staticmethod
    def refuse(request: HttpRequest, *, step: str, code: str, message: str) -> HttpResponse:
        if wants_json(request):
            return JsonResponse({"detail": message, "code": code}, status=403)
        target = reverse(step)
        if request.method in ("GET", "HEAD") and not is_htmx(request):
            target += "?" + urlencode({"next": request.get_full_path()})
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

    @staticmethod
    def full_page_login_redirect(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not is_htmx(request) or response.status_code not in (301, 302):
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login_path:
            return response
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        page = current.path + (f"?{current.query}" if current.query else "")
        replaced = HttpResponse(status=204)
        replaced["HX-Redirect"] = login_path + ("?" + urlencode({"next": page}) if page else "")
        return replaced
