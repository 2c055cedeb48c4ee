"""Field-by-field comparison: every level of every field, from the cases issue 4 names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.utils import translation

from shouhu.matching import compare
from shouhu.matching.compare import (
    LEVELS,
    BirthLevel,
    Field,
    GuardianLevel,
    IdLevel,
    NameLevel,
    PhoneLevel,
    RegionLevel,
    SexLevel,
)
from shouhu.matching.record import PersonRecord
from shouhu.registry import idnumber
from shouhu.registry.explain import render_one

ON = date(2025, 6, 1)
BORN = date(2016, 3, 2)
ID = idnumber.make("330102", BORN, 5, "male")
TWIN_ID = idnumber.make("330102", BORN, 6, "male")
VILLAGE = "330102001001"


def _level(field: Field, a: PersonRecord, b: PersonRecord) -> str:
    return compare.compare(a, b, on=ON).level(field)


def _swap(text: str, i: int, j: int) -> str:
    chars = list(text)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _one_digit_off(text: str, position: int) -> str:
    digit = str((int(text[position]) + 1) % 10)
    return text[:position] + digit + text[position + 1 :]


# -- names --------------------------------------------------------------------------------------------

NAME_CASES = [
    ("王小明", "王小明", NameLevel.SAME),
    ("单小红", "單小紅", NameLevel.NORMALISED),  # traditional characters
    ("ＷＡＮＧ　Ｘｉａｏ", "Wang Xiao", NameLevel.NORMALISED),  # full-width
    ("王 小明", "王小明", NameLevel.NORMALISED),
    ("王小明", "王晓明", NameLevel.HOMOPHONE),
    ("王小明", "王小铭", NameLevel.HOMOPHONE),
    ("曾小明", "Zeng Xiaoming", NameLevel.HOMOPHONE),  # 曾 read zeng as a surname
    ("单小红", "Shan Xiaohong", NameLevel.HOMOPHONE),
    ("王小明", "WANG Xiaoming", NameLevel.HOMOPHONE),
    ("王小明", "王晓敏", NameLevel.DIALECT),  # ming / min
    ("张晓敏", "臧小明", NameLevel.DIALECT),  # zh / z and -ng / -n
    ("刘宁", "牛玲", NameLevel.DIALECT),  # l / n
    ("王小明", "王明小", NameLevel.SWAPPED),  # given-name characters swapped
    ("王小明", "小明王", NameLevel.SWAPPED),
    ("王小明", "Xiaoming Wang", NameLevel.SWAPPED),
    ("王小明", "王明", NameLevel.ONE_MISSING),  # a character dropped
    ("王明", "王小明", NameLevel.ONE_MISSING),
    ("王小明", "王小红", NameLevel.ONE_DIFFERENT),  # a sibling's name, or a typo
    ("Zeng Xiaoming", "Ceng Xiaoming", NameLevel.ONE_DIFFERENT),  # the surname misread
    ("曾小明", "Ceng Xiaoming", NameLevel.GIVEN_ONLY),
    ("John Smith", "Jon Smith", NameLevel.ONE_DIFFERENT),  # Latin spelling
    ("王小明", "李小明", NameLevel.GIVEN_ONLY),
    ("王明", "李明", NameLevel.GIVEN_ONLY),
    ("王小明", "王建国", NameLevel.SURNAME_ONLY),
    ("王明", "王亮", NameLevel.SURNAME_ONLY),
    ("王小明", "李建国", NameLevel.DIFFERENT),
    ("John Smith", "Peter Brown", NameLevel.DIFFERENT),
    ("王小明", "", NameLevel.MISSING),
    ("王小明", "明", NameLevel.MISSING),  # one character: not used
    ("", "", NameLevel.MISSING),
]


@pytest.mark.parametrize(("a", "b", "level"), NAME_CASES)
def test_name_level(a: str, b: str, level: NameLevel) -> None:
    assert _level(Field.NAME, PersonRecord(names=(a,)), PersonRecord(names=(b,))) == level
    assert _level(Field.NAME, PersonRecord(names=(b,)), PersonRecord(names=(a,))) == level  # symmetric


def test_a_former_name_that_matches_is_its_own_level() -> None:
    renamed = PersonRecord(names=("王子轩", "王小明"))
    assert _level(Field.NAME, renamed, PersonRecord(names=("王晓明",))) == NameLevel.FORMER
    assert _level(Field.NAME, PersonRecord(names=("王小明",)), renamed) == NameLevel.FORMER


def test_the_current_names_are_preferred_to_a_former_one() -> None:
    a = PersonRecord(names=("王小明", "王大明"))
    b = PersonRecord(names=("王小明", "王大明"))
    assert _level(Field.NAME, a, b) == NameLevel.SAME


def test_a_former_name_that_only_resembles_keeps_the_resemblance() -> None:
    renamed = PersonRecord(names=("李建国", "王小明"))
    assert _level(Field.NAME, renamed, PersonRecord(names=("王小红",))) == NameLevel.ONE_DIFFERENT


def test_homophone_sentence_gives_the_pinyin() -> None:
    comparison = compare.compare(PersonRecord(names=("王小明",)), PersonRecord(names=("王晓明",)), on=ON)
    evidence = comparison.evidence[list(compare.FIELDS).index(Field.NAME)]
    assert evidence.reason is not None
    with translation.override("en"):
        assert render_one(evidence.reason) == "Homophone names: 王小明 / 王晓明 (wang xiao ming)"


# -- identity numbers ---------------------------------------------------------------------------------

ID_CASES = [
    (ID, ID, IdLevel.SAME),
    (ID, f" {ID[:6]} {ID[6:]} ", IdLevel.SAME),  # spaces
    (ID, ID.translate(str.maketrans("0123456789", "０１２３４５６７８９")), IdLevel.SAME),  # full-width
    (ID, _one_digit_off(ID, 10), IdLevel.ONE_DIGIT),
    (ID, _one_digit_off(ID, 0), IdLevel.ONE_DIGIT),
    (ID, _swap(ID, 8, 9), IdLevel.SWAPPED),  # 20160302: 0 and 1 swapped
    (ID, _swap(ID, 14, 15), IdLevel.SWAPPED),
    (ID, ID[:10] + ID[11:], IdLevel.CLOSE),  # a digit dropped
    (ID, ID[:10] + "7" + ID[10:], IdLevel.CLOSE),  # a digit added
    (ID, TWIN_ID, IdLevel.DIFFERENT),  # a twin's valid number
    (ID, idnumber.make("110101", date(2010, 1, 1), 3, "female"), IdLevel.DIFFERENT),
    (ID, "", IdLevel.MISSING),
    (ID, "abc", IdLevel.MISSING),  # malformed: not used
    (ID, "12345", IdLevel.MISSING),
    ("", "", IdLevel.MISSING),
]


@pytest.mark.parametrize(("a", "b", "level"), ID_CASES)
def test_id_number_level(a: str, b: str, level: IdLevel) -> None:
    assert _level(Field.ID_NUMBER, PersonRecord(id_number=a), PersonRecord(id_number=b)) == level
    assert _level(Field.ID_NUMBER, PersonRecord(id_number=b), PersonRecord(id_number=a)) == level


def test_one_digit_off_and_swapped_numbers_are_invalid_so_never_a_second_person() -> None:
    """GB 11643's check character catches one wrong digit and neighbouring digits swapped."""
    for position in range(17):
        assert not idnumber.is_valid(_one_digit_off(ID, position))
    for position in range(16):
        if ID[position] != ID[position + 1]:
            assert not idnumber.is_valid(_swap(ID, position, position + 1))


def test_one_digit_sentence_names_the_digit() -> None:
    comparison = compare.compare(PersonRecord(id_number=ID), PersonRecord(id_number=_one_digit_off(ID, 10)), on=ON)
    reason = comparison.evidence[0].reason
    assert reason is not None
    assert reason.args == {"position": 11}
    assert ID not in str(comparison.evidence)  # the clear number never goes into the evidence


def test_legacy_15_digit_number_is_compared_in_its_18_character_form() -> None:
    legacy = "110101800101002"
    converted = idnumber.convert_15_to_18(legacy)
    assert _level(Field.ID_NUMBER, PersonRecord(id_number=legacy), PersonRecord(id_number=converted)) == IdLevel.SAME


def test_keyed_hashes_compare_without_the_numbers() -> None:
    a, b = PersonRecord(id_number_hash="h1"), PersonRecord(id_number_hash="h1")
    assert _level(Field.ID_NUMBER, a, b) == IdLevel.SAME
    assert _level(Field.ID_NUMBER, a, PersonRecord(id_number_hash="h2")) == IdLevel.DIFFERENT
    assert _level(Field.ID_NUMBER, a, PersonRecord(id_number=ID)) == IdLevel.MISSING


# -- birth ----------------------------------------------------------------------------------------


def _born(**fields: Any) -> PersonRecord:
    return PersonRecord(names=("王小明",), **fields)


BIRTH_CASES = [
    (_born(birth_date=BORN), _born(birth_date=BORN), BirthLevel.SAME),
    (_born(birth_date=BORN), _born(birth_date=date(2016, 2, 3)), BirthLevel.DAY_MONTH_SWAPPED),
    (_born(birth_date=BORN), _born(birth_date=date(2016, 3, 5)), BirthLevel.ONE_DIGIT),
    (_born(birth_date=BORN), _born(birth_date=date(2018, 3, 2)), BirthLevel.ONE_DIGIT),
    (_born(birth_date=BORN), _born(birth_date=date(2016, 3, 27)), BirthLevel.YEAR_MONTH),
    (_born(birth_date=BORN), _born(birth_date=date(2016, 1, 20)), BirthLevel.CLOSE),  # lunar: 6 weeks before
    (_born(birth_date=date(2016, 1, 5)), _born(birth_date=date(2015, 12, 1)), BirthLevel.CLOSE),  # across years
    (_born(birth_date=BORN), _born(birth_date=date(2016, 11, 20)), BirthLevel.DIFFERENT),  # months apart
    (_born(birth_date=BORN), _born(birth_year=2016), BirthLevel.YEAR),
    (_born(birth_year=2016), _born(birth_year=2016), BirthLevel.YEAR),
    (_born(birth_year=2016), _born(birth_year=2013), BirthLevel.DIFFERENT),
    # "about 9" on 1 June 2025: born between 2 June 2015 and 1 June 2016, give or take a year.
    (_born(birth_date=BORN), _born(age=9), BirthLevel.AGE_AGREES),
    (_born(birth_date=BORN), _born(age=10), BirthLevel.AGE_NEAR),  # a nominal age (虚岁)
    (_born(birth_date=BORN), _born(age=8), BirthLevel.AGE_NEAR),
    (_born(birth_date=BORN), _born(age=7, on=date(2024, 1, 1)), BirthLevel.AGE_AGREES),  # said a while ago
    (_born(birth_date=BORN), _born(age=9, on=date(2024, 1, 1)), BirthLevel.DIFFERENT),
    (_born(birth_date=BORN), _born(age=5), BirthLevel.DIFFERENT),
    (_born(birth_date=BORN), _born(age=12), BirthLevel.DIFFERENT),
    (_born(birth_year=2016), _born(age=9), BirthLevel.AGE_AGREES),
    (_born(age=9), _born(age=10), BirthLevel.AGE_NEAR),
    (_born(age=9), _born(age=9, on=date(2025, 1, 1)), BirthLevel.AGE_AGREES),
    (_born(age=3), _born(age=10), BirthLevel.DIFFERENT),
    (_born(birth_date=BORN), _born(birth_date=date(2012, 7, 9)), BirthLevel.DIFFERENT),
    (_born(birth_date=BORN), _born(), BirthLevel.MISSING),
    (_born(birth_date=BORN), _born(birth_date=date(2030, 1, 1)), BirthLevel.MISSING),  # future: not used
    (_born(birth_date=BORN), _born(id_number=ID), BirthLevel.SAME),  # read from the identity number
]


@pytest.mark.parametrize(("a", "b", "level"), BIRTH_CASES)
def test_birth_level(a: PersonRecord, b: PersonRecord, level: BirthLevel) -> None:
    assert _level(Field.BIRTH, a, b) == level
    assert _level(Field.BIRTH, b, a) == level


def test_age_sentence_says_what_each_side_said() -> None:
    comparison = compare.compare(_born(birth_date=BORN), _born(age=9), on=ON)
    reason = comparison.evidence[list(compare.FIELDS).index(Field.BIRTH)].reason
    assert reason is not None
    assert reason.args == {"birth": "2016-03-02", "age": 9, "on": "2025-06-01"}


def test_an_age_born_on_29_february_does_not_crash() -> None:
    comparison = compare.compare(_born(birth_date=date(2016, 2, 29)), _born(age=8, on=date(2024, 2, 29)), on=ON)
    assert comparison.level(Field.BIRTH) == BirthLevel.AGE_AGREES


# -- sex, region, guardians, phones ---------------------------------------------------------------

OTHER_CASES = [
    (Field.SEX, {"sex": "male"}, {"sex": "male"}, SexLevel.SAME),
    (Field.SEX, {"sex": "male"}, {"sex": "男"}, SexLevel.SAME),
    (Field.SEX, {"sex": "male"}, {"sex": "female"}, SexLevel.DIFFERENT),
    (Field.SEX, {"sex": "male"}, {"id_number": ID}, SexLevel.SAME),  # the 17th digit is odd
    (Field.SEX, {"sex": "male"}, {}, SexLevel.MISSING),
    (Field.SEX, {"sex": "male"}, {"sex": "?"}, SexLevel.MISSING),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": VILLAGE}, RegionLevel.VILLAGE),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "330102001002"}, RegionLevel.TOWNSHIP),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "330102001000"}, RegionLevel.IN_TOWNSHIP),  # township only
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "330102001"}, RegionLevel.IN_TOWNSHIP),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "330102002003"}, RegionLevel.COUNTY),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "330102"}, RegionLevel.COUNTY),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "330103001001"}, RegionLevel.ELSEWHERE),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "35"}, RegionLevel.ELSEWHERE),
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "3301"}, RegionLevel.MISSING),  # the city: says little
    (Field.REGION, {"region_code": VILLAGE}, {"region_code": "李家村"}, RegionLevel.MISSING),
    (Field.REGION, {"region_code": VILLAGE}, {}, RegionLevel.MISSING),
    (Field.GUARDIAN, {"guardian_names": ("王建国",)}, {"guardian_names": ("李芳", "王建国")}, GuardianLevel.SHARED),
    (Field.GUARDIAN, {"guardian_names": ("王建国",)}, {"guardian_names": ("王健国",)}, GuardianLevel.SHARED),
    (
        Field.GUARDIAN,
        {"guardian_phones": ("13812345678",)},
        {"guardian_phones": ("+86 138 1234 5678",)},
        GuardianLevel.SHARED,
    ),
    (Field.GUARDIAN, {"guardian_names": ("王建国",)}, {"guardian_names": ("李芳",)}, GuardianLevel.DIFFERENT),
    (Field.GUARDIAN, {"guardian_names": ("王建国",)}, {}, GuardianLevel.MISSING),
    (Field.PHONE, {"phones": ("13812345678",)}, {"phones": ("１３８１２３４５６７８",)}, PhoneLevel.SHARED),
    (Field.PHONE, {"phones": ("13812345678",)}, {"guardian_phones": ("13812345678",)}, PhoneLevel.SHARED),
    (Field.PHONE, {"phones": ("13812345678",)}, {"phones": ("13900000000",)}, PhoneLevel.DIFFERENT),
    (Field.PHONE, {"phones": ("13812345678",)}, {}, PhoneLevel.MISSING),
    (Field.PHONE, {"phones": ("13812345678",)}, {"phones": ("123",)}, PhoneLevel.MISSING),
]


@pytest.mark.parametrize(("field", "a", "b", "level"), OTHER_CASES)
def test_other_field_levels(field: Field, a: dict[str, Any], b: dict[str, Any], level: str) -> None:
    assert _level(field, PersonRecord(**a), PersonRecord(**b)) == level
    assert _level(field, PersonRecord(**b), PersonRecord(**a)) == level


def test_a_shared_phone_is_shown_masked() -> None:
    comparison = compare.compare(PersonRecord(phones=("13812345678",)), PersonRecord(phones=("13812345678",)), on=ON)
    reason = comparison.evidence[list(compare.FIELDS).index(Field.PHONE)].reason
    assert reason is not None
    assert reason.args == {"phone": "138****5678"}


PARENT_ID = idnumber.make("330102", date(1988, 7, 9), 3, "female")


def test_a_parents_number_in_the_childs_field_is_not_compared() -> None:
    """A valid number whose date of birth is a generation from the record's is someone else's."""
    child = PersonRecord(names=("王小明",), birth_date=BORN, id_number=ID)
    written = PersonRecord(names=("王晓明",), birth_date=BORN, id_number=PARENT_ID)
    comparison = compare.compare(child, written, on=ON)
    assert comparison.level(Field.ID_NUMBER) == IdLevel.MISSING  # not "different": not the child's number
    [reason] = [r for r in comparison.unused if r.msg == compare.ID_OTHER_PERSON]
    assert reason.args == {"date": "1988-07-09", "years": 27}
    with translation.override("en"):
        assert "another person's number" in render_one(reason)
    # Two siblings' records that both carry the parent's number are not the same number either.
    sibling = PersonRecord(names=("王小红",), birth_date=date(2018, 5, 1), id_number=PARENT_ID)
    assert _level(Field.ID_NUMBER, written, sibling) == IdLevel.MISSING
    # The record's keyed hash is of that number too: not compared.
    hashed = replace(written, id_number_hash="h-parent")
    assert compare.prepare(hashed, on=ON).id_hash == ""


@pytest.mark.parametrize(
    ("record", "used"),
    [
        (PersonRecord(birth_date=date(2007, 3, 3), id_number=ID), True),  # 9 years: a mistyped year
        (PersonRecord(birth_date=date(2004, 3, 2), id_number=ID), False),  # 12 years to the day
        (PersonRecord(birth_year=2005, id_number=ID), True),  # 2005-12-31 to 2016-03-02: 10 years
        (PersonRecord(birth_year=2003, id_number=ID), False),
        (PersonRecord(age=9, on=ON, id_number=PARENT_ID), False),  # "about 9" and a number of 1988
        (PersonRecord(age=36, on=ON, id_number=PARENT_ID), True),
        (PersonRecord(id_number=PARENT_ID), True),  # nothing to set it against: the number gives the date
        (PersonRecord(birth_date=date(2030, 1, 1), id_number=ID), True),  # a future date is not used
    ],
)
def test_another_persons_number_is_told_by_its_date(record: PersonRecord, used: bool) -> None:
    prepared = compare.prepare(record, on=ON)
    assert prepared.id_valid is used
    assert (compare.ID_OTHER_PERSON in [r.msg for r in prepared.unused]) is not used
    if not used:
        assert prepared.birth is not None
        assert prepared.birth.exact != idnumber.parse(record.id_number).birth_date  # the record's own date stays


def test_the_sex_in_another_persons_number_is_not_taken() -> None:
    prepared = compare.prepare(PersonRecord(birth_date=BORN, id_number=PARENT_ID), on=ON)
    assert prepared.sex is None
    assert compare.prepare(PersonRecord(id_number=PARENT_ID), on=ON).sex == "female"


# -- bad input ------------------------------------------------------------------------------------

UNUSED_CASES = [
    (PersonRecord(names=()), "No name to compare"),
    (PersonRecord(names=("明",)), "The name “%(name)s” has only one character: too short to compare"),
    (PersonRecord(names=("123",)), "The name “%(name)s” has no letters or characters to compare"),
    (PersonRecord(birth_date=date(2030, 1, 1)), "The date of birth %(date)s is in the future: not used"),
    (PersonRecord(birth_year=2031), "The year of birth %(year)d is not possible: not used"),
    (PersonRecord(age=-1), "The age %(age)d is not possible: not used"),
    (PersonRecord(id_number="3301022016030201"), "The identity number has %(count)d characters, not 18: not used"),
    (PersonRecord(id_number="33010220160302011"), compare.ID_NOT_VALID),
    (
        PersonRecord(id_number="33010A201603020111"),
        "The identity number contains characters other than digits and a final X: not used",
    ),
    (PersonRecord(phones=("12",)), "The phone number “%(phone)s” is too short: not used"),
    (PersonRecord(sex="unknown"), "The sex “%(sex)s” is not known: not used"),
    (PersonRecord(region_code="李家村"), "The region code “%(code)s” is not a division code: not used"),
]


@pytest.mark.parametrize(("record", "message"), UNUSED_CASES)
def test_what_cannot_be_used_is_listed_with_the_reason(record: PersonRecord, message: str) -> None:
    comparison = compare.compare(record, PersonRecord(names=("王小明",), birth_date=BORN), on=ON)
    assert message in [reason.msg for reason in comparison.unused]
    with translation.override("en"):
        assert all(render_one(reason) for reason in comparison.unused)


def test_unused_lists_both_sides_once() -> None:
    bad = PersonRecord(names=("明",), birth_date=date(2030, 1, 1))
    comparison = compare.compare(bad, bad, on=ON)
    assert len(comparison.unused) == 2


WEIRD = [
    PersonRecord(names=()),
    PersonRecord(names=("", " ", "·")),
    PersonRecord(names=("\u200b",), id_number="X" * 18),
    PersonRecord(names=("王" * 200,), id_number="0" * 18, phones=("",), region_code=" "),
    PersonRecord(names=("𠀀𠀁𠀂",), birth_date=date(1, 1, 1), birth_year=0, age=10_000),
    PersonRecord(names=("Иван Петров",), sex="", guardian_names=("", "明"), guardian_phones=("+",)),
    PersonRecord(names=("A",), id_number="１１０１０１８００１０１００２", on=date(1900, 1, 1), age=0),
    PersonRecord(names=("王小明",), birth_date=date(2025, 6, 1), id_number="330102202506019999"),
]


@pytest.mark.parametrize("a", WEIRD)
@pytest.mark.parametrize("b", [*WEIRD, PersonRecord(names=("王小明",), birth_date=BORN, id_number=ID)])
def test_bad_input_never_crashes(a: PersonRecord, b: PersonRecord) -> None:
    comparison = compare.compare(a, b, on=ON)
    assert len(comparison.levels) == len(compare.FIELDS)
    for field, level in comparison.as_dict().items():
        assert level in LEVELS[field]
    for evidence in comparison.evidence:
        if evidence.reason is not None:
            with translation.override("en"):
                assert render_one(evidence.reason)


def test_every_level_has_a_sentence() -> None:
    for field, levels in LEVELS.items():
        for level in levels:
            if level != compare.MISSING:
                assert f"{field}.{level}" in compare.MESSAGES


def test_preparing_once_gives_the_same_comparison() -> None:
    a = PersonRecord(names=("王小明",), birth_date=BORN, id_number=ID, region_code=VILLAGE)
    b = replace(a, names=("王晓明",), id_number=_one_digit_off(ID, 3))
    prepared = compare.compare_prepared(compare.prepare(a, on=ON), compare.prepare(b, on=ON))
    assert prepared.levels == compare.compare(a, b, on=ON).levels
