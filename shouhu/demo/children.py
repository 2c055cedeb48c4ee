"""Synthetic children and families for the villages of a city: the demo (``make run``) and ``bench/``.

Pure and deterministic: the same villages, sizes, seed and reference day give the same families,
and each village draws from its own random stream (``"<seed>:<village code>"``), so a village's
children do not depend on which other villages are generated. Identity numbers are the one
thing shared across villages (a number is unique in the whole country): ``IdNumbers`` hands them
out in generation order.

What a family looks like follows published figures where there are any (each constant names
its source); the rest are plausible defaults for a Shandong prefecture city and are marked so.
A small share of files is left incomplete on purpose (no identity number, no phone, no school
name …), as registers are in practice.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Any, TypeVar

from shouhu.demo import names
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.registry import idnumber
from shouhu.registry.choices import (
    DisabilityType,
    EconomicStatus,
    Ethnicity,
    GuardianshipQuality,
    HealthStatus,
    HouseholdRegistration,
    HukouNature,
    Relation,
    RiskLevel,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.dates import add_months, age_on
from shouhu.registry.services import (
    ChildRecord,
    EntrustedCareRecord,
    FamilyMemberRecord,
    SituationRecord,
)

T = TypeVar("T")
K = TypeVar("K")

# --- Published figures ------------------------------------------------------------------------

# Births in China by year, millions (国家统计局, statistical communiqués 2008-2024; 2025-2026
# assumed like 2024's fall): the age pyramid of the children, with the 2016-2017 peak of the
# universal two-child policy and the fall since 2018.
BIRTHS_BY_YEAR: Mapping[int, float] = {
    2007: 15.94,
    2008: 16.08,
    2009: 15.91,
    2010: 15.92,
    2011: 16.04,
    2012: 16.35,
    2013: 16.40,
    2014: 16.87,
    2015: 16.55,
    2016: 17.86,
    2017: 17.23,
    2018: 15.23,
    2019: 14.65,
    2020: 12.02,
    2021: 10.62,
    2022: 9.56,
    2023: 9.02,
    2024: 9.54,
    2025: 8.7,
    2026: 8.5,
}
# Sex ratio at birth of the 2010s, 111-118 boys per 100 girls (censuses 2010 and 2020).
MALE_SHARE_AT_BIRTH = 0.53
# Disabled children: 1.66 % of those aged 0-17 (第二次全国残疾人抽样调查, 2006), fewer certified.
DISABILITY_SHARE = 0.015
# Disability types of children, intellectual and physical first (same survey), and certificate
# grades 1 (most severe) to 4.
DISABILITY_TYPES: tuple[tuple[DisabilityType, float], ...] = (
    (DisabilityType.INTELLECTUAL, 30),
    (DisabilityType.PHYSICAL, 25),
    (DisabilityType.HEARING, 12),
    (DisabilityType.MENTAL, 10),
    (DisabilityType.SPEECH, 8),
    (DisabilityType.MULTIPLE, 8),
    (DisabilityType.VISUAL, 7),
)
DISABILITY_GRADES: tuple[tuple[int, float], ...] = ((1, 25), (2, 35), (3, 25), (4, 15))
# Digit of each type in the second-generation disability certificate number (残疾人证号: the
# identity number, the type digit and the grade digit; 中国残联 2011).
DISABILITY_CERTIFICATE_DIGIT = {
    DisabilityType.VISUAL: "1",
    DisabilityType.HEARING: "2",
    DisabilityType.SPEECH: "3",
    DisabilityType.PHYSICAL: "4",
    DisabilityType.INTELLECTUAL: "5",
    DisabilityType.MENTAL: "6",
    DisabilityType.MULTIPLE: "7",
}
# Ethnic groups of Shandong (2020 census: Han 99.3 %, Hui about 0.55 %, Manchu next).
ETHNICITIES: tuple[tuple[Ethnicity, float], ...] = (
    (Ethnicity.HAN, 99.3),
    (Ethnicity.HUI, 0.55),
    (Ethnicity.MANCHU, 0.08),
    (Ethnicity.MONGOL, 0.03),
    (Ethnicity.ZHUANG, 0.02),
    (Ethnicity.MIAO, 0.02),
)
# Migrant children (流动儿童) are about a quarter of China's children (2020 census; UNICEF/NBS
# 《2020年中国儿童人口状况》: 71.09 million), most of them in cities: shares by urban-rural class.
MIGRANT_SHARE = {"111": 0.22, "112": 0.18, "121": 0.10, "122": 0.06, "210": 0.03, "220": 0.01}

# --- Plausible defaults (no single source; chosen for a Shandong prefecture city) -------------

# Relative size of a village's child population by urban-rural class (a city community is
# several times a village), times a random factor per village.
VILLAGE_WEIGHT = {"111": 3.0, "112": 2.2, "121": 2.0, "122": 1.4, "123": 1.0, "210": 1.2, "220": 0.8}
# Children per family (Shandong had one of the highest second-birth shares after 2016).
CHILDREN_PER_FAMILY = ((1, 0.42), (2, 0.48), (3, 0.10))
FAMILY_SIZES = tuple(n for n, _ in CHILDREN_PER_FAMILY)
FAMILY_SIZE_WEIGHTS = tuple(accumulate(w for _, w in CHILDREN_PER_FAMILY))
# Family situations, shares of families in rural villages and in towns and cities; each is a
# method of ``_Household``, the other families are ordinary. Anchors: about 0.05 % of children
# are orphans and 0.12 % de facto unattended (民政部 statistical bulletins 2022-2023: ≈150,000 and
# ≈370,000 of ≈300 million children); 6.97 million rural left-behind children in the 2018
# survey of 民政部, a few per cent of rural children, fewer in Shandong than inland.
RURAL_CLASSES = frozenset({"210", "220"})
SCENARIOS_RURAL: tuple[tuple[str, float], ...] = (
    ("father_away", 0.16),
    ("mother_away", 0.02),
    ("both_away", 0.035),
    ("away_other_unable", 0.004),
    ("away_other_dead", 0.002),
    ("widowed", 0.006),
    ("separated", 0.03),
    ("parent_ill", 0.004),
    ("parent_disabled", 0.004),
    ("parent_imprisoned", 0.0015),
    ("pretrial_detention", 0.0003),
    ("left_unreported", 0.0004),
    ("de_facto", 0.0015),
    ("orphan", 0.0006),
    ("abandoned", 0.0001),
)
SCENARIOS_URBAN: tuple[tuple[str, float], ...] = (
    ("father_away", 0.04),
    ("mother_away", 0.01),
    ("both_away", 0.01),
    ("away_other_unable", 0.001),
    ("away_other_dead", 0.0005),
    ("widowed", 0.005),
    ("separated", 0.05),
    ("parent_ill", 0.004),
    ("parent_disabled", 0.003),
    ("parent_imprisoned", 0.0015),
    ("pretrial_detention", 0.0003),
    ("left_unreported", 0.0004),
    ("de_facto", 0.001),
    ("orphan", 0.0004),
    ("abandoned", 0.0001),
)
HARD_CASES = frozenset({"de_facto", "orphan", "abandoned", "away_other_dead", "away_other_unable"})
# Social assistance of a family (低保 reaches about 3 % of the population, more in the country).
ECONOMIC_RURAL = ((EconomicStatus.DIBAO, 0.03), (EconomicStatus.LOW_INCOME, 0.015), (EconomicStatus.MONITORED, 0.007))
ECONOMIC_URBAN = ((EconomicStatus.DIBAO, 0.01), (EconomicStatus.LOW_INCOME, 0.01))
ECONOMIC_HARD = ((EconomicStatus.DIBAO, 0.45), (EconomicStatus.EXTREME_POVERTY, 0.1), (EconomicStatus.LOW_INCOME, 0.1))
ILLNESSES = {
    HealthStatus.ILL: ("肺炎", "支气管炎", "骨折", "贫血"),
    HealthStatus.CHRONIC: ("哮喘", "癫痫", "1型糖尿病", "过敏性紫癜", "慢性肾炎"),
    HealthStatus.SERIOUS: ("白血病", "先天性心脏病", "肾病综合征", "恶性肿瘤", "血友病", "重型地中海贫血"),
}
HEALTH = ((HealthStatus.ILL, 0.004), (HealthStatus.CHRONIC, 0.012), (HealthStatus.SERIOUS, 0.002))
PARENT_ILLNESSES = ("尿毒症", "恶性肿瘤", "重症精神疾病", "白血病", "肝硬化失代偿期", "系统性红斑狼疮")
UNREGISTERED_SHARE = 0.001  # 无户籍: rare since the 2016 reform of registration
OUT_OF_SCHOOL_SHARE = 0.002  # of children aged 6-15: dropped out (a fifth never enrolled)
# Type of household registration recorded (many files since the 2014 reform say only 居民户口).
HUKOU_NATURE_RURAL = ((HukouNature.UNKNOWN, 0.1), (HukouNature.AGRICULTURAL, 0.45))
HUKOU_NATURE_URBAN = ((HukouNature.UNKNOWN, 0.1), (HukouNature.NON_AGRICULTURAL, 0.25))
# After lower-secondary school: general senior secondary (about 60 %), vocational school, or work at 16.
SENIOR_SECONDARY_SHARE = 0.6
LEAVING_SHARE = 0.03
LEAVING_AGE = 16
ASSESSED_SHARE = 0.65  # files where the director has judged the guardianship
# Incomplete files, on purpose (shares of files missing each item).
MISSING_CHILD_ID = 0.04
MISSING_NEWBORN_ID = 0.6  # a birth is registered within weeks or months: many newborns have no number yet
NEWBORN_DAYS = 120
MISSING_PARENT_ID = 0.3
MISSING_GRANDPARENT_ID = 0.5
MISSING_PHONE = 0.08
MISSING_SCHOOL_NAME = 0.04
MISSING_ADDRESS = 0.05

WORK_PLACES = (
    "济南",
    "青岛",
    "北京",
    "上海",
    "天津",
    "苏州",
    "南京",
    "杭州",
    "深圳",
    "广州",
    "烟台",
    "潍坊",
    "淄博",
    "宁波",
)
# Origins of migrant children from outside the city: (address code, place).
OUTSIDE_ORIGINS = (
    ("371721", "山东省菏泽市曹县"),
    ("371326", "山东省临沂市平邑县"),
    ("370826", "山东省济宁市微山县"),
    ("371521", "山东省聊城市阳谷县"),
    ("411425", "河南省商丘市虞城县"),
    ("341221", "安徽省阜阳市临泉县"),
    ("130528", "河北省邢台市宁晋县"),
    ("320324", "江苏省徐州市睢宁县"),
)
ROADS = (
    "东岳大街",
    "青年路",
    "迎胜路",
    "灵山大街",
    "擂鼓石大街",
    "望岳路",
    "泮河大街",
    "龙潭路",
    "财源大街",
    "岱宗大街",
    "南关路",
    "温泉路",
)
MOBILE_PREFIXES = tuple(
    f"1{n}"
    for n in (
        *range(30, 40),
        *range(50, 54),
        *range(55, 60),
        66,
        73,
        *range(75, 79),
        *range(80, 90),
        91,
        98,
        99,
    )
)
CHINESE_NUMERALS = "一二三四五六七八九"
KINDERGARTEN_CLASSES = ("小班", "中班", "大班")
SENIOR_GRADES = ("高一", "高二", "高三")
COMPULSORY_AGES = range(6, 16)
AGE_OF_MAJORITY = 18


@dataclass(frozen=True)
class Village:
    """A village or community of the city, with what the generator needs to know about it."""

    code: str
    name: str
    urban_rural_class: str
    township_name: str
    county_name: str
    city_name: str

    @property
    def county_code(self) -> str:
        return self.code[:6]

    @property
    def rural(self) -> bool:
        return self.urban_rural_class in RURAL_CLASSES

    @property
    def short_name(self) -> str:
        return self.name.removesuffix("居民委员会").removesuffix("村民委员会").removesuffix("委员会")


@dataclass
class SyntheticSituation:
    kind: SituationKind
    started_on: date
    ended_on: date | None = None
    term_months: int | None = None
    police_accepted_on: date | None = None
    disability_type: DisabilityType | None = None
    disability_grade: int | None = None
    place: str = ""
    pays_support: bool | None = None
    document_no: str = ""
    note: str = ""


@dataclass(eq=False)
class SyntheticPerson:
    """An adult of a family; the same object is shared by the siblings it relates to."""

    key: str
    name: str
    sex: Sex
    birth_date: date
    village_code: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    situations: list[SyntheticSituation] = field(default_factory=list)


@dataclass
class SyntheticMember:
    person: SyntheticPerson
    relation: Relation
    is_guardian: bool = False
    lives_with_child: bool = True


@dataclass
class SyntheticCare:
    """The entrusted care of a left-behind child (委托监护)."""

    carer: SyntheticPerson
    since: date
    confirmation_signed_on: date | None = None
    school_notified_on: date | None = None
    village_notified_on: date | None = None
    last_parent_contact_on: date | None = None


@dataclass(eq=False)
class SyntheticChild:
    key: str
    name: str
    sex: Sex
    birth_date: date
    village_code: str
    id_number: str = ""
    ethnicity: Ethnicity = Ethnicity.HAN
    hukou_status: HouseholdRegistration = HouseholdRegistration.REGISTERED
    hukou_region_code: str = ""  # a region of the city, "" when registered elsewhere (or nowhere)
    hukou_nature: HukouNature = HukouNature.UNKNOWN
    hukou_address: str = ""
    residence_address: str = ""
    residence_since: date | None = None
    school_status: SchoolStatus | None = None
    school_name: str = ""
    school_grade: str = ""
    boarding: bool = False
    health_status: HealthStatus | None = None
    illness: str = ""
    disability_type: DisabilityType | None = None
    disability_grade: int | None = None
    disability_certificate_no: str = ""
    economic_status: EconomicStatus = EconomicStatus.NONE
    birth_parents_unknown: bool = False
    guardianship_quality: GuardianshipQuality = GuardianshipQuality.UNASSESSED
    risk_level: RiskLevel = RiskLevel.UNASSESSED
    phones: list[str] = field(default_factory=list)
    notes: str = ""
    family: list[SyntheticMember] = field(default_factory=list)
    entrusted_care: SyntheticCare | None = None


@dataclass(eq=False)
class Family:
    """The children of one household with the adults recorded for them."""

    village: Village
    scenario: str
    children: list[SyntheticChild]
    adults: list[SyntheticPerson]


class IdNumbers:
    """Valid identity numbers, unique among those handed out.

    The numbers are those of ``idnumber.make`` (GB 11643: address code, birth date, sequence
    with the sex digit, check character); the weighted sum is kept per address code and per
    birth date, because a million children need two million numbers (a test checks that both
    ways give the same numbers).
    """

    def __init__(self, *, share: int = 0, shares: int = 1) -> None:
        """``share`` of ``shares``: the sequences this allocator may hand out (sequence % shares == share).

        Allocators of different shares never give the same number, so that processes can
        generate villages in parallel.
        """
        self._taken: dict[tuple[str, date, bool], set[int]] = {}
        self._share = share
        self._shares = shares
        self._per_day = len(range(share, idnumber.SEQUENCES_PER_SEX, shares))
        self._address_sums: dict[str, int] = {}
        self._date_sums: dict[date, tuple[str, int]] = {}

    def make(self, rng: random.Random, address_code: str, birth_date: date, sex: Sex) -> str:
        taken = self._taken.setdefault((address_code, birth_date, sex == Sex.MALE), set())
        if len(taken) >= self._per_day:
            return ""  # every number of that day is taken: the file goes without one
        sequence = rng.randrange(self._per_day) * self._shares + self._share
        while sequence in taken:
            sequence = rng.randrange(self._per_day) * self._shares + self._share
        taken.add(sequence)
        return self._number(address_code, birth_date, 2 * sequence + (sex == Sex.MALE))

    def _number(self, address_code: str, birth_date: date, code: int) -> str:
        address_sum = self._address_sums.get(address_code)
        if address_sum is None:
            address_sum = self._address_sums[address_code] = _weighted(address_code, idnumber.WEIGHTS[:6])
        dated = self._date_sums.get(birth_date)
        if dated is None:
            digits = f"{birth_date:%Y%m%d}"
            dated = self._date_sums[birth_date] = (digits, _weighted(digits, idnumber.WEIGHTS[6:14]))
        total = address_sum + dated[1] + _SEQUENCE_SUMS[code]
        return f"{address_code}{dated[0]}{code:03d}{idnumber.CHECK_CHARACTERS[total % 11]}"


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


_SEQUENCE_SUMS = tuple(_weighted(f"{code:03d}", idnumber.WEIGHTS[14:]) for code in range(1000))


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(accumulate(weights))


def _pick_rare(rng: random.Random, table: Sequence[tuple[T, float]], default: T) -> T:
    """One of ``table``'s values with its probability, or ``default`` with what remains."""
    draw = rng.random()
    for value, share in table:
        if draw < share:
            return value
        draw -= share
    return default


def village_sizes(
    villages: Sequence[Village],
    total: int,
    *,
    seed: int,
    focus: Sequence[tuple[str, float]] = (),
) -> dict[str, int]:
    """How many children each village gets, ``total`` in all, by size class and chance.

    ``focus`` puts a share of the children into the villages under a code prefix, most specific
    first (the demo fills the demo accounts' village and township more than the rest of the
    city): ``[("370902001001", 0.1), ("370902001", 0.3)]`` gives 10 % to that village, 30 % to
    the other villages of its township and the rest to all other villages by weight.
    """
    rng = random.Random(f"{seed}:sizes")
    weight = {v.code: VILLAGE_WEIGHT.get(v.urban_rural_class, 1.0) * rng.lognormvariate(0, 0.35) for v in villages}
    groups: list[tuple[list[str], float]] = []
    assigned: set[str] = set()
    for prefix, share in focus:
        members = [v.code for v in villages if v.code.startswith(prefix) and v.code not in assigned]
        if members:
            groups.append((members, share))
            assigned.update(members)
    rest_share = 1.0 - sum(share for _, share in groups)
    groups.append(([v.code for v in villages if v.code not in assigned], rest_share))
    group_totals = _apportion(total, {i: share for i, (members, share) in enumerate(groups) if members})
    sizes: dict[str, int] = {}
    for i, (members, _share) in enumerate(groups):
        if members:
            sizes.update(_apportion(group_totals[i], {code: weight[code] for code in members}))
    return sizes


def _apportion(total: int, weights: Mapping[K, float]) -> dict[K, int]:
    """``total`` split in proportion to ``weights`` in whole numbers (largest remainders)."""
    whole = sum(weights.values())
    exact = {key: total * w / whole if whole else 0.0 for key, w in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}
    short = total - sum(shares.values())
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[:short]:
        shares[key] += 1
    return shares


class _Draw:
    """The random choices of one village, with the tables the generator reads prepared once."""

    def __init__(self, rng: random.Random, village: Village, on: date, ids: IdNumbers, city: _City) -> None:
        self.rng = rng
        self.village = village
        self.on = on
        self.ids = ids
        self.city = city
        first = date(on.year - AGE_OF_MAJORITY, on.month, on.day) + timedelta(days=1)
        self.first_birth = first
        years = list(range(first.year, on.year + 1))
        weights = []
        for year in years:
            start, end = max(first, date(year, 1, 1)), min(on, date(year, 12, 31))
            weights.append(BIRTHS_BY_YEAR.get(year, 9.0) * ((end - start).days + 1) / 365)
        self.years = years
        self.year_weights = _cumulative(weights)
        self.scenarios = SCENARIOS_RURAL if village.rural else SCENARIOS_URBAN
        self.serial = 0

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def key(self, kind: str) -> str:
        self.serial += 1
        return f"{self.village.code}-{kind}{self.serial}"

    def birth_date(self) -> date:
        year = self.rng.choices(self.years, cum_weights=self.year_weights)[0]
        start, end = max(self.first_birth, date(year, 1, 1)), min(self.on, date(year, 12, 31))
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def days_before(self, day: date, low: int, high: int) -> date:
        return day - timedelta(days=self.rng.randint(low, high))

    def since(self, low_months: int, high_months: int) -> date:
        """A day between ``high_months`` and ``low_months`` calendar months before the reference day."""
        start = add_months(self.on, -high_months)
        end = add_months(self.on, -low_months)
        return start + timedelta(days=self.rng.randrange(max((end - start).days, 1)))

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def id_number(self, address_code: str, born: date, sex: Sex, missing: float) -> str:
        if self.chance(missing):
            return ""
        return self.ids.make(self.rng, address_code, born, sex)

    def address(self) -> str:
        rng, village = self.rng, self.village
        if village.urban_rural_class in ("111", "112"):
            return (
                f"{rng.choice(ROADS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}号楼"
                f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
            )
        if village.rural:
            return f"{village.short_name}{rng.randint(1, 400)}号"
        return f"{village.short_name}{rng.choice(ROADS)}{rng.randint(1, 200)}号"


@dataclass(frozen=True)
class _City:
    """What every village's draw needs from the whole city: where migrants come from."""

    rural_origins: tuple[Village, ...]
    urban_district_counties: frozenset[str]

    @classmethod
    def of(cls, villages: Sequence[Village]) -> _City:
        urban = frozenset(v.county_code for v in villages if v.county_name.endswith("区"))
        return cls(tuple(v for v in villages if v.rural and v.county_code not in urban), urban)


def generate_families(
    villages: Sequence[Village],
    sizes: Mapping[str, int],
    *,
    seed: int,
    on: date,
    ids: IdNumbers | None = None,
    city_villages: Sequence[Village] | None = None,
) -> Iterator[Family]:
    """The families of each village in ``villages`` with ``sizes[code]`` children in all.

    ``city_villages`` (default ``villages``) are where migrants of the city come from. Ages,
    situations and their dates are reckoned from ``on``.
    """
    ids = ids or IdNumbers()
    city = _City.of(city_villages or villages)
    for village in villages:
        wanted = sizes.get(village.code, 0)
        if wanted <= 0:
            continue
        draw = _Draw(random.Random(f"{seed}:{village.code}"), village, on, ids, city)
        made = 0
        while made < wanted:
            family = _family(draw, wanted - made)
            made += len(family.children)
            yield family


def _family(draw: _Draw, room: int) -> Family:
    rng, village, on = draw.rng, draw.village, draw.on
    scenario = _pick_rare(rng, draw.scenarios, "ordinary")
    count = min(room, rng.choices(FAMILY_SIZES, cum_weights=FAMILY_SIZE_WEIGHTS)[0])
    if scenario in HARD_CASES:
        count = min(count, 2)
    anchor = draw.birth_date()
    births = [anchor]
    for _ in range(count - 1):
        gap = timedelta(days=rng.randint(2 * 365, 8 * 365))
        births.append(births[-1] - gap if draw.chance(0.5) else births[-1] + gap)
    births = sorted(b for b in births if draw.first_birth <= b <= on)

    migrant = rng.random() < MIGRANT_SHARE.get(village.urban_rural_class, 0.0)
    origin_code, origin_place, origin_village = _origin(draw, migrant)
    eldest = births[0]
    # Mothers are 26-28 at a first birth on average, fathers two years older; the legal ages of
    # marriage (民法典 art. 1047: 22 for men, 20 for women) bound them from below, loosely.
    mother_age = min(max(rng.gauss(26.0 if village.rural else 28.0, 4.0), 20.0), 40.0)
    father_age = min(max(mother_age + rng.gauss(2.0, 2.5), 21.0), 50.0)
    mother_born = eldest - timedelta(days=int(mother_age * 365.25))
    father_born = eldest - timedelta(days=int(father_age * 365.25))
    surname = names.surname(rng)
    address = "" if draw.chance(MISSING_ADDRESS) else draw.address()
    father = SyntheticPerson(
        key=draw.key("p"),
        name=surname + names.given_name_born(rng, female=False, born=father_born.year),
        sex=Sex.MALE,
        birth_date=father_born,
        village_code=village.code,
        address=address,
    )
    mother = SyntheticPerson(
        key=draw.key("p"),
        name=names.surname(rng) + names.given_name_born(rng, female=True, born=mother_born.year),
        sex=Sex.FEMALE,
        birth_date=mother_born,
        village_code=village.code,
        address=address,
    )
    for parent in (father, mother):
        if not draw.chance(MISSING_PHONE):
            parent.phone = draw.phone()
        parent.id_number = draw.id_number(
            origin_code if migrant else _parent_address_code(draw), parent.birth_date, parent.sex, MISSING_PARENT_ID
        )
    members = _members_for(draw, scenario, _Elders(draw, surname, father), father, mother)
    family = Family(village=village, scenario=scenario, children=[], adults=[m.person for m in members])

    economic = _pick_rare(
        rng,
        ECONOMIC_HARD if scenario in HARD_CASES else (ECONOMIC_RURAL if village.rural else ECONOMIC_URBAN),
        EconomicStatus.NONE,
    )
    if len(births) > 1:
        # A family member of several children is one person on file, found again by the number
        # (``bulk_register_children`` shares family members between records by identity number).
        address_code = origin_code if migrant else village.county_code
        for adult in family.adults:
            if not adult.id_number:
                adult.id_number = draw.ids.make(rng, address_code, adult.birth_date, adult.sex)
    moved_in = draw.since(1, 10 * 12) if migrant else None
    for born in births:
        child = _child(
            draw,
            born,
            surname=surname,
            parents=(father, mother),
            origin=(origin_code, origin_place, origin_village) if migrant else None,
        )
        child.economic_status = economic
        child.residence_address = address
        if moved_in is not None:
            child.residence_since = max(moved_in, born)
        child.family = [SyntheticMember(m.person, m.relation, m.is_guardian, m.lives_with_child) for m in members]
        _apply_scenario_to_child(draw, scenario, child)
        family.children.append(child)
    return family


def _origin(draw: _Draw, migrant: bool) -> tuple[str, str, Village | None]:
    """Where the household is registered: (address code of the numbers, place text, village of the city)."""
    if not migrant:
        return draw.village.county_code, "", None
    if draw.city.rural_origins and draw.chance(0.6):
        origin = draw.rng.choice(draw.city.rural_origins)
        return origin.county_code, f"{origin.city_name}{origin.county_name}{origin.short_name}", origin
    code, place = draw.rng.choice(OUTSIDE_ORIGINS)
    return code, place, None


def _parent_address_code(draw: _Draw) -> str:
    # Most parents were first registered in the county they live in; some married in from another.
    if draw.city.rural_origins and draw.chance(0.15):
        return draw.rng.choice(draw.city.rural_origins).county_code
    return draw.village.county_code


class _Elders:
    """The father's parents, made only when a family records them (most families do not)."""

    def __init__(self, draw: _Draw, surname: str, father: SyntheticPerson) -> None:
        self.draw = draw
        self.surname = surname
        self.father = father
        self._made: dict[Relation, SyntheticMember] = {}

    def grandmother(self) -> SyntheticMember:
        return self._get(Relation.PATERNAL_GRANDMOTHER)

    def grandfather(self) -> SyntheticMember:
        return self._get(Relation.PATERNAL_GRANDFATHER)

    def _get(self, relation: Relation) -> SyntheticMember:
        if relation not in self._made:
            draw = self.draw
            female = relation == Relation.PATERNAL_GRANDMOTHER
            born = draw.days_before(self.father.birth_date, 20 * 365, 34 * 365)
            family_name = names.surname(draw.rng) if female else self.surname
            person = SyntheticPerson(
                key=draw.key("p"),
                name=family_name + names.given_name_born(draw.rng, female=female, born=born.year),
                sex=Sex.FEMALE if female else Sex.MALE,
                birth_date=born,
                village_code=draw.village.code,
                address=self.father.address,
            )
            if not draw.chance(0.4):
                person.phone = draw.phone()
            person.id_number = draw.id_number(draw.village.county_code, born, person.sex, MISSING_GRANDPARENT_ID)
            self._made[relation] = SyntheticMember(person, relation)
        return self._made[relation]


class _Household:
    """The parents and elders of a family while its scenario gives them situations and roles."""

    def __init__(self, draw: _Draw, elders: _Elders, father: SyntheticPerson, mother: SyntheticPerson) -> None:
        self.draw = draw
        self.elders = elders
        self.dad = SyntheticMember(father, Relation.FATHER, is_guardian=True)
        self.mum = SyntheticMember(mother, Relation.MOTHER, is_guardian=True)
        self.parents = [self.dad, self.mum]
        self.carers: list[SyntheticMember] = []

    def away(self, member: SyntheticMember) -> None:
        member.lives_with_child = False
        member.person.situations.append(
            SyntheticSituation(
                SituationKind.WORKING_AWAY, self.draw.since(2, 8 * 12), place=self.draw.rng.choice(WORK_PLACES)
            )
        )

    def father_away(self) -> None:
        self.away(self.dad)

    def mother_away(self) -> None:
        self.away(self.mum)

    def both_away(self) -> None:
        self.away(self.dad)
        self.away(self.mum)
        self.carers = [self.elders.grandmother()]
        if self.draw.chance(0.6):
            self.carers.append(self.elders.grandfather())

    def away_other_unable(self) -> None:
        self.away(self.dad)
        self.mum.person.situations.append(_unable(self.draw))
        self.carers = [self.elders.grandmother()]

    def away_other_dead(self) -> None:
        self.away(self.dad)
        self.mum.is_guardian = self.mum.lives_with_child = False
        self.mum.person.situations.append(SyntheticSituation(SituationKind.DEAD, self.draw.since(6, 10 * 12)))
        self.carers = [self.elders.grandmother(), self.elders.grandfather()]

    def widowed(self) -> None:
        self.dad.is_guardian = self.dad.lives_with_child = False
        self.dad.person.situations.append(
            SyntheticSituation(SituationKind.DEAD, self.draw.since(1, 12 * 12), note="因病去世")
        )

    def separated(self) -> None:
        (self.dad if self.draw.chance(0.4) else self.mum).lives_with_child = False

    def parent_ill(self) -> None:
        self.dad.person.situations.append(
            SyntheticSituation(
                SituationKind.SERIOUS_ILLNESS, self.draw.since(3, 6 * 12), note=self.draw.rng.choice(PARENT_ILLNESSES)
            )
        )

    def parent_disabled(self) -> None:
        (self.dad if self.draw.chance(0.6) else self.mum).person.situations.append(_severe_disability(self.draw))

    def parent_imprisoned(self) -> None:
        self.dad.lives_with_child = False
        self.dad.person.situations.append(_imprisoned(self.draw))

    def pretrial_detention(self) -> None:
        self.dad.lives_with_child = False
        self.dad.person.situations.append(
            SyntheticSituation(
                SituationKind.PRETRIAL_DETENTION, self.draw.since(1, 10), document_no=_detention_no(self.draw)
            )
        )

    def left_unreported(self) -> None:
        # The mother left and cannot be reached, but nobody reported it to the police: no 失联.
        self.mum.lives_with_child = False
        self.mum.person.situations.append(
            SyntheticSituation(SituationKind.LOST_CONTACT, self.draw.since(8, 5 * 12), note="离家出走")
        )

    def de_facto(self) -> None:
        self.carers = _de_facto(self.draw, self.dad, self.mum, self.elders)

    def orphan(self) -> None:
        self.carers = _orphan(self.draw, self.dad, self.mum, self.elders)

    def abandoned(self) -> None:
        # Birth parents who cannot be found: a villager took the child in (收留抚养).
        self.parents = []
        taker = self.elders.grandmother().person
        taker.name = names.surname(self.draw.rng) + names.given_name_born(
            self.draw.rng, female=True, born=taker.birth_date.year
        )
        self.carers = [SyntheticMember(taker, Relation.NON_RELATIVE, is_guardian=True)]

    def members(self) -> list[SyntheticMember]:
        members = list(self.parents)
        for carer in self.carers:
            carer.lives_with_child = True
            members.append(carer)
        if not self.carers and self.draw.village.rural and self.draw.chance(0.25):
            members.append(self.elders.grandmother())  # three generations under one roof
        return members


def _members_for(
    draw: _Draw, scenario: str, elders: _Elders, father: SyntheticPerson, mother: SyntheticPerson
) -> list[SyntheticMember]:
    """The adults recorded for the children, with the situations and roles the scenario gives them."""
    household = _Household(draw, elders, father, mother)
    if scenario != "ordinary":
        getattr(household, scenario)()
    return household.members()


def _unable(draw: _Draw) -> SyntheticSituation:
    if draw.chance(0.5):
        return _severe_disability(draw)
    if draw.chance(0.6):
        return SyntheticSituation(
            SituationKind.SERIOUS_ILLNESS, draw.since(3, 5 * 12), note=draw.rng.choice(PARENT_ILLNESSES)
        )
    return SyntheticSituation(SituationKind.NO_CAPACITY, draw.since(6, 8 * 12), note="精神残疾，无监护能力")


def _severe_disability(draw: _Draw) -> SyntheticSituation:
    kind = draw.rng.choice(
        (DisabilityType.PHYSICAL, DisabilityType.VISUAL, DisabilityType.MENTAL, DisabilityType.INTELLECTUAL)
    )
    mind = kind in (DisabilityType.MENTAL, DisabilityType.INTELLECTUAL)
    grade = draw.rng.randint(1, 4) if mind else draw.rng.randint(1, 2)
    return SyntheticSituation(
        SituationKind.SEVERE_DISABILITY, draw.since(6, 10 * 12), disability_type=kind, disability_grade=grade
    )


def _court(draw: _Draw) -> str:
    return f"鲁{draw.village.county_code[2:6]}"


def _imprisoned(draw: _Draw) -> SyntheticSituation:
    started = draw.since(1, 4 * 12)
    term = draw.rng.choice((8, 12, 18, 24, 36, 36, 48, 60, 84, 120))
    return SyntheticSituation(
        SituationKind.IMPRISONED,
        started,
        term_months=term,
        document_no=f"（{started.year}）{_court(draw)}刑初{draw.rng.randint(10, 600)}号",
    )


def _detention_no(draw: _Draw) -> str:
    return f"泰公刑拘字〔{draw.on.year}〕{draw.rng.randint(100, 3000)}号"


def _lost_contact(draw: _Draw) -> SyntheticSituation:
    started = draw.since(7, 6 * 12)
    return SyntheticSituation(
        SituationKind.LOST_CONTACT,
        started,
        police_accepted_on=started + timedelta(days=draw.rng.randint(3, 60)),
        note="公安机关已受理失联报案",
    )


def _de_facto(
    draw: _Draw,
    dad: SyntheticMember,
    mum: SyntheticMember,
    elders: _Elders,
) -> list[SyntheticMember]:
    """事实无人抚养: both parents in the qualifying set, or one dead or missing and the other in it."""
    rng = draw.rng
    variant = rng.choice(
        ("imprisoned_lost", "dead_imprisoned", "dead_disabled", "both_disabled", "dead_rehab", "dead_lost", "revoked")
    )
    father, mother = dad.person, mum.person
    dad.lives_with_child = mum.lives_with_child = False
    if variant == "imprisoned_lost":
        father.situations.append(_imprisoned(draw))
        mother.situations.append(_lost_contact(draw))
    elif variant == "dead_imprisoned":
        mum.is_guardian = False
        mother.situations.append(SyntheticSituation(SituationKind.DEAD, draw.since(6, 8 * 12)))
        father.situations.append(_imprisoned(draw))
    elif variant == "dead_disabled":
        dad.is_guardian = False
        father.situations.append(SyntheticSituation(SituationKind.DEAD, draw.since(6, 8 * 12), note="交通事故"))
        mum.lives_with_child = True
        mother.situations.append(_severe_disability(draw))
    elif variant == "both_disabled":
        dad.lives_with_child = mum.lives_with_child = True
        father.situations.append(_severe_disability(draw))
        mother.situations.append(_severe_disability(draw))
    elif variant == "dead_rehab":
        mum.is_guardian = False
        mother.situations.append(SyntheticSituation(SituationKind.DEAD, draw.since(6, 8 * 12)))
        started = draw.since(1, 20)
        father.situations.append(
            SyntheticSituation(
                SituationKind.DRUG_REHABILITATION,
                started,
                term_months=24,
                document_no=f"泰公（禁）决字〔{started.year}〕{rng.randint(1, 200)}号",
            )
        )
    elif variant == "dead_lost":
        dad.is_guardian = False
        father.situations.append(SyntheticSituation(SituationKind.DEAD, draw.since(12, 10 * 12)))
        mother.situations.append(_lost_contact(draw))
    else:
        dad.is_guardian = mum.is_guardian = False
        started = draw.since(3, 4 * 12)
        document = f"（{started.year}）{_court(draw)}民特{rng.randint(1, 90)}号"
        for parent in (father, mother):
            parent.situations.append(
                SyntheticSituation(SituationKind.GUARDIANSHIP_REVOKED, started, document_no=document)
            )
    grandmother = elders.grandmother()
    grandmother.is_guardian = variant == "revoked"
    return [grandmother, elders.grandfather()] if draw.chance(0.5) else [grandmother]


def _orphan(
    draw: _Draw,
    dad: SyntheticMember,
    mum: SyntheticMember,
    elders: _Elders,
) -> list[SyntheticMember]:
    """孤儿: both parents dead, or one dead and the other declared missing by a court."""
    father, mother = dad.person, mum.person
    dad.is_guardian = mum.is_guardian = dad.lives_with_child = mum.lives_with_child = False
    father.situations.append(SyntheticSituation(SituationKind.DEAD, draw.since(6, 10 * 12)))
    if draw.chance(0.7):
        mother.situations.append(SyntheticSituation(SituationKind.DEAD, draw.since(6, 10 * 12)))
    else:
        started = draw.since(6, 6 * 12)
        mother.situations.append(
            SyntheticSituation(
                SituationKind.DECLARED_MISSING,
                started,
                document_no=f"（{started.year}）{_court(draw)}民特{draw.rng.randint(1, 90)}号",
            )
        )
    grandmother, grandfather = elders.grandmother(), elders.grandfather()
    grandmother.is_guardian = grandfather.is_guardian = True
    return [grandmother, grandfather]


def _child(
    draw: _Draw,
    born: date,
    *,
    surname: str,
    parents: tuple[SyntheticPerson, SyntheticPerson],
    origin: tuple[str, str, Village | None] | None,
) -> SyntheticChild:
    """A child of the family; ``origin`` (address code, place, village of the city) for a migrant."""
    father, mother = parents
    rng, village, on = draw.rng, draw.village, draw.on
    sex = Sex.MALE if rng.random() < MALE_SHARE_AT_BIRTH else Sex.FEMALE
    if draw.chance(0.04):  # some children carry the mother's surname
        surname = mother.name[:1]
    child = SyntheticChild(
        key=draw.key("c"),
        name=surname + names.given_name_born(rng, female=sex == Sex.FEMALE, born=born.year),
        sex=sex,
        birth_date=born,
        village_code=village.code,
        ethnicity=_pick_rare(rng, ETHNICITIES[1:], Ethnicity.HAN) if draw.chance(0.007) else Ethnicity.HAN,
    )
    child.phones = [p for p in (father.phone, mother.phone) if p][: rng.choice((1, 2))]
    age = age_on(born, on)
    if draw.chance(UNREGISTERED_SHARE):
        child.hukou_status = HouseholdRegistration.UNREGISTERED
        child.notes = "非婚生育，未办理出生登记" if draw.chance(0.5) else "超生未落户"
    else:
        newborn = (on - born).days < NEWBORN_DAYS
        address_code = origin[0] if origin else village.county_code
        child.id_number = draw.id_number(address_code, born, sex, MISSING_NEWBORN_ID if newborn else MISSING_CHILD_ID)
        if origin is not None:
            origin_code, origin_place, origin_village = origin
            # A migrant from outside the city is registered in the origin county: kept only if the
            # division table holds that county (the demo loads the city alone, the benchmark the country).
            child.hukou_region_code = origin_village.code if origin_village else origin_code.ljust(12, "0")
            child.hukou_address = origin_place
            child.hukou_nature = HukouNature.AGRICULTURAL if draw.chance(0.6) else HukouNature.RESIDENT
        else:
            child.hukou_region_code = village.code
            child.hukou_nature = _hukou_nature(draw)
            if draw.chance(0.5):
                child.hukou_address = (
                    f"{village.city_name}{village.county_name}{village.township_name}{village.short_name}"
                )
    if draw.chance(DISABILITY_SHARE):
        child.disability_type = rng.choices(
            [t for t, _ in DISABILITY_TYPES], cum_weights=_cumulative(w for _, w in DISABILITY_TYPES)
        )[0]
        child.disability_grade = rng.choices((1, 2, 3, 4), weights=[w for _, w in DISABILITY_GRADES])[0]
        if child.id_number and draw.chance(0.85):
            digit = DISABILITY_CERTIFICATE_DIGIT[child.disability_type]
            child.disability_certificate_no = f"{child.id_number}{digit}{child.disability_grade}"
    health = _pick_rare(rng, HEALTH, HealthStatus.HEALTHY)
    child.health_status = None if draw.chance(0.05) else health
    if health in ILLNESSES:
        child.illness = rng.choice(ILLNESSES[health])
    _school(draw, child, age)
    if rng.random() < ASSESSED_SHARE:
        child.guardianship_quality = GuardianshipQuality.GOOD if draw.chance(0.7) else GuardianshipQuality.ADEQUATE
        child.risk_level = RiskLevel.LOW
    return child


def _hukou_nature(draw: _Draw) -> HukouNature:
    table = HUKOU_NATURE_RURAL if draw.village.rural else HUKOU_NATURE_URBAN
    return _pick_rare(draw.rng, table, HukouNature.RESIDENT)


def school_grade_number(born: date, on: date) -> int:
    """The school grade of a child on ``on``: 1 in the first primary year, 0 in the last kindergarten year.

    A child starts primary school in the September after the sixth birthday falls on or before
    31 August (教育部: 年满6周岁, with 31 August as the usual cut-off day).
    """
    school_year = on.year if on.month >= 9 else on.year - 1  # noqa: PLR2004 (September)
    entry = born.year + 6 if (born.month, born.day) <= (8, 31) else born.year + 7
    return school_year - entry + 1


def _school(draw: _Draw, child: SyntheticChild, age: int) -> None:
    rng, village = draw.rng, draw.village
    grade = school_grade_number(child.birth_date, draw.on)
    township = village.township_name
    severe = child.disability_grade in (1, 2) and child.disability_type is not None
    if grade <= 0:
        if age >= 3 and grade >= -2 and draw.chance(0.9):  # noqa: PLR2004 (three kindergarten years)
            child.school_status = SchoolStatus.KINDERGARTEN
            child.school_name = f"{township}中心幼儿园" if village.rural else f"{village.short_name}幼儿园"
            child.school_grade = KINDERGARTEN_CLASSES[grade + 2]
        else:
            child.school_status = SchoolStatus.PRESCHOOL
        return
    if age in COMPULSORY_AGES and draw.chance(OUT_OF_SCHOOL_SHARE * (5 if severe else 1)):
        child.school_status = SchoolStatus.NOT_ENROLLED if draw.chance(0.2) else SchoolStatus.DROPPED_OUT
        child.guardianship_quality = GuardianshipQuality.POOR if draw.chance(0.3) else child.guardianship_quality
        return
    if severe and draw.chance(0.4):
        child.school_status = SchoolStatus.SPECIAL_SCHOOL
        child.school_name = f"{village.city_name}特殊教育学校"
        child.boarding = draw.chance(0.5)
    elif grade <= 6:  # noqa: PLR2004
        child.school_status = SchoolStatus.PRIMARY
        child.school_name = f"{township}中心小学"
        child.school_grade = f"{CHINESE_NUMERALS[grade - 1]}年级"
    elif grade <= 9:  # noqa: PLR2004
        child.school_status = SchoolStatus.JUNIOR_SECONDARY
        child.school_name = f"{township}中学" if village.rural else f"{village.county_name}实验中学"
        child.school_grade = f"{CHINESE_NUMERALS[grade - 1]}年级"
        child.boarding = village.rural and draw.chance(0.35)
    else:
        year = min(grade - 10, 2)
        choice = rng.random()
        if age >= LEAVING_AGE and choice < LEAVING_SHARE:  # finished lower-secondary school and left
            child.school_status = SchoolStatus.FINISHED
        elif choice < SENIOR_SECONDARY_SHARE:
            child.school_status = SchoolStatus.SENIOR_SECONDARY
            child.school_name = f"{village.county_name}第{CHINESE_NUMERALS[rng.randrange(4)]}中学"
            child.school_grade = SENIOR_GRADES[year]
            child.boarding = draw.chance(0.7)
        else:
            child.school_status = SchoolStatus.VOCATIONAL
            child.school_name = f"{village.county_name}职业中等专业学校"
            child.school_grade = f"{CHINESE_NUMERALS[year]}年级"
            child.boarding = draw.chance(0.6)
    if child.school_name and draw.chance(MISSING_SCHOOL_NAME):
        child.school_name = ""


def _apply_scenario_to_child(draw: _Draw, scenario: str, child: SyntheticChild) -> None:
    """What the family's situation means for one child: entrusted care, guardianship, risk."""
    rng, on = draw.rng, draw.on
    if scenario in ("both_away", "away_other_unable", "away_other_dead"):
        away = [s.started_on for m in child.family for s in m.person.situations if s.kind == SituationKind.WORKING_AWAY]
        carer = next((m.person for m in child.family if m.relation == Relation.PATERNAL_GRANDMOTHER), None)
        if carer is not None:
            since = max([child.birth_date, *away])
            signed = draw.chance(0.75)
            child.entrusted_care = SyntheticCare(
                carer=carer,
                since=since,
                confirmation_signed_on=min(on, since + timedelta(days=rng.randint(0, 60))) if signed else None,
                school_notified_on=min(on, since + timedelta(days=rng.randint(0, 30)))
                if signed and draw.chance(0.6)
                else None,
                village_notified_on=min(on, since + timedelta(days=rng.randint(0, 30))) if signed else None,
                last_parent_contact_on=on
                - timedelta(days=rng.randint(0, 6) if draw.chance(0.8) else rng.randint(7, 40)),
            )
    if scenario == "abandoned":
        child.birth_parents_unknown = True
        child.notes = "出生后被遗弃，生父母无法查找"
        child.phones = [m.person.phone for m in child.family if m.person.phone][:1]
    if scenario in HARD_CASES or scenario in ("parent_imprisoned", "pretrial_detention", "left_unreported"):
        child.guardianship_quality = rng.choice(
            (GuardianshipQuality.ADEQUATE, GuardianshipQuality.POOR, GuardianshipQuality.UNASSESSED)
        )
        child.risk_level = rng.choice((RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.UNASSESSED))
    elif child.school_status in (SchoolStatus.DROPPED_OUT, SchoolStatus.NOT_ENROLLED):
        child.risk_level = RiskLevel.MEDIUM
    if child.guardianship_quality == GuardianshipQuality.POOR and child.risk_level == RiskLevel.LOW:
        child.risk_level = RiskLevel.MEDIUM


# --- From the database, to the registry -------------------------------------------------------


def city_villages(city_code: str) -> list[Village]:
    """The active villages of a city with their township, county and city names, in code order."""
    city_code = city_code.ljust(12, "0")
    regions = Region.objects.within(city_code).filter(active=True)
    names_by_code = dict(
        regions.filter(level__in=[Level.CITY, Level.COUNTY, Level.TOWNSHIP]).values_list("code", "name")
    )
    names_by_code.update(Region.objects.filter(code=city_code).values_list("code", "name"))
    city_name = names_by_code.get(city_code, "")
    villages = []
    for code, name, urban_rural_class in (
        regions.filter(level=Level.VILLAGE).order_by("code").values_list("code", "name", "urban_rural_class")
    ):
        township = codes.pad(code[:9])
        county = codes.parent_code(township) or city_code
        villages.append(
            Village(
                code=code,
                name=name,
                urban_rural_class=urban_rural_class,
                township_name=names_by_code.get(township, ""),
                county_name=names_by_code.get(county, "") if county != city_code else "",
                city_name=city_name,
            )
        )
    return villages


def child_record(child: SyntheticChild, *, known_regions: frozenset[str] | None = None) -> ChildRecord:
    """``child`` as a record for ``bulk_register_children``.

    ``known_regions``: the division codes on file; a place of registration not among them is
    left out (the address keeps it).
    """
    hukou_region = child.hukou_region_code
    if known_regions is not None and hukou_region not in known_regions:
        hukou_region = ""
    data: dict[str, Any] = {
        "name": child.name,
        "sex": child.sex.value,
        "birth_date": child.birth_date,
        "ethnicity": child.ethnicity.value,
        "hukou_status": child.hukou_status.value,
        "hukou_region": hukou_region,
        "hukou_nature": child.hukou_nature.value,
        "hukou_address": child.hukou_address,
        "village": child.village_code,
        "residence_address": child.residence_address,
        "residence_since": child.residence_since,
        "school_status": child.school_status.value if child.school_status else "",
        "school_name": child.school_name,
        "school_grade": child.school_grade,
        "boarding": child.boarding,
        "health_status": child.health_status.value if child.health_status else "",
        "illness": child.illness,
        "disability_type": child.disability_type.value if child.disability_type else "",
        "disability_grade": child.disability_grade,
        "disability_certificate_no": child.disability_certificate_no,
        "economic_status": child.economic_status.value,
        "birth_parents_unknown": child.birth_parents_unknown,
        "guardianship_quality": child.guardianship_quality.value,
        "risk_level": child.risk_level.value,
        "phones": list(child.phones),
        "notes": child.notes,
    }
    care = child.entrusted_care
    family = []
    for member in child.family:
        person = member.person
        family.append(
            FamilyMemberRecord(
                relation=member.relation.value,
                name=person.name,
                id_number=person.id_number,
                sex=person.sex.value,
                birth_date=person.birth_date,
                phone=person.phone,
                address=person.address,
                is_guardian=member.is_guardian,
                lives_with_child=member.lives_with_child,
                situations=[
                    SituationRecord(
                        kind=s.kind.value,
                        started_on=s.started_on,
                        ended_on=s.ended_on,
                        term_months=s.term_months,
                        police_accepted_on=s.police_accepted_on,
                        disability_type=s.disability_type.value if s.disability_type else "",
                        disability_grade=s.disability_grade,
                        place=s.place,
                        pays_support=s.pays_support,
                        document_no=s.document_no,
                        note=s.note,
                    )
                    for s in person.situations
                ],
                entrusted_care=EntrustedCareRecord(
                    since=care.since,
                    confirmation_signed_on=care.confirmation_signed_on,
                    school_notified_on=care.school_notified_on,
                    village_notified_on=care.village_notified_on,
                    last_parent_contact_on=care.last_parent_contact_on,
                )
                if care is not None and care.carer is person
                else None,
            )
        )
    return ChildRecord(data=data, id_number=child.id_number, family=family)
