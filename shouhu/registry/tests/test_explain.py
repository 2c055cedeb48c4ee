"""Reasons rendered in the reader's language: translated message, dates and choice labels."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from shouhu.registry import explain
from shouhu.registry.facts import Reason


def test_a_reason_without_arguments_is_its_translated_message():
    with translation.override("en"):
        assert explain.render([Reason("Under 3 years of age")]) == ["Under 3 years of age"]


def test_dates_are_formatted_for_the_language():
    reason = Reason("%(relation)s died on %(date)s", {"relation": "father", "date": "2025-03-10"})
    with translation.override("en"):
        (english,) = explain.render([reason])
    with translation.override("zh-hans"):
        (chinese,) = explain.render([reason])
    assert english.startswith("Father died on ")
    assert "2025" in english
    assert "March" in english
    assert "2025年3月10日" in chinese


def test_stored_dicts_render_like_reasons():
    stored = Reason("%(relation)s died on %(date)s", {"relation": "mother", "date": "2024-02-29"}).as_json()
    with translation.override("en"):
        assert explain.render([stored]) == explain.render([Reason(stored["msg"], stored["args"])])


def test_a_date_object_is_formatted_too():
    with translation.override("zh-hans"):
        assert explain.format_date(date(2026, 2, 28)) == "2026年2月28日"
        assert explain.render([{"msg": "%(date)s", "args": {"date": date(2026, 2, 28)}}]) == ["2026年2月28日"]


@pytest.mark.parametrize(
    ("key", "value", "english"),
    [
        ("relation", "adoptive_mother", "Adoptive mother"),
        ("situation", "lost_contact", "Lost contact"),
        ("disability", "intellectual", "Intellectual"),
        ("economic_status", "dibao", "Minimum living allowance"),
        ("health", "chronic", "Chronic illness"),
        ("category", "left_behind", "Rural left-behind child"),
        ("form_sex", "female", "Female"),
        ("hukou_nature", "agricultural", "Agricultural"),
    ],
)
def test_choice_codes_are_shown_as_their_labels(key, value, english):
    with translation.override("en"):
        assert explain.render([{"msg": "%(" + key + ")s", "args": {key: value}}]) == [english]


def test_an_unknown_code_or_key_is_shown_as_it_is():
    with translation.override("en"):
        assert explain.render([{"msg": "%(relation)s", "args": {"relation": "cousin"}}]) == ["cousin"]
        assert explain.render([{"msg": "%(place)s", "args": {"place": "father"}}]) == ["father"]


def test_a_text_that_only_looks_like_a_date_is_kept():
    with translation.override("en"):
        assert explain.render([{"msg": "%(digits)s", "args": {"digits": "1991-02-30"}}]) == ["1991-02-30"]


def test_numbers_keep_their_format_specifiers():
    with translation.override("en"):
        rendered = explain.render([Reason("term %(months)d months", {"months": 36})])
    assert rendered == ["term 36 months"]


def test_a_message_with_a_literal_percent_and_no_arguments_is_not_formatted():
    with translation.override("en"):
        assert explain.render([Reason("100% sure")]) == ["100% sure"]


def test_a_broken_translation_falls_back_to_the_english_sentence(monkeypatch):
    monkeypatch.setattr(explain, "gettext", lambda msg: "%(wrong)s")
    assert explain.render([Reason("%(relation)s died", {"relation": "x"})]) == ["x died"]


def test_rendering_many_reasons_keeps_their_order():
    reasons = [Reason("Under 3 years of age"), Reason("No household registration")]
    with translation.override("en"):
        assert explain.render(reasons) == ["Under 3 years of age", "No household registration"]
