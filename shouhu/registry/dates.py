"""Calendar dates of the registry's rules: calendar months, completed years, birthdays.

Pure functions, no database. Source: DOMAIN.md §8.3 (民法典 arts. 200-202: a period of months
ends on the same day of the last month, or on that month's last day where it has no such day —
never 180 or 183 days) and §8.4 (age in completed years; the birthday itself counts; a child born
on 29 February completes a year on 1 March in common years).
"""

from __future__ import annotations

import calendar
from datetime import date

FEBRUARY = 2
LEAP_DAY = 29


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (negative goes back); 2025-08-31 + 6 → 2026-02-28.

    Source: 民法典 art. 201 ¶2 read with art. 202 — the period ends on the corresponding day of
    the last month, or on its last day where that month has no corresponding day (§8.3).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not date.min.year <= year <= date.max.year:
        raise OverflowError(f"{day.isoformat()} + {months} months is outside the calendar")
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (``add_months(start, n) <= end``), 0 if end is earlier."""
    if end <= start:
        return 0
    count = (end.year - start.year) * 12 + (end.month - start.month)
    while count > 0 and add_months(start, count) > end:
        count -= 1
    return count


def birthday(birth_date: date, age: int) -> date:
    """The day a child born on ``birth_date`` completes ``age`` years (§8.4).

    29 February completes a year on 1 March in common years: the child has not lived a full
    year before 28 February ends (民法典 art. 201 counts a year to the corresponding day, and
    a common year has no 29 February, so the year ends with 28 February and is complete the next day).
    """
    if age < 0:
        raise ValueError("an age is never negative")
    year = birth_date.year + age
    if birth_date.month == FEBRUARY and birth_date.day == LEAP_DAY and not calendar.isleap(year):
        return date(year, 3, 1)
    return birth_date.replace(year=year)


def age_on(birth_date: date, on: date) -> int:
    """Completed years of a child born on ``birth_date`` on the day ``on``; the birthday counts (§8.4).

    -1 when ``on`` is before the birth (the caller decides what that means).
    """
    if on < birth_date:
        return -1
    years = on.year - birth_date.year
    if birthday(birth_date, years) > on:
        years -= 1
    return years


def is_under(birth_date: date, age: int, on: date) -> bool:
    """Has the child not yet completed ``age`` years on ``on``? (born that day: yes, for age >= 1)."""
    return on < birthday(birth_date, age)
