"""Forms of the policy screens: a value widget that fits the setting's type, a date, a reason.

The forms only parse what was typed; the service validates the value against the definition
and the view attaches its message to the field, so that the rules live in one place.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.policy.definitions import NUMBER_KINDS, TEXT_MAX_LENGTH, Definition, Kind, Value
from shouhu.policy.models import REASON_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def value_field(definition: Definition) -> forms.Field:
    """The form field of ``definition``'s value: numbers, yes/no, options or text."""
    label = _("New value")
    if definition.kind in NUMBER_KINDS:
        attrs: dict[str, Any] = {"inputmode": "numeric"}
        if definition.minimum is not None:
            attrs["min"] = definition.minimum
        if definition.maximum is not None:
            attrs["max"] = definition.maximum
        unit = definition.unit_label
        return forms.CharField(
            label=_("New value (%(unit)s)") % {"unit": unit} if unit else label,
            widget=forms.NumberInput(attrs=attrs),
            help_text=_("From %(minimum)s to %(maximum)s.")
            % {"minimum": definition.minimum, "maximum": definition.maximum}
            if definition.minimum is not None and definition.maximum is not None
            else "",
        )
    if definition.kind == Kind.BOOLEAN:
        return forms.ChoiceField(
            label=label, choices=[("true", _("Yes")), ("false", _("No"))], widget=forms.RadioSelect
        )
    if definition.kind == Kind.CHOICE:
        return forms.ChoiceField(label=label, choices=definition.choices, widget=forms.RadioSelect)
    if definition.kind == Kind.CHOICES:
        return forms.MultipleChoiceField(
            label=label, choices=definition.choices, widget=forms.CheckboxSelectMultiple, required=False
        )
    if definition.kind == Kind.TEXT:
        return forms.CharField(
            label=label, widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=TEXT_MAX_LENGTH
        )
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("One entry per line."),
    )


def initial_of(definition: Definition, value: Value) -> Any:
    """What the value field shows for ``value``."""
    if definition.kind == Kind.BOOLEAN:
        return "true" if value else "false"
    if definition.kind == Kind.CHOICES:
        return list(value)  # type: ignore[arg-type]
    if definition.kind == Kind.TEXT_LIST:
        return "\n".join(value)  # type: ignore[arg-type]
    return value


class PolicyValueForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=DateInput(),
        help_text=_("Today or a later date. The value applies from 00:00 (Beijing time) on that day."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the value changes, e.g. the number and title of the document that decided it."),
    )

    field_order = ("value", "effective_from", "reason")

    def __init__(self, *args: Any, definition: Definition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fields["value"] = value_field(definition)
        self.order_fields(self.field_order)


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AsOfForm(forms.Form):
    """The day whose values the list shows (default: today)."""

    on = forms.DateField(label=_("Values in force on"), required=False, widget=DateInput())
