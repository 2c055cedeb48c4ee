"""Calendar months, completed years and birthdays (DOMAIN.md §8.3, §8.4), as tables of cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shouhu.registry.dates import add_months, age_on, birthday, is_under, months_between


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # §8.3's example: no 31 February, its last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # the same in a leap year
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 30), 1, date(2025, 2, 28)),
        (date(2025, 2, 28), 1, date(2025, 3, 28)),  # not "the last day of March": the same day
        (date(2025, 3, 10), 36, date(2028, 3, 10)),  # a three-year sentence
        (date(2025, 4, 2), 6, date(2025, 10, 2)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # across the year end
        (date(2025, 7, 15), 6, date(2026, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),  # backwards
        (date(2025, 5, 31), -3, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 8, 31), 0, date(2025, 8, 31)),
        (date(2025, 1, 1), 6, date(2025, 7, 1)),  # 181 days, not 180
        (date(2025, 7, 1), 6, date(2026, 1, 1)),  # 184 days, not 183
    ],
)
def test_add_months_counts_calendar_months(day, months, expected):
    assert add_months(day, months) == expected


def test_add_months_outside_the_calendar_fails_loudly():
    with pytest.raises(OverflowError):
        add_months(date(9999, 12, 1), 1)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2010, 5, 10), date(2010, 5, 10), 0),
        (date(2010, 5, 10), date(2011, 5, 9), 0),
        (date(2010, 5, 10), date(2011, 5, 10), 1),  # the birthday itself counts
        (date(2010, 5, 10), date(2028, 5, 9), 17),
        (date(2010, 5, 10), date(2028, 5, 10), 18),
        (date(2010, 5, 10), date(2026, 5, 9), 15),
        (date(2010, 5, 10), date(2026, 5, 10), 16),
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # 29 February: not yet on 28 February …
        (date(2008, 2, 29), date(2026, 3, 1), 18),  # … but on 1 March of a common year
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),  # in a leap year, on 29 February
        (date(2012, 2, 29), date(2013, 2, 28), 0),
        (date(2012, 2, 29), date(2013, 3, 1), 1),
        (date(2010, 12, 31), date(2011, 1, 1), 0),
        (date(2010, 1, 1), date(2010, 12, 31), 0),
        (date(2010, 5, 10), date(2010, 5, 9), -1),  # before the birth
    ],
)
def test_age_on_is_completed_years(birth, on, age):
    assert age_on(birth, on) == age


@pytest.mark.parametrize(
    ("birth", "age", "expected"),
    [
        (date(2010, 5, 10), 0, date(2010, 5, 10)),
        (date(2010, 5, 10), 3, date(2013, 5, 10)),
        (date(2010, 5, 10), 18, date(2028, 5, 10)),
        (date(2008, 2, 29), 18, date(2026, 3, 1)),  # common year: 1 March
        (date(2008, 2, 29), 16, date(2024, 2, 29)),  # leap year: 29 February
        (date(2008, 2, 29), 1, date(2009, 3, 1)),
        (date(2000, 2, 28), 1, date(2001, 2, 28)),
    ],
)
def test_birthday_is_the_day_a_child_completes_an_age(birth, age, expected):
    assert birthday(birth, age) == expected


def test_birthday_of_a_negative_age_is_refused():
    with pytest.raises(ValueError, match="negative"):
        birthday(date(2010, 1, 1), -1)


BIRTHS = [date(2008, 2, 29), date(2010, 1, 1), date(2010, 12, 31), date(2011, 3, 1), date(2012, 2, 28)]


@pytest.mark.parametrize("birth", BIRTHS)
@pytest.mark.parametrize("age", [1, 3, 6, 14, 16, 18])
def test_age_changes_exactly_on_the_birthday(birth, age):
    day = birthday(birth, age)
    assert age_on(birth, day) == age
    assert age_on(birth, day - timedelta(days=1)) == age - 1
    assert not is_under(birth, age, day)
    assert is_under(birth, age, day - timedelta(days=1))


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 4, 2), date(2025, 10, 1), 5),
        (date(2025, 4, 2), date(2025, 10, 2), 6),
        (date(2025, 8, 31), date(2026, 2, 27), 5),
        (date(2025, 8, 31), date(2026, 2, 28), 6),  # the month-end rule works both ways
        (date(2025, 8, 31), date(2025, 8, 1), 0),
        (date(2025, 8, 31), date(2025, 8, 31), 0),
    ],
)
def test_months_between_counts_whole_calendar_months(start, end, months):
    assert months_between(start, end) == months


@pytest.mark.parametrize("start", [date(2024, 1, 31), date(2024, 2, 29), date(2025, 8, 31), date(2025, 6, 15)])
def test_months_between_is_the_inverse_of_add_months(start):
    day = start
    while day < date(2027, 1, 1):
        count = months_between(start, day)
        assert add_months(start, count) <= day < add_months(start, count + 1)
        day += timedelta(days=7)
