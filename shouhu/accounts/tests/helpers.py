"""Helpers of the accounts tests."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from django.test import Client
from django.urls import reverse

from shouhu.accounts.tests.factories import TEST_PASSWORD
from shouhu.accounts.user_import import COLUMNS, SHEET_NAME
from shouhu.core import xlsx


def post_login(client: Client, username: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    """Log in through the real log-in form (django-axes counts these; ``Client.login`` bypasses it)."""
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def events(log: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [entry for entry in log if entry["action"] == action]


def totp_code(hex_key: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), written out here so that the tests do not trust django-otp's own."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(hex_key), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % 10**digits
    return f"{value:0{digits}d}"


def workbook_bytes(rows: list[list[Any]], *, header: list[str] | None = None, merge: str | None = None) -> bytes:
    """An xlsx in the template's format with ``rows`` under the header (``merge``: a range to merge)."""
    workbook, sheet = xlsx.new_workbook(SHEET_NAME)
    sheet.append(header if header is not None else [c.title for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    return xlsx.to_bytes(workbook)
