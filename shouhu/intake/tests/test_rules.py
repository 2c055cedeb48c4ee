"""The pure clocks of a report (rules.triage_due, rules.lateness) and its receipt codes; no database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.translation import override

from shouhu.intake import rules
from shouhu.registry.explain import render_one
from shouhu.registry.facts import Reason

RECEIVED = datetime(2026, 3, 10, 4, 30, tzinfo=UTC)
GROUP = "[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}"
CODE = re.compile(f"^{GROUP}-{GROUP}-{GROUP}$")


# -- the triage deadline ---------------------------------------------------------------------------


def test_an_ordinary_report_is_due_after_the_ordinary_hours():
    due = rules.triage_due(RECEIVED, emergency=False, hours=24, emergency_hours=2)
    assert due.at == RECEIVED + timedelta(hours=24)
    assert (due.hours, due.emergency) == (24, False)
    assert due.reason == Reason(rules.DUE_ORDINARY, {"hours": 24})


def test_an_emergency_is_due_after_the_emergency_hours():
    due = rules.triage_due(RECEIVED, emergency=True, hours=24, emergency_hours=2)
    assert due.at == RECEIVED + timedelta(hours=2)
    assert (due.hours, due.emergency) == (2, True)
    assert due.reason == Reason(rules.DUE_EMERGENCY, {"hours": 2})


@pytest.mark.parametrize(("emergency", "expected"), [(False, 48), (True, 6)])
def test_the_deadline_follows_the_hours_passed_in(emergency, expected):
    due = rules.triage_due(RECEIVED, emergency=emergency, hours=48, emergency_hours=6)
    assert due.at - RECEIVED == timedelta(hours=expected)
    assert due.reason.args == {"hours": expected}


def test_the_reasons_say_the_hours_in_english():
    with override("en"):
        ordinary = render_one(rules.triage_due(RECEIVED, emergency=False, hours=24, emergency_hours=2).reason)
        emergency = render_one(rules.triage_due(RECEIVED, emergency=True, hours=24, emergency_hours=2).reason)
    assert ordinary.startswith("Triage due within 24 hours of receipt (policy setting: triage of a new report;")
    assert emergency.startswith("Triage due within 2 hours of receipt: the reporter said the child is in danger")


def test_a_report_is_overdue_only_after_its_deadline():
    due = rules.triage_due(RECEIVED, emergency=False, hours=24, emergency_hours=2)
    assert not due.overdue(RECEIVED)
    assert not due.overdue(due.at)
    assert due.overdue(due.at + timedelta(seconds=1))


# -- a late mandatory report -----------------------------------------------------------------------


def test_a_report_within_the_limit_is_not_late():
    assert rules.lateness(RECEIVED - timedelta(hours=3), RECEIVED, limit_hours=24) is None


def test_a_report_exactly_at_the_limit_is_not_late():
    assert rules.lateness(RECEIVED - timedelta(hours=24), RECEIVED, limit_hours=24) is None


def test_a_report_a_second_past_the_limit_is_late():
    reason = rules.lateness(RECEIVED - timedelta(hours=24, seconds=1), RECEIVED, limit_hours=24)
    assert reason == Reason(rules.LATE, {"hours": 24, "limit": 24})


def test_the_reason_gives_the_whole_hours_of_delay_and_the_limit():
    reason = rules.lateness(RECEIVED - timedelta(hours=50, minutes=59), RECEIVED, limit_hours=12)
    assert reason == Reason(rules.LATE, {"hours": 50, "limit": 12})
    with override("en"):
        text = render_one(reason)
    assert text.startswith("Reported 50 hours after the situation was discovered, more than the 12 hours after")


def test_a_report_with_no_time_of_discovery_is_never_late():
    assert rules.lateness(None, RECEIVED, limit_hours=1) is None


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=3)])
def test_a_discovery_at_or_after_the_report_is_not_late(after):
    assert rules.lateness(RECEIVED + after, RECEIVED, limit_hours=1) is None


# -- receipt codes ---------------------------------------------------------------------------------


def test_a_new_receipt_code_is_three_groups_of_four_from_the_alphabet():
    codes = [rules.new_receipt_code() for _ in range(300)]
    for code in codes:
        assert CODE.match(code), code
        assert rules.format_receipt(code) == code
    assert len(set(codes)) == len(codes)
    # Every character of the alphabet is drawn (3,600 draws of 31 characters), none other.
    assert set("".join(codes).replace("-", "")) == set(rules.RECEIPT_ALPHABET)


def test_the_alphabet_has_no_characters_that_are_misheard():
    assert not set("01OIL") & set(rules.RECEIPT_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "K7QM-3XWP-9DHT",
        "k7qm-3xwp-9dht",
        "K7QM 3XWP 9DHT",
        "  k7qm3xwp9dht ",
        "K7QM3XWP9DHT",
        "k7 qm-3x wp_9dht",
    ],
)
def test_a_code_as_typed_is_put_in_its_canonical_form(typed):
    assert rules.format_receipt(typed) == "K7QM-3XWP-9DHT"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "K7QM-3XWP-9DH",  # 11 characters
        "K7QM-3XWP-9DHTA",  # 13 characters
        "K7QM-3XWP-9DH0",  # zero
        "K7QM-3XWP-9DHO",  # the letter O
        "K7QM-3XWP-9DH1",  # one
        "K7QM-3XWP-9DHI",  # the letter I
        "K7QM-3XWP-9DHL",  # the letter L
        "K7QM-3XWP-9DH字",  # not a Latin character
        "K7QM-3XWP-9DH２",  # a full-width digit
    ],
)
def test_anything_else_is_not_a_code(typed):
    assert rules.format_receipt(typed) == ""
