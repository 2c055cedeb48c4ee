"""Forms of the registry screens: the list's filters, the child's file, family, situations, decisions.

Forms check shape (a date is a date, a choice is a choice) and hand plain values to the services,
which apply the domain rules (identity numbers, dates in the future, jurisdiction) and report back
per field (``DomainError.field``). Choices of regions and family members come from querysets
already scoped to the user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.accounts.models import User
from shouhu.accounts.validators import normalise_text
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.registry.choices import (
    KEY_CHILD_REASONS,
    Category,
    FileStatus,
    OverrideEffect,
    RiskLevel,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.models import Child, EntrustedCare, Kinship, Person, Situation

# Separators people type between former names or phone numbers: comma, ideographic comma, semicolon, space.
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
REASON_MAX_LENGTH = 500
# Below this many villages the village of residence is a drop-down; above it, a code to type.
VILLAGE_SELECT_LIMIT = 1500
# Age bands of the list's filter (values understood by ``selectors.ChildFilters.age_band``).
AGE_BANDS = [
    ("0-2", _("0–2 years")),
    ("3-5", _("3–5 years")),
    ("6-11", _("6–11 years")),
    ("12-15", _("12–15 years")),
    ("16-17", _("16–17 years")),
]
SORTS = [
    ("village", _("Village, then name")),
    ("name", _("Name")),
    ("-birth_date", _("Youngest first")),
    ("birth_date", _("Oldest first")),
    ("recent", _("Recently changed")),
]


def model_field(model: type[models.Model], name: str, **kwargs: Any) -> forms.Field:
    """The form field of a model field (its label, help text, choices and length)."""
    field = model._meta.get_field(name).formfield(**kwargs)  # type: ignore[union-attr]
    assert field is not None, f"{model.__name__}.{name} has no form field"  # noqa: S101 (a programming error)
    return field


def date_input(**attrs: Any) -> forms.DateInput:
    """A date picker (phones show their own calendar) that keeps the ISO value it is given."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def split_list(text: str) -> list[str]:
    """``"王小明、王明"`` → ``["王小明", "王明"]``: the values of a list typed in one box."""
    return [item for item in LIST_SEPARATORS.split(normalise_text(text or "")) if item]


def not_in_future(value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."), code="future")


def id_number_input(form_kind: str) -> forms.TextInput:
    """The identity-number box, checked as it is typed (htmx posts the form to ``registry:check_id``).

    ``form_kind`` tells the check which fields the page has: ``child`` and ``person`` forms get an
    empty date of birth and sex filled in from a valid number.
    """
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "inputmode": "text",
            "hx-post": reverse_lazy("registry:check_id"),
            "hx-trigger": "input changed delay:400ms, change",
            "hx-target": "#id-number-check",
            "hx-swap": "innerHTML",
            "hx-vals": json.dumps({"form_kind": form_kind}),
            "aria-describedby": "id-number-check",
        }
    )


class ListField(forms.CharField):
    """Several short values in one box (former names, phones), stored as a list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "、".join(str(item) for item in value)
        return value

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_list(super().clean(value))


# --- regions inside the user's jurisdiction ---------------------------------------------------


def villages_in_reach(user: User) -> models.QuerySet[Region]:
    """Active villages of ``user``'s jurisdiction (all villages for a system administrator)."""
    villages = Region.objects.active().filter(level=Level.VILLAGE)
    if user.is_superuser:
        return villages
    if not user.jurisdiction_id:
        return villages.none()
    return villages.within(user.jurisdiction_id)


def grouped_villages(villages: Iterable[Region]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Villages as choices grouped under their township's name (``<optgroup>``)."""
    villages = list(villages)
    township_codes = {codes.parent_code(v.code) or "" for v in villages}
    names = dict(Region.objects.filter(code__in=township_codes).values_list("code", "name"))
    groups: dict[str, list[tuple[str, str]]] = {}
    for village in sorted(villages, key=lambda v: v.code):
        township = codes.parent_code(village.code) or ""
        groups.setdefault(names.get(township, township), []).append((village.code, village.name))
    return list(groups.items())


def region_filter_choices(user: User) -> list[tuple[str, str]]:
    """The regions the list can be narrowed to: the jurisdiction and two levels below it.

    Deeper regions can still be reached by choosing their parent; a city's thousands of villages
    would make the drop-down unusable on a phone.
    """
    root = "" if user.is_superuser else (user.jurisdiction_id or "")
    if not root and not user.is_superuser:
        return []
    regions = Region.objects.active()
    if root:
        level = codes.level_of(root)
        order = codes.LEVEL_ORDER
        below = list(order[order.index(level) + 1 : order.index(level) + 3])
        regions = regions.within(root).filter(level__in=below)
    else:
        regions = regions.filter(level__in=[Level.PROVINCE, Level.CITY])
    depth_of = {lvl: i for i, lvl in enumerate(codes.LEVEL_ORDER)}
    top = min((depth_of[Level(r.level)] for r in regions), default=0)
    return [
        (r.code, "\u2003" * (depth_of[Level(r.level)] - top) + r.name)
        for r in regions.order_by("code").only("code", "name", "level")
    ]


class VillageField(forms.ChoiceField):
    """The village of residence: a drop-down grouped by township, limited to the user's villages."""

    def __init__(self, *, villages: models.QuerySet[Region], **kwargs: Any) -> None:
        self.villages = villages
        super().__init__(choices=[("", "—"), *grouped_villages(villages)], **kwargs)

    def clean(self, value: Any) -> Region | None:  # type: ignore[override]
        code = super().clean(value)
        if not code:
            return None
        region = self.villages.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("Choose a village of your jurisdiction."), code="outside")
        return region


class VillageCodeField(forms.CharField):
    """The village of residence as a 12-digit code, for jurisdictions with too many villages to list."""

    def __init__(self, *, villages: models.QuerySet[Region], **kwargs: Any) -> None:
        self.villages = villages
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "placeholder": "370902001001"})

    def clean(self, value: Any) -> Region | None:  # type: ignore[override]
        text = normalise_text(super().clean(value) or "")
        if not text:
            return None
        region = self.villages.filter(code=text).first()
        if region is None:
            raise forms.ValidationError(
                _("%(code)s is not the code of a village of your jurisdiction."), code="outside", params={"code": text}
            )
        return region


class RegionCodeField(forms.CharField):
    """Any region of the country by its division code (the place of household registration)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Region) else value

    def clean(self, value: Any) -> Region | None:  # type: ignore[override]
        text = normalise_text(super().clean(value) or "")
        if not text:
            return None
        try:
            code = codes.pad(text)
        except codes.CodeError:
            raise forms.ValidationError(
                _("Enter a division code of 6, 9 or 12 digits, for example 370902."), code="invalid"
            ) from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(
                _("The division code %(code)s is not in the table of regions."), code="unknown", params={"code": code}
            )
        return region


# --- the list ---------------------------------------------------------------------------------


class ChildFilterForm(forms.Form):
    """The list's search and filters; every field is optional and travels in the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "enterkeyhint": "search",
                "placeholder": _("Name, or full identity number"),
            }
        ),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories"))] + [c for c in Category.choices if c[0] not in KEY_CHILD_REASONS],
    )
    key_reason = forms.ChoiceField(
        label=_("Key child because"),
        required=False,
        choices=[("", _("Any")), ("any", _("Any key-child reason"))]
        + [c for c in Category.choices if c[0] in KEY_CHILD_REASONS],
    )
    age_band = forms.ChoiceField(label=_("Age"), required=False, choices=[("", _("Any age")), *AGE_BANDS])
    school_status = forms.ChoiceField(
        label=_("Schooling"), required=False, choices=[("", _("Any")), *SchoolStatus.choices]
    )
    risk_level = forms.ChoiceField(label=_("Risk"), required=False, choices=[("", _("Any")), *RiskLevel.choices])
    incomplete = forms.BooleanField(label=_("File incomplete"), required=False)
    status = forms.ChoiceField(
        label=_("File status"),
        required=False,
        choices=[(FileStatus.ACTIVE.value, FileStatus.ACTIVE.label)]
        + [c for c in FileStatus.choices if c[0] != FileStatus.ACTIVE]
        + [("all", _("All files"))],
    )
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=SORTS)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = region_filter_choices(actor)
        if len(choices) <= 1:
            # A village director has one village: nothing to choose.
            del self.fields["region"]
        else:
            self.fields["region"].choices = [("", _("Whole jurisdiction")), *choices]  # type: ignore[attr-defined]

    def clean_q(self) -> str:
        return normalise_text(self.cleaned_data.get("q") or "")

    def values(self) -> dict[str, Any]:
        """The filters as keyword arguments of ``selectors.ChildFilters`` (defaults when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {"status": FileStatus.ACTIVE.value}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "region": data.get("region") or "",
            "category": data.get("category") or "",
            "key_reason": data.get("key_reason") or "",
            "age_band": data.get("age_band") or "",
            "school_status": data.get("school_status") or "",
            "risk_level": data.get("risk_level") or "",
            "incomplete": bool(data.get("incomplete")),
            "status": data.get("status") or FileStatus.ACTIVE.value,
            "sort": data.get("sort") or "",
        }


# --- the child's file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    fields: tuple[str, ...]


class SectionedForm(forms.Form):
    """A long form cut into titled sections (one card each on a phone)."""

    SECTIONS: tuple[Section, ...] = ()

    def sections(self) -> Iterator[tuple[Section, list[forms.BoundField]]]:
        for section in self.SECTIONS:
            fields = [self[name] for name in section.fields if name in self.fields]
            if fields:
                yield section, fields


class ChildForm(SectionedForm):
    """The child's facts (registration and edit). ``id_number`` only at registration."""

    SECTIONS = (
        Section("child", _("The child"), ("name", "former_names", "id_number", "sex", "birth_date", "ethnicity")),
        Section(
            "residence",
            _("Household registration and residence"),
            (
                "village",
                "residence_address",
                "residence_since",
                "hukou_status",
                "hukou_region",
                "hukou_nature",
                "hukou_address",
                "phones",
            ),
        ),
        Section("school", _("School"), ("school_status", "school_name", "school_grade", "boarding")),
        Section(
            "health",
            _("Health and disability"),
            ("health_status", "illness", "disability_type", "disability_grade", "disability_certificate_no"),
        ),
        Section(
            "family",
            _("Family circumstances"),
            ("economic_status", "birth_parents_unknown", "guardianship_quality", "risk_level", "notes"),
        ),
    )

    name = model_field(Child, "name", widget=forms.TextInput(attrs={"autocomplete": "off"}))
    former_names = ListField(
        label=_("Former names"),
        required=False,
        max_length=200,
        help_text=_("Separate several names with 、 or a comma."),
    )
    id_number = forms.CharField(
        label=_("Identity number"),
        required=False,
        max_length=40,
        help_text=_("18 characters (公民身份号码). Leave empty if the child has none: it can be added later."),
        widget=id_number_input("child"),
    )
    sex = forms.ChoiceField(
        label=capfirst(Child._meta.get_field("sex").verbose_name), choices=Sex.choices, widget=forms.RadioSelect
    )
    birth_date = model_field(Child, "birth_date", widget=date_input(), validators=[not_in_future])
    ethnicity = model_field(Child, "ethnicity")
    village = forms.Field()  # replaced in __init__ by the user's villages
    residence_address = model_field(Child, "residence_address")
    residence_since = model_field(Child, "residence_since", widget=date_input(), validators=[not_in_future])
    hukou_status = model_field(Child, "hukou_status", widget=forms.RadioSelect)
    hukou_region = RegionCodeField(
        label=_("Place of household registration"),
        required=False,
        help_text=_("Division code of the place (county or township is enough), e.g. 370902."),
    )
    hukou_nature = model_field(Child, "hukou_nature")
    hukou_address = model_field(Child, "hukou_address")
    phones = ListField(
        label=_("Contact phones"),
        required=False,
        max_length=120,
        help_text=_("Separate several numbers with a comma."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    school_status = model_field(Child, "school_status")
    school_name = model_field(Child, "school_name")
    school_grade = model_field(Child, "school_grade")
    boarding = model_field(Child, "boarding")
    health_status = model_field(Child, "health_status")
    illness = model_field(Child, "illness")
    disability_type = model_field(Child, "disability_type")
    disability_grade = model_field(Child, "disability_grade")
    disability_certificate_no = model_field(Child, "disability_certificate_no")
    economic_status = model_field(Child, "economic_status")
    birth_parents_unknown = model_field(Child, "birth_parents_unknown")
    guardianship_quality = model_field(Child, "guardianship_quality")
    risk_level = model_field(Child, "risk_level")
    notes = model_field(Child, "notes", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: User, instance: Child | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", self.initial_of(instance))
        super().__init__(*args, **kwargs)
        self.instance = instance
        villages = villages_in_reach(actor)
        if instance is not None:
            # A child living in a village that became inactive keeps it until moved.
            villages = villages | Region.objects.filter(code=instance.village_id)
            del self.fields["id_number"]
        village_label = capfirst(Child._meta.get_field("village").verbose_name)
        if villages.count() > VILLAGE_SELECT_LIMIT:
            self.fields["village"] = VillageCodeField(villages=villages, label=village_label)
        else:
            self.fields["village"] = VillageField(villages=villages, label=village_label)
        if instance is None and actor.jurisdiction_id and codes.level_of(actor.jurisdiction_id) == Level.VILLAGE:
            self.fields["village"].initial = actor.jurisdiction_id

    @staticmethod
    def initial_of(child: Child) -> dict[str, Any]:
        fields = [name for section in ChildForm.SECTIONS for name in section.fields if name != "id_number"]
        initial = {name: getattr(child, name) for name in fields if name not in {"village", "hukou_region"}}
        initial["village"] = child.village_id
        initial["hukou_region"] = child.hukou_region_id or ""
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("disability_grade") and not cleaned.get("disability_type"):
            self.add_error("disability_type", _("Give the kind of disability of the certificate's grade."))
        return cleaned

    def child_data(self) -> dict[str, Any]:
        """The cleaned facts of the child, as the services take them (no identity number)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "id_number"}


class IdNumberCheckForm(forms.Form):
    """What the identity-number check (htmx, as typed) reads: the number and the form's birth date and sex."""

    id_number = forms.CharField(required=False, max_length=40)
    birth_date = forms.DateField(required=False)
    sex = forms.ChoiceField(required=False, choices=Sex.choices)
    form_kind = forms.CharField(required=False, max_length=10)


class IdNumberFillForm(forms.Form):
    """The date of birth and sex as a valid number gives them, rendered like the page's own fields."""

    KINDS = ("child", "person")

    birth_date = forms.DateField(label=capfirst(Child._meta.get_field("birth_date").verbose_name), widget=date_input())
    sex = forms.ChoiceField(
        label=capfirst(Child._meta.get_field("sex").verbose_name), choices=Sex.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, person: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if person:
            self.fields["birth_date"].required = False
            self.fields["sex"].required = False


class IdNumberForm(forms.Form):
    """The identity number of a file registered without one; the stored birth date and sex are checked."""

    id_number = forms.CharField(label=_("Identity number"), max_length=40, widget=id_number_input("number"))
    birth_date = forms.DateField(required=False, widget=forms.HiddenInput)
    sex = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, obj: Child | Person, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"birth_date": obj.birth_date, "sex": obj.sex})
        super().__init__(*args, **kwargs)


# --- family -----------------------------------------------------------------------------------


class PersonFieldsMixin(forms.Form):
    name = model_field(Person, "name", required=False)
    sex = forms.ChoiceField(
        label=capfirst(Person._meta.get_field("sex").verbose_name),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    birth_date = model_field(Person, "birth_date", widget=date_input(), validators=[not_in_future])
    phone = model_field(Person, "phone", widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    address = model_field(Person, "address")

    PERSON_FIELDS = ("name", "sex", "birth_date", "phone", "address")

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.PERSON_FIELDS if name in self.fields}


class FamilyMemberForm(PersonFieldsMixin, SectionedForm):
    """Add a family member: a new person, or one already recorded for a sibling of the same household."""

    NEW = "new"
    EXISTING = "existing"
    SECTIONS = (
        Section("relation", _("Relation to the child"), ("relation", "is_guardian", "lives_with_child")),
        Section("who", _("Who"), ("source", "existing")),
        Section("person", _("The person"), ("name", "id_number", "sex", "birth_date", "phone", "address")),
    )

    relation = model_field(Kinship, "relation")
    is_guardian = model_field(Kinship, "is_guardian")
    lives_with_child = model_field(Kinship, "lives_with_child")
    source = forms.ChoiceField(
        label=_("Who is it?"),
        choices=[(NEW, _("Someone not recorded yet")), (EXISTING, _("Someone already recorded in the household"))],
        initial=NEW,
        widget=forms.RadioSelect,
    )
    existing = forms.ModelChoiceField(
        label=_("Already recorded"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("The family members of the other children of the same village, e.g. a sibling's parents."),
    )
    id_number = forms.CharField(
        label=_("Identity number"), required=False, max_length=40, widget=id_number_input("person")
    )

    def __init__(self, *args: Any, household: models.QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing: forms.ModelChoiceField[Person] = self.fields["existing"]  # type: ignore[assignment]
        existing.queryset = household
        existing.label_from_instance = self.household_label  # type: ignore[method-assign,assignment]
        if not household.exists():
            del self.fields["source"]
            del self.fields["existing"]

    @staticmethod
    def household_label(person: Person) -> str:
        relations = getattr(person, "household_relations", "")
        return f"{person.name}（{relations}）" if relations else person.name

    def is_existing(self) -> bool:
        return "source" in self.fields and self.cleaned_data.get("source") == self.EXISTING

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "source" in self.fields and cleaned.get("source") == self.EXISTING:
            if not cleaned.get("existing"):
                self.add_error("existing", _("Choose the person."))
        elif not cleaned.get("name"):
            self.add_error("name", _("Give the person's name."))
        return cleaned


class PersonForm(PersonFieldsMixin, SectionedForm):
    """Edit a family member: the person's facts and how they relate to this child."""

    SECTIONS = (
        Section("relation", _("Relation to the child"), ("relation", "is_guardian", "lives_with_child")),
        Section("person", _("The person"), ("name", "id_number", "sex", "birth_date", "phone", "address")),
    )
    relation = model_field(Kinship, "relation")
    is_guardian = model_field(Kinship, "is_guardian")
    lives_with_child = model_field(Kinship, "lives_with_child")
    id_number = forms.CharField(
        label=_("Identity number"),
        required=False,
        max_length=40,
        help_text=_("Leave empty to keep the number on file."),
        widget=id_number_input("person"),
    )

    def __init__(self, *args: Any, kinship: Kinship, **kwargs: Any) -> None:
        person = kinship.person
        kwargs.setdefault(
            "initial",
            {
                "relation": kinship.relation,
                "is_guardian": kinship.is_guardian,
                "lives_with_child": kinship.lives_with_child,
                **{name: getattr(person, name) for name in self.PERSON_FIELDS},
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.kinship = kinship

    def kinship_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("relation", "is_guardian", "lives_with_child")}


# --- situations -------------------------------------------------------------------------------

LIBERTY = (
    SituationKind.IMPRISONED,
    SituationKind.DRUG_REHABILITATION,
    SituationKind.OTHER_LIBERTY_RESTRICTION,
)
COURT_DECISIONS = (
    SituationKind.DECLARED_DEAD,
    SituationKind.DECLARED_MISSING,
    SituationKind.GUARDIANSHIP_REVOKED,
)
# The facts each kind of situation needs besides its start (DOMAIN.md §2 and §8.1-§8.2): the
# term of a restriction of liberty, the police's acceptance of a report of lost contact, the
# grade of a disability certificate, the court's document, the place of work.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    SituationKind.WORKING_AWAY: ("place",),
    **dict.fromkeys(LIBERTY, ("term_months", "place", "document_no")),
    SituationKind.PRETRIAL_DETENTION: ("place",),
    SituationKind.SEVERE_DISABILITY: ("disability_type", "disability_grade", "document_no"),
    SituationKind.SERIOUS_ILLNESS: (),
    SituationKind.LOST_CONTACT: ("police_accepted_on",),
    SituationKind.DEAD: (),
    **dict.fromkeys(COURT_DECISIONS, ("document_no",)),
    SituationKind.DEPORTED: ("pays_support", "document_no"),
    SituationKind.NO_CAPACITY: (),
}
KIND_HELP: dict[str, Any] = {
    SituationKind.IMPRISONED: _("The term counts as stated in the judgment, not the time already served."),
    SituationKind.DRUG_REHABILITATION: _("Compulsory isolated drug rehabilitation has a term of 2 years (24 months)."),
    SituationKind.PRETRIAL_DETENTION: _(
        "Without a known term the child qualifies once 6 months have passed since the detention began."
    ),
    SituationKind.LOST_CONTACT: _(
        "Lost contact counts only from the day the police accepted the report; without it, it is not counted."
    ),
    SituationKind.SEVERE_DISABILITY: _("As on the disability certificate: grade 1–2, or 3–4 mental or intellectual."),
    SituationKind.SERIOUS_ILLNESS: _("Name the illness in the note."),
    SituationKind.DEAD: _("The date of death."),
    SituationKind.DECLARED_DEAD: _("The date of the court's judgment; give its number."),
    SituationKind.DECLARED_MISSING: _("The date of the court's judgment; give its number."),
    SituationKind.GUARDIANSHIP_REVOKED: _("The date of the court's judgment; give its number."),
}
SITUATION_FIELDS = (
    "term_months",
    "police_accepted_on",
    "disability_type",
    "disability_grade",
    "place",
    "pays_support",
    "document_no",
)


class SituationForm(forms.Form):
    """Record a situation of a family member; the fields shown follow the kind chosen."""

    kind = model_field(Situation, "kind")
    started_on = model_field(Situation, "started_on", widget=date_input(), validators=[not_in_future], label=_("Since"))
    term_months = model_field(
        Situation, "term_months", help_text=_("As stated in the judgment or decision, in months (3 years = 36).")
    )
    police_accepted_on = model_field(Situation, "police_accepted_on", widget=date_input(), validators=[not_in_future])
    disability_type = model_field(Situation, "disability_type")
    disability_grade = forms.TypedChoiceField(
        label=capfirst(Situation._meta.get_field("disability_grade").verbose_name),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(g, str(g)) for g in (1, 2, 3, 4)],
    )
    place = model_field(Situation, "place")
    pays_support = forms.NullBooleanField(
        label=capfirst(Situation._meta.get_field("pays_support").verbose_name), required=False
    )
    document_no = model_field(Situation, "document_no")
    note = model_field(Situation, "note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["data-situation-kind"] = "1"
        self.fields["started_on"].required = True

    @property
    def chosen_kind(self) -> str:
        value = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        return str(value or "")

    def shown_fields(self) -> list[forms.BoundField]:
        """The fields of the chosen kind (all of them before a kind is chosen)."""
        kind = self.chosen_kind
        extra = KIND_FIELDS.get(kind, SITUATION_FIELDS)
        names = ["kind", "started_on", *extra, "note"]
        # A field with an error is always shown, whatever the kind.
        names += [name for name in SITUATION_FIELDS if name not in names and self.is_bound and self.errors.get(name)]
        return [self[name] for name in names]

    def kind_help(self) -> Any:
        return KIND_HELP.get(self.chosen_kind, "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        police = cleaned.get("police_accepted_on")
        started = cleaned.get("started_on")
        if kind == SituationKind.LOST_CONTACT and police and started and police < started:
            self.add_error("police_accepted_on", _("The police cannot accept the report before contact was lost."))
        # Drop the values of fields the kind does not use (typed before the kind was changed).
        for name in SITUATION_FIELDS:
            if kind and name not in KIND_FIELDS.get(kind, SITUATION_FIELDS):
                cleaned[name] = None if name in {"term_months", "police_accepted_on", "disability_grade"} else ""
                if name == "pays_support":
                    cleaned[name] = None
        return cleaned

    def situation_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EndSituationForm(forms.Form):
    ended_on = model_field(Situation, "ended_on", widget=date_input(), validators=[not_in_future], required=True)

    def __init__(self, *args: Any, situation: Situation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.situation = situation
        self.fields["ended_on"].label = _("Ended on")

    def clean_ended_on(self) -> date:
        ended: date = self.cleaned_data["ended_on"]
        if ended < self.situation.started_on:
            raise forms.ValidationError(_("A situation cannot end before it began."), code="before_start")
        return ended


# --- entrusted care, file status, decisions, reveal --------------------------------------------


class EntrustedCareForm(forms.Form):
    """The entrusted carer of a left-behind child (MPL arts. 22-23; 民发〔2019〕34号)."""

    carer = forms.ModelChoiceField(label=_("Entrusted carer"), queryset=Person.objects.none())
    since = model_field(EntrustedCare, "since", widget=date_input(), validators=[not_in_future])
    until = model_field(EntrustedCare, "until", widget=date_input())
    confirmation_signed_on = model_field(
        EntrustedCare, "confirmation_signed_on", widget=date_input(), validators=[not_in_future]
    )
    school_notified_on = model_field(
        EntrustedCare, "school_notified_on", widget=date_input(), validators=[not_in_future]
    )
    village_notified_on = model_field(
        EntrustedCare, "village_notified_on", widget=date_input(), validators=[not_in_future]
    )
    last_parent_contact_on = model_field(
        EntrustedCare, "last_parent_contact_on", widget=date_input(), validators=[not_in_future]
    )

    def __init__(
        self, *args: Any, family: models.QuerySet[Person], instance: EntrustedCare | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "carer": instance.carer_id,
                    **{name: getattr(instance, name) for name in self.DATA_FIELDS},
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = family  # type: ignore[attr-defined]
        self.fields["carer"].help_text = _("Add the carer as a family member first (relation: e.g. grandmother).")

    DATA_FIELDS = (
        "since",
        "until",
        "confirmation_signed_on",
        "school_notified_on",
        "village_notified_on",
        "last_parent_contact_on",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The care cannot end before it began."))
        return cleaned

    def care_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.DATA_FIELDS}


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Reason"))
        kwargs.setdefault("max_length", REASON_MAX_LENGTH)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:  # type: ignore[override]
        text: str = super().clean(value)
        return normalise_text(text).strip()


class StatusForm(forms.Form):
    """Change the state of a child's file (moved away, deceased …) with the date and a reason."""

    status = forms.ChoiceField(label=_("New status"), choices=())
    on = forms.DateField(label=_("Since"), widget=date_input(), validators=[not_in_future])
    reason = ReasonField()

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in FileStatus.choices if value not in {child.status, FileStatus.MERGED}
        ]
        self.fields["on"].initial = timezone.localdate()


class OverrideForm(forms.Form):
    """A caseworker's decision on a category against the rules; the reason is shown and audited."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    effect = forms.ChoiceField(label=_("Decision"), choices=OverrideEffect.choices, widget=forms.RadioSelect)
    reason = ReasonField(help_text=_("Shown on the child's page and kept in the history."))


class WithdrawForm(forms.Form):
    reason = ReasonField(label=pgettext_lazy("withdrawal", "Reason for withdrawing the decision"))


class RevealForm(forms.Form):
    """Why the full identity number is needed; the reason is written to the access log."""

    reason = ReasonField(
        label=_("Why do you need the full number?"),
        help_text=_("For example: applying for the child's living allowance at the civil affairs bureau."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PhotoForm(forms.Form):
    """A new photo of the child (taken with the phone's camera or chosen from its pictures), or none."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic"}),
    )
    remove = forms.BooleanField(label=_("Remove the photo"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("photo") and not data.get("remove"):
            self.add_error("photo", _("Choose a picture, or tick the box to remove the photo."))
        return data
