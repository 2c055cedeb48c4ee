"""API token format: ``shu_<prefix>_<secret>``; only the SHA-256 of the secret is stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import NamedTuple

TOKEN_TAG = "shu"  # noqa: S105  (the public tag of the key format, not a secret)
PREFIX_BYTES = 6
KEY_PARTS = 3  # tag, prefix, secret
SECRET_BYTES = 32


class NewToken(NamedTuple):
    key: str  # shown to the user once
    prefix: str
    key_hash: str


def hash_secret(secret: str) -> str:
    # The secret carries 256 random bits, so a plain hash cannot be brute-forced.
    return hashlib.sha256(secret.encode()).hexdigest()


def generate() -> NewToken:
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return NewToken(f"{TOKEN_TAG}_{prefix}_{secret}", prefix, hash_secret(secret))


def split(key: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed key, else None."""
    parts = key.strip().split("_", 2)
    if len(parts) != KEY_PARTS or parts[0] != TOKEN_TAG or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def matches(secret: str, key_hash: str) -> bool:
    return secrets.compare_digest(hash_secret(secret), key_hash)
