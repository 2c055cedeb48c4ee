"""Token authentication for partner systems: ``Authorization: Bearer shu_<prefix>_<secret>``.

A token acts as its owner: every request it makes goes through the same policies as the
owner's browser session. It stops working when it is revoked or expires, when its owner is
deactivated, and when its owner comes to need a second factor (administrators, auditors and
system administrators never act through a token, which would skip that factor). Each refusal
is a 401 with its own message and code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from shouhu.accounts import tokens
from shouhu.accounts.models import ApiToken, User

# Write last_used_at at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)
KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>`` (``Token <key>`` is accepted too)."""

    keywords = KEYWORDS

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:  # noqa: PLR2004  (keyword and key)
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: send “Authorization: Bearer <key>” with one key."), code="token_header"
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid") from None
        parts = tokens.split(key)
        if parts is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid")
        prefix, secret = parts
        token = (
            ApiToken.objects.select_related("user").prefetch_related("user__role_assignments").filter(prefix=prefix)
        ).first()
        if token is None or not tokens.matches(secret, token.key_hash):
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid")
        self.check_usable(token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            # A plain UPDATE: no version record for every use, and no race on other fields.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    @staticmethod
    def check_usable(token: ApiToken) -> None:
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."), code="token_revoked")
        if token.expires_at is not None and token.expires_at <= timezone.now():
            when = formats.date_format(timezone.localtime(token.expires_at), "DATETIME_FORMAT")
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(when)s.") % {"when": when}, code="token_expired"
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account of this token is deactivated."), code="owner_inactive")
        if token.user.needs_second_factor:
            raise exceptions.AuthenticationFailed(
                _("The account of this token logs in with a second factor and cannot use API tokens."),
                code="owner_needs_second_factor",
            )

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
