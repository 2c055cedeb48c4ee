"""Hand-made families of the demo: one of each case the registry must recognise, where the demo accounts see them.

The generated population (``children``) has these cases at their real rates, which in a demo of
a few thousand children means one or none of each somewhere in the city. These families put
each case in the demo director's community (and a left-behind family in a village of the same
county, since only rural children are left behind), dated from the day of loading so that the
thresholds of the rules (six months of lost contact, a term of a sentence …) fall as described.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from shouhu.demo.children import (
    Family,
    IdNumbers,
    SyntheticCare,
    SyntheticChild,
    SyntheticMember,
    SyntheticPerson,
    SyntheticSituation,
    Village,
    school_grade_number,
)
from shouhu.registry.choices import (
    DisabilityType,
    EconomicStatus,
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
from shouhu.registry.dates import add_months

SEED = "showcase"
OUTSIDE_ORIGIN = ("411425", "411425000000", "河南省商丘市虞城县张集镇")


@dataclass
class _Maker:
    """Builds persons and children with valid, unique numbers, dated back from ``on``."""

    on: date
    ids: IdNumbers
    village: Village
    rng: random.Random
    serial: int = 0

    def years_ago(self, years: float, days: int = 0) -> date:
        return add_months(self.on, -round(years * 12)) - timedelta(days=days)

    def months_ago(self, months: int, days: int = 0) -> date:
        return add_months(self.on, -months) - timedelta(days=days)

    def key(self, kind: str) -> str:
        self.serial += 1
        return f"{self.village.code}-showcase-{kind}{self.serial}"

    def person(
        self, name: str, sex: Sex, age: float, *, phone: str = "", numbered: bool = True, county: str = ""
    ) -> SyntheticPerson:
        born = self.years_ago(age, days=self.rng.randrange(300))
        number = self.ids.make(self.rng, county or self.village.county_code, born, sex) if numbered else ""
        return SyntheticPerson(
            key=self.key("p"),
            name=name,
            sex=sex,
            birth_date=born,
            village_code=self.village.code,
            phone=phone,
            id_number=number,
            address=self.address(),
        )

    def address(self) -> str:
        if self.village.rural:
            return f"{self.village.short_name}{self.serial + 20}号"
        return f"东岳大街{self.serial + 100}号{self.serial % 9 + 1}号楼2单元30{self.serial % 4 + 1}室"

    def child(
        self, name: str, sex: Sex, *, age: float = 0, days: int = 0, numbered: bool = True, county: str = ""
    ) -> SyntheticChild:
        born = self.years_ago(age, days=days)
        number = self.ids.make(self.rng, county or self.village.county_code, born, sex) if numbered else ""
        grade = _school_for(born, self.on)
        child = SyntheticChild(
            key=self.key("c"),
            name=name,
            sex=sex,
            birth_date=born,
            village_code=self.village.code,
            id_number=number,
            hukou_region_code=self.village.code,
            hukou_nature=HukouNature.AGRICULTURAL if self.village.rural else HukouNature.RESIDENT,
            residence_address=self.address(),
            health_status=HealthStatus.HEALTHY,
            guardianship_quality=GuardianshipQuality.ADEQUATE,
            risk_level=RiskLevel.LOW,
        )
        child.school_status, child.school_name, child.school_grade = grade
        if child.school_name:
            child.school_name = child.school_name.format(township=self.village.township_name)
        return child


def _school_for(born: date, on: date) -> tuple[SchoolStatus, str, str]:
    grade = school_grade_number(born, on)
    numerals = "一二三四五六七八九"
    if grade <= -3:  # noqa: PLR2004
        return SchoolStatus.PRESCHOOL, "", ""
    if grade <= 0:
        return SchoolStatus.KINDERGARTEN, "{township}中心幼儿园", ("小班", "中班", "大班")[grade + 2]
    if grade <= 6:  # noqa: PLR2004
        return SchoolStatus.PRIMARY, "{township}中心小学", f"{numerals[grade - 1]}年级"
    if grade <= 9:  # noqa: PLR2004
        return SchoolStatus.JUNIOR_SECONDARY, "{township}中学", f"{numerals[grade - 1]}年级"
    return SchoolStatus.SENIOR_SECONDARY, "泰安第一中学", ("高一", "高二", "高三")[min(grade - 10, 2)]


def _member(
    person: SyntheticPerson, relation: Relation, *, guardian: bool = False, home: bool = True
) -> SyntheticMember:
    return SyntheticMember(person, relation, is_guardian=guardian, lives_with_child=home)


def _family(village: Village, scenario: str, children: list[SyntheticChild], members: list[SyntheticMember]) -> Family:
    for child in children:
        child.family = [SyntheticMember(m.person, m.relation, m.is_guardian, m.lives_with_child) for m in members]
        if not child.phones:
            child.phones = [m.person.phone for m in members if m.person.phone and m.lives_with_child][:1]
    adults: list[SyntheticPerson] = []
    for member in members:
        if member.person not in adults:
            adults.append(member.person)
    return Family(village=village, scenario=scenario, children=children, adults=adults)


def showcase_families(community: Village, rural: Village, origin: Village, *, on: date, ids: IdNumbers) -> list[Family]:
    """The hand-made families: in ``community`` (the demo director's) and in the village ``rural``.

    ``origin`` is a rural village of a county (not an urban district) of the city, where a
    migrant family living in ``community`` is registered.
    """
    m = _Maker(on=on, ids=ids, village=community, rng=random.Random(f"{SEED}:{community.code}"))
    families = [
        _orphan(m),
        _de_facto_prison_and_lost(m),
        _de_facto_dead_and_disabled(m),
        _pending_thresholds(m),
        _disabled_in_dibao(m),
        _unregistered(m),
        _dropout(m),
        _migrant_from_outside(m),
        _migrant_from_the_county(m, origin),
        _infant(m),
        _seriously_ill(m),
    ]
    r = _Maker(on=on, ids=ids, village=rural, rng=random.Random(f"{SEED}:{rural.code}"))
    families += [_left_behind_signed(r), _left_behind_unsigned(r)]
    return families


def _orphan(m: _Maker) -> Family:
    """孤儿: both parents dead; the grandparents are the guardians."""
    child = m.child("刘子涵", Sex.FEMALE, age=9, days=40)
    father = m.person("刘建军", Sex.MALE, 38)
    mother = m.person("王丽", Sex.FEMALE, 36)
    father.situations.append(SyntheticSituation(SituationKind.DEAD, m.years_ago(4, 65), note="交通事故"))
    mother.situations.append(SyntheticSituation(SituationKind.DEAD, m.years_ago(2, 10), note="因病去世"))
    grandmother = m.person("孙秀英", Sex.FEMALE, 66, phone="13905381234")
    grandfather = m.person("刘德胜", Sex.MALE, 68)
    child.guardianship_quality = GuardianshipQuality.ADEQUATE
    child.risk_level = RiskLevel.MEDIUM
    return _family(
        m.village,
        "orphan",
        [child],
        [
            _member(father, Relation.FATHER, home=False),
            _member(mother, Relation.MOTHER, home=False),
            _member(grandmother, Relation.PATERNAL_GRANDMOTHER, guardian=True),
            _member(grandfather, Relation.PATERNAL_GRANDFATHER, guardian=True),
        ],
    )


def _de_facto_prison_and_lost(m: _Maker) -> Family:
    """事实无人抚养: the father serves three years; the mother lost, reported to the police long ago."""
    brother = m.child("张浩宇", Sex.MALE, age=11, days=100)
    sister = m.child("张一诺", Sex.FEMALE, age=7, days=20)
    father = m.person("张磊", Sex.MALE, 37)
    mother = m.person("李晓燕", Sex.FEMALE, 34)
    jailed = m.months_ago(20, 12)
    father.situations.append(
        SyntheticSituation(
            SituationKind.IMPRISONED,
            jailed,
            term_months=36,
            document_no=f"（{jailed.year}）鲁0902刑初156号",
        )
    )
    lost = m.months_ago(9, 3)
    mother.situations.append(
        SyntheticSituation(
            SituationKind.LOST_CONTACT, lost, police_accepted_on=lost + timedelta(days=23), note="外出后失去联系"
        )
    )
    grandmother = m.person("赵桂兰", Sex.FEMALE, 63, phone="13853801122")
    grandfather = m.person("张国强", Sex.MALE, 65, phone="13853801123")
    for child in (brother, sister):
        child.economic_status = EconomicStatus.DIBAO
        child.risk_level = RiskLevel.MEDIUM
    return _family(
        m.village,
        "de_facto",
        [brother, sister],
        [
            _member(father, Relation.FATHER, guardian=True, home=False),
            _member(mother, Relation.MOTHER, guardian=True, home=False),
            _member(grandmother, Relation.PATERNAL_GRANDMOTHER),
            _member(grandfather, Relation.PATERNAL_GRANDFATHER),
        ],
    )


def _de_facto_dead_and_disabled(m: _Maker) -> Family:
    """事实无人抚养: the father died; the mother has a grade-2 mental disability."""
    child = m.child("陈雨桐", Sex.FEMALE, age=5, days=150)
    father = m.person("陈海涛", Sex.MALE, 35)
    father.situations.append(SyntheticSituation(SituationKind.DEAD, m.years_ago(2, 30), note="工伤事故"))
    mother = m.person("周静", Sex.FEMALE, 32, phone="15866021345")
    mother.situations.append(
        SyntheticSituation(
            SituationKind.SEVERE_DISABILITY,
            m.years_ago(6),
            disability_type=DisabilityType.MENTAL,
            disability_grade=2,
        )
    )
    grandmother = m.person("吴玉兰", Sex.FEMALE, 60, phone="15866021346")
    child.economic_status = EconomicStatus.DIBAO
    return _family(
        m.village,
        "de_facto",
        [child],
        [
            _member(father, Relation.FATHER, home=False),
            _member(mother, Relation.MOTHER, guardian=True),
            _member(grandmother, Relation.MATERNAL_GRANDMOTHER),
        ],
    )


def _pending_thresholds(m: _Maker) -> Family:
    """Not yet 事实无人抚养: the father held for two months without a term; the mother reported lost
    three months ago."""
    child = m.child("王梓睿", Sex.MALE, age=13, days=70)
    father = m.person("王鹏", Sex.MALE, 40)
    father.situations.append(
        SyntheticSituation(SituationKind.PRETRIAL_DETENTION, m.months_ago(2, 5), document_no="泰公刑拘字〔2026〕512号")
    )
    mother = m.person("杨婷", Sex.FEMALE, 38)
    lost = m.months_ago(4, 2)
    mother.situations.append(
        SyntheticSituation(SituationKind.LOST_CONTACT, lost, police_accepted_on=lost + timedelta(days=30))
    )
    grandmother = m.person("王秀珍", Sex.FEMALE, 67, phone="13562807788")
    child.guardianship_quality = GuardianshipQuality.POOR
    child.risk_level = RiskLevel.HIGH
    return _family(
        m.village,
        "pending",
        [child],
        [
            _member(father, Relation.FATHER, guardian=True, home=False),
            _member(mother, Relation.MOTHER, guardian=True, home=False),
            _member(grandmother, Relation.PATERNAL_GRANDMOTHER),
        ],
    )


def _disabled_in_dibao(m: _Maker) -> Family:
    """A child with a grade-2 intellectual disability at the special school, in a family on 低保."""
    child = m.child("李沐宸", Sex.MALE, age=8, days=200)
    child.disability_type = DisabilityType.INTELLECTUAL
    child.disability_grade = 2
    child.disability_certificate_no = f"{child.id_number}52"
    child.school_status = SchoolStatus.SPECIAL_SCHOOL
    child.school_name = "泰安市特殊教育学校"
    child.school_grade = "二年级"
    child.economic_status = EconomicStatus.DIBAO
    father = m.person("李永刚", Sex.MALE, 39, phone="13954812233")
    mother = m.person("马春梅", Sex.FEMALE, 37, phone="13954812234")
    return _family(
        m.village,
        "disabled",
        [child],
        [_member(father, Relation.FATHER, guardian=True), _member(mother, Relation.MOTHER, guardian=True)],
    )


def _unregistered(m: _Maker) -> Family:
    """无户籍: born outside marriage and never registered; no identity number."""
    child = m.child("赵欣怡", Sex.FEMALE, age=3, days=90, numbered=False)
    child.hukou_status = HouseholdRegistration.UNREGISTERED
    child.hukou_region_code = ""
    child.hukou_nature = HukouNature.UNKNOWN
    child.notes = "非婚生育，未办理出生登记"
    mother = m.person("赵丽娜", Sex.FEMALE, 24, phone="18753809876")
    return _family(m.village, "unregistered", [child], [_member(mother, Relation.MOTHER, guardian=True)])


def _dropout(m: _Maker) -> Family:
    """失学辍学 and poor guardianship: a 14-year-old left school; the father works away, the mother left."""
    child = m.child("孙浩然", Sex.MALE, age=14, days=30)
    child.school_status = SchoolStatus.DROPPED_OUT
    child.school_name = ""
    child.school_grade = ""
    child.guardianship_quality = GuardianshipQuality.POOR
    child.risk_level = RiskLevel.HIGH
    father = m.person("孙勇", Sex.MALE, 41, phone="13605385566")
    father.situations.append(SyntheticSituation(SituationKind.WORKING_AWAY, m.years_ago(3), place="上海"))
    mother = m.person("郑燕", Sex.FEMALE, 39)
    grandfather = m.person("孙福生", Sex.MALE, 70)
    return _family(
        m.village,
        "dropout",
        [child],
        [
            _member(father, Relation.FATHER, guardian=True, home=False),
            _member(mother, Relation.MOTHER, guardian=True, home=False),
            _member(grandfather, Relation.PATERNAL_GRANDFATHER),
        ],
    )


def _migrant_from_outside(m: _Maker) -> Family:
    """A family from Henan, registered there, living here for three years (流动儿童 where the
    division table holds Henan's counties; the demo loads the city's only)."""
    county, region, place = OUTSIDE_ORIGIN
    child = m.child("马语桐", Sex.FEMALE, age=10, days=60, county=county)
    child.hukou_region_code = region
    child.hukou_address = place
    child.hukou_nature = HukouNature.AGRICULTURAL
    child.residence_since = m.years_ago(3)
    father = m.person("马建伟", Sex.MALE, 38, phone="15937061234", county=county)
    mother = m.person("高丽丽", Sex.FEMALE, 36, phone="15937061235", county=county)
    return _family(
        m.village,
        "migrant",
        [child],
        [_member(father, Relation.FATHER, guardian=True), _member(mother, Relation.MOTHER, guardian=True)],
    )


def _migrant_from_the_county(m: _Maker, origin: Village) -> Family:
    """流动儿童: registered in a village of a county of the city, living in the city for two years."""
    child = m.child("郭梓豪", Sex.MALE, age=6, days=300, county=origin.county_code)
    child.hukou_region_code = origin.code
    child.hukou_address = f"{origin.city_name}{origin.county_name}{origin.township_name}{origin.short_name}"
    child.hukou_nature = HukouNature.AGRICULTURAL
    child.residence_since = m.years_ago(2, 45)
    father = m.person("郭鹏飞", Sex.MALE, 33, phone="17853801234", county=origin.county_code)
    mother = m.person("田甜", Sex.FEMALE, 31, phone="17853801235", county=origin.county_code)
    return _family(
        m.village,
        "migrant",
        [child],
        [_member(father, Relation.FATHER, guardian=True), _member(mother, Relation.MOTHER, guardian=True)],
    )


def _infant(m: _Maker) -> Family:
    """An infant of seven months whose number is not on file yet (the file is incomplete)."""
    child = m.child("周若汐", Sex.FEMALE, days=212, numbered=False)
    child.guardianship_quality = GuardianshipQuality.GOOD
    father = m.person("周文博", Sex.MALE, 31, phone="18865381001")
    mother = m.person("韩雪", Sex.FEMALE, 29, phone="18865381002")
    return _family(
        m.village,
        "infant",
        [child],
        [_member(father, Relation.FATHER, guardian=True), _member(mother, Relation.MOTHER, guardian=True)],
    )


def _seriously_ill(m: _Maker) -> Family:
    """A 12-year-old with leukaemia in a low-income family."""
    child = m.child("吴一鸣", Sex.MALE, age=12, days=250)
    child.health_status = HealthStatus.SERIOUS
    child.illness = "急性淋巴细胞白血病"
    child.economic_status = EconomicStatus.LOW_INCOME
    father = m.person("吴海波", Sex.MALE, 42, phone="13792851234")
    mother = m.person("蒋玲", Sex.FEMALE, 40, phone="13792851235")
    return _family(
        m.village,
        "ill",
        [child],
        [_member(father, Relation.FATHER, guardian=True), _member(mother, Relation.MOTHER, guardian=True)],
    )


def _left_behind_signed(m: _Maker) -> Family:
    """农村留守儿童: both parents work away; the grandmother is the entrusted carer, confirmation signed."""
    brother = m.child("高子轩", Sex.MALE, age=9, days=10)
    sister = m.child("高欣怡", Sex.FEMALE, age=12, days=180)
    father = m.person("高志强", Sex.MALE, 40, phone="13505387711")
    mother = m.person("刘晓丽", Sex.FEMALE, 38, phone="13505387712")
    father.situations.append(SyntheticSituation(SituationKind.WORKING_AWAY, m.years_ago(3, 40), place="济南"))
    mother.situations.append(SyntheticSituation(SituationKind.WORKING_AWAY, m.years_ago(2, 15), place="苏州"))
    grandmother = m.person("刘秀兰", Sex.FEMALE, 64, phone="13505387713")
    since = mother.situations[0].started_on
    for child in (brother, sister):
        child.entrusted_care = SyntheticCare(
            carer=grandmother,
            since=since,
            confirmation_signed_on=since + timedelta(days=12),
            school_notified_on=since + timedelta(days=20),
            village_notified_on=since + timedelta(days=12),
            last_parent_contact_on=m.on - timedelta(days=3),
        )
    return _family(
        m.village,
        "both_away",
        [brother, sister],
        [
            _member(father, Relation.FATHER, guardian=True, home=False),
            _member(mother, Relation.MOTHER, guardian=True, home=False),
            _member(grandmother, Relation.PATERNAL_GRANDMOTHER),
        ],
    )


def _left_behind_unsigned(m: _Maker) -> Family:
    """农村留守儿童: the father works away and the mother died; no signed confirmation, no call for 20 days."""
    child = m.child("徐宇航", Sex.MALE, age=7, days=120)
    father = m.person("徐海涛", Sex.MALE, 36, phone="18653807722")
    father.situations.append(SyntheticSituation(SituationKind.WORKING_AWAY, m.years_ago(1, 60), place="北京"))
    mother = m.person("许静", Sex.FEMALE, 34)
    mother.situations.append(SyntheticSituation(SituationKind.DEAD, m.years_ago(1, 100), note="因病去世"))
    grandmother = m.person("徐桂英", Sex.FEMALE, 62)
    child.entrusted_care = SyntheticCare(
        carer=grandmother, since=father.situations[0].started_on, last_parent_contact_on=m.on - timedelta(days=20)
    )
    child.guardianship_quality = GuardianshipQuality.ADEQUATE
    return _family(
        m.village,
        "away_other_dead",
        [child],
        [
            _member(father, Relation.FATHER, guardian=True, home=False),
            _member(mother, Relation.MOTHER, home=False),
            _member(grandmother, Relation.PATERNAL_GRANDMOTHER),
        ],
    )
