"""Endpoints of accounts: the caller (``me``), users, agencies, and API tokens.

Reads only: creating and changing users happens on the administrators' screens, behind a
second factor, where every rule of roles and jurisdictions is shown to the person.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db import models
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.serializers import Serializer

from shouhu.accounts.models import Agency, ApiToken, User
from shouhu.api import selectors, serializers, services
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.drf import THROTTLE_CLASSES, PolicyReadOnlyViewSet, SecondFactorVerified
from shouhu.core.policy import CHANGE


def validated_filters(serializer_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    """The query parameters, validated: a bad value is a 400 that names the parameter."""
    filters = serializer_class(data=request.query_params, partial=True)
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)


@extend_schema(tags=["accounts"])
class MeView(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """The caller's own account: roles, agency, jurisdiction, language and second factor."""

    serializer_class = serializers.MeSerializer
    permission_classes = (SecondFactorVerified,)
    throttle_classes = THROTTLE_CLASSES

    def get_object(self) -> User:
        return (
            User.objects.select_related("agency", "jurisdiction")
            .prefetch_related("role_assignments")
            .get(pk=cast(User, self.request.user).pk)
        )


@extend_schema(tags=["accounts"])
@extend_schema_view(list=extend_schema(parameters=[serializers.UserFilterSerializer]))
class UserViewSet(PolicyReadOnlyViewSet):
    """Users the caller may see: administrators their jurisdiction's, supervisors their directors,
    everyone else themselves. Phone numbers go to administrators only."""

    queryset = User.objects.select_related("agency", "jurisdiction").prefetch_related("role_assignments")
    serializer_class = serializers.UserSerializer

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.action != "list":
            return queryset
        filters = validated_filters(serializers.UserFilterSerializer, self.request)
        return selectors.filter_users(
            queryset,
            viewer=self.request.user,  # type: ignore[arg-type]
            roles=filters.get("role", ()),
            within=filters.get("within", ""),
            agency=filters.get("agency"),
            active=filters.get("active"),
            q=filters.get("q", ""),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        if request.user.is_administrator:  # type: ignore[union-attr]
            # Administrators receive phone numbers: a listing is a search of personal data.
            record_access(
                actor=request.user,
                action=AccessAction.SEARCH,
                object_type="accounts.user",
                summary="API user list",
                detail={"query": dict(request.query_params.lists()), "count": response.data.get("count")},
                request=request._request,
            )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        if user.pk != request.user.pk:
            record_access(
                actor=request.user,
                action=AccessAction.VIEW,
                object_type="accounts.user",
                object_id=user.pk,
                region_code=user.jurisdiction_id or "",
                summary=str(user),
                request=request._request,
            )
        return Response(self.get_serializer(user).data)


@extend_schema(tags=["accounts"])
@extend_schema_view(list=extend_schema(parameters=[serializers.AgencyFilterSerializer]))
class AgencyViewSet(PolicyReadOnlyViewSet):
    """Agencies: the lead and responsible units and the institutions that must report."""

    queryset = Agency.objects.select_related("region")
    serializer_class = serializers.AgencySerializer

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.action != "list":
            return queryset
        filters = validated_filters(serializers.AgencyFilterSerializer, self.request)
        return selectors.filter_agencies(
            queryset,
            kinds=filters.get("kind", ()),
            within=filters.get("within", ""),
            active=filters.get("active"),
            q=filters.get("q", ""),
        )


@extend_schema(tags=["accounts"])
@extend_schema_view(list=extend_schema(parameters=[serializers.TokenFilterSerializer]))
class ApiTokenViewSet(PolicyReadOnlyViewSet):
    """API tokens of the users of an administrator's jurisdiction (never the keys)."""

    queryset = ApiToken.objects.select_related("user", "created_by").order_by("-created_at", "-pk")
    serializer_class = serializers.ApiTokenSerializer
    policy_actions: ClassVar[dict[str, str]] = {"revoke": CHANGE}

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.action != "list":
            return queryset
        filters = validated_filters(serializers.TokenFilterSerializer, self.request)
        return selectors.filter_tokens(queryset, status=filters.get("status", ""), q=filters.get("q", ""))

    @extend_schema(request=None, responses=serializers.ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Revoke the token at once (it cannot be undone; issue a new one instead)."""
        token = services.revoke_api_token(actor=request.user, token=self.get_object())  # type: ignore[arg-type]
        return Response(self.get_serializer(token).data)


def register(router: BaseRouter) -> None:
    router.register("users", UserViewSet, basename="user")
    router.register("agencies", AgencyViewSet, basename="agency")
    router.register("tokens", ApiTokenViewSet, basename="token")
