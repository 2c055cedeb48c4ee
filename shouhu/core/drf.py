"""REST framework pieces every app's ``api.py`` builds on: viewsets that go through the policy.

``PolicyViewSetMixin`` makes ``get_queryset`` the policy's ``visible(user, ...)`` and checks
``can(user, action, obj)`` on every object, answering 404 for rows the user may not see or
act on — the same predicates as the HTML views.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.http import Http404
from rest_framework import permissions, viewsets
from rest_framework.request import Request

from shouhu.core.policy import CHANGE, CREATE, DELETE, VIEW, Policy, policy_for

ACTION_FOR_METHOD = {
    "GET": VIEW,
    "HEAD": VIEW,
    "OPTIONS": VIEW,
    "POST": CREATE,
    "PUT": CHANGE,
    "PATCH": CHANGE,
    "DELETE": DELETE,
}


class PolicyPermission(permissions.IsAuthenticated):
    """Authenticated, and the policy allows the action (on the model, then on the object)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        action = view.policy_action(request)
        if action == CREATE:
            return view.get_policy().can(request.user, CREATE)
        return True

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if not view.get_policy().can(request.user, view.policy_action(request), obj):
            raise Http404  # not-allowed looks like not-found
        return True


class PolicyViewSetMixin:
    """Mix into a DRF viewset; set ``queryset`` (for joins) and optionally ``policy``."""

    policy: ClassVar[Policy[Any] | None] = None
    queryset: models.QuerySet[Any]
    permission_classes: ClassVar[list[type[permissions.BasePermission]]] = [PolicyPermission]
    # Custom actions mapped to policy actions, e.g. {"reveal": "reveal"}.
    action_map: ClassVar[dict[str, str]] = {}
    request: Request
    action: str | None

    def get_policy(self) -> Policy[Any]:
        return self.policy or policy_for(self.queryset.model)

    def policy_action(self, request: Request) -> str:
        if self.action in self.action_map:
            return self.action_map[self.action]
        return ACTION_FOR_METHOD.get(request.method or "GET", VIEW)

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.get_policy().visible(self.request.user, self.queryset.all())


class PolicyReadOnlyViewSet(PolicyViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    pass


class PolicyModelViewSet(PolicyViewSetMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    pass
