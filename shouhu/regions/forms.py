"""Forms of the regions screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.regions import codes
from shouhu.regions.selectors import normalise_query


class RegionSearchForm(forms.Form):
    """Search by name (substring) or by code (any leading digits)."""

    q = forms.CharField(
        label=_("Name or code"),
        max_length=50,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("e.g. 满庄 or 370911"),
                "autocomplete": "off",
                "enterkeyhint": "search",
            }
        ),
    )

    def clean_q(self) -> str:
        text = normalise_query(self.cleaned_data["q"])
        if text.isascii() and text.isdigit() and len(text) > codes.CODE_LENGTH:
            raise forms.ValidationError(
                _("A division code has at most 12 digits; %(count)d were typed."),
                code="too_long",
                params={"count": len(text)},
            )
        return text
