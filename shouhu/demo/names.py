"""Realistic synthetic Chinese personal names for demo and benchmark data.

Surname weights follow the published frequencies of the 2020 census ranking (公安部户政管理
研究中心《2020年全国姓名报告》: 王 李 张 刘 陈 … as shares of the population, in per mille);
given names are one or two characters drawn from pools common in names given since the 1970s.
Deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import random
from itertools import accumulate

# (surname, per mille of the population), most frequent first.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71.2),
    ("李", 70.0),
    ("张", 67.4),
    ("刘", 51.0),
    ("陈", 46.1),
    ("杨", 32.2),
    ("黄", 24.5),
    ("赵", 22.9),
    ("吴", 20.0),
    ("周", 19.8),
    ("徐", 14.5),
    ("孙", 13.8),
    ("马", 12.9),
    ("朱", 12.6),
    ("胡", 11.6),
    ("郭", 11.5),
    ("何", 10.6),
    ("林", 10.1),
    ("高", 10.0),
    ("罗", 9.5),
    ("郑", 9.3),
    ("梁", 8.6),
    ("谢", 7.6),
    ("宋", 7.0),
    ("唐", 7.0),
    ("许", 6.6),
    ("韩", 6.4),
    ("邓", 6.2),
    ("冯", 6.2),
    ("曹", 5.9),
    ("彭", 5.7),
    ("曾", 5.6),
    ("肖", 5.6),
    ("田", 5.3),
    ("董", 5.2),
    ("潘", 5.0),
    ("袁", 5.0),
    ("蔡", 4.7),
    ("蒋", 4.7),
    ("余", 4.6),
    ("于", 4.5),
    ("杜", 4.4),
    ("叶", 4.4),
    ("程", 4.2),
    ("魏", 4.1),
    ("苏", 4.0),
    ("吕", 3.9),
    ("丁", 3.8),
    ("任", 3.7),
    ("卢", 3.6),
    ("姚", 3.5),
    ("沈", 3.4),
    ("钟", 3.4),
    ("姜", 3.3),
    ("崔", 3.3),
    ("谭", 3.2),
    ("陆", 3.1),
    ("范", 3.0),
    ("汪", 3.0),
    ("廖", 2.9),
    ("石", 2.8),
    ("金", 2.7),
    ("韦", 2.6),
    ("贾", 2.6),
    ("夏", 2.5),
    ("付", 2.5),
    ("方", 2.4),
    ("邹", 2.3),
    ("熊", 2.3),
    ("白", 2.2),
    ("孟", 2.2),
    ("秦", 2.1),
    ("邱", 2.1),
    ("侯", 2.1),
    ("江", 2.0),
    ("尹", 2.0),
    ("薛", 1.9),
    ("闫", 1.9),
    ("段", 1.8),
    ("雷", 1.8),
    ("龙", 1.7),
    ("黎", 1.7),
    ("史", 1.6),
    ("陶", 1.6),
    ("贺", 1.6),
    ("毛", 1.5),
    ("郝", 1.5),
    ("顾", 1.5),
    ("龚", 1.4),
    ("邵", 1.4),
    ("万", 1.4),
    ("覃", 1.3),
    ("武", 1.3),
    ("钱", 1.3),
    ("戴", 1.2),
    ("严", 1.2),
    ("莫", 1.2),
    ("孔", 1.1),
    ("向", 1.1),
    ("常", 1.1),
    ("单", 0.6),
    ("仇", 0.3),
    ("解", 0.3),
    ("区", 0.1),
    ("欧阳", 0.6),
    ("司马", 0.05),
    ("诸葛", 0.05),
)
_SURNAME_CHOICES = tuple(s for s, _ in SURNAMES)
_SURNAME_CUMULATIVE = tuple(accumulate(w for _, w in SURNAMES))

MALE_CHARACTERS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰建国志文博然子轩航梓豪睿晨一鸣嘉懿铭泽宸皓"
)
FEMALE_CHARACTERS = "芳娜敏静丽艳娟霞燕玲婷雪慧琳欣怡梦瑶佳琪思雨紫涵诗语嫣可馨梓萱若汐妍桐晓彤一诺婉清"
# One-character given names are about a quarter of those in the name reports.
ONE_CHARACTER_SHARE = 0.25
FEMALE_SHARE = 0.5
NEUTRAL_CHARACTERS = "文晓小子一佳思雨晨安宁心乐家嘉明春秋"


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_CHOICES, cum_weights=_SURNAME_CUMULATIVE, k=1)[0]


def given_name(rng: random.Random, *, female: bool) -> str:
    pool = FEMALE_CHARACTERS if female else MALE_CHARACTERS
    if rng.random() < ONE_CHARACTER_SHARE:
        return rng.choice(pool)
    first = rng.choice(pool + NEUTRAL_CHARACTERS)
    second = rng.choice(pool)
    return first + second


def full_name(rng: random.Random, *, female: bool | None = None) -> str:
    """A plausible full name; ``female=None`` picks the sex at random."""
    if female is None:
        female = rng.random() < FEMALE_SHARE
    return surname(rng) + given_name(rng, female=female)
