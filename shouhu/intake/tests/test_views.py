"""The intake screens: who reaches each page, filing a report (a refused form keeps what was typed),
the front door's queue, and a report's page identifying its child with the matching engine — the
issue's example "王晓明, about 9" finding the file of 王小明 born 2016-03-02 — then linking it,
saying no file is on record, and triage."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouhu.audit.models import AccessEvent
from shouhu.core.navigation import items_for
from shouhu.core.testing import assert_permission_matrix, login
from shouhu.intake import services
from shouhu.intake.choices import Channel, Identification, ReporterType, Situation, Urgency
from shouhu.intake.models import Report
from shouhu.matching import keys
from shouhu.registry.choices import Sex
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 2)
FRONT_DOOR_A = ["county_caseworker", "intake_officer", "superuser"]
FILERS = [
    "village_director",
    "other_village_director",
    "township_supervisor",
    "other_township_supervisor",
    "county_caseworker",
    "other_county_caseworker",
    "intake_officer",
    "department_liaison",
    "mandated_reporter",
    "superuser",
]


def on_file(**fields) -> Child:
    child = ChildFactory.create(**fields)
    keys.refresh([child.pk])
    return child


def client_of(user, *, english: bool = True) -> Client:
    client = login(Client(), user)
    if english:
        client.cookies["django_language"] = "en"
    return client


def file(actor, region, **data) -> Report:
    values = {
        "channel": Channel.MANDATORY,
        "reporter_type": ReporterType.SCHOOL,
        "description": "孩子身上多处淤青，说是被父亲打的",
        "situations": [Situation.VIOLENCE_SIGNS],
        **data,
    }
    return services.file_report(actor=actor, region=region, data=values, id_number=data.pop("id_number", ""))


@pytest.fixture
def report(regions, mandated_reporter) -> Report:
    return file(mandated_reporter, regions.village_a1a, child_name="王晓明", child_age=9, child_sex=Sex.MALE)


def test_only_the_front_door_of_the_region_opens_the_queue_others_who_file_see_their_own(actors):
    assert_permission_matrix(
        actors,
        url=reverse("intake:queue"),
        allowed=[*FRONT_DOOR_A, "other_county_caseworker"],
        denied=(302, 404),
    )
    # Filers who are not the front door are sent to their own reports; the rest get 404.
    response = client_of(actors["mandated_reporter"]).get(reverse("intake:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:mine")
    assert client_of(actors["plan_monitor"]).get(reverse("intake:queue")).status_code == 404


def test_everyone_who_must_report_reaches_the_form_and_nobody_else(actors):
    assert_permission_matrix(actors, url=reverse("intake:new"), allowed=FILERS)
    assert_permission_matrix(actors, url=reverse("intake:mine"), allowed=FILERS)


def test_a_report_is_seen_by_the_front_door_of_its_county_and_by_whoever_filed_it(actors, report):
    assert_permission_matrix(
        actors, url=reverse("intake:detail", args=[report.pk]), allowed=[*FRONT_DOOR_A, "mandated_reporter"]
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [("intake:triage", {"urgency": Urgency.ORDINARY}), ("intake:not_on_file", {"note": ""})],
)
def test_only_the_front_door_of_the_reports_county_triages_and_identifies(actors, report, name, data):
    assert_permission_matrix(
        actors,
        url=reverse(name, args=[report.pk]),
        method="post",
        data=data,
        allowed=FRONT_DOOR_A,
        ok=(302,),
    )


def test_a_filed_report_gets_a_receipt_code_and_starts_its_triage_clock(regions, mandated_reporter):
    client = client_of(mandated_reporter)
    response = client.post(
        reverse("intake:new"),
        {
            "channel": Channel.MANDATORY,
            "reporter_type": ReporterType.SCHOOL,
            "situations": [Situation.VIOLENCE_SIGNS, Situation.ABANDONED],
            "immediate_danger": "on",
            "description": "多处淤青",
            "region": regions.village_a1a.code,
            "child_name": "王晓明",
            "child_age": "9",
            "id_number": "",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", args=[report.pk])
    assert report.created_by == mandated_reporter
    assert report.reporter_agency == mandated_reporter.agency
    assert report.situations == [Situation.VIOLENCE_SIGNS, Situation.ABANDONED]
    # The child is in danger now: the emergency deadline (2 hours by default).
    assert report.triage_due_at == report.received_at + timedelta(hours=2)
    page = client.get(response["Location"])
    # The time left is shown, with why: the emergency deadline.
    assert re.search(r"Triage within 1\xa0hour, 59\xa0minutes|Triage within 2\xa0hours", page.content.decode())
    assert "the reporter said the child is in danger right now" in page.content.decode()
    assert report.receipt_code in page.content.decode()
    # The filer sees neither the triage form nor the search of the registry.
    assert b"intake-triage-form" not in page.content
    assert b"search-results" not in page.content


def test_a_refused_report_keeps_everything_typed(regions, mandated_reporter):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_of(mandated_reporter).post(
        reverse("intake:new"),
        {
            "channel": Channel.MANDATORY,
            "reporter_type": ReporterType.SCHOOL,
            "description": "孩子长期无人照料",
            "region": regions.village_a1a.code,
            "child_name": "李四",
            "child_birth_date": tomorrow,
            "guardian_name": "李大山",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "The date of birth is in the future." in text
    for typed in ("孩子长期无人照料", "李四", "李大山", tomorrow):
        assert typed in text
    assert not Report.objects.exists()


def test_a_village_outside_the_filers_county_is_refused(regions, mandated_reporter):
    response = client_of(mandated_reporter).post(
        reverse("intake:new"),
        {
            "channel": Channel.MANDATORY,
            "reporter_type": ReporterType.SCHOOL,
            "description": "x",
            "region": regions.village_b1a.code,
        },
    )
    assert response.status_code == 200
    assert not Report.objects.exists()
    assert f"Select a valid choice. {regions.village_b1a.code} is not one of the available choices." in (
        response.content.decode()
    )


def test_the_report_page_finds_the_childs_file_from_a_homophone_and_an_age(regions, intake_officer, report):
    child = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    on_file(name="赵丽", sex=Sex.FEMALE, birth_date=date(2012, 5, 5), village=regions.village_a1a)
    response = client_of(intake_officer).get(reverse("intake:detail", args=[report.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    first = text.index('class="card mb-2 matching-candidate"')
    assert f'data-candidate="{child.pk}"' in text[first : first + 200]
    assert "赵丽" not in text
    # The searcher sees why: the name sounds the same.
    assert "intake-link" in text
    # The search and the view of the report are both in the access log.
    actions = set(AccessEvent.objects.filter(actor=intake_officer).values_list("action", "object_type"))
    assert ("view", "intake.report") in actions
    assert ("search", "registry.child") in actions


def test_linking_the_report_to_the_file_and_saying_no_file_is_on_record(regions, intake_officer, report):
    child = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    client = client_of(intake_officer)
    response = client.post(reverse("intake:identify", args=[report.pk]), {"child": child.pk})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.child == child
    assert report.identification == Identification.LINKED
    assert report.identified_by == intake_officer
    page = client.get(reverse("intake:detail", args=[report.pk])).content.decode()
    assert 'id="intake-linked"' in page
    assert "search-results" not in page
    client.post(reverse("intake:not_on_file", args=[report.pk]), {"note": "家长确认不是同一个孩子"})
    report.refresh_from_db()
    assert report.child is None
    assert report.identification == Identification.NOT_ON_FILE


def test_a_file_the_front_door_cannot_see_cannot_be_linked(regions, intake_officer, report):
    elsewhere = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_b1a)
    response = client_of(intake_officer).post(reverse("intake:identify", args=[report.pk]), {"child": elsewhere.pk})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.child is None
    assert report.identification == Identification.PENDING


def test_triage_needs_a_reason_to_close_a_report_and_records_who(intake_officer, report):
    client = client_of(intake_officer)
    response = client.post(reverse("intake:triage", args=[report.pk]), {"urgency": Urgency.NO_ACTION, "note": ""})
    assert response.status_code == 400
    assert "Say why this is not a child-protection matter." in response.content.decode()
    report.refresh_from_db()
    assert report.urgency == ""
    client.post(reverse("intake:triage", args=[report.pk]), {"urgency": Urgency.EMERGENCY, "note": "立即出警"})
    report.refresh_from_db()
    assert report.urgency == Urgency.EMERGENCY
    assert report.triaged_by == intake_officer


def test_the_queue_lists_waiting_reports_most_urgent_first_with_overdue_ones_marked(
    regions, mandated_reporter, intake_officer
):
    ordinary = file(mandated_reporter, regions.village_a1a, child_name="张三")
    file(mandated_reporter, regions.village_a1b, child_name="李四", immediate_danger=True)
    Report.objects.filter(pk=ordinary.pk).update(triage_due_at=timezone.now() - timedelta(hours=1))
    triaged = file(mandated_reporter, regions.village_a1a, child_name="赵五")
    services.triage(actor=intake_officer, report=triaged, urgency=Urgency.ORDINARY)
    text = client_of(intake_officer).get(reverse("intake:queue")).content.decode()
    assert text.index("张三") < text.index("李四")  # overdue first, then the emergency's deadline
    assert "赵五" not in text
    assert "Overdue by" in text
    assert "赵五" in client_of(intake_officer).get(reverse("intake:queue") + "?state=triaged").content.decode()


def test_the_menu_shows_the_queue_to_the_front_door_and_my_reports_to_filers(actors):
    urls = {
        user: {item.url_name for item in items_for(actors[user])}
        for user in ("intake_officer", "mandated_reporter", "plan_monitor")
    }
    assert {"intake:queue", "intake:new"} <= urls["intake_officer"]
    assert {"intake:mine", "intake:new"} <= urls["mandated_reporter"]
    assert "intake:queue" not in urls["mandated_reporter"]
    assert not {"intake:queue", "intake:mine", "intake:new"} & urls["plan_monitor"]


def test_a_merged_file_is_not_linked_the_page_says_so_and_searches_again(regions, intake_officer, report):
    merged = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    Child.objects.filter(pk=merged.pk).update(status="merged")
    client = client_of(intake_officer)
    response = client.post(reverse("intake:identify", args=[report.pk]), {"child": merged.pk}, follow=True)
    assert "This file was merged into another" in response.content.decode()
    report.refresh_from_db()
    assert report.child is None


def test_the_home_page_shows_the_front_door_its_queue_and_the_reporter_their_receipts(
    regions, mandated_reporter, intake_officer, report
):
    home = client_of(intake_officer).get(reverse("dashboards:home")).content.decode()
    assert reverse("intake:detail", args=[report.pk]) in home
    assert "王晓明" in home
    mine = client_of(mandated_reporter).get(reverse("dashboards:home")).content.decode()
    assert report.receipt_code in mine
    assert reverse("intake:new") in mine


def test_the_childs_page_lists_the_reports_linked_to_it_for_whoever_may_open_them(
    regions, intake_officer, village_director, report
):
    child = on_file(name="王小明", sex=Sex.MALE, birth_date=BORN, village=regions.village_a1a)
    services.identify(actor=intake_officer, report=report, child=child)
    page = client_of(intake_officer).get(reverse("registry:detail", args=[child.pk])).content.decode()
    assert f'intake-child-report" data-report="{report.pk}"' in page
    assert report.receipt_code in page
    # The child director sees the file but not a report someone else made (the reporter is confidential).
    director = client_of(village_director).get(reverse("registry:detail", args=[child.pk])).content.decode()
    assert "王小明" in director
    assert report.receipt_code not in director
