"""Access policy of the API tokens of partner systems."""

from __future__ import annotations

from django.db import models

from shouhu.accounts.models import ApiToken, User
from shouhu.core.policy import CHANGE, CREATE, VIEW, Policy, register_policy
from shouhu.regions import codes


class ApiTokenPolicy(Policy[ApiToken]):
    """Administrators see and revoke the tokens of the users of their jurisdiction.

    A token is a credential, so nobody else sees any token row, not even its owner: the key
    is shown once at issue, and the list is an administrator's tool. Tokens are never deleted
    (revocation keeps the row and its history); ``change`` means revoke.
    """

    model = ApiToken

    def scope(self, user: User, queryset: models.QuerySet[ApiToken]) -> models.QuerySet[ApiToken]:
        if user.is_superuser:
            return queryset
        if user.is_administrator and user.jurisdiction_id:
            return queryset.filter(codes.within_q("user__jurisdiction", user.jurisdiction_id))
        return queryset.none()

    def allows(self, user: User, action: str, obj: ApiToken | None) -> bool:
        if action in (VIEW, CREATE, CHANGE):
            return user.is_administrator
        return False


api_token_policy = register_policy(ApiTokenPolicy())
