"""Statistical division codes (统计用区划代码): pure functions on 12-digit codes.

Source: DOMAIN.md §6.1 — province 2 digits, city 2, county 2, township 3, village 3. A region's
code is a materialised path: the rows under a region are those whose code starts with the
region's significant prefix, which the database answers with a range on an indexed column
(``code >= '370902001000' AND code < '370902002000'``) — both SQLite and PostgreSQL serve it
from a B-tree index, whatever the collation, because both bounds are 12-digit strings.
"""

from __future__ import annotations

import enum

from django.db.models import Q

from shouhu.regions.choices import Level

CODE_LENGTH = 12
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_ORDER = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


class TownshipKind(enum.Enum):
    """What digits 7-9 of a code say about its township (DOMAIN.md §6.1)."""

    SUB_DISTRICT = "sub_district"  # 街道
    TOWN = "town"  # 镇
    TOWNSHIP = "township"  # 乡
    SPECIAL = "special"  # 政企合一 and similar units


TOWNSHIP_PARTS = {
    TownshipKind.SUB_DISTRICT: range(1, 100),
    TownshipKind.TOWN: range(100, 200),
    TownshipKind.TOWNSHIP: range(200, 400),
    TownshipKind.SPECIAL: range(400, 600),
}
# Village part of 居委会 (residents' committees) and 村委会 (villagers' committees): an observed
# pattern of the published tables, not a rule text (DOMAIN.md §6.1, [U]); the demo follows it.
RESIDENTS_COMMITTEE_PARTS = range(1, 200)
VILLAGERS_COMMITTEE_PARTS = range(200, 400)


class CodeError(ValueError):
    """A string that is not a well-formed division code."""


def pad(code: str) -> str:
    """The 12-digit form of a 2-, 4-, 6-, 9- or 12-digit code."""
    code = code.strip()
    if not code.isascii() or not code.isdigit():
        raise CodeError(f"{code!r} has characters other than digits")
    if len(code) not in (2, 4, 6, 9, 12):
        raise CodeError(f"{code!r} has {len(code)} digits; codes have 2, 4, 6, 9 or 12")
    return code.ljust(CODE_LENGTH, "0")


def level_of(code: str) -> Level:
    """The level a 12-digit code denotes (the lowest non-zero segment)."""
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise CodeError(f"{code!r} is not a 12-digit code")
    if code[:2] == "00":
        raise CodeError(f"{code!r} has no province")
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[4:] == "0" * 8:
        return Level.CITY
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def prefix_of(code: str, level: Level | str | None = None) -> str:
    """The significant prefix of ``code`` at its level (``'3709'`` for 泰安市)."""
    return code[: PREFIX_LENGTH[Level(level) if level else level_of(code)]]


def parent_code(code: str) -> str | None:
    """The 12-digit code of the level above, or None for a province.

    A city without counties (东莞 4419, 中山 4420 …) has its townships directly under it:
    their county segment is ``00`` and the parent computed here is the city itself.
    """
    level = level_of(code)
    if level is Level.PROVINCE:
        return None
    index = LEVEL_ORDER.index(level)
    parent = prefix_of(code, LEVEL_ORDER[index - 1]).ljust(CODE_LENGTH, "0")
    if level is Level.TOWNSHIP and code[4:6] == "00":
        return code[:4].ljust(CODE_LENGTH, "0")
    return parent


def ancestors(code: str) -> list[str]:
    """Codes of every region above ``code``, province first."""
    chain: list[str] = []
    current = parent_code(code)
    while current is not None:
        chain.append(current)
        current = parent_code(current)
    return list(reversed(chain))


def township_kind(code: str) -> TownshipKind | None:
    """The kind of township a township or village code belongs to, from digits 7-9 (§6.1).

    None when the township part is outside 001-599 (000 is the county itself).
    """
    part = int(code[6:9])
    for kind, parts in TOWNSHIP_PARTS.items():
        if part in parts:
            return kind
    return None


def prefix_bounds(prefix: str) -> tuple[str, str | None]:
    """Lower (inclusive) and upper (exclusive) 12-digit bounds of the codes starting with ``prefix``.

    ``prefix`` is any run of 0-12 digits (``''`` is the whole country); the upper bound is None
    when there is none (``'99'``), so the range has no upper end.
    """
    if len(prefix) > CODE_LENGTH or not prefix.isascii() or (prefix and not prefix.isdigit()):
        raise CodeError(f"{prefix!r} is not a prefix of a division code")
    low = prefix.ljust(CODE_LENGTH, "0")
    if not prefix:
        return low, None
    upper_prefix = str(int(prefix) + 1).zfill(len(prefix))
    if len(upper_prefix) > len(prefix):
        return low, None
    return low, upper_prefix.ljust(CODE_LENGTH, "0")


def prefix_q(field: str, prefix: str) -> Q:
    """A Q object for rows whose ``field`` (a 12-digit code) starts with the digits ``prefix``."""
    low, high = prefix_bounds(prefix)
    q = Q(**{f"{field}__gte": low})
    if high is not None:
        q &= Q(**{f"{field}__lt": high})
    return q


def range_bounds(code: str, level: Level | str | None = None) -> tuple[str, str | None]:
    """Lower (inclusive) and upper (exclusive) 12-digit bounds of everything under ``code``."""
    return prefix_bounds(prefix_of(code, level))


def within_q(field: str, code: str, level: Level | str | None = None) -> Q:
    """A Q object for rows whose ``field`` (a 12-digit code) lies in the region ``code``."""
    return prefix_q(field, prefix_of(code, level))


def is_within(inner: str, outer: str) -> bool:
    """Is region ``inner`` the region ``outer`` or inside it?"""
    return inner.startswith(prefix_of(outer))
