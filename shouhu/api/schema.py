"""The OpenAPI 3 schema: its security schemes and the views that serve it.

The schema and its two viewers (Swagger UI and Redoc) need an account: partner developers have
one, and the schema is a map of the system that strangers need not have. The viewers load
only the assets of ``drf-spectacular-sidecar`` from this server (no CDN, no validator badge,
no web fonts), which a Content-Security-Policy on their pages enforces in the browser (Redoc's
bundle asks for its "API docs by Redocly" logo from its CDN: the policy blocks it, and Redoc
then hides the image).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers

from shouhu.core.drf import THROTTLE_CLASSES, SecondFactorVerified

BEARER_FORMAT = "shu_<prefix>_<secret>"


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[misc, no-untyped-call]
    """Describes ``ApiTokenAuthentication`` as an HTTP bearer scheme."""

    target_class = "shouhu.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": BEARER_FORMAT,
            "description": str(
                _(
                    "A token of a partner system, issued by an administrator and shown once: "
                    "send “Authorization: Bearer shu_<prefix>_<secret>”. It acts as its account, "
                    "with the same access as that account's browser session."
                )
            ),
        }


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose enum is one named schema component (``RoleEnum``, …).

    drf-spectacular names enums after the field (``kind``, ``level``) and, when two apps use
    one field name for different choices, falls back to hashed names with a warning; a named
    component keeps the schema stable for partners' generated clients, whatever other apps add.
    """

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldScheme(OpenApiSerializerFieldExtension):  # type: ignore[misc, no-untyped-call]
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: NamedChoiceField = self.target
        schema = build_choice_field(field)
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref  # type: ignore[no-any-return]


class SchemaView(SpectacularAPIView):  # type: ignore[misc]
    """The OpenAPI 3 document (YAML, or JSON with ``?format=json``), for signed-in users."""

    permission_classes = (SecondFactorVerified,)
    throttle_classes = THROTTLE_CLASSES
