"""Forms of intake: a report, its triage, the identification of its child.

Forms check shape; what a report lacks is never a reason to refuse it (suspicion suffices, DOMAIN.md
§1.1). Only what cannot be true is refused — a date of birth or a discovery in the future, a date
of birth and an age that are both given — with everything typed kept on the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import User
from shouhu.accounts.validators import normalise_text
from shouhu.intake import permissions
from shouhu.intake.choices import Channel, ReporterType, Situation, Urgency
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.registry.choices import Sex
from shouhu.registry.classification import ADULT_AGE
from shouhu.registry.forms import VILLAGE_SELECT_LIMIT, ReasonField, VillageCodeField, VillageField, date_input

NAME_MAX_LENGTH = 40
TEXT_FIELDS = (
    "reporter_name",
    "reporter_phone",
    "description",
    "place",
    "child_name",
    "child_other_name",
    "id_number",
    "child_address",
    "guardian_name",
    "contact_phone",
)
# The kind of reporter a filer's own agency is (MPL art. 130(1)).
REPORTER_OF_AGENCY = {
    AgencyKind.SCHOOL: ReporterType.SCHOOL,
    AgencyKind.KINDERGARTEN: ReporterType.SCHOOL,
    AgencyKind.HOSPITAL: ReporterType.MEDICAL,
    AgencyKind.CHILD_WELFARE_INSTITUTION: ReporterType.WELFARE,
    AgencyKind.RESCUE_PROTECTION_INSTITUTION: ReporterType.WELFARE,
    AgencyKind.VILLAGE_COMMITTEE: ReporterType.VILLAGE_COMMITTEE,
    AgencyKind.SOCIAL_ORGANISATION: ReporterType.OTHER_UNIT,
}


def filing_villages(user: User) -> Any:
    """The villages a report of ``user`` may be about: those of the filer's county."""
    villages = Region.objects.active().filter(level=Level.VILLAGE)
    scope = permissions.filing_scope(user)
    if scope is None:
        return villages.none()
    return villages if scope == "" else villages.within(scope)


def _initial_channel(user: User) -> str:
    if user.roles & permissions.FRONT_DOOR:
        return Channel.HOTLINE
    if Role.DEPARTMENT_LIAISON in user.roles:
        return Channel.REFERRAL
    if user.roles & {Role.CHILD_DIRECTOR, Role.TOWNSHIP_SUPERVISOR}:
        return Channel.PATROL
    return Channel.MANDATORY


def _initial_reporter(user: User) -> str:
    kind = user.agency.kind if user.agency_id and user.agency else ""
    if kind in REPORTER_OF_AGENCY:
        return REPORTER_OF_AGENCY[AgencyKind(kind)]
    if user.roles & permissions.FRONT_DOOR:
        return ReporterType.PUBLIC
    return ReporterType.STATE_ORGAN


class ReportForm(forms.Form):
    """A report of a child who may need protection: what was seen, where, and whatever is known of the child."""

    channel = forms.ChoiceField(label=_("How the report came in"), choices=Channel.choices)
    reporter_type = forms.ChoiceField(label=_("Who reports"), choices=ReporterType.choices)
    reporter_name = forms.CharField(label=_("Reporter's name"), required=False, max_length=60)
    reporter_phone = forms.CharField(
        label=_("Reporter's phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=_("Kept confidential: only the front door sees who reported."),
    )
    situations = forms.MultipleChoiceField(
        label=_("What the child suffered or is suspected to have suffered"),
        required=False,
        choices=Situation.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what applies; suspicion is enough. Leave all empty if none fits and describe it below."),
    )
    immediate_danger = forms.BooleanField(
        label=_("The child is in danger right now"),
        required=False,
        help_text=_("The report then goes to the top of the queue with the emergency deadline."),
    )
    description = forms.CharField(
        label=_("What was seen or heard"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    region = forms.ChoiceField(label=_("Village or community where the child is"))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    discovered_at = forms.DateTimeField(
        label=_("When it was discovered"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    child_name = forms.CharField(
        label=pgettext_lazy("report", "Child's name"), required=False, max_length=NAME_MAX_LENGTH
    )
    child_other_name = forms.CharField(label=_("Other name or nickname"), required=False, max_length=NAME_MAX_LENGTH)
    child_sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", pgettext_lazy("sex", "Not known")), *Sex.choices],
        widget=forms.RadioSelect,
    )
    child_birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=date_input())
    child_age = forms.IntegerField(
        label=_("Or about how old"),
        required=False,
        min_value=0,
        max_value=ADULT_AGE,  # a report is about a minor (MPL art. 2); "about 18" still goes in
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    id_number = forms.CharField(
        label=_("Identity number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    child_address = forms.CharField(label=_("Address as told"), required=False, max_length=200)
    guardian_name = forms.CharField(label=_("Name of a parent or guardian"), required=False, max_length=60)
    contact_phone = forms.CharField(
        label=_("Phone of the child or the family"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        villages = filing_villages(actor)
        if villages.count() > VILLAGE_SELECT_LIMIT:
            self.fields["region"] = VillageCodeField(villages=villages, label=self.fields["region"].label)
        else:
            self.fields["region"] = VillageField(villages=villages, label=self.fields["region"].label)
        if not self.is_bound:
            self.initial.setdefault("channel", _initial_channel(actor))
            self.initial.setdefault("reporter_type", _initial_reporter(actor))
            if not actor.roles & permissions.FRONT_DOOR:
                # A filer reports in their own name; the front door types the caller's.
                self.initial.setdefault("reporter_name", actor.full_name)
                self.initial.setdefault("reporter_phone", getattr(actor, "phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in TEXT_FIELDS:
            if name in data and data[name] is not None:
                data[name] = normalise_text(data[name]).strip()
        today = timezone.localdate()
        if data.get("child_birth_date") is not None:
            if data["child_birth_date"] > today:
                self.add_error("child_birth_date", _("The date of birth is in the future."))
            if data.get("child_age") is not None:
                self.add_error("child_age", _("Give the date of birth or an age, not both."))
        discovered = data.get("discovered_at")
        if discovered is not None and discovered > timezone.now():
            self.add_error("discovered_at", _("The time of discovery is in the future."))
        return data


class TriageForm(forms.Form):
    urgency = forms.ChoiceField(label=_("Triage"), choices=Urgency.choices, widget=forms.RadioSelect)
    note = ReasonField(label=_("Note"), required=False)


class IdentifyForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    note = ReasonField(label=_("Note"), required=False)


class NotOnFileForm(forms.Form):
    note = ReasonField(label=_("Note"), required=False)


class QueueForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[
            ("waiting", _("Waiting for triage")),
            ("triaged", _("Triaged")),
            ("all", _("All")),
        ],
    )
