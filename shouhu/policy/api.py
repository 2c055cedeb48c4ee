"""``/api/v1/policy-settings/``: the settings in force on a day, their history, and new values.

A setting is a definition in code plus the values stored for it, not a row, so this is a
plain ``ViewSet``; its access checks are those of ``PolicyValuePolicy`` (the same as the
screens): every authenticated user reads, city administrators add values and withdraw
scheduled ones. The list is the whole set of settings (a few dozen), so it is not paginated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from shouhu.core.policy import CREATE, DELETE, VIEW
from shouhu.policy import selectors, services
from shouhu.policy.definitions import DEFINITIONS, Definition, Group, Kind, Tag
from shouhu.policy.models import REASON_MAX_LENGTH, PolicyValue
from shouhu.policy.permissions import policy_value_policy

KEY_PATTERN = r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*"
VALUE_HELP = (
    "JSON value of the setting's kind: a whole number (hours, working_days, calendar_months, integer), "
    "true/false (boolean), an option's value (choice), a list of option values (choices), "
    "a string (text) or a list of strings (text_list)."
)


# Fields named like attributes of DRF's Field (label, help_text, source) are what the API calls
# them; the serializer metaclass moves declared fields out of the class, so they never clash.


class ChoiceSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class ScheduledSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    effective_from = serializers.DateField()
    value = serializers.JSONField(help_text=VALUE_HELP)
    display = serializers.CharField()


class PolicySettingSerializer(serializers.Serializer[Any]):
    """A setting, and its value in force on ``on``."""

    key = serializers.CharField()
    group = serializers.ChoiceField(source="definition.group", choices=Group.choices)
    group_label = serializers.CharField(source="definition.group.label")
    kind = serializers.ChoiceField(source="definition.kind", choices=Kind.choices)
    label = serializers.CharField(source="definition.label")  # type: ignore[assignment]
    help_text = serializers.CharField(source="definition.help_text")  # type: ignore[assignment]
    unit = serializers.CharField(source="definition.unit_label")
    minimum = serializers.IntegerField(source="definition.minimum", allow_null=True)
    maximum = serializers.IntegerField(source="definition.maximum", allow_null=True)
    choices = serializers.SerializerMethodField()
    tag = serializers.ChoiceField(
        source="definition.tag", choices=Tag.choices, help_text="L: statute text, S: secondary copy, U: unconfirmed."
    )
    source = serializers.CharField(source="definition.source")  # type: ignore[assignment]
    default = serializers.JSONField(source="definition.default", help_text=VALUE_HELP)
    on = serializers.DateField(help_text="The day the value is in force on.")
    value = serializers.JSONField(help_text=VALUE_HELP)
    display = serializers.CharField(help_text="The value as a person reads it, in the language of the request.")
    since = serializers.DateField(
        allow_null=True, help_text="Effective date of the value; null while the default holds."
    )
    scheduled = ScheduledSerializer(many=True, source="upcoming", help_text="Values that take effect after `on`.")

    @extend_schema_field(ChoiceSerializer(many=True))
    def get_choices(self, state: selectors.SettingState) -> list[dict[str, str]]:
        return [{"value": value, "label": str(label)} for value, label in state.definition.choices]


class PolicyValueSerializer(serializers.Serializer[Any]):
    """A value set for a setting, with who set it, why, and whether it holds."""

    id = serializers.IntegerField(source="row.pk")
    key = serializers.CharField(source="row.key")
    value = serializers.JSONField(source="row.value", help_text=VALUE_HELP)
    display = serializers.CharField()
    effective_from = serializers.DateField(source="row.effective_from")
    reason = serializers.CharField(source="row.reason")
    set_by = serializers.CharField(source="row.created_by.get_full_name")
    set_at = serializers.DateTimeField(source="row.created_at")
    status = serializers.ChoiceField(choices=selectors.HistoryStatus.choices)
    withdrawn_at = serializers.SerializerMethodField()
    withdrawal_reason = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_withdrawn_at(self, item: selectors.HistoryRow) -> str | None:
        withdrawal = getattr(item.row, "withdrawal", None)
        return None if withdrawal is None else serializers.DateTimeField().to_representation(withdrawal.created_at)

    @extend_schema_field(OpenApiTypes.STR)
    def get_withdrawal_reason(self, item: selectors.HistoryRow) -> str | None:
        withdrawal = getattr(item.row, "withdrawal", None)
        return None if withdrawal is None else withdrawal.reason


class PolicySettingDetailSerializer(PolicySettingSerializer):
    history = PolicyValueSerializer(many=True, help_text="Every value ever set, newest effective date first.")


class NewPolicyValueSerializer(serializers.Serializer[Any]):
    value = serializers.JSONField(help_text=VALUE_HELP)
    effective_from = serializers.DateField(help_text="Today (Asia/Shanghai) or later; no retroactive change.")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Why, e.g. the deciding document.")


class WithdrawalSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class CanReadPolicy(permissions.IsAuthenticated):
    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and policy_value_policy.can(request.user, VIEW)


ON_PARAMETER = OpenApiParameter(
    "on", OpenApiTypes.DATE, description="Day whose values are shown (default: today in Asia/Shanghai)."
)
KEY_PARAMETER = OpenApiParameter(
    "key", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=KEY_PATTERN, description="Key of the setting."
)


class PolicySettingViewSet(viewsets.ViewSet):
    """Policy settings: deadlines, visit intervals, thresholds and local definitions."""

    permission_classes = (CanReadPolicy,)
    lookup_field = "key"
    lookup_value_regex = KEY_PATTERN

    def _on(self, request: Request) -> date:
        raw = request.query_params.get("on")
        if not raw:
            return selectors.today()
        try:
            return serializers.DateField().to_internal_value(raw)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"on": exc.detail}) from exc

    def _definition(self, key: str) -> Definition:
        definition = DEFINITIONS.get(key)
        if definition is None:
            raise Http404
        return definition

    @extend_schema(parameters=[ON_PARAMETER], responses=PolicySettingSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every setting with the value in force on ``on``."""
        states = selectors.setting_states(self._on(request))
        return Response(PolicySettingSerializer(states, many=True).data)

    @extend_schema(parameters=[KEY_PARAMETER, ON_PARAMETER], responses=PolicySettingDetailSerializer)
    def retrieve(self, request: Request, key: str) -> Response:
        """One setting, its value in force on ``on`` and its history."""
        definition = self._definition(key)
        state = selectors.setting_state(definition, self._on(request))
        data = PolicySettingSerializer(state).data
        data["history"] = PolicyValueSerializer(selectors.value_history(request.user, key), many=True).data
        return Response(data)

    @extend_schema(
        parameters=[KEY_PARAMETER],
        request=NewPolicyValueSerializer,
        responses={201: PolicyValueSerializer},
        description=(
            "Set a new value from a date on (city administrators; other users get 403). "
            "An invalid value or a past date gets 400 with the reason in the field."
        ),
    )
    @action(detail=True, methods=["post"], url_path="values")
    def values(self, request: Request, key: str) -> Response:
        definition = self._definition(key)
        if not policy_value_policy.can(request.user, CREATE):
            raise exceptions.PermissionDenied
        payload = NewPolicyValueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.set_policy_value(
            actor=request.user,  # type: ignore[arg-type]
            key=definition.key,
            value=payload.validated_data["value"],
            effective_from=payload.validated_data["effective_from"],
            reason=payload.validated_data["reason"],
        )
        return Response(PolicyValueSerializer(self._history_row(request, row)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[KEY_PARAMETER, OpenApiParameter("value_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=WithdrawalSerializer,
        responses={200: PolicyValueSerializer},
        description=(
            "Withdraw a value before its effective date (city administrators; for other users, and for "
            "withdrawn values, 404). A value already in force gets 400."
        ),
    )
    @action(detail=True, methods=["post"], url_path=r"values/(?P<value_id>[0-9]+)/withdraw")
    def withdraw(self, request: Request, key: str, value_id: str) -> Response:
        self._definition(key)
        value = policy_value_policy.get_or_404(
            request.user,
            DELETE,
            queryset=PolicyValue.objects.filter(key=key, withdrawal__isnull=True),
            pk=int(value_id),
        )
        payload = WithdrawalSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.withdraw_scheduled_value(
            actor=request.user,  # type: ignore[arg-type]
            value=value,
            reason=payload.validated_data["reason"],
        )
        return Response(PolicyValueSerializer(self._history_row(request, value)).data)

    def _history_row(self, request: Request, row: PolicyValue) -> selectors.HistoryRow:
        return next(item for item in selectors.value_history(request.user, row.key) if item.row.pk == row.pk)


def register(router: BaseRouter) -> None:
    router.register("policy-settings", PolicySettingViewSet, basename="policy-setting")
