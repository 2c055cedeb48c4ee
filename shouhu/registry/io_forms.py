"""Forms of the registry's import and export screens.

The upload form checks what can be checked at once (an xlsx, not too large, the register's
header row) so that a wrong file is refused on the page; every row is checked by the import job.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from shouhu.accounts.models import User
from shouhu.registry import exports, imports

MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024


class ImportUploadForm(forms.Form):
    register = forms.ChoiceField(
        label=_("Type of register"), choices=imports.RegisterKind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("Filled-in template (.xlsx)"),
        help_text=_(
            "At most 50 MB and 200,000 rows. Use the template of this type of register and keep its header row."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload: UploadedFile[bytes] | None = cleaned.get("file")
        kind = cleaned.get("register")
        if upload is None or not kind:
            return cleaned
        if not (upload.name or "").lower().endswith(".xlsx"):
            self.add_error("file", _("Upload an Excel workbook (.xlsx); other formats cannot be read."))
            return cleaned
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            self.add_error("file", _("The file is larger than %(size)d MB.") % {"size": MAX_UPLOAD_MB})
            return cleaned
        problem = imports.check_upload(upload, kind)
        upload.seek(0)
        if problem:
            self.add_error("file", problem)
        return cleaned


class ExportForm(forms.Form):
    """Masked numbers by default; full numbers only for roles allowed them, with a reason."""

    export_full = forms.BooleanField(
        label=_("Export full identity numbers"),
        required=False,
        help_text=_("Only when the work needs them. The reason is written to the access log."),
    )
    export_reason = forms.CharField(
        label=_("Reason for the full identity numbers"),
        required=False,
        max_length=exports.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.full_allowed = exports.may_export_full(actor)
        if not self.full_allowed:
            del self.fields["export_full"]
            del self.fields["export_reason"]

    @property
    def wants_full(self) -> bool:
        """Whether full numbers are requested (read from the raw data: the reason is shown then)."""
        if not self.full_allowed:
            return False
        if not self.is_bound:
            return bool(self.initial.get("export_full"))
        return str(self.data.get("export_full")).lower() in ("on", "true", "1")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("export_full") and not " ".join(str(cleaned.get("export_reason") or "").split()):
            self.add_error("export_reason", _("Give the reason for exporting full identity numbers."))
        return cleaned


class DecisionsForm(forms.Form):
    """Decisions posted from a page of possible duplicates (``decision-<row>``: new, skip or same:<pk>),
    or one decision for every row not decided yet (``rest``). The import checks each decision."""

    PREFIX = "decision-"

    rest = forms.ChoiceField(
        required=False,
        choices=[("", ""), (imports.DECIDE_NEW, _("Another child")), (imports.DECIDE_SKIP, _("Skip"))],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        choices: dict[int, str] = {}
        for key, value in self.data.items():
            if not key.startswith(self.PREFIX) or not value:
                continue
            row = key.removeprefix(self.PREFIX)
            if not row.isdigit():
                raise forms.ValidationError(_("The decisions could not be read; reload the page."))
            choices[int(row)] = str(value)
        if not choices and not cleaned.get("rest"):
            raise forms.ValidationError(_("Choose a decision for at least one row."))
        cleaned["choices"] = choices
        return cleaned
