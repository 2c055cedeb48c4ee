"""Test helpers of the API: clients signed in by session or by token, and permission matrices.

Built on ``shouhu.core.testing``. Every endpoint gets a matrix over ALL actors of the test
world, by session and by token:

    assert_api_permission_matrix(actors, url=f"/api/v1/users/{u.pk}/", allowed=[...])
    assert_api_permission_matrix(actors, url=..., allowed=[...], auth=TOKEN)
    assert_visibility_matrix(actors, url="/api/v1/users/", sees=[...], item=lambda row: row["id"] == u.pk)

The API's statuses (``shouhu.api.errors``): anonymous → 401; not visible or not allowed on an
object → 404; refused as a whole → 403. By token, actors who log in with a second factor
(administrators, auditors, the superuser) cannot authenticate at all → 401, whatever the
endpoint: the token matrices expect that for them automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient

from shouhu.accounts import tokens
from shouhu.accounts.models import ApiToken, User
from shouhu.core.testing import MatrixResult, login

SESSION = "session"
TOKEN = "token"  # noqa: S105  (the name of an authentication mode, not a secret)
AUTH_MODES = (SESSION, TOKEN)


def make_token(
    user: User,
    *,
    name: str = "test",
    expires_at: datetime | None = None,
    revoked_at: datetime | None = None,
) -> str:
    """Store a token for ``user`` as the service stores it and return its key.

    It bypasses the issuing rules (who may issue, to whom), so that tests can also hold tokens
    the service would refuse, e.g. of an administrator.
    """
    new = tokens.generate()
    ApiToken.objects.create(
        user=user,
        name=name,
        prefix=new.prefix,
        key_hash=new.key_hash,
        expires_at=expires_at or timezone.now() + timedelta(days=30),
        revoked_at=revoked_at,
    )
    return new.key


def key_parts(key: str) -> tuple[str, str]:
    """``(prefix, secret)`` of a key that must be well formed."""
    parts = tokens.split(key)
    if parts is None:
        raise AssertionError(f"{key!r} is not a well-formed token key")
    return parts


def api_client(user: User | None = None, *, auth: str = SESSION, csrf: bool = False) -> APIClient:
    """An APIClient: anonymous, signed in by session (second factor verified), or by token.

    ``csrf=True`` enforces CSRF checks as a browser would meet them (APIClient skips them).
    """
    if auth not in AUTH_MODES:
        raise ValueError(f"auth must be one of {AUTH_MODES}")
    client = APIClient(enforce_csrf_checks=csrf)
    if user is None:
        return client
    if auth == SESSION:
        login(client, user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
    return client


def _request(client: APIClient, method: str, url: str, data: Any) -> Response:
    kwargs: dict[str, Any] = {"format": "json"} if method not in ("get", "head", "options", "delete") else {}
    if data is not None:
        kwargs["data"] = data
    return getattr(client, method)(url, **kwargs)  # type: ignore[no-any-return]


def allowed_for(actors: Mapping[str, User], names: Iterable[str], auth: str) -> list[str]:
    """``names`` less, by token, the actors who log in with a second factor (tokens are refused them)."""
    return [n for n in names if auth == SESSION or not actors[n].needs_second_factor]


def assert_api_permission_matrix(
    actors: Mapping[str, User],
    *,
    url: str,
    allowed: Iterable[str],
    auth: str = SESSION,
    method: str = "get",
    data: Any = None,
    ok: Iterable[int] = (200,),
    denied: Iterable[int] = (404,),
    anonymous: Iterable[int] = (401,),
    setup: Callable[[], Any] | None = None,
) -> MatrixResult:
    """Call ``url`` anonymously and as every actor; fail on any unexpected status.

    ``allowed`` actors must get one of ``ok``, the others one of ``denied``, the anonymous
    caller one of ``anonymous``. With ``auth=TOKEN`` actors who need a second factor must get
    401 (tokens are refused for them) and may not be listed in ``allowed``. ``setup`` runs
    before each call (e.g. to recreate what a successful call consumed).
    """
    allowed = set(allowed)
    unknown = allowed - set(actors)
    if unknown:
        raise AssertionError(f"allowed names actors the world does not have: {sorted(unknown)}")
    token_refused = {name for name, user in actors.items() if auth == TOKEN and user.needs_second_factor}
    if allowed & token_refused:
        raise AssertionError(f"these actors cannot use tokens, so cannot be allowed: {sorted(allowed & token_refused)}")
    ok, denied, anonymous = set(ok), set(denied), set(anonymous)
    result = MatrixResult()
    failures: list[str] = []

    def call(client: APIClient) -> int:
        if setup is not None:
            setup()
        return int(_request(client, method, url, data).status_code)

    status = call(api_client())
    result.rows["(anonymous)"] = status
    if status not in anonymous:
        failures.append(f"(anonymous) got {status}, expected one of {sorted(anonymous)}")
    for name, user in actors.items():
        status = call(api_client(user, auth=auth))
        result.rows[name] = status
        if name in token_refused:
            verdict, expected = "token refused", {401}
        elif name in allowed:
            verdict, expected = "allowed", ok
        else:
            verdict, expected = "denied", denied
        if status not in expected:
            failures.append(f"{name} ({verdict}) got {status}, expected one of {sorted(expected)}")
    if failures:
        raise AssertionError(
            f"API permission matrix of {method.upper()} {url} by {auth} failed:\n  "
            + "\n  ".join(failures)
            + f"\nall rows:\n{result}"
        )
    return result


def assert_visibility_matrix(
    actors: Mapping[str, User],
    *,
    url: str,
    sees: Iterable[str],
    item: Callable[[dict[str, Any]], bool],
    auth: str = SESSION,
) -> MatrixResult:
    """List ``url`` as every actor: exactly the ``sees`` actors find a row matching ``item``.

    A list endpoint answers 200 to everyone it admits and narrows the rows: this checks the
    narrowing, row by row, like ``assert_api_permission_matrix`` checks a detail URL. Every
    page of the list is read.
    """
    sees = set(sees)
    unknown = sees - set(actors)
    if unknown:
        raise AssertionError(f"sees names actors the world does not have: {sorted(unknown)}")
    result = MatrixResult()
    failures: list[str] = []
    for name, user in actors.items():
        if auth == TOKEN and user.needs_second_factor:
            continue
        client = api_client(user, auth=auth)
        found, status = False, 200
        next_url: str | None = url
        while next_url and not found:
            response = client.get(next_url)
            status = response.status_code
            if status != 200:  # noqa: PLR2004
                break
            body = response.json()
            rows = body["results"] if isinstance(body, dict) and "results" in body else body
            found = any(item(row) for row in rows)
            next_url = body.get("next") if isinstance(body, dict) else None
        result.rows[name] = status
        if status != 200:  # noqa: PLR2004
            failures.append(f"{name} got {status} listing {url}, expected 200")
        elif found != (name in sees):
            failures.append(f"{name} {'sees' if found else 'does not see'} the row, expected the opposite")
    if failures:
        raise AssertionError(f"visibility matrix of {url} by {auth} failed:\n  " + "\n  ".join(failures))
    return result


def assert_api_error(response: Any, status: int, *, code: str | None = None) -> dict[str, Any]:
    """The response is an API error of ``status`` in the one error format; returns its body."""
    if response.status_code != status:
        raise AssertionError(f"expected {status}, got {response.status_code}: {response.content!r}")
    body: dict[str, Any] = response.json()
    problems = []
    if not isinstance(body.get("detail"), str):
        problems.append("no detail message")
    if not isinstance(body.get("code"), str):
        problems.append("no code")
    elif code is not None and body["code"] != code:
        problems.append(f"code {body['code']!r} instead of {code!r}")
    if status == 401 and not response.get("WWW-Authenticate", "").startswith("Bearer"):  # noqa: PLR2004
        problems.append("a 401 without a Bearer challenge")
    if problems:
        raise AssertionError(f"{', '.join(problems)} in {body}")
    return body
