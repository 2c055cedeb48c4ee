"""Screens of the API: the developer guide, the schema viewers, and the API tokens.

Token screens are for administrators: issue a token to an account of their jurisdiction (the
key is shown once, on the response to the issuing form, and never stored), list tokens, revoke.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shouhu.accounts.models import ApiToken, User
from shouhu.api import rules, selectors, services
from shouhu.api.forms import IssueTokenForm, TokenFilterForm
from shouhu.api.schema import BEARER_FORMAT
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.pagination import paginate
from shouhu.core.policy import CHANGE, CREATE, VIEW, policy_for

# The viewers load scripts, styles and the schema from this server only.
VIEWER_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # both viewers style their elements inline
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",  # Redoc's search runs in a worker made from a blob
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

View = Callable[..., HttpResponse]


def administrator_required(view: View) -> View:
    """Signed in, an administrator (others get 404: the page is not there for them), and a
    second factor verified in this session (the account gate redirects earlier; this is the
    last line)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not policy_for(ApiToken).can(user, VIEW):
            raise Http404
        is_verified = getattr(user, "is_verified", None)
        if user.needs_second_factor and not (callable(is_verified) and is_verified()):  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def with_viewer_policy(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = VIEWER_CSP
    return response


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    """How partner systems use the API: base URL, tokens, pagination, errors, limits."""
    context = {
        "base_url": request.build_absolute_uri(reverse("api:api-root")),
        "me_url": request.build_absolute_uri(reverse("api:me")),
        "bearer_format": BEARER_FORMAT,
        "default_days": rules.DEFAULT_LIFETIME_DAYS,
        "max_years": rules.MAX_LIFETIME_YEARS,
        "can_issue": policy_for(ApiToken).can(request.user, CREATE),
    }
    return render(request, "api/docs.html", context)


@login_required
def swagger_ui(request: HttpRequest) -> HttpResponse:
    header = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
    config = {"schemaUrl": reverse("api:schema"), "csrfHeader": header, "csrfToken": get_token(request)}
    return with_viewer_policy(render(request, "api/swagger_ui.html", {"viewer_config": config}))


@login_required
def redoc(request: HttpRequest) -> HttpResponse:
    return with_viewer_policy(render(request, "api/redoc.html", {"schema_url": reverse("api:schema")}))


@administrator_required
def token_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    form = TokenFilterForm(request.GET or None)
    tokens = selectors.tokens_visible_to(actor)
    if form.is_valid():
        tokens = selectors.filter_tokens(tokens, status=form.cleaned_data["status"], q=form.cleaned_data["q"])
    page = paginate(request, tokens)
    rows = [(token, selectors.token_status(token)) for token in page]
    return render(request, "api/token_list.html", {"form": form, "page": page, "rows": rows})


@administrator_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_issue(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        form = IssueTokenForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                issued = services.issue_api_token(
                    actor=actor,
                    owner=form.cleaned_data["owner"],
                    name=form.cleaned_data["name"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except NotAllowedError:
                raise Http404 from None
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                # Shown in this response only (never_cache: not kept by the browser or a proxy).
                return render(request, "api/token_created.html", {"token": issued.token, "key": issued.key})
    else:
        form = IssueTokenForm(initial={"owner": request.GET.get("owner", "")}, actor=actor)
    return render(request, "api/token_issue.html", {"form": form})


@administrator_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    token = policy_for(ApiToken).get_or_404(actor, CHANGE, queryset=selectors.tokens_visible_to(actor), pk=pk)
    if request.method == "POST":
        try:
            services.revoke_api_token(actor=actor, token=token)
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("api:tokens")
    return render(request, "api/token_revoke.html", {"token": token, "status": selectors.token_status(token)})
