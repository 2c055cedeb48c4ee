"""Rules of API tokens for partner systems: how long a token may live.

Pure module (no database). Source: issue #2 item 7 (token auth for partner systems), with the
lifetime fixed by the API brief: one year by default, two years at most, so that a forgotten
key of a partner's data exchange stops working on its own.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

DEFAULT_LIFETIME_DAYS = 365
MAX_LIFETIME_YEARS = 2
NAME_MAX_LENGTH = 100


def default_expiry(today: date) -> date:
    """The expiry date the issue form proposes: one year from today."""
    return today + timedelta(days=DEFAULT_LIFETIME_DAYS)


def latest_expiry(today: date) -> date:
    """The latest allowed expiry date: the same calendar day two years on (28 Feb for 29 Feb)."""
    try:
        return today.replace(year=today.year + MAX_LIFETIME_YEARS)
    except ValueError:  # 29 February of a leap year
        return today.replace(year=today.year + MAX_LIFETIME_YEARS, day=28)


def expiry_problem(expires_on: date, today: date) -> str | None:
    """Why ``expires_on`` is not allowed (a code), or None: from tomorrow to two years on."""
    if expires_on <= today:
        return "not_in_future"
    if expires_on > latest_expiry(today):
        return "too_far"
    return None


def expiry_moment(expires_on: date, zone: tzinfo) -> datetime:
    """The instant a token expiring on ``expires_on`` stops working: that day's local midnight."""
    return datetime.combine(expires_on, time.min, tzinfo=zone)
