"""Forms of the API-token screens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.accounts.models import User
from shouhu.accounts.selectors import visible_users
from shouhu.api import rules
from shouhu.api.choices import TokenStatus


class IssueTokenForm(forms.Form):
    owner = forms.CharField(
        label=_("Account (user name)"),
        max_length=150,
        help_text=_(
            "The account of the partner system, e.g. the data exchange of the education bureau. "
            "The token acts with this account's access."
        ),
    )
    name = forms.CharField(
        label=_("Token name"),
        max_length=rules.NAME_MAX_LENGTH,
        help_text=_("What uses the token, e.g. “Education bureau enrolment sync”."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # what <input type=date> reads
        help_text=_("The token stops working at the start of this day: one year by default, two years at most."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        today = timezone.localdate()
        self.fields["expires_on"].initial = rules.default_expiry(today)
        date_attrs = self.fields["expires_on"].widget.attrs
        date_attrs["min"] = (today + timedelta(days=1)).isoformat()
        date_attrs["max"] = rules.latest_expiry(today).isoformat()

    def clean_owner(self) -> User:
        username = self.cleaned_data["owner"].strip()
        owner = visible_users(self.actor).filter(username=username).first()
        if owner is None:
            # The same answer for "no such user" and "not in your jurisdiction".
            raise forms.ValidationError(_("There is no account with this user name in your jurisdiction."))
        return owner


class TokenFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *TokenStatus.choices],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
