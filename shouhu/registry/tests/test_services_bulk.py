"""Bulk registration (imports, generated data): the same rules as one registration, all or nothing,
the same rows and categories as the one-by-one services, one change-log entry per record."""

from __future__ import annotations

import json
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from shouhu.core.errors import NotAllowedError
from shouhu.policy import selectors as policy_selectors
from shouhu.regions.tests.factories import make_region
from shouhu.registry import idnumber, selectors, services
from shouhu.registry.choices import Category
from shouhu.registry.models import Child, Classification, EntrustedCare, Kinship, Person, Situation
from shouhu.registry.services import ChildRecord, EntrustedCareRecord, FamilyMemberRecord, SituationRecord
from shouhu.registry.tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

RURAL = "370902002201"


def registry_entries():
    return LogEntry.objects.filter(content_type__app_label="registry")


@pytest.fixture
def rural(regions):
    return make_region(RURAL, "李家村", urban_rural_class="220")


def left_behind_record(*, name="张小明", born=date(2015, 5, 1), number="", row=2, father_number="", village=RURAL):
    return ChildRecord(
        data={
            "name": name,
            "sex": "male",
            "birth_date": born,
            "village": village,
            "hukou_region": village,
            "hukou_nature": "agricultural",
            "school_status": "primary",
            "health_status": "healthy",
            "residence_address": "李家村3组",
            "phones": "13905380001",
        },
        id_number=number,
        row=row,
        family=[
            FamilyMemberRecord(
                relation="father",
                name="张强",
                sex="male",
                birth_date=date(1985, 6, 1) if father_number else None,
                id_number=father_number,
                situations=[SituationRecord(kind="working_away", started_on="2023-03-01", place="上海")],
            ),
            FamilyMemberRecord(
                relation="mother",
                name="王芳",
                sex="female",
                situations=[SituationRecord(kind="working_away", started_on="2023-03-01", place="上海")],
            ),
            FamilyMemberRecord(
                relation="paternal_grandmother",
                name="李秀英",
                sex="female",
                is_guardian=True,
                lives_with_child=True,
                entrusted_care=EntrustedCareRecord(since="2023-03-01", confirmation_signed_on="2023-03-05"),
            ),
        ],
    )


def test_records_are_written_with_family_categories_and_completeness(county_caseworker, rural):
    number = valid_id_number(date(2015, 5, 1), "male")
    result = services.bulk_register_children(actor=county_caseworker, records=[left_behind_record(number=number)])
    assert result.created == 1
    child = Child.objects.get()
    assert child.id_number_hash == services.id_number_hash(number)
    assert child.id_number_mask == idnumber.mask(number)
    assert child.county_code == "370902"
    assert child.created_by == county_caseworker
    assert child.phones == ["13905380001"]
    assert Kinship.objects.filter(child=child).count() == 3
    assert Situation.objects.count() == 2
    care = EntrustedCare.objects.get()
    assert care.carer.name == "李秀英"
    assert care.confirmation_signed_on == date(2023, 3, 5)
    assert set(Classification.objects.filter(child=child).values_list("category", flat=True)) == {Category.LEFT_BEHIND}
    assert child.next_review_on is not None
    assert child.is_complete, child.missing_fields
    assert result.categories == {Category.LEFT_BEHIND: 1}


def test_bulk_gives_what_the_one_by_one_rules_give(county_caseworker, rural):
    """Recomputing every written file with ``reclassify`` changes nothing."""
    records = [
        left_behind_record(name=f"张小{i}", born=date(policy_selectors.today().year - 16 + i, 1, 10), row=i + 2)
        for i in range(17)
    ]  # from 16 years old (no longer left-behind) to infants
    services.bulk_register_children(actor=county_caseworker, records=records)
    before = list(Classification.objects.order_by("pk").values_list("child_id", "category", "since", "until"))
    reviews = dict(Child.objects.values_list("pk", "next_review_on"))
    completeness = dict(Child.objects.values_list("pk", "missing_fields"))
    assert services.refresh_files(Child.objects.values_list("pk", flat=True)) == 0
    after = list(Classification.objects.order_by("pk").values_list("child_id", "category", "since", "until"))
    assert after == before
    assert dict(Child.objects.values_list("pk", "next_review_on")) == reviews
    assert dict(Child.objects.values_list("pk", "missing_fields")) == completeness
    assert {c for _pk, c, _s, _u in before} >= {Category.LEFT_BEHIND, Category.INFANT}


def test_one_change_log_entry_per_record_with_the_family_and_the_job(county_caseworker, rural):
    father_number = valid_id_number(date(1985, 6, 1), "male")
    services.bulk_register_children(
        actor=county_caseworker, records=[left_behind_record(father_number=father_number)], job_id=77
    )
    child = Child.objects.get()
    entries = registry_entries()
    assert entries.count() == 1
    entry = entries.get()
    assert entry.content_type == ContentType.objects.get_for_model(Child)
    assert entry.object_id == child.pk
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == county_caseworker
    assert entry.additional_data == {"region_code": RURAL, "import_job": 77}
    assert entry.changes["name"] == ["None", "张小明"]
    assert "id_number_cipher" not in entry.changes
    family = json.loads(entry.changes["family"][1])
    assert [m["relation"] for m in family] == ["father", "mother", "paternal_grandmother"]
    assert family[0]["id_number"] == idnumber.mask(father_number)
    assert father_number not in json.dumps(entry.changes)
    assert family[0]["situations"] == [{"kind": "working_away", "started_on": "2023-03-01", "place": "上海"}]


def test_the_timeline_shows_a_bulk_written_file(county_caseworker, rural):
    services.bulk_register_children(actor=county_caseworker, records=[left_behind_record()])
    child = Child.objects.get()
    kinds = {e.kind for e in selectors.child_timeline(county_caseworker, child)}
    assert kinds == {"change", "category_opened"}


def test_nothing_is_written_when_one_record_is_wrong(county_caseworker, rural):
    good = left_behind_record(row=2)
    bad = left_behind_record(name="", born=date(2031, 1, 1), row=3)
    bad.family[0].situations[0].started_on = None
    with pytest.raises(services.BulkValidationError) as caught:
        services.bulk_register_children(actor=county_caseworker, records=[good, bad])
    problems = {(e.row, e.field) for e in caught.value.errors}
    assert problems == {(3, "name"), (3, "birth_date"), (3, "family.0.situations.0.started_on")}
    assert not Child.objects.exists()
    assert not Person.objects.exists()
    assert not registry_entries().exists()


def test_village_outside_the_jurisdiction_is_a_record_error(actors, rural):
    record = left_behind_record(village="370911101201")
    with pytest.raises(services.BulkValidationError) as caught:
        services.bulk_register_children(actor=actors["county_caseworker"], records=[record])
    assert [(e.field, e.row) for e in caught.value.errors] == [("village", 2)]


def test_numbers_twice_in_the_records_or_on_file_are_record_errors(county_caseworker, rural):
    number = valid_id_number(date(2015, 5, 1), "male")
    services.bulk_register_children(actor=county_caseworker, records=[left_behind_record(number=number)])
    other = valid_id_number(date(2015, 5, 1), "male")
    with pytest.raises(services.BulkValidationError) as caught:
        services.bulk_register_children(
            actor=county_caseworker,
            records=[
                left_behind_record(number=number, row=5),
                left_behind_record(number=other, row=6),
                left_behind_record(number=other, row=7),
            ],
        )
    assert sorted((e.row, e.field) for e in caught.value.errors) == [(5, "id_number"), (7, "id_number")]


def test_siblings_share_a_parent_given_with_the_same_number(county_caseworker, rural):
    father = valid_id_number(date(1985, 6, 1), "male")
    services.bulk_register_children(
        actor=county_caseworker,
        records=[
            left_behind_record(name="张大宝", father_number=father, row=2),
            left_behind_record(name="张二宝", born=date(2017, 8, 8), father_number=father, row=3),
        ],
    )
    fathers = Person.objects.filter(kinships__relation="father").distinct()
    assert fathers.count() == 1
    assert fathers.get().kinships.count() == 2
    assert Situation.objects.filter(person=fathers.get()).count() == 1


def test_a_parent_on_file_is_reused_with_the_situations_it_has(county_caseworker, rural):
    father = valid_id_number(date(1985, 6, 1), "male")
    services.bulk_register_children(actor=county_caseworker, records=[left_behind_record(father_number=father)])
    services.bulk_register_children(
        actor=county_caseworker,
        records=[left_behind_record(name="张三宝", born=date(2018, 1, 1), father_number=father)],
    )
    assert Person.objects.filter(kinships__relation="father").distinct().count() == 1
    assert Situation.objects.filter(person__kinships__relation="father").distinct().count() == 1


def test_update_records_change_fields_and_add_family(county_caseworker, rural):
    services.bulk_register_children(actor=county_caseworker, records=[left_behind_record()])
    child = Child.objects.get()
    update = ChildRecord(
        data={"school_status": "dropped_out"},
        update_pk=child.pk,
        family=[FamilyMemberRecord(relation="uncle_aunt", name="张姑姑", sex="female")],
    )
    result = services.bulk_register_children(actor=county_caseworker, records=[update], job_id=9)
    assert result.updated == 1
    child.refresh_from_db()
    assert child.school_status == "dropped_out"
    assert Kinship.objects.filter(child=child).count() == 4
    assert Category.KEY_OUT_OF_SCHOOL in {c.category for c in selectors.current_categories(child)}
    entry = registry_entries().filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes["school_status"] == ["primary", "dropped_out"]
    assert json.loads(entry.changes["family"][1])[0]["name"] == "张姑姑"
    assert entry.additional_data["import_job"] == 9


def test_an_update_of_a_file_outside_the_jurisdiction_is_refused(actors, rural):
    services.bulk_register_children(actor=actors["county_caseworker"], records=[left_behind_record()])
    child = Child.objects.get()
    with pytest.raises(services.BulkValidationError) as caught:
        services.bulk_register_children(
            actor=actors["other_county_caseworker"], records=[ChildRecord(data={"name": "改"}, update_pk=child.pk)]
        )
    assert caught.value.errors[0].field == "update_pk"


def test_progress_is_reported_to_the_end(county_caseworker, rural):
    calls = []
    services.bulk_register_children(
        actor=county_caseworker,
        records=[left_behind_record(name=f"张{i}", row=i) for i in range(3)],
        progress=lambda done, total, message: calls.append((done, total)),
    )
    assert calls[-1] == (6, 6)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


def test_roles_without_files_cannot_bulk_register(actors, rural):
    with pytest.raises(NotAllowedError):
        services.bulk_register_children(actor=actors["city_admin"], records=[left_behind_record()])


def test_ids_follow_rows_written_before(county_caseworker, village_director, regions, rural):
    """Ids allocated by the bulk write never collide with rows written one by one, before or after."""
    first = services.register_child(
        actor=village_director,
        data={"name": "甲", "sex": "male", "birth_date": date(2014, 1, 1), "village": regions.village_a1a},
    )
    services.bulk_register_children(
        actor=county_caseworker, records=[left_behind_record(name=f"乙{i}") for i in range(3)]
    )
    last = services.register_child(
        actor=village_director,
        data={"name": "丙", "sex": "male", "birth_date": date(2014, 2, 1), "village": regions.village_a1a},
    )
    pks = sorted(Child.objects.values_list("pk", flat=True))
    assert len(pks) == 5
    assert pks[0] == first.pk
    assert pks[-1] == last.pk


def test_a_file_written_in_bulk_reads_back_as_written(county_caseworker, rural):
    services.bulk_register_children(actor=county_caseworker, records=[left_behind_record()])
    child = selectors.child_detail(county_caseworker, Child.objects.get().pk)
    assert child.birth_date == date(2015, 5, 1)
    assert child.created_at is not None
    assert child.classified_at is not None
    assert policy_selectors.day_of(child.created_at) == policy_selectors.today()
    situation = Situation.objects.filter(person__kinships__relation="father").get()
    assert situation.started_on == date(2023, 3, 1)
    assert situation.recorded_by == county_caseworker
