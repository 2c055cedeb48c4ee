"""The registry screens: who reaches each page (permission matrices over every actor), the list's
scope, search and filters, the child's page, identity numbers checked as typed and revealed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from shouhu.audit.models import AccessEvent
from shouhu.core import crypto
from shouhu.core.testing import REGISTRY_ACTORS, assert_permission_matrix, login
from shouhu.registry import explain, idnumber, services
from shouhu.registry.choices import (
    Category,
    ClassificationSource,
    FileStatus,
    Relation,
    RiskLevel,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.models import CategoryOverride, Child, Kinship
from shouhu.registry.tests.factories import (
    CategoryOverrideFactory,
    ChildFactory,
    ClassificationFactory,
    EntrustedCareFactory,
    KinshipFactory,
    PersonFactory,
    add_parent,
    valid_id_number,
)

# Who sees which child of 东湖社区 (village A1a, township A1, county A).
REGISTRY_EVERYWHERE = list(REGISTRY_ACTORS)
SEES_A1A = ["village_director", "township_supervisor", "county_caseworker", "intake_officer", "superuser"]
DECIDES = ["county_caseworker", "superuser"]


@pytest.fixture
def child(regions) -> Child:
    child = ChildFactory.create(village=regions.village_a1a, name="李小花", sex=Sex.FEMALE, id_number=True)
    add_parent(child, Relation.FATHER, situations=[SituationKind.IMPRISONED], term_months=36)
    return child


@pytest.fixture
def kinship(child) -> Kinship:
    return Kinship.objects.filter(child=child).select_related("person").get()


def _client(user) -> Client:
    return login(Client(), user)


def _en(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


# --- permission matrices -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["registry:list", "registry:create"])
def test_list_and_registration_open_to_the_registry_roles_only(actors, name):
    assert_permission_matrix(actors, url=reverse(name), allowed=REGISTRY_EVERYWHERE)


@pytest.mark.parametrize(
    "name",
    [
        "registry:detail",
        "registry:edit",
        "registry:status",
        "registry:reveal",
        "registry:family_add",
        "registry:entrusted_care",
    ],
)
def test_pages_of_a_file_open_to_those_who_see_the_child(actors, child, name):
    assert_permission_matrix(actors, url=reverse(name, args=[child.pk]), allowed=SEES_A1A)


def test_identity_number_form_of_a_file_without_one(actors, regions):
    unnumbered = ChildFactory.create(village=regions.village_a1a)
    assert_permission_matrix(actors, url=reverse("registry:id_number", args=[unnumbered.pk]), allowed=SEES_A1A)


@pytest.mark.parametrize("name", ["registry:family_edit", "registry:situation_add", "registry:person_reveal"])
def test_family_pages_open_to_those_who_see_the_child(actors, child, kinship, name):
    assert_permission_matrix(actors, url=reverse(name, args=[child.pk, kinship.pk]), allowed=SEES_A1A)


def test_end_of_a_situation_open_to_those_who_see_the_child(actors, child, kinship):
    situation = kinship.person.situations.get()
    assert_permission_matrix(
        actors, url=reverse("registry:situation_end", args=[child.pk, situation.pk]), allowed=SEES_A1A
    )


def test_decisions_on_categories_open_to_caseworkers_only(actors, child, county_caseworker):
    assert_permission_matrix(actors, url=reverse("registry:override", args=[child.pk]), allowed=DECIDES)
    decision = CategoryOverrideFactory.create(child=child, decided_by=county_caseworker)
    assert_permission_matrix(actors, url=reverse("registry:withdraw", args=[child.pk, decision.pk]), allowed=DECIDES)


def test_removing_a_family_member_posts_only_for_those_who_see_the_child(actors, regions, child, kinship):
    person, pk = kinship.person, kinship.pk
    # The father of a sibling too: removing him from this file keeps the person.
    KinshipFactory.create(child=ChildFactory.create(village=regions.village_a1a), person=person)

    def restore():
        Kinship.objects.get_or_create(
            pk=pk,
            defaults={"child": child, "person": person, "relation": Relation.FATHER, "village_code": child.village_id},
        )

    assert_permission_matrix(
        actors,
        url=reverse("registry:family_remove", args=[child.pk, pk]),
        allowed=SEES_A1A,
        method="post",
        ok=(302,),
        setup=restore,
    )


def test_identity_number_check_answers_the_registry_roles_only(actors):
    assert_permission_matrix(
        actors, url=reverse("registry:check_id"), allowed=REGISTRY_EVERYWHERE, method="post", data={"id_number": "1"}
    )


def test_a_file_of_another_township_is_404_for_a_supervisor(township_supervisor, regions):
    elsewhere = ChildFactory.create(village=regions.village_a2a)
    response = _client(township_supervisor).get(reverse("registry:detail", args=[elsewhere.pk]))
    assert response.status_code == 404


# --- the list ----------------------------------------------------------------------------------


def test_supervisor_sees_every_child_of_the_township_and_only_those(township_supervisor, regions):
    a1a = ChildFactory.create(village=regions.village_a1a, name="甲一")
    a1b = ChildFactory.create(village=regions.village_a1b, name="甲二")
    a2a = ChildFactory.create(village=regions.village_a2a, name="乙一")
    response = _client(township_supervisor).get(reverse("registry:list"))
    shown = {c.pk for c in response.context["page_obj"].object_list}
    assert shown == {a1a.pk, a1b.pk}
    assert a2a.pk not in shown
    assert response.context["count"] == 2


def test_director_sees_own_village_only_and_has_no_region_filter(village_director, regions):
    mine = ChildFactory.create(village=regions.village_a1a)
    ChildFactory.create(village=regions.village_a1b)
    response = _client(village_director).get(reverse("registry:list"))
    assert [c.pk for c in response.context["page_obj"].object_list] == [mine.pk]
    assert "region" not in response.context["form"].fields


def test_list_renders_rows_with_categories_completeness_and_risk(village_director, regions):
    shown = ChildFactory.create(village=regions.village_a1a, name="赵小虎", risk_level=RiskLevel.HIGH)
    ClassificationFactory.create(child=shown, category=Category.LEFT_BEHIND)
    response = _client(village_director).get(reverse("registry:list"))
    html = response.content.decode()
    assert "赵小虎" in html
    assert 'data-category="left_behind"' in html
    assert 'data-risk="high"' in html
    assert 'id="child-cards"' in html
    assert 'id="child-table"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": Category.LEFT_BEHIND}, {"left"}),
        ({"key_reason": Category.KEY_OUT_OF_SCHOOL}, {"dropped"}),
        ({"key_reason": "any"}, {"dropped"}),
        ({"school_status": SchoolStatus.DROPPED_OUT}, {"dropped"}),
        ({"risk_level": RiskLevel.HIGH}, {"risky"}),
        ({"age_band": "0-2"}, {"baby"}),
        ({"incomplete": "on"}, {"incomplete"}),
        ({"region": "370902001002"}, {"b"}),
        ({"q": "留守"}, {"left"}),
        ({"status": FileStatus.MOVED_AWAY}, {"moved"}),
    ],
)
def test_list_filters(township_supervisor, regions, query, expected):
    today = timezone.localdate()
    children = {
        "left": ChildFactory.create(village=regions.village_a1a, name="留守娃", is_complete=True),
        "dropped": ChildFactory.create(
            village=regions.village_a1a, school_status=SchoolStatus.DROPPED_OUT, is_complete=True
        ),
        "risky": ChildFactory.create(village=regions.village_a1a, risk_level=RiskLevel.HIGH, is_complete=True),
        "baby": ChildFactory.create(
            village=regions.village_a1a, birth_date=date(today.year - 1, 1, 1), is_complete=True
        ),
        "incomplete": ChildFactory.create(village=regions.village_a1a, is_complete=False, missing_fields=["phones"]),
        "b": ChildFactory.create(village=regions.village_a1b, is_complete=True),
        "moved": ChildFactory.create(village=regions.village_a1a, status=FileStatus.MOVED_AWAY, is_complete=True),
    }
    ClassificationFactory.create(child=children["left"], category=Category.LEFT_BEHIND)
    ClassificationFactory.create(child=children["dropped"], category=Category.KEY_OUT_OF_SCHOOL)
    response = _client(township_supervisor).get(reverse("registry:list"), query)
    assert response.status_code == 200
    shown = {c.pk for c in response.context["page_obj"].object_list}
    assert shown == {children[name].pk for name in expected}


def test_a_full_identity_number_finds_the_child_and_the_log_keeps_it_masked(village_director, regions):
    number = valid_id_number(date(2015, 6, 1), Sex.MALE)
    found = ChildFactory.create(village=regions.village_a1a, birth_date=date(2015, 6, 1), id_number=number)
    ChildFactory.create(village=regions.village_a1a)
    response = _client(village_director).get(reverse("registry:list"), {"q": number})
    assert [c.pk for c in response.context["page_obj"].object_list] == [found.pk]
    event = AccessEvent.objects.filter(action="search", object_type="registry.child").latest("seq")
    assert event.detail["filters"]["q"] == idnumber.mask(number)
    assert number not in str(event.detail)
    assert event.actor_id == village_director.pk


def test_masked_digits_are_not_searchable(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a, id_number=True)
    response = _client(village_director).get(reverse("registry:list"), {"q": child.id_number_mask[-4:]})
    assert response.context["count"] == 0


def test_each_page_of_the_list_is_logged_as_a_search(village_director, regions):
    ChildFactory.create(village=regions.village_a1a)
    before = AccessEvent.objects.filter(action="search").count()
    _client(village_director).get(reverse("registry:list"), {"risk_level": "high"})
    event = AccessEvent.objects.filter(action="search").latest("seq")
    assert AccessEvent.objects.filter(action="search").count() == before + 1
    assert event.detail["filters"]["risk_level"] == "high"
    assert event.region_code == regions.village_a1a.code


def test_list_query_count_does_not_grow_with_the_page(village_director, regions, django_assert_max_num_queries):
    for _ in range(25):
        shown = ChildFactory.create(village=regions.village_a1a)
        ClassificationFactory.create(child=shown, category=Category.INFANT)
    client = _client(village_director)
    client.get(reverse("registry:list"))  # warm caches (sessions, policy settings)
    with django_assert_max_num_queries(20):
        client.get(reverse("registry:list"))


# --- the child's page --------------------------------------------------------------------------


def test_viewing_a_file_is_logged(village_director, child):
    _client(village_director).get(reverse("registry:detail", args=[child.pk]))
    event = AccessEvent.objects.filter(action="view", object_type="registry.child").latest("seq")
    assert event.object_id == str(child.pk)
    assert event.region_code == child.village_id


def test_page_shows_categories_with_explanations_and_a_masked_number(village_director, child):
    # Father serving 3 years, mother dead: a de facto unattended child (民发〔2019〕62号).
    add_parent(child, Relation.MOTHER, situations=[SituationKind.DEAD], started_on=date(2023, 5, 1))
    services.reclassify(child=child)
    response = _en(_client(village_director)).get(reverse("registry:detail", args=[child.pk]))
    html = response.content.decode()
    assert child.id_number_mask in html
    assert 'data-category="de_facto_unattended"' in html
    row = child.classifications.get(category=Category.DE_FACTO_UNATTENDED, until__isnull=True)
    with translation.override("en"):
        sentences = explain.render(row.explanation)
    assert sentences
    assert "Classified as De facto unattended child because:" in html
    for sentence in sentences:
        assert escape(sentence) in html


def test_page_lists_missing_facts_with_links(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a, phones=[])
    services.refresh_file(child=child)
    response = _client(village_director).get(reverse("registry:detail", args=[child.pk]))
    missing = {item["key"]: item["url"] for item in response.context["missing"]}
    assert missing["phones"].endswith("#field-phones")
    assert missing["father"] == reverse("registry:family_add", args=[child.pk]) + "?relation=father"
    assert missing["id_number"] == reverse("registry:id_number", args=[child.pk])


def test_page_shows_weekly_contact_overdue(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    add_parent(child, Relation.FATHER, situations=[SituationKind.WORKING_AWAY])
    carer = PersonFactory.create(village=regions.village_a1a, name="李奶奶")
    KinshipFactory.create(child=child, person=carer, relation=Relation.PATERNAL_GRANDMOTHER)
    today = timezone.localdate()
    EntrustedCareFactory.create(
        child=child, carer=carer, last_parent_contact_on=today.replace(day=1) if today.day > 9 else date(2024, 1, 1)
    )
    html = _client(village_director).get(reverse("registry:detail", args=[child.pk])).content.decode()
    assert 'data-weekly-contact="overdue"' in html
    assert 'data-confirmation="missing"' in html


def test_caseworker_sees_decision_controls_and_director_does_not(village_director, county_caseworker, child):
    url = reverse("registry:detail", args=[child.pk])
    override_url = reverse("registry:override", args=[child.pk])
    assert override_url in _client(county_caseworker).get(url).content.decode()
    assert override_url not in _client(village_director).get(url).content.decode()


# --- registration ------------------------------------------------------------------------------


def _child_post(regions, **overrides):
    data = {
        "name": "张小军",
        "sex": Sex.MALE,
        "birth_date": "2016-04-12",
        "ethnicity": "01",
        "village": regions.village_a1a.code,
        "hukou_status": "registered",
        "hukou_nature": "agricultural",
        "economic_status": "none",
        "guardianship_quality": "unassessed",
        "risk_level": "unassessed",
        "residence_address": "幸福路8号",
        "phones": "13812345678",
    }
    data.update(overrides)
    return data


def test_director_registers_a_child_and_lands_on_the_family_section(village_director, regions):
    response = _client(village_director).post(reverse("registry:create"), _child_post(regions))
    child = Child.objects.get(name="张小军")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:detail", args=[child.pk]) + "#family"
    assert child.village_id == regions.village_a1a.code
    assert child.created_by == village_director


def test_registration_defaults_to_the_directors_village(village_director):
    response = _client(village_director).get(reverse("registry:create"))
    form = response.context["form"]
    assert form["village"].value() == village_director.jurisdiction_id
    assert [code for _group, options in form.fields["village"].choices[1:] for code, _n in options] == [
        village_director.jurisdiction_id
    ]


def test_a_village_outside_the_jurisdiction_is_refused(village_director, regions):
    response = _client(village_director).post(
        reverse("registry:create"), _child_post(regions, village=regions.village_a1b.code)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not Child.objects.exists()


def test_bad_input_is_shown_again_with_everything_typed(village_director, regions):
    with translation.override("en"):
        response = _en(_client(village_director)).post(
            reverse("registry:create"),
            _child_post(regions, id_number="370902201604121235", birth_date="2016-04-12", school_name="泰山小学"),
        )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["id_number"]
    html = response.content.decode()
    assert 'value="370902201604121235"' in html
    assert 'value="泰山小学"' in html
    assert 'value="张小军"' in html
    assert not Child.objects.exists()


def test_birth_date_in_the_future_is_refused(village_director, regions):
    future = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    response = _client(village_director).post(reverse("registry:create"), _child_post(regions, birth_date=future))
    assert response.context["form"].errors["birth_date"]


def test_a_number_on_file_opens_that_file(village_director, regions):
    number = valid_id_number(date(2016, 4, 12), Sex.MALE)
    existing = ChildFactory.create(village=regions.village_a1a, birth_date=date(2016, 4, 12), id_number=number)
    response = _client(village_director).post(
        reverse("registry:create"), _child_post(regions, id_number=number, name="张晓军")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:detail", args=[existing.pk])
    assert Child.objects.count() == 1


def test_a_number_on_file_elsewhere_is_refused_without_showing_the_file(village_director, regions):
    number = valid_id_number(date(2016, 4, 12), Sex.MALE)
    ChildFactory.create(village=regions.village_b1a, birth_date=date(2016, 4, 12), id_number=number, name="别村的孩子")
    response = _client(village_director).post(reverse("registry:create"), _child_post(regions, id_number=number))
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]
    assert "别村的孩子" not in response.content.decode()
    assert Child.objects.count() == 1


def test_likely_duplicates_are_shown_first_then_registered_anyway(village_director, regions):
    same = ChildFactory.create(village=regions.village_a1a, name="张小军", birth_date=date(2016, 4, 12), sex=Sex.MALE)
    client = _client(village_director)
    response = client.post(reverse("registry:create"), _child_post(regions, name="张晓军"))
    assert response.status_code == 200
    candidates = response.context["candidates"]
    assert [c.child.pk for c in candidates] == [same.pk]
    html = response.content.decode()
    assert reverse("registry:detail", args=[same.pk]) in html
    assert 'name="register_anyway"' in html
    assert 'value="张晓军"' in html
    assert Child.objects.count() == 1
    response = client.post(reverse("registry:create"), _child_post(regions, name="张晓军", register_anyway="1"))
    assert response.status_code == 302
    assert Child.objects.count() == 2


def test_likely_duplicate_in_another_jurisdiction_shows_no_name(village_director, regions):
    ChildFactory.create(village=regions.village_a1b, name="张小军", birth_date=date(2016, 4, 12), sex=Sex.MALE)
    response = _client(village_director).post(reverse("registry:create"), _child_post(regions))
    assert response.status_code == 200
    assert 'data-candidate="hidden"' in response.content.decode()
    assert "西湖社区" not in response.content.decode()


# --- identity numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("37090220160412123", "length"),
        ("3709022016041212A5", "characters"),
        ("990902201604121235", "province"),
        ("370902201613121235", "birth_date"),
        ("370902209904121231", "future"),
        ("370902201604121235", "check"),
        ("370902160412123", "legacy"),
    ],
)
def test_identity_number_check_names_the_cause(village_director, typed, code):
    if code == "check":
        valid = idnumber.make("370902", date(2016, 4, 12), 61, Sex.MALE)
        typed = valid[:17] + ("0" if valid[17] != "0" else "1")
    response = _client(village_director).post(reverse("registry:check_id"), {"id_number": typed})
    html = response.content.decode()
    assert 'data-id-check="invalid"' in html
    assert f'data-code="{code}"' in html


def test_a_valid_number_fills_birth_date_and_sex(village_director):
    number = idnumber.make("370902", date(2016, 4, 12), 61, Sex.FEMALE)
    response = _client(village_director).post(
        reverse("registry:check_id"), {"id_number": number, "birth_date": "", "form_kind": "child"}
    )
    html = response.content.decode()
    assert 'data-id-check="valid"' in html
    assert 'id="field-birth_date" hx-swap-oob="true"' in html
    assert 'value="2016-04-12"' in html
    assert 'id="field-sex" hx-swap-oob="true"' in html
    assert 'value="female" checked' in html or ('value="female"' in html and "checked" in html)


def test_a_valid_number_disagreeing_with_the_form_is_flagged(village_director):
    number = idnumber.make("370902", date(2016, 4, 12), 61, Sex.FEMALE)
    response = _client(village_director).post(
        reverse("registry:check_id"),
        {"id_number": number, "birth_date": "2016-04-13", "sex": "male", "form_kind": "child"},
    )
    html = response.content.decode()
    assert 'data-code="birth_date_mismatch"' in html
    assert 'data-code="sex_mismatch"' in html
    assert "hx-swap-oob" not in html


def test_reveal_without_a_reason_shows_nothing_and_logs_nothing(village_director, child):
    response = _client(village_director).post(reverse("registry:reveal", args=[child.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert 'data-revealed="1"' not in response.content.decode()
    assert not AccessEvent.objects.filter(action="reveal").exists()


def test_reveal_with_a_reason_shows_the_number_once_and_logs_it(village_director, child):
    response = _client(village_director).post(
        reverse("registry:reveal", args=[child.pk]), {"reason": "办理基本生活补贴"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'data-revealed="1"' in html
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.get(action="reveal")
    assert event.reason == "办理基本生活补贴"
    assert event.object_id == str(child.pk)
    assert event.actor_id == village_director.pk
    assert crypto.decrypt(child.id_number_cipher) in html


def test_reveal_of_a_parents_number(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    father = PersonFactory.create(village=regions.village_a1a, id_number=True)
    kin = KinshipFactory.create(child=child, person=father)
    response = _client(village_director).post(
        reverse("registry:person_reveal", args=[child.pk, kin.pk]), {"reason": "核对监护人身份"}
    )
    assert 'data-revealed="1"' in response.content.decode()
    assert AccessEvent.objects.get(action="reveal").object_type == "registry.person"


def test_recording_a_number_later(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a, birth_date=date(2016, 4, 12), sex=Sex.MALE)
    number = idnumber.make("370902", date(2016, 4, 12), 12, Sex.MALE)
    response = _client(village_director).post(reverse("registry:id_number", args=[child.pk]), {"id_number": number})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.id_number_mask == idnumber.mask(number)


# --- decisions ---------------------------------------------------------------------------------


def test_caseworker_overrides_a_category_with_a_reason(county_caseworker, child):
    response = _client(county_caseworker).post(
        reverse("registry:override", args=[child.pk]),
        {"category": Category.DIFFICULTY_GUARDIANSHIP, "effect": "include", "reason": "家访核实，监护缺失"},
    )
    assert response.status_code == 302
    decision = CategoryOverride.objects.get(child=child)
    assert decision.decided_by == county_caseworker
    assert child.classifications.filter(
        category=Category.DIFFICULTY_GUARDIANSHIP, until__isnull=True, source=ClassificationSource.OVERRIDE
    ).exists()


def test_override_without_a_reason_is_refused(county_caseworker, child):
    response = _client(county_caseworker).post(
        reverse("registry:override", args=[child.pk]),
        {"category": Category.DIFFICULTY_GUARDIANSHIP, "effect": "include", "reason": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not CategoryOverride.objects.exists()


def test_director_cannot_override(village_director, child):
    response = _client(village_director).post(
        reverse("registry:override", args=[child.pk]),
        {"category": Category.DIFFICULTY_GUARDIANSHIP, "effect": "include", "reason": "理由"},
    )
    assert response.status_code == 404
    assert not CategoryOverride.objects.exists()


def test_caseworker_withdraws_a_decision(county_caseworker, child):
    decision = services.override_category(
        actor=county_caseworker, child=child, category=Category.DISABLED, effect="include", reason="残联证明"
    )
    response = _client(county_caseworker).post(
        reverse("registry:withdraw", args=[child.pk, decision.pk]), {"reason": "证明有误"}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.withdrawn_at is not None
    assert decision.withdrawal_reason == "证明有误"


def test_director_cannot_withdraw(village_director, county_caseworker, child):
    decision = CategoryOverrideFactory.create(child=child, decided_by=county_caseworker)
    response = _client(village_director).post(
        reverse("registry:withdraw", args=[child.pk, decision.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    decision.refresh_from_db()
    assert decision.withdrawn_at is None


# --- edit, family, situations, entrusted care, status -------------------------------------------


def test_editing_keeps_what_was_typed_when_refused(village_director, regions, child):
    data = _child_post(regions, name="李小花", sex=Sex.FEMALE, birth_date=child.birth_date.isoformat())
    data.update(disability_grade="2", disability_type="", school_name="岱庙小学")
    response = _client(village_director).post(reverse("registry:edit", args=[child.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["disability_type"]
    assert 'value="岱庙小学"' in response.content.decode()


def test_editing_changes_only_what_changed(village_director, child):
    url = reverse("registry:edit", args=[child.pk])
    client = _client(village_director)
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["phones"] = "、".join(child.phones)
    data["former_names"] = ""
    data["hukou_region"] = ""
    data["school_name"] = "岱庙小学"
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    child.refresh_from_db()
    assert child.school_name == "岱庙小学"
    assert child.name == "李小花"


def test_director_adds_a_mother_with_a_number(village_director, child):
    number = idnumber.make("370902", date(1990, 2, 3), 40, Sex.FEMALE)
    response = _client(village_director).post(
        reverse("registry:family_add", args=[child.pk]),
        {
            "relation": Relation.MOTHER,
            "is_guardian": "on",
            "source": "new",
            "name": "王芳",
            "sex": Sex.FEMALE,
            "birth_date": "1990-02-03",
            "id_number": number,
            "phone": "13900000001",
        },
    )
    assert response.status_code == 302
    mother = child.kinships.get(relation=Relation.MOTHER)
    assert mother.is_guardian
    assert mother.person.name == "王芳"
    assert mother.person.id_number_mask == idnumber.mask(number)


def test_a_second_father_is_refused_on_the_relation_field(village_director, child):
    response = _client(village_director).post(
        reverse("registry:family_add", args=[child.pk]),
        {"relation": Relation.FATHER, "source": "new", "name": "另一个父亲", "sex": Sex.MALE},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["relation"]
    assert 'value="另一个父亲"' in response.content.decode()


def test_a_siblings_parent_is_chosen_from_the_household(village_director, regions, child, kinship):
    sibling = ChildFactory.create(village=regions.village_a1a, name="李小草")
    url = reverse("registry:family_add", args=[sibling.pk])
    client = _client(village_director)
    choices = [str(value) for value, _label in client.get(url).context["form"].fields["existing"].choices]
    assert str(kinship.person.pk) in choices
    response = client.post(
        url, {"relation": Relation.FATHER, "source": "existing", "existing": kinship.person.pk, "is_guardian": "on"}
    )
    assert response.status_code == 302
    assert sibling.kinships.get().person == kinship.person


def test_household_offers_no_one_of_another_village(village_director, regions, child):
    other = ChildFactory.create(village=regions.village_a1b)
    stranger = PersonFactory.create(village=regions.village_a1b)
    KinshipFactory.create(child=other, person=stranger)
    form = _client(village_director).get(reverse("registry:family_add", args=[child.pk])).context["form"]
    assert "existing" not in form.fields or stranger not in form.fields["existing"].queryset


def test_editing_a_family_member(village_director, child, kinship):
    response = _client(village_director).post(
        reverse("registry:family_edit", args=[child.pk, kinship.pk]),
        {"relation": kinship.relation, "name": "李大山", "sex": Sex.MALE, "lives_with_child": "on"},
    )
    assert response.status_code == 302
    kinship.refresh_from_db()
    kinship.person.refresh_from_db()
    assert kinship.person.name == "李大山"
    assert kinship.lives_with_child
    assert not kinship.is_guardian


def test_a_situation_without_a_start_date_is_refused(village_director, child, kinship):
    with translation.override("en"):
        response = _en(_client(village_director)).post(
            reverse("registry:situation_add", args=[child.pk, kinship.pk]),
            {"kind": SituationKind.LOST_CONTACT, "started_on": "", "police_accepted_on": "2025-01-05"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["started_on"]
    assert 'value="2025-01-05"' in response.content.decode()
    assert kinship.person.situations.count() == 1


def test_recording_a_situation_reclassifies(village_director, regions):
    child = ChildFactory.create(village=regions.village_a1a)
    father = add_parent(child, Relation.FATHER, situations=[SituationKind.IMPRISONED], term_months=36)
    mother = add_parent(child, Relation.MOTHER)
    mother_kin = child.kinships.get(person=mother)
    assert father
    response = _client(village_director).post(
        reverse("registry:situation_add", args=[child.pk, mother_kin.pk]),
        {"kind": SituationKind.DEAD, "started_on": "2024-05-01"},
    )
    assert response.status_code == 302
    assert child.classifications.filter(category=Category.DE_FACTO_UNATTENDED, until__isnull=True).exists()


@pytest.mark.parametrize(
    ("kind", "shown", "hidden"),
    [
        (SituationKind.IMPRISONED, "term_months", "police_accepted_on"),
        (SituationKind.LOST_CONTACT, "police_accepted_on", "term_months"),
        (SituationKind.SEVERE_DISABILITY, "disability_grade", "term_months"),
        (SituationKind.WORKING_AWAY, "place", "disability_grade"),
    ],
)
def test_situation_fields_follow_the_kind(village_director, kinship, kind, shown, hidden):
    response = _client(village_director).get(
        reverse("registry:situation_add", args=[kinship.child_id, kinship.pk]), {"kind": kind}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'id="field-{shown}"' in html
    assert f'id="field-{hidden}"' not in html
    assert "<html" not in html


def test_ending_a_situation(village_director, child, kinship):
    situation = kinship.person.situations.get()
    response = _client(village_director).post(
        reverse("registry:situation_end", args=[child.pk, situation.pk]), {"ended_on": "2025-01-10"}
    )
    assert response.status_code == 302
    situation.refresh_from_db()
    assert situation.ended_on == date(2025, 1, 10)


def test_ending_a_situation_before_it_began_is_refused(village_director, child, kinship):
    situation = kinship.person.situations.get()
    response = _client(village_director).post(
        reverse("registry:situation_end", args=[child.pk, situation.pk]), {"ended_on": "2000-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ended_on"]


def test_recording_entrusted_care(village_director, regions, child):
    grandmother = PersonFactory.create(village=regions.village_a1a, name="李奶奶", sex=Sex.FEMALE)
    KinshipFactory.create(child=child, person=grandmother, relation=Relation.PATERNAL_GRANDMOTHER)
    response = _client(village_director).post(
        reverse("registry:entrusted_care", args=[child.pk]),
        {"carer": grandmother.pk, "since": "2024-03-01", "confirmation_signed_on": "2024-03-02"},
    )
    assert response.status_code == 302
    care = child.entrusted_cares.get()
    assert care.carer == grandmother
    assert care.confirmation_signed_on == date(2024, 3, 2)


def test_a_parent_cannot_be_the_entrusted_carer(village_director, child, kinship):
    response = _client(village_director).post(
        reverse("registry:entrusted_care", args=[child.pk]), {"carer": kinship.person.pk, "since": "2024-03-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["carer"]


def test_closing_a_file_needs_a_reason(village_director, child):
    url = reverse("registry:status", args=[child.pk])
    client = _client(village_director)
    response = client.post(url, {"status": FileStatus.MOVED_AWAY, "on": "2025-01-01", "reason": ""})
    assert response.context["form"].errors["reason"]
    response = client.post(url, {"status": FileStatus.MOVED_AWAY, "on": "2025-01-01", "reason": "随父母迁往济南"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == FileStatus.MOVED_AWAY


def test_changing_the_kind_keeps_what_was_typed_without_errors(village_director, child, kinship):
    response = _client(village_director).get(
        reverse("registry:situation_add", args=[child.pk, kinship.pk]),
        {"kind": SituationKind.LOST_CONTACT, "started_on": "2024-09-01", "note": "电话停机"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'value="2024-09-01"' in html
    assert 'value="电话停机"' in html
    assert "invalid-feedback" not in html
    assert 'id="kind-help"' in html


def test_detail_page_queries_do_not_grow_with_the_family(village_director, regions, django_assert_max_num_queries):
    small = ChildFactory.create(village=regions.village_a1a)
    add_parent(small, Relation.FATHER, situations=[SituationKind.WORKING_AWAY])
    large = ChildFactory.create(village=regions.village_a1a)
    for relation in (Relation.FATHER, Relation.MOTHER, Relation.PATERNAL_GRANDFATHER, Relation.PATERNAL_GRANDMOTHER):
        add_parent(large, relation, situations=[SituationKind.WORKING_AWAY, SituationKind.SERIOUS_ILLNESS])
    client = _client(village_director)
    client.get(reverse("registry:detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("registry:detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("registry:detail", args=[large.pk]))
    assert len(many) == len(few)


def test_menu_shows_the_registry_to_its_roles_only(village_director, auditor):
    list_url = reverse("registry:list")
    create_url = reverse("registry:create")
    director_page = _client(village_director).get(reverse("dashboards:home")).content.decode()
    auditor_page = _client(auditor).get(reverse("dashboards:home")).content.decode()
    assert f'href="{list_url}"' in director_page
    assert f'href="{create_url}"' in director_page
    assert f'href="{list_url}"' not in auditor_page
