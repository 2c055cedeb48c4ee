"""The demo city: real divisions, generated villages, agencies, one account per role, and children.

``make run`` calls ``load_demo`` through the ``load_demo`` command. It is idempotent (a second
run creates nothing) and refused in production, where accounts come from the administrators.
The children (``children``: generated families; ``showcase``: one family of each case the
rules recognise) are registered through the registry's ``bulk_register_children``, like an import.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.core.errors import DomainError
from shouhu.demo import children, names, reports
from shouhu.demo.showcase import showcase_families
from shouhu.policy import selectors as policy_selectors
from shouhu.regions.choices import Level
from shouhu.regions.codes import within_q
from shouhu.regions.models import Region
from shouhu.regions.services import ImportResult, load_demo_city
from shouhu.registry.models import Child
from shouhu.registry.services import BulkResult, bulk_register_children

# Printed by ``make run``; never valid in production (load_demo refuses there).
DEMO_PASSWORD = "Shouhu@Demo2026"  # noqa: S105
SEED = 2026
# Share of villages with a child director and of townships with a supervisor in the demo, so
# that coverage figures and gap lists have something to show (seed (10) asks for full coverage).
DIRECTOR_COVERAGE = 0.82
SUPERVISOR_COVERAGE = 0.93
# Children of the demo: a sample of the city's (a real city of this size has about a million),
# denser where the demo accounts look: shares in the demo director's community, in the rest of
# her township and in the rest of her county; the rest spread over the city by village size.
DEMO_CHILDREN = 3000
DEMO_FOCUS = ((Level.VILLAGE, 0.08), (Level.TOWNSHIP, 0.22), (Level.COUNTY, 0.25))
PREFIX = {Level.VILLAGE: 12, Level.TOWNSHIP: 9, Level.COUNTY: 6}

CITY_BUREAUS: tuple[tuple[AgencyKind, str], ...] = (
    (AgencyKind.CIVIL_AFFAIRS, "民政局"),
    (AgencyKind.PUBLIC_SECURITY, "公安局"),
    (AgencyKind.EDUCATION_SPORTS, "教育和体育局"),
    (AgencyKind.JUSTICE, "司法局"),
    (AgencyKind.HEALTH, "卫生健康委员会"),
    (AgencyKind.FINANCE, "财政局"),
    (AgencyKind.HR_SOCIAL_SECURITY, "人力资源和社会保障局"),
    (AgencyKind.MARKET_REGULATION, "市场监督管理局"),
    (AgencyKind.CULTURE_TOURISM, "文化和旅游局"),
    (AgencyKind.WOMENS_FEDERATION, "妇女联合会"),
    (AgencyKind.YOUTH_LEAGUE, "共青团委员会"),
    (AgencyKind.NEXT_GENERATION_COMMITTEE, "关心下一代工作委员会"),
    (AgencyKind.TRADE_UNION, "总工会"),
    (AgencyKind.DISABLED_PERSONS_FEDERATION, "残疾人联合会"),
    (AgencyKind.CHILDREN_WORK_COMMITTEE, "妇女儿童工作委员会办公室"),
    (AgencyKind.COURT, "中级人民法院"),
    (AgencyKind.PROCURATORATE, "人民检察院"),
    (AgencyKind.CHILD_WELFARE_INSTITUTION, "儿童福利院"),
    (AgencyKind.RESCUE_PROTECTION_INSTITUTION, "未成年人救助保护中心"),
)
COUNTY_BUREAUS: tuple[tuple[AgencyKind, str], ...] = (
    (AgencyKind.CIVIL_AFFAIRS, "民政局"),
    (AgencyKind.PUBLIC_SECURITY, "公安局"),
    (AgencyKind.EDUCATION_SPORTS, "教育和体育局"),
    (AgencyKind.JUSTICE, "司法局"),
    (AgencyKind.HEALTH, "卫生健康局"),
    (AgencyKind.WOMENS_FEDERATION, "妇女联合会"),
    (AgencyKind.YOUTH_LEAGUE, "共青团委员会"),
    (AgencyKind.COURT, "人民法院"),
    (AgencyKind.PROCURATORATE, "人民检察院"),
    (AgencyKind.RESCUE_PROTECTION_INSTITUTION, "未成年人救助保护中心"),
    (AgencyKind.HOSPITAL, "人民医院"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role | None  # None: system administrator (superuser)
    level: Level | None
    agency_kind: AgencyKind | None
    full_name: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_director", Role.CHILD_DIRECTOR, Level.VILLAGE, AgencyKind.VILLAGE_COMMITTEE, "王秀兰"),
    DemoAccount("demo_supervisor", Role.TOWNSHIP_SUPERVISOR, Level.TOWNSHIP, AgencyKind.TOWNSHIP_GOVERNMENT, "李建华"),
    DemoAccount("demo_caseworker", Role.COUNTY_CASEWORKER, Level.COUNTY, AgencyKind.CIVIL_AFFAIRS, "张丽娟"),
    DemoAccount("demo_intake", Role.INTAKE_OFFICER, Level.COUNTY, AgencyKind.CIVIL_AFFAIRS, "刘海燕"),
    DemoAccount("demo_liaison", Role.DEPARTMENT_LIAISON, Level.COUNTY, AgencyKind.PUBLIC_SECURITY, "陈志刚"),
    DemoAccount("demo_reporter", Role.MANDATED_REPORTER, Level.TOWNSHIP, AgencyKind.SCHOOL, "杨春梅"),
    DemoAccount("demo_monitor", Role.PLAN_MONITOR, Level.CITY, AgencyKind.CHILDREN_WORK_COMMITTEE, "赵晓雯"),
    DemoAccount("demo_auditor", Role.AUDITOR, Level.CITY, AgencyKind.CIVIL_AFFAIRS, "周明"),
    DemoAccount("demo_county_admin", Role.COUNTY_ADMIN, Level.COUNTY, AgencyKind.CIVIL_AFFAIRS, "吴刚"),
    DemoAccount("demo_city_admin", Role.CITY_ADMIN, Level.CITY, AgencyKind.CIVIL_AFFAIRS, "孙立新"),
    DemoAccount("admin", None, None, None, "系统管理员"),
)


@dataclass
class DemoResult:
    regions: ImportResult | None = None
    agencies_created: int = 0
    users_created: int = 0
    accounts: list[tuple[DemoAccount, User]] = field(default_factory=list)
    children: BulkResult | None = None  # None: the city had children already
    children_on_file: int = 0
    reports_filed: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.agencies_created
            or self.users_created
            or (self.regions and self.regions.changed)
            or (self.children and self.children.created)
            or self.reports_filed
        )


def _township_agency_name(township: Region) -> str:
    suffix = "街道办事处" if township.name.endswith("街道") else "人民政府"
    return township.name + suffix


def _village_committee_name(village: Region) -> str:
    if village.name.endswith(("委员会", "委会")):
        return village.name
    if village.name.endswith("社区"):
        return village.name + "居民委员会"
    if village.name.endswith("村"):
        return village.name + "民委员会"
    return village.name + "委员会"


def _ensure_agencies(city: Region, result: DemoResult) -> dict[tuple[str, AgencyKind], Agency]:
    """Agencies of the city, its counties, townships and villages, keyed by (region, kind)."""
    wanted: list[Agency] = []
    city_prefix = city.name.removesuffix("市")
    for kind, name in CITY_BUREAUS:
        wanted.append(Agency(name=f"{city_prefix}市{name}", kind=kind, region=city))
    regions = Region.objects.within(city.code).filter(active=True).exclude(code=city.code).order_by("code")
    for region in regions:
        if region.level == Level.COUNTY:
            for kind, name in COUNTY_BUREAUS:
                wanted.append(Agency(name=region.name + name, kind=kind, region=region))
        elif region.level == Level.TOWNSHIP:
            wanted.append(
                Agency(name=_township_agency_name(region), kind=AgencyKind.TOWNSHIP_GOVERNMENT, region=region)
            )
            wanted.append(Agency(name=region.name + "中心小学", kind=AgencyKind.SCHOOL, region=region))
            wanted.append(Agency(name=region.name + "卫生院", kind=AgencyKind.HOSPITAL, region=region))
        elif region.level == Level.VILLAGE:
            wanted.append(
                Agency(name=_village_committee_name(region), kind=AgencyKind.VILLAGE_COMMITTEE, region=region)
            )
    in_city = Agency.objects.filter(within_q("region", city.code))
    existing = set(in_city.values_list("region_id", "name"))
    missing = [a for a in wanted if (a.region_id, a.name) not in existing]
    Agency.objects.bulk_create(missing, batch_size=1000)
    result.agencies_created = len(missing)
    by_key: dict[tuple[str, AgencyKind], Agency] = {}
    for agency in in_city.order_by("pk"):
        by_key.setdefault((agency.region_id, AgencyKind(agency.kind)), agency)
    return by_key


def _first(city: Region, level: Level) -> Region:
    region = Region.objects.within(city.code).filter(level=level, active=True).order_by("code").first()
    if region is None:
        raise DomainError(
            gettext("The demo city %(city)s has no region of level %(level)s.") % {"city": city.code, "level": level}
        )
    return region


def _place_for(account: DemoAccount, city: Region) -> Region | None:
    """The demo accounts sit in the first county, its first township, its first village."""
    if account.level is None:
        return None
    county = _first(city, Level.COUNTY)
    if account.level == Level.CITY:
        return city
    if account.level == Level.COUNTY:
        return county
    township = _first(county, Level.TOWNSHIP)
    if account.level == Level.TOWNSHIP:
        return township
    return _first(township, Level.VILLAGE)


def _ensure_named_accounts(
    city: Region, agencies: dict[tuple[str, AgencyKind], Agency], password_hash: str, result: DemoResult
) -> None:
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            place = _place_for(account, city)
            agency = None
            if place is not None and account.agency_kind is not None:
                agency = agencies.get((place.code, account.agency_kind))
                if agency is None:
                    agency, _ = Agency.objects.get_or_create(
                        region=place,
                        name=f"{place.name}{account.agency_kind.label}",
                        defaults={"kind": account.agency_kind},
                    )
                    result.agencies_created += 1
            user = User(
                username=account.username,
                full_name=account.full_name,
                jurisdiction=place,
                agency=agency,
                password=password_hash,
                is_superuser=account.role is None,
                is_staff=account.role is None,
            )
            user.save()
            if account.role is not None:
                RoleAssignment.objects.create(user=user, role=account.role)
            result.users_created += 1
        result.accounts.append((account, user))


def _ensure_workforce(
    city: Region, agencies: dict[tuple[str, AgencyKind], Agency], password_hash: str, result: DemoResult
) -> None:
    """A child director for most villages and a supervisor for most townships."""
    rng = random.Random(f"{SEED}-{city.code}")
    places = list(
        Region.objects.within(city.code)
        .filter(active=True, level__in=[Level.TOWNSHIP, Level.VILLAGE])
        .order_by("code")
        .values_list("code", "level")
    )
    taken = set(User.objects.filter(within_q("jurisdiction", city.code)).values_list("jurisdiction_id", flat=True))
    new_users: list[User] = []
    new_roles: list[tuple[str, Role]] = []
    for code, level in places:
        is_village = level == Level.VILLAGE
        covered = rng.random() < (DIRECTOR_COVERAGE if is_village else SUPERVISOR_COVERAGE)
        female = rng.random() < (0.7 if is_village else 0.5)  # 34号: female committee members preferred
        # Draw everything before deciding to skip, so that the stream (and the demo) is the
        # same whichever accounts already exist.
        name = names.full_name(rng, female=female)
        phone = f"13{rng.randrange(10**9):09d}"
        if not covered or code in taken:
            continue
        role = Role.CHILD_DIRECTOR if is_village else Role.TOWNSHIP_SUPERVISOR
        kind = AgencyKind.VILLAGE_COMMITTEE if is_village else AgencyKind.TOWNSHIP_GOVERNMENT
        username = ("cd" if is_village else "sv") + code.rstrip("0").ljust(12 if is_village else 9, "0")
        new_users.append(
            User(
                username=username,
                full_name=name,
                phone=phone,
                jurisdiction_id=code,
                agency=agencies.get((code, kind)),
                password=password_hash,
            )
        )
        new_roles.append((username, role))
    User.objects.bulk_create(new_users, batch_size=1000)
    ids = dict(User.objects.filter(username__in=[u for u, _ in new_roles]).values_list("username", "id"))
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user_id=ids[username], role=role) for username, role in new_roles], batch_size=1000
    )
    result.users_created += len(new_users)


def _showcase_places(villages: Sequence[children.Village], community: Region) -> tuple[children.Village, ...]:
    """The demo director's community, a rural village of her county, and a rural village of a county."""
    by_code = {v.code: v for v in villages}
    county = community.code[:6]
    rural = next((v for v in villages if v.code.startswith(county) and v.rural), by_code[community.code])
    origin = next((v for v in villages if v.rural and not v.county_name.endswith("区")), rural)
    return by_code[community.code], rural, origin


def _ensure_children(
    city: Region, actor: User, result: DemoResult, *, on: date, total: int = DEMO_CHILDREN, seed: int = SEED
) -> None:
    """Generated children and families, registered through the registry's bulk path, once.

    A city with any child on file is left alone: the demo's children are loaded once, and files
    that users changed or added since are never touched.
    """
    in_city = Child.objects.filter(within_q("village", city.code))
    result.children_on_file = in_city.count()
    if result.children_on_file:
        return
    villages = children.city_villages(city.code)
    community = _place_for(next(a for a in DEMO_ACCOUNTS if a.role == Role.CHILD_DIRECTOR), city)
    if community is None or not villages:
        return
    ids = children.IdNumbers()
    families = showcase_families(*_showcase_places(villages, community), on=on, ids=ids)
    made = sum(len(f.children) for f in families)
    focus = [(community.code[: PREFIX[level]], share) for level, share in DEMO_FOCUS]
    sizes = children.village_sizes(villages, max(total - made, 0), seed=seed, focus=focus)
    families += children.generate_families(villages, sizes, seed=seed, on=on, ids=ids)
    wanted = {c.hukou_region_code for f in families for c in f.children if c.hukou_region_code}
    known = frozenset(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    records = [children.child_record(c, known_regions=known) for f in families for c in f.children]
    result.children = bulk_register_children(actor=actor, records=records, on=on)
    result.children_on_file = in_city.count()


def load_demo(
    *, city_code: str | None = None, progress: Callable[[str], None] | None = None, children_total: int = DEMO_CHILDREN
) -> DemoResult:
    """Load the demo city (idempotent); refused in production."""
    if settings.PRODUCTION:
        raise DomainError(gettext("The demo city is never loaded in production."))
    say = progress or (lambda message: None)
    city_code = (city_code or settings.SHOUHU_DEMO_CITY).ljust(12, "0")
    result = DemoResult()
    say(gettext("Regions"))
    result.regions = load_demo_city(city_code[:4])
    city = Region.objects.get(code=city_code)
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        say(gettext("Agencies"))
        agencies = _ensure_agencies(city, result)
        say(gettext("Accounts"))
        _ensure_named_accounts(city, agencies, password_hash, result)
        _ensure_workforce(city, agencies, password_hash, result)
    say(gettext("Children and families"))
    admin = next(user for account, user in result.accounts if account.role is None)
    _ensure_children(city, admin, result, on=policy_selectors.today(), total=children_total)
    say(gettext("Reports"))
    _ensure_reports(city, result)
    return result


def _ensure_reports(city: Region, result: DemoResult) -> None:
    """A few reports at the front door of the demo county, once (``demo.reports``)."""
    users = {account.username: user for account, user in result.accounts}
    community = _place_for(next(a for a in DEMO_ACCOUNTS if a.role == Role.CHILD_DIRECTOR), city)
    if community is None or not {"demo_reporter", "demo_director", "demo_intake"} <= set(users):
        return
    result.reports_filed = reports.ensure_reports(
        city,
        reporter=users["demo_reporter"],
        director=users["demo_director"],
        intake=users["demo_intake"],
        community=community,
    )
