"""The lifetime rules of API tokens, case by case (source: shouhu/api/rules.py)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from shouhu.api import rules

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("expires_on", "problem"),
    [
        (date(2026, 3, 9), "not_in_future"),
        (date(2026, 3, 10), "not_in_future"),
        (date(2026, 3, 11), None),
        (date(2027, 3, 10), None),  # the default: one year
        (date(2028, 3, 10), None),  # the maximum: two years to the day
        (date(2028, 3, 11), "too_far"),
        (date(2030, 1, 1), "too_far"),
    ],
)
def test_expiry_must_lie_between_tomorrow_and_two_years_on(expires_on, problem):
    assert rules.expiry_problem(expires_on, TODAY) == problem


def test_default_expiry_is_one_year_on():
    assert rules.default_expiry(TODAY) == date(2027, 3, 10)
    assert rules.expiry_problem(rules.default_expiry(TODAY), TODAY) is None


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (date(2026, 3, 10), date(2028, 3, 10)),
        (date(2028, 2, 29), date(2030, 2, 28)),  # a leap day has no match two years on
        (date(2027, 2, 28), date(2029, 2, 28)),
        (date(2026, 12, 31), date(2028, 12, 31)),
    ],
)
def test_latest_expiry_is_the_same_day_two_years_on(today, latest):
    assert rules.latest_expiry(today) == latest


def test_token_stops_at_the_local_midnight_that_starts_its_expiry_day():
    moment = rules.expiry_moment(date(2027, 3, 10), ZoneInfo("Asia/Shanghai"))
    assert moment.isoformat() == "2027-03-10T00:00:00+08:00"
