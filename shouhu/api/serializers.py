"""Serializers of the accounts endpoints and of the API tokens: output shapes and query filters.

Output is minimal: a user's phone number goes only to administrators; a token's key never
leaves the issue screen, and its hash never leaves the database.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, ApiToken, User
from shouhu.api import selectors
from shouhu.api.choices import TokenStatus
from shouhu.api.schema import NamedChoiceField
from shouhu.core.drf import second_factor_pending
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region


class RegionRefSerializer(serializers.ModelSerializer[Region]):
    level = NamedChoiceField(enum_name="RegionLevelEnum", choices=Level.choices, read_only=True)

    class Meta:
        model = Region
        fields = ("code", "name", "level")
        read_only_fields = fields


class AgencyRefSerializer(serializers.ModelSerializer[Agency]):
    kind = NamedChoiceField(enum_name="AgencyKindEnum", choices=AgencyKind.choices, read_only=True)

    class Meta:
        model = Agency
        fields = ("id", "name", "kind")
        read_only_fields = fields


class JurisdictionSerializer(serializers.ModelSerializer[Region]):
    """The caller's jurisdiction with its full name and the path from the province down."""

    level = NamedChoiceField(enum_name="RegionLevelEnum", choices=Level.choices, read_only=True)
    full_name = serializers.CharField(read_only=True, help_text=_("Names from the province down."))
    path = serializers.SerializerMethodField(help_text=_("The regions from the province down to this one."))

    class Meta:
        model = Region
        fields = ("code", "name", "level", "full_name", "path")
        read_only_fields = fields

    @extend_schema_field(RegionRefSerializer(many=True))
    def get_path(self, region: Region) -> list[dict[str, Any]]:
        return RegionRefSerializer(region.path(), many=True).data  # type: ignore[return-value]


class RoleListField(serializers.ListField):
    child = NamedChoiceField(enum_name="RoleEnum", choices=Role.choices)

    def to_representation(self, data: Any) -> list[str]:
        return sorted(str(role) for role in data)


class SecondFactorSerializer(serializers.Serializer[User]):
    # A declared field named like the attribute Field.required; DRF keeps the two apart.
    required = serializers.BooleanField(help_text=_("Does this account log in with a second factor?"))  # type: ignore[assignment]
    configured = serializers.BooleanField(help_text=_("Has the account a confirmed authenticator?"))
    verified = serializers.BooleanField(
        allow_null=True, help_text=_("Verified in this browser session; null for token calls.")
    )


class TokenInfoSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ("name", "prefix", "expires_at")
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer[User]):
    """The caller's own account."""

    roles = RoleListField(read_only=True)
    agency = AgencyRefSerializer(read_only=True, allow_null=True)
    jurisdiction = JurisdictionSerializer(read_only=True, allow_null=True)
    is_administrator = serializers.BooleanField(read_only=True)
    second_factor = serializers.SerializerMethodField()
    authentication = serializers.SerializerMethodField(help_text=_("How this call was authenticated."))
    token = serializers.SerializerMethodField(help_text=_("The token of this call; null for browser sessions."))

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "full_name",
            "phone",
            "roles",
            "agency",
            "jurisdiction",
            "language",
            "is_administrator",
            "second_factor",
            "authentication",
            "token",
        )
        read_only_fields = fields

    @extend_schema_field(SecondFactorSerializer)
    def get_second_factor(self, user: User) -> dict[str, Any]:
        request = self.context["request"]
        token_call = isinstance(request.auth, ApiToken)
        return {
            "required": user.needs_second_factor,
            "configured": user_has_device(user, confirmed=True),
            "verified": None if token_call else not second_factor_pending(request),
        }

    @extend_schema_field(
        NamedChoiceField(enum_name="AuthenticationModeEnum", choices=[("session", "session"), ("token", "token")])
    )
    def get_authentication(self, user: User) -> str:
        return "token" if isinstance(self.context["request"].auth, ApiToken) else "session"

    @extend_schema_field(TokenInfoSerializer(allow_null=True))
    def get_token(self, user: User) -> dict[str, Any] | None:
        auth = self.context["request"].auth
        return TokenInfoSerializer(auth).data if isinstance(auth, ApiToken) else None


class UserSerializer(serializers.ModelSerializer[User]):
    """A colleague as the API shows them: enough to route work, nothing more."""

    roles = RoleListField(read_only=True)
    agency = AgencyRefSerializer(read_only=True, allow_null=True)
    jurisdiction = RegionRefSerializer(read_only=True, allow_null=True)
    phone = serializers.SerializerMethodField(help_text=_("Only administrators see phone numbers; null for others."))

    class Meta:
        model = User
        fields = ("id", "username", "full_name", "roles", "agency", "jurisdiction", "is_active", "phone")
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, user: User) -> str | None:
        viewer = self.context["request"].user
        return user.phone if viewer.is_administrator else None


class AgencySerializer(serializers.ModelSerializer[Agency]):
    kind = NamedChoiceField(enum_name="AgencyKindEnum", choices=AgencyKind.choices, read_only=True)
    region = RegionRefSerializer(read_only=True)

    class Meta:
        model = Agency
        fields = ("id", "name", "kind", "region", "parent", "credit_code", "phone", "address", "is_active")
        read_only_fields = fields


class UserRefSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ("id", "username", "full_name")
        read_only_fields = fields


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    owner = UserRefSerializer(source="user", read_only=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = (
            "id",
            "name",
            "prefix",
            "owner",
            "created_at",
            "created_by",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "status",
        )
        read_only_fields = fields

    @extend_schema_field(NamedChoiceField(enum_name="TokenStatusEnum", choices=TokenStatus.choices))
    def get_status(self, token: ApiToken) -> str:
        return selectors.token_status(token)


# Query filters (validated, so that a bad value is a 400 naming the parameter, not an empty list).


class RegionCodeField(serializers.CharField):
    """A division code of 2, 4, 6, 9 or 12 digits, returned in its 12-digit form."""

    default_error_messages: ClassVar[dict[str, Any]] = {"code": _("Give a division code of 2, 4, 6, 9 or 12 digits.")}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return codes.pad(value)
        except codes.CodeError:
            self.fail("code")
        return ""  # pragma: no cover  (fail raises)


class UserFilterSerializer(serializers.Serializer[Any]):
    role = serializers.MultipleChoiceField(
        choices=Role.choices, required=False, help_text=_("Users holding any of these roles (repeat the parameter).")
    )
    within = RegionCodeField(required=False, help_text=_("Users whose jurisdiction lies in this region."))
    agency = serializers.IntegerField(required=False, min_value=1, help_text=_("Users of this agency (its id)."))
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("Part of the user name or full name (or phone, for administrators)."),
    )


class AgencyFilterSerializer(serializers.Serializer[Any]):
    kind = serializers.MultipleChoiceField(
        choices=AgencyKind.choices,
        required=False,
        help_text=_("Agencies of any of these kinds (repeat the parameter)."),
    )
    within = RegionCodeField(required=False, help_text=_("Agencies whose region lies in this region."))
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, max_length=100, help_text=_("Part of the agency's name."))


class TokenFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=TokenStatus.choices, required=False)
    q = serializers.CharField(
        required=False, max_length=100, help_text=_("Part of the token name, its prefix, or the owner's name.")
    )
