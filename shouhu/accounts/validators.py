"""Rules of the values users type: passwords, mobile numbers, unified social credit codes.

Password rule: a mix of character classes (GB/T 22239 等保 practice). The other rules cite
their source where they are defined. Pure functions, plus Django validators around them.
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class CharacterClassValidator:
    """The password must mix at least ``min_classes`` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    @staticmethod
    def classes_in(password: str) -> int:
        return sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(c in string.punctuation or not c.isalnum() for c in password),
            )
        )

    def validate(self, password: str, user: Any = None) -> None:
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(n)d kind of character: lower-case letters, "
            "upper-case letters, digits and symbols.",
            "Your password must mix at least %(n)d kinds of characters: lower-case letters, "
            "upper-case letters, digits and symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length, with a message that is translated.

    Django 5.2.x changed the message id of its validator ("%d characters") without updating
    its zh_Hans catalogue, so the error appeared in English.
    """

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it must have at least %(n)d character.",
            "This password is too short: it must have at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}


# Mobile numbers: 11 digits starting 13-19 (MIIT numbering plan of public mobile networks).
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
# Unified social credit code (GB 32100-2015): 18 characters of this alphabet (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18


def normalise_text(value: str) -> str:
    """NFKC (full-width digits and letters to ASCII) and trimmed, as typed into forms and sheets."""
    return unicodedata.normalize("NFKC", value).strip()


def normalise_mobile(value: str) -> str | None:
    """The 11-digit mobile number in ``value``, or None if it is not one.

    Accepts full-width digits, spaces and hyphens, and a +86/0086 country prefix.
    """
    text = re.sub(r"[\s\-()]", "", normalise_text(value))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text if MOBILE_RE.fullmatch(text) else None


def credit_code_check_character(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015, modulus 31)."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_credit_code(value: str) -> bool:
    """Is ``value`` a well-formed unified social credit code with a correct check character?"""
    if len(value) != CREDIT_CODE_LENGTH or any(c not in CREDIT_CODE_ALPHABET for c in value):
        return False
    return credit_code_check_character(value[:17]) == value[17]


def validate_mobile(value: str) -> None:
    if value and normalise_mobile(value) is None:
        raise ValidationError(_("Enter an 11-digit mobile number such as 13800138000."), code="invalid_mobile")


def validate_credit_code(value: str) -> None:
    if value and not is_credit_code(value):
        raise ValidationError(
            _("Enter the 18-character unified social credit code; it is malformed or its last character is wrong."),
            code="invalid_credit_code",
        )
