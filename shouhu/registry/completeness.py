"""Which of the facts a child's file should hold are missing (the "file completeness" indicator).

Pure: no database. Source: DOMAIN.md §3, the 2016 baseline survey of left-behind children as
the minimum one-file-per-child schema (child: birth date, sex, ethnicity, schooling, household
registration, identity number, health, address, boarding; family: situation, the parents' place
of work; the entrusted carer's details) — plus what the category rules read (a disability's
grade, the police report of a parent's lost contact, the term of a sentence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from shouhu.registry.choices import HouseholdRegistration, Relation, SituationKind

# The missing facts, in the order the file shows them, with what the screen says.
LABELS = {
    "id_number": _("Identity number"),
    "hukou_region": _("Place of household registration"),
    "residence_address": _("Address"),
    "school_status": _("Schooling"),
    "health_status": _("Health"),
    "disability_grade": _("Disability grade"),
    "phones": _("Contact phone"),
    "father": _("Father"),
    "mother": _("Mother"),
    "guardian": _("Guardian"),
    "work_place": _("Where a parent working away works"),
    "term_months": _("Term of a parent's sentence or measure"),
    "police_report": _("Police report of a parent's lost contact"),
    "entrusted_care": _("Entrusted carer of a child whose parents are away"),
}
RESTRICTIONS_WITH_TERM = frozenset(
    {SituationKind.IMPRISONED, SituationKind.DRUG_REHABILITATION, SituationKind.OTHER_LIBERTY_RESTRICTION}
)
FATHERS = frozenset({Relation.FATHER, Relation.ADOPTIVE_FATHER})
MOTHERS = frozenset({Relation.MOTHER, Relation.ADOPTIVE_MOTHER})


@dataclass(frozen=True)
class SituationSnapshot:
    kind: str
    ended: bool = False
    place: str = ""
    term_months: int | None = None
    police_accepted: bool = False


@dataclass(frozen=True)
class RelativeSnapshot:
    relation: str
    is_guardian: bool = False
    situations: tuple[SituationSnapshot, ...] = ()


@dataclass(frozen=True)
class FileSnapshot:
    """What the completeness check reads of a file (services build it from the rows)."""

    has_id_number: bool
    hukou_status: str
    has_hukou_region: bool
    residence_address: str
    school_status: str
    health_status: str
    disability_type: str
    disability_grade: int | None
    phones: tuple[str, ...]
    birth_parents_unknown: bool
    relatives: tuple[RelativeSnapshot, ...] = field(default_factory=tuple)
    has_current_entrusted_care: bool = False


def _current(relative: RelativeSnapshot) -> list[SituationSnapshot]:
    return [s for s in relative.situations if not s.ended]


def missing(file: FileSnapshot) -> list[str]:
    """Keys of ``LABELS`` for the facts the file lacks, in display order."""
    gaps: set[str] = set()
    registered = file.hukou_status == HouseholdRegistration.REGISTERED
    # A child without household registration has no number to record (无户籍 is itself a concern).
    if registered and not file.has_id_number:
        gaps.add("id_number")
    if registered and not file.has_hukou_region:
        gaps.add("hukou_region")
    if not file.residence_address.strip():
        gaps.add("residence_address")
    if not file.school_status:
        gaps.add("school_status")
    if not file.health_status:
        gaps.add("health_status")
    if file.disability_type and file.disability_grade is None:
        gaps.add("disability_grade")
    if not any(p.strip() for p in file.phones):
        gaps.add("phones")
    relations = {r.relation for r in file.relatives}
    if not file.birth_parents_unknown:
        if not relations & FATHERS:
            gaps.add("father")
        if not relations & MOTHERS:
            gaps.add("mother")
    if not any(r.is_guardian for r in file.relatives):
        gaps.add("guardian")
    parents = [r for r in file.relatives if r.relation in FATHERS | MOTHERS]
    away = 0
    for parent in parents:
        for situation in _current(parent):
            if situation.kind == SituationKind.WORKING_AWAY:
                away += 1
                if not situation.place.strip():
                    gaps.add("work_place")
            if situation.kind in RESTRICTIONS_WITH_TERM and situation.term_months is None:
                gaps.add("term_months")
            if situation.kind == SituationKind.LOST_CONTACT and not situation.police_accepted:
                gaps.add("police_report")
    # Both parents away (MPL art. 22: care must be entrusted to a capable adult).
    if parents and away >= 2 and not file.has_current_entrusted_care:  # noqa: PLR2004
        gaps.add("entrusted_care")
    return [key for key in LABELS if key in gaps]


def labels(keys: list[str]) -> list[str]:
    """The missing facts as the screen lists them, in the active language."""
    return [str(LABELS[k]) for k in keys if k in LABELS]
