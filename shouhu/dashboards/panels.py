"""The sections of a home page: each a template and the figures it shows.

``build_panels(user)`` asks ``sections.sections_for`` which sections the user's roles call for and
builds each from the selectors. Chart options come from ``charts``; every figure drawn in a chart
is also on the page as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhu.accounts.choices import AgencyKind
from shouhu.accounts.models import User
from shouhu.audit import selectors as audit_selectors
from shouhu.dashboards import charts, sections
from shouhu.dashboards import selectors as figures
from shouhu.intake import permissions as intake_permissions
from shouhu.intake import selectors as intake_selectors
from shouhu.regions.choices import Level
from shouhu.registry import permissions as registry_permissions
from shouhu.registry import selectors as registry_selectors
from shouhu.registry.choices import Category

ACTIVITY_DAYS = 30
# The plan's lead and responsible units (牵头单位、责任单位): the departments, not the
# institutions that report (schools, hospitals, village committees …). Source: seed plan excerpt.
PLAN_UNITS = frozenset(
    {
        AgencyKind.CIVIL_AFFAIRS,
        AgencyKind.PUBLIC_SECURITY,
        AgencyKind.EDUCATION_SPORTS,
        AgencyKind.JUSTICE,
        AgencyKind.HEALTH,
        AgencyKind.FINANCE,
        AgencyKind.HR_SOCIAL_SECURITY,
        AgencyKind.MARKET_REGULATION,
        AgencyKind.CULTURE_TOURISM,
        AgencyKind.WOMENS_FEDERATION,
        AgencyKind.YOUTH_LEAGUE,
        AgencyKind.NEXT_GENERATION_COMMITTEE,
        AgencyKind.TRADE_UNION,
        AgencyKind.DISABLED_PERSONS_FEDERATION,
        AgencyKind.CHILDREN_WORK_COMMITTEE,
        AgencyKind.COURT,
        AgencyKind.PROCURATORATE,
    }
)
UNIT_LABELS = {
    Level.PROVINCE: gettext_lazy("By province"),
    Level.CITY: gettext_lazy("By city"),
    Level.COUNTY: gettext_lazy("By county / district"),
    Level.TOWNSHIP: gettext_lazy("By township / sub-district"),
    Level.VILLAGE: gettext_lazy("By village / community"),
}


@dataclass(frozen=True)
class Panel:
    key: str
    context: dict[str, Any]

    @property
    def template(self) -> str:
        return f"dashboards/sections/{self.key}.html"


def _code(user: User) -> str:
    return user.jurisdiction_id or ""


def my_village(user: User) -> dict[str, Any]:
    region = user.jurisdiction
    return {"region": region, "path": region.path() if region else []}


def my_children(user: User) -> dict[str, Any]:
    """Children of the jurisdiction per current category (aggregates); for the roles that keep
    files, also the files open and the incomplete ones, each linked to the filtered list."""
    region = user.jurisdiction
    counts = registry_selectors.counts_by_category(user)
    categories = [(category, counts[category]) for category in Category if counts.get(category)]
    keeps_files = registry_permissions.registry_scope_code(user) is not None
    files = incomplete = None
    if keeps_files:
        files = registry_selectors.child_list(user, registry_selectors.ChildFilters()).count()
        incomplete = registry_selectors.child_list(user, registry_selectors.ChildFilters(incomplete=True)).count()
    chart = None
    if categories:
        chart = charts.count_bar(
            [str(category.label) for category, _n in categories],
            [n for _category, n in categories],
            label=_("Children"),
        )
    return {
        "region": region,
        "is_village": bool(region and region.level == Level.VILLAGE),
        "categories": categories,
        "keeps_files": keeps_files,
        "files": files,
        "incomplete": incomplete,
        "chart": chart,
        "chart_height": charts.height_for(len(categories)),
    }


def township(user: User) -> dict[str, Any]:
    code = _code(user)
    staff = figures.villages_and_directors(user, code) if code else []
    staffed = sum(1 for village in staff if village.directors)
    gaps = [village for village in staff if not village.directors]
    chart = charts.donut(
        [(_("With a child director"), staffed), (_("Without a child director"), len(gaps))],
        colors=[charts.PALETTE[0], charts.MUTED],
    )
    return {
        "region": user.jurisdiction,
        "villages": staff,
        "gaps": gaps,
        "village_count": len(staff),
        "staffed": staffed,
        "rate": staffed / len(staff) if staff else None,
        "directors": sum(len(village.directors) for village in staff),
        "generated": any(village.region.generated for village in staff),
        "chart": chart if staff else None,
    }


def coverage(user: User) -> dict[str, Any]:
    region = user.jurisdiction
    result = figures.coverage(_code(user) or None, region.level if region else None)
    rows = result.rows
    names = [row.name for row in rows]
    village_chart = None
    if rows and result.total.villages:
        village_chart = charts.staffed_bar(
            names,
            [row.villages_staffed for row in rows],
            [row.villages_unstaffed for row in rows],
            staffed_label=_("Villages with a child director"),
            unstaffed_label=_("Villages without"),
        )
    # Below a county each unit is a township: list those without a supervisor instead of a chart.
    township_chart = None
    if rows and result.unit_level not in (Level.TOWNSHIP, Level.VILLAGE) and result.total.townships:
        township_chart = charts.staffed_bar(
            names,
            [row.townships_staffed for row in rows],
            [row.townships_unstaffed for row in rows],
            staffed_label=_("Townships with a supervisor"),
            unstaffed_label=_("Townships without"),
        )
    townships_without = [row for row in rows if result.unit_level == Level.TOWNSHIP and not row.townships_staffed]
    return {
        "region": region,
        "counts": figures.region_counts(_code(user) or None),
        "coverage": result,
        "unit_label": UNIT_LABELS.get(result.unit_level) if result.unit_level else "",
        "village_chart": village_chart,
        "township_chart": township_chart,
        "chart_height": charts.height_for(len(rows)),
        "townships_without": townships_without,
    }


def plan(user: User) -> dict[str, Any]:
    region = user.jurisdiction
    code = _code(user) or None
    result = figures.coverage(code, region.level if region else None)
    rows = result.rows
    rate_chart = None
    if rows and (result.total.villages or result.total.townships):
        rate_chart = charts.rate_bar(
            [row.name for row in rows],
            [
                (_("Villages with a child director"), [row.village_rate for row in rows]),
                (_("Townships with a supervisor"), [row.township_rate for row in rows]),
            ],
        )
    all_agencies = figures.agencies_by_kind(user, code)
    agencies = [(kind, n) for kind, n in all_agencies if kind in PLAN_UNITS]
    agency_chart = None
    if agencies:
        agency_chart = charts.count_bar(
            [str(kind.label) for kind, _count in agencies], [n for _kind, n in agencies], label=_("Agencies")
        )
    return {
        "region": region,
        "counts": figures.region_counts(code),
        "coverage": result,
        "unit_label": UNIT_LABELS.get(result.unit_level) if result.unit_level else "",
        "rate_chart": rate_chart,
        "chart_height": charts.height_for(len(rows) * 2),
        "agencies": agencies,
        "agency_chart": agency_chart,
        "agency_chart_height": charts.height_for(len(agencies)),
        "other_agencies": sum(n for kind, n in all_agencies if kind not in PLAN_UNITS),
    }


def audit(user: User) -> dict[str, Any]:
    """The access log of the auditor's jurisdiction: entries per day and the chain's status."""
    activity = audit_selectors.daily_activity(user=user, days=ACTIVITY_DAYS)
    series = [(activity.labels[action], counts) for action, counts in activity.series.items()]
    days = [date.fromisoformat(day) for day in activity.days]
    return {
        "activity": activity,
        "last_at": audit_selectors.visible_access_events(user).values_list("at", flat=True).first(),
        "chart": charts.daily_stacked(days, series) if activity.total else None,
        "days": ACTIVITY_DAYS,
        "verification": audit_selectors.last_verification(user=user),
        "chain_length": audit_selectors.chain_length(),
    }


def accounts(user: User) -> dict[str, Any]:
    result = figures.account_figures(user)
    held = [(role, n) for role, n in result.by_role if n]
    chart = None
    if held:
        chart = charts.count_bar([str(role.label) for role, _n in held], [n for _role, n in held], label=_("Users"))
    return {"figures": result, "chart": chart, "chart_height": charts.height_for(len(held))}


def system(user: User) -> dict[str, Any]:
    return {"counts": figures.region_counts(None), "agencies": figures.agencies_by_kind(user, None)}


def referrals(user: User) -> dict[str, Any]:
    agency = user.agency
    return {"agency": agency, "agency_region": agency.region if agency else None}


RECENT_REPORTS = 5


def reporting(user: User) -> dict[str, Any]:
    """A mandated reporter's panel: how to report, and their latest reports with receipt codes."""
    return {
        "region": user.jurisdiction,
        "reports": list(intake_selectors.mine(user)[:RECENT_REPORTS]),
        "may_file": intake_permissions.may_file(user),
    }


def intake_queue(user: User) -> dict[str, Any]:
    """The front door's panel: the reports waiting for triage, most urgent first, and the counts."""
    waiting = list(intake_selectors.queue(user, state=intake_selectors.WAITING)[:RECENT_REPORTS])
    return {
        "region": user.jurisdiction,
        "figures": intake_selectors.queue_figures(user),
        "rows": [(report, intake_selectors.due(report)) for report in waiting],
        "now": timezone.now(),
    }


def queue(user: User) -> dict[str, Any]:
    return {"region": user.jurisdiction}


def jobs(user: User) -> dict[str, Any]:
    return {"jobs": figures.recent_jobs(user)}


BUILDERS: dict[str, Callable[[User], dict[str, Any]]] = {
    sections.MY_VILLAGE: my_village,
    sections.MY_CHILDREN: my_children,
    sections.TOWNSHIP: township,
    sections.INTAKE_QUEUE: intake_queue,
    sections.CASE_QUEUE: queue,
    sections.COVERAGE: coverage,
    sections.REFERRALS: referrals,
    sections.REPORTING: reporting,
    sections.PLAN: plan,
    sections.AUDIT: audit,
    sections.ACCOUNTS: accounts,
    sections.SYSTEM: system,
    sections.JOBS: jobs,
}


def build_panels(user: User) -> list[Panel]:
    """The panels of ``user``'s home page; a section with nothing to show (no jobs) is left out."""
    panels = []
    for key in sections.sections_for(user.roles, is_superuser=user.is_superuser):
        context = BUILDERS[key](user)
        if key == sections.JOBS and not context["jobs"]:
            continue
        panels.append(Panel(key, context))
    return panels
