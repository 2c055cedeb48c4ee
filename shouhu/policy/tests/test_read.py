"""``get``, ``snapshot`` and ``changes_between``: the value in force over time, and the cache."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction

from shouhu.policy import selectors, services
from shouhu.policy.definitions import DEFINITIONS
from shouhu.policy.models import PolicyValue, PolicyWithdrawal
from shouhu.policy.tests.factories import PolicyValueFactory

KEY = "intake.triage_hours"
MARCH_1 = date(2026, 3, 1)


def store(key: str = KEY, value: object = 12, effective_from: date = MARCH_1) -> PolicyValue:
    """A value written the way another process would: straight into the table, then announced."""
    row = PolicyValueFactory.create(key=key, value=value, effective_from=effective_from)
    selectors.invalidate()
    return row


@pytest.mark.django_db
def test_default_holds_when_nothing_was_set(on_day) -> None:
    on_day(MARCH_1)
    assert selectors.get(KEY) == 24
    assert selectors.get("registry.difficulty_categories") == ("poverty", "disability", "guardianship")


@pytest.mark.django_db
def test_future_value_is_not_in_force_before_its_day(on_day) -> None:
    store(effective_from=MARCH_1)
    on_day(MARCH_1 - timedelta(days=1))
    assert selectors.get(KEY) == 24
    assert selectors.get(KEY, on=MARCH_1 - timedelta(days=1)) == 24


@pytest.mark.django_db
def test_value_is_in_force_from_its_day_on(on_day) -> None:
    store(effective_from=MARCH_1)
    on_day(MARCH_1)
    assert selectors.get(KEY) == 12
    assert selectors.get(KEY, on=date(2027, 1, 1)) == 12


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 2, 28, 15, 59, 59, tzinfo=UTC), 24),  # 23:59:59 on 28 Feb in Beijing
        (datetime(2026, 2, 28, 16, 0, 0, tzinfo=UTC), 12),  # 00:00 on 1 March in Beijing, still 28 Feb in UTC
        (datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC), 12),
    ],
)
def test_today_is_the_day_in_asia_shanghai(clock, instant: datetime, expected: int) -> None:
    store(effective_from=MARCH_1)
    clock(instant)
    assert selectors.get(KEY) == expected


@pytest.mark.django_db
def test_later_value_wins() -> None:
    store(value=12, effective_from=MARCH_1)
    store(value=6, effective_from=date(2026, 6, 1))
    assert selectors.get(KEY, on=date(2026, 2, 28)) == 24
    assert selectors.get(KEY, on=date(2026, 5, 31)) == 12
    assert selectors.get(KEY, on=date(2026, 6, 1)) == 6
    assert selectors.get(KEY, on=date(2030, 1, 1)) == 6


@pytest.mark.django_db
def test_of_two_values_for_one_day_the_newer_wins() -> None:
    store(value=12)
    store(value=8)
    assert selectors.get(KEY, on=MARCH_1) == 8


@pytest.mark.django_db
def test_order_of_entry_does_not_matter_between_days() -> None:
    store(value=6, effective_from=date(2026, 6, 1))
    store(value=12, effective_from=MARCH_1)  # entered later, but for an earlier day
    assert selectors.get(KEY, on=date(2026, 7, 1)) == 6


@pytest.mark.django_db
def test_withdrawn_value_never_takes_effect() -> None:
    row = store(value=12)
    PolicyWithdrawal.objects.create(value=row, reason="撤回", created_by=row.created_by)
    selectors.invalidate()
    assert selectors.get(KEY, on=MARCH_1) == 24


@pytest.mark.django_db
def test_stored_list_comes_back_as_a_tuple() -> None:
    store(key="registry.serious_illnesses", value=["白血病", "尿毒症"])
    assert selectors.get("registry.serious_illnesses", on=MARCH_1) == ("白血病", "尿毒症")


@pytest.mark.django_db
def test_stored_value_that_no_longer_fits_is_ignored(caplog) -> None:
    store(value=12, effective_from=MARCH_1)
    store(value=999, effective_from=date(2026, 4, 1))  # e.g. the maximum was lowered in a later release
    assert selectors.get(KEY, on=date(2026, 5, 1)) == 12
    assert "no longer fits its definition" in caplog.text


@pytest.mark.django_db
def test_an_aware_instant_counts_by_its_day_in_asia_shanghai() -> None:
    store(effective_from=MARCH_1)
    assert selectors.get(KEY, on=datetime(2026, 2, 28, 15, 59, tzinfo=UTC)) == 24  # 23:59 in Beijing
    assert selectors.get(KEY, on=datetime(2026, 2, 28, 16, 0, tzinfo=UTC)) == 12  # 00:00 on 1 March in Beijing


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        selectors.get(KEY, on=datetime(2026, 3, 1, 12, 0))  # noqa: DTZ001  (the point of the test)


def test_unknown_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        selectors.get("intake.no_such_setting")


@pytest.mark.django_db
def test_snapshot_holds_every_setting_on_its_day() -> None:
    store(value=12)
    before = selectors.snapshot(MARCH_1 - timedelta(days=1))
    after = selectors.snapshot(MARCH_1)
    assert set(after) == set(DEFINITIONS)
    assert before[KEY] == 24
    assert after[KEY] == 12
    assert after.on == MARCH_1
    assert after["visits.key_child_interval_months"] == 1


@pytest.mark.django_db
def test_snapshot_cannot_be_changed() -> None:
    snap = selectors.snapshot(MARCH_1)
    with pytest.raises(TypeError):
        snap[KEY] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        snap.on = MARCH_1  # type: ignore[misc]
    with pytest.raises(KeyError):
        snap["intake.no_such_setting"]


@pytest.mark.django_db
def test_snapshots_of_one_day_are_equal_and_hashable() -> None:
    assert selectors.snapshot(MARCH_1) == selectors.snapshot(MARCH_1)
    assert len({selectors.snapshot(MARCH_1), selectors.snapshot(MARCH_1)}) == 1


@pytest.mark.django_db
def test_changes_between_lists_values_that_took_effect_in_the_period() -> None:
    store(value=12, effective_from=MARCH_1)
    store(value=6, effective_from=date(2026, 6, 1))
    store(key="visits.key_child_interval_months", value=2, effective_from=date(2026, 4, 1))
    changes = selectors.changes_between(date(2026, 2, 28), date(2026, 6, 1))
    assert [(c.effective_from, c.key, c.before, c.after) for c in changes] == [
        (MARCH_1, KEY, 24, 12),
        (date(2026, 4, 1), "visits.key_child_interval_months", 1, 2),
        (date(2026, 6, 1), KEY, 12, 6),
    ]


@pytest.mark.django_db
def test_changes_between_excludes_the_start_day_and_includes_the_end_day() -> None:
    store(value=12, effective_from=MARCH_1)
    assert selectors.changes_between(MARCH_1, date(2026, 3, 31)) == ()
    assert len(selectors.changes_between(date(2026, 2, 28), MARCH_1)) == 1


@pytest.mark.django_db
def test_changes_between_skips_a_value_equal_to_the_one_before() -> None:
    store(value=24, effective_from=MARCH_1)  # the default again
    assert selectors.changes_between(date(2026, 1, 1), date(2026, 12, 31)) == ()


@pytest.mark.django_db
def test_changes_between_skips_a_withdrawn_value() -> None:
    row = store(value=12)
    PolicyWithdrawal.objects.create(value=row, reason="撤回", created_by=row.created_by)
    selectors.invalidate()
    assert selectors.changes_between(date(2026, 1, 1), date(2026, 12, 31)) == ()


def test_changes_between_refuses_a_reversed_period() -> None:
    with pytest.raises(ValueError, match="before its start"):
        selectors.changes_between(date(2026, 3, 2), MARCH_1)


# -- the cache -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_reads_do_not_query_the_database(django_assert_num_queries) -> None:
    store(value=12)
    with django_assert_num_queries(1):
        selectors.get(KEY, on=MARCH_1)
    with django_assert_num_queries(0):
        for _ in range(100):
            selectors.get(KEY, on=MARCH_1)
        selectors.snapshot(MARCH_1)
        selectors.setting_states(MARCH_1)


@pytest.mark.django_db
def test_cached_copy_is_kept_until_the_version_stamp_changes() -> None:
    assert selectors.get(KEY, on=MARCH_1) == 24
    PolicyValueFactory.create(key=KEY, value=12, effective_from=MARCH_1)  # another process wrote, not yet announced
    assert selectors.get(KEY, on=MARCH_1) == 24
    cache.set(selectors.VERSION_KEY, "another-process-wrote", timeout=None)
    assert selectors.get(KEY, on=MARCH_1) == 12


@pytest.mark.django_db
def test_cached_copy_is_reloaded_after_its_maximum_age(monkeypatch) -> None:
    assert selectors.get(KEY, on=MARCH_1) == 24
    PolicyValueFactory.create(key=KEY, value=12, effective_from=MARCH_1)  # a process with its own LocMem cache wrote
    later = time.monotonic() + selectors.MAX_AGE_SECONDS + 1
    monkeypatch.setattr("shouhu.policy.selectors.monotonic", lambda: later)
    assert selectors.get(KEY, on=MARCH_1) == 12


@pytest.mark.django_db
def test_a_cache_that_cannot_be_read_does_not_stop_reads(monkeypatch, caplog) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(selectors, "_last_cache_warning", -selectors.MAX_AGE_SECONDS)
    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    store(value=12)
    for _ in range(50):
        assert selectors.get(KEY, on=MARCH_1) == 12
    assert caplog.text.count("the cache cannot be") == 1  # once, not once per read


@pytest.mark.django_db
def test_write_is_seen_at_once_in_its_own_transaction(city_admin, on_day) -> None:
    on_day(date(2026, 2, 1))
    assert selectors.get(KEY, on=MARCH_1) == 24
    services.set_policy_value(actor=city_admin, key=KEY, value=12, effective_from=MARCH_1, reason="市民政局通知")
    assert selectors.get(KEY, on=MARCH_1) == 12


@pytest.mark.django_db
def test_committed_write_changes_the_version_for_every_process(
    city_admin, on_day, django_capture_on_commit_callbacks
) -> None:
    on_day(date(2026, 2, 1))
    selectors.get(KEY, on=MARCH_1)
    version = cache.get(selectors.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_policy_value(actor=city_admin, key=KEY, value=12, effective_from=MARCH_1, reason="市民政局通知")
    assert cache.get(selectors.VERSION_KEY) != version
    assert selectors.get(KEY, on=MARCH_1) == 12


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_leaves_no_trace_in_the_cache(city_admin, on_day) -> None:
    on_day(date(2026, 2, 1))
    assert selectors.get(KEY, on=MARCH_1) == 24
    seen_inside: list[object] = []

    def work_that_fails_after_the_write() -> None:
        with transaction.atomic():
            services.set_policy_value(
                actor=city_admin, key=KEY, value=12, effective_from=MARCH_1, reason="市民政局通知"
            )
            seen_inside.append(selectors.get(KEY, on=MARCH_1))
            raise RuntimeError("the surrounding work failed")

    with pytest.raises(RuntimeError):
        work_that_fails_after_the_write()
    assert seen_inside == [12]
    assert not PolicyValue.objects.exists()
    assert selectors.get(KEY, on=MARCH_1) == 24
