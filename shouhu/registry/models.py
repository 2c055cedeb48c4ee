"""Children and their families: the one-file-per-child registry (一人一档).

Every child-linked row carries the child's village code (``village``, a 12-digit division code)
so that a jurisdiction is a range on an indexed column, and the county code (the future
distribution key of a national deployment, DESIGN.md "Scale").

Identity numbers are never stored in clear: ``id_number_cipher`` (authenticated encryption with
``SHOUHU_FIELD_KEY``) for an authorised, logged reveal; ``id_number_hash`` (HMAC with
``SHOUHU_HASH_KEY``) for exact look-up; ``id_number_mask`` for display.

Indexes are declared in ``Meta.indexes`` rather than with ``db_index``: on PostgreSQL an indexed
character column also gets a second ``varchar_pattern_ops`` index for ``LIKE`` that no query of
the registry uses (jurisdictions are code ranges), and foreign keys whose column leads a composite
index need no index of their own. Every index is paid for by each bulk import.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.core.json import LiteralJSONEncoder
from shouhu.core.models import TimeStampedModel
from shouhu.registry.choices import (
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

# Set on an instance by a service just before it saves, e.g. the reason of a change of file
# status: django-auditlog copies ``get_additional_data()`` into the change-log entry.
AUDIT_NOTE_ATTRIBUTE = "_audit_note"


def audit_data(village_code: str, instance: models.Model) -> dict[str, str]:
    """The change log's additional data: the record's region, and the service's note if any."""
    data = {"region_code": village_code}
    note = getattr(instance, AUDIT_NOTE_ATTRIBUTE, "")
    if note:
        data["reason"] = str(note)
    return data


class IdentityFields(models.Model):
    """The three stored forms of an identity number (公民身份号码, GB 11643)."""

    id_number_cipher = models.TextField(_("identity number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(_("identity number (keyed hash)"), max_length=64, blank=True)
    id_number_mask = models.CharField(_("identity number"), max_length=18, blank=True)

    class Meta:
        abstract = True

    @property
    def has_id_number(self) -> bool:
        return bool(self.id_number_hash)


class Child(IdentityFields, TimeStampedModel):
    """One child's file."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    former_names = models.JSONField(_("former names"), default=list, blank=True, encoder=LiteralJSONEncoder)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)

    # Household registration (户籍) and residence.
    hukou_status = models.CharField(
        _("household registration"),
        max_length=12,
        choices=HouseholdRegistration.choices,
        default=HouseholdRegistration.REGISTERED,
    )
    hukou_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("place of household registration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # regions are never deleted; no query starts from the place of registration
    )
    hukou_nature = models.CharField(
        _("household registration type"), max_length=20, choices=HukouNature.choices, default=HukouNature.UNKNOWN
    )
    hukou_address = models.CharField(_("registered address"), max_length=255, blank=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village or community of residence"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # leads the composite indexes below
    )
    county_code = models.CharField(_("county code"), max_length=6, editable=False)
    residence_address = models.CharField(_("address"), max_length=255, blank=True)
    residence_since = models.DateField(_("living here since"), null=True, blank=True)

    # School, health, disability.
    school_status = models.CharField(_("schooling"), max_length=20, choices=SchoolStatus.choices, blank=True)
    school_name = models.CharField(_("school or kindergarten"), max_length=120, blank=True)
    school_grade = models.CharField(_("grade"), max_length=20, blank=True)
    boarding = models.BooleanField(_("boards at school"), default=False)
    health_status = models.CharField(_("health"), max_length=10, choices=HealthStatus.choices, blank=True)
    illness = models.CharField(_("illness"), max_length=200, blank=True)
    disability_type = models.CharField(_("disability"), max_length=12, choices=DisabilityType.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True, choices=[(g, str(g)) for g in (1, 2, 3, 4)]
    )
    disability_certificate_no = models.CharField(_("disability certificate number"), max_length=30, blank=True)

    # Family circumstances the rules read.
    economic_status = models.CharField(
        _("family assistance"), max_length=16, choices=EconomicStatus.choices, default=EconomicStatus.NONE
    )
    birth_parents_unknown = models.BooleanField(
        _("birth parents cannot be found"), default=False, help_text=_("e.g. an abandoned child")
    )
    guardianship_quality = models.CharField(
        _("guardianship"), max_length=12, choices=GuardianshipQuality.choices, default=GuardianshipQuality.UNASSESSED
    )
    risk_level = models.CharField(_("risk"), max_length=12, choices=RiskLevel.choices, default=RiskLevel.UNASSESSED)

    phones = models.JSONField(_("contact phones"), default=list, blank=True)
    photo = models.FileField(_("photo"), upload_to="registry/photos/%Y/", blank=True)
    notes = models.TextField(_("notes"), blank=True)

    status = models.CharField(_("file status"), max_length=12, choices=FileStatus.choices, default=FileStatus.ACTIVE)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Derived by services (never edited): what is missing from the file, and when the
    # categories must be computed again because time alone can change them.
    missing_fields = models.JSONField(_("missing information"), default=list, blank=True, editable=False)
    is_complete = models.BooleanField(_("file complete"), default=False, editable=False)
    classified_at = models.DateTimeField(_("categories computed at"), null=True, blank=True, editable=False)
    next_review_on = models.DateField(_("categories next reviewed on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["village_id", "name", "pk"]
        indexes = [
            models.Index(fields=["village", "status", "name"], name="child_village_status_name"),
            models.Index(fields=["village", "birth_date"], name="child_village_birth"),
            models.Index(fields=["birth_date", "sex", "county_code"], name="child_birth_sex_county"),
            models.Index(fields=["next_review_on"], name="child_next_review", condition=Q(status="active")),
            models.Index(fields=["id_number_hash"], name="child_id_number_hash"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True) | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="child_disability_grade_1_to_4",
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash="") & ~Q(status="merged"),
                name="child_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

    def get_additional_data(self) -> dict[str, str]:
        """What the change log keeps beside each change: the region (county auditors see it) and a reason."""
        return audit_data(self.village_id, self)


class Person(IdentityFields, TimeStampedModel):
    """An adult of a child's family or circle: parent, grandparent, entrusted carer …

    A person may relate to several children (siblings share their parents); a person's
    situations (working away, imprisoned, lost contact …) count for every child they relate to.
    """

    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    former_names = models.JSONField(_("former names"), default=list, blank=True, encoder=LiteralJSONEncoder)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village of the family"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # leads person_village_name
        help_text=_("The village of the (first) child the person was recorded for; scopes access."),
    )
    county_code = models.CharField(_("county code"), max_length=6, editable=False)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["village", "name"], name="person_village_name"),
            models.Index(fields=["id_number_hash"], name="person_id_number_hash"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, str]:
        return audit_data(self.village_id, self)


class Kinship(models.Model):
    """How a person relates to a child, and whether they are a guardian or live with the child."""

    # The unique constraint (child, person) serves the child's relations.
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="kinships", db_index=False
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="kinships")
    relation = models.CharField(_("relation"), max_length=24, choices=Relation.choices)
    is_guardian = models.BooleanField(_("guardian"), default=False)
    lives_with_child = models.BooleanField(_("lives with the child"), default=False)
    village_code = models.CharField(_("village code"), max_length=12, editable=False)

    class Meta:
        verbose_name = _("family relation")
        verbose_name_plural = _("family relations")
        indexes = [models.Index(fields=["village_code"], name="kinship_village")]
        constraints = [models.UniqueConstraint(fields=["child", "person"], name="kinship_unique_child_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.relation} of {self.child_id}"

    def get_additional_data(self) -> dict[str, str]:
        return audit_data(self.village_code, self)


class Situation(models.Model):
    """A situation of a person that began on a date (and may have ended): the facts the rules read."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="situations")
    kind = models.CharField(_("situation"), max_length=28, choices=SituationKind.choices)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    # Term of a sentence or other restriction of liberty, as in the judgment or decision.
    term_months = models.PositiveIntegerField(_("term (months)"), null=True, blank=True)
    # 失联: the day the police accepted the report of lost contact (DOMAIN.md §8.2).
    police_accepted_on = models.DateField(_("police accepted the report on"), null=True, blank=True)
    disability_type = models.CharField(_("disability"), max_length=12, choices=DisabilityType.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("disability grade"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=120, blank=True, help_text=_("e.g. the city of work"))
    pays_support = models.BooleanField(_("pays child support"), null=True, blank=True)
    document_no = models.CharField(_("document number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    village_code = models.CharField(_("village code"), max_length=12, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["-started_on", "pk"]
        indexes = [models.Index(fields=["village_code"], name="situation_village")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="situation_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} since {self.started_on}"

    def get_additional_data(self) -> dict[str, str]:
        return audit_data(self.village_code, self)


class EntrustedCare(models.Model):
    """The entrusted carer of a left-behind child (MPL arts. 22-23; 民发〔2019〕34号 委托监护确认书)."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="entrusted_cares")
    carer = models.ForeignKey(Person, verbose_name=_("carer"), on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    confirmation_signed_on = models.DateField(_("entrustment confirmation signed on"), null=True, blank=True)
    school_notified_on = models.DateField(_("school notified in writing on"), null=True, blank=True)
    village_notified_on = models.DateField(_("village committee notified in writing on"), null=True, blank=True)
    last_parent_contact_on = models.DateField(_("last contact of a parent on"), null=True, blank=True)
    village_code = models.CharField(_("village code"), max_length=12, editable=False)

    class Meta:
        verbose_name = _("entrusted care")
        verbose_name_plural = _("entrusted care")
        ordering = ["-since"]
        indexes = [models.Index(fields=["village_code"], name="entrusted_care_village")]

    def __str__(self) -> str:
        return f"{self.carer_id} cares for {self.child_id} since {self.since}"

    def get_additional_data(self) -> dict[str, str]:
        return audit_data(self.village_code, self)


class Classification(models.Model):
    """A category a child holds (or held): from the rules or a caseworker's decision.

    Rows are never updated in substance: a category that ends gets ``until``; one that starts
    again gets a new row. The current categories are the rows with ``until IS NULL``.
    """

    # classification_child (child, category) serves the child's categories.
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="classifications", db_index=False
    )
    category = models.CharField(_("category"), max_length=28, choices=Category.choices)
    village_code = models.CharField(_("village code"), max_length=12, editable=False)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ClassificationSource.choices, default=ClassificationSource.RULE
    )
    # Why, as structured reasons ({"msg": English message id, "args": {...}}) rendered in the
    # reader's language; never free text in one language.
    explanation = models.JSONField(_("explanation"), default=list)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The township's 9-digit prefix, kept by the database: counts per township (and, folded, per
    # county or city) are one index-only scan with no expression to compute per row.
    township_prefix = models.GeneratedField(
        expression=Substr("village_code", 1, 9),
        output_field=models.CharField(max_length=9),
        db_persist=True,
        verbose_name=_("township"),
    )

    class Meta:
        verbose_name = _("category of a child")
        verbose_name_plural = _("categories of children")
        ordering = ["category", "-since"]
        indexes = [
            # Category counts and the list's category filter read the current rows of a code
            # range; with the child's id in the index both are index-only scans.
            models.Index(
                fields=["category", "village_code", "child"],
                name="classification_current",
                condition=Q(until__isnull=True),
            ),
            models.Index(fields=["child", "category"], name="classification_child"),
            models.Index(
                fields=["township_prefix", "category"],
                name="classification_township",
                condition=Q(until__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.category} since {self.since}"


class CategoryOverride(models.Model):
    """A caseworker's decision that a category applies or not, against the rules, with a reason."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="overrides")
    category = models.CharField(_("category"), max_length=28, choices=Category.choices)
    effect = models.CharField(_("decision"), max_length=8, choices=OverrideEffect.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    village_code = models.CharField(_("village code"), max_length=12, editable=False, default="")

    class Meta:
        verbose_name = _("category decision")
        verbose_name_plural = _("category decisions")
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "category"], condition=Q(withdrawn_at__isnull=True), name="override_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.effect} {self.category}"

    def get_additional_data(self) -> dict[str, str]:
        return audit_data(self.village_code, self)


class ReclassificationRun(models.Model):
    """One run of the daily recomputation of categories (``tasks.reclassify_daily``).

    The next run asks the policy settings what took effect since the day of the last run, so
    that a day the scheduler missed is caught up, and recomputes every active child when a
    setting the rules read has changed.
    """

    day = models.DateField(_("day"), unique=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    due_children = models.PositiveIntegerField(_("children due"), default=0)
    settings_changed = models.JSONField(_("settings changed"), default=list, blank=True)
    job = models.ForeignKey(
        "core.Job",
        verbose_name=_("recomputation of all children"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("recomputation of categories")
        verbose_name_plural = _("recomputations of categories")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"reclassification of {self.day}"
