"""The hash chain of the access log: pure functions, no database.

Each entry's ``hash`` is HMAC-SHA256 over the previous entry's hash and the entry's own
canonical content, keyed with ``SHOUHU_AUDIT_KEY`` (kept outside the database). Altering,
inserting or deleting a row breaks the chain at that row; without the key nobody can
recompute a consistent chain after tampering. The chain head (last sequence number and
hash) carries a seal under the same key, so that deleting entries at the end and setting
the head back is detected too.

``ChainWalker`` checks entries fed to it in sequence order and names the first broken link;
``check_head`` compares the end of the walk with the head. The service that reads the
database in batches is ``shouhu.audit.services.verify_chain``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shouhu.audit.choices import ChainProblem, describe_break

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


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes hashed for one entry: sorted-key JSON of the hashed fields."""
    payload = {name: content.get(name) for name in HASHED_FIELDS}
    if isinstance(payload["at"], datetime):
        payload["at"] = canonical_time(payload["at"])
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def link(key: str, prev_hash: str, content: Mapping[str, Any]) -> str:
    """The hash of an entry that follows ``prev_hash``."""
    return hmac.new(key.encode(), prev_hash.encode() + b"\n" + canonical(content), hashlib.sha256).hexdigest()


def head_seal(key: str, seq: int, hash_: str) -> str:
    """The seal of the chain head: only the holder of the key can move the head."""
    return hmac.new(key.encode(), f"head\n{seq}\n{hash_}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Link:
    """A position in the chain: an entry's sequence number and hash."""

    seq: int
    hash: str


START = Link(0, GENESIS)


@dataclass(frozen=True)
class Break:
    """The first broken link: where (``seq``), what (``problem``) and the message's values."""

    problem: ChainProblem
    kind: str
    seq: int | None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The sentence in the active language."""
        return describe_break(self.kind, self.params)


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    seal: str


@dataclass
class ChainWalker:
    """Checks entries fed in ascending ``seq`` order, from ``start``; stops at the first break.

    ``checkpoint`` is the last link an earlier verification found intact: reaching its
    sequence number with another hash means the log was rewritten by someone with the key.
    """

    key: str
    start: Link = START
    checkpoint: Link | None = None
    last: Link = field(init=False)
    checked: int = field(init=False, default=0)
    broken: Break | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.last = self.start

    def feed(self, row: Mapping[str, Any]) -> Break | None:
        """Check one entry (a mapping of the hashed fields plus ``prev_hash`` and ``hash``)."""
        if self.broken is not None:
            return self.broken
        seq = int(row["seq"])
        expected = self.last.seq + 1
        if seq < expected:
            return self._break(ChainProblem.INSERTED, "inserted_out_of_order", seq, prev=self.last.seq)
        if seq > expected:
            kind = "missing_one" if seq == expected + 1 else "missing_many"
            return self._break(
                ChainProblem.MISSING, kind, expected, first=expected, last=seq - 1, prev=self.last.seq, next=seq
            )
        if row["prev_hash"] != self.last.hash:
            return self._break(ChainProblem.LINK_BROKEN, "link_broken", seq, prev=self.last.seq)
        if not hmac.compare_digest(link(self.key, row["prev_hash"], row), str(row["hash"])):
            return self._break(ChainProblem.ALTERED, "altered", seq)
        if self.checkpoint is not None and seq == self.checkpoint.seq and row["hash"] != self.checkpoint.hash:
            return self._break(ChainProblem.ALTERED, "checkpoint_differs", seq)
        self.last = Link(seq, str(row["hash"]))
        self.checked += 1
        return None

    def _break(self, problem: ChainProblem, kind: str, seq: int, **params: Any) -> Break:
        self.broken = Break(problem, kind, seq, {"seq": seq, **params})
        return self.broken


def check_head(key: str, head: Head | None, last: Link, *, checkpoint: Link | None = None) -> Break | None:
    """Compare the end of a walk that stopped at ``head.seq`` with the sealed head.

    ``last`` is the last intact entry the walk reached (``START`` for an empty log).
    """
    if head is None:
        if last != START:
            return Break(ChainProblem.HEAD_MISSING, "head_missing", None, {})
        return None
    if not hmac.compare_digest(head_seal(key, head.seq, head.hash), head.seal):
        return Break(ChainProblem.HEAD_ALTERED, "head_altered", head.seq, {"head": head.seq})
    if checkpoint is not None and checkpoint.seq > head.seq:
        return Break(
            ChainProblem.TRUNCATED,
            "shorter_than_checkpoint",
            head.seq + 1,
            {"last": head.seq, "checkpoint": checkpoint.seq},
        )
    if last.seq < head.seq:
        return Break(ChainProblem.TRUNCATED, "truncated", last.seq + 1, {"head": head.seq, "last": last.seq})
    if last.hash != head.hash:
        return Break(ChainProblem.HEAD_ALTERED, "head_altered", head.seq, {"head": head.seq})
    return None


def beyond_head(seq: int, head: Head | None) -> Break:
    """An entry found after the head: written outside the log."""
    return Break(
        ChainProblem.INSERTED, "inserted_beyond_head", seq, {"seq": seq, "head": head.seq if head is not None else 0}
    )
