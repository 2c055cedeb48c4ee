"""Endpoints of the child registry: ``/api/v1/children/`` and ``/api/v1/persons/``.

The same policies, filters and masking as the screens: the list is ``selectors.child_list``
(scoped to the caller's jurisdiction), writes go through the services, identity numbers are
masked everywhere except the ``reveal`` action, which needs a reason and is written to the
access log. Every read of a file and every search is in the access log too.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db import models
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from shouhu.accounts.models import User
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.drf import PolicyModelViewSet, PolicyViewSetMixin
from shouhu.core.policy import policy_for
from shouhu.registry import explain, selectors, services
from shouhu.registry.models import Child, Person
from shouhu.registry.permissions import REVEAL
from shouhu.registry.serializers import (
    ChildCreateSerializer,
    ChildDetailSerializer,
    ChildFilterSerializer,
    ChildInputSerializer,
    ChildListSerializer,
    DuplicateSerializer,
    PersonFilterSerializer,
    PersonInputSerializer,
    PersonSerializer,
    RevealedSerializer,
    RevealSerializer,
)

WRITE_METHODS = ["get", "post", "put", "patch", "head", "options"]


def _filters(serializer_class: type[drf_serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """The query parameters, validated: a bad value is a 400 that names the parameter."""
    filters = serializer_class(data=request.query_params, partial=True)
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)


def _invalid(error: services.InvalidDataError) -> ValidationError:
    return ValidationError(error.errors, code=error.code)


def _duplicate_response(error: services.DuplicateChildError | services.PossibleDuplicatesError) -> Response:
    body: dict[str, Any] = {"detail": str(error.message), "code": error.code}
    if isinstance(error, services.DuplicateChildError):
        body["existing"] = error.existing.pk if error.visible else None
    else:
        body["candidates"] = [
            {
                "id": c.child.pk if c.visible else None,
                "name": c.child.name if c.visible else "",
                "village_name": c.child.village.name if c.visible else "",
                "birth_date": c.child.birth_date if c.visible else None,
                "score": c.score,
                "reasons": explain.render(c.reasons) if c.visible else [],
                "visible": c.visible,
            }
            for c in error.candidates
        ]
    return Response(DuplicateSerializer(body).data, status=status.HTTP_409_CONFLICT)


def _split_id_number(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    data = dict(data)
    number = data.pop("id_number", None)
    if "hukou_region" in data and data["hukou_region"] is None:
        data["hukou_region"] = ""
    return data, number


@extend_schema(tags=["registry"])
@extend_schema_view(
    list=extend_schema(parameters=[ChildFilterSerializer], responses=ChildListSerializer(many=True)),
    retrieve=extend_schema(responses=ChildDetailSerializer),
    create=extend_schema(
        request=ChildCreateSerializer,
        responses={
            201: ChildDetailSerializer,
            409: OpenApiResponse(DuplicateSerializer, description="On file already"),
        },
    ),
    update=extend_schema(request=ChildInputSerializer, responses=ChildDetailSerializer),
    partial_update=extend_schema(request=ChildInputSerializer, responses=ChildDetailSerializer),
)
class ChildViewSet(PolicyModelViewSet):
    """Children's files (一人一档) in the caller's jurisdiction: village child directors their village,
    supervisors their township, caseworkers and intake officers their county. Other roles see none."""

    queryset = Child.objects.all()
    serializer_class = ChildDetailSerializer
    http_method_names = WRITE_METHODS
    policy_actions: ClassVar[dict[str, str]] = {"reveal": REVEAL}

    def get_queryset(self) -> models.QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return Child.objects.none()
        user = self.request.user
        if self.action == "list":
            values = _filters(ChildFilterSerializer, self.request)
            return selectors.child_list(user, selectors.ChildFilters(**values))
        return policy_for(Child).visible(user, selectors.detail_queryset())

    def get_serializer_class(self) -> type[drf_serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return ChildListSerializer
        return ChildDetailSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        record_access(
            actor=request.user,
            action=AccessAction.SEARCH,
            object_type="registry.child",
            region_code=cast(User, request.user).jurisdiction_id or "",
            summary="API child list",
            detail={"query": dict(request.query_params.lists()), "count": response.data.get("count")},
            request=request._request,
        )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self.get_object()
        record_access(
            actor=request.user,
            action=AccessAction.VIEW,
            object_type="registry.child",
            object_id=child.pk,
            region_code=child.village_id,
            summary=str(child),
            request=request._request,
        )
        return Response(ChildDetailSerializer(child, context=self.get_serializer_context()).data)

    def _detail(self, pk: int) -> Response:
        child = selectors.child_detail(self.request.user, pk)
        return Response(ChildDetailSerializer(child, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = ChildCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data, number = _split_id_number(given.validated_data)
        allow = bool(data.pop("allow_possible_duplicates", False))
        try:
            child = services.register_child(
                actor=cast(User, request.user), data=data, id_number=number or "", allow_possible_duplicates=allow
            )
        except services.InvalidDataError as error:
            raise _invalid(error) from error
        except (services.DuplicateChildError, services.PossibleDuplicatesError) as error:
            return _duplicate_response(error)
        response = self._detail(child.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self.get_object()
        partial = bool(kwargs.get("partial", False))
        given = ChildInputSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        data, number = _split_id_number(given.validated_data)
        actor = cast(User, request.user)
        try:
            if data:
                services.update_child(actor=actor, child=child, data=data)
            if number is not None:
                services.set_id_number(actor=actor, obj=child, id_number=number)
        except services.InvalidDataError as error:
            raise _invalid(error) from error
        except services.DuplicateChildError as error:
            return _duplicate_response(error)
        return self._detail(child.pk)

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The identity number in full, with a reason (written to the access log)."""
        child = self.get_object()
        given = RevealSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        value = services.reveal_id_number(
            actor=cast(User, request.user), obj=child, reason=given.validated_data["reason"], request=request._request
        )
        return Response(RevealedSerializer({"id_number": value}).data)


@extend_schema(tags=["registry"])
@extend_schema_view(
    list=extend_schema(parameters=[PersonFilterSerializer]),
    update=extend_schema(request=PersonInputSerializer, responses=PersonSerializer),
    partial_update=extend_schema(request=PersonInputSerializer, responses=PersonSerializer),
)
class PersonViewSet(  # type: ignore[misc]
    PolicyViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Family members of the children the caller may see (parents, grandparents, entrusted carers).

    They are created with a child's family on the screens; here they are read and corrected."""

    queryset = Person.objects.select_related("village").prefetch_related("situations").order_by("name", "pk")
    serializer_class = PersonSerializer
    policy_actions: ClassVar[dict[str, str]] = {"reveal": REVEAL}

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.action != "list":
            return queryset
        filters = _filters(PersonFilterSerializer, self.request)
        if filters.get("q"):
            queryset = queryset.filter(name__contains=filters["q"])
        if filters.get("child"):
            queryset = queryset.filter(kinships__child_id=filters["child"])
        return queryset

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        record_access(
            actor=request.user,
            action=AccessAction.VIEW,
            object_type="registry.person",
            object_id=person.pk,
            region_code=person.village_id,
            summary=str(person),
            request=request._request,
        )
        return Response(PersonSerializer(person).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        given = PersonInputSerializer(data=request.data, partial=bool(kwargs.get("partial", False)))
        given.is_valid(raise_exception=True)
        data, number = _split_id_number(given.validated_data)
        actor = cast(User, request.user)
        try:
            if data:
                services.update_person(actor=actor, person=person, data=data)
            if number is not None:
                services.set_id_number(actor=actor, obj=person, id_number=number)
        except services.InvalidDataError as error:
            raise _invalid(error) from error
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data)

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The family member's identity number in full, with a reason (written to the access log)."""
        person = self.get_object()
        given = RevealSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        value = services.reveal_id_number(
            actor=cast(User, request.user), obj=person, reason=given.validated_data["reason"], request=request._request
        )
        return Response(RevealedSerializer({"id_number": value}).data)


def register(router: BaseRouter) -> None:
    router.register("children", ChildViewSet, basename="child")
    router.register("persons", PersonViewSet, basename="person")
