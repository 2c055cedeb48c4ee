"""The duplicate guard's hook: which children already on file may be the child being registered.

Issue 3 ships a simple finder (DESIGN.md "Matching", issue 3 item 6): the same identity number
(keyed hash) is the same child; without it, a child of the same birth date and sex in the same
county whose name is the same, differs by one character, or matches a former name. Issue 4's
matching engine (pinyin-aware similarity, guardian and phone evidence) plugs in with
``register_finder(..., replace=True)``; callers only ever call ``find_possible_duplicates``.

Candidates are looked for in the whole county, whatever the actor sees, so that a second file is
not opened for a child another village already keeps; ``Candidate.visible`` says whether the
actor may open the candidate's file (a view shows only that a match exists otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext_noop

from shouhu.core.policy import policy_for
from shouhu.registry.choices import FileStatus
from shouhu.registry.facts import Reason
from shouhu.registry.models import Child

if TYPE_CHECKING:
    from shouhu.accounts.models import User

SAME_ID_NUMBER = 1.0
SAME_NAME = 0.9
FORMER_NAME = 0.8
ONE_CHARACTER = 0.7
# Names differing in more characters are not candidates of the default finder.
MAX_DIFFERENT_CHARACTERS = 1


@dataclass(frozen=True)
class Candidate:
    """A child on file who may be the one being registered, how likely (0-1) and why."""

    child: Child
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    visible: bool = True
    band: str = ""  # the finder's band in the reader's language (确定 / 很可能 / 可能), when it has bands

    @property
    def explanation(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.reasons]


@dataclass(frozen=True)
class Query:
    """What a finder gets: the new child's facts and what to leave out."""

    name: str
    birth_date: date | None
    sex: str | None
    village_code: str
    id_number_hash: str = ""
    exclude_pk: int | None = None
    limit: int = 10


class Finder(Protocol):
    def __call__(self, query: Query) -> list[Candidate]: ...


_FINDERS: list[Finder] = []


def register_finder(finder: Finder, *, replace: bool = False) -> Finder:
    """Add ``finder`` (or, with ``replace``, make it the only one: issue 4's engine)."""
    if replace:
        _FINDERS.clear()
    if finder not in _FINDERS:
        _FINDERS.append(finder)
    return finder


def registered_finders() -> list[Finder]:
    return list(_FINDERS)


def find_possible_duplicates(
    *,
    actor: User | None,
    name: str,
    birth_date: date | None,
    sex: str | None,
    village_code: str,
    id_number_hash: str = "",
    exclude_pk: int | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """Children on file who may be this child, best first, each marked visible or not to ``actor``."""
    query = Query(
        name=normalise_name(name),
        birth_date=birth_date,
        sex=sex,
        village_code=village_code,
        id_number_hash=id_number_hash,
        exclude_pk=exclude_pk,
        limit=limit,
    )
    best: dict[int, Candidate] = {}
    for finder in _FINDERS:
        for candidate in finder(query):
            known = best.get(candidate.child.pk)
            if known is None or candidate.score > known.score:
                best[candidate.child.pk] = candidate
    ranked = sorted(best.values(), key=lambda c: (-c.score, c.child.pk))[:limit]
    return _mark_visibility(actor, ranked)


def _mark_visibility(actor: User | None, candidates: list[Candidate]) -> list[Candidate]:
    if not candidates:
        return candidates
    if actor is None:
        visible: set[int] = set()
    else:
        pks = [c.child.pk for c in candidates]
        visible = set(policy_for(Child).visible(actor).filter(pk__in=pks).values_list("pk", flat=True))
    return [replace(c, visible=c.child.pk in visible) for c in candidates]


def normalise_name(name: str) -> str:
    """A name as compared: without spaces and the middle dots of transcribed names (·, •, ・)."""
    return "".join(ch for ch in name.strip() if not ch.isspace() and ch not in "·•・.")


def different_characters(a: str, b: str) -> int:
    """Characters to change, insert or delete to turn ``a`` into ``b`` (Levenshtein; names are short)."""
    if a == b:
        return 0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def name_evidence(name: str, child_name: str, former_names: Iterable[str]) -> tuple[float, Reason] | None:
    """How the name supports a match: the same, a former name, one character apart, or not at all."""
    stored = normalise_name(child_name)
    if name and name == stored:
        return SAME_NAME, Reason(gettext_noop("Same name"))
    formers = [normalise_name(n) for n in former_names if n]
    if name and name in formers:
        return FORMER_NAME, Reason(gettext_noop("The name is a former name of this child"))
    if name and stored and different_characters(name, stored) <= MAX_DIFFERENT_CHARACTERS:
        return ONE_CHARACTER, Reason(gettext_noop("The names differ by one character"), {"name": child_name})
    return None


def default_finder(query: Query) -> list[Candidate]:
    """Same identity number; or same birth date, sex and county with a similar name (the index
    ``child_birth_sex_county`` answers the second in one range)."""
    found: list[Candidate] = []
    live = Child.objects.exclude(status=FileStatus.MERGED)
    if query.exclude_pk is not None:
        live = live.exclude(pk=query.exclude_pk)
    if query.id_number_hash:
        for child in live.filter(id_number_hash=query.id_number_hash).select_related("village")[: query.limit]:
            found.append(Candidate(child, SAME_ID_NUMBER, (Reason(gettext_noop("Same identity number")),)))
    if query.birth_date is None or not query.sex or not query.village_code:
        return found
    county = query.village_code[:6]
    same_facts = live.filter(birth_date=query.birth_date, sex=query.sex, county_code=county).select_related("village")
    if query.id_number_hash:
        # A child with another identity number is another child (twins share the rest).
        same_facts = same_facts.filter(id_number_hash__in=["", query.id_number_hash])
    facts_reason = Reason(
        gettext_noop("Same date of birth and sex in the same county"), {"birth_date": query.birth_date.isoformat()}
    )
    for child in same_facts[:200]:
        evidence = name_evidence(query.name, child.name, child.former_names or [])
        if evidence is not None:
            score, reason = evidence
            found.append(Candidate(child, score, (reason, facts_reason)))
    return found


register_finder(default_finder)

FinderFunction = Callable[[Query], list[Candidate]]
