"""Serializers of the registry's endpoints: output shapes (identity numbers masked) and inputs.

Inputs are checked for form here (types, choices, dates); the services check the rules and
write. Explanations of categories are rendered in the caller's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shouhu.registry import completeness, explain, selectors
from shouhu.registry.choices import (
    KEY_CHILD_REASONS,
    Category,
    ClassificationSource,
    DisabilityType,
    EconomicStatus,
    Ethnicity,
    FileStatus,
    GuardianshipQuality,
    HealthStatus,
    HouseholdRegistration,
    HukouNature,
    OverrideEffect,
    Relation,
    RiskLevel,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.models import (
    CategoryOverride,
    Child,
    Classification,
    EntrustedCare,
    Kinship,
    Person,
    Situation,
)

# -- named enums ----------------------------------------------------------------------------------


class EnumField(serializers.ChoiceField):
    """A choice field whose schema enum is one named component (``FileStatusEnum`` …), so that the
    registry's ``status``, ``kind`` or ``category`` never collide with other apps' fields of the
    same name. (The API app has the same for its fields; the registry sits below it.)"""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class EnumFieldScheme(OpenApiSerializerFieldExtension):  # type: ignore[misc, no-untyped-call]
    target_class = EnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: EnumField = self.target
        schema = build_choice_field(field)
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref  # type: ignore[no-any-return]


def _enum(name: str, choices: Any, **kwargs: Any) -> EnumField:
    return EnumField(enum_name=name, choices=choices, **kwargs)


# Each enum once, with the same blank-ness wherever it is used (a component has one schema).
ENUMS: dict[str, tuple[str, Any, bool]] = {
    # field name: (component, choices, blank allowed)
    "sex": ("SexEnum", Sex.choices, False),
    "ethnicity": ("EthnicityEnum", Ethnicity.choices, False),
    "hukou_status": ("HouseholdRegistrationEnum", HouseholdRegistration.choices, False),
    "hukou_nature": ("HukouNatureEnum", HukouNature.choices, False),
    "school_status": ("SchoolStatusEnum", SchoolStatus.choices, True),
    "health_status": ("HealthStatusEnum", HealthStatus.choices, True),
    "disability_type": ("DisabilityTypeEnum", DisabilityType.choices, True),
    "economic_status": ("EconomicStatusEnum", EconomicStatus.choices, False),
    "guardianship_quality": ("GuardianshipQualityEnum", GuardianshipQuality.choices, False),
    "risk_level": ("RiskLevelEnum", RiskLevel.choices, False),
    "status": ("FileStatusEnum", FileStatus.choices, False),
    "category": ("CategoryEnum", Category.choices, False),
    "source": ("ClassificationSourceEnum", ClassificationSource.choices, False),
    "effect": ("OverrideEffectEnum", OverrideEffect.choices, False),
    "relation": ("RelationEnum", Relation.choices, False),
    "kind": ("SituationKindEnum", SituationKind.choices, False),
    "person_sex": ("PersonSexEnum", Sex.choices, True),
}


def enum(field_name: str, **kwargs: Any) -> EnumField:
    """The named enum field of ``field_name`` (see ``ENUMS``)."""
    component, choices, blank = ENUMS[field_name]
    if blank:
        kwargs.setdefault("allow_blank", True)
    return _enum(component, choices, **kwargs)


def read_enum(field_name: str, source: str | None = None) -> EnumField:
    return enum(field_name, read_only=True, **({"source": source} if source else {}))


# -- output ---------------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer[Classification]):
    """A category the child holds, since when, from the rules or a decision, and why."""

    category = read_enum("category")
    source = read_enum("source")  # type: ignore[assignment]  # DRF pops declared fields off the class
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    explanation = serializers.SerializerMethodField(help_text=_("Why, in the caller's language."))

    class Meta:
        model = Classification
        fields = ("category", "category_label", "since", "until", "source", "explanation")
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_explanation(self, row: Classification) -> list[str]:
        return explain.render(row.explanation or [])


class SituationSerializer(serializers.ModelSerializer[Situation]):
    kind = read_enum("kind")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    disability_type = read_enum("disability_type")

    class Meta:
        model = Situation
        fields = (
            "id",
            "kind",
            "kind_label",
            "started_on",
            "ended_on",
            "term_months",
            "police_accepted_on",
            "disability_type",
            "disability_grade",
            "place",
            "pays_support",
            "document_no",
            "note",
        )
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer[Person]):
    """A family member; the identity number only masked."""

    id_number = serializers.CharField(source="id_number_mask", read_only=True, help_text=_("Masked."))
    sex = read_enum("person_sex")
    village = serializers.CharField(source="village_id", read_only=True)
    situations = SituationSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = (
            "id",
            "name",
            "former_names",
            "sex",
            "birth_date",
            "phone",
            "address",
            "village",
            "id_number",
            "situations",
            "updated_at",
        )
        read_only_fields = fields


class KinshipSerializer(serializers.ModelSerializer[Kinship]):
    person = PersonSerializer(read_only=True)
    relation = read_enum("relation")
    relation_label = serializers.CharField(source="get_relation_display", read_only=True)

    class Meta:
        model = Kinship
        fields = ("id", "relation", "relation_label", "is_guardian", "lives_with_child", "person")
        read_only_fields = fields


class EntrustedCareSerializer(serializers.ModelSerializer[EntrustedCare]):
    carer_name = serializers.CharField(source="carer.name", read_only=True)

    class Meta:
        model = EntrustedCare
        fields = (
            "id",
            "carer",
            "carer_name",
            "since",
            "until",
            "confirmation_signed_on",
            "school_notified_on",
            "village_notified_on",
            "last_parent_contact_on",
        )
        read_only_fields = fields


class OverrideSerializer(serializers.ModelSerializer[CategoryOverride]):
    decided_by = serializers.CharField(source="decided_by.get_full_name", read_only=True)
    category = read_enum("category")
    effect = read_enum("effect")

    class Meta:
        model = CategoryOverride
        fields = ("id", "category", "effect", "reason", "decided_by", "decided_at", "withdrawn_at", "withdrawal_reason")
        read_only_fields = fields


class ChildListSerializer(serializers.ModelSerializer[Child]):
    """A row of the list: who, where, and the current categories."""

    id_number = serializers.CharField(source="id_number_mask", read_only=True, help_text=_("Masked."))
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    sex = read_enum("sex")
    school_status = read_enum("school_status")
    risk_level = read_enum("risk_level")
    status = read_enum("status")
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = (
            "id",
            "name",
            "sex",
            "birth_date",
            "village",
            "village_name",
            "id_number",
            "school_status",
            "risk_level",
            "status",
            "is_complete",
            "categories",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=enum("category")))
    def get_categories(self, child: Child) -> list[str]:
        return [row.category for row in selectors.current_categories(child)]


class ChildDetailSerializer(serializers.ModelSerializer[Child]):
    """A child's file: the facts, the family, the entrusted care, the categories with their
    explanations, the caseworkers' decisions and what is missing."""

    id_number = serializers.CharField(source="id_number_mask", read_only=True, help_text=_("Masked."))
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    hukou_region = serializers.CharField(source="hukou_region_id", read_only=True, allow_null=True)
    family = KinshipSerializer(source="kinships", many=True, read_only=True)
    entrusted_care = EntrustedCareSerializer(source="entrusted_cares", many=True, read_only=True)
    categories = CategorySerializer(source="current_categories", many=True, read_only=True)
    decisions = OverrideSerializer(source="overrides", many=True, read_only=True)
    missing = serializers.SerializerMethodField(help_text=_("What the file lacks, in the caller's language."))
    sex = read_enum("sex")
    ethnicity = read_enum("ethnicity")
    hukou_status = read_enum("hukou_status")
    hukou_nature = read_enum("hukou_nature")
    school_status = read_enum("school_status")
    health_status = read_enum("health_status")
    disability_type = read_enum("disability_type")
    disability_grade = serializers.IntegerField(read_only=True, allow_null=True)
    economic_status = read_enum("economic_status")
    guardianship_quality = read_enum("guardianship_quality")
    risk_level = read_enum("risk_level")
    status = read_enum("status")

    class Meta:
        model = Child
        fields = (
            "id",
            "name",
            "former_names",
            "sex",
            "birth_date",
            "ethnicity",
            "id_number",
            "hukou_status",
            "hukou_region",
            "hukou_nature",
            "hukou_address",
            "village",
            "village_name",
            "residence_address",
            "residence_since",
            "school_status",
            "school_name",
            "school_grade",
            "boarding",
            "health_status",
            "illness",
            "disability_type",
            "disability_grade",
            "disability_certificate_no",
            "economic_status",
            "birth_parents_unknown",
            "guardianship_quality",
            "risk_level",
            "phones",
            "notes",
            "status",
            "status_changed_on",
            "is_complete",
            "missing",
            "categories",
            "decisions",
            "family",
            "entrusted_care",
            "classified_at",
            "next_review_on",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, child: Child) -> list[str]:
        return completeness.labels(list(child.missing_fields or []))


# -- input ----------------------------------------------------------------------------------------


class ChildInputSerializer(serializers.Serializer[Any]):
    """The fields of a file as typed; on update, only those given change (PATCH) or all (PUT)."""

    name = serializers.CharField(max_length=60)
    former_names = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    sex = enum("sex")
    birth_date = serializers.DateField()
    ethnicity = enum("ethnicity", required=False)
    hukou_status = enum("hukou_status", required=False)
    hukou_region = serializers.CharField(
        max_length=12, required=False, allow_blank=True, allow_null=True, help_text=_("A division code.")
    )
    hukou_nature = enum("hukou_nature", required=False)
    hukou_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    village = serializers.CharField(max_length=12, help_text=_("The 12-digit code of the village or community."))
    residence_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    residence_since = serializers.DateField(required=False, allow_null=True)
    school_status = enum("school_status", required=False)
    school_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    school_grade = serializers.CharField(max_length=20, required=False, allow_blank=True)
    boarding = serializers.BooleanField(required=False)
    health_status = enum("health_status", required=False)
    illness = serializers.CharField(max_length=200, required=False, allow_blank=True)
    disability_type = enum("disability_type", required=False)
    disability_grade = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    disability_certificate_no = serializers.CharField(max_length=30, required=False, allow_blank=True)
    economic_status = enum("economic_status", required=False)
    birth_parents_unknown = serializers.BooleanField(required=False)
    guardianship_quality = enum("guardianship_quality", required=False)
    risk_level = enum("risk_level", required=False)
    phones = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    id_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, write_only=True, help_text=_("Stored encrypted, shown masked.")
    )


class ChildCreateSerializer(ChildInputSerializer):
    allow_possible_duplicates = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=_("Register although children who may be this one are on file (after checking them)."),
    )


class PersonInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=60)
    former_names = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    sex = enum("person_sex", required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, write_only=True)


class RevealSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=500, help_text=_("Why the full number is needed; written to the access log.")
    )


class RevealedSerializer(serializers.Serializer[Any]):
    id_number = serializers.CharField(read_only=True)


class CandidateSerializer(serializers.Serializer[Any]):
    """A child on file who may be the one being registered (details only if the caller may see it)."""

    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    village_name = serializers.CharField(allow_blank=True)
    birth_date = serializers.DateField(allow_null=True)
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    visible = serializers.BooleanField()


class DuplicateSerializer(serializers.Serializer[Any]):
    """409: the child may be on file already."""

    detail = serializers.CharField()
    code = serializers.CharField()
    existing = serializers.IntegerField(allow_null=True, required=False)
    candidates = CandidateSerializer(many=True, required=False)


class ChildFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the list."""

    q = serializers.CharField(required=False, help_text=_("Part of a name, or a whole identity number."))
    region = serializers.RegexField(r"^\d{2,12}$", required=False, help_text=_("A division code (2-12 digits)."))
    category = enum("category", required=False)
    key_reason = _enum(
        "KeyReasonFilterEnum",
        [
            (selectors.ANY_KEY_REASON, _("Any key-child reason")),
            *[(c.value, c.label) for c in Category if c in KEY_CHILD_REASONS],
        ],
        required=False,
    )
    age_band = _enum("AgeBandEnum", [(band, band) for band in selectors.AGE_BANDS], required=False)
    school_status = enum("school_status", required=False)
    risk_level = enum("risk_level", required=False)
    incomplete = serializers.BooleanField(required=False, help_text=_("Only files that lack something."))
    status = _enum("FileStatusFilterEnum", [*FileStatus.choices, (selectors.ALL_STATUSES, _("All"))], required=False)
    sort = _enum("ChildSortEnum", [(s, s) for s in selectors.SORTS], required=False)


class PersonFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, help_text=_("Part of a name."))
    child = serializers.IntegerField(required=False, help_text=_("Family members of this child."))
