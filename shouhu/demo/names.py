"""Realistic synthetic Chinese personal names for demo and benchmark data.

Surname weights follow the published frequencies of the 2020 census ranking (公安部户政管理
研究中心《2020年全国姓名报告》: 王 李 张 刘 陈 … as shares of the population, in per mille);
given names are one or two characters drawn from pools common in names given since the 1970s.
Deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import random
from bisect import bisect
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
_SURNAME_TOTAL = _SURNAME_CUMULATIVE[-1]
_SURNAME_LAST = len(_SURNAME_CUMULATIVE) - 1

MALE_CHARACTERS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰建国志文博然子轩航梓豪睿晨一鸣嘉懿铭泽宸皓"
)
FEMALE_CHARACTERS = "芳娜敏静丽艳娟霞燕玲婷雪慧琳欣怡梦瑶佳琪思雨紫涵诗语嫣可馨梓萱若汐妍桐晓彤一诺婉清"
# One-character given names are about a quarter of those in the name reports.
ONE_CHARACTER_SHARE = 0.25
FEMALE_SHARE = 0.5
NEUTRAL_CHARACTERS = "文晓小子一佳思雨晨安宁心乐家嘉明春秋"


def surname(rng: random.Random) -> str:
    # What ``rng.choices(..., cum_weights=..., k=1)`` does (same draws), without its overhead.
    return _SURNAME_CHOICES[bisect(_SURNAME_CUMULATIVE, rng.random() * _SURNAME_TOTAL, 0, _SURNAME_LAST)]


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


# Given names by generation. Sources: the Ministry of Public Security's yearly name reports
# (公安部户政管理研究中心《二〇一九/二〇二〇/二〇二一/二〇二三年全国姓名报告》: the most frequent
# names of newborns) for children; the characters most used in the names of people born in the
# 1940s-1960s (grandparents) and 1975-2000 (parents) in the same reports' tables by decade.
# (first year of birth of the era, popular whole names, single-character names, first characters,
# second characters) for each sex; a name is drawn whole, single, or composed from the two pools.
_NameEra = tuple[int, tuple[str, ...], str, str, str]
MALE_ERAS: tuple[_NameEra, ...] = (
    (
        0,
        ("建国", "建华", "国庆", "国强", "振华", "建军", "德胜", "玉山", "长青", "学文", "保国", "福生", "庆祥"),
        "林山胜明军强华刚忠",
        "建国振德玉长学保福庆志永立传兆宪殿",
        "国华民军林山胜明生成祥贵平忠良堂海文",
    ),
    (
        1975,
        ("海涛", "志强", "晓东", "建伟", "俊杰", "文博", "鹏飞", "晓明", "永刚", "振宇", "海波", "东升"),
        "伟磊涛强军杰鹏勇超斌浩波刚辉明亮健峰飞凯帅鑫",
        "志海晓建俊文鹏永振东庆春立新国兆红学",
        "伟强杰涛明军刚波峰辉华东宇鹏飞龙亮超斌磊",
    ),
    (
        2008,
        ("子轩", "浩宇", "浩然", "博文", "宇轩", "梓轩", "皓轩", "俊杰", "雨泽", "梓豪", "子豪", "一鸣"),
        "睿鑫浩博轩昊宇",
        "子浩梓宇博皓俊雨一文家嘉明思天",
        "轩宇然文豪杰泽涵睿阳晨博鑫航凯",
    ),
    (
        2016,
        ("梓睿", "梓豪", "子墨", "浩宇", "宇轩", "奕辰", "宇辰", "亦辰", "浩然", "宇航", "俊熙", "宇泽"),
        "睿宸泽昊辰",
        "梓子浩宇奕亦俊一沐锦明嘉铭",
        "睿豪墨宇轩辰泽然航熙皓阳宸",
    ),
    (
        2021,
        ("沐宸", "浩宇", "沐辰", "茗泽", "奕辰", "宇泽", "浩然", "奕泽", "宇轩", "沐阳", "一鸣", "瑾瑜"),
        "宸泽烨煜",
        "沐浩奕宇茗一瑾景煜承安",
        "宸辰泽宇然阳轩铭瑜川逸",
    ),
)
FEMALE_ERAS: tuple[_NameEra, ...] = (
    (
        0,
        ("秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "秀珍", "玉梅", "淑英", "秀云", "桂珍", "玉英", "淑珍"),
        "英兰珍梅芳霞",
        "秀桂玉凤淑素春美翠金",
        "英兰珍梅芳霞云荣华琴",
    ),
    (
        1975,
        ("晓燕", "丽娜", "雪梅", "海燕", "春梅", "丽丽", "晓丽", "静静", "红霞", "艳红", "美玲", "秀丽"),
        "静丽婷娟敏燕艳芳霞雪玲莉丹倩慧晶颖",
        "晓丽雪海春红美秀玉静亚晶",
        "燕娜梅丽霞红玲静敏婷娟芳华",
    ),
    (
        2008,
        ("子涵", "欣怡", "梓涵", "晨曦", "紫涵", "诗涵", "梦琪", "嘉怡", "子萱", "雨涵", "可馨", "思雨"),
        "萱琪妍涵悦",
        "子欣梓紫诗梦嘉雨可思佳语",
        "涵怡曦琪萱馨雨琳彤妍悦",
    ),
    (
        2016,
        ("一诺", "依诺", "欣怡", "梓涵", "语桐", "欣妍", "可馨", "语汐", "雨桐", "梓萱", "诗涵", "芷若"),
        "诺萱妍汐桐",
        "一依欣梓语可雨诗芷思若",
        "诺怡涵桐妍馨汐萱琪若",
    ),
    (
        2021,
        ("若汐", "一诺", "艺涵", "依诺", "梓涵", "苡沫", "雨桐", "欣怡", "语桐", "语汐", "安然", "知夏"),
        "汐诺沫宁",
        "若一艺依苡语知安星初",
        "汐诺涵沫桐然夏宁妍苒",
    ),
)
# Shares of a given name drawn whole from the popular names, and of one-character names.
POPULAR_NAME_SHARE = 0.3
SINGLE_CHARACTER_SHARE = 0.12


def _era(eras: tuple[_NameEra, ...], born: int) -> _NameEra:
    chosen = eras[0]
    for era in eras:
        if born >= era[0]:
            chosen = era
    return chosen


def given_name_born(rng: random.Random, *, female: bool, born: int) -> str:
    """A given name usual for a person of that sex born in the year ``born``."""
    _, popular, single, first, second = _era(FEMALE_ERAS if female else MALE_ERAS, born)
    draw = rng.random()
    if draw < POPULAR_NAME_SHARE:
        return rng.choice(popular)
    if draw < POPULAR_NAME_SHARE + SINGLE_CHARACTER_SHARE:
        return rng.choice(single)
    head, tail = rng.choice(first), rng.choice(second)
    if tail == head:  # 叠字 (宇宇) are nicknames rather than registered names
        tail = second[(second.index(tail) + 1) % len(second)]
    return head + tail
