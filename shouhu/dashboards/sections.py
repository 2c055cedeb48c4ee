"""Which sections a user's home page shows, from the user's roles (pure module, no database).

Source: issue #2 item 6 ("each role lands on a home page that shows real figures of its
jurisdiction") and DESIGN.md "Who uses it, for what": each section serves one role's main job.
A user with several roles sees the sections of each, once, in the order of ``ORDER``.
"""

from __future__ import annotations

from collections.abc import Iterable

from shouhu.accounts.choices import Role

MY_VILLAGE = "my_village"
MY_CHILDREN = "my_children"
TOWNSHIP = "township"
INTAKE_QUEUE = "intake_queue"
CASE_QUEUE = "case_queue"
COVERAGE = "coverage"
REFERRALS = "referrals"
REPORTING = "reporting"
PLAN = "plan"
AUDIT = "audit"
ACCOUNTS = "accounts"
SYSTEM = "system"
JOBS = "jobs"

# The order of sections on the page: the day's work first, then oversight, then administration.
ORDER = (
    MY_VILLAGE,
    MY_CHILDREN,
    TOWNSHIP,
    INTAKE_QUEUE,
    CASE_QUEUE,
    REFERRALS,
    REPORTING,
    COVERAGE,
    PLAN,
    AUDIT,
    ACCOUNTS,
    SYSTEM,
    JOBS,
)

ROLE_SECTIONS: dict[Role, tuple[str, ...]] = {
    Role.CHILD_DIRECTOR: (MY_VILLAGE, MY_CHILDREN),
    Role.TOWNSHIP_SUPERVISOR: (TOWNSHIP, MY_CHILDREN),
    Role.COUNTY_CASEWORKER: (CASE_QUEUE, MY_CHILDREN, COVERAGE),
    Role.INTAKE_OFFICER: (INTAKE_QUEUE, MY_CHILDREN, COVERAGE),
    Role.DEPARTMENT_LIAISON: (REFERRALS,),
    Role.MANDATED_REPORTER: (REPORTING,),
    Role.PLAN_MONITOR: (MY_CHILDREN, PLAN),
    Role.AUDITOR: (AUDIT,),
    Role.COUNTY_ADMIN: (MY_CHILDREN, COVERAGE, ACCOUNTS),
    Role.CITY_ADMIN: (MY_CHILDREN, COVERAGE, ACCOUNTS),
}
SUPERUSER_SECTIONS = (SYSTEM, ACCOUNTS)
EVERYONE = (JOBS,)


def sections_for(roles: Iterable[Role | str], *, is_superuser: bool = False) -> list[str]:
    """The sections of the home page of a user with ``roles``, each once, in page order."""
    wanted = set(EVERYONE)
    for role in roles:
        wanted.update(ROLE_SECTIONS[Role(role)])
    if is_superuser:
        wanted.update(SUPERUSER_SECTIONS)
    return [section for section in ORDER if section in wanted]
