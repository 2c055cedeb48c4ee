"""``set_policy_value`` and ``withdraw_scheduled_value``: who may, what is refused, what is recorded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.policy import selectors, services
from shouhu.policy.models import PolicyValue, PolicyWithdrawal
from shouhu.policy.tests.factories import PolicyValueFactory

KEY = "intake.triage_hours"
TODAY = date(2026, 3, 10)
TOMORROW = TODAY + timedelta(days=1)
EDITORS = {"city_admin", "superuser"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(on_day) -> None:
    on_day(TODAY)


def set_value(actor, **overrides) -> PolicyValue:
    arguments: dict[str, Any] = {
        "key": KEY,
        "value": 12,
        "effective_from": TOMORROW,
        "reason": "泰安市民政局〔2026〕3号通知",
    }
    arguments.update(overrides)
    return services.set_policy_value(actor=actor, **arguments)


@pytest.mark.parametrize(
    "name",
    [
        "village_director",
        "township_supervisor",
        "county_caseworker",
        "intake_officer",
        "department_liaison",
        "mandated_reporter",
        "plan_monitor",
        "auditor",
        "county_admin",
        "city_admin",
        "superuser",
    ],
)
def test_only_city_administrators_and_superusers_may_set_a_value(actors, name: str) -> None:
    if name in EDITORS:
        row = set_value(actors[name])
        assert row.created_by == actors[name]
        assert selectors.get(KEY, on=TOMORROW) == 12
    else:
        with pytest.raises(NotAllowedError):
            set_value(actors[name])
        assert not PolicyValue.objects.exists()


def test_deactivated_city_administrator_may_not_set_a_value(city_admin) -> None:
    city_admin.is_active = False
    with pytest.raises(NotAllowedError):
        set_value(city_admin)


def test_value_may_take_effect_today(city_admin) -> None:
    set_value(city_admin, effective_from=TODAY)
    assert selectors.get(KEY) == 12


def test_value_may_not_take_effect_in_the_past(city_admin) -> None:
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as caught:
            set_value(city_admin, effective_from=TODAY - timedelta(days=1))
        assert str(caught.value.message) == "调整不能追溯既往：请选择今天或以后的日期。"
    assert caught.value.field == "effective_from"
    assert not PolicyValue.objects.exists()


def test_value_out_of_range_is_refused_in_chinese(city_admin) -> None:
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as caught:
            set_value(city_admin, value=500)
        assert str(caught.value.message) == "取值不得大于 168。"
    assert caught.value.field == "value"


def test_unknown_setting_is_refused(city_admin) -> None:
    with pytest.raises(DomainError) as caught:
        set_value(city_admin, key="intake.no_such_setting")
    assert caught.value.field == "key"


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_reason_is_required(city_admin, reason: str) -> None:
    with pytest.raises(DomainError) as caught:
        set_value(city_admin, reason=reason)
    assert caught.value.field == "reason"


def test_reason_is_stored_trimmed(city_admin) -> None:
    assert set_value(city_admin, reason="  市政府常务会议决定  ").reason == "市政府常务会议决定"


def test_value_equal_to_the_one_in_force_that_day_is_refused(city_admin) -> None:
    with pytest.raises(DomainError) as caught:
        set_value(city_admin, value=24)
    assert caught.value.field == "value"


def test_stored_value_is_the_typed_json_value(city_admin) -> None:
    row = set_value(
        city_admin, key="registry.difficulty_categories", value=["orphan", "guardianship", "poverty", "disability"]
    )
    row.refresh_from_db()
    assert row.value == ["poverty", "disability", "guardianship", "orphan"]


def test_setting_a_value_is_recorded_in_the_change_history_with_the_actor(city_admin) -> None:
    row = set_value(city_admin)
    entry = LogEntry.objects.get_for_object(row).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == city_admin


def test_two_writes_in_one_thread_are_each_attributed(city_admin, superuser) -> None:
    first = set_value(city_admin)
    second = set_value(superuser, value=6)
    assert LogEntry.objects.get_for_object(first).get().actor == city_admin
    assert LogEntry.objects.get_for_object(second).get().actor == superuser


def scheduled(actor, **overrides) -> PolicyValue:
    return set_value(actor, **overrides)


@pytest.mark.parametrize("name", ["county_admin", "auditor", "village_director", "city_admin", "superuser"])
def test_only_city_administrators_and_superusers_may_withdraw(actors, city_admin, name: str) -> None:
    value = scheduled(city_admin)
    if name in EDITORS:
        withdrawal = services.withdraw_scheduled_value(actor=actors[name], value=value, reason="文件暂缓执行")
        assert withdrawal.created_by == actors[name]
        assert selectors.get(KEY, on=TOMORROW) == 24
    else:
        with pytest.raises(NotAllowedError):
            services.withdraw_scheduled_value(actor=actors[name], value=value, reason="文件暂缓执行")
        assert selectors.get(KEY, on=TOMORROW) == 12


def test_value_in_force_cannot_be_withdrawn(city_admin) -> None:
    value = scheduled(city_admin, effective_from=TODAY)
    with pytest.raises(DomainError, match="该取值已经施行，不能撤回"):
        services.withdraw_scheduled_value(actor=city_admin, value=value, reason="撤回")
    assert not PolicyWithdrawal.objects.exists()


def test_value_cannot_be_withdrawn_twice(city_admin) -> None:
    value = scheduled(city_admin)
    services.withdraw_scheduled_value(actor=city_admin, value=value, reason="撤回")
    with pytest.raises(DomainError, match="该取值已被撤回"):
        services.withdraw_scheduled_value(actor=city_admin, value=value, reason="再次撤回")


def test_withdrawal_needs_a_reason(city_admin) -> None:
    value = scheduled(city_admin)
    with pytest.raises(DomainError) as caught:
        services.withdraw_scheduled_value(actor=city_admin, value=value, reason=" ")
    assert caught.value.field == "reason"


def test_withdrawal_is_recorded_in_the_change_history_with_the_actor(city_admin, superuser) -> None:
    value = PolicyValueFactory.create(key=KEY, value=12, effective_from=TOMORROW, created_by=city_admin)
    withdrawal = services.withdraw_scheduled_value(actor=superuser, value=value, reason="撤回")
    assert LogEntry.objects.get_for_object(withdrawal).get().actor == superuser


def test_withdrawn_value_lets_the_earlier_scheduled_value_hold(city_admin) -> None:
    scheduled(city_admin, value=12, effective_from=TOMORROW)
    later = scheduled(city_admin, value=6, effective_from=TOMORROW + timedelta(days=30))
    services.withdraw_scheduled_value(actor=city_admin, value=later, reason="撤回")
    assert selectors.get(KEY, on=TOMORROW + timedelta(days=60)) == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_database_refuses_to_change_or_delete_a_value(city_admin) -> None:
    value = set_value(city_admin)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PolicyValue.objects.filter(pk=value.pk).update(value=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PolicyValue.objects.filter(pk=value.pk).delete()
