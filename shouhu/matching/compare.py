"""Comparing two person records field by field: one level per field, with the words that say why.

Pure module. Sources: issue 4 (the evidence the engine uses and the levels it tells apart),
DESIGN.md "Matching", GB 11643-1999 for identity numbers (read through ``shouhu.registry.idnumber``:
its MOD 11-2 check character catches every single wrong digit and every swap of neighbouring digits,
so a number one digit or one swap away from another is a typing mistake, never a second valid
number) and GB/T 2260 / 统计用区划代码 for region codes (county 6 digits, township 9, village 12).

A record is first ``prepare``d (once: names read into pinyin, the identity number checked, the
birth date or age turned into a range of possible birth dates, phones reduced to digits), and what
cannot be used is listed with the reason (``Prepared.unused``); a valid identity number whose date of
birth is ``OTHER_PERSON_YEARS`` or more from the record's own is another person's (a parent's number
in the child's field) and is not compared. ``compare_prepared`` then takes a
few microseconds per pair; ``compare`` does both for one pair.

Fields and levels (best first; ``missing`` when either side has nothing usable):

- ``id_number``: same · one_digit · swapped · close (one fails its check character) · different
- ``name``: same · normalised (trad/simp, full-width, spaces) · homophone (same pinyin) · dialect
  (folded pinyin) · swapped (characters in another order) · former (a former name is one of the
  above) · one_different (one character changed: a typo, or a sibling sharing the generation
  character) · one_missing (one character dropped or added) · given_only (another surname) ·
  surname_only · different
- ``birth``: same · day_month_swapped · one_digit · year_month · close (two dates within
  ``CLOSE_DAYS``: a lunar-calendar birthday, a date remembered by weeks) · year (a year only on one
  side at least) · age_agrees (an "about 9" that the other fits) · age_near (a year off: a nominal
  age, 虚岁, or a guess) · different (two dates of one year months
  apart are different dates, not a shared year)
- ``sex``: same · different; ``region``: village · in_township (one record names the township only) ·
  township (another village) · county · elsewhere;
  ``guardian``: shared (a guardian's name or phone) · different; ``phone``: shared · different.

The address text is not compared (free text; the region code carries the place).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_noop
from rapidfuzz.distance import Hamming, JaroWinkler, Levenshtein

from shouhu.matching import names as name_module
from shouhu.matching.record import PersonRecord
from shouhu.registry import dates, idnumber
from shouhu.registry.facts import Reason

MISSING = "missing"


class Field(StrEnum):
    ID_NUMBER = "id_number"
    NAME = "name"
    BIRTH = "birth"
    SEX = "sex"
    REGION = "region"
    GUARDIAN = "guardian"
    PHONE = "phone"


class IdLevel(StrEnum):
    SAME = "same"
    ONE_DIGIT = "one_digit"
    SWAPPED = "swapped"
    CLOSE = "close"
    DIFFERENT = "different"
    MISSING = MISSING


class NameLevel(StrEnum):
    SAME = "same"
    NORMALISED = "normalised"
    HOMOPHONE = "homophone"
    DIALECT = "dialect"
    SWAPPED = "swapped"
    FORMER = "former"
    ONE_DIFFERENT = "one_different"
    ONE_MISSING = "one_missing"
    GIVEN_ONLY = "given_only"
    SURNAME_ONLY = "surname_only"
    DIFFERENT = "different"
    MISSING = MISSING


class BirthLevel(StrEnum):
    SAME = "same"
    DAY_MONTH_SWAPPED = "day_month_swapped"
    ONE_DIGIT = "one_digit"
    YEAR_MONTH = "year_month"
    CLOSE = "close"
    YEAR = "year"
    AGE_AGREES = "age_agrees"
    AGE_NEAR = "age_near"
    DIFFERENT = "different"
    MISSING = MISSING


class SexLevel(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    MISSING = MISSING


class RegionLevel(StrEnum):
    VILLAGE = "village"
    IN_TOWNSHIP = "in_township"
    TOWNSHIP = "township"
    COUNTY = "county"
    ELSEWHERE = "elsewhere"
    MISSING = MISSING


class GuardianLevel(StrEnum):
    SHARED = "shared"
    DIFFERENT = "different"
    MISSING = MISSING


class PhoneLevel(StrEnum):
    SHARED = "shared"
    DIFFERENT = "different"
    MISSING = MISSING


FIELDS: tuple[Field, ...] = tuple(Field)
LEVELS: Mapping[Field, tuple[str, ...]] = {
    Field.ID_NUMBER: tuple(IdLevel),
    Field.NAME: tuple(NameLevel),
    Field.BIRTH: tuple(BirthLevel),
    Field.SEX: tuple(SexLevel),
    Field.REGION: tuple(RegionLevel),
    Field.GUARDIAN: tuple(GuardianLevel),
    Field.PHONE: tuple(PhoneLevel),
}

# Name levels that say "the same name" (directly or through a former name).
SAME_NAME_LEVELS = frozenset(
    {
        NameLevel.SAME,
        NameLevel.NORMALISED,
        NameLevel.HOMOPHONE,
        NameLevel.DIALECT,
        NameLevel.SWAPPED,
        NameLevel.FORMER,
    }
)
_NAME_RANK = {level: rank for rank, level in enumerate(NameLevel)}

ID_NUMBER_LENGTHS = range(idnumber.LENGTH - 1, idnumber.LENGTH + 2)  # one digit dropped or added is close
MAX_CLOSE_EDITS = 2
# Two dates of birth this close are one date misremembered or given by the lunar calendar (农历: the
# lunar birthday falls 3 to 7 weeks before the solar one); further apart, another date.
CLOSE_DAYS = 62
LATIN_SIMILAR = 0.9  # Jaro-Winkler similarity of two Latin spellings that differ by a letter or two
MIN_PHONE_DIGITS = 7
MOBILE_DIGITS = 11
MAX_AGE = 150
# A valid identity number whose date of birth lies this many years or more from the one the record
# gives is another person's: a parent's or guardian's number written in the child's field (a common
# slip on paper forms, issue 4). A mistyped year is at most a decade off; a parent a generation.
OTHER_PERSON_YEARS = 12
VILLAGE_DIGITS, TOWNSHIP_DIGITS, COUNTY_DIGITS = 12, 9, 6
MIN_REGION_DIGITS = 2
SEX_WORDS = {"male": "male", "m": "male", "男": "male", "female": "female", "f": "female", "女": "female"}

# The sentence for each field and level (English message ids; ``explain`` renders them).
MESSAGES: Mapping[str, str] = {
    "id_number.same": gettext_noop("Same identity number"),
    "id_number.one_digit": gettext_noop(
        "Identity numbers differ in one digit only (digit %(position)d): probably a typing mistake"
    ),
    "id_number.swapped": gettext_noop(
        "Identity numbers differ only by two swapped digits (digits %(first)d and %(second)d)"
    ),
    "id_number.close": gettext_noop("Identity numbers are close and one of them fails its check character"),
    "id_number.different": gettext_noop("Different identity numbers"),
    "name.same": gettext_noop("Same name: %(a)s"),
    "name.normalised": gettext_noop("Same name written differently: %(a)s / %(b)s"),
    "name.homophone": gettext_noop("Homophone names: %(a)s / %(b)s (%(pinyin)s)"),
    "name.dialect": gettext_noop("Names that sound alike in dialect: %(a)s / %(b)s (%(pinyin_a)s / %(pinyin_b)s)"),
    "name.swapped": gettext_noop("Same characters in another order: %(a)s / %(b)s"),
    "name.former": gettext_noop("Matches a former name: %(a)s / %(b)s"),
    "name.one_different": gettext_noop("Names differ in one character: %(a)s / %(b)s"),
    "name.one_missing": gettext_noop("One name has a character more: %(a)s / %(b)s"),
    "name.one_different.latin": gettext_noop("Names spelt alike: %(a)s / %(b)s"),
    "name.given_only": gettext_noop("Same given name, different surname: %(a)s / %(b)s"),
    "name.surname_only": gettext_noop("Same surname, different given name: %(a)s / %(b)s"),
    "name.different": gettext_noop("Different names: %(a)s / %(b)s"),
    "birth.same": gettext_noop("Same date of birth: %(date)s"),
    "birth.day_month_swapped": gettext_noop("Day and month of birth swapped: %(a)s / %(b)s"),
    "birth.one_digit": gettext_noop("Dates of birth differ in one digit: %(a)s / %(b)s"),
    "birth.year_month": gettext_noop("Born in the same month: %(a)s / %(b)s"),
    "birth.close": gettext_noop("Dates of birth weeks apart (a lunar-calendar birthday?): %(a)s / %(b)s"),
    "birth.year": gettext_noop("Same year of birth: %(a)s / %(b)s"),
    "birth.age_agrees": gettext_noop("Age agrees: born %(birth)s, about %(age)d years old on %(on)s"),
    "birth.age_agrees.ages": gettext_noop(
        "Ages agree: about %(age_a)d years old on %(on_a)s and about %(age_b)d on %(on_b)s"
    ),
    "birth.age_near": gettext_noop(
        "Age agrees within a year (a nominal age, 虚岁, or a guess?): born %(birth)s, about %(age)d years old on %(on)s"
    ),
    "birth.age_near.ages": gettext_noop(
        "Ages agree within a year: about %(age_a)d years old on %(on_a)s and about %(age_b)d on %(on_b)s"
    ),
    "birth.different": gettext_noop("Different dates of birth: %(a)s / %(b)s"),
    "birth.different.age": gettext_noop("Age does not agree: born %(birth)s, about %(age)d years old on %(on)s"),
    "birth.different.ages": gettext_noop(
        "Ages do not agree: about %(age_a)d years old on %(on_a)s and about %(age_b)d on %(on_b)s"
    ),
    "sex.same": gettext_noop("Same sex: %(sex)s"),
    "sex.different": gettext_noop("Different sex"),
    "region.village": gettext_noop("Same village"),
    "region.in_township": gettext_noop("Same township (one record names no village)"),
    "region.township": gettext_noop("Same township, another village"),
    "region.county": gettext_noop("Same county, another township"),
    "region.elsewhere": gettext_noop("Recorded in another county"),
    "guardian.shared": gettext_noop("Shared guardian: %(name)s"),
    "guardian.shared.phone": gettext_noop("Shared guardian phone: %(phone)s"),
    "guardian.different": gettext_noop("Different guardians"),
    "phone.shared": gettext_noop("Shared phone number: %(phone)s"),
    "phone.different": gettext_noop("Different phone numbers"),
}

# What could not be used, and why.
NO_NAME = gettext_noop("No name to compare")
NAME_ONE_CHARACTER = gettext_noop("The name “%(name)s” has only one character: too short to compare")
NAME_EMPTY = gettext_noop("The name “%(name)s” has no letters or characters to compare")
ID_LENGTH = gettext_noop("The identity number has %(count)d characters, not 18: not used")
ID_CHARACTERS = gettext_noop("The identity number contains characters other than digits and a final X: not used")
ID_NOT_VALID = gettext_noop(
    "The identity number fails its check (GB 11643): compared digit by digit, as a clue and not as proof"
)
ID_OTHER_PERSON = gettext_noop(
    "The identity number gives the date of birth %(date)s, %(years)d years from this record's: it is "
    "another person's number (a parent's or guardian's?) and was not compared"
)
BIRTH_FUTURE = gettext_noop("The date of birth %(date)s is in the future: not used")
BIRTH_YEAR_IMPOSSIBLE = gettext_noop("The year of birth %(year)d is not possible: not used")
AGE_IMPOSSIBLE = gettext_noop("The age %(age)d is not possible: not used")
PHONE_SHORT = gettext_noop("The phone number “%(phone)s” is too short: not used")
SEX_UNKNOWN = gettext_noop("The sex “%(sex)s” is not known: not used")
REGION_MALFORMED = gettext_noop("The region code “%(code)s” is not a division code: not used")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One field's level and the sentence that says it (``reason`` is None when the field is missing)."""

    field: Field
    level: str
    reason: Reason | None


@dataclass(slots=True)  # not frozen: built for every pair or record, and a frozen init is 2.5 times slower
class Comparison:
    """The level of every field (in ``FIELDS`` order), the arguments of its sentence, what was unused."""

    levels: tuple[str, ...]
    details: tuple[tuple[str, dict[str, Any]] | None, ...]  # (message key, args) per field
    unused: tuple[Reason, ...] = ()

    def level(self, field: Field | str) -> str:
        return self.levels[FIELDS.index(Field(field))]

    def as_dict(self) -> dict[Field, str]:
        return dict(zip(FIELDS, self.levels, strict=True))

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        result = []
        for field, level, detail in zip(FIELDS, self.levels, self.details, strict=True):
            reason = Reason(MESSAGES[detail[0]], detail[1]) if detail is not None else None
            result.append(Evidence(field, level, reason))
        return tuple(result)


# -- preparing a record -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreparedName:
    text: str  # as written (trimmed), for the sentences
    normal: str
    syllables: tuple[str, ...]
    folded: tuple[str, ...]
    sorted_folded: tuple[str, ...]
    surname: tuple[str, ...]  # folded syllables of the surname
    given: tuple[str, ...]  # folded syllables of the given name
    latin: bool  # written without Han characters
    former: bool


@dataclass(slots=True)  # not frozen: built for every pair or record, and a frozen init is 2.5 times slower
class Birth:
    """What is known of the birth date: the range it lies in, and how it was given."""

    earliest: date
    latest: date
    exact: date | None = None
    digits: str = ""  # the exact date as YYYYMMDD
    year: int | None = None
    age: int | None = None  # an approximate age …
    age_on: date | None = None  # … on this day


@dataclass(slots=True)  # not frozen: built for every pair or record, and a frozen init is 2.5 times slower
class Prepared:
    record: PersonRecord
    names: tuple[PreparedName, ...]
    id_text: str  # normalised, usable for comparison ("" if none)
    id_valid: bool
    id_hash: str
    birth: Birth | None
    sex: str | None
    region: str
    phones: frozenset[str]
    guardians: tuple[PreparedName, ...]
    guardian_phones: frozenset[str]
    unused: tuple[Reason, ...]
    # How many records (children on file, or the batch's records) are under the name's key
    # (``names.name_key``), set by the caller when it knows: ``model`` rule 4. 0 when not known.
    name_count: int = 0


@lru_cache(maxsize=1 << 16)
def _prepare_name(text: str, former: bool) -> PreparedName | Reason:
    normal = name_module.normalise(text)
    if not normal:
        return Reason(NAME_EMPTY, {"name": text})
    syllables = name_module.syllables(text)
    if not syllables:
        return Reason(NAME_EMPTY, {"name": text})
    if len(normal) == 1:
        return Reason(NAME_ONE_CHARACTER, {"name": text})
    folded = name_module.folded_syllables(text)
    surname_count = len(syllables) - len(name_module.given_syllables(text))
    return PreparedName(
        text=text,
        normal=normal,
        syllables=syllables,
        folded=folded,
        sorted_folded=tuple(sorted(folded)),
        surname=folded[:surname_count],
        given=folded[surname_count:],
        latin=not any(name_module.is_han(char) for char in normal),
        former=former,
    )


@lru_cache(maxsize=1 << 16)
def _prepare_names(texts: tuple[str, ...], with_former: bool) -> tuple[tuple[PreparedName, ...], tuple[Reason, ...]]:
    prepared = []
    unused = []
    for index, raw in enumerate(texts):
        text = raw.strip()
        if not text:
            continue
        result = _prepare_name(text, with_former and index > 0)
        if isinstance(result, Reason):
            unused.append(result)
        else:
            prepared.append(result)
    return tuple(prepared), tuple(unused)


@lru_cache(maxsize=1 << 16)
def _read_id_number(text: str, on: date) -> tuple[str, idnumber.IdNumber | None, Reason | None]:
    """(usable normalised text, the parsed number if valid, why it cannot be used)."""
    value = idnumber.normalise(text)
    if not value:
        return "", None, None
    if len(value) == idnumber.LEGACY_LENGTH and value.isdigit():
        try:
            value = idnumber.convert_15_to_18(value)
        except idnumber.IdNumberError:
            return "", None, Reason(ID_LENGTH, {"count": len(value)})
    body, last = value[:-1], value[-1]
    if not (body.isascii() and body.isdigit() and (last == "X" or (last.isascii() and last.isdigit()))):
        return "", None, Reason(ID_CHARACTERS)
    if len(value) not in ID_NUMBER_LENGTHS:
        return "", None, Reason(ID_LENGTH, {"count": len(value)})
    try:
        return value, idnumber.parse(value, today=on), None
    except idnumber.IdNumberError:
        return value, None, Reason(ID_NOT_VALID)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _prepare_birth(record: PersonRecord, on: date, unused: list[Reason]) -> Birth | None:
    """What the record itself says of the birth (date, year or age); None if nothing usable."""
    born = record.birth_date
    if born is not None and born > on:
        unused.append(Reason(BIRTH_FUTURE, {"date": born.isoformat()}))
        born = None
    if born is not None:
        return _exact_birth(born)
    year = record.birth_year
    if year is not None:
        if idnumber.EARLIEST_BIRTH_YEAR <= year <= on.year:
            return Birth(earliest=date(year, 1, 1), latest=date(year, 12, 31), year=year)
        unused.append(Reason(BIRTH_YEAR_IMPOSSIBLE, {"year": year}))
    age = record.age
    if age is not None:
        if 0 <= age <= MAX_AGE:
            said_on = record.on or on
            # "about 9" on a day: born after the day 10 years before, on or before the day 9 years before.
            earliest = _years_before(said_on, age + 1) + timedelta(days=1)
            return Birth(earliest=earliest, latest=_years_before(said_on, age), age=age, age_on=said_on)
        unused.append(Reason(AGE_IMPOSSIBLE, {"age": age}))
    return None


def _exact_birth(born: date) -> Birth:
    return Birth(earliest=born, latest=born, exact=born, digits=f"{born.year:04d}{born.month:02d}{born.day:02d}")


def _years_apart(number: idnumber.IdNumber, birth: Birth) -> int:
    """Whole years between the date of birth in a number and the record's own (0 when they overlap)."""
    born = number.birth_date
    if born < birth.earliest:
        later, earlier = birth.earliest, born
    elif born > birth.latest:
        later, earlier = born, birth.latest
    else:
        return 0
    return dates.age_on(earlier, later)  # completed years, as an age is counted


def _phone_digits(text: str) -> str:
    if text.isascii() and text.isdigit():
        digits = text
    else:
        digits = "".join(char for char in unicodedata.normalize("NFKC", text) if char.isascii() and char.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + MOBILE_DIGITS:
            return digits[len(prefix) :]
    return digits


def _prepare_phones(texts: Iterable[str], unused: list[Reason]) -> frozenset[str]:
    phones = set()
    for text in texts:
        if not text.strip():
            continue
        digits = _phone_digits(text)
        if len(digits) < MIN_PHONE_DIGITS:
            unused.append(Reason(PHONE_SHORT, {"phone": text.strip()}))
        else:
            phones.add(digits)
    return frozenset(phones)


_REGION_ZEROS = ((12, "000"), (9, "000"), (6, "00"), (4, "00"))


def _prepare_region(code: str, unused: list[Reason]) -> str:
    text = code if code.isascii() else unicodedata.normalize("NFKC", code)
    text = text.strip()
    if not text:
        return ""
    if not (text.isascii() and text.isdigit()) or len(text) < MIN_REGION_DIGITS:
        unused.append(Reason(REGION_MALFORMED, {"code": code}))
        return ""
    # A township written with 12 digits is 330102001000; a county 330102000000.
    if text[-1] == "0":
        for length, zeros in _REGION_ZEROS:
            if len(text) == length and text.endswith(zeros):
                text = text[: length - len(zeros)]
    return text


_NO_PHONES: frozenset[str] = frozenset()


def prepare(record: PersonRecord, *, on: date) -> Prepared:
    """The record read once for comparison on day ``on``; never raises on bad input."""
    unused: list[Reason] = []
    names, name_problems = _prepare_names(tuple(record.names), True)  # current name first, then former ones
    unused.extend(name_problems)
    if not names and not name_problems:
        unused.append(Reason(NO_NAME))
    id_text, number, problem = _read_id_number(record.id_number, on) if record.id_number else ("", None, None)
    if problem is not None:
        unused.append(problem)
    sex = None
    if record.sex:
        sex = SEX_WORDS.get(record.sex.strip().lower())
        if sex is None:
            unused.append(Reason(SEX_UNKNOWN, {"sex": record.sex}))
    birth = _prepare_birth(record, on, unused)
    id_hash = record.id_number_hash
    if number is not None and birth is not None:
        apart = _years_apart(number, birth)
        if apart >= OTHER_PERSON_YEARS:
            unused.append(Reason(ID_OTHER_PERSON, {"date": number.birth_date.isoformat(), "years": apart}))
            id_text, number, id_hash = "", None, ""
    if number is not None:
        birth = birth or _exact_birth(number.birth_date)
        sex = sex or str(number.sex)
    region = _prepare_region(record.region_code, unused) if record.region_code else ""
    phones = _prepare_phones(record.phones, unused) if record.phones else _NO_PHONES
    guardian_phones = _prepare_phones(record.guardian_phones, unused) if record.guardian_phones else _NO_PHONES
    guardians = _prepare_names(tuple(record.guardian_names), False)[0] if record.guardian_names else ()
    return Prepared(
        record=record,
        names=names,
        id_text=id_text,
        id_valid=number is not None,
        id_hash=id_hash,
        birth=birth,
        sex=sex,
        region=region,
        phones=phones,
        guardians=guardians,
        guardian_phones=guardian_phones,
        unused=tuple(unused),
    )


# -- comparing field by field ---------------------------------------------------------------------
#
# Each field has a level function (what the batch needs, for millions of pairs) and a detail
# function (the arguments of its sentence, for the pairs a person will read).

Detail = tuple[str, dict[str, Any]] | None


def _id_level(a: Prepared, b: Prepared) -> str:
    if a.id_hash and b.id_hash and a.id_hash == b.id_hash:
        return IdLevel.SAME
    x, y = a.id_text, b.id_text
    if not (x and y):
        # Two registry numbers known only by their keyed hash are different numbers.
        return IdLevel.DIFFERENT if a.id_hash and b.id_hash else IdLevel.MISSING
    if x == y:
        return IdLevel.SAME
    if len(x) == len(y) and Hamming.distance(x, y, score_cutoff=2) <= 2:  # noqa: PLR2004 (a swap is two digits)
        differing = _differing(x, y)
        if len(differing) == 1:
            return IdLevel.ONE_DIGIT
        first, second = differing
        if x[first] == y[second] and x[second] == y[first]:
            return IdLevel.SWAPPED
    if not (a.id_valid and b.id_valid) and Levenshtein.distance(x, y, score_cutoff=MAX_CLOSE_EDITS) <= MAX_CLOSE_EDITS:
        return IdLevel.CLOSE
    return IdLevel.DIFFERENT


def _differing(x: str, y: str) -> list[int]:
    return [index for index, (p, q) in enumerate(zip(x, y, strict=True)) if p != q]


def _id_detail(a: Prepared, b: Prepared, level: str) -> Detail:
    if level == IdLevel.ONE_DIGIT:
        return "id_number.one_digit", {"position": _differing(a.id_text, b.id_text)[0] + 1}
    if level == IdLevel.SWAPPED:
        first, second = _differing(a.id_text, b.id_text)
        return "id_number.swapped", {"first": first + 1, "second": second + 1}
    return None if level == IdLevel.MISSING else (f"id_number.{level}", {})


def _name_pair(x: PreparedName, y: PreparedName) -> tuple[NameLevel, str]:
    """The level of two names and the key of its sentence."""
    if x.text == y.text:
        return NameLevel.SAME, "name.same"
    if x.normal == y.normal:
        return NameLevel.NORMALISED, "name.normalised"
    if x.syllables == y.syllables:
        return NameLevel.HOMOPHONE, "name.homophone"
    if x.folded == y.folded:
        return NameLevel.DIALECT, "name.dialect"
    if x.sorted_folded == y.sorted_folded:
        return NameLevel.SWAPPED, "name.swapped"
    # Latin spellings a letter or two apart ("Jon" / "John"); word order says nothing of the surname.
    if x.latin and y.latin and JaroWinkler.similarity(x.normal, y.normal, score_cutoff=LATIN_SIMILAR):
        return NameLevel.ONE_DIFFERENT, "name.one_different.latin"
    if x.given and x.given == y.given and x.surname and y.surname:  # the surname differs (folded alike above)
        return NameLevel.GIVEN_ONLY, "name.given_only"
    longer = max(len(x.folded), len(y.folded))
    # One syllable changed, added or dropped, with at least two syllables the same (王小明 / 王小红,
    # 王明 / 王小明; not 王明 / 王亮, which is the surname alone).
    if longer >= 3 and Levenshtein.distance(x.folded, y.folded, score_cutoff=1) <= 1:  # noqa: PLR2004
        if len(x.folded) == len(y.folded):
            return NameLevel.ONE_DIFFERENT, "name.one_different"
        return NameLevel.ONE_MISSING, "name.one_missing"
    if x.surname and x.surname == y.surname:
        return NameLevel.SURNAME_ONLY, "name.surname_only"
    return NameLevel.DIFFERENT, "name.different"


def _best_names(a: Prepared, b: Prepared) -> tuple[NameLevel, str, PreparedName, PreparedName] | None:
    """The closest pair of names (current and former) of two records, its level and sentence key."""
    if not (a.names and b.names):
        return None
    best: tuple[int, NameLevel, str, PreparedName, PreparedName] | None = None
    for x in a.names:
        for y in b.names:
            level, key = _name_pair(x, y)
            rank = _NAME_RANK[level]
            if best is None or rank < best[0]:
                best = (rank, level, key, x, y)
        if best is not None and best[1] == NameLevel.SAME and not best[3].former:
            break
    assert best is not None  # noqa: S101 (both sides have names)
    _rank, level, key, x, y = best
    if (x.former or y.former) and level in SAME_NAME_LEVELS:
        level, key = NameLevel.FORMER, "name.former"
    return level, key, x, y


def _name_level(a: Prepared, b: Prepared) -> str:
    if len(a.names) == 1 and len(b.names) == 1:  # the usual case, without the search for the best pair
        return _name_pair(a.names[0], b.names[0])[0]
    best = _best_names(a, b)
    return best[0] if best is not None else NameLevel.MISSING


def _name_detail(a: Prepared, b: Prepared, level: str) -> Detail:
    best = _best_names(a, b)
    if best is None:
        return None
    level, key, x, y = best
    args: dict[str, Any] = {"a": x.text, "b": y.text}
    if level == NameLevel.HOMOPHONE:
        args["pinyin"] = " ".join(x.syllables)
    elif level == NameLevel.DIALECT:
        args["pinyin_a"] = " ".join(x.syllables)
        args["pinyin_b"] = " ".join(y.syllables)
    return key, args


def _birth_text(birth: Birth) -> str | int:
    if birth.exact is not None:
        return birth.exact.isoformat()
    return birth.year if birth.year is not None else ""


def _exact_level(x: date, y: date, p: str, q: str) -> BirthLevel:
    if x == y:
        return BirthLevel.SAME
    if x.month == y.day and x.day == y.month:
        return BirthLevel.DAY_MONTH_SWAPPED
    if Hamming.distance(p, q, score_cutoff=1) == 1:
        return BirthLevel.ONE_DIGIT
    if (x.year, x.month) == (y.year, y.month):
        return BirthLevel.YEAR_MONTH
    if abs((x - y).days) <= CLOSE_DAYS:
        return BirthLevel.CLOSE
    return BirthLevel.DIFFERENT


def _birth_level(a: Prepared, b: Prepared) -> str:
    x, y = a.birth, b.birth
    if x is None or y is None:
        return BirthLevel.MISSING
    if x.exact is not None and y.exact is not None:
        return _exact_level(x.exact, y.exact, x.digits, y.digits)
    if x.age is None and y.age is None:  # a year on one side at least
        return BirthLevel.YEAR if x.earliest.year == y.earliest.year else BirthLevel.DIFFERENT
    # An approximate age on one side at least: agrees when the other's range meets the age's, nearly
    # when it does a year further on either side.
    if x.age is not None and y.age is not None:
        if x.earliest <= y.latest and y.earliest <= x.latest:
            return BirthLevel.AGE_AGREES
        near = x.earliest <= _years_after(y.latest) and y.earliest <= _years_after(x.latest)
    else:
        aged, other = (x, y) if x.age is not None else (y, x)
        if aged.earliest <= other.latest and other.earliest <= aged.latest:
            return BirthLevel.AGE_AGREES
        near = _years_before(aged.earliest, 1) <= other.latest and other.earliest <= _years_after(aged.latest)
    return BirthLevel.AGE_NEAR if near else BirthLevel.DIFFERENT


def _birth_detail(a: Prepared, b: Prepared, level: str) -> Detail:
    x, y = a.birth, b.birth
    if x is None or y is None:
        return None
    if x.age is None and y.age is None:
        if level == BirthLevel.SAME:
            return "birth.same", {"date": _birth_text(x)}
        return f"birth.{level}", {"a": _birth_text(x), "b": _birth_text(y)}
    key = f"birth.{level}" if level in (BirthLevel.AGE_AGREES, BirthLevel.AGE_NEAR) else "birth.different"
    if x.age is not None and y.age is not None:
        args: dict[str, Any] = {"age_a": x.age, "on_a": _iso(x.age_on), "age_b": y.age, "on_b": _iso(y.age_on)}
        return key + ".ages", args
    aged, other = (x, y) if x.age is not None else (y, x)
    args = {"birth": _birth_text(other), "age": aged.age, "on": _iso(aged.age_on)}
    return (key if key != "birth.different" else "birth.different.age"), args


def _years_after(day: date, years: int = 1) -> date:
    return _years_before(day, -years)


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def _sex_level(a: Prepared, b: Prepared) -> str:
    if a.sex is None or b.sex is None:
        return SexLevel.MISSING
    return SexLevel.SAME if a.sex == b.sex else SexLevel.DIFFERENT


def _sex_detail(a: Prepared, b: Prepared, level: str) -> Detail:
    if level == SexLevel.SAME:
        return "sex.same", {"sex": a.sex}
    return ("sex.different", {}) if level == SexLevel.DIFFERENT else None


def _region_level(a: Prepared, b: Prepared) -> str:
    x, y = a.region, b.region
    if not (x and y):
        return RegionLevel.MISSING
    shortest = min(len(x), len(y))
    if shortest >= VILLAGE_DIGITS and x[:VILLAGE_DIGITS] == y[:VILLAGE_DIGITS]:
        return RegionLevel.VILLAGE
    if shortest >= TOWNSHIP_DIGITS and x[:TOWNSHIP_DIGITS] == y[:TOWNSHIP_DIGITS]:
        # Two villages of one township, or a record (a report) that names the township only.
        return RegionLevel.TOWNSHIP if shortest >= VILLAGE_DIGITS else RegionLevel.IN_TOWNSHIP
    if shortest >= COUNTY_DIGITS and x[:COUNTY_DIGITS] == y[:COUNTY_DIGITS]:
        return RegionLevel.COUNTY
    prefix = min(shortest, COUNTY_DIGITS)
    if x[:prefix] != y[:prefix]:
        return RegionLevel.ELSEWHERE
    # One code is a prefix too short to say (a city) and the other lies within it.
    return RegionLevel.MISSING


def _region_detail(a: Prepared, b: Prepared, level: str) -> Detail:
    return None if level == RegionLevel.MISSING else (f"region.{level}", {})


def mask_phone(digits: str) -> str:
    """A phone number with its middle hidden: 138****5678."""
    if len(digits) <= MIN_PHONE_DIGITS:
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _shared_guardian(a: Prepared, b: Prepared) -> PreparedName | None:
    for x in a.guardians:
        for y in b.guardians:
            if x.normal == y.normal or x.syllables == y.syllables:
                return x
    return None


def _guardian_level(a: Prepared, b: Prepared) -> str:
    if (a.guardians and b.guardians and _shared_guardian(a, b) is not None) or (
        a.guardian_phones and not a.guardian_phones.isdisjoint(b.guardian_phones)
    ):
        return GuardianLevel.SHARED
    if (a.guardians or a.guardian_phones) and (b.guardians or b.guardian_phones):
        return GuardianLevel.DIFFERENT
    return GuardianLevel.MISSING


def _guardian_detail(a: Prepared, b: Prepared, level: str) -> Detail:
    if level != GuardianLevel.SHARED:
        return None if level == GuardianLevel.MISSING else ("guardian.different", {})
    guardian = _shared_guardian(a, b)
    if guardian is not None:
        return "guardian.shared", {"name": guardian.text}
    return "guardian.shared.phone", {"phone": mask_phone(min(a.guardian_phones & b.guardian_phones))}


def _shared_phones(a: Prepared, b: Prepared) -> frozenset[str]:
    # A child's own phone may be written down as a guardian's elsewhere, and the other way round.
    return (a.phones & (b.phones | b.guardian_phones)) | (b.phones & a.guardian_phones)


def _phone_level(a: Prepared, b: Prepared) -> str:
    if not (a.phones or b.phones):
        return PhoneLevel.MISSING
    if _shared_phones(a, b):
        return PhoneLevel.SHARED
    return PhoneLevel.DIFFERENT if a.phones and b.phones else PhoneLevel.MISSING


def _phone_detail(a: Prepared, b: Prepared, level: str) -> Detail:
    if level == PhoneLevel.SHARED:
        return "phone.shared", {"phone": mask_phone(min(_shared_phones(a, b)))}
    return ("phone.different", {}) if level == PhoneLevel.DIFFERENT else None


_DETAILS = (_id_detail, _name_detail, _birth_detail, _sex_detail, _region_detail, _guardian_detail, _phone_detail)


def levels_prepared(a: Prepared, b: Prepared) -> tuple[str, ...]:
    """The level of every field (in ``FIELDS`` order) of two prepared records, without the sentences:
    what batch scoring needs (``compare_prepared`` is these levels and their sentences)."""
    return (
        _id_level(a, b),
        _name_level(a, b),
        _birth_level(a, b),
        _sex_level(a, b),
        _region_level(a, b),
        _guardian_level(a, b),
        _phone_level(a, b),
    )


def compare_prepared(a: Prepared, b: Prepared) -> Comparison:
    """The comparison of two prepared records (prepared on the same day)."""
    levels = levels_prepared(a, b)
    details = tuple(detail(a, b, level) for detail, level in zip(_DETAILS, levels, strict=True))
    unused = a.unused + tuple(reason for reason in b.unused if reason not in a.unused) if b.unused else a.unused
    return Comparison(levels, details, unused)


def compare(a: PersonRecord, b: PersonRecord, *, on: date) -> Comparison:
    """Compare two records field by field on day ``on`` (the day ages and future dates are read against)."""
    return compare_prepared(prepare(a, on=on), prepare(b, on=on))
