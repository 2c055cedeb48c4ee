"""Screens: permission matrices over every actor, what the pages show, forms that keep what was typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from shouhu.core.navigation import items_for
from shouhu.core.testing import assert_permission_matrix, login
from shouhu.policy import selectors
from shouhu.policy.definitions import DEFINITIONS
from shouhu.policy.models import PolicyValue
from shouhu.policy.tests.factories import PolicyValueFactory

KEY = "intake.triage_hours"
TODAY = date(2026, 3, 10)
TOMORROW = TODAY + timedelta(days=1)
EDITORS = ["city_admin", "superuser"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(on_day) -> None:
    on_day(TODAY)


@pytest.fixture
def scheduled(city_admin) -> PolicyValue:
    value = PolicyValueFactory.create(
        key=KEY, value=12, effective_from=TOMORROW, created_by=city_admin, reason="市局通知"
    )
    selectors.invalidate()
    return value


def client_of(user) -> Client:
    return login(Client(), user)


# -- permission matrices ----------------------------------------------------------------------


def test_list_is_open_to_every_staff_member(actors) -> None:
    assert_permission_matrix(actors, url=reverse("policy:list"), allowed=list(actors))


def test_detail_is_open_to_every_staff_member(actors) -> None:
    assert_permission_matrix(actors, url=reverse("policy:detail", args=[KEY]), allowed=list(actors))


def test_edit_form_is_for_city_administrators(actors) -> None:
    assert_permission_matrix(actors, url=reverse("policy:edit", args=[KEY]), allowed=EDITORS)


def test_saving_a_value_is_for_city_administrators(actors, city_admin) -> None:
    def another_value_in_force() -> None:
        # Each allowed request must be a real change: put 30 h in force today before it.
        PolicyValueFactory.create(key=KEY, value=30, effective_from=TODAY, created_by=city_admin)
        selectors.invalidate()

    assert_permission_matrix(
        actors,
        url=reverse("policy:edit", args=[KEY]),
        allowed=EDITORS,
        method="post",
        data={"value": "12", "effective_from": TODAY.isoformat(), "reason": "市政府决定"},
        ok=(302,),
        setup=another_value_in_force,
    )
    assert PolicyValue.objects.filter(value=12).count() == len(EDITORS)


def test_withdraw_form_is_for_city_administrators(actors, scheduled) -> None:
    assert_permission_matrix(actors, url=reverse("policy:withdraw", args=[KEY, scheduled.pk]), allowed=EDITORS)


def test_withdrawing_is_refused_to_everybody_but_city_administrators(actors, scheduled) -> None:
    others = {name: user for name, user in actors.items() if name not in EDITORS}
    assert_permission_matrix(
        others,
        url=reverse("policy:withdraw", args=[KEY, scheduled.pk]),
        allowed=[],
        method="post",
        data={"reason": "撤回"},
    )
    assert not hasattr(PolicyValue.objects.get(pk=scheduled.pk), "withdrawal")


@pytest.mark.parametrize("name", EDITORS)
def test_city_administrator_withdraws_a_scheduled_value(actors, scheduled, name: str) -> None:
    response = client_of(actors[name]).post(
        reverse("policy:withdraw", args=[KEY, scheduled.pk]), {"reason": "文件暂缓执行"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("policy:detail", args=[KEY])
    assert PolicyValue.objects.get(pk=scheduled.pk).withdrawal.reason == "文件暂缓执行"


@pytest.mark.parametrize(
    "url",
    [
        reverse("policy:detail", args=["intake.no_such_setting"]),
        reverse("policy:edit", args=["intake.no_such_setting"]),
        reverse("policy:withdraw", args=[KEY, 999_999]),
    ],
)
def test_unknown_setting_or_value_is_404(city_admin, url: str) -> None:
    assert client_of(city_admin).get(url).status_code == 404


def test_withdrawn_value_cannot_be_withdrawn_again(city_admin, scheduled) -> None:
    client = client_of(city_admin)
    url = reverse("policy:withdraw", args=[KEY, scheduled.pk])
    assert client.post(url, {"reason": "撤回"}).status_code == 302
    assert client.post(url, {"reason": "再次撤回"}).status_code == 404


# -- what the pages show -----------------------------------------------------------------------


def test_list_shows_every_setting_with_value_default_source_and_schedule(village_director, scheduled) -> None:
    response = client_of(village_director).get(reverse("policy:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    for key in DEFINITIONS:
        assert f'id="setting-{key}"' in page
    assert "新接报告研判时限" in page  # label of intake.triage_hours
    assert "24 小时" in page  # in force today: the default
    assert "12 小时，自 2026-03-11 起" in page  # scheduled
    assert "[U]" in page
    assert "《未成年人保护法》第十一条" in page  # the citation of a source
    assert reverse("policy:edit", args=[KEY]) not in page  # no change button for a director


def test_list_shows_the_change_button_to_city_administrators(city_admin) -> None:
    page = client_of(city_admin).get(reverse("policy:list")).content.decode()
    assert reverse("policy:edit", args=[KEY]) in page


def test_list_shows_the_values_in_force_on_another_day(village_director, scheduled) -> None:
    response = client_of(village_director).get(reverse("policy:list"), {"on": TOMORROW.isoformat()})
    assert response.context["on"] == TOMORROW
    state = next(s for _g, states in response.context["groups"] for s in states if s.key == KEY)
    assert state.value == 12
    assert state.since == TOMORROW


def test_list_with_a_bad_date_keeps_it_and_says_why(village_director) -> None:
    response = client_of(village_director).get(reverse("policy:list"), {"on": "2026-02-30"})
    assert response.status_code == 200
    assert response.context["on"] == TODAY
    assert 'value="2026-02-30"' in response.content.decode()
    assert response.context["form"].errors["on"]


def test_detail_shows_the_history_with_who_when_and_why(township_supervisor, city_admin) -> None:
    PolicyValueFactory.create(
        key=KEY, value=36, effective_from=date(2026, 1, 1), created_by=city_admin, reason="旧规定"
    )
    PolicyValueFactory.create(key=KEY, value=12, effective_from=TOMORROW, created_by=city_admin, reason="市局通知")
    selectors.invalidate()
    response = client_of(township_supervisor).get(reverse("policy:detail", args=[KEY]))
    page = response.content.decode()
    statuses = [(item.row.value, item.status) for item in response.context["history"]]
    assert statuses == [(12, "scheduled"), (36, "in_force")]
    assert "旧规定" in page
    assert "市局通知" in page
    assert "city_admin" in page  # who set it
    assert "2026-01-01" in page


def test_edit_saves_a_new_value_and_goes_to_the_history(city_admin) -> None:
    response = client_of(city_admin).post(
        reverse("policy:edit", args=[KEY]),
        {"value": "12", "effective_from": TOMORROW.isoformat(), "reason": "市政府常务会议决定"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("policy:detail", args=[KEY])
    assert selectors.get(KEY, on=TOMORROW) == 12


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "999", "effective_from": "2026-03-11", "reason": "我输入的理由"}, "value", "取值不得大于 168。"),
        ({"value": "abc", "effective_from": "2026-03-11", "reason": "我输入的理由"}, "value", "请输入整数。"),
        (
            {"value": "12", "effective_from": "2026-03-09", "reason": "我输入的理由"},
            "effective_from",
            "调整不能追溯既往：请选择今天或以后的日期。",
        ),
        ({"value": "12", "effective_from": "2026-03-11", "reason": "   "}, "reason", "该字段是必填项。"),
    ],
)
def test_rejected_edit_keeps_what_was_typed(city_admin, data: dict[str, str], field: str, message: str) -> None:
    response = client_of(city_admin).post(reverse("policy:edit", args=[KEY]), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    page = response.content.decode()
    assert f'value="{data["value"]}"' in page
    assert f'value="{data["effective_from"]}"' in page
    if data["reason"].strip():
        assert data["reason"] in page
    assert not PolicyValue.objects.exists()


def test_edit_form_fits_the_type_of_the_setting(city_admin) -> None:
    client = client_of(city_admin)
    hours = client.get(reverse("policy:edit", args=[KEY])).content.decode()
    assert 'type="number"' in hours
    assert 'min="1"' in hours
    assert 'max="168"' in hours
    categories = client.get(reverse("policy:edit", args=["registry.difficulty_categories"])).content.decode()
    assert 'type="checkbox"' in categories
    assert 'value="orphan"' in categories
    threshold = client.get(reverse("policy:edit", args=["registry.lost_contact_threshold_day"])).content.decode()
    assert 'type="radio"' in threshold
    assert 'value="day_after"' in threshold
    illnesses = client.get(reverse("policy:edit", args=["registry.serious_illnesses"])).content.decode()
    assert "<textarea" in illnesses


def test_edit_saves_a_list_of_options(city_admin) -> None:
    response = client_of(city_admin).post(
        reverse("policy:edit", args=["registry.difficulty_categories"]),
        {
            "value": ["poverty", "disability", "guardianship", "orphan"],
            "effective_from": TODAY.isoformat(),
            "reason": "纳入孤儿",
        },
    )
    assert response.status_code == 302
    assert selectors.get("registry.difficulty_categories") == ("poverty", "disability", "guardianship", "orphan")


def test_edit_saves_a_boolean(city_admin) -> None:
    key = "registry.de_facto_unattended_public_notice"
    response = client_of(city_admin).post(
        reverse("policy:edit", args=[key]),
        {"value": "true", "effective_from": TODAY.isoformat(), "reason": "本地规定公示"},
    )
    assert response.status_code == 302
    assert selectors.get(key) is True


def test_rejected_withdrawal_keeps_the_form(city_admin, scheduled) -> None:
    response = client_of(city_admin).post(reverse("policy:withdraw", args=[KEY, scheduled.pk]), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]


def test_value_in_force_offers_no_withdrawal(city_admin) -> None:
    value = PolicyValueFactory.create(key=KEY, value=12, effective_from=TODAY, created_by=city_admin)
    selectors.invalidate()
    response = client_of(city_admin).get(reverse("policy:withdraw", args=[KEY, value.pk]))
    assert response.context["withdrawable"] is False
    assert '<form method="post"' not in response.content.decode().split("<main", 1)[1]


# -- navigation --------------------------------------------------------------------------------


def test_every_staff_member_finds_the_settings_in_the_menu(actors) -> None:
    for name, user in actors.items():
        entries = [item for item in items_for(user) if item.url_name == "policy:list"]
        assert len(entries) == 1, name
        assert entries[0].section == ("admin" if name in EDITORS else "help"), name
