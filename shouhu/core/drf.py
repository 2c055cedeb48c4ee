"""REST framework pieces every app's ``api.py`` builds on: viewsets that go through the policy.

``PolicyViewSetMixin`` makes ``get_queryset`` the policy's ``visible(user, ...)`` and checks
``can(user, action, obj)`` on every object, answering 404 for rows the user may not see or
act on — the same predicates as the HTML views. It also throttles per user (rates in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``) and refuses a browser session whose second factor
is not verified yet, as the HTML pages do.

Usage in ``shouhu/<app>/api.py``::

    class ChildViewSet(PolicyReadOnlyViewSet):
        queryset = Child.objects.select_related("village")   # joins; the policy scopes it
        serializer_class = ChildSerializer
        policy_actions = {"reveal": "reveal"}                  # custom actions → policy actions

    def register(router):
        router.register("children", ChildViewSet, basename="child")
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.http import Http404
from rest_framework import authentication, permissions, throttling, viewsets
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

# Per user (session and token alike, keyed on the user) and per address for anonymous calls.
THROTTLE_CLASSES: list[type[throttling.BaseThrottle]] = [throttling.AnonRateThrottle, throttling.UserRateThrottle]


def second_factor_pending(request: Request) -> bool:
    """Is this a browser session of a user who must verify a second factor and has not yet?

    Only session authentication is concerned: tokens of such users are refused when they
    authenticate, and tests that force authentication bypass sessions altogether.
    """
    if not isinstance(request.successful_authenticator, authentication.SessionAuthentication):
        return False
    user = request.user
    if not getattr(user, "needs_second_factor", False):
        return False
    is_verified = getattr(user, "is_verified", None)  # set by django_otp's OTPMiddleware
    return not (callable(is_verified) and is_verified())


class SecondFactorVerified(permissions.IsAuthenticated):
    """Authenticated, and a session that needs a second factor has verified it (else 403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and not second_factor_pending(request)


class PolicyPermission(SecondFactorVerified):
    """Authenticated (second factor verified), and the policy allows the action."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        action = view.policy_action(request)
        if action == CREATE:
            return bool(view.get_policy().can(request.user, CREATE))
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
    throttle_classes: ClassVar[list[type[throttling.BaseThrottle]]] = THROTTLE_CLASSES
    # Custom actions (``@action`` methods) mapped to policy actions, e.g. {"reveal": "reveal"}.
    policy_actions: ClassVar[dict[str, str]] = {}
    request: Request
    action: str | None

    def get_policy(self) -> Policy[Any]:
        return self.policy or policy_for(self.queryset.model)

    def policy_action(self, request: Request) -> str:
        # A class-level ``action_map`` (the first name of this mapping) is honoured too; it is
        # read from the class because DRF sets an instance ``action_map`` of its own
        # (HTTP method → viewset action) on every request.
        mapping: dict[str, str] = {**getattr(type(self), "action_map", {}), **self.policy_actions}
        if self.action in mapping:
            return mapping[self.action]
        return ACTION_FOR_METHOD.get(request.method or "GET", VIEW)

    def get_queryset(self) -> models.QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation: no real user; the model is all the generator needs.
            return self.queryset.none()
        return self.get_policy().visible(self.request.user, self.queryset.all())


class PolicyReadOnlyViewSet(PolicyViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg, misc]
    pass


class PolicyModelViewSet(PolicyViewSetMixin, viewsets.ModelViewSet):  # type: ignore[type-arg, misc]
    pass
