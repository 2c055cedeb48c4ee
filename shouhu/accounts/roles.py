"""Rules about roles: where each may sit, which need a second factor, who may grant them.

Pure module (no database). Source: DESIGN.md "Who uses it" and issue #2; the second-factor
rule follows 未成年人网络保护条例 art. 36 (least privilege, approved and logged staff access)
and is fixed here for administrators and auditors.

Placement of a user (decided for Shouhu, issue #2): an administrator places users only inside
their own jurisdiction, and a user's agency lies on the line of the user's jurisdiction — the
agency's region contains the jurisdiction (a village director working for the township
government, a county caseworker for the county civil-affairs bureau) or lies inside it (a
county liaison attached to a township police station). An agency of a neighbouring township
is never within reach: it would give its staff's reports the wrong place.
"""

from __future__ import annotations

from collections.abc import Iterable

from shouhu.accounts.choices import Role
from shouhu.regions import codes
from shouhu.regions.choices import Level

# The levels of jurisdiction a holder of each role may have.
ROLE_LEVELS: dict[Role, frozenset[Level]] = {
    Role.CHILD_DIRECTOR: frozenset({Level.VILLAGE}),
    Role.TOWNSHIP_SUPERVISOR: frozenset({Level.TOWNSHIP}),
    Role.COUNTY_CASEWORKER: frozenset({Level.COUNTY, Level.CITY}),
    Role.INTAKE_OFFICER: frozenset({Level.COUNTY, Level.CITY}),
    Role.DEPARTMENT_LIAISON: frozenset({Level.TOWNSHIP, Level.COUNTY, Level.CITY}),
    Role.MANDATED_REPORTER: frozenset({Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY}),
    Role.PLAN_MONITOR: frozenset({Level.COUNTY, Level.CITY}),
    Role.AUDITOR: frozenset({Level.COUNTY, Level.CITY}),
    Role.COUNTY_ADMIN: frozenset({Level.COUNTY}),
    Role.CITY_ADMIN: frozenset({Level.CITY}),
}

ADMIN_ROLES = frozenset({Role.COUNTY_ADMIN, Role.CITY_ADMIN})
SECOND_FACTOR_ROLES = ADMIN_ROLES | {Role.AUDITOR}

# Roles an administrator may grant. A county administrator may not make administrators or
# auditors (who watch the administrators); only a city administrator may.
GRANTABLE_BY: dict[Role, frozenset[Role]] = {
    Role.CITY_ADMIN: frozenset(Role) - {Role.CITY_ADMIN},
    Role.COUNTY_ADMIN: frozenset(Role) - {Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.AUDITOR},
}


def level_problems(roles: Iterable[Role | str], level: Level | str) -> list[Role]:
    """The roles that cannot be held at a jurisdiction of ``level``."""
    return [Role(r) for r in roles if Level(level) not in ROLE_LEVELS[Role(r)]]


def needs_second_factor(roles: Iterable[Role | str], *, is_superuser: bool = False) -> bool:
    """Administrators, auditors and system administrators must log in with a TOTP code."""
    return is_superuser or any(Role(r) in SECOND_FACTOR_ROLES for r in roles)


def grantable_roles(granter_roles: Iterable[Role | str], *, is_superuser: bool = False) -> frozenset[Role]:
    """Roles a user holding ``granter_roles`` may give to others."""
    if is_superuser:
        return frozenset(Role)
    granted: frozenset[Role] = frozenset()
    for role in granter_roles:
        granted |= GRANTABLE_BY.get(Role(role), frozenset())
    return granted


def agency_in_reach(jurisdiction_code: str, agency_region_code: str) -> bool:
    """May a user whose jurisdiction is ``jurisdiction_code`` work for an agency of ``agency_region_code``?"""
    return codes.is_within(jurisdiction_code, agency_region_code) or codes.is_within(
        agency_region_code, jurisdiction_code
    )


def may_place(placer_code: str | None, target_code: str, *, is_superuser: bool = False) -> bool:
    """May an administrator of ``placer_code`` give a user the jurisdiction ``target_code``?"""
    if is_superuser:
        return True
    return bool(placer_code) and codes.is_within(target_code, placer_code or "")
