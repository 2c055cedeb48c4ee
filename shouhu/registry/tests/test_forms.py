"""Forms of the registry screens: what they accept, what they hand the services, which choices they offer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from shouhu.registry.choices import Category, FileStatus, SituationKind
from shouhu.registry.forms import (
    KIND_FIELDS,
    ChildFilterForm,
    ChildForm,
    EntrustedCareForm,
    FamilyMemberForm,
    OverrideForm,
    RevealForm,
    SituationForm,
    StatusForm,
    region_filter_choices,
    split_list,
)
from shouhu.registry.models import Person
from shouhu.registry.templatetags.registry import WEEKLY_CONTACT_DAYS, contact_status
from shouhu.registry.tests.factories import ChildFactory


def _choices(form: Any, name: str) -> list[Any]:
    return list(cast(Any, form.fields[name]).choices)


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("王小明、王明", ["王小明", "王明"]),
        ("王小明，王明; 王大明", ["王小明", "王明", "王大明"]),
        ("  13800000000 , 13900000000 ", ["13800000000", "13900000000"]),
        ("１３８００００００００", ["13800000000"]),  # full-width digits
        ("", []),
    ],
)
def test_lists_typed_in_one_box(typed, values):
    assert split_list(typed) == values


def test_filters_default_to_active_files(village_director):
    assert ChildFilterForm(None, actor=village_director).values() == {"status": FileStatus.ACTIVE}


def test_filters_hand_the_selector_clean_values(township_supervisor, regions):
    form = ChildFilterForm(
        {"q": " 王小明 ", "region": regions.village_a1b.code, "incomplete": "on", "category": Category.ORPHAN},
        actor=township_supervisor,
    )
    values = form.values()
    assert values["q"] == "王小明"
    assert values["region"] == regions.village_a1b.code
    assert values["incomplete"] is True
    assert values["category"] == Category.ORPHAN


def test_key_reasons_are_their_own_filter(village_director):
    form = ChildFilterForm(None, actor=village_director)
    categories = {value for value, _label in _choices(form, "category")}
    reasons = {value for value, _label in _choices(form, "key_reason")}
    assert Category.KEY_OUT_OF_SCHOOL not in categories
    assert Category.KEY_OUT_OF_SCHOOL in reasons
    assert Category.LEFT_BEHIND in categories


def test_a_region_outside_the_jurisdiction_is_not_a_choice(township_supervisor, regions):
    form = ChildFilterForm({"region": regions.village_a2a.code}, actor=township_supervisor)
    assert not form.is_valid()
    assert form.values() == {"status": FileStatus.ACTIVE}


@pytest.mark.parametrize(
    ("actor_name", "offered", "not_offered"),
    [
        ("township_supervisor", ["370902001001", "370902001002"], ["370902002001", "370902001000"]),
        ("county_caseworker", ["370902001000", "370902001001", "370902002001"], ["370911101201"]),
        ("other_county_caseworker", ["370911101000", "370911101201"], ["370902001001"]),
    ],
)
def test_region_choices_stay_inside_the_jurisdiction(actors, actor_name, offered, not_offered):
    codes = [code for code, _name in region_filter_choices(actors[actor_name])]
    for code in offered:
        assert code in codes
    for code in not_offered:
        assert code not in codes


def test_director_has_one_village_to_register_in(village_director):
    form = ChildForm(actor=village_director)
    villages = [code for _group, options in _choices(form, "village")[1:] for code, _name in options]
    assert villages == ["370902001001"]
    assert form.fields["village"].initial == "370902001001"


def test_supervisor_chooses_among_the_villages_of_the_township_grouped(township_supervisor):
    form = ChildForm(actor=township_supervisor)
    groups = dict(_choices(form, "village")[1:])
    assert list(groups) == ["岱庙街道"]
    assert [code for code, _name in groups["岱庙街道"]] == ["370902001001", "370902001002"]
    assert form.fields["village"].initial is None


def _child_data(**overrides):
    data = {
        "name": "张小军",
        "sex": "male",
        "birth_date": "2016-04-12",
        "ethnicity": "01",
        "village": "370902001001",
        "hukou_status": "registered",
        "hukou_nature": "unknown",
        "economic_status": "none",
        "guardianship_quality": "unassessed",
        "risk_level": "unassessed",
    }
    data.update(overrides)
    return data


def test_child_form_hands_the_service_regions_and_lists(village_director, regions):
    form = ChildForm(
        _child_data(former_names="张军、小军", phones="13800000000", hukou_region="370902"), actor=village_director
    )
    assert form.is_valid(), form.errors
    data = form.child_data()
    assert data["village"] == regions.village_a1a
    assert data["hukou_region"] == regions.county_a
    assert data["former_names"] == ["张军", "小军"]
    assert data["phones"] == ["13800000000"]
    assert "id_number" not in data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"village": "370902001002"}, "village"),  # another village
        ({"birth_date": "in two days"}, "birth_date"),
        ({"hukou_region": "12345"}, "hukou_region"),
        ({"hukou_region": "110101"}, "hukou_region"),  # a code not in the table of this world
        ({"disability_grade": "2"}, "disability_type"),
        ({"sex": ""}, "sex"),
        ({"name": ""}, "name"),
    ],
)
def test_child_form_refuses_bad_input_on_its_field(village_director, regions, overrides, field):
    if overrides.get("birth_date") == "in two days":
        overrides = {"birth_date": (timezone.localdate() + timedelta(days=2)).isoformat()}
    form = ChildForm(_child_data(**overrides), actor=village_director)
    assert not form.is_valid()
    assert field in form.errors


def test_edit_form_starts_from_the_file_and_has_no_number(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a, former_names=["张军"], phones=["13800000000"])
    form = ChildForm(actor=village_director, instance=child)
    assert "id_number" not in form.fields
    assert form["name"].value() == child.name
    assert form["village"].value() == child.village_id
    assert form["former_names"].value() == "张军"


@pytest.mark.parametrize("kind", list(SituationKind))
def test_each_kind_of_situation_shows_its_own_fields(kind):
    form = SituationForm(initial={"kind": kind})
    names = [field.name for field in form.shown_fields()]
    assert names[:2] == ["kind", "started_on"]
    assert names[-1] == "note"
    assert set(names[2:-1]) == set(KIND_FIELDS[kind])


def test_situation_form_requires_the_start():
    form = SituationForm({"kind": SituationKind.WORKING_AWAY, "started_on": ""})
    assert not form.is_valid()
    assert "started_on" in form.errors


def test_situation_form_drops_values_of_fields_the_kind_does_not_use():
    form = SituationForm(
        {"kind": SituationKind.WORKING_AWAY, "started_on": "2024-01-01", "place": "上海", "term_months": "36"}
    )
    assert form.is_valid(), form.errors
    assert form.situation_data()["term_months"] is None
    assert form.situation_data()["place"] == "上海"


def test_police_cannot_accept_a_report_before_contact_was_lost():
    form = SituationForm(
        {"kind": SituationKind.LOST_CONTACT, "started_on": "2024-05-01", "police_accepted_on": "2024-04-01"}
    )
    assert not form.is_valid()
    assert "police_accepted_on" in form.errors


def test_family_member_form_needs_a_name_or_an_existing_person(regions):
    form = FamilyMemberForm({"relation": "father", "source": "new"}, household=Person.objects.none())
    assert not form.is_valid()
    assert "name" in form.errors
    assert "existing" not in form.fields  # nobody to choose from


def test_entrusted_care_cannot_end_before_it_began(regions):
    form = EntrustedCareForm({"since": "2024-05-01", "until": "2024-04-01"}, family=Person.objects.none())
    assert not form.is_valid()
    assert "until" in form.errors


def test_status_form_offers_the_other_statuses_but_never_merged(regions):
    child = ChildFactory.create(village=regions.village_a1a)
    values = {value for value, _label in _choices(StatusForm(child=child), "status")}
    assert FileStatus.ACTIVE not in values
    assert FileStatus.MERGED not in values
    assert FileStatus.MOVED_AWAY in values


@pytest.mark.parametrize("form_class", [RevealForm, OverrideForm])
def test_a_reason_of_blanks_is_no_reason(form_class):
    form = form_class({"reason": "   ", "category": Category.ORPHAN, "effect": "include"})
    assert not form.is_valid()
    assert "reason" in form.errors


@pytest.mark.parametrize(
    ("days_ago", "kept"),
    [(0, True), (6, True), (WEEKLY_CONTACT_DAYS, True), (WEEKLY_CONTACT_DAYS + 1, False), (30, False)],
)
def test_weekly_contact_allows_at_most_seven_days_between_contacts(days_ago, kept):
    today = timezone.localdate()
    status = contact_status(today - timedelta(days=days_ago), today)
    assert status.known
    assert status.kept is kept
    assert status.days == days_ago


def test_weekly_contact_unknown_without_a_recorded_contact():
    status = contact_status(None, timezone.localdate())
    assert not status.known
    assert not status.kept
