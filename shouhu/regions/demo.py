"""Villages and communities for the demo city, generated deterministically for each township.

Pure module (no database). The official table stops at townships; a demo needs the level
below, where child directors work. Names follow the patterns of the real tables of rural
Shandong (surname + 家/庄/屯/营/店/峪/岭/集, directional prefixes, landscape words; communities
named after gates, streets and wishes); codes follow the published pattern of 居委会 001-199 and
村委会 200-399, and urban-rural classes follow the township's kind (DOMAIN.md §6.1). Every row
is marked generated, so it never passes for official data.
"""

from __future__ import annotations

import csv
import functools
import io
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from shouhu.regions import codes
from shouhu.regions.choices import UrbanRuralClass
from shouhu.regions.codes import TownshipKind

SEED = "shouhu-demo-villages-v1"
COLUMNS = ("code", "name", "streetCode", "provinceCode", "cityCode", "areaCode", "urbanRuralClass", "generated")

SURNAMES = (
    "王李张刘陈杨赵孙周吴徐朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘于蒋蔡杜叶程苏魏吕丁任沈姚卢姜崔"
    "范金石贾夏付方白孟秦邱尹薛段侯史陶贺毛郝邵武戴孔汤颜亓房葛牛申鹿岳"
)
HAMLETS = ("庄", "屯", "营", "店", "峪", "岭", "集", "楼", "寨", "洼", "河", "坡", "沟", "官庄", "家庄")
DIRECTIONS = ("东", "西", "南", "北", "前", "后", "上", "下", "大", "小", "中")
LANDSCAPE_FIRST = (
    "石",
    "柳",
    "杏",
    "桃",
    "梨",
    "枣",
    "槐",
    "杨",
    "松",
    "柏",
    "龙",
    "凤",
    "黄",
    "白",
    "青",
    "金",
    "玉",
    "花",
)
LANDSCAPE_SECOND = ("泉", "沟", "峪", "岭", "山", "园", "林", "坡", "湾", "河", "洼", "桥", "井", "台", "崖", "埠")
COMMUNITY_WORDS = (
    "和平",
    "光明",
    "新华",
    "建设",
    "幸福",
    "文化",
    "迎宾",
    "花园",
    "望岳",
    "龙潭",
    "青年",
    "胜利",
    "东岳",
    "金山",
    "岱宗",
    "红门",
    "泮河",
    "虎山",
    "环山",
    "温泉",
    "学院",
    "振兴",
    "向阳",
    "滨河",
    "阳光",
    "锦绣",
    "翰林",
    "丽景",
    "盛世",
    "金桥",
    "玉泉",
    "芝田",
    "兴隆",
    "永安",
    "安康",
    "康乐",
    "民生",
    "兴华",
    "明堂",
    "秀水",
    "长青",
    "御碑",
)
GATES = ("关", "门", "街", "湖", "苑", "园", "里", "城", "坊")
COMMUNITY_SUFFIX = "社区居民委员会"
VILLAGE_SUFFIX = "村"
# Shares of the name patterns and classes (cumulative where several follow each other).
GATE_NAME_SHARE = 0.45  # 东关, 西门 … rather than a word such as 和平
SURNAME_FAMILY_SHARE = 0.40  # 王家庄
SURNAME_HAMLET_SHARE = 0.65  # 李庄, 张官庄
DIRECTION_SURNAME_SHARE = 0.82  # 东王庄, 前李家营; the rest: landscape (石泉, 柳沟)
MAIN_URBAN_SHARE = 0.75  # of a sub-district's communities; the rest are urban-rural fringe
FRINGE_VILLAGE_SHARE = 0.5  # of a sub-district's villages; the rest are plain villages
TOWN_FRINGE_VILLAGES = 2  # the first villages of a town border its centre
MIN_STEM_LENGTH = 2


@dataclass(frozen=True)
class Township:
    code: str  # 9 or 12 digits
    name: str


@dataclass(frozen=True)
class DemoVillage:
    code: str  # 12 digits
    name: str
    urban_rural_class: UrbanRuralClass

    def as_record(self) -> dict[str, str]:
        return {
            "code": self.code,
            "name": self.name,
            "streetCode": self.code[:9],
            "provinceCode": self.code[:2],
            "cityCode": self.code[:4],
            "areaCode": self.code[:6],
            "urbanRuralClass": self.urban_rural_class.value,
            "generated": "1",
        }


def stem(township_name: str) -> str:
    """The township's name without its kind (满庄镇 → 满庄, 岱庙街道 → 岱庙, 范镇 → 范镇)."""
    for suffix in ("街道", "镇", "乡"):
        if township_name.endswith(suffix) and len(township_name) - len(suffix) >= MIN_STEM_LENGTH:
            return township_name[: -len(suffix)]
    return township_name


def generate(townships: Iterable[Township]) -> list[DemoVillage]:
    """Villages and communities of every township, the same on every run and machine."""
    villages: list[DemoVillage] = []
    for township in sorted(townships, key=lambda t: t.code):
        villages += generate_for(township)
    return villages


def generate_for(township: Township) -> list[DemoVillage]:
    """8-30 villages and communities of one township, named uniquely within it."""
    code = codes.pad(township.code)
    kind = codes.township_kind(code)
    rng = random.Random(f"{SEED}:{code}")  # noqa: S311  (demo data, not security)
    names: set[str] = set()
    if kind is TownshipKind.SUB_DISTRICT:
        communities, villages = rng.randint(8, 18), rng.randint(0, 6)
    elif kind is TownshipKind.TOWNSHIP:
        communities, villages = 0, rng.randint(8, 18)
    else:
        communities, villages = rng.randint(1, 3), rng.randint(12, 27)
    result: list[DemoVillage] = []
    for index in range(communities):
        name = _unique(names, functools.partial(_community_name, rng, township, first=index == 0))
        result.append(DemoVillage(_code(code, 1 + index), name, _community_class(kind, rng)))
    for index in range(villages):
        name = _unique(names, functools.partial(_village_name, rng))
        result.append(DemoVillage(_code(code, 201 + index), name, _village_class(kind, index, rng)))
    return result


def to_csv(villages: Sequence[DemoVillage]) -> str:
    """The village list in the importer's format (``import_divisions --villages``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(v.as_record() for v in villages)
    return out.getvalue()


def _code(township_code: str, part: int) -> str:
    return f"{township_code[:9]}{part:03d}"


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    for _attempt in range(1000):
        name = make()
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("no unique name left")  # pragma: no cover  (the word lists are far larger)


def _community_name(rng: random.Random, township: Township, *, first: bool) -> str:
    if first and codes.township_kind(codes.pad(township.code)) is not TownshipKind.SUB_DISTRICT:
        return stem(township.name) + COMMUNITY_SUFFIX  # the town centre bears the town's name
    if rng.random() < GATE_NAME_SHARE:
        return rng.choice(DIRECTIONS[:4]) + rng.choice(GATES) + COMMUNITY_SUFFIX
    return rng.choice(COMMUNITY_WORDS) + COMMUNITY_SUFFIX


def _village_name(rng: random.Random) -> str:
    pattern = rng.random()
    surname = rng.choice(SURNAMES)
    if pattern < SURNAME_FAMILY_SHARE:
        body = surname + "家" + rng.choice(HAMLETS[:9])
    elif pattern < SURNAME_HAMLET_SHARE:
        body = surname + rng.choice(HAMLETS[:-1])
    elif pattern < DIRECTION_SURNAME_SHARE:
        body = rng.choice(DIRECTIONS) + surname + rng.choice(("庄", "家庄", "家营", "家店", "家峪", "集"))
    else:
        body = rng.choice(LANDSCAPE_FIRST) + rng.choice(LANDSCAPE_SECOND)
    return body + VILLAGE_SUFFIX


def _community_class(kind: TownshipKind | None, rng: random.Random) -> UrbanRuralClass:
    if kind is TownshipKind.SUB_DISTRICT:
        return UrbanRuralClass.MAIN_URBAN if rng.random() < MAIN_URBAN_SHARE else UrbanRuralClass.URBAN_RURAL_FRINGE
    if kind is TownshipKind.TOWNSHIP:
        return UrbanRuralClass.TOWNSHIP_CENTRE
    return UrbanRuralClass.TOWN_CENTRE


def _village_class(kind: TownshipKind | None, index: int, rng: random.Random) -> UrbanRuralClass:
    if kind is TownshipKind.SUB_DISTRICT:
        return UrbanRuralClass.URBAN_RURAL_FRINGE if rng.random() < FRINGE_VILLAGE_SHARE else UrbanRuralClass.VILLAGE
    if kind is TownshipKind.TOWNSHIP:
        return UrbanRuralClass.TOWNSHIP_CENTRE if index == 0 else UrbanRuralClass.VILLAGE
    return UrbanRuralClass.TOWN_RURAL_FRINGE if index < TOWN_FRINGE_VILLAGES else UrbanRuralClass.VILLAGE
