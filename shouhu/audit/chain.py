"""The hash chain of the access log: pure functions, no database.

Each entry's ``hash`` is HMAC-SHA256 over the previous entry's hash and the entry's own
canonical content, keyed with ``SHOUHU_AUDIT_KEY`` (kept outside the database). Altering,
inserting or deleting a row breaks the chain at that row; without the key nobody can
recompute a consistent chain after tampering.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
# The fields covered by the hash, in this order (adding one is a new chain version).
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_region",
    "action",
    "object_type",
    "object_id",
    "region_code",
    "summary",
    "detail",
    "reason",
    "ip",
    "user_agent",
    "request_path",
)


def canonical_time(value: datetime) -> str:
    """An aware instant as UTC ISO-8601 with microseconds (the form both databases keep)."""
    if value.tzinfo is None:
        raise ValueError("access-log instants must be aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes hashed for one entry: sorted-key JSON of the hashed fields."""
    payload = {name: content.get(name) for name in HASHED_FIELDS}
    if isinstance(payload["at"], datetime):
        payload["at"] = canonical_time(payload["at"])
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def link(key: str, prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of an entry that follows ``prev_hash``."""
    return hmac.new(key.encode(), prev_hash.encode() + b"\n" + canonical(content), hashlib.sha256).hexdigest()
