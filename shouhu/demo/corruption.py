"""Labelled evaluation data for matching: the demo city's children, and second records typed elsewhere.

Source: issue 4, "Evaluation data" (corrupt synthetic children the way real records get corrupted —
homophones, surname misreadings, swapped digits, missing identity numbers, moved villages — with
twins and siblings that must NOT be merged, the truth kept, at 10 k, 100 k and 1 M) and
docs/architecture.md ("Matching"). The corruption tables below are this module's own (never the
engine's): a table shared with the engine would make the test agree with itself.

``labelled_set(n, seed=...)`` streams ``n`` records, deterministic from the seed and the reference
day, without a database (the demo city's villages are read from the bundled division table):

* the **registry**: every child of the demo city's synthetic families (``shouhu.demo.children``),
  as the village director keeps it, plus **twins** (a second child of the family born the same day,
  another given name — often sharing a character with the co-twin's — and its own identity number);
  siblings and twins share parents, village, phones and surname: distinct children all the same;
* for a share of the children, **second records** as another department would have typed them
  (school roll, child health, household register, a civil-affairs list, a report of concern), each
  department recording its own fields, with ``CORRUPTIONS`` applied — none, one or several at once.

Each record carries its truth: the child (``entity``), the household (``family``), the true birth
date, the department and the corruptions applied. Memory is bounded by the generator's state (the
identity numbers handed out), not by the records: they are yielded one at a time.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from shouhu.demo import names as demo_names
from shouhu.demo.children import (
    CHILDREN_PER_FAMILY,
    MOBILE_PREFIXES,
    IdNumbers,
    SyntheticChild,
    SyntheticPerson,
    Village,
    generate_families,
    village_sizes,
)
from shouhu.matching.record import PersonRecord
from shouhu.regions.services import BUNDLED_TABLE, DEMO_DIR
from shouhu.registry.choices import Relation, Sex
from shouhu.registry.dates import age_on

CITY = "3709"
ON = date(2026, 12, 1)  # the default reference day: ages, "about N" and future dates are read against it
REGISTRY = "registry"

# --- Shares (plausible defaults for an evaluation set; no published source) --------------------

# Children with a second record from another department, and of those, with a third.
DUPLICATE_SHARE = 0.2
THIRD_RECORD_SHARE = 0.15
# Families with twins: about 1.5-3 % of deliveries in China are twin deliveries (rising with
# assisted reproduction; 国家卫健委 birth statistics, [U]); one family in fifty here.
TWIN_SHARE = 0.02
TWINS_SAME_SEX = 0.65  # identical twins plus half of the fraternal ones
TWINS_SHARE_A_CHARACTER = 0.5  # 思雨 / 思涵: twins' names often share a character
MIN_BIRTH_SPACING_DAYS = 280  # a pregnancy: siblings closer than this are left out (twins are added apart)
FORMER_NAME_SHARE = 0.015  # a child renamed (a new given name, or the mother's surname after a divorce)
FORMER_NAME_USED = 0.5  # an older department record still has the former name
# How many corruptions a second record gets (beyond what its department leaves out).
CORRUPTION_COUNTS = ((0, 0.3), (1, 0.4), (2, 0.2), (3, 0.1))
AGE_MISJUDGED = 0.3  # "about 9" off by one year
MARGIN = 1.03  # children generated beyond the expected need, so that ``n`` records always come out

# --- Tables of this module (never the engine's) -------------------------------------------------

# Characters read alike (same toneless pinyin) among those of the demo's names: what an input
# method offers for the same syllable, or a clerk writes from hearing (小/晓, 明/铭, 徐/许).
HOMOPHONES: Mapping[str, str] = {
    # surnames
    "王": "汪",
    "汪": "王",
    "张": "章",
    "李": "黎",
    "黎": "李",
    "刘": "柳",
    "杨": "阳扬",
    "吴": "武伍",
    "徐": "许",
    "许": "徐",
    "朱": "祝诸",
    "胡": "扈",
    "何": "贺",
    "贺": "何",
    "于": "余俞",
    "余": "于俞",
    "江": "姜蒋",
    "姜": "江蒋",
    "蒋": "江姜",
    "石": "史施",
    "史": "石施",
    "付": "傅符",
    "邱": "秋",
    "钟": "仲",
    "韦": "魏卫",
    "魏": "韦卫",
    "严": "颜闫",
    "闫": "严颜",
    "范": "樊",
    "方": "房",
    "秦": "覃",
    "常": "长",
    "龚": "宫",
    "陶": "桃",
    "肖": "萧",
    "萧": "肖",
    # given names
    "小": "晓筱",
    "晓": "小筱",
    "明": "铭鸣茗",
    "铭": "明鸣茗",
    "鸣": "明铭",
    "茗": "明铭",
    "伟": "玮炜",
    "睿": "瑞锐",
    "鑫": "欣馨昕",
    "欣": "鑫馨昕",
    "馨": "欣鑫昕",
    "浩": "昊皓灏",
    "昊": "浩皓",
    "皓": "浩昊",
    "豪": "浩昊",
    "博": "搏",
    "轩": "萱宣璇",
    "萱": "轩宣璇",
    "宇": "雨语羽禹",
    "雨": "宇语羽",
    "语": "雨宇羽",
    "煜": "钰昱玉",
    "瑜": "钰玉",
    "子": "梓紫",
    "梓": "子紫",
    "紫": "子梓",
    "俊": "骏峻",
    "一": "依伊",
    "依": "一伊",
    "亦": "奕艺逸",
    "奕": "亦艺逸",
    "逸": "亦奕艺",
    "艺": "亦奕逸",
    "怡": "宜仪",
    "苡": "以",
    "文": "雯",
    "家": "嘉佳",
    "嘉": "家佳",
    "佳": "嘉家",
    "思": "斯丝",
    "天": "添",
    "然": "冉苒",
    "苒": "然冉",
    "杰": "洁捷",
    "泽": "则择",
    "涵": "晗含",
    "阳": "杨扬洋",
    "晨": "辰宸臣",
    "辰": "晨宸",
    "宸": "晨辰",
    "航": "杭",
    "凯": "铠恺楷",
    "沐": "慕牧",
    "锦": "瑾",
    "瑾": "锦",
    "墨": "默沫",
    "沫": "墨茉",
    "熙": "曦希汐",
    "曦": "熙希汐",
    "汐": "曦熙希",
    "烨": "晔",
    "景": "婧晶",
    "承": "诚成",
    "琪": "琦祺淇",
    "妍": "研颜",
    "悦": "玥越",
    "诗": "师施",
    "梦": "孟萌",
    "可": "珂",
    "琳": "霖林",
    "彤": "桐童",
    "桐": "彤童",
    "芷": "志",
    "知": "芝之",
    "星": "兴",
    "初": "楚",
    "夏": "霞",
    "宁": "凝",
    "安": "桉",
    "川": "传",
    "鹏": "朋",
    "涛": "韬",
    "磊": "垒",
    "静": "婧",
    "丽": "莉俐",
    "婷": "亭",
    "玲": "铃翎",
    "慧": "惠",
    "燕": "艳",
    "峰": "锋",
}
# Characters a speaker of a southern or south-western dialect says alike (zh/z, ch/c, sh/s, n/l,
# -n/-ng, f/h) but whose standard readings differ: 陈/程, 刘/牛, 思/诗.
DIALECT: Mapping[str, str] = {
    "陈": "程岑",
    "程": "陈",
    "林": "凌",
    "凌": "林",
    "金": "京",
    "斌": "兵冰",
    "周": "邹",
    "邹": "周",
    "曾": "郑",
    "郑": "曾",
    "刘": "牛",
    "胡": "符",
    "付": "胡",
    "沈": "森",
    "晨": "程成",
    "辰": "成",
    "宸": "程",
    "诗": "思",
    "思": "诗",
    "梓": "芷",
    "子": "志",
    "紫": "芷",
    "泽": "哲",
    "欣": "星",
    "鑫": "星",
    "馨": "星",
    "星": "欣",
    "景": "锦",
    "锦": "景",
    "瑾": "景",
    "宁": "林玲",
    "琳": "玲",
    "玲": "琳",
    "丽": "妮",
    "航": "涵",
    "兰": "南",
}
# Simplified → traditional for the characters of the demo's names (a record typed on a
# traditional-character system, or by someone who writes traditional characters).
TRADITIONAL: Mapping[str, str] = {
    "刘": "劉",
    "陈": "陳",
    "张": "張",
    "杨": "楊",
    "黄": "黃",
    "赵": "趙",
    "吴": "吳",
    "郑": "鄭",
    "冯": "馮",
    "邓": "鄧",
    "韩": "韓",
    "许": "許",
    "罗": "羅",
    "谢": "謝",
    "孙": "孫",
    "马": "馬",
    "蒋": "蔣",
    "叶": "葉",
    "苏": "蘇",
    "吕": "呂",
    "卢": "盧",
    "钟": "鍾",
    "谭": "譚",
    "陆": "陸",
    "韦": "韋",
    "贾": "賈",
    "邹": "鄒",
    "闫": "閆",
    "龙": "龍",
    "贺": "賀",
    "顾": "顧",
    "龚": "龔",
    "万": "萬",
    "钱": "錢",
    "严": "嚴",
    "单": "單",
    "区": "區",
    "欧": "歐",
    "阳": "陽",
    "诸": "諸",
    "轩": "軒",
    "杰": "傑",
    "泽": "澤",
    "凯": "凱",
    "锦": "錦",
    "铭": "銘",
    "烨": "燁",
    "悦": "悅",
    "诗": "詩",
    "梦": "夢",
    "语": "語",
    "诺": "諾",
    "艺": "藝",
    "宁": "寧",
    "伟": "偉",
    "强": "強",
    "军": "軍",
    "涛": "濤",
    "鹏": "鵬",
    "华": "華",
    "飞": "飛",
    "帅": "帥",
    "国": "國",
    "丽": "麗",
    "静": "靜",
    "红": "紅",
    "艳": "艷",
    "兰": "蘭",
    "凤": "鳳",
    "云": "雲",
    "荣": "榮",
    "庆": "慶",
    "东": "東",
    "晓": "曉",
    "颖": "穎",
    "亚": "亞",
    "贵": "貴",
    "刚": "剛",
    "辉": "輝",
    "鸣": "鳴",
    "扬": "揚",
    "亿": "億",
    "乐": "樂",
    "兴": "興",
    "书": "書",
    "长": "長",
    "传": "傳",
    "宝": "寶",
    "胜": "勝",
}
# Surnames read otherwise than their everyday reading (《现代汉语词典》 surname entries): how a record
# typed by ear writes them (the sound of the surname reading), and the everyday reading a
# romanising system gives them (单 Dan for Shan, 曾 Ceng for Zeng).
SURNAME_MISREADINGS: Mapping[str, tuple[str, str]] = {
    "曾": ("增", "ceng"),
    "单": ("善山", "dan"),
    "区": ("欧", "qu"),
    "仇": ("裘邱", "chou"),
    "解": ("谢", "jie"),
    "覃": ("秦", "tan"),
}
COMPOUND_SURNAMES = frozenset(s for s, _ in demo_names.SURNAMES if len(s) > 1)
FULL_WIDTH = str.maketrans("0123456789Xx ", "０１２３４５６７８９Ｘｘ　")


# --- The records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    """One record of the set with its truth."""

    key: int  # position in the stream, from 0
    entity: int  # the child it describes: records of one entity are one person
    family: int  # the household: siblings and twins share it
    born: date  # the true birth date (twins share it)
    source: str  # REGISTRY or the department that typed it
    corruptions: tuple[str, ...]  # what was done to it (empty for the registry's own record)
    record: PersonRecord


def pair_kind(a: LabelledRecord, b: LabelledRecord) -> str:
    """``same`` (one child), ``twin`` (one family, born the same day), ``sibling`` or ``other``."""
    if a.entity == b.entity:
        return "same"
    if a.family != b.family:
        return "other"
    return "twin" if a.born == b.born else "sibling"


@dataclass(frozen=True)
class LabelledSet:
    """``size`` records of the demo city, streamed again on each iteration (nothing is kept)."""

    size: int
    seed: int
    on: date = ON
    city: str = CITY
    duplicate_share: float = DUPLICATE_SHARE

    def __iter__(self) -> Iterator[LabelledRecord]:
        return _stream(self)


def labelled_set(
    n: int, *, seed: int, on: date = ON, city: str = CITY, duplicate_share: float = DUPLICATE_SHARE
) -> LabelledSet:
    """``n`` labelled records: the registry's children (with twins) and second records of a share of them."""
    if n < 0:
        raise ValueError("the size of a labelled set cannot be negative")
    return LabelledSet(size=n, seed=seed, on=on, city=city, duplicate_share=duplicate_share)


@cache
def demo_villages(city: str = CITY) -> tuple[Village, ...]:
    """The demo city's villages from the bundled files (no database): the generated village list and
    the 2023 division table for the names of their townships, counties and city."""
    place_names: dict[str, str] = {}
    for filename in ("cities.csv", "areas.csv", "streets.csv"):
        for row in _rows(BUNDLED_TABLE / filename):
            if row["code"].startswith(city):
                place_names[row["code"]] = row["name"]
    city_name = place_names.get(city, "")
    return tuple(
        Village(
            code=row["code"],
            name=row["name"],
            urban_rural_class=row.get("urbanRuralClass", "") or "",
            township_name=place_names.get(row["code"][:9], ""),
            county_name=place_names.get(row["code"][:6], ""),
            city_name=city_name,
        )
        for row in sorted(_rows(DEMO_DIR / f"{city}-villages.csv"), key=lambda r: r["code"])
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _records_per_child(duplicate_share: float) -> float:
    children_per_family = sum(size * share for size, share in CHILDREN_PER_FAMILY)
    twins = TWIN_SHARE / children_per_family
    return (1 + twins) * (1 + duplicate_share * (1 + THIRD_RECORD_SHARE))


def _stream(spec: LabelledSet) -> Iterator[LabelledRecord]:
    if spec.size == 0:
        return
    villages = list(demo_villages(spec.city))
    # Villages in a seeded order: the last ones, cut when ``size`` records are out, are anywhere.
    random.Random(f"{spec.seed}:order").shuffle(villages)
    wanted = math.ceil(spec.size / _records_per_child(spec.duplicate_share) * MARGIN) + 10
    sizes = village_sizes(villages, wanted, seed=spec.seed)
    ids = IdNumbers()
    families = generate_families(villages, sizes, seed=spec.seed, on=spec.on, ids=ids)
    typist = _Typist(random.Random(f"{spec.seed}:corruption"), spec, villages, ids)
    key = entity = 0
    for family_number, family in enumerate(families):
        for child, born, former in typist.household(family.children):
            registry = typist.registry_record(child, former)
            copies = typist.second_records(child, former)
            for source, corruptions, record in ((REGISTRY, (), registry), *copies):
                yield LabelledRecord(key, entity, family_number, born, source, corruptions, record)
                key += 1
                if key >= spec.size:
                    return
            entity += 1


# --- Typing a record -----------------------------------------------------------------------------


def _split(name: str) -> tuple[str, str]:
    cut = 2 if name[:2] in COMPOUND_SURNAMES else 1
    return name[:cut], name[cut:]


def _guardians(child: SyntheticChild) -> list[SyntheticPerson]:
    return [m.person for m in child.family if m.is_guardian]


class _Typist:
    """The random choices of the whole stream: twins, former names, departments and corruptions."""

    def __init__(self, rng: random.Random, spec: LabelledSet, villages: Sequence[Village], ids: IdNumbers) -> None:
        self.rng = rng
        self.on = spec.on
        self.duplicate_share = spec.duplicate_share
        self.ids = ids
        self.by_township: dict[str, list[str]] = {}
        self.by_county: dict[str, list[str]] = {}
        for village in villages:
            self.by_township.setdefault(village.code[:9], []).append(village.code)
            self.by_county.setdefault(village.code[:6], []).append(village.code)
        self.counties = sorted(self.by_county)
        self.corruptions = [(name, weight, action) for name, weight, action in CORRUPTIONS]
        self.counts = [count for count, _ in CORRUPTION_COUNTS]
        self.count_weights = [share for _, share in CORRUPTION_COUNTS]

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    # -- the registry ------------------------------------------------------------------------------

    def household(self, children: list[SyntheticChild]) -> Iterator[tuple[SyntheticChild, date, str]]:
        """The family's children with their true birth date and former name ("" when none); a twin
        is added to one of them in ``TWIN_SHARE`` of the families. No two children of a family are
        given names that sound the same (parents call them by these names), and none is born within
        ``MIN_BIRTH_SPACING_DAYS`` of a sibling (such a child of the generator is left out)."""
        kids: list[SyntheticChild] = []
        for child in sorted(children, key=lambda c: c.birth_date):
            # The generator draws each birth from the previous one, either way: a third child can
            # land days from the first. Two births of one mother are months apart, or twins.
            if all(abs((child.birth_date - kid.birth_date).days) >= MIN_BIRTH_SPACING_DAYS for kid in kids):
                kids.append(child)
        if kids and self.chance(TWIN_SHARE):
            index = self.rng.randrange(len(kids))
            kids.insert(index + 1, self.twin(kids[index]))
        heard: set[tuple[str, ...]] = set()
        family = {_split(kid.name)[1] for kid in kids}
        for kid in kids:
            child = self.distinct_name(kid, heard) if len(kids) > 1 else kid
            family.add(_split(child.name)[1])
            former = self.former_name(child, family) if self.chance(FORMER_NAME_SHARE) else ""
            yield child, child.birth_date, former

    def distinct_name(self, child: SyntheticChild, heard: set[tuple[str, ...]]) -> SyntheticChild:
        """``child``, renamed (a given name of the same length) if a sibling is called alike."""
        surname, given = _split(child.name)
        sound = tuple(lazy_pinyin(given))
        for _attempt in range(50):
            if sound not in heard:
                break
            drawn = demo_names.given_name_born(self.rng, female=child.sex == Sex.FEMALE, born=child.birth_date.year)
            if len(drawn) == len(given):
                given, sound = drawn, tuple(lazy_pinyin(drawn))
        heard.add(sound)
        return child if surname + given == child.name else replace(child, name=surname + given)

    def twin(self, child: SyntheticChild) -> SyntheticChild:
        """The co-twin: born the same day, a given name of the same length (often sharing a character)."""
        rng = self.rng
        born = child.birth_date
        sex = child.sex if self.chance(TWINS_SAME_SEX) else (Sex.FEMALE if child.sex == Sex.MALE else Sex.MALE)
        surname, given = _split(child.name)
        new_given = ""
        for _attempt in range(50):
            drawn = demo_names.given_name_born(rng, female=sex == Sex.FEMALE, born=born.year)
            if len(drawn) != len(given):
                continue
            if len(given) == 2 and self.chance(TWINS_SHARE_A_CHARACTER):  # noqa: PLR2004
                drawn = given[0] + drawn[1]
            if drawn != given:
                new_given = drawn
                break
        number = ""
        if child.id_number:
            number = self.ids.make(rng, child.id_number[:6], born, sex)
        return replace(
            child, key=child.key + "t", name=surname + (new_given or given + "二"), sex=sex, id_number=number
        )

    def former_name(self, child: SyntheticChild, family: set[str]) -> str:
        """A name the child had before (a given name that sounds like none of the family's: a
        sibling's name is not a renamed child's old one)."""
        surname, given = _split(child.name)
        sounds = {tuple(lazy_pinyin(name)) for name in family}
        mother = next((m.person for m in child.family if m.relation == Relation.MOTHER), None)
        if mother is not None and self.chance(0.3) and not mother.name.startswith(surname):
            return _split(mother.name)[0] + given  # renamed to the father's surname, or back
        for _attempt in range(20):
            drawn = demo_names.given_name_born(self.rng, female=child.sex == Sex.FEMALE, born=child.birth_date.year)
            if drawn != given and tuple(lazy_pinyin(drawn)) not in sounds:
                return surname + drawn
        return ""

    def registry_record(self, child: SyntheticChild, former: str) -> PersonRecord:
        guardians = _guardians(child)
        return PersonRecord(
            names=(child.name, former) if former else (child.name,),
            sex=child.sex.value,
            birth_date=child.birth_date,
            id_number=child.id_number,
            phones=tuple(child.phones),
            region_code=child.village_code,
            address=child.residence_address,
            guardian_names=tuple(p.name for p in guardians),
            guardian_phones=tuple(p.phone for p in guardians if p.phone),
        )

    # -- second records ------------------------------------------------------------------------------

    def second_records(self, child: SyntheticChild, former: str) -> list[tuple[str, tuple[str, ...], PersonRecord]]:
        if not self.chance(self.duplicate_share):
            return []
        count = 2 if self.chance(THIRD_RECORD_SHARE) else 1
        return [self.second_record(child, former) for _ in range(count)]

    def second_record(self, child: SyntheticChild, former: str) -> tuple[str, tuple[str, ...], PersonRecord]:
        age = age_on(child.birth_date, self.on)
        departments = DEPARTMENTS if age >= 3 else [d for d in DEPARTMENTS if d[0] != "school"]  # noqa: PLR2004
        source, _weight, typed_by = self.rng.choices(departments, weights=[d[1] for d in departments])[0]
        fields = typed_by(self, child)
        done: list[str] = []
        if former and self.chance(FORMER_NAME_USED):
            fields["names"] = (former,)
            done.append("former_name")
        count = self.rng.choices(self.counts, weights=self.count_weights)[0]
        candidates = list(self.corruptions)
        wanted = len(done) + count
        while len(done) < wanted and candidates:
            pick = self.rng.choices(range(len(candidates)), weights=[c[1] for c in candidates])[0]
            name, _w, action = candidates.pop(pick)
            if action(self, fields, child):
                done.append(name)
        return source, tuple(done), PersonRecord(**fields)

    # -- helpers of the departments and corruptions ------------------------------------------------

    def report_day(self, born: date) -> date | None:
        """A day in the last year when someone said the child's age, or None for a baby."""
        day = self.on - timedelta(days=self.rng.randrange(366))
        return day if age_on(born, day) >= 1 else None

    def about_age(self, fields: dict[str, Any], born: date) -> bool:
        day = self.report_day(born)
        if day is None:
            return False
        age = age_on(born, day)
        if self.chance(AGE_MISJUDGED):
            age = max(age + self.rng.choice((-1, 1)), 0)
        fields.update(birth_date=None, birth_year=None, age=age, on=day)
        return True

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


# --- Departments: what each one records of a child ----------------------------------------------


def _school(typist: _Typist, child: SyntheticChild) -> dict[str, Any]:
    """A school roll (学籍): the number usually, the parents or the carer a child lives with, one phone."""
    rng = typist.rng
    carers = [m.person for m in child.family if m.lives_with_child] or _guardians(child)
    named = carers[: rng.choice((1, 2))]
    phones = [p.phone for p in named if p.phone][:1]
    return {
        "names": (child.name,),
        "sex": child.sex.value,
        "birth_date": child.birth_date,
        "id_number": child.id_number if typist.chance(0.85) else "",
        "region_code": child.village_code,
        "address": child.residence_address,
        "guardian_names": tuple(p.name for p in named),
        "guardian_phones": tuple(phones),
    }


def _health(typist: _Typist, child: SyntheticChild) -> dict[str, Any]:
    """A child-health or vaccination record (预防接种): the mother and her phone, the number half the time."""
    mother = next((m.person for m in child.family if m.relation == Relation.MOTHER), None)
    carer = mother or next(iter(_guardians(child)), None)
    phone = carer.phone if carer is not None and carer.phone else ""
    return {
        "names": (child.name,),
        "sex": child.sex.value,
        "birth_date": child.birth_date,
        "id_number": child.id_number if typist.chance(0.5) else "",
        "region_code": child.village_code,
        "phones": (phone,) if phone else (),
        "guardian_names": (carer.name,) if carer is not None else (),
        "guardian_phones": (phone,) if phone else (),
    }


def _household_register(typist: _Typist, child: SyntheticChild) -> dict[str, Any]:
    """The household register (户籍): the number, the place of registration (not of residence), the parents."""
    parents = [m.person for m in child.family if m.relation in (Relation.FATHER, Relation.MOTHER)]
    return {
        "names": (child.name,),
        "sex": child.sex.value,
        "birth_date": child.birth_date,
        "id_number": child.id_number if typist.chance(0.98) else "",
        "region_code": child.hukou_region_code,
        "address": child.hukou_address,
        "guardian_names": tuple(p.name for p in parents),
    }


def _civil_affairs(typist: _Typist, child: SyntheticChild) -> dict[str, Any]:
    """A civil-affairs list (another office's import): nearly everything the registry has."""
    guardians = _guardians(child)
    return {
        "names": (child.name,),
        "sex": child.sex.value,
        "birth_date": child.birth_date,
        "id_number": child.id_number if typist.chance(0.9) else "",
        "phones": tuple(child.phones),
        "region_code": child.village_code,
        "address": child.residence_address,
        "guardian_names": tuple(p.name for p in guardians),
        "guardian_phones": tuple(p.phone for p in guardians if p.phone),
    }


def _report(typist: _Typist, child: SyntheticChild) -> dict[str, Any]:
    """A report of concern ("王晓明, about 9, in 李家村"): an age rather than a date, rarely a number."""
    rng = typist.rng
    fields: dict[str, Any] = {
        "names": (child.name,),
        "sex": child.sex.value if typist.chance(0.85) else None,
        "birth_date": child.birth_date,
        "id_number": child.id_number if typist.chance(0.05) else "",
        "region_code": child.village_code if typist.chance(0.7) else child.village_code[:9],
    }
    draw = rng.random()
    if draw < 0.6:  # noqa: PLR2004
        typist.about_age(fields, child.birth_date)
    elif draw < 0.75:  # noqa: PLR2004
        fields.update(birth_date=None, birth_year=child.birth_date.year)
    guardians = _guardians(child)
    if guardians and typist.chance(0.4):
        fields["guardian_names"] = (rng.choice(guardians).name,)
    if child.phones and typist.chance(0.3):
        fields["phones"] = (child.phones[0],)
    return fields


Department = tuple[str, float, Callable[[_Typist, SyntheticChild], dict[str, Any]]]
DEPARTMENTS: list[Department] = [
    ("school", 0.3, _school),
    ("health", 0.2, _health),
    ("household_register", 0.15, _household_register),
    ("civil_affairs", 0.2, _civil_affairs),
    ("report", 0.15, _report),
]


# --- Corruptions: each changes the fields in place and says whether it applied ------------------

Fields = dict[str, Any]


def _name(fields: Fields) -> str:
    names = fields.get("names") or ()
    return str(names[0]) if names else ""


def _set_name(fields: Fields, name: str) -> None:
    fields["names"] = (name, *tuple(fields.get("names") or ())[1:])


def _replace_from(typist: _Typist, fields: Fields, table: Mapping[str, str], surname_share: float) -> bool:
    name = _name(fields)
    if not name or name[0].isascii():
        return False
    surname = _split(name)[0]
    positions = [i for i, char in enumerate(name) if char in table]
    if not positions:
        return False
    in_surname = [i for i in positions if i < len(surname)]
    in_given = [i for i in positions if i >= len(surname)]
    pool = in_surname if in_surname and (not in_given or typist.chance(surname_share)) else in_given
    index = typist.rng.choice(pool)
    _set_name(fields, name[:index] + typist.rng.choice(table[name[index]]) + name[index + 1 :])
    return True


def _homophone(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    return _replace_from(typist, fields, HOMOPHONES, 0.2)


def _dialect(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    return _replace_from(typist, fields, DIALECT, 0.3)


def _surname_misread(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    name = _name(fields)
    if not name or name[0] not in SURNAME_MISREADINGS:
        return False
    by_sound, everyday = SURNAME_MISREADINGS[name[0]]
    if typist.chance(0.5):
        _set_name(fields, typist.rng.choice(by_sound) + name[1:])
    else:
        given = "".join(lazy_pinyin(name[1:]))
        _set_name(fields, f"{everyday.capitalize()} {given.capitalize()}")
    return True


def _traditional(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    name = _name(fields)
    written = "".join(TRADITIONAL.get(char, char) for char in name)
    if written == name:
        return False
    _set_name(fields, written)
    return True


def _spaces(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    name = _name(fields)
    if len(name) < 2 or name[0].isascii():  # noqa: PLR2004
        return False
    surname, given = _split(name)
    style = typist.rng.randrange(4)
    if style == 0:
        written = f"{surname} {given}"
    elif style == 1:
        written = f"{surname}\u3000{given}"  # an ideographic (full-width) space
    elif style == 2:  # noqa: PLR2004
        written = " ".join(name)
    else:
        written = f" {name} "
    _set_name(fields, written)
    return True


def _swap_given(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    surname, given = _split(_name(fields))
    if len(given) != 2 or given[0] == given[1] or surname.isascii():  # noqa: PLR2004
        return False
    _set_name(fields, surname + given[1] + given[0])
    return True


def _drop_character(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    surname, given = _split(_name(fields))
    if len(given) < 2 or surname.isascii():  # noqa: PLR2004
        return False
    index = typist.rng.randrange(len(given))
    _set_name(fields, surname + given[:index] + given[index + 1 :])
    return True


def _pinyin(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    """The name romanised by a system that reads every character the everyday way."""
    name = _name(fields).strip()
    if not name or name[0].isascii():
        return False
    surname, given = _split(name.replace(" ", "").replace("\u3000", ""))
    family = "".join(lazy_pinyin(surname)).capitalize()
    personal = "".join(lazy_pinyin(given)).capitalize()
    style = typist.rng.randrange(3)
    if style == 0:
        written = f"{family} {personal}"
    elif style == 1:
        written = f"{family.upper()} {personal}"
    else:
        written = f"{personal} {family}"
    _set_name(fields, written)
    return True


def _id_missing(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    if not fields.get("id_number"):
        return False
    fields["id_number"] = ""
    return True


def _id_one_digit(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    number = str(fields.get("id_number") or "")
    if len(number) != 18:  # noqa: PLR2004
        return False
    index = typist.rng.randrange(18)
    choices = [d for d in "0123456789" if d != number[index]]
    fields["id_number"] = number[:index] + typist.rng.choice(choices) + number[index + 1 :]
    return True


def _id_swapped(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    number = str(fields.get("id_number") or "")
    places = [i for i in range(len(number) - 1) if number[i] != number[i + 1]]
    if len(number) != 18 or not places:  # noqa: PLR2004
        return False
    i = typist.rng.choice(places)
    fields["id_number"] = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    return True


def _id_format(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    number = str(fields.get("id_number") or "")
    if not number:
        return False
    style = typist.rng.randrange(3)
    if style == 0:
        fields["id_number"] = number.translate(FULL_WIDTH)
    elif style == 1:
        fields["id_number"] = f"{number[:6]} {number[6:14]} {number[14:]}"
    else:
        fields["id_number"] = number.lower() + " "
    return True


def _id_of_guardian(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    """A guardian's number written in the child's field (a common slip on paper forms)."""
    numbers = [p.id_number for p in _guardians(child) if p.id_number]
    if not numbers:
        return False
    fields["id_number"] = typist.rng.choice(numbers)
    return True


def _birth_day_month(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    born = fields.get("birth_date")
    if not isinstance(born, date) or born.day > 12 or born.day == born.month:  # noqa: PLR2004
        return False
    fields["birth_date"] = born.replace(month=born.day, day=born.month)
    return True


def _birth_one_digit(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    born = fields.get("birth_date")
    if not isinstance(born, date):
        return False
    digits = f"{born:%Y%m%d}"
    for _attempt in range(10):
        index = typist.rng.choice((3, 4, 5, 6, 7))  # the year's last digit, the month, the day
        changed = digits[:index] + typist.rng.choice("0123456789") + digits[index + 1 :]
        try:
            day = date(int(changed[:4]), int(changed[4:6]), int(changed[6:]))
        except ValueError:
            continue
        if day != born and day <= typist.on:
            fields["birth_date"] = day
            return True
    return False


def _birth_year_only(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    born = fields.get("birth_date")
    if not isinstance(born, date):
        return False
    fields.update(birth_date=None, birth_year=born.year)
    return True


def _birth_about_age(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    if fields.get("birth_date") is None and fields.get("birth_year") is None:
        return False
    return typist.about_age(fields, child.birth_date)


def _birth_lunar(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    """The lunar-calendar birthday written as a date: its month and day run 20-50 days behind."""
    born = fields.get("birth_date")
    if not isinstance(born, date):
        return False
    fields["birth_date"] = born - timedelta(days=typist.rng.randint(20, 50))
    return True


def _birth_missing(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    if fields.get("birth_date") is None and fields.get("birth_year") is None and fields.get("age") is None:
        return False
    fields.update(birth_date=None, birth_year=None, age=None, on=None)
    return True


def _sex_missing(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    if fields.get("sex") is None:
        return False
    fields["sex"] = None
    return True


def _sex_wrong(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    if fields.get("sex") is None:
        return False
    fields["sex"] = Sex.FEMALE.value if fields["sex"] == Sex.MALE.value else Sex.MALE.value
    return True


def _moved(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    """Recorded in the village the child moved to (or from): mostly nearby."""
    code = str(fields.get("region_code") or "")
    if len(code) != 12 or code[9:] == "000":  # noqa: PLR2004
        return False
    draw = typist.rng.random()
    if draw < 0.6:  # noqa: PLR2004
        pool = typist.by_township.get(code[:9], [])
    elif draw < 0.9:  # noqa: PLR2004
        pool = typist.by_county.get(code[:6], [])
    else:
        pool = typist.by_county[typist.rng.choice(typist.counties)]
    others = [c for c in pool if c != code]
    if not others:
        return False
    fields["region_code"] = typist.rng.choice(others)
    return True


def _coarse_region(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    """Only the township or the county written down."""
    code = str(fields.get("region_code") or "")
    if len(code) < 9:  # noqa: PLR2004
        return False
    fields["region_code"] = code[:9] + "000" if typist.chance(0.6) else code[:6]
    return True


def _region_missing(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    if not fields.get("region_code"):
        return False
    fields["region_code"] = ""
    return True


def _phone_fields(fields: Fields) -> list[str]:
    return [name for name in ("phones", "guardian_phones") if fields.get(name)]


def _phone_changed(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    """The family changed its number since the other record was made."""
    present = _phone_fields(fields)
    if not present:
        return False
    old = {p for name in present for p in fields[name]}
    new = {phone: typist.phone() for phone in old}
    for name in present:
        fields[name] = tuple(new[p] for p in fields[name])
    return True


def _phone_missing(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    present = _phone_fields(fields)
    if not present:
        return False
    for name in present:
        fields[name] = ()
    return True


def _phone_typo(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    present = _phone_fields(fields)
    if not present:
        return False
    name = typist.rng.choice(present)
    phones = list(fields[name])
    i = typist.rng.randrange(len(phones))
    phone = phones[i]
    index = typist.rng.randrange(3, len(phone))
    phones[i] = phone[:index] + typist.rng.choice([d for d in "0123456789" if d != phone[index]]) + phone[index + 1 :]
    fields[name] = tuple(phones)
    return True


def _phone_format(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    present = _phone_fields(fields)
    if not present:
        return False
    style = typist.rng.randrange(4)

    def written(phone: str) -> str:
        if style == 0:
            return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        if style == 1:
            return f"+86 {phone}"
        if style == 2:  # noqa: PLR2004
            return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        return phone.translate(FULL_WIDTH)

    for name in present:
        fields[name] = tuple(written(p) for p in fields[name])
    return True


def _guardian_one(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    guardians = tuple(fields.get("guardian_names") or ())
    if len(guardians) < 2:  # noqa: PLR2004
        return False
    fields["guardian_names"] = (typist.rng.choice(guardians),)
    return True


def _guardian_other(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    """Another adult of the family written as the guardian (the grandmother who came to the school)."""
    written = set(fields.get("guardian_names") or ())
    others = [m.person for m in child.family if m.person.name not in written]
    if not others:
        return False
    person = typist.rng.choice(others)
    fields["guardian_names"] = (person.name,)
    fields["guardian_phones"] = (person.phone,) if person.phone else ()
    return True


def _guardian_missing(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    if not (fields.get("guardian_names") or fields.get("guardian_phones")):
        return False
    fields.update(guardian_names=(), guardian_phones=())
    return True


def _guardian_homophone(typist: _Typist, fields: Fields, child: SyntheticChild) -> bool:
    guardians = list(fields.get("guardian_names") or ())
    if not guardians:
        return False
    i = typist.rng.randrange(len(guardians))
    scratch: Fields = {"names": (guardians[i],)}
    if not _replace_from(typist, scratch, HOMOPHONES, 0.3):
        return False
    guardians[i] = scratch["names"][0]
    fields["guardian_names"] = tuple(guardians)
    return True


Corruption = tuple[str, float, Callable[[_Typist, Fields, SyntheticChild], bool]]
# (name, relative weight, action). An action that does not apply (a name without a character of
# the table, a record without a number) is passed over and another drawn.
CORRUPTIONS: tuple[Corruption, ...] = (
    ("homophone", 10, _homophone),
    ("dialect", 4, _dialect),
    ("surname_misread", 3, _surname_misread),
    ("traditional", 4, _traditional),
    ("spaces", 3, _spaces),
    ("swapped_given", 3, _swap_given),
    ("dropped_character", 4, _drop_character),
    ("pinyin", 2, _pinyin),
    ("id_missing", 6, _id_missing),
    ("id_one_digit", 5, _id_one_digit),
    ("id_swapped", 4, _id_swapped),
    ("id_format", 3, _id_format),
    ("id_of_guardian", 1, _id_of_guardian),
    ("birth_day_month", 4, _birth_day_month),
    ("birth_one_digit", 4, _birth_one_digit),
    ("birth_year_only", 3, _birth_year_only),
    ("birth_about_age", 3, _birth_about_age),
    ("birth_lunar", 2, _birth_lunar),
    ("birth_missing", 2, _birth_missing),
    ("sex_missing", 2, _sex_missing),
    ("sex_wrong", 0.5, _sex_wrong),
    ("moved", 5, _moved),
    ("coarse_region", 3, _coarse_region),
    ("region_missing", 2, _region_missing),
    ("phone_changed", 5, _phone_changed),
    ("phone_missing", 3, _phone_missing),
    ("phone_typo", 2, _phone_typo),
    ("phone_format", 3, _phone_format),
    ("guardian_one", 3, _guardian_one),
    ("guardian_other", 1, _guardian_other),
    ("guardian_missing", 2, _guardian_missing),
    ("guardian_homophone", 2, _guardian_homophone),
)
