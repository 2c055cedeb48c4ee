"""Resident identity numbers (公民身份号码, GB 11643-1999): normalise, validate, mask, generate.

Pure module. Sources: DOMAIN.md §6.2 (structure and check character: 6-digit address code,
8-digit birth date, 3-digit sequence whose last digit is odd for a man and even for a woman, and
a check character over the first 17 digits) and §8.8 (the readings Shouhu encodes):

- a number is lifelong (居民身份证法 art. 3), so the address code is checked only against the list
  of province codes, never against the current division table (abolished districts stay valid);
- text is normalised first (NFKC turns full-width digits into ASCII; spaces go; ``x`` → ``X``);
- a 15-digit number of the first-generation card is refused, with its 18-digit form offered;
- every invalid number gets its own cause (``IdNumberError.code``) and a message that says it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_noop

from shouhu.registry.choices import Sex
from shouhu.registry.facts import Reason

LENGTH = 18
LEGACY_LENGTH = 15
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # sum mod 11 = 0 … 10
# Provinces of GB/T 2260 (the first two digits of an address code), with Taiwan, Hong Kong and
# Macao; 83 is the code of the residence permits of Taiwan residents (港澳台居民居住证申领发放办法
# art. 5: 810000 Hong Kong, 820000 Macao, 830000 Taiwan), whose numbers have the same form.
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    "83": "台湾居民居住证",
}
# First-generation (15-digit) numbers carry a 2-digit year of the twentieth century.
LEGACY_CENTURY = 1900
EARLIEST_BIRTH_YEAR = 1900
ADDRESS_LENGTH = 6
SEQUENCES_PER_SEX = 500
MAX_YEAR = 9999
MASK_HEAD = 4
MASK_TAIL = 4


class IdNumberError(ValueError):
    """Why a text is not a valid identity number: a stable ``code`` and a translatable message.

    ``message`` is rendered in the active language when read (``explain``), so that an error
    raised in a job shows in the reader's language.
    """

    LENGTH = "length"
    CHARACTERS = "characters"
    PROVINCE = "province"
    BIRTH_DATE = "birth_date"
    FUTURE = "future"
    CHECK = "check"
    LEGACY = "legacy"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    SEX_MISMATCH = "sex_mismatch"

    def __init__(self, code: str, msg: str, args: dict[str, Any] | None = None) -> None:
        self.code = code
        self.reason = Reason(msg, args or {})
        super().__init__(code, msg, self.reason.args)  # all three: a pickled error comes back whole

    @property
    def message(self) -> str:
        from shouhu.registry.explain import render_one  # noqa: PLC0415 (explain imports choices that import Django)

        return render_one(self.reason)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character identity number and what it says."""

    value: str
    birth_date: date
    sex: Sex
    address_code: str

    def masked(self) -> str:
        """The number with its middle hidden: ``3709**********1234``."""
        return mask(self.value)

    @property
    def province(self) -> str:
        return PROVINCE_CODES[self.value[:2]]

    def __str__(self) -> str:
        return self.masked()


def normalise(text: str) -> str:
    """Full-width characters to ASCII (NFKC), every kind of space removed, ``x`` upper-cased."""
    if text.isascii() and text.isalnum():  # the usual case: nothing to fold or remove
        return text.upper()
    folded = unicodedata.normalize("NFKC", text)
    return "".join(char for char in folded if not char.isspace()).upper()


def check_character(first17: str) -> str:
    """The check character of 17 digits (GB 11643-1999 §8.2, ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def mask(value: str) -> str:
    """Hide all but the first and last four characters of a number."""
    if len(value) <= MASK_HEAD + MASK_TAIL:
        return "*" * len(value)
    return value[:MASK_HEAD] + "*" * (len(value) - MASK_HEAD - MASK_TAIL) + value[-MASK_TAIL:]


def _birth_date(digits: str) -> date | None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    # Nobody alive was born before 1900: an earlier year is a mistyped one.
    return born if born.year >= EARLIEST_BIRTH_YEAR else None


def _check_characters(value: str) -> None:
    body, last = value[:-1], value[-1:]
    if body.isascii() and body.isdigit() and (last == "X" or (last.isascii() and last.isdigit())):
        return  # the usual case: digits and a final digit or X
    for position, char in enumerate(value, start=1):
        allowed = char.isascii() and (char.isdigit() or (char == "X" and position == len(value)))
        if not allowed:
            if char == "X":
                raise IdNumberError(
                    IdNumberError.CHARACTERS,
                    gettext_noop(
                        "An X may only be the last character of an identity number; here it is character %(position)d."
                    ),
                    {"position": position},
                )
            raise IdNumberError(
                IdNumberError.CHARACTERS,
                gettext_noop(
                    "Character %(position)d (“%(char)s”) is not allowed: an identity number has 17 digits "
                    "and ends with a digit or an X."
                ),
                {"position": position, "char": char},
            )


def _check_province(value: str) -> None:
    if value[:2] not in PROVINCE_CODES:
        raise IdNumberError(
            IdNumberError.PROVINCE,
            gettext_noop(
                "An identity number begins with the code of a province; %(code)s is not the code of any province."
            ),
            {"code": value[:2]},
        )


def _check_birth_date(digits: str, today: date | None) -> date:
    born = _birth_date(digits)
    if born is None:
        raise IdNumberError(
            IdNumberError.BIRTH_DATE,
            gettext_noop("The date of birth in the identity number, %(digits)s, is not a real date."),
            {"digits": digits},
        )
    if today is not None and born > today:
        raise IdNumberError(
            IdNumberError.FUTURE,
            gettext_noop("The date of birth in the identity number, %(date)s, is in the future."),
            {"date": born.isoformat()},
        )
    return born


def convert_15_to_18(text: str) -> str:
    """The 18-character form of a 15-digit first-generation number (offered, never applied silently).

    The 15-digit form has the address code, a 2-digit year (19xx), month, day and the 3-digit
    sequence; the 18-character form inserts ``19`` and appends the check character.
    Raises ``IdNumberError`` when ``text`` is not a 15-digit number with a real date.
    """
    value = normalise(text)
    if len(value) != LEGACY_LENGTH:
        raise _length_error(value)
    _check_characters(value)
    if not value.isdigit():
        raise _length_error(value)
    first17 = value[:6] + str(LEGACY_CENTURY // 100) + value[6:]
    _check_province(first17)
    _check_birth_date(first17[6:14], None)
    return first17 + check_character(first17)


def _length_error(value: str) -> IdNumberError:
    return IdNumberError(
        IdNumberError.LENGTH,
        gettext_noop("An identity number has 18 characters; this one has %(count)d."),
        {"count": len(value)},
    )


def parse(text: str, *, today: date | None = None) -> IdNumber:
    """The identity number in ``text``, or ``IdNumberError`` with the first cause found.

    ``today`` (the day of entry) enables the check that the birth date is not in the future.
    Causes, in the order checked: characters, length (and the 15-digit legacy form), province,
    birth date (impossible, then future), check character.
    """
    value = normalise(text)
    if len(value) == LEGACY_LENGTH and value.isascii() and value.isdigit():
        converted = convert_15_to_18(value)
        raise IdNumberError(
            IdNumberError.LEGACY,
            gettext_noop(
                "This is an old 15-digit identity number, no longer accepted. Its 18-character form is "
                "%(converted)s: compare it with the identity card or the household register and enter it."
            ),
            {"converted": converted},
        )
    _check_characters(value)
    if len(value) != LENGTH:
        raise _length_error(value)
    _check_province(value)
    born = _check_birth_date(value[6:14], today)
    if check_character(value[:17]) != value[17]:
        raise IdNumberError(
            IdNumberError.CHECK,
            gettext_noop(
                "The last character of the identity number does not match the others: a digit was probably "
                "mistyped or two digits swapped."
            ),
        )
    sex = Sex.MALE if int(value[16]) % 2 else Sex.FEMALE
    return IdNumber(value=value, birth_date=born, sex=sex, address_code=value[:6])


def is_valid(text: str, *, today: date | None = None) -> bool:
    try:
        parse(text, today=today)
    except IdNumberError:
        return False
    return True


def check_against(number: IdNumber, *, birth_date: date | None, sex: Sex | str | None) -> list[IdNumberError]:
    """Disagreements between a valid number and the birth date and sex entered on the form."""
    problems: list[IdNumberError] = []
    if birth_date is not None and birth_date != number.birth_date:
        problems.append(
            IdNumberError(
                IdNumberError.BIRTH_DATE_MISMATCH,
                gettext_noop(
                    "The identity number gives the date of birth %(number_date)s, but the date of birth "
                    "entered is %(form_date)s."
                ),
                {"number_date": number.birth_date.isoformat(), "form_date": birth_date.isoformat()},
            )
        )
    if sex and Sex(sex) != number.sex:
        problems.append(
            IdNumberError(
                IdNumberError.SEX_MISMATCH,
                gettext_noop(
                    "The 17th digit of the identity number gives the sex %(number_sex)s, but the sex entered "
                    "is %(form_sex)s."
                ),
                {"number_sex": number.sex.value, "form_sex": Sex(sex).value},
            )
        )
    return problems


def make(address_code: str, birth_date: date, sequence: int, sex: Sex | str) -> str:
    """A valid number: the ``sequence``-th (0-499) of its sex for ``address_code`` and ``birth_date``.

    The 3-digit sequence code is ``2 × sequence + 1`` for a male and ``2 × sequence`` for a
    female (odd = male, §6.2), so each address code and birth date has 500 numbers of each sex.
    For demo data and tests.
    """
    if len(address_code) != ADDRESS_LENGTH or not address_code.isascii() or not address_code.isdigit():
        raise ValueError(f"{address_code!r} is not a 6-digit address code")
    if not 0 <= sequence < SEQUENCES_PER_SEX:
        raise ValueError(f"sequence runs from 0 to {SEQUENCES_PER_SEX - 1}")
    if not EARLIEST_BIRTH_YEAR <= birth_date.year <= MAX_YEAR:
        raise ValueError(f"{birth_date} is outside the years a number can carry")
    code = 2 * sequence + (1 if Sex(sex) == Sex.MALE else 0)
    first17 = f"{address_code}{birth_date:%Y%m%d}{code:03d}"
    return first17 + check_character(first17)
