"""The registry of settings: the defaults DOMAIN.md fixes, and value validation per type."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from shouhu.core.errors import DomainError
from shouhu.policy import definitions
from shouhu.policy.definitions import DEFINITIONS, Definition, Group, Kind, Tag

# The defaults DOMAIN.md ("Defaults Shouhu ships", §2, §8) and the brief of issue #2 require.
REQUIRED_DEFAULTS = [
    ("intake.triage_hours", Kind.HOURS, 24),
    ("intake.emergency_triage_hours", Kind.HOURS, 2),
    ("cases.emergency_response_hours", Kind.HOURS, 2),
    ("cases.referral_feedback_working_days", Kind.WORKING_DAYS, 15),
    ("visits.key_child_interval_months", Kind.CALENDAR_MONTHS, 1),
    ("visits.other_child_interval_months", Kind.CALENDAR_MONTHS, 3),
    ("placement.foster_first_year_interval_months", Kind.CALENDAR_MONTHS, 3),
    ("placement.foster_later_interval_months", Kind.CALENDAR_MONTHS, 6),
    ("placement.post_adoption_first_year_interval_months", Kind.CALENDAR_MONTHS, 3),
    ("placement.post_adoption_later_interval_months", Kind.CALENDAR_MONTHS, 6),
    ("workforce.training_rotations_per_year", Kind.INTEGER, 1),
    ("intake.late_mandatory_report_hours", Kind.HOURS, 24),
    ("registry.pretrial_detention_months", Kind.CALENDAR_MONTHS, 6),
    ("registry.lost_contact_threshold_day", Kind.CHOICE, "on_the_day"),
    ("registry.difficulty_categories", Kind.CHOICES, ("poverty", "disability", "guardianship")),
    ("registry.serious_illness_definition", Kind.TEXT, ""),
    ("registry.serious_illnesses", Kind.TEXT_LIST, ()),
]


@pytest.mark.parametrize(("key", "kind", "default"), REQUIRED_DEFAULTS)
def test_required_setting_has_the_documented_default(key: str, kind: Kind, default: Any) -> None:
    definition = DEFINITIONS[key]
    assert definition.kind == kind
    assert definition.default == default


def test_optional_difficulty_categories_are_orphans_and_temporary_hardship() -> None:
    options = [value for value, _label in DEFINITIONS["registry.difficulty_categories"].choices]
    assert options == ["poverty", "disability", "guardianship", "orphan", "temporary_hardship"]


def test_lost_contact_threshold_offers_the_day_and_the_day_after() -> None:
    options = [value for value, _label in DEFINITIONS["registry.lost_contact_threshold_day"].choices]
    assert options == ["on_the_day", "day_after"]


@pytest.mark.parametrize("definition", list(DEFINITIONS.values()), ids=list(DEFINITIONS))
def test_every_definition_is_complete_and_its_default_valid(definition: Definition) -> None:
    assert definitions.KEY_PATTERN.match(definition.key)
    assert definition.group == Group(definition.key.split(".")[0])
    assert str(definition.label)
    assert str(definition.help_text)
    assert str(definition.source)
    assert definition.tag in Tag
    assert definition.clean(definition.to_json(definition.default)) == definition.default
    if definition.kind in definitions.NUMBER_KINDS:
        assert definition.minimum is not None
        assert definition.maximum is not None
        assert definition.minimum <= definition.default <= definition.maximum  # type: ignore[operator]


def test_unconfirmed_defaults_are_tagged_u() -> None:
    assert DEFINITIONS["intake.triage_hours"].tag == Tag.UNCONFIRMED
    assert DEFINITIONS["visits.key_child_interval_months"].tag == Tag.UNCONFIRMED


def _definition(kind: Kind, **extra: Any) -> Definition:
    defaults: dict[str, Any] = {
        Kind.HOURS: 24,
        Kind.WORKING_DAYS: 15,
        Kind.CALENDAR_MONTHS: 3,
        Kind.INTEGER: 1,
        Kind.BOOLEAN: False,
        Kind.CHOICE: "a",
        Kind.CHOICES: ("a",),
        Kind.TEXT: "",
        Kind.TEXT_LIST: (),
    }
    options = {"choices": (("a", "A"), ("b", "B"), ("c", "C"))} if kind in (Kind.CHOICE, Kind.CHOICES) else {}
    bounds = {"minimum": 1, "maximum": 48} if kind in definitions.NUMBER_KINDS else {}
    fields: dict[str, Any] = {
        "key": f"intake.test_{kind.value}",
        "kind": kind,
        "default": defaults[kind],
        "label": "test",
        "help_text": "test",
        "tag": Tag.UNCONFIRMED,
        "source": "test",
        **options,
        **bounds,
        **extra,
    }
    return Definition(**fields)


VALID = [
    (Kind.HOURS, 24, 24),
    (Kind.HOURS, "24", 24),
    (Kind.HOURS, " 7 ", 7),
    (Kind.HOURS, "２４", 24),  # full-width digits from a Chinese input method
    (Kind.HOURS, 12.0, 12),
    (Kind.HOURS, 1, 1),
    (Kind.HOURS, 48, 48),
    (Kind.WORKING_DAYS, 15, 15),
    (Kind.CALENDAR_MONTHS, "6", 6),
    (Kind.INTEGER, 2, 2),
    (Kind.BOOLEAN, True, True),
    (Kind.BOOLEAN, False, False),
    (Kind.BOOLEAN, "true", True),
    (Kind.BOOLEAN, "False", False),
    (Kind.CHOICE, "b", "b"),
    (Kind.CHOICES, ["c", "a"], ("a", "c")),  # the definition's order, whatever the order sent
    (Kind.CHOICES, ("b",), ("b",)),
    (Kind.CHOICES, ["a", "a"], ("a",)),
    (Kind.TEXT, "  县民政局认定的重病  ", "县民政局认定的重病"),
    (Kind.TEXT, "", ""),
    (Kind.TEXT_LIST, "白血病\n\n 尿毒症 \r\n白血病", ("白血病", "尿毒症")),
    (Kind.TEXT_LIST, ["恶性肿瘤", "  "], ("恶性肿瘤",)),
    (Kind.TEXT_LIST, [], ()),
]


@pytest.mark.parametrize(("kind", "raw", "expected"), VALID)
def test_valid_value_is_typed(kind: Kind, raw: Any, expected: Any) -> None:
    assert _definition(kind).clean(raw) == expected


INVALID = [
    (Kind.HOURS, 0, "The value must be at least 1."),
    (Kind.HOURS, 49, "The value must be at most 48."),
    (Kind.HOURS, -3, "The value must be at least 1."),
    (Kind.HOURS, True, "Enter a whole number."),
    (Kind.HOURS, 2.5, "Enter a whole number."),
    (Kind.HOURS, "2.5", "Enter a whole number."),
    (Kind.HOURS, "", "Enter a whole number."),
    (Kind.HOURS, "二十四", "Enter a whole number."),
    (Kind.HOURS, None, "Enter a whole number."),
    (Kind.HOURS, [24], "Enter a whole number."),
    (Kind.WORKING_DAYS, "100", "The value must be at most 48."),
    (Kind.CALENDAR_MONTHS, "abc", "Enter a whole number."),
    (Kind.INTEGER, {"n": 1}, "Enter a whole number."),
    (Kind.BOOLEAN, 1, "Choose yes or no."),
    (Kind.BOOLEAN, "yes", "Choose yes or no."),
    (Kind.BOOLEAN, None, "Choose yes or no."),
    (Kind.CHOICE, "d", "Choose one of the listed options."),
    (Kind.CHOICE, 1, "Choose one of the listed options."),
    (Kind.CHOICE, ["a"], "Choose one of the listed options."),
    (Kind.CHOICES, "a", "Choose from the listed options (a list)."),
    (Kind.CHOICES, 3, "Choose from the listed options (a list)."),
    (Kind.CHOICES, ["a", "x"], "“x” is not one of the options."),
    (Kind.CHOICES, [1], "“1” is not one of the options."),
    (Kind.TEXT, 12, "Enter text."),
    (Kind.TEXT, "字" * 2001, "Enter at most 2000 characters."),
    (Kind.TEXT_LIST, 5, "Enter one entry per line."),
    (Kind.TEXT_LIST, ["ok", 5], "Every entry must be text."),
    (Kind.TEXT_LIST, ["病" * 101], "is longer than 100 characters."),
    (Kind.TEXT_LIST, [f"病{i}" for i in range(201)], "Enter at most 200 entries."),
]


@pytest.mark.parametrize(("kind", "raw", "message"), INVALID)
def test_invalid_value_is_refused_with_a_precise_message(kind: Kind, raw: Any, message: str) -> None:
    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            _definition(kind).clean(raw)
        assert message in str(caught.value.message)
    assert caught.value.field == "value"


def test_choices_refuse_to_drop_a_required_option() -> None:
    definition = DEFINITIONS["registry.difficulty_categories"]
    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            definition.clean(["poverty", "guardianship", "orphan"])
        assert "“Own disability” must stay selected." in str(caught.value.message)


def test_choices_accept_the_national_categories_with_the_optional_ones() -> None:
    definition = DEFINITIONS["registry.difficulty_categories"]
    value = definition.clean(["temporary_hardship", "guardianship", "disability", "poverty", "orphan"])
    assert value == ("poverty", "disability", "guardianship", "orphan", "temporary_hardship")


def test_choices_refuse_fewer_than_the_minimum() -> None:
    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            DEFINITIONS["visits.key_child_categories"].clean([])
        assert "Choose at least 1 option(s)." in str(caught.value.message)


def test_validation_message_is_chinese_by_default() -> None:
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as caught:
            DEFINITIONS["intake.triage_hours"].clean(0)
        assert str(caught.value.message) == "取值不得小于 1。"


DISPLAY = [
    ("intake.triage_hours", 24, "24 hours", "24 小时"),
    ("intake.triage_hours", 1, "1 hour", "1 小时"),
    ("cases.referral_feedback_working_days", 15, "15 working days", "15 个工作日"),
    ("visits.key_child_interval_months", 1, "1 calendar month", "1 个月"),
    ("workforce.training_rotations_per_year", 1, "1 time per calendar year", "每年 1 次"),
    ("registry.de_facto_unattended_public_notice", False, "No", "否"),
    ("registry.difficulty_categories", ("poverty", "orphan"), "Family poverty, Orphan", "家庭贫困、孤儿"),
    ("registry.serious_illnesses", (), "(none)", "（无）"),
]


@pytest.mark.parametrize(("key", "value", "english", "chinese"), DISPLAY)
def test_value_reads_naturally_in_both_languages(key: str, value: Any, english: str, chinese: str) -> None:
    definition = DEFINITIONS[key]
    with translation.override("en"):
        assert definition.display(value) == english
    with translation.override("zh-hans"):
        assert definition.display(value) == chinese


def test_registry_refuses_a_duplicate_key() -> None:
    hours = _definition(Kind.HOURS)
    with pytest.raises(ValueError, match="defined twice"):
        definitions._registry([hours, hours])


def test_registry_refuses_a_key_outside_the_groups() -> None:
    stray = Definition(
        key="nowhere.thing", kind=Kind.HOURS, default=1, label="x", help_text="x", tag=Tag.UNCONFIRMED, source="x"
    )
    with pytest.raises(ValueError, match=r"is not <group>\.<name>"):
        definitions._registry([stray])


def test_registry_refuses_a_default_out_of_range() -> None:
    with pytest.raises(ValueError, match="not a valid value"):
        definitions._registry([_definition(Kind.HOURS, default=100)])


def test_unknown_key_is_a_domain_error_on_the_key() -> None:
    with pytest.raises(DomainError) as caught:
        definitions.get_definition("intake.no_such_thing")
    assert caught.value.field == "key"
