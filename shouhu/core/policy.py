"""Access policies: one per sensitive model, the only road to its rows.

A policy answers two questions (Wagtail's permission policies; STYLE.md "Access"):

* ``visible(user, queryset)`` — which rows this user may see at all (a queryset, so that
  lists, exports, API endpoints and dropdowns all use the same predicate);
* ``can(user, action, obj)`` — may this user do ``action`` to this row (or, with
  ``obj=None``, to rows of this model in general, e.g. ``"create"``).

Views fetch objects with ``get_or_404``: a row that does not exist and a row the user may
not see or act on give the same 404, so that nobody learns what exists elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from shouhu.accounts.models import User

M = TypeVar("M", bound=models.Model)

VIEW = "view"
CHANGE = "change"
CREATE = "create"
DELETE = "delete"
EXPORT = "export"


class Policy(Generic[M]):
    """Base policy: nothing visible, nothing allowed. Subclasses open what they must."""

    model: ClassVar[type[models.Model]]
    actions: ClassVar[frozenset[str]] = frozenset({VIEW, CHANGE, CREATE, DELETE, EXPORT})

    def base_queryset(self) -> models.QuerySet[M]:
        return self.model._default_manager.all()  # type: ignore[return-value]

    def visible(self, user: User | AnonymousUser, queryset: models.QuerySet[M] | None = None) -> models.QuerySet[M]:
        """Rows of ``queryset`` (default: all rows) that ``user`` may see."""
        qs = self.base_queryset() if queryset is None else queryset
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return qs.none()
        return self.scope(user, qs)  # type: ignore[arg-type]

    def scope(self, user: User, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        """Narrow ``queryset`` to what an authenticated, active ``user`` may see."""
        return queryset.none()

    def can(self, user: User | AnonymousUser, action: str, obj: M | None = None) -> bool:
        """May ``user`` do ``action`` (to ``obj``, or to this model in general)?"""
        if action not in self.actions:
            raise ValueError(f"unknown action {action!r} for {type(self).__name__}")
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return False
        if obj is not None and not self.visible(user, self.base_queryset().filter(pk=obj.pk)).exists():
            return False
        return self.allows(user, action, obj)  # type: ignore[arg-type]

    def allows(self, user: User, action: str, obj: M | None) -> bool:
        """The role rule for ``action``; visibility of ``obj`` is already established."""
        return False

    def get_or_404(
        self,
        user: User | AnonymousUser,
        action: str = VIEW,
        queryset: models.QuerySet[M] | None = None,
        **lookup: Any,
    ) -> M:
        """The one visible row matching ``lookup`` that ``user`` may ``action``, or 404."""
        obj = self.visible(user, queryset).filter(**lookup).first()
        if obj is None or not self.allows(user, action, obj):  # type: ignore[arg-type]
            raise Http404
        return obj


_REGISTRY: dict[type[models.Model], Policy[Any]] = {}


def register_policy(policy: Policy[M]) -> Policy[M]:
    """Make ``policy`` the policy of its model; each sensitive model has exactly one."""
    if policy.model in _REGISTRY and type(_REGISTRY[policy.model]) is not type(policy):
        raise RuntimeError(f"{policy.model.__name__} already has a policy")
    _REGISTRY[policy.model] = policy
    return policy


def policy_for(model: type[M]) -> Policy[M]:
    """The registered policy of ``model``; a model without one is a programming error."""
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no access policy") from None
