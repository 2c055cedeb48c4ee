"""Names: normal form, surname readings, pinyin, dialect folding and blocking keys (issue 4's cases)."""

from __future__ import annotations

import pytest

from shouhu.matching import names
from shouhu.matching.record import PersonRecord


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("ＷＡＮＧ　Ｘｉａｏ", "wangxiao"),  # full-width letters and space
        ("單曉明", "单晓明"),  # traditional → simplified
        ("王 小明", "王小明"),
        (" 王\t小 明 ", "王小明"),
        ("阿依古丽·买买提", "阿依古丽买买提"),  # middle dot of a transliterated name
        ("阿依古丽•买买提", "阿依古丽买买提"),
        ("Xi'an Li", "xianli"),
        ("Jean-Pierre", "jeanpierre"),
        ("王小明", "王小明"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise(written: str, normal: str) -> None:
    assert names.normalise(written) == normal


@pytest.mark.parametrize(
    ("name", "surname", "given"),
    [
        ("王小明", "王", "小明"),
        ("欧阳小明", "欧阳", "小明"),
        ("司马光", "司马", "光"),
        ("诸葛亮", "诸葛", "亮"),
        ("上官婉儿", "上官", "婉儿"),
        ("欧阳", "欧", "阳"),  # a compound surname needs a given name after it
        ("单小红", "单", "小红"),
        ("明", "", "明"),
        ("WANG Xiaoming", "wang", "xiaoming"),
        ("Ayiguli", "", "ayiguli"),
        ("", "", ""),
    ],
)
def test_split(name: str, surname: str, given: str) -> None:
    assert names.split(name) == (surname, given)


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("王小明", ("wang", "xiao", "ming")),
        ("王晓明", ("wang", "xiao", "ming")),
        # Surnames read as surnames, not with the everyday reading pypinyin gives.
        ("曾小明", ("zeng", "xiao", "ming")),
        ("单小红", ("shan", "xiao", "hong")),
        ("單小紅", ("shan", "xiao", "hong")),
        ("区家豪", ("ou", "jia", "hao")),
        ("仇伟", ("qiu", "wei")),
        ("解放", ("xie", "fang")),
        ("朴敏", ("piao", "min")),
        ("查明", ("zha", "ming")),
        ("盖伟", ("ge", "wei")),
        ("尉迟恭", ("yu", "chi", "gong")),
        ("尉强", ("wei", "qiang")),
        ("长孙无忌", ("zhang", "sun", "wu", "ji")),
        ("长江", ("chang", "jiang")),
        # The surname's reading does not leak into the given name: 曾 inside is ceng.
        ("王曾", ("wang", "ceng")),
        # Latin names: pinyin words split into syllables, other words kept whole.
        ("WANG Xiaoming", ("wang", "xiao", "ming")),
        ("ＷＡＮＧ　Ｘｉａｏ", ("wang", "xiao")),
        ("Ayiguli Maimaiti", ("a", "yi", "gu", "li", "mai", "mai", "ti")),
        ("阿依古丽·买买提", ("a", "yi", "gu", "li", "mai", "mai", "ti")),
        ("José Lǚ", ("jose", "lu")),
        ("Smith", ("smith",)),
        ("", ()),
        ("···", ()),
    ],
)
def test_syllables(name: str, reading: tuple[str, ...]) -> None:
    assert names.syllables(name) == reading


def test_given_syllables_leave_out_the_surname() -> None:
    assert names.given_syllables("欧阳小明") == ("xiao", "ming")
    assert names.given_syllables("WANG Xiaoming") == ("xiao", "ming")
    assert names.given_syllables("明") == ("ming",)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("zhang", "zang"),
        ("chen", "cen"),
        ("shi", "si"),
        ("niu", "liu"),
        ("nan", "lan"),
        ("ming", "min"),
        ("wang", "wan"),
        ("fu", "hu"),
        ("lv", "lu"),
        ("nv", "lu"),
    ],
)
def test_fold_merges_dialect_confusions(a: str, b: str) -> None:
    assert names.fold(a) == names.fold(b)


@pytest.mark.parametrize(("a", "b"), [("wang", "huang"), ("xiao", "jiao"), ("zhang", "jiang"), ("li", "ri")])
def test_fold_keeps_distinct_syllables_apart(a: str, b: str) -> None:
    assert names.fold(a) != names.fold(b)


def test_fold_leaves_a_word_that_is_not_pinyin() -> None:
    assert names.fold("smith") == "smith"


def _meet(a: str, b: str) -> bool:
    return bool(names.blocking_keys(a) & names.blocking_keys(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("王小明", "王晓明"),  # homophone
        ("王小明", "王小铭"),
        ("王小明", "王曉明"),  # traditional given name
        ("单小红", "單小紅"),
        ("王小明", "ＷＡＮＧ　Ｘｉａｏｍｉｎｇ"),
        ("王小明", "WANG Xiaoming"),
        ("王小明", "Xiaoming Wang"),
        ("王小明", "小明王"),  # characters in another order
        ("王小明", "王明小"),
        ("王小明", "王明"),  # a character dropped
        ("王小明", "王小红"),  # a character different
        ("王小明", "李小明"),  # another surname
        ("王小明", "曾小明"),
        ("张晓敏", "臧小明"),  # zh/z, -ng/-n: a dialect homophone
        ("刘宁", "牛玲"),  # n/l
        ("阿依古丽·买买提", "Ayiguli Maimaiti"),
        ("欧阳小明", "欧阳晓明"),
    ],
)
def test_names_that_may_be_one_person_share_a_key(a: str, b: str) -> None:
    assert _meet(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("王小明", "李红"),
        ("王小明", "张伟"),
        ("王小明", "陈建国"),
        ("王小明", ""),
    ],
)
def test_unrelated_names_share_no_key(a: str, b: str) -> None:
    assert not _meet(a, b)


@pytest.mark.parametrize(
    "name", ["王小明", "欧阳小明", "Ayiguli Maimaiti", "阿依古丽·买买提", "Иван Петров", "𠀀小", "明", "A" * 200]
)
def test_keys_are_short_ascii(name: str) -> None:
    keys = names.blocking_keys(name)
    assert keys
    for key in keys:
        assert key.isascii()
        assert len(key) <= names.MAX_KEY_LENGTH
        assert key.startswith(("n:", "s:"))


def test_keys_are_deterministic_and_versioned() -> None:
    names.blocking_keys.cache_clear()
    first = names.blocking_keys("王小明")
    names.blocking_keys.cache_clear()
    assert names.blocking_keys("王小明") == first
    assert isinstance(names.KEYS_VERSION, int)
    assert names.KEYS_VERSION >= 1


@pytest.mark.parametrize("name", ["", " ", "·", "123", "!!", "\u200b"])
def test_an_empty_name_has_no_keys(name: str) -> None:
    assert names.blocking_keys(name) == frozenset()
    assert names.syllables(name) == ()


def test_one_character_name_gets_one_key() -> None:
    assert names.blocking_keys("明") == frozenset({"n:min"})


def test_person_record_defaults_to_nothing_known() -> None:
    record = PersonRecord(names=("王小明", "王明"))
    assert record.name == "王小明"
    assert record.birth_date is None
    assert record.id_number == ""
    assert PersonRecord(names=()).name == ""


def test_a_character_pypinyin_does_not_know_keeps_keys_ascii_and_distinct() -> None:
    first, second = "王\U0002b81d明", "王\U0002b81e明"
    assert names.syllables(first)[0] == "wang"
    assert names.syllables(first)[-1] == "ming"
    assert all(key.isascii() for key in names.blocking_keys(first))
    assert names.syllables(first) != names.syllables(second)


@pytest.mark.parametrize("run", ["小明", "长安", "王长乐", "重庆", "乐乐", "朝阳", "行长", "单于", "𫠝明"])
def test_cached_reading_is_pypinyins_reading_in_context(run: str) -> None:
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415 (the reference the cache must agree with)

    assert names._han_pinyin(run) == lazy_pinyin(run, style=Style.NORMAL, errors=names._unknown_han)


@pytest.mark.parametrize(
    ("written", "normal"), [("王反覆", "王反复"), ("李曉", "李晓"), ("張偉", "张伟"), ("王覆", "王覆")]
)
def test_traditional_phrases_are_converted_too(written: str, normal: str) -> None:
    assert names.normalise(written) == normal
