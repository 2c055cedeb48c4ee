"""Forms of the matching screens: the identity search, the queue's filters, decisions, merges, runs.

Forms check shape only. What the engine cannot use (an identity number of the wrong length, a date
of birth in the future, a one-character name) is not refused here: the search goes on with the rest
and the screen says what was left out (``SearchResult.notes``, ``Match.unused``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.accounts.models import User
from shouhu.accounts.validators import normalise_text
from shouhu.matching import permissions
from shouhu.matching.engine import Band
from shouhu.matching.models import PairReview, ReviewStatus
from shouhu.matching.record import PersonRecord
from shouhu.regions import codes
from shouhu.regions.models import Region
from shouhu.registry.choices import Sex
from shouhu.registry.forms import ReasonField, date_input, region_filter_choices
from shouhu.registry.permissions import registry_scope_code

NAME_MAX_LENGTH = 40
MAX_AGE = 150


def jurisdiction_choices(user: User) -> list[tuple[str, str]]:
    """The user's jurisdiction itself, then its regions two levels down (the registry's list filter)."""
    choices = region_filter_choices(user)
    scope = registry_scope_code(user)
    if scope:
        own = Region.objects.filter(code=user.jurisdiction_id).only("code", "name").first()
        if own is not None and all(code != own.code for code, _label in choices):
            choices = [(own.code, own.name), *choices]
    return choices


def _text(value: Any) -> str:
    return normalise_text(value or "").strip()


class SearchForm(forms.Form):
    """Who is this child? Whatever is known; at least a name, a date of birth or an identity number."""

    name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search"}),
    )
    former_name = forms.CharField(
        label=_("Former or other name"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", pgettext_lazy("sex", "Not known")), *Sex.choices],
        widget=forms.RadioSelect,
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=date_input())
    age = forms.IntegerField(
        label=_("Or about how old"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Years, as the child or the reporter says; leave empty when the date of birth is known."),
    )
    id_number = forms.CharField(
        label=_("Identity number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    region = forms.ChoiceField(
        label=_("Where the child says they live"),
        required=False,
        help_text=_("Children of this region come first; the search still looks further."),
    )
    guardian_name = forms.CharField(
        label=_("Name of a parent or guardian"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone number (the child's or a family member's)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address as told"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Not known")), *jurisdiction_choices(actor)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("name", "former_name", "id_number", "guardian_name", "phone", "address"):
            if name in data:
                data[name] = _text(data[name])
        if data.get("birth_date") is not None and data.get("age") is not None:
            self.add_error("age", _("Give the date of birth or an age, not both."))
        if not (data.get("name") or data.get("former_name") or data.get("birth_date") or data.get("id_number")):
            raise forms.ValidationError(
                _("Give at least a name, a date of birth or an identity number."), code="nothing"
            )
        return data

    def record(self, *, on: date) -> PersonRecord:
        """The engine's record of what was typed (only after ``is_valid``)."""
        data = self.cleaned_data
        names = tuple(n for n in (data.get("name"), data.get("former_name")) if n)
        return PersonRecord(
            names=names,
            sex=data.get("sex") or None,
            birth_date=data.get("birth_date"),
            age=data.get("age"),
            on=on if data.get("age") is not None else None,
            id_number=data.get("id_number") or "",
            phones=(data["phone"],) if data.get("phone") else (),
            region_code=data.get("region") or "",
            address=data.get("address") or "",
            guardian_names=(data["guardian_name"],) if data.get("guardian_name") else (),
        )


class QueueFilterForm(forms.Form):
    """The review queue's filters (query string)."""

    band = forms.ChoiceField(label=_("Band"), required=False, choices=[("", _("Any band")), *Band.choices])
    status = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[
            ("", ReviewStatus.PENDING.label),
            *[c for c in ReviewStatus.choices if c[0] != "pending"],
            ("all", _("Any")),
        ],
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    job = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = jurisdiction_choices(actor)
        if len(choices) <= 1:
            del self.fields["region"]
        else:
            self.fields["region"].choices = [("", _("Whole jurisdiction")), *choices]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """``status`` (None: any), ``band``, ``region``, ``job`` — defaults when the filters are invalid."""
        if not self.is_bound or not self.is_valid():
            return {"status": ReviewStatus.PENDING.value, "band": None, "region": "", "job": None}
        data = self.cleaned_data
        status = data.get("status") or ReviewStatus.PENDING.value
        return {
            "status": None if status == "all" else status,
            "band": data.get("band") or None,
            "region": data.get("region") or "",
            "job": data.get("job"),
        }


class DecisionForm(forms.Form):
    """A reviewer's decision on a pair, with a note (needed for "not the same")."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in ReviewStatus.choices if c[0] != ReviewStatus.PENDING],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when they are not the same child: say what tells them apart."),
    )

    def clean_note(self) -> str:
        return _text(self.cleaned_data.get("note"))


class MergeForm(forms.Form):
    """Which file of a pair is kept, and why they are merged."""

    keep = forms.TypedChoiceField(label=_("File to keep"), coerce=int, widget=forms.RadioSelect)
    reason = ReasonField(label=_("Reason for merging"), help_text=_("Kept in the history of both files."))

    def __init__(self, *args: Any, review: PairReview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [  # type: ignore[attr-defined]
            (child.pk, f"{child.name} · #{child.pk}") for child in (review.child_a, review.child_b)
        ]


class UnmergeForm(forms.Form):
    reason = ReasonField(label=_("Why undo the merge?"))


class ProposeForm(forms.Form):
    """Two files a reviewer suspects are one child (from a search's candidates)."""

    child_a = forms.IntegerField(widget=forms.HiddenInput)
    child_b = forms.IntegerField(widget=forms.HiddenInput)


class DeduplicationForm(forms.Form):
    """The region whose files are compared with each other."""

    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["region"].choices = jurisdiction_choices(actor)  # type: ignore[attr-defined]

    def clean_region(self) -> str:
        code = codes.pad(self.cleaned_data["region"])
        if not permissions.may_deduplicate(self.actor, code):
            raise forms.ValidationError(_("Choose a region of your jurisdiction."), code="outside")
        return code
