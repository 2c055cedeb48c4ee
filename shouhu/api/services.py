"""Issuing and revoking the API tokens of partner systems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.accounts import tokens
from shouhu.accounts.models import ApiToken, User
from shouhu.api import rules, selectors
from shouhu.api.choices import TokenStatus
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.policy import CHANGE, CREATE, policy_for

# A fresh prefix is drawn when one collides with a stored one (48 random bits: practically never).
PREFIX_ATTEMPTS = 3

EXPIRY_MESSAGES = {
    "not_in_future": _("The expiry date must be after today."),
    "too_far": _("A token may be valid for two years at most."),
}


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the only moment the key exists in clear: show it once, never store it


def issue_api_token(*, actor: User, owner: User, name: str, expires_on: date | None = None) -> IssuedToken:
    """Issue a bearer token to ``owner`` (a partner system's account) on behalf of ``actor``.

    The actor must be an administrator who manages the owner's account. The owner must be
    active and must not be an account that logs in with a second factor: a token would let it
    skip that factor. Names are unique among the owner's usable tokens, so that a re-submitted
    form does not issue a second key. Only the hash of the key is stored.
    """
    if not policy_for(ApiToken).can(actor, CREATE):
        raise NotAllowedError
    today = timezone.localdate()
    expires_on = expires_on or rules.default_expiry(today)
    problem = rules.expiry_problem(expires_on, today)
    if problem is not None:
        raise DomainError(EXPIRY_MESSAGES[problem], field="expires_on", code=problem)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name, e.g. the partner system that uses it."), field="name")
    if len(name) > rules.NAME_MAX_LENGTH:
        raise DomainError(_("The name is too long (100 characters at most)."), field="name")

    with transaction.atomic():
        owner = User.objects.select_for_update().get(pk=owner.pk)
        if not policy_for(User).can(actor, CHANGE, owner):
            raise DomainError(_("You cannot issue tokens to this account."), field="owner", code="not_allowed")
        if not owner.is_active:
            raise DomainError(_("This account is deactivated."), field="owner", code="inactive")
        if owner.needs_second_factor:
            raise DomainError(
                _(
                    "Administrators, auditors and system administrators log in with a second factor "
                    "and cannot hold API tokens; create a separate account for the partner system."
                ),
                field="owner",
                code="second_factor",
            )
        usable = selectors.filter_tokens(ApiToken.objects.filter(user=owner), status=TokenStatus.ACTIVE)
        if usable.filter(name=name).exists():
            raise DomainError(_("This account already has a valid token with this name."), field="name")
        moment = rules.expiry_moment(expires_on, timezone.get_current_timezone())
        with acting_as(actor):
            for attempt in range(PREFIX_ATTEMPTS):
                new = tokens.generate()
                try:
                    with transaction.atomic():
                        token = ApiToken.objects.create(
                            user=owner,
                            name=name,
                            prefix=new.prefix,
                            key_hash=new.key_hash,
                            created_by=actor,
                            expires_at=moment,
                        )
                except IntegrityError:
                    if attempt == PREFIX_ATTEMPTS - 1:
                        raise
                    continue
                return IssuedToken(token=token, key=new.key)
    raise AssertionError("unreachable")  # pragma: no cover


def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke ``token`` at once; the row stays, with its history, for the audit."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if not policy_for(ApiToken).can(actor, CHANGE, token):
            raise NotAllowedError
        if token.revoked_at is not None:
            raise DomainError(_("This token was already revoked."), code="already_revoked")
        token.revoked_at = timezone.now()
        with acting_as(actor):
            token.save(update_fields=["revoked_at"])
    return token
