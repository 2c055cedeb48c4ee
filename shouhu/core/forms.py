"""Form rendering: every ``{{ form }}`` renders as Bootstrap 5 markup through these templates."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class BootstrapFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/div.html"
    field_template_name = "core/forms/field.html"
