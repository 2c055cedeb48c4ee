"""One error format for the whole API.

Every error that is not a field validation error has the body ``{"detail": <message in the
caller's language>, "code": <stable machine code>}``; validation errors keep DRF's
``{"field": ["message", ...]}``. The statuses:

* 401 — no credentials, or a bad/revoked/expired token (with ``WWW-Authenticate: Bearer``,
  whatever the order of the authentication classes);
* 403 — authenticated, but refused as a whole (CSRF of a session write, a second factor not yet
  verified, a role that may not create);
* 404 — the row does not exist *or* the caller may not see or act on it: the two look the same;
* 400 — a domain rule refused the action (``DomainError``) or the input is invalid;
* 429 — throttled (with ``Retry-After``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from shouhu.core.errors import DomainError, NotAllowedError

# RFC 6750 §3: the challenge of a bearer-token API, with error="invalid_token" for a bad token.
BEARER_CHALLENGE = 'Bearer realm="api"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'  # noqa: S105  (not a secret)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotAllowedError | Http404):
        # Never say which: no row, or a row of someone else's jurisdiction.
        exc = exceptions.NotFound()
    elif isinstance(exc, DomainError):
        return domain_error_response(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.status_code = status.HTTP_401_UNAUTHORIZED
        challenge = INVALID_TOKEN_CHALLENGE if isinstance(exc, exceptions.AuthenticationFailed) else BEARER_CHALLENGE
        response["WWW-Authenticate"] = challenge
    if isinstance(exc, exceptions.APIException) and isinstance(response.data, dict) and "detail" in response.data:
        code = exc.get_codes()
        response.data["code"] = code if isinstance(code, str) else exc.default_code
    return response


def domain_error_response(exc: DomainError) -> Response:
    set_rollback()
    message = str(exc.message)
    body: dict[str, Any] = (
        {exc.field: [message], "code": exc.code} if exc.field else {"detail": message, "code": exc.code}
    )
    return Response(body, status=status.HTTP_400_BAD_REQUEST)
