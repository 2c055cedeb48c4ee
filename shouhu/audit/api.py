"""Read-only API of the audit logs: ``audit/access-events`` and ``audit/changes``.

The same policies and filters as the auditors' screens: auditors and system administrators
only (everybody else gets 404, like for a missing page), scoped to the auditor's
jurisdiction; every list and every entry read is itself written to the access log. Pages
move by cursor (newest first) rather than by page number, since counting a log of millions
of entries for each page would cost more than the page.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from shouhu.audit import selectors
from shouhu.audit.changes import ChangeRecord, describe_entries
from shouhu.audit.choices import access_actions, change_action_choices
from shouhu.audit.forms import AccessLogFilterForm, ChangeLogFilterForm
from shouhu.audit.models import AccessEvent
from shouhu.audit.permissions import is_auditor
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.drf import PolicyPermission, PolicyReadOnlyViewSet

ACCESS_EVENT_TYPE = "audit.accessevent"
LOG_ENTRY_TYPE = "audit.logentry"


class AuditorPermission(PolicyPermission):
    """The policy's checks, and auditors only: anybody else gets 404 on every audit endpoint."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if not is_auditor(request.user):
            raise NotFound
        return True


class NewestFirst(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class AccessEventsNewestFirst(NewestFirst):
    ordering = "-seq"


class ChangesNewestFirst(NewestFirst):
    ordering = "-id"


class AccessEventSerializer(serializers.ModelSerializer[AccessEvent]):
    action_label = serializers.CharField(read_only=True, help_text="The action in the caller's language.")

    class Meta:
        model = AccessEvent
        fields = (
            "seq",
            "at",
            "actor",
            "actor_username",
            "actor_region",
            "action",
            "action_label",
            "object_type",
            "object_id",
            "region_code",
            "summary",
            "detail",
            "reason",
            "ip",
            "user_agent",
            "request_path",
            "prev_hash",
            "hash",
        )
        read_only_fields = fields


class FieldChangeSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="The field's name in the model.")
    label = serializers.CharField(  # type: ignore[assignment]  # a declared field, not Field.label
        help_text="The field's verbose name in the caller's language."
    )
    old = serializers.CharField(help_text="The value before (empty when there was none).")
    new = serializers.CharField(help_text="The value after (empty when there is none).")
    masked = serializers.BooleanField(help_text="The values are masked as stored; they are never shown in full.")


class ChangeSerializer(serializers.Serializer[ChangeRecord]):
    id = serializers.IntegerField(source="entry_id")
    at = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=[(int(v), label) for v, label in change_action_choices()])
    action_label = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_name = serializers.CharField()
    actor_username = serializers.CharField()
    record_type = serializers.CharField(help_text="app_label.model of the changed record.")
    record_type_label = serializers.CharField()
    object_pk = serializers.CharField()
    object_repr = serializers.CharField()
    remote_addr = serializers.IPAddressField(allow_null=True)
    changes = serializers.SerializerMethodField(help_text="The changed fields, in the model's order.")

    @extend_schema_field(FieldChangeSerializer(many=True))
    def get_changes(self, record: ChangeRecord) -> list[dict[str, Any]]:
        return [FieldChangeSerializer(field).data for field in record.fields]


def _period_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day (local time), included."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day (local time), included."),
        OpenApiParameter("user", OpenApiTypes.STR, description="The acting user's exact log-in name."),
    ]


ACCESS_PARAMETERS = [
    *_period_parameters(),
    OpenApiParameter("action", OpenApiTypes.STR, enum=access_actions(), description="What was done."),
    OpenApiParameter("object_type", OpenApiTypes.STR, description="Record type as stored, e.g. accounts.user."),
    OpenApiParameter("object_id", OpenApiTypes.STR, description="Record id as stored."),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        description="Division code (2, 4, 6, 9 or 12 digits): the record's region or the user's jurisdiction.",
    ),
    OpenApiParameter("q", OpenApiTypes.STR, description="Text in the summary or the reason."),
]
CHANGE_PARAMETERS = [
    *_period_parameters(),
    OpenApiParameter("record_type", OpenApiTypes.STR, description="app_label.model of a versioned model."),
    OpenApiParameter("action", OpenApiTypes.INT, enum=[0, 1, 2], description="0 created, 1 changed, 2 deleted."),
    OpenApiParameter("object_id", OpenApiTypes.STR, description="Primary key of the changed record."),
]


def _cleaned(form: AccessLogFilterForm | ChangeLogFilterForm) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    return form.cleaned_data


@extend_schema_view(
    list=extend_schema(
        summary="Search the access log",
        description="Entries of the caller's jurisdiction, newest first. Auditors only.",
        parameters=ACCESS_PARAMETERS,
    ),
    retrieve=extend_schema(summary="One access-log entry", description="Auditors only."),
)
class AccessEventViewSet(PolicyReadOnlyViewSet):
    queryset = AccessEvent.objects.all()
    serializer_class = AccessEventSerializer
    permission_classes = [AuditorPermission]  # type: ignore[misc]
    pagination_class = AccessEventsNewestFirst
    lookup_field = "seq"
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> models.QuerySet[AccessEvent]:
        if self.action == "list":
            filters = _cleaned(AccessLogFilterForm(self.request.query_params))
            return selectors.search_access_events(user=self.request.user, filters=filters)
        return super().get_queryset()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        form = AccessLogFilterForm(request.query_params)
        form.is_valid()
        filters = form.active_filters()
        record_access(
            actor=request.user,
            action=AccessAction.SEARCH,
            object_type=ACCESS_EVENT_TYPE,
            region_code=filters.get("region", ""),
            summary="; ".join(f"{k}={v}" for k, v in filters.items()),
            detail={"filters": filters, "api": True},
            request=request,
        )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        record_access(
            actor=request.user,
            action=AccessAction.VIEW,
            object_type=ACCESS_EVENT_TYPE,
            object_id=response.data["seq"],
            region_code=response.data["region_code"] or response.data["actor_region"],
            summary=f"#{response.data['seq']}",
            detail={"api": True},
            request=request,
        )
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Search the change log",
        description="Versioned changes of the caller's jurisdiction with each field before and after, newest first. "
        "Auditors only.",
        parameters=CHANGE_PARAMETERS,
    ),
    retrieve=extend_schema(summary="One change-log entry", description="Auditors only."),
)
class ChangeViewSet(PolicyReadOnlyViewSet):
    queryset = LogEntry.objects.select_related("actor", "content_type")
    serializer_class = ChangeSerializer
    permission_classes = [AuditorPermission]  # type: ignore[misc]
    pagination_class = ChangesNewestFirst
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> models.QuerySet[LogEntry]:
        if self.action == "list":
            filters = _cleaned(ChangeLogFilterForm(self.request.query_params))
            return selectors.search_changes(user=self.request.user, filters=filters)
        return selectors.visible_changes(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entries = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert entries is not None  # noqa: S101  (the viewset always paginates)
        response = self.get_paginated_response(self.get_serializer(describe_entries(entries), many=True).data)
        form = ChangeLogFilterForm(request.query_params)
        form.is_valid()
        filters = form.active_filters()
        record_access(
            actor=request.user,
            action=AccessAction.SEARCH,
            object_type=LOG_ENTRY_TYPE,
            summary="; ".join(f"{k}={v}" for k, v in filters.items()),
            detail={"filters": filters, "api": True},
            request=request,
        )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        record = describe_entries([entry])[0]
        record_access(
            actor=request.user,
            action=AccessAction.VIEW,
            object_type=LOG_ENTRY_TYPE,
            object_id=entry.pk,
            summary=f"{record.record_type}:{record.object_pk}",
            detail={"api": True},
            request=request,
        )
        return Response(self.get_serializer(record).data)


def register(router: BaseRouter) -> None:
    router.register("audit/access-events", AccessEventViewSet, basename="audit-access-event")
    router.register("audit/changes", ChangeViewSet, basename="audit-change")
