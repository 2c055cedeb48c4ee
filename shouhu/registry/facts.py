"""The facts the category rules read and what they return: plain data, no database.

``services`` builds ``ChildFacts`` from a child's file (one query set, already loaded) and a
``RuleSettings`` from the policy snapshot; ``classification.classify`` (pure) returns a
``Classification`` with each category's explanation and the next day on which time alone can
change the result. Explanations are ``Reason`` values — an English message id marked for
translation plus its arguments — rendered in the reader's language when shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shouhu.registry.choices import (
    Category,
    DisabilityType,
    EconomicStatus,
    GuardianshipQuality,
    HealthStatus,
    HukouNature,
    Relation,
    SchoolStatus,
    SituationKind,
)


@dataclass(frozen=True)
class SituationFact:
    kind: SituationKind
    started_on: date
    ended_on: date | None = None
    term_months: int | None = None
    police_accepted_on: date | None = None
    disability_type: DisabilityType | None = None
    disability_grade: int | None = None
    pays_support: bool | None = None
    place: str = ""


@dataclass(frozen=True)
class ParentFact:
    """A parent (birth or adoptive) of the child, with the situations recorded for them."""

    relation: Relation
    name: str
    situations: tuple[SituationFact, ...] = ()
    lives_with_child: bool = False


@dataclass(frozen=True)
class PlaceFact:
    """Where a child is registered or lives, as the rules need it (DOMAIN.md §8.6)."""

    township_code: str  # 12-digit code of the township (乡镇/街道)
    county_code: str  # 12-digit code of the county-level unit
    city_code: str  # 12-digit code of the prefecture-level city
    county_is_urban_district: bool  # a 市辖区 (name ends in 区), not a county or county-level city
    rural: bool | None = None  # urban-rural class 210/220 (乡中心区/村庄), or None if unknown


@dataclass(frozen=True)
class EntrustedCareFact:
    since: date
    until: date | None = None
    confirmation_signed_on: date | None = None
    last_parent_contact_on: date | None = None


@dataclass(frozen=True)
class ChildFacts:
    birth_date: date
    has_household_registration: bool
    hukou_nature: HukouNature = HukouNature.UNKNOWN
    hukou_place: PlaceFact | None = None
    residence_place: PlaceFact | None = None
    residence_since: date | None = None
    school_status: SchoolStatus | None = None
    health_status: HealthStatus | None = None
    disability_type: DisabilityType | None = None
    disability_grade: int | None = None
    economic_status: EconomicStatus = EconomicStatus.NONE
    guardianship_quality: GuardianshipQuality = GuardianshipQuality.UNASSESSED
    birth_parents_unknown: bool = False
    street_child: bool = False  # from street-child records (a later app)
    parents: tuple[ParentFact, ...] = ()
    entrusted_care: tuple[EntrustedCareFact, ...] = ()


@dataclass(frozen=True)
class RuleSettings:
    """The policy settings the rules read (``shouhu.policy``; keys in brackets)."""

    difficulty_categories: frozenset[str]  # [registry.difficulty_categories]
    liberty_restriction_term_months: int = 6  # [registry.liberty_restriction_term_months]
    pretrial_detention_months: int = 6  # [registry.pretrial_detention_months]
    lost_contact_months: int = 6  # [registry.lost_contact_months]
    lost_contact_day_after: bool = False  # [registry.lost_contact_threshold_day] == "day_after"
    serious_illnesses: tuple[str, ...] = ()  # [registry.serious_illnesses]


@dataclass(frozen=True)
class Reason:
    """One sentence of an explanation: a message id (English, marked with gettext_noop) and its arguments."""

    msg: str
    args: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"msg": self.msg, "args": self.args}


@dataclass(frozen=True)
class Finding:
    """A category that holds on the day of classification, since when, and why."""

    category: Category
    since: date
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Classification:
    findings: tuple[Finding, ...]
    # The next day on which the result can change with no new fact (a threshold reached, a
    # birthday at 3, 6, 14, 16 or 18, a term ending …); None if nothing is pending.
    next_review_on: date | None
    # Facts that could not be used, and why (e.g. lost contact without a police report).
    unused: tuple[Reason, ...] = ()

    def categories(self) -> frozenset[Category]:
        return frozenset(f.category for f in self.findings)
