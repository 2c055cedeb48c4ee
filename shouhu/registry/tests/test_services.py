"""Services of the registry: registration, identity numbers, family, situations, decisions, reveal,
file status, and that every change keeps the derived state (completeness, categories) current."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import translation

from shouhu.audit.models import AccessEvent
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.policy import selectors as policy_selectors
from shouhu.regions.tests.factories import make_region
from shouhu.registry import idnumber, services
from shouhu.registry.choices import Category, FileStatus, Relation, SituationKind
from shouhu.registry.models import CategoryOverride, Child, Classification, EntrustedCare, Kinship, Person, Situation
from shouhu.registry.selectors import born_by
from shouhu.registry.tests.factories import (
    ChildFactory,
    KinshipFactory,
    PersonFactory,
    add_parent,
    left_behind_child,
    valid_id_number,
)

pytestmark = pytest.mark.django_db

BORN = date(2016, 4, 12)


def child_data(regions, **overrides):
    data = {
        "name": "李小雨",
        "sex": "female",
        "birth_date": BORN,
        "village": regions.village_a1a,
        "residence_address": "东湖路8号",
        "school_status": "primary",
        "health_status": "healthy",
        "phones": ["13905380001"],
    }
    data.update(overrides)
    return data


def current(child):
    return set(Classification.objects.filter(child=child, until__isnull=True).values_list("category", flat=True))


# -- registration ---------------------------------------------------------------------------------


def test_director_registers_a_child_with_an_identity_number_stored_three_ways(village_director, regions):
    number = valid_id_number(BORN, "female")
    child = services.register_child(actor=village_director, data=child_data(regions), id_number=number)
    child.refresh_from_db()
    assert child.county_code == "370902"
    assert child.id_number_mask == idnumber.mask(number)
    assert number not in child.id_number_cipher
    assert child.id_number_hash == services.id_number_hash(number)
    assert services.reveal_id_number(actor=village_director, obj=child, reason="核对户籍") == number
    assert child.created_by == village_director


def test_full_width_digits_and_lower_case_x_are_normalised(village_director, regions):
    number = valid_id_number(BORN, "female")
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number)
    child = services.register_child(actor=village_director, data=child_data(regions), id_number=f" {typed} ")
    assert child.id_number_hash == services.id_number_hash(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("37090220160412002", "length"),
        ("3709022016041200AB", "characters"),
        ("370902201604120021", "check"),  # last character changed
        ("370902201602300023", "birth_date"),
    ],
)
def test_invalid_identity_number_is_refused_with_its_cause(village_director, regions, number, code):
    valid = valid_id_number(BORN, "female")
    if code == "check":
        last = "0" if valid[-1] != "0" else "1"
        number = valid[:-1] + last
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=village_director, data=child_data(regions), id_number=number)
    assert caught.value.field == "id_number"
    assert caught.value.code == code
    assert not Child.objects.exists()


def test_number_disagreeing_with_the_birth_date_and_sex_is_refused(village_director, regions):
    number = valid_id_number(date(2015, 1, 1), "male")
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=village_director, data=child_data(regions), id_number=number)
    assert len(caught.value.errors["id_number"]) == 2
    assert caught.value.code == "birth_date_mismatch"


def test_birth_date_in_the_future_is_refused(village_director, regions):
    tomorrow = policy_selectors.today() + timedelta(days=1)
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=village_director, data=child_data(regions, birth_date=tomorrow))
    assert caught.value.field == "birth_date"
    assert caught.value.code == "future"


def test_an_adult_gets_no_file(village_director, regions):
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=village_director, data=child_data(regions, birth_date=date(2000, 1, 1)))
    assert caught.value.code == "adult"


def test_village_outside_the_jurisdiction_is_refused(village_director, regions):
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=village_director, data=child_data(regions, village=regions.village_a1b))
    assert caught.value.field == "village"
    assert caught.value.code == "outside_jurisdiction"


def test_a_township_is_not_a_village(township_supervisor, regions):
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=township_supervisor, data=child_data(regions, village=regions.township_a1))
    assert caught.value.field == "village"


def test_disability_grade_without_type_is_refused(village_director, regions):
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=village_director, data=child_data(regions, disability_grade=2))
    assert caught.value.field == "disability_type"


def test_every_problem_of_the_input_is_reported_at_once(village_director, regions):
    with pytest.raises(services.InvalidDataError) as caught:
        services.register_child(
            actor=village_director,
            data=child_data(regions, name="", sex="unknown", phones=["abc"]),
            id_number="123",
        )
    assert set(caught.value.errors) == {"name", "sex", "phones", "id_number"}


def test_messages_are_in_the_users_language(village_director, regions):
    with translation.override("en"), pytest.raises(services.InvalidDataError) as caught:
        services.register_child(actor=village_director, data=child_data(regions, birth_date="2016-13-01"))
    assert caught.value.errors["birth_date"] == ["Enter a date as YYYY-MM-DD."]


@pytest.mark.parametrize("name", ["department_liaison", "auditor", "city_admin", "mandated_reporter"])
def test_roles_without_child_files_cannot_register(actors, regions, name):
    with pytest.raises(NotAllowedError):
        services.register_child(actor=actors[name], data=child_data(regions))


def test_a_number_on_file_opens_the_existing_file(village_director, regions):
    number = valid_id_number(BORN, "female")
    existing = services.register_child(actor=village_director, data=child_data(regions), id_number=number)
    with pytest.raises(services.DuplicateChildError) as caught:
        services.register_child(
            actor=village_director,
            data=child_data(regions, name="李雨"),
            id_number=number,
            allow_possible_duplicates=True,
        )
    assert caught.value.existing == existing
    assert caught.value.visible
    assert Child.objects.count() == 1


def test_a_number_on_file_elsewhere_is_refused_without_opening_that_file(actors, regions):
    number = valid_id_number(BORN, "female")
    services.register_child(actor=actors["village_director"], data=child_data(regions), id_number=number)
    with pytest.raises(services.DuplicateChildError) as caught:
        services.register_child(
            actor=actors["other_county_caseworker"],
            data=child_data(regions, village=regions.village_b1a),
            id_number=number,
        )
    assert not caught.value.visible


def test_likely_existing_child_is_shown_before_a_new_file(village_director, regions):
    existing = services.register_child(actor=village_director, data=child_data(regions))
    with pytest.raises(services.PossibleDuplicatesError) as caught:
        services.register_child(actor=village_director, data=child_data(regions, name="李小语"))
    assert [c.child for c in caught.value.candidates] == [existing]
    second = services.register_child(
        actor=village_director, data=child_data(regions, name="李小语"), allow_possible_duplicates=True
    )
    assert second.pk != existing.pk


def test_a_child_with_another_number_is_not_a_likely_duplicate(village_director, regions):
    services.register_child(actor=village_director, data=child_data(regions), id_number=valid_id_number(BORN, "female"))
    twin = services.register_child(
        actor=village_director, data=child_data(regions, name="李小雪"), id_number=valid_id_number(BORN, "female")
    )
    assert twin.pk


def test_a_child_without_registration_can_be_registered_without_a_number(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions, hukou_status="unregistered"))
    assert Category.KEY_UNREGISTERED in current(child)
    assert "id_number" not in child.missing_fields


# -- update ---------------------------------------------------------------------------------------


def test_update_changes_facts_and_recomputes_categories(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    assert Category.KEY_OUT_OF_SCHOOL not in current(child)
    services.update_child(actor=village_director, child=child, data={"school_status": "dropped_out"})
    assert Category.KEY_OUT_OF_SCHOOL in current(child)
    services.update_child(actor=village_director, child=child, data={"school_status": "primary"})
    assert Category.KEY_OUT_OF_SCHOOL not in current(child)
    ended = Classification.objects.get(child=child, category=Category.KEY_OUT_OF_SCHOOL)
    assert ended.until == policy_selectors.today()


def test_changing_the_birth_date_against_the_stored_number_is_refused(village_director, regions):
    child = services.register_child(
        actor=village_director, data=child_data(regions), id_number=valid_id_number(BORN, "female")
    )
    with pytest.raises(services.InvalidDataError) as caught:
        services.update_child(actor=village_director, child=child, data={"birth_date": date(2016, 4, 13)})
    assert caught.value.field == "id_number"


def test_moving_a_child_moves_the_rows_of_the_file(township_supervisor, regions):
    child = services.register_child(actor=township_supervisor, data=child_data(regions))
    kinship = services.add_family_member(
        actor=township_supervisor, child=child, relation=Relation.MOTHER, person_data={"name": "王芳", "sex": "female"}
    )
    services.update_child(actor=township_supervisor, child=child, data={"village": "370902001002"})
    kinship.refresh_from_db()
    kinship.person.refresh_from_db()
    assert kinship.village_code == "370902001002"
    assert kinship.person.village_id == "370902001002"
    assert set(
        Classification.objects.filter(child=child, until__isnull=True).values_list("village_code", flat=True)
    ) <= {"370902001002"}


def test_director_cannot_move_a_child_out_of_the_village(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    with pytest.raises(services.InvalidDataError):
        services.update_child(actor=village_director, child=child, data={"village": regions.village_a1b})


def test_director_of_another_village_cannot_change_the_file(actors, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    with pytest.raises(NotAllowedError):
        services.update_child(actor=actors["other_village_director"], child=child, data={"name": "改名"})


def test_set_id_number_later_and_remove_it(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    assert "id_number" in Child.objects.get(pk=child.pk).missing_fields
    number = valid_id_number(BORN, "female")
    services.set_id_number(actor=village_director, obj=child, id_number=number)
    stored = Child.objects.get(pk=child.pk)
    assert stored.id_number_hash == services.id_number_hash(number)
    assert "id_number" not in stored.missing_fields
    services.set_id_number(actor=village_director, obj=child, id_number="")
    assert Child.objects.get(pk=child.pk).id_number_hash == ""


def test_set_id_number_refuses_a_number_of_another_child(village_director, regions):
    number = valid_id_number(BORN, "female")
    services.register_child(actor=village_director, data=child_data(regions), id_number=number)
    other = services.register_child(
        actor=village_director, data=child_data(regions, name="张三", sex="male"), allow_possible_duplicates=True
    )
    with pytest.raises(services.InvalidDataError):  # the sex disagrees first
        services.set_id_number(actor=village_director, obj=other, id_number=number)
    sister = services.register_child(
        actor=village_director, data=child_data(regions, name="李小雪"), allow_possible_duplicates=True
    )
    with pytest.raises(services.DuplicateChildError):
        services.set_id_number(actor=village_director, obj=sister, id_number=number)


# -- family and situations -------------------------------------------------------------------------


def test_family_and_situations_make_a_de_facto_unattended_child(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    father = services.add_family_member(
        actor=village_director, child=child, relation=Relation.FATHER, person_data={"name": "李强", "sex": "male"}
    )
    mother = services.add_family_member(
        actor=village_director,
        child=child,
        relation=Relation.MOTHER,
        person_data={"name": "王芳", "sex": "female"},
        is_guardian=True,
    )
    services.record_situation(
        actor=village_director,
        person=father.person,
        data={"kind": SituationKind.IMPRISONED, "started_on": date(2025, 3, 10), "term_months": 36},
    )
    assert Category.DE_FACTO_UNATTENDED not in current(child)
    services.record_situation(
        actor=village_director, person=mother.person, data={"kind": SituationKind.DEAD, "started_on": date(2024, 1, 5)}
    )
    assert Category.DE_FACTO_UNATTENDED in current(child)
    row = Classification.objects.get(child=child, category=Category.DE_FACTO_UNATTENDED, until__isnull=True)
    assert {r["args"].get("relation") for r in row.explanation} >= {"father", "mother"}


def test_a_situation_without_a_start_date_is_refused(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    kinship = services.add_family_member(
        actor=village_director, child=child, relation=Relation.FATHER, person_data={"name": "李强"}
    )
    with pytest.raises(services.InvalidDataError) as caught:
        services.record_situation(actor=village_director, person=kinship.person, data={"kind": "lost_contact"})
    assert caught.value.field == "started_on"
    assert not Situation.objects.exists()


def test_situation_ending_before_it_began_is_refused(village_director, regions):
    person = add_parent(ChildFactory.create(village=regions.village_a1a))
    with pytest.raises(services.InvalidDataError) as caught:
        services.record_situation(
            actor=village_director,
            person=person,
            data={"kind": "working_away", "started_on": date(2024, 5, 1), "ended_on": date(2024, 4, 1)},
        )
    assert caught.value.field == "ended_on"


def test_end_situation_recomputes_the_categories(regions, county_caseworker):
    child = left_behind_child(village=_rural_village_of_county_a())
    services.reclassify(child=child)
    assert Category.LEFT_BEHIND in current(child)
    father_away = Situation.objects.filter(person__kinships__child=child, person__kinships__relation="father").get()
    services.end_situation(actor=county_caseworker, situation=father_away, ended_on=policy_selectors.today())
    assert Category.LEFT_BEHIND not in current(child)


def _rural_village_of_county_a():
    return make_region("370902002201", "李家村", urban_rural_class="220")


def test_sibling_shares_the_parent_recorded_with_the_identity_number(village_director, regions):
    number = valid_id_number(date(1985, 6, 1), "male")
    first = services.register_child(actor=village_director, data=child_data(regions))
    second = services.register_child(
        actor=village_director, data=child_data(regions, name="李小风", sex="male", birth_date=date(2019, 2, 2))
    )
    a = services.add_family_member(
        actor=village_director,
        child=first,
        relation=Relation.FATHER,
        person_data={"name": "李强", "sex": "male", "birth_date": date(1985, 6, 1)},
        id_number=number,
    )
    b = services.add_family_member(
        actor=village_director,
        child=second,
        relation=Relation.FATHER,
        person_data={"name": "李强", "sex": "male", "birth_date": date(1985, 6, 1)},
        id_number=number,
    )
    assert a.person_id == b.person_id
    assert Person.objects.count() == 1


def test_a_second_father_is_refused(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    services.add_family_member(actor=village_director, child=child, relation="father", person_data={"name": "李强"})
    with pytest.raises(services.InvalidDataError) as caught:
        services.add_family_member(
            actor=village_director, child=child, relation="adoptive_father", person_data={"name": "赵刚"}
        )
    assert caught.value.code == "parent_recorded"


def test_a_person_the_actor_cannot_see_cannot_be_related(actors, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    stranger = PersonFactory.create(village=regions.village_b1a)
    with pytest.raises(NotAllowedError):
        services.add_family_member(
            actor=actors["village_director"], child=child, relation="uncle_aunt", person=stranger
        )


def test_removing_the_last_relation_removes_the_person(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    kinship = services.add_family_member(
        actor=village_director, child=child, relation="father", person_data={"name": "李强"}
    )
    services.remove_family_member(actor=village_director, kinship=kinship)
    assert not Kinship.objects.exists()
    assert not Person.objects.exists()
    assert "father" in Child.objects.get(pk=child.pk).missing_fields


def test_update_person_changes_the_details(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    kinship = services.add_family_member(
        actor=village_director, child=child, relation="father", person_data={"name": "李强"}
    )
    services.record_situation(
        actor=village_director,
        person=kinship.person,
        data={"kind": "imprisoned", "started_on": "2025-01-01", "term_months": 24},
    )
    services.update_person(actor=village_director, person=kinship.person, data={"name": "李强国"})
    assert Person.objects.get(pk=kinship.person_id).name == "李强国"


def test_entrusted_care_is_recorded_and_a_new_carer_ends_the_old_one(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    grandma = services.add_family_member(
        actor=village_director, child=child, relation="paternal_grandmother", person_data={"name": "张奶奶"}
    ).person
    aunt = services.add_family_member(
        actor=village_director, child=child, relation="uncle_aunt", person_data={"name": "李姑姑"}
    ).person
    first = services.set_entrusted_care(
        actor=village_director, child=child, carer=grandma, data={"since": date(2024, 3, 1)}
    )
    services.set_entrusted_care(
        actor=village_director, child=child, carer=grandma, data={"confirmation_signed_on": date(2024, 3, 5)}
    )
    first.refresh_from_db()
    assert first.confirmation_signed_on == date(2024, 3, 5)
    services.set_entrusted_care(actor=village_director, child=child, carer=aunt, data={"since": date(2025, 1, 1)})
    first.refresh_from_db()
    assert first.until == date(2025, 1, 1)
    assert EntrustedCare.objects.filter(child=child, until__isnull=True).get().carer == aunt


def test_a_parent_is_not_an_entrusted_carer(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    mother = services.add_family_member(
        actor=village_director, child=child, relation="mother", person_data={"name": "王芳"}
    ).person
    with pytest.raises(services.InvalidDataError) as caught:
        services.set_entrusted_care(actor=village_director, child=child, carer=mother, data={"since": "2024-01-01"})
    assert caught.value.field == "carer"


# -- decisions on categories -----------------------------------------------------------------------


def test_caseworker_includes_and_withdraws_a_category_with_reasons(county_caseworker, regions):
    child = services.register_child(actor=county_caseworker, data=child_data(regions))
    decision = services.override_category(
        actor=county_caseworker,
        child=child,
        category=Category.DIFFICULTY_GUARDIANSHIP,
        effect="include",
        reason="家访核实：监护人长期酗酒",
    )
    row = Classification.objects.get(child=child, category=Category.DIFFICULTY_GUARDIANSHIP, until__isnull=True)
    assert row.source == "override"
    assert row.explanation[0]["args"]["reason"] == "家访核实：监护人长期酗酒"
    services.withdraw_override(actor=county_caseworker, override=decision, reason="监护人已戒酒")
    assert Category.DIFFICULTY_GUARDIANSHIP not in current(child)
    decision.refresh_from_db()
    assert decision.withdrawn_by == county_caseworker


def test_caseworker_excludes_a_category_the_rules_find(county_caseworker, regions):
    child = services.register_child(
        actor=county_caseworker, data=child_data(regions, birth_date=policy_selectors.today() - timedelta(days=400))
    )
    assert Category.INFANT in current(child)
    services.override_category(
        actor=county_caseworker, child=child, category=Category.INFANT, effect="exclude", reason="测试排除"
    )
    assert Category.INFANT not in current(child)


@pytest.mark.parametrize("name", ["village_director", "township_supervisor", "intake_officer"])
def test_only_caseworkers_decide_on_categories(actors, regions, name):
    child = ChildFactory.create(village=regions.village_a1a)
    with pytest.raises(NotAllowedError):
        services.override_category(
            actor=actors[name], child=child, category=Category.DISABLED, effect="include", reason="x"
        )


def test_a_decision_needs_a_reason(county_caseworker, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    with pytest.raises(services.InvalidDataError) as caught:
        services.override_category(
            actor=county_caseworker, child=child, category=Category.DISABLED, effect="include", reason="  "
        )
    assert caught.value.field == "reason"
    assert not CategoryOverride.objects.exists()


# -- reveal ---------------------------------------------------------------------------------------


def test_reveal_is_written_to_the_access_log_with_the_reason(village_director, regions):
    number = valid_id_number(BORN, "female")
    child = services.register_child(actor=village_director, data=child_data(regions), id_number=number)
    assert services.reveal_id_number(actor=village_director, obj=child, reason="办理低保核对") == number
    event = AccessEvent.objects.get(action="reveal")
    assert event.object_type == "registry.child"
    assert event.object_id == str(child.pk)
    assert event.region_code == "370902001001"
    assert event.reason == "办理低保核对"
    assert number not in event.summary


def test_reveal_needs_a_reason(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a, id_number=True)
    with pytest.raises(services.InvalidDataError):
        services.reveal_id_number(actor=village_director, obj=child, reason=" ")
    assert not AccessEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("name", ["other_village_director", "auditor", "city_admin", "department_liaison"])
def test_reveal_is_refused_outside_the_roles_and_places(actors, regions, name):
    child = ChildFactory.create(village=regions.village_a1a, id_number=True)
    with pytest.raises(NotAllowedError):
        services.reveal_id_number(actor=actors[name], obj=child, reason="好奇")


def test_reveal_of_a_family_members_number(village_director, regions):
    number = valid_id_number(date(1985, 6, 1), "male")
    person = PersonFactory.create(village=regions.village_a1a, birth_date=date(1985, 6, 1), id_number=number)
    assert services.reveal_id_number(actor=village_director, obj=person, reason="核对") == number
    assert AccessEvent.objects.get(action="reveal").object_type == "registry.person"


# -- file status and derived state ----------------------------------------------------------------


def test_closing_a_file_ends_its_categories_and_keeps_the_reason(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions, school_status="dropped_out"))
    assert current(child)
    services.change_file_status(
        actor=village_director,
        child=child,
        status=FileStatus.MOVED_AWAY,
        on=policy_selectors.today(),
        reason="随父母迁往济南",
    )
    assert current(child) == set()
    entry = LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.UPDATE).first()
    assert entry.additional_data["reason"] == "随父母迁往济南"
    services.change_file_status(
        actor=village_director, child=child, status=FileStatus.ACTIVE, on=policy_selectors.today(), reason="返回"
    )
    assert Category.KEY_OUT_OF_SCHOOL in current(child)


def test_file_status_needs_a_reason_and_a_real_status(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    with pytest.raises(services.InvalidDataError) as caught:
        services.change_file_status(
            actor=village_director, child=child, status="merged", on=date(2025, 1, 1), reason=""
        )
    assert set(caught.value.errors) == {"status", "reason"}


def test_reclassify_is_idempotent(regions):
    child = left_behind_child(village=_rural_village_of_county_a())
    first = services.reclassify(child=child)
    rows = list(Classification.objects.values_list("pk", "category", "until"))
    second = services.reclassify(child=child)
    assert [r.pk for r in first] == [r.pk for r in second]
    assert list(Classification.objects.values_list("pk", "category", "until")) == rows


def test_time_alone_ends_the_infant_category_on_the_third_birthday(village_director, regions):
    today = policy_selectors.today()
    born = date(today.year - 3, today.month, 1) + timedelta(days=40)  # turns 3 within the next weeks
    born = min(born, date(today.year - 2, today.month, today.day) - timedelta(days=1))
    child = services.register_child(actor=village_director, data=child_data(regions, birth_date=born))
    assert Category.INFANT in current(child)
    review = Child.objects.get(pk=child.pk).next_review_on
    assert review == date(born.year + 3, born.month, born.day)
    assert services.reclassify_due(on=review - timedelta(days=1)) == 0
    assert services.reclassify_due(on=review) == 1
    assert Category.INFANT not in current(child)
    assert Classification.objects.get(child=child, category=Category.INFANT).until == review


def test_completeness_lists_what_is_missing(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    assert Child.objects.get(pk=child.pk).missing_fields == [
        "id_number",
        "hukou_region",
        "father",
        "mother",
        "guardian",
    ]
    services.update_child(actor=village_director, child=child, data={"hukou_region": "370902001001"})
    services.add_family_member(
        actor=village_director, child=child, relation="father", person_data={"name": "李强"}, is_guardian=True
    )
    services.add_family_member(actor=village_director, child=child, relation="mother", person_data={"name": "王芳"})
    services.set_id_number(actor=village_director, obj=child, id_number=valid_id_number(BORN, "female"))
    stored = Child.objects.get(pk=child.pk)
    assert stored.missing_fields == []
    assert stored.is_complete


# -- versioning -----------------------------------------------------------------------------------


def test_changes_are_versioned_with_the_region_and_without_the_cipher(village_director, regions):
    number = valid_id_number(BORN, "female")
    child = services.register_child(actor=village_director, data=child_data(regions), id_number=number)
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Child), object_id=child.pk)
    assert entry.actor == village_director
    assert entry.additional_data == {"region_code": "370902001001"}
    assert "id_number_cipher" not in entry.changes
    assert "id_number_hash" not in entry.changes
    assert entry.changes["id_number_mask"][1] == idnumber.mask(number)
    assert "missing_fields" not in entry.changes
    assert number not in str(entry.changes)


def test_derived_state_makes_no_change_log_noise(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    before = LogEntry.objects.count()
    services.reclassify(child=child)
    services.refresh_file(child=child)
    assert LogEntry.objects.count() == before


def test_family_rows_carry_the_village_for_county_auditors(village_director, regions):
    child = services.register_child(actor=village_director, data=child_data(regions))
    kinship = services.add_family_member(
        actor=village_director, child=child, relation="father", person_data={"name": "李强"}
    )
    for obj in (kinship, kinship.person):
        entry = LogEntry.objects.get_for_object(obj).get()
        assert entry.additional_data["region_code"] == "370902001001"
        assert entry.actor == village_director


def test_services_outside_requests_attribute_changes_to_the_actor(county_caseworker, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    services.update_child(actor=county_caseworker, child=child, data={"risk_level": "high"})
    entry = LogEntry.objects.get_for_object(child).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == county_caseworker
    assert entry.changes["risk_level"] == ["unassessed", "high"]


def test_domain_errors_carry_a_field(village_director, regions):
    error = services.InvalidDataError({"birth_date": ["x"], "name": ["y"]})
    assert isinstance(error, DomainError)
    assert error.field == "birth_date"


def test_the_database_refuses_a_second_live_file_with_one_number(regions):
    """The unique constraint behind the duplicate guard (two registrations racing each other)."""
    number = valid_id_number(BORN, "female")
    first = ChildFactory.create(village=regions.village_a1a, birth_date=BORN, sex="female", id_number=number)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildFactory.create(village=regions.village_a1a, birth_date=BORN, sex="female", id_number=number)
    first.status = FileStatus.MERGED
    first.save()
    assert ChildFactory.create(village=regions.village_a1a, birth_date=BORN, sex="female", id_number=number).pk


def test_turned_18_only_from_the_18th_birthday(village_director, regions):
    today = policy_selectors.today()
    born = born_by(today, 18)  # the 18th birthday is today
    child = ChildFactory.create(village=regions.village_a1a, birth_date=born)
    with pytest.raises(services.InvalidDataError) as caught:
        services.change_file_status(
            actor=village_director,
            child=child,
            status=FileStatus.AGED_OUT,
            on=today - timedelta(days=1),
            reason="年满18周岁",
        )
    assert caught.value.field == "on"
    closed = services.change_file_status(
        actor=village_director, child=child, status=FileStatus.AGED_OUT, on=today, reason="年满18周岁"
    )
    assert closed.status == FileStatus.AGED_OUT


def test_a_family_members_number_belongs_to_one_person(village_director, regions):
    number = valid_id_number(date(1985, 6, 1), "male")
    PersonFactory.create(village=regions.village_a1a, birth_date=date(1985, 6, 1), id_number=number)
    other = PersonFactory.create(village=regions.village_a1a, birth_date=date(1985, 6, 1))
    KinshipFactory.create(child=ChildFactory.create(village=regions.village_a1a), person=other)
    with pytest.raises(services.InvalidDataError) as caught:
        services.set_id_number(actor=village_director, obj=other, id_number=number)
    assert caught.value.code == "duplicate"
