"""Generated children written straight into the registry's tables: the benchmark's loader.

``bulk_register_children`` (the registry's fast path) validates every record, writes one
change-log entry per created row and keeps the whole input in memory: right for an import of
100,000 rows, too slow for a million children (``bench.registry`` measures it on a sample).
This loader computes what that path computes — identity numbers encrypted, hashed and masked,
the categories with ``classification.classify`` from the same facts, the file's completeness —
and writes the rows with PostgreSQL's COPY (``executemany`` on SQLite). It writes no
change-log entries and skips the validation (the generator makes valid data).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection, models

from shouhu.core import crypto
from shouhu.demo.children import Family, SyntheticChild, SyntheticPerson
from shouhu.regions.models import Region
from shouhu.registry import classification as rules
from shouhu.registry import completeness, idnumber
from shouhu.registry.choices import PARENT_RELATIONS, ClassificationSource, FileStatus, HouseholdRegistration
from shouhu.registry.facts import (
    ChildFacts,
    EntrustedCareFact,
    ParentFact,
    PlaceFact,
    RuleSettings,
    SituationFact,
)
from shouhu.registry.models import Child, Classification, EntrustedCare, Kinship, Person, Situation
from shouhu.registry.services import PlaceLookup, id_number_hash

MODELS: tuple[type[models.Model], ...] = (Child, Person, Kinship, Situation, EntrustedCare, Classification)
# Rows whose primary key the loader gives (others reference them); the rest take the database's.
KEYED = (Child, Person)


@dataclass
class Phases:
    """Seconds spent in each phase of the load (the write overlaps the database's own work)."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, phase: str, started: float) -> float:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - started
        return now


class _Columns:
    """The columns of a model's table and the defaults of the fields a row does not give."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = [
            f
            for f in model._meta.concrete_fields
            if not getattr(f, "generated", False) and not (f.primary_key and model not in KEYED)
        ]
        self.columns = [str(f.column) for f in fields]
        self.fields = [(f.attname, f.get_default() if f.has_default() else (None if f.null else "")) for f in fields]
        self.json = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        row = [values.get(name, default) for name, default in self.fields]
        for i in self.json:
            row[i] = json.dumps(row[i], ensure_ascii=False) if row[i] else "[]"
        return tuple(row)


class RowMaker:
    """Table rows of generated families, with numbers, categories and completeness computed."""

    def __init__(self, *, on: date, now: datetime, actor_id: int, settings: RuleSettings, phases: Phases) -> None:
        self.on = on
        self.now = now
        self.actor_id = actor_id
        self.settings = settings
        self.phases = phases
        self.columns = {model: _Columns(model) for model in MODELS}
        self.rows: dict[type[models.Model], list[tuple[Any, ...]]] = {model: [] for model in MODELS}
        self.next_child = 1
        self.next_person = 1
        self.person_pks: dict[str, int] = {}
        self.places = PlaceLookup()
        self._place_facts: dict[str, PlaceFact | None] = {}
        self.regions: dict[str, Region] = {}
        self.categories: Counter[str] = Counter()
        self.children = 0

    def preload_regions(self, codes: Iterable[str]) -> None:
        wanted = sorted({c for c in codes if c and c not in self.regions})
        for start in range(0, len(wanted), 900):
            for region in Region.objects.filter(code__in=wanted[start : start + 900]):
                self.regions[region.code] = region
        self.places.preload(self.regions)

    def take(self) -> dict[type[models.Model], list[tuple[Any, ...]]]:
        rows, self.rows = self.rows, {model: [] for model in MODELS}
        return rows

    def _identity(self, number: str) -> dict[str, str]:
        if not number:
            return {}
        return {
            "id_number_cipher": crypto.encrypt(number),
            "id_number_hash": id_number_hash(number),
            "id_number_mask": idnumber.mask(number),
        }

    def add(self, family: Family) -> None:
        started = time.perf_counter()
        for person in family.adults:
            if person.key not in self.person_pks:
                self._person(person)
        started = self.phases.add("numbers and rows of family members", started)
        for child in family.children:
            self._child(child)
        self.phases.add("numbers, categories and rows of children", started)

    def _person(self, person: SyntheticPerson) -> None:
        pk = self.person_pks[person.key] = self.next_person
        self.next_person += 1
        values = {
            "id": pk,
            "name": person.name,
            "sex": person.sex.value,
            "birth_date": person.birth_date,
            "phone": person.phone,
            "village_id": person.village_code,
            "county_code": person.village_code[:6],
            "address": person.address,
            "created_at": self.now,
            "updated_at": self.now,
            "created_by_id": self.actor_id,
            **self._identity(person.id_number),
        }
        self.rows[Person].append(self.columns[Person].row(values))
        for s in person.situations:
            situation = {
                "person_id": pk,
                "kind": s.kind.value,
                "started_on": s.started_on,
                "ended_on": s.ended_on,
                "term_months": s.term_months,
                "police_accepted_on": s.police_accepted_on,
                "disability_type": s.disability_type.value if s.disability_type else "",
                "disability_grade": s.disability_grade,
                "place": s.place,
                "pays_support": s.pays_support,
                "document_no": s.document_no,
                "note": s.note,
                "village_code": person.village_code,
                "recorded_at": self.now,
                "recorded_by_id": self.actor_id,
            }
            self.rows[Situation].append(self.columns[Situation].row(situation))

    def _child(self, child: SyntheticChild) -> None:
        pk = self.next_child
        self.next_child += 1
        self.children += 1
        village = child.village_code
        hukou_region = child.hukou_region_code if child.hukou_region_code in self.regions else None
        outcome = rules.classify(self._facts(child, hukou_region), self.settings, self.on)
        for finding in outcome.findings:
            self.categories[finding.category] += 1
            self.rows[Classification].append(
                self.columns[Classification].row(
                    {
                        "child_id": pk,
                        "category": finding.category.value,
                        "village_code": village,
                        "since": finding.since,
                        "source": ClassificationSource.RULE.value,
                        "explanation": [r.as_json() for r in finding.reasons],
                        "recorded_at": self.now,
                    }
                )
            )
        missing = completeness.missing(self._snapshot(child, hukou_region))
        values = {
            "id": pk,
            "name": child.name,
            "sex": child.sex.value,
            "birth_date": child.birth_date,
            "ethnicity": child.ethnicity.value,
            "hukou_status": child.hukou_status.value,
            "hukou_region_id": hukou_region,
            "hukou_nature": child.hukou_nature.value,
            "hukou_address": child.hukou_address,
            "village_id": village,
            "county_code": village[:6],
            "residence_address": child.residence_address,
            "residence_since": child.residence_since,
            "school_status": child.school_status.value if child.school_status else "",
            "school_name": child.school_name,
            "school_grade": child.school_grade,
            "boarding": child.boarding,
            "health_status": child.health_status.value if child.health_status else "",
            "illness": child.illness,
            "disability_type": child.disability_type.value if child.disability_type else "",
            "disability_grade": child.disability_grade,
            "disability_certificate_no": child.disability_certificate_no,
            "economic_status": child.economic_status.value,
            "birth_parents_unknown": child.birth_parents_unknown,
            "guardianship_quality": child.guardianship_quality.value,
            "risk_level": child.risk_level.value,
            "phones": child.phones,
            "notes": child.notes,
            "status": FileStatus.ACTIVE.value,
            "missing_fields": missing,
            "is_complete": not missing,
            "classified_at": self.now,
            "next_review_on": outcome.next_review_on,
            "created_at": self.now,
            "updated_at": self.now,
            "created_by_id": self.actor_id,
            **self._identity(child.id_number),
        }
        self.rows[Child].append(self.columns[Child].row(values))
        for member in child.family:
            self.rows[Kinship].append(
                self.columns[Kinship].row(
                    {
                        "child_id": pk,
                        "person_id": self.person_pks[member.person.key],
                        "relation": member.relation.value,
                        "is_guardian": member.is_guardian,
                        "lives_with_child": member.lives_with_child,
                        "village_code": village,
                    }
                )
            )
        care = child.entrusted_care
        if care is not None:
            self.rows[EntrustedCare].append(
                self.columns[EntrustedCare].row(
                    {
                        "child_id": pk,
                        "carer_id": self.person_pks[care.carer.key],
                        "since": care.since,
                        "confirmation_signed_on": care.confirmation_signed_on,
                        "school_notified_on": care.school_notified_on,
                        "village_notified_on": care.village_notified_on,
                        "last_parent_contact_on": care.last_parent_contact_on,
                        "village_code": village,
                    }
                )
            )

    def _facts(self, child: SyntheticChild, hukou_region: str | None) -> ChildFacts:
        """The facts ``services`` would build from the stored file (``services._facts``)."""
        parents = tuple(
            ParentFact(
                relation=m.relation,
                name=m.person.name,
                situations=tuple(
                    SituationFact(
                        kind=s.kind,
                        started_on=s.started_on,
                        ended_on=s.ended_on,
                        term_months=s.term_months,
                        police_accepted_on=s.police_accepted_on,
                        disability_type=s.disability_type,
                        disability_grade=s.disability_grade,
                        pays_support=s.pays_support,
                        place=s.place,
                    )
                    for s in m.person.situations
                ),
                lives_with_child=m.lives_with_child,
            )
            for m in child.family
            if m.relation in PARENT_RELATIONS
        )
        care = child.entrusted_care
        return ChildFacts(
            birth_date=child.birth_date,
            has_household_registration=child.hukou_status == HouseholdRegistration.REGISTERED,
            hukou_nature=child.hukou_nature,
            hukou_place=self._place(hukou_region) if hukou_region else None,
            residence_place=self._place(child.village_code),
            residence_since=child.residence_since,
            school_status=child.school_status,
            health_status=child.health_status,
            disability_type=child.disability_type,
            disability_grade=child.disability_grade,
            economic_status=child.economic_status,
            guardianship_quality=child.guardianship_quality,
            birth_parents_unknown=child.birth_parents_unknown,
            parents=parents,
            entrusted_care=(
                EntrustedCareFact(
                    since=care.since,
                    confirmation_signed_on=care.confirmation_signed_on,
                    last_parent_contact_on=care.last_parent_contact_on,
                ),
            )
            if care is not None
            else (),
        )

    def _place(self, code: str) -> PlaceFact | None:
        if code not in self._place_facts:
            self._place_facts[code] = self.places.place(self.regions[code])
        return self._place_facts[code]

    def _snapshot(self, child: SyntheticChild, hukou_region: str | None) -> completeness.FileSnapshot:
        return completeness.FileSnapshot(
            has_id_number=bool(child.id_number),
            hukou_status=child.hukou_status.value,
            has_hukou_region=hukou_region is not None,
            residence_address=child.residence_address,
            school_status=child.school_status.value if child.school_status else "",
            health_status=child.health_status.value if child.health_status else "",
            disability_type=child.disability_type.value if child.disability_type else "",
            disability_grade=child.disability_grade,
            phones=tuple(child.phones),
            birth_parents_unknown=child.birth_parents_unknown,
            relatives=tuple(
                completeness.RelativeSnapshot(
                    relation=m.relation.value,
                    is_guardian=m.is_guardian,
                    situations=tuple(
                        completeness.SituationSnapshot(
                            kind=s.kind.value,
                            ended=s.ended_on is not None,
                            place=s.place,
                            term_months=s.term_months,
                            police_accepted=s.police_accepted_on is not None,
                        )
                        for s in m.person.situations
                    ),
                )
                for m in child.family
            ),
            has_current_entrusted_care=child.entrusted_care is not None,
        )


# --- writing ------------------------------------------------------------------------------------


def write(maker: RowMaker, rows: dict[type[models.Model], list[tuple[Any, ...]]]) -> None:
    """Write the rows of each table (COPY on PostgreSQL, executemany elsewhere)."""
    for model in MODELS:
        table_rows = rows[model]
        if not table_rows:
            continue
        columns = maker.columns[model]
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in table_rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (names from the models)
                    [tuple(_sqlite_value(v) for v in row) for row in table_rows],
                )


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def chunks(families: Iterable[Family], size: int) -> Iterator[list[Family]]:
    """Families in lists of about ``size`` children."""
    batch: list[Family] = []
    count = 0
    for family in families:
        batch.append(family)
        count += len(family.children)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


# --- PostgreSQL: secondary indexes off during the load, sequences after it ------------------


def drop_secondary_indexes() -> list[str]:
    """Drop the registry tables' indexes that back no constraint; returns their definitions."""
    tables = [m._meta.db_table for m in MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def create_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition)


def reset_sequences() -> None:
    from django.core.management.color import no_style  # noqa: PLC0415

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS)):
            cursor.execute(sql)
