"""``{{ form }}`` renders Bootstrap 5 markup, and a rejected form keeps what was typed."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from shouhu.core.testing import login
from shouhu.dashboards.tests.urls_shell import SampleForm

pytestmark = pytest.mark.urls("shouhu.dashboards.tests.urls_shell")


def tag(html, name):
    """The opening tag of the widget called ``name``."""
    match = re.search(rf'<(input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert match, f"no widget {name}"
    return match.group(0)


def test_unbound_form_has_labels_bootstrap_classes_help_and_required_markers():
    html = str(SampleForm())
    assert '<label class="form-label" for="id_name">姓名' in html
    assert 'class="form-control"' in tag(html, "name")
    assert 'class="form-select"' in tag(html, "kind")
    assert 'class="form-control"' in tag(html, "notes")
    assert 'class="form-check-input"' in tag(html, "agree")
    assert '<label class="form-check-label" for="id_agree">同意' in html
    assert 'id="id_name_helptext">与身份证一致</div>' in html
    assert 'aria-describedby="id_name_helptext"' in tag(html, "name")
    # required fields are marked, optional ones not
    assert re.search(r'for="id_name">姓名<span class="text-danger ms-1" aria-hidden="true">\*</span>', html)
    assert re.search(r'for="id_phone">电话</label>', html)
    assert "required" in tag(html, "name")


def test_radio_choices_are_bootstrap_form_checks_in_a_fieldset():
    html = str(SampleForm())
    assert "<fieldset" in html
    assert '<legend class="form-label fs-6">级别' in html
    radios = re.findall(r'<div class="form-check"><input type="radio"[^>]*>', html)
    assert len(radios) == 2
    assert all('class="form-check-input"' in radio for radio in radios)


def test_hidden_field_gets_no_bootstrap_class():
    assert "class=" not in tag(str(SampleForm()), "token")


def test_errors_mark_the_field_invalid_and_explain_next_to_it():
    form = SampleForm({"name": "太长的名字啊啊", "kind": "a", "level": "1"})
    html = str(form)
    name = tag(html, "name")
    assert "is-invalid" in name
    assert 'aria-invalid="true"' in name
    assert 'aria-describedby="id_name_helptext id_name_error"' in name
    assert '<div class="invalid-feedback d-block" id="id_name_error">' in html
    assert "is-invalid" in tag(html, "agree")  # required checkbox left empty
    assert "is-invalid" not in tag(html, "phone")


def test_the_form_keeps_what_was_typed():
    html = str(SampleForm({"name": "太长的名字啊啊", "phone": "123", "notes": "说明", "kind": "b", "level": "2"}))
    assert 'value="太长的名字啊啊"' in tag(html, "name")
    assert 'value="123"' in tag(html, "phone")
    assert ">\n说明</textarea>" in html
    assert re.search(r'<option value="b" selected>', html)
    assert re.search(r'<input type="radio" name="level" value="2"[^>]*checked', html)


def test_non_field_errors_are_an_alert_above_the_fields():
    form = SampleForm({"name": "张三", "phone": "000", "kind": "a", "agree": "on", "level": "1"})
    html = str(form)
    alert = html.index('class="alert alert-danger')
    assert "电话与姓名不符" in html
    assert alert < html.index('name="name"')


def test_a_rejected_form_page_shows_the_errors_in_the_layout(village_director):
    client = login(Client(), village_director)
    response = client.post("/test/form/", {"name": "张三", "phone": "000"})
    page = response.content.decode()
    assert "is-invalid" in page
    assert 'value="张三"' in page


@override_settings(LANGUAGE_CODE="en")
def test_as_div_renders_the_same_bootstrap_markup():
    form = SampleForm()
    assert form.as_div() == str(form)
