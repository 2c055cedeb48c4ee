"""Online search: the children on file who may be the person described, best first, with the evidence.

One search is a fixed number of queries, whatever the size of the registry (DESIGN.md "Matching"):

1. **Blocks** — one statement (``UNION ALL`` of index scans, then ``GROUP BY``) gathers the ids of
   the children that share something with the record (``keys.search_keys``): the same identity
   number (keyed hash, ``registry_child``); a whole-name key with a possible birth year anywhere in
   the scope; a whole-name key alone within the county; the birth date with the sex within the city
   (the registry's index ``child_birth_sex_county``); a key of part of the name with the likeliest
   birth years, or alone within the township. Children are ranked by how much they share (an
   identity number outweighs everything, then whole names, the birth date, parts of names), then by
   nearness to the record's village, township, county; at most ``CANDIDATES`` are kept (at a
   million children the blocks read a few thousand index entries and keep 100).
2. **Candidates** — the children with their families (names and phones of the guardians): one
   statement on PostgreSQL, two queries elsewhere, read as plain rows into ``PersonRecord``s; the
   few ranked files are then read as objects (one query). A candidate's identity number is
   decrypted only when the record has one in clear, only to compare it, and never leaves this
   module.
3. **Ranking** — ``engine.rank`` (Fellegi-Sunter score, band, evidence field by field); the bands'
   thresholds are policy settings.

``search`` is the entry point of screens (identity search, intake): it checks the actor, marks which
candidates the actor may open (the others show only that a file exists and how likely, nothing of
it), and writes the access log. ``find`` is the same without an actor, for the registry's duplicate
guard (``finder``, registered in ``MatchingConfig.ready``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from shouhu.core import crypto
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import NotAllowedError
from shouhu.core.policy import policy_for
from shouhu.matching import engine, keys, names, permissions
from shouhu.matching.compare import FIELDS, Field, prepare
from shouhu.matching.engine import Band, Match, WeighedEvidence
from shouhu.matching.models import MatchKey, PairReview, ReviewStatus
from shouhu.matching.record import PersonRecord
from shouhu.policy import selectors as policy_selectors
from shouhu.regions import codes
from shouhu.registry import duplicates, explain, idnumber
from shouhu.registry.choices import FileStatus
from shouhu.registry.facts import Reason
from shouhu.registry.models import Child, Kinship, Person
from shouhu.registry.permissions import registry_scope_code
from shouhu.registry.services import id_number_lookup_hash

if TYPE_CHECKING:
    from django.http import HttpRequest

    from shouhu.accounts.models import User

logger = logging.getLogger(__name__)

# Children scored at most per search: the best of the blocks by what they share with the record.
CANDIDATES = 100
# Weights of what a child shares with the record when the blocks are ranked: the same number above
# all; a whole-name key (with the year, or in the county) above the birth date and sex, above a key
# of part of the name (one syllable dropped, the given name alone).
SAME_NUMBER_HITS = 1000
WHOLE_NAME_HITS = 4
BIRTH_HITS = 3
PART_NAME_HITS = 1
CITY_DIGITS = 4
COUNTY_DIGITS = 6
TOWNSHIP_DIGITS = 9
# Among children who share as much, those of the record's own village, township, county come first.
HOME_HITS = ((codes.CODE_LENGTH, 3), (TOWNSHIP_DIGITS, 2), (COUNTY_DIGITS, 1))
OBJECT_TYPE = "registry.child"
STALE_CHECK_SECONDS = 300.0

OUTSIDE_JURISDICTION = gettext_noop(
    "The region %(code)s is outside your jurisdiction: it was not used; the search went on with the rest"
)
NOTHING_TO_SEARCH = gettext_noop("Nothing to search on: give a name, a date of birth or an identity number")


# The fields of a comparison as a screen names them.
FIELD_LABELS = {
    Field.ID_NUMBER: pgettext_lazy("match field", "Identity number"),
    Field.NAME: pgettext_lazy("match field", "Name"),
    Field.BIRTH: pgettext_lazy("match field", "Date of birth"),
    Field.SEX: pgettext_lazy("match field", "Sex"),
    Field.REGION: pgettext_lazy("match field", "Where the child lives"),
    Field.GUARDIAN: pgettext_lazy("match field", "Guardians"),
    Field.PHONE: pgettext_lazy("match field", "Phone"),
}


@dataclass(frozen=True)
class FieldEvidence:
    """One field of a comparison as a screen shows it: the level, its weight and the sentence."""

    field: str
    level: str
    weight: float  # bits for (positive) or against (negative) the same child; 0: not compared
    reason: Reason | None  # None when the field is missing on one side

    @property
    def label(self) -> str:
        """The field's name in the reader's language."""
        return str(FIELD_LABELS.get(Field(self.field), self.field))

    @property
    def text(self) -> str:
        """The sentence in the reader's language ("" when the field was not compared)."""
        return explain.render_one(self.reason) if self.reason is not None else ""

    @property
    def direction(self) -> str:
        """``for``, ``against`` or ``neutral``."""
        if self.weight > 0:
            return "for"
        if self.weight < 0:
            return "against"
        return "neutral"

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "level": self.level,
            "weight": round(self.weight, 2),
            "direction": self.direction,
            "reason": self.reason.as_json() if self.reason is not None else None,
        }


@dataclass(frozen=True)
class Candidate:
    """A child on file who may be the person searched for.

    ``match`` (the evidence) is None when the searcher may not open the file: such a candidate says
    only that a file exists, and its band.
    """

    child: Child
    probability: float
    band: Band
    visible: bool
    match: Match | None

    @property
    def band_label(self) -> str:
        return str(self.band.label)

    def evidence(self) -> list[FieldEvidence]:
        """Every field in the engine's order: level, weight and sentence (empty when not visible)."""
        if self.match is None:
            return []
        weighed: dict[str, list[WeighedEvidence]] = {}
        for e in (*self.match.evidence_for, *self.match.evidence_against):
            weighed.setdefault(str(e.field), []).append(e)
        comparison = self.match.comparison
        lines = []
        for name in FIELDS:
            key = str(name)
            if key in weighed:
                # The field's own level first, then what qualifies it (a common name: ``model`` rule 4).
                for e in sorted(weighed[key], key=lambda e: e.level in engine.QUALIFYING_LEVELS):
                    lines.append(FieldEvidence(key, e.level, e.weight, e.reason))
            elif comparison is not None:
                item = next(x for x in comparison.evidence if str(x.field) == key)
                lines.append(FieldEvidence(key, item.level, 0.0, item.reason))
        return lines

    def as_json(self) -> dict[str, Any]:
        """Plain JSON for a screen or an API (nothing of a file the searcher may not open)."""
        data: dict[str, Any] = {
            "pk": self.child.pk,
            "visible": self.visible,
            "probability": round(self.probability, 4),
            "band": self.band.value,
        }
        if self.match is not None:
            data["evidence"] = [line.as_json() for line in self.evidence()]
            data["guards"] = [reason.as_json() for reason in self.match.guards]
            data["unused"] = [reason.as_json() for reason in self.match.unused]
        return data


class SearchResult(list[Candidate]):
    """The candidates, best first, with what the search itself could not use (``notes``)."""

    def __init__(
        self,
        candidates: Iterable[Candidate] = (),
        *,
        notes: Sequence[Reason] = (),
        unused: Sequence[Reason] = (),
        examined: int = 0,
    ):
        super().__init__(candidates)
        self.notes = tuple(notes)  # what the search did not use (a region outside the jurisdiction)
        self.unused = tuple(unused)  # what the engine could not read in the record, and why
        self.examined = examined  # children scored


@dataclass(frozen=True)
class Where:
    """Where the blocks look (prefixes of division codes): ``scope`` bounds every block, ``near`` the
    blocks of a name alone (a county), ``wide`` the birth-date block (a city); ``home`` is the record's
    own region, whose files rank first among equals (same village, township, county)."""

    scope: str = ""
    near: str | None = None
    wide: str | None = None
    home: str | None = None


@dataclass
class _Found:
    matches: list[tuple[Child, Match]] = field(default_factory=list)
    examined: int = 0


# -- the search ------------------------------------------------------------------------------------


def search(
    actor: User,
    record: PersonRecord,
    *,
    limit: int = 10,
    scope: str | None = None,
    exclude_pk: int | None = None,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> SearchResult:
    """The children on file who may be ``record``, best first (at most ``limit``), for ``actor``.

    ``scope`` (a division code) bounds the search; without it the name and year of birth are looked
    for everywhere, the name alone and the birth date within the county of ``record.region_code``
    (or of the actor's jurisdiction). A region the actor may not see is not used (said in
    ``notes``). Candidates the actor may not open come back with ``visible=False`` and no evidence.
    Every search is written to the access log.
    """
    if not permissions.may_search(actor):
        raise NotAllowedError()
    on = on or policy_selectors.today()
    notes: list[Reason] = []
    jurisdiction = registry_scope_code(actor) or ""
    if record.region_code and not _within(record.region_code, jurisdiction):
        notes.append(Reason(OUTSIDE_JURISDICTION, {"code": record.region_code}))
        record = _without_region(record)
    where = _where(record, scope=scope, fallback=jurisdiction)
    found = _find(record, where=where, limit=limit, exclude_pk=exclude_pk, on=on)
    if not keys.search_keys(record, on=on) and not _hash_of(record):
        notes.append(Reason(NOTHING_TO_SEARCH))
    visible = _visible(actor, [child.pk for child, _match in found.matches])
    result = SearchResult(
        (_candidate(child, match, visible=child.pk in visible) for child, match in found.matches),
        notes=notes,
        unused=prepare(record, on=on).unused,
        examined=found.examined,
    )
    record_access(
        actor=actor,
        action=AccessAction.SEARCH,
        object_type=OBJECT_TYPE,
        region_code=record.region_code if _is_code(record.region_code) else jurisdiction.ljust(12, "0")[:12],
        summary=_("Search for a child: %(count)d candidates") % {"count": len(result)},
        detail={
            "record": logged_record(record),
            "scope": scope or "",
            "count": len(result),
            "candidates": [c.child.pk for c in result if c.visible],
            "elsewhere": sum(1 for c in result if not c.visible),
        },
        request=request,
    )
    return result


def find(
    record: PersonRecord,
    *,
    limit: int = 10,
    scope: str | None = None,
    near: str | None = None,
    exclude_pk: int | None = None,
    on: date | None = None,
) -> list[tuple[Child, Match]]:
    """``search`` without an actor, a log or visibility: the children and their matches, best first.

    For the system's own checks (the duplicate guard of registrations and imports); a screen calls
    ``search``.
    """
    on = on or policy_selectors.today()
    where = _where(record, scope=scope, fallback=near or "")
    return _find(record, where=where, limit=limit, exclude_pk=exclude_pk, on=on).matches


def _find(record: PersonRecord, *, where: Where, limit: int, exclude_pk: int | None, on: date) -> _Found:
    _warn_if_stale()
    pks = candidate_ids(record, where=where, on=on, exclude_pk=exclude_pk)
    if not pks:
        return _Found()
    if exclude_pk is not None:
        apart = decided_apart(exclude_pk)
        pks = [pk for pk in pks if pk not in apart]
    with_number = bool(record.id_number and idnumber.normalise(record.id_number))
    candidates = records(pks, with_id_number=with_number)
    ranked = engine.rank(
        record,
        candidates.items(),
        on=on,
        limit=limit,
        thresholds=engine.thresholds(on),
        name_count=namesakes(record, on_file=exclude_pk is not None),
    )
    if not ranked:
        return _Found(examined=len(candidates))
    files = Child.objects.select_related("village").in_bulk([pk for pk, _match in ranked])
    return _Found(matches=[(files[pk], match) for pk, match in ranked], examined=len(candidates))


def namesakes(record: PersonRecord, *, on_file: bool = False) -> int:
    """The files under the key of the record's name, and the record itself unless it is one of them
    (``on_file``): the count ``model`` rule 4 weighs the name by (0 without a name)."""
    key = names.current_name_key(record.names)
    if not key:
        return 0
    return keys.name_counts([key]).get(key, 0) + (0 if on_file else 1)


_stale_checked = {"at": -STALE_CHECK_SECONDS}


def _warn_if_stale() -> None:
    """Log (at most every few minutes, not a query per search) when the keys need ``matching_reindex``."""
    now = time.monotonic()
    if now - _stale_checked["at"] < STALE_CHECK_SECONDS:
        return
    _stale_checked["at"] = now
    if keys.stale():
        logger.warning("search keys were built by other key functions: run manage.py matching_reindex")


# -- 1. blocks -------------------------------------------------------------------------------------


def _is_code(code: str) -> bool:
    return len(code) == codes.CODE_LENGTH and code.isascii() and code.isdigit()


def _prefix(code: str) -> str | None:
    """The significant prefix of a division code (12 digits) or of a prefix (2-12 digits), or None."""
    if not code or not code.isascii() or not code.isdigit():
        return None
    if len(code) == codes.CODE_LENGTH:
        try:
            return codes.prefix_of(code)
        except codes.CodeError:
            return None
    return code if len(code) <= codes.CODE_LENGTH else None


def _within(code: str, jurisdiction: str) -> bool:
    prefix = _prefix(code)
    outer = _prefix(jurisdiction) if jurisdiction else ""
    if prefix is None or outer is None:
        return True  # a malformed code is the engine's to explain; no jurisdiction: everywhere
    return prefix.startswith(outer)


def _without_region(record: PersonRecord) -> PersonRecord:
    return replace(record, region_code="")


def _where(record: PersonRecord, *, scope: str | None, fallback: str) -> Where:
    """The scope's prefix, and the county (or narrower scope) of the record's region or of ``fallback``."""
    bound = _prefix(scope or "") or ""
    home = _prefix(record.region_code)
    base = home or _prefix(fallback) or None

    def within_scope(prefix: str | None) -> str | None:
        if bound and (prefix is None or not prefix.startswith(bound)):
            return bound  # the region reaches beyond the scope, or lies outside it
        return prefix

    near = within_scope(base[:COUNTY_DIGITS] if base is not None else None)
    wide = within_scope(base[:CITY_DIGITS] if base is not None else None)
    return Where(scope=bound, near=near, wide=wide, home=home if home and len(home) >= COUNTY_DIGITS else None)


def _hash_of(record: PersonRecord) -> str:
    if record.id_number_hash:
        return record.id_number_hash
    if record.id_number:
        return id_number_lookup_hash(record.id_number)
    return ""


class _Blocks:
    """The parts of the blocks statement and their parameters, built block by block."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []
        self.keys = connection.ops.quote_name(MatchKey._meta.db_table)
        self.children = connection.ops.quote_name(Child._meta.db_table)

    def bounded(self, column: str, prefix: str) -> str:
        if not prefix:
            return ""
        low, high = codes.prefix_bounds(prefix)
        self.params.append(low)
        if high is None:
            return f" AND {column} >= %s"
        self.params.append(high)
        return f" AND {column} >= %s AND {column} < %s"

    def keyed(self, wanted: Iterable[str], prefix: str, hits: int) -> None:
        """Children stored under any of ``wanted`` (within ``prefix``): an index-only scan of matchkey_lookup."""
        ordered = sorted(wanted)
        if not ordered:
            return
        marks = ", ".join(["%s"] * len(ordered))
        sql = f"SELECT child_id, {hits} AS hits, village_code AS village FROM {self.keys} WHERE key IN ({marks})"  # noqa: S608 (names from the models)
        self.params.extend(ordered)
        self.parts.append(sql + self.bounded("village_code", prefix))

    def born(self, births: Sequence[date], sexes: Sequence[str], near: str) -> None:
        """Children of a birth date and sex (within ``near``): the registry's index child_birth_sex_county
        (at a million children in a city, about 80 of a birth date and sex)."""
        dates = ", ".join(["%s"] * len(births))
        marks = ", ".join(["%s"] * len(sexes))
        sql = (
            f"SELECT id AS child_id, {BIRTH_HITS} AS hits, village_id AS village FROM {self.children} "  # noqa: S608
            f"WHERE birth_date IN ({dates}) AND sex IN ({marks}) AND status <> %s"
        )
        self.params.extend([*births, *sexes, FileStatus.MERGED.value])
        if len(near) >= COUNTY_DIGITS:
            sql += " AND county_code = %s"
            self.params.append(near[:COUNTY_DIGITS])
            sql += self.bounded("village_id", near if len(near) > COUNTY_DIGITS else "")
        elif near:
            # A city or province: a range of county codes (the index's third column).
            following = str(int(near) + 1).zfill(len(near))
            sql += " AND county_code >= %s" + (" AND county_code < %s" if len(following) == len(near) else "")
            self.params += [near, following] if len(following) == len(near) else [near]
        self.parts.append(sql)

    def numbered(self, number_hash: str, scope: str) -> None:
        """The child of an identity number (keyed hash): the registry's index child_id_number_hash."""
        sql = (
            f"SELECT id AS child_id, {SAME_NUMBER_HITS} AS hits, village_id AS village FROM {self.children} "  # noqa: S608
            "WHERE id_number_hash = %s AND status <> %s"
        )
        self.params.extend([number_hash, FileStatus.MERGED.value])
        self.parts.append(sql + self.bounded("village_id", scope))

    @staticmethod
    def home(home: str | None) -> tuple[str, list[str]]:
        """The bonus of the record's own village, township or county (the highest that applies)."""
        cases: list[str] = []
        params: list[str] = []
        for digits, hits in HOME_HITS:
            if home is not None and len(home) >= digits:
                low, high = codes.prefix_bounds(home[:digits])
                cases.append(f"WHEN village >= %s AND village < %s THEN {hits}")
                params += [low, high or "9" * codes.CODE_LENGTH]
        return (f"CASE {' '.join(cases)} ELSE 0 END" if cases else "0"), params

    def best(self, *, exclude_pk: int | None, limit: int, home: str | None) -> list[int]:
        """The children found, most shared first, then nearest the record's region: one statement."""
        if not self.parts:
            return []
        union = " UNION ALL ".join(self.parts)
        bonus, bonus_params = self.home(home)
        self.params[:0] = bonus_params  # the bonus comes first in the statement
        exclude = ""
        if exclude_pk is not None:
            exclude = " WHERE child_id <> %s"
            self.params.append(exclude_pk)
        self.params.append(limit)
        sql = (
            f"SELECT child_id, SUM(hits) + MAX({bonus}) AS shared FROM ({union}) blocks{exclude} "  # noqa: S608
            "GROUP BY child_id ORDER BY shared DESC, child_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            return [int(row[0]) for row in cursor.fetchall()]


def candidate_ids(record: PersonRecord, *, where: Where, on: date, exclude_pk: int | None = None) -> list[int]:
    """The children the blocks find, most shared first, at most ``CANDIDATES`` (one statement)."""
    asked = keys.search_keys(record, on=on)
    blocks = _Blocks()
    whole, part = asked.split(asked.everywhere)
    blocks.keyed(whole, where.scope, WHOLE_NAME_HITS)
    # Part of a name (a syllable dropped, the given name alone) is a wide block: with the year of
    # birth only for the years an age reads most likely, and alone only near the record's home.
    core = keys.core_years(asked.years)
    blocks.keyed({k for k in part if int(k[1 : k.index("|")]) in core}, where.scope, PART_NAME_HITS)
    if where.near is not None and len(where.near) >= COUNTY_DIGITS:
        whole, part = asked.split(asked.nearby)
        blocks.keyed(whole, where.near, WHOLE_NAME_HITS)
        home = where.home if where.home is not None and where.home.startswith(where.near) else where.near
        blocks.keyed(part, home[:TOWNSHIP_DIGITS], PART_NAME_HITS)
    if asked.births:
        blocks.born(asked.births, asked.sexes, where.wide if where.wide is not None else where.scope)
    number_hash = _hash_of(record)
    if number_hash:
        blocks.numbered(number_hash, where.scope)
    return blocks.best(exclude_pk=exclude_pk, limit=CANDIDATES, home=where.home)


# -- 2. candidates ---------------------------------------------------------------------------------

RECORD_COLUMNS = (
    "id",
    "name",
    "former_names",
    "sex",
    "birth_date",
    "id_number_cipher",
    "id_number_hash",
    "phones",
    "village_id",
    "residence_address",
)


CHILD_COLUMNS = (*RECORD_COLUMNS, "county_code", "status")


def records(pks: Sequence[int], *, with_id_number: bool = False) -> dict[int, PersonRecord]:
    """The files (not merged) as the engine reads them, by primary key (in its order).

    Plain rows rather than model instances: building a few hundred children with their families as
    objects costs more than the search's whole budget. On PostgreSQL one statement (the family's
    names and phones gathered by a lateral join, the keys as one array parameter: at a hundred
    candidates half the time of two ORM queries, most of it Python's); elsewhere two queries. The
    clear identity number only when asked.
    """
    if not pks:
        return {}
    rows = _rows_postgresql(pks) if connection.vendor == "postgresql" else _rows(pks)
    found: dict[int, PersonRecord] = {}
    for pk, name, former, sex, born, cipher, number_hash, phones, village, address, members in rows:
        found[pk] = PersonRecord(
            names=(name, *(former or ())),
            sex=sex or None,
            birth_date=born,
            id_number=crypto.decrypt(cipher) if with_id_number and cipher else "",
            id_number_hash=number_hash,
            phones=tuple(phones or ()),
            region_code=village,
            address=address,
            guardian_names=tuple(n for n, _p in members if n),
            guardian_phones=tuple(p for _n, p in members if p),
        )
    return found


Row = tuple[int, str, Any, str, Any, str, str, Any, str, str, list[tuple[str, str]]]


def _rows(pks: Sequence[int]) -> Iterable[Row]:
    family: dict[int, list[tuple[str, str]]] = {}
    for child_id, name, phone in (
        Kinship.objects.filter(child_id__in=pks).order_by("pk").values_list("child_id", "person__name", "person__phone")
    ):
        family.setdefault(child_id, []).append((name, phone))
    children = (
        Child.objects.filter(pk__in=pks).exclude(status=FileStatus.MERGED).order_by("pk").values_list(*RECORD_COLUMNS)
    )
    for row in children:
        yield (*row, family.get(row[0], []))


def _json_list(value: Any) -> list[Any]:
    """A JSON column read raw: Django has psycopg hand jsonb over as text."""
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, list) else []


def _rows_postgresql(pks: Sequence[int]) -> Iterable[Row]:
    quote = connection.ops.quote_name
    child, kinship, person = (quote(m._meta.db_table) for m in (Child, Kinship, Person))
    columns = ", ".join(f"c.{quote(name)}" for name in RECORD_COLUMNS)  # attnames, the columns' names
    sql = (
        f"SELECT {columns}, f.names, f.phones FROM {child} c LEFT JOIN LATERAL ("  # noqa: S608 (names from the models)
        f"SELECT array_agg(p.name ORDER BY k.id) AS names, array_agg(p.phone ORDER BY k.id) AS phones "
        f"FROM {kinship} k JOIN {person} p ON p.id = k.person_id WHERE k.child_id = c.id) f ON TRUE "
        "WHERE c.id = ANY(%s) AND c.status <> %s ORDER BY c.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(pks), FileStatus.MERGED.value])
        rows = cursor.fetchall()
    former, phones_at = RECORD_COLUMNS.index("former_names"), RECORD_COLUMNS.index("phones")
    for *row, family_names, family_phones in rows:
        row[former], row[phones_at] = _json_list(row[former]), _json_list(row[phones_at])
        yield (*row, list(zip(family_names or (), family_phones or (), strict=True)))  # type: ignore[misc]


def load(pks: Sequence[int], *, merged: bool = False) -> list[Child]:
    """The children (not merged, unless ``merged``) with their family's names and phones: two queries."""
    family = Kinship.objects.select_related("person").only(
        "child_id", "relation", "is_guardian", "person__name", "person__phone"
    )
    children = Child.objects.filter(pk__in=pks)
    if not merged:
        children = children.exclude(status=FileStatus.MERGED)
    return list(children.only(*CHILD_COLUMNS).prefetch_related(Prefetch("kinships", queryset=family)).order_by("pk"))


def child_record(child: Child, *, with_id_number: bool = False) -> PersonRecord:
    """A child's file as the engine reads it; the clear identity number only when asked for."""
    members = list(child.kinships.all())
    guardian_names = tuple(k.person.name for k in members if k.person.name)
    guardian_phones = tuple(k.person.phone for k in members if k.person.phone)
    number = ""
    if with_id_number and child.id_number_cipher:
        number = crypto.decrypt(child.id_number_cipher)
    return PersonRecord(
        names=(child.name, *(child.former_names or ())),
        sex=child.sex or None,
        birth_date=child.birth_date,
        id_number=number,
        id_number_hash=child.id_number_hash,
        phones=tuple(child.phones or ()),
        region_code=child.village_id,
        address=child.residence_address,
        guardian_names=guardian_names,
        guardian_phones=guardian_phones,
    )


def decided_apart(pk: int) -> set[int]:
    """The files a person decided are not the same child as file ``pk``: never proposed again."""
    pairs = PairReview.objects.filter(Q(child_a_id=pk) | Q(child_b_id=pk), status=ReviewStatus.NOT_SAME)
    return {b if a == pk else a for a, b in pairs.values_list("child_a_id", "child_b_id")}


# -- 3. results ------------------------------------------------------------------------------------


def _visible(actor: User, pks: list[int]) -> set[int]:
    if not pks:
        return set()
    return set(policy_for(Child).visible(actor).filter(pk__in=pks).values_list("pk", flat=True))


def _candidate(child: Child, match: Match, *, visible: bool) -> Candidate:
    assert match.band is not None  # noqa: S101  (rank keeps only candidates that reach a band)
    return Candidate(
        child=child, probability=match.probability, band=match.band, visible=visible, match=match if visible else None
    )


def logged_record(record: PersonRecord) -> dict[str, Any]:
    """What the access log keeps of a search: what was given, the identity number masked."""
    logged: dict[str, Any] = {}
    for name in ("names", "sex", "birth_date", "birth_year", "age", "region_code", "guardian_names"):
        value = getattr(record, name)
        if value:
            logged[name] = value.isoformat() if isinstance(value, date) else value
    if record.id_number:
        text = idnumber.normalise(record.id_number)
        logged["id_number"] = idnumber.mask(text) if idnumber.is_valid(text) else "*" * len(text)
    elif record.id_number_hash:
        logged["id_number"] = "(keyed hash)"
    if record.phones or record.guardian_phones:
        logged["phones"] = len(record.phones) + len(record.guardian_phones)
    return logged


# -- the registry's duplicate guard ----------------------------------------------------------------


def finder(query: duplicates.Query) -> list[duplicates.Candidate]:
    """The registry's duplicate finder (``duplicates.register_finder``): the children who may be the
    one being registered or imported, with the engine's probability and sentences."""
    record = PersonRecord(
        names=(query.name,) if query.name else (),
        sex=query.sex or None,
        birth_date=query.birth_date,
        id_number_hash=query.id_number_hash,
        region_code=query.village_code,
    )
    found = find(record, limit=query.limit, exclude_pk=query.exclude_pk)
    if query.id_number_hash:
        # The registry's rule (``duplicates``): both numbers passed GB 11643's check, so a child with
        # another valid number is another person (twins share the rest). The review queue and the
        # identity search still show such pairs, held out of 确定 by the engine's guard.
        found = [(c, m) for c, m in found if c.id_number_hash in ("", query.id_number_hash)]
    return [
        duplicates.Candidate(
            child=child,
            score=match.probability,
            band=str(match.band.label) if match.band is not None else "",
            reasons=(
                *(e.reason for e in match.evidence_for),
                *(e.reason for e in match.evidence_against),
                *match.guards,
            ),
        )
        for child, match in found
    ]
