"""Filters of the auditors' lists (the same forms validate the API's query parameters)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.audit.changes import registered_record_types
from shouhu.audit.choices import access_action_choices, change_action_choices
from shouhu.regions import codes


# Choices are computed when a form is made: apps register actions and versioned models at start-up.
def _access_actions() -> list[tuple[str, str]]:
    return [("", str(_("Any action"))), *access_action_choices()]


def _change_actions() -> list[tuple[str, str]]:
    return [("", str(_("Any action"))), *change_action_choices()]


def _record_types() -> list[tuple[str, str]]:
    return [("", str(_("Any type"))), *registered_record_types()]


class PeriodFilterForm(forms.Form):
    """A period of whole days, both ends included, in local time."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    user = forms.CharField(
        label=_("User name"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("The exact log-in name")}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def active_filters(self) -> dict[str, str]:
        """The filters in use, as strings (for the log of the search and for exports)."""
        active: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            active[name] = value.isoformat() if isinstance(value, date) else str(value)
        return active


class AccessLogFilterForm(PeriodFilterForm):
    action = forms.ChoiceField(label=pgettext_lazy("audit", "Action"), required=False, choices=_access_actions)
    object_type = forms.CharField(
        label=_("Record type"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. accounts.user")}),
    )
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    region = forms.CharField(
        label=pgettext_lazy("audit", "Region"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"placeholder": _("Division code, e.g. 370902"), "inputmode": "numeric"}),
        help_text=_("The record's region or the user's jurisdiction lies in it."),
    )
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("In the summary or the reason")}),
    )

    def clean_region(self) -> str:
        value: str = self.cleaned_data["region"].strip()
        if not value:
            return ""
        try:
            return codes.pad(value)
        except codes.CodeError:
            raise forms.ValidationError(
                _("Enter a division code of 2, 4, 6, 9 or 12 digits, e.g. 370902."), code="region"
            ) from None

    def clean_object_type(self) -> str:
        value: str = self.cleaned_data["object_type"]
        return value.strip().lower()


class ChangeLogFilterForm(PeriodFilterForm):
    record_type = forms.ChoiceField(label=_("Record type"), required=False, choices=_record_types)
    action = forms.ChoiceField(label=pgettext_lazy("audit", "Action"), required=False, choices=_change_actions)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=255)


def filter_data(query: Any, form_class: type[forms.Form]) -> dict[str, str]:
    """The non-empty parameters of ``query`` that are fields of ``form_class``, as strings."""
    return {name: str(query.get(name)) for name in form_class.base_fields if query.get(name) not in (None, "")}
