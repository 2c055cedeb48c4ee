"""``/api/v1/regions/``: the division codes the caller may see, read-only.

A partner system scopes its own records by these codes: ``within`` is one code-prefix range,
``children`` the regions directly under one region. Regions outside the caller's jurisdiction
answer 404, as in the HTML screens.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from shouhu.core.drf import PolicyReadOnlyViewSet
from shouhu.regions import selectors
from shouhu.regions.choices import Level
from shouhu.regions.models import Region

CODE_PATTERN = r"^[0-9]{12}$"
PREFIX_PATTERN = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$"


class RegionSerializer(serializers.ModelSerializer[Region]):
    """A division: its 12-digit code, name, level and parent, and whether the current table lists it."""

    # A declared field named like DRF's Field.parent attribute: DRF pops declared fields, the stubs do not know.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True, help_text=_("12-digit code of the region above.")
    )
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields: tuple[str, ...] = (
            "code",
            "name",
            "level",
            "level_label",
            "parent",
            "urban_rural_class",
            "year",
            "first_year",
            "active",
            "generated",
        )
        read_only_fields = fields


class PathStepSerializer(serializers.Serializer[dict[str, str]]):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)


class RegionDetailSerializer(RegionSerializer):
    """A division with its path from the province down."""

    path = serializers.SerializerMethodField(help_text=_("The regions above it, province first, then itself."))

    class Meta(RegionSerializer.Meta):
        fields: tuple[str, ...] = (*RegionSerializer.Meta.fields, "path")
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(PathStepSerializer(many=True))
    def get_path(self, region: Region) -> list[dict[str, str]]:
        return [{"code": r.code, "name": r.name, "level": r.level} for r in region.path()]


class RegionFilterSerializer(serializers.Serializer[dict[str, Any]]):
    """Query parameters of the region list."""

    within = serializers.RegexField(
        PREFIX_PATTERN,
        required=False,
        help_text=_("Only regions inside this region (itself included): a code of 2, 4, 6, 9 or 12 digits."),
    )
    level = serializers.ChoiceField(choices=Level.choices, required=False, help_text=_("Only regions of this level."))
    parent = serializers.RegexField(  # type: ignore[assignment]  # see RegionSerializer.parent
        CODE_PATTERN, required=False, help_text=_("Only regions directly under this 12-digit code.")
    )
    q = serializers.CharField(
        required=False, max_length=50, help_text=_("Part of the name, or the first digits of the code.")
    )
    active = serializers.BooleanField(
        required=False, allow_null=True, help_text=_("true: only codes of the current table; false: only retired ones.")
    )


@extend_schema(tags=["regions"])
@extend_schema_view(
    list=extend_schema(
        summary="List regions",
        parameters=[RegionFilterSerializer],
        responses={200: RegionSerializer(many=True), 400: OpenApiResponse(description="A filter has a bad value.")},
    ),
    retrieve=extend_schema(summary="One region, with its path", responses=RegionDetailSerializer),
)
class RegionViewSet(PolicyReadOnlyViewSet):
    """Division codes inside the caller's jurisdiction (the whole country for a system administrator)."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = "[0-9]{12}"

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return RegionDetailSerializer if self.action == "retrieve" else RegionSerializer

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.action != "list":
            return queryset
        filters = RegionFilterSerializer(data=self.request.query_params, partial=True)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.filter_regions(
            queryset,
            within=data.get("within"),
            level=data.get("level"),
            parent=data.get("parent"),
            query=data.get("q", ""),
            active=data.get("active"),
        )

    @extend_schema(summary="The regions directly under one region", responses=RegionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request: Request, code: str | None = None) -> Response:
        """The regions directly under this one (a city without counties: its townships), paginated."""
        region = self.get_object()
        queryset = selectors.children_of(request.user, region.code)
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(RegionSerializer(page, many=True).data)
        return Response(RegionSerializer(queryset, many=True).data)  # pragma: no cover  (pagination is on)


def register(router: BaseRouter) -> None:
    router.register("regions", RegionViewSet, basename="region")
