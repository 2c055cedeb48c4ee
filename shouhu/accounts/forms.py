"""Forms of the log-in, second factor, password, profile, user, agency and import screens.

Forms validate input and shape; the rules of who may place whom where are in ``services.py``
(and reported back onto the fields by the views).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from shouhu.accounts import roles as role_rules
from shouhu.accounts import selectors
from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, User
from shouhu.accounts.validators import normalise_text, validate_credit_code, validate_mobile
from shouhu.regions import codes
from shouhu.regions.models import Region

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_username(self) -> str:
        return User.normalize_username(normalise_text(self.cleaned_data["username"]))


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code of your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class SetupCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code shown by the app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class OwnPasswordChangeForm(PasswordChangeForm):
    """Old password and the new one twice; Django's validators plus ``CharacterClassValidator``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new = cleaned.get("new_password1")
        if new and self.user.check_password(new):
            self.add_error("new_password1", _("The new password must differ from the current one."))
        return cleaned


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the screens"), choices=settings.LANGUAGES)


class RegionCodeField(forms.CharField):
    """A division code typed or picked from a list of suggestions (the page's ``<datalist>``)."""

    def __init__(self, *, datalist: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)
        attrs = {"inputmode": "numeric", "autocomplete": "off"}
        if datalist:
            attrs["list"] = datalist
        self.widget.attrs.update(attrs)

    def clean(self, value: Any) -> Region | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        code = normalise_text(text).split(" ", 1)[0]
        try:
            code = codes.pad(code)
        except codes.CodeError:
            raise forms.ValidationError(
                _("Enter a division code of 12 digits (or 6 or 9), for example 370902001001."), code="invalid"
            ) from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(
                _("The division code %(code)s is not in the table of regions."), params={"code": code}, code="unknown"
            )
        return region


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
    region = RegionCodeField(label=_("Region"), required=False, datalist="region-options")
    agency = forms.ModelChoiceField(label=_("Agency"), required=False, queryset=Agency.objects.none())
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("deactivated", _("Deactivated")), ("all", _("All"))],
    )
    locked = forms.ChoiceField(
        label=_("Locked"), required=False, choices=[("", _("Any")), ("yes", _("Locked")), ("no", _("Not locked"))]
    )
    second_factor = forms.ChoiceField(
        label=_("Second factor"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Set up")), ("no", _("Not set up"))],
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.agencies_in_reach(actor)  # type: ignore[attr-defined]

    def filters(self) -> selectors.UserFilters:
        if not self.is_valid():
            return selectors.UserFilters(status="active")
        data = self.cleaned_data
        region = data.get("region")
        agency = data.get("agency")
        return selectors.UserFilters(
            q=normalise_text(data.get("q") or ""),
            role=data.get("role") or "",
            region=region.code if region else "",
            agency=agency.pk if agency else None,
            status=data.get("status") or "active",
            locked=data.get("locked") or "",
            second_factor=data.get("second_factor") or "",
        )


class UserForm(forms.Form):
    """Create or edit a user; the placement rules are the service's (errors come back per field)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; used to log in and cannot be changed later."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False, validators=[validate_mobile])
    jurisdiction = RegionCodeField(
        label=_("Jurisdiction"),
        datalist="region-options",
        help_text=_("The division code of the region whose data the user works on (village, township, county, city)."),
    )
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=())
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)

    def __init__(self, *args: Any, actor: User, instance: User | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": instance.full_name,
                    "phone": instance.phone,
                    "jurisdiction": instance.jurisdiction_id or "",
                    "agency": instance.agency_id,
                    "roles": sorted(instance.roles),
                    "language": instance.language,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            del self.fields["username"]
        self.fields["agency"].queryset = selectors.agencies_in_reach(  # type: ignore[attr-defined]
            actor, include=instance.agency_id if instance else None
        )
        grantable = role_rules.grantable_roles(actor.roles, is_superuser=actor.is_superuser)
        self.fields["roles"].choices = [(r.value, r.label) for r in Role if r in grantable]  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data.get("phone") or ""
        return normalise_text(phone)

    def role_values(self) -> list[Role]:
        return [Role(r) for r in self.cleaned_data.get("roles", [])]


class AgencyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *AgencyKind.choices])
    region = RegionCodeField(label=_("Region"), required=False, datalist="region-options")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))],
    )

    def filters(self) -> selectors.AgencyFilters:
        if not self.is_valid():
            return selectors.AgencyFilters()
        data = self.cleaned_data
        region = data.get("region")
        return selectors.AgencyFilters(
            q=normalise_text(data.get("q") or ""),
            kind=data.get("kind") or "",
            region=region.code if region else "",
            status=data.get("status") or "active",
        )


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgencyKind.choices)
    region = RegionCodeField(
        label=_("Region"), datalist="region-options", help_text=_("The division code of the region the agency serves.")
    )
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=Agency.objects.none(), required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False, validators=[validate_credit_code]
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, actor: User, instance: Agency | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "kind": instance.kind,
                    "region": instance.region_id,
                    "parent": instance.parent_id,
                    "credit_code": instance.credit_code,
                    "phone": instance.phone,
                    "address": instance.address,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        parents = selectors.agencies_in_reach(actor, include=instance.parent_id if instance else None)
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean_credit_code(self) -> str:
        return normalise_text(self.cleaned_data.get("credit_code") or "").upper()


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in template (.xlsx)"),
        help_text=_("At most 5 MB and 5,000 rows. Use the downloaded template and keep its header row."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        from shouhu.accounts import user_import  # noqa: PLC0415  (keeps openpyxl out of form import time)

        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx); other formats cannot be read."))
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        problem = user_import.check_file(upload)
        if problem:
            raise forms.ValidationError(problem)
        upload.seek(0)
        return upload
