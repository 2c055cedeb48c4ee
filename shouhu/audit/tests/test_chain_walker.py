"""The chain rules without a database: each kind of tampering is named at the right entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shouhu.audit import chain
from shouhu.audit.choices import ChainProblem

KEY = "k" * 40
T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def make_chain(length: int, key: str = KEY) -> list[dict[str, Any]]:
    rows, prev = [], chain.GENESIS
    for seq in range(1, length + 1):
        row = {
            "seq": seq,
            "at": T0 + timedelta(seconds=seq),
            "actor_id": 7,
            "actor_username": "caseworker",
            "actor_region": "370902000000",
            "action": "view",
            "object_type": "registry.child",
            "object_id": str(100 + seq),
            "region_code": "370902001001",
            "summary": f"儿童档案 {seq}",
            "detail": {"fields": ["name"], "n": seq},
            "reason": "",
            "ip": "10.0.0.1",
            "user_agent": "test",
            "request_path": f"/children/{seq}/",
        }
        row["prev_hash"] = prev
        row["hash"] = prev = chain.link(key, prev, row)
        rows.append(row)
    return rows


def walk(rows, **kwargs):
    walker = chain.ChainWalker(KEY, **kwargs)
    broken = None
    for row in rows:
        broken = walker.feed(row)
        if broken:
            break
    return walker, broken


def head_of(rows, key=KEY):
    last = rows[-1]
    return chain.Head(last["seq"], last["hash"], chain.head_seal(key, last["seq"], last["hash"]))


def test_an_untouched_chain_walks_to_its_head():
    rows = make_chain(6)
    walker, broken = walk(rows)
    assert broken is None
    assert walker.checked == 6
    assert walker.last == chain.Link(6, rows[-1]["hash"])
    assert chain.check_head(KEY, head_of(rows), walker.last) is None


def test_an_empty_log_without_a_head_is_intact():
    assert chain.check_head(KEY, None, chain.START) is None


def _alter(rows, index, **changes):
    rows[index] = {**rows[index], **changes}
    return rows


@pytest.mark.parametrize(
    ("tamper", "problem", "kind", "seq"),
    [
        (lambda r: _alter(r, 2, summary="改过的摘要"), ChainProblem.ALTERED, "altered", 3),
        (lambda r: _alter(r, 2, detail={"fields": ["name", "id_number"], "n": 3}), ChainProblem.ALTERED, "altered", 3),
        (lambda r: _alter(r, 0, at=T0), ChainProblem.ALTERED, "altered", 1),
        (lambda r: _alter(r, 4, actor_region="370911000000"), ChainProblem.ALTERED, "altered", 5),
        (lambda r: _alter(r, 2, hash="f" * 64), ChainProblem.ALTERED, "altered", 3),
        (lambda r: _alter(r, 3, prev_hash="e" * 64), ChainProblem.LINK_BROKEN, "link_broken", 4),
        (lambda r: r[:2] + r[3:], ChainProblem.MISSING, "missing_one", 3),
        (lambda r: r[:2] + r[4:], ChainProblem.MISSING, "missing_many", 3),
        (lambda r: r[1:], ChainProblem.MISSING, "missing_one", 1),
        (lambda r: [{**r[0], "seq": 0}, *r], ChainProblem.INSERTED, "inserted_out_of_order", 0),
        # A deleted entry replaced by a forgery made without the key.
        (lambda r: _alter(r, 2, summary="伪造", hash="a" * 64), ChainProblem.ALTERED, "altered", 3),
        # Renumbering the entries after a deletion changes their content (seq is hashed).
        (
            lambda r: r[:2] + [{**row, "seq": row["seq"] - 1} for row in r[3:]],
            ChainProblem.LINK_BROKEN,
            "link_broken",
            3,
        ),
    ],
)
def test_the_first_broken_link_is_named(tamper, problem, kind, seq):
    _walker, broken = walk(tamper(make_chain(6)))
    assert broken is not None
    assert (broken.problem, broken.kind, broken.seq) == (problem, kind, seq)
    assert f"#{seq}" in broken.message


def test_a_gap_names_the_missing_range():
    rows = make_chain(8)
    _walker, broken = walk(rows[:2] + rows[5:])
    assert broken.params == {"seq": 3, "first": 3, "last": 5, "prev": 2, "next": 6}
    assert "#3" in broken.message
    assert "#5" in broken.message


def test_the_walk_stops_at_the_first_break():
    rows = make_chain(6)
    rows = _alter(rows, 1, summary="x")
    rows = _alter(rows, 4, summary="y")
    walker, broken = walk(rows)
    assert broken.seq == 2
    assert walker.checked == 1
    assert walker.feed(rows[5]) is broken


def test_a_chain_made_with_another_key_is_altered_from_the_first_entry():
    _walker, broken = walk(make_chain(3, key="x" * 40))
    assert (broken.problem, broken.seq) == (ChainProblem.ALTERED, 1)


def test_a_walk_from_a_later_entry_trusts_the_one_before():
    rows = make_chain(6)
    walker, broken = walk(rows[3:], start=chain.Link(3, rows[2]["hash"]))
    assert broken is None
    assert walker.checked == 3


def test_an_entry_rewritten_with_the_key_differs_from_the_checkpoint():
    rows = make_chain(5)
    checkpoint = chain.Link(3, rows[2]["hash"])
    rewritten = make_chain(5)
    rewritten = _alter(rewritten, 2, summary="重写")
    prev = rewritten[1]["hash"]
    for row in rewritten[2:]:  # the insider re-chains everything after the change
        row["prev_hash"] = prev
        row["hash"] = prev = chain.link(KEY, prev, row)
    _walker, broken = walk(rewritten, checkpoint=checkpoint)
    assert (broken.kind, broken.seq) == ("checkpoint_differs", 3)


@pytest.mark.parametrize(
    ("case", "problem", "kind", "seq"),
    [
        ("rows deleted at the end", ChainProblem.TRUNCATED, "truncated", 5),
        ("head seal forged", ChainProblem.HEAD_ALTERED, "head_altered", 4),
        ("head hash differs", ChainProblem.HEAD_ALTERED, "head_altered", 6),
        ("head missing", ChainProblem.HEAD_MISSING, "head_missing", None),
        ("head set back to an old, validly sealed state", ChainProblem.TRUNCATED, "shorter_than_checkpoint", 5),
    ],
)
def test_the_head_must_match_the_last_entry(case, problem, kind, seq):
    rows = make_chain(6)
    checkpoint = None
    if case == "rows deleted at the end":
        walker, _ = walk(rows[:4])
        head = head_of(rows)
    elif case == "head seal forged":
        walker, _ = walk(rows[:4])
        head = chain.Head(4, rows[3]["hash"], "0" * 64)
    elif case == "head hash differs":
        walker, _ = walk(rows)
        head = chain.Head(6, "d" * 64, chain.head_seal(KEY, 6, "d" * 64))
    elif case == "head missing":
        walker, _ = walk(rows)
        head = None
    else:
        walker, _ = walk(rows[:4])
        head = head_of(rows[:4])
        checkpoint = chain.Link(6, rows[5]["hash"])
    broken = chain.check_head(KEY, head, walker.last, checkpoint=checkpoint)
    assert broken is not None, case
    assert (broken.problem, broken.kind, broken.seq) == (problem, kind, seq)


def test_an_entry_beyond_the_head_is_inserted():
    rows = make_chain(3)
    broken = chain.beyond_head(4, head_of(rows))
    assert (broken.problem, broken.seq, broken.params["head"]) == (ChainProblem.INSERTED, 4, 3)


def test_canonical_form_refuses_naive_times():
    with pytest.raises(ValueError, match="aware"):
        chain.canonical_time(datetime(2026, 1, 1))  # noqa: DTZ001  (the point of the test)


def test_canonical_form_is_the_same_in_any_time_zone():
    row = make_chain(1)[0]
    shanghai = row["at"].astimezone(ZoneInfo("Asia/Shanghai"))
    assert chain.canonical({**row, "at": shanghai}) == chain.canonical(row)
