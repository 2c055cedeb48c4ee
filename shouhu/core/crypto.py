"""Field encryption and keyed hashes of sensitive values (identity numbers first).

PIPL art. 51 and CAC Order No. 4 (DOMAIN.md §5) ask for encrypted storage of minors' personal
information; DESIGN.md fixes the form: the value encrypted for an authorised reveal, plus a keyed
hash for exact look-up.

- ``encrypt``/``decrypt``: Fernet (AES-128-CBC with HMAC-SHA256, authenticated: a changed token
  fails, never decrypts to something else). The Fernet key is derived with HKDF-SHA256 from
  ``settings.SHOUHU_FIELD_KEY``, so any long random string is a valid setting.
- **Key rotation**: ``SHOUHU_FIELD_KEY`` may hold several keys separated by commas, newest first
  (``NEW,OLD``). The first key encrypts; every key decrypts (``MultiFernet``). To rotate: put the
  new key in front, restart, re-encrypt the stored values with ``rotate`` (a job over every
  encrypted column), then drop the old key. Dropping a key before that makes its values unreadable.
- ``keyed_hash``: HMAC-SHA256, hex, with a key derived from ``settings.SHOUHU_HASH_KEY`` for each
  ``purpose`` (a hash made for one purpose never matches one made for another). Without the key a
  database reader cannot test guesses (an identity number has few enough possibilities to be
  guessed by brute force if the hash were a plain SHA-256). The hash is of the text as given:
  callers normalise first (``shouhu.registry.idnumber.normalise``). Changing ``SHOUHU_HASH_KEY``
  changes every hash, so it has no rotation list: it needs a re-hash job over the stored values.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FIELD_KEY_INFO = b"shouhu field encryption v1"
HASH_KEY_INFO = b"shouhu keyed hash v1:"
PURPOSE_PATTERN = re.compile(r"^[a-z][a-z0-9_.]*$")
KEY_SEPARATOR = ","


class DecryptionError(ValueError):
    """A token that no configured key opens: wrong key, damaged or altered value."""


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


def field_keys(setting: str) -> list[str]:
    """The keys of a ``SHOUHU_FIELD_KEY`` value, newest (the encrypting one) first."""
    keys = [key.strip() for key in setting.split(KEY_SEPARATOR)]
    if not keys or not all(keys):
        raise ImproperlyConfigured("SHOUHU_FIELD_KEY has an empty key; separate keys with single commas")
    return keys


@functools.lru_cache(maxsize=4)
def _fernet(setting: str) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(key, FIELD_KEY_INFO))) for key in field_keys(setting)])


@functools.lru_cache(maxsize=16)
def _hash_key(setting: str, purpose: str) -> bytes:
    return _derive(setting, HASH_KEY_INFO + purpose.encode())


def encrypt(text: str) -> str:
    """``text`` encrypted and authenticated with the first key of ``SHOUHU_FIELD_KEY`` (ASCII token)."""
    return _fernet(settings.SHOUHU_FIELD_KEY).encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made by ``encrypt`` with any key of ``SHOUHU_FIELD_KEY``.

    Raises ``DecryptionError`` when no key opens it (wrong key, damaged or altered token).
    """
    try:
        return _fernet(settings.SHOUHU_FIELD_KEY).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError("the value cannot be decrypted with the configured keys") from error


def rotate(token: str) -> str:
    """The same text encrypted again with the first (newest) key; for the re-encryption job."""
    try:
        return _fernet(settings.SHOUHU_FIELD_KEY).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError("the value cannot be decrypted with the configured keys") from error


def keyed_hash(text: str, *, purpose: str) -> str:
    """HMAC-SHA256 (64 hex digits) of ``text`` under the ``SHOUHU_HASH_KEY`` key of ``purpose``.

    ``purpose`` names what is hashed (``"id_number"``): lower-case letters, digits, ``_`` and ``.``.
    """
    if not PURPOSE_PATTERN.match(purpose):
        raise ValueError(f"{purpose!r} is not a purpose name (lower-case letters, digits, '_' and '.')")
    key = _hash_key(settings.SHOUHU_HASH_KEY, purpose)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
