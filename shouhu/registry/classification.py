"""The category rules of the registry: which categories a child holds on a day, since when, and why.

Pure module: ``classify(facts, settings, on)`` reads plain data (``facts.ChildFacts``, the policy
settings as ``facts.RuleSettings``) and returns a ``facts.Classification``; no database, no clock.
Sources: DOMAIN.md §2 (target groups), §3 (left-behind children, key children), §8 (the readings
Shouhu encodes, which win over anything else); each rule function cites its source in one line.

How the rules read the facts:

- **Parents** are the adoptive parents when the file records any (an adoption ends the legal
  relation with the birth parents, 民法典 art. 1111), otherwise the birth father and mother.
- A **situation** holds from ``started_on`` up to, not including, ``ended_on`` (the day it ended:
  a parent released on that day is free on that day). A measure with a term (a sentence, compulsory
  drug rehabilitation) also stops holding when its term is over, counted in calendar months from
  its start; the file should then record the release or a new term (``unused`` says so).
- Each situation gives a **window** of days in which it counts for a rule (``_Window``), computed
  once from the facts alone; the day of classification only picks the windows that contain it.
  So the result is constant between window boundaries and birthdays, and ``next_review_on`` is
  the first of those boundaries at which the result really changes (checked, not guessed).
- ``since`` is the first day of the uninterrupted run of facts that makes the category hold, and
  never before the birth. Facts recorded without a date (own disability, illness, the family's
  assistance status, schooling, registration) can only tell "since birth": ``since`` is then the
  birth date, and the caller may bound it by the day the fact was recorded.
- Every category needs a child under 18 (MPL art. 2: 未成年人 are those under 18).

Readings where the texts leave a choice (documented here, tested in ``tests/test_classification``):

- **Difficulty (c), missing or improper guardianship** (国发〔2016〕36号: 因家庭监护缺失或监护不当):
  holds for a de facto unattended child; for a child none of whose parents can care for them now
  (each dead, declared dead or missing, without guardianship capacity, or in a situation of the
  de facto rules even before its threshold is reached or without a police record) — the interim
  state before the de facto rule is met; when a court revoked a parent's guardianship (a finding of
  harm, 民法典 art. 36); and when the child director judged the guardianship poor. Orphans are
  their own category (and ``difficulty_orphan`` where the city lists it), not (c).
- **Temporary hardship** (临时困境, a local category) is an event a caseworker judges (sudden
  accident, disaster …); no fact of the file shows it, so the rules never find it: a caseworker
  includes a child with a decision (``CategoryOverride``).
- **Left-behind**, the other parent "unable": serious illness, severe disability (as for the de
  facto rules), no guardianship capacity, dead or declared dead or missing (§8.7), or stripped of
  guardianship by a court (who by law cannot be guardian either). A parent working away who lives
  with the child has not left the child behind.
- **Out of school**: only the explicit statuses "never enrolled" and "dropped out" count, from the
  6th to the 16th birthday (§8.7); a six-year-old still in kindergarten is not flagged.
- **Serious illness** (重病) is defined locally: a situation recorded as serious illness counts.
  The list of recognised illnesses (``RuleSettings.serious_illnesses``) is not read yet: a
  situation's facts do not carry the name of the illness.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_noop

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
from shouhu.registry.dates import add_months, birthday
from shouhu.registry.facts import (
    ChildFacts,
    Classification,
    Finding,
    ParentFact,
    Reason,
    RuleSettings,
    SituationFact,
)

ADULT_AGE = 18  # MPL art. 2
LEFT_BEHIND_AGE = 16  # 国发〔2016〕13号
INFANT_AGE = 3  # seed (4), 托育: under 3
SCHOOL_AGE = 6  # 义务教育法 art. 11: schooling starts at 6
SCHOOL_END_AGE = 16  # compulsory schooling runs to 15 (§8.7)
MIGRANT_MONTHS = 6  # census: half a year or more (§8.6)
DRUG_REHABILITATION_TERM_MONTHS = 24  # 禁毒法 art. 47: 强制隔离戒毒的期限为二年
SEVERE_GRADES = frozenset({1, 2})  # 62号: 一级、二级残疾
SEVERE_MIND_GRADES = frozenset({3, 4})  # 62号: 三级、四级精神、智力残疾
MIND_DISABILITIES = frozenset({DisabilityType.MENTAL, DisabilityType.INTELLECTUAL})

# Difficulty categories as the policy setting names them (shouhu.policy DifficultyCategory).
DIFFICULTY_SETTING = {
    Category.DIFFICULTY_POVERTY: "poverty",
    Category.DIFFICULTY_DISABILITY: "disability",
    Category.DIFFICULTY_GUARDIANSHIP: "guardianship",
    Category.DIFFICULTY_ORPHAN: "orphan",
    Category.DIFFICULTY_TEMPORARY: "temporary_hardship",
}
POOR_FAMILY = frozenset(
    {EconomicStatus.DIBAO, EconomicStatus.EXTREME_POVERTY, EconomicStatus.LOW_INCOME, EconomicStatus.MONITORED}
)
ILL = frozenset({HealthStatus.ILL, HealthStatus.CHRONIC, HealthStatus.SERIOUS})
OUT_OF_SCHOOL = frozenset({SchoolStatus.NOT_ENROLLED, SchoolStatus.DROPPED_OUT})
GONE = frozenset({SituationKind.DEAD, SituationKind.DECLARED_DEAD, SituationKind.DECLARED_MISSING})
CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


@dataclass(frozen=True)
class _Window:
    """Days ``[start, end)`` in which a fact counts for a rule (``end`` None: open), and why."""

    start: date
    end: date | None
    reason: Reason

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class _Assessment:
    """What one situation of a parent means for the rules."""

    held: _Window | None  # the situation is in force
    qualifying: _Window | None  # it counts for the de facto rules (set Q of 62号)
    note: Reason | None = None  # why it does not count (shown as ``unused`` while it holds)
    note_from: date | None = None  # the note applies from this day (default: while it holds)


@dataclass(frozen=True)
class _Parent:
    """A parent's windows, by what the rules ask of them."""

    relation: Relation
    gone: tuple[_Window, ...]  # dead, declared dead, declared missing
    qualifying: tuple[_Window, ...]  # in set Q of the de facto rules
    unable: tuple[_Window, ...]  # cannot be the guardian of a left-behind child
    incapable: tuple[_Window, ...]  # cannot care for the child now (difficulty (c))
    away: tuple[_Window, ...]  # working away, not living with the child
    revoked: tuple[_Window, ...]  # guardianship revoked by a court
    notes: tuple[tuple[_Window, Reason], ...]  # facts that do not count, while they hold


@dataclass(frozen=True)
class _Result:
    findings: tuple[Finding, ...]
    unused: tuple[Reason, ...]


def _relation(parent: ParentFact) -> Relation:
    return Relation(parent.relation)


def _end_of(situation: SituationFact, term_months: int | None) -> date | None:
    """The day a situation stops holding: its recorded end, or the end of its term if earlier."""
    ends = [d for d in (situation.ended_on,) if d is not None]
    if term_months is not None:
        ends.append(add_months(situation.started_on, term_months))
    return min(ends) if ends else None


def _window(start: date, end: date | None, reason: Reason) -> _Window | None:
    if end is not None and end <= start:
        return None
    return _Window(start, end, reason)


def _iso(day: date) -> str:
    return day.isoformat()


def _described(situation: SituationFact, relation: Relation) -> Reason:
    """A plain sentence of what a situation is, for the rules that read it whatever its term."""
    return Reason(
        gettext_noop("%(relation)s: %(situation)s since %(date)s"),
        {
            "relation": relation.value,
            "situation": SituationKind(situation.kind).value,
            "date": _iso(situation.started_on),
        },
    )


def _restriction(situation: SituationFact, relation: Relation, settings: RuleSettings) -> _Assessment:
    """服刑在押, 强制隔离戒毒, other restrictions of liberty, pre-trial detention: the term counts (§8.1)."""
    kind = situation.kind
    start = situation.started_on
    term = situation.term_months
    if term is None and kind == SituationKind.DRUG_REHABILITATION:
        term = DRUG_REHABILITATION_TERM_MONTHS
    end = _end_of(situation, term)
    held = _window(start, end, _described(situation, relation))
    args = {"relation": relation.value, "date": _iso(start)}
    if term is None:
        # No term known yet (pre-trial detention, or a sentence not recorded): months elapsed count.
        months = settings.pretrial_detention_months
        done = add_months(start, months)
        if kind == SituationKind.PRETRIAL_DETENTION:
            msg = gettext_noop(
                "%(relation)s detained awaiting trial since %(date)s; %(months)d months were complete on %(done)s"
            )
        else:
            msg = gettext_noop(
                "%(relation)s deprived of liberty since %(date)s with no term recorded; %(months)d months were "
                "complete on %(done)s"
            )
        reason = Reason(msg, {**args, "months": months, "done": _iso(done)})
        return _Assessment(held=held, qualifying=_window(done, end, reason))
    term_args = {**args, "months": term}
    if kind == SituationKind.IMPRISONED:
        msg = gettext_noop("%(relation)s serving a sentence, term %(months)d months, since %(date)s")
    elif kind == SituationKind.DRUG_REHABILITATION:
        if situation.term_months is None:
            msg = gettext_noop(
                "%(relation)s in compulsory drug rehabilitation since %(date)s, statutory term %(months)d months"
            )
        else:
            msg = gettext_noop("%(relation)s in compulsory drug rehabilitation, term %(months)d months, since %(date)s")
    elif kind == SituationKind.PRETRIAL_DETENTION:
        msg = gettext_noop("%(relation)s detained, term %(months)d months, since %(date)s")
    else:
        msg = gettext_noop("%(relation)s under a restriction of liberty, term %(months)d months, since %(date)s")
    reason = Reason(msg, term_args)
    note_from = None
    note: Reason | None = None
    if situation.ended_on is None:
        term_end = add_months(start, term)
        # The term is over but no release recorded: say so, from the day after the term.
        note = Reason(
            gettext_noop(
                "%(relation)s: the term of %(months)d months that began on %(date)s was over on %(done)s; "
                "record the release or a new term"
            ),
            {**term_args, "done": _iso(term_end)},
        )
        note_from = term_end
    if term < settings.liberty_restriction_term_months:
        short = Reason(
            gettext_noop(
                "%(relation)s: a term of %(months)d months is shorter than the %(threshold)d months the de facto "
                "unattended rules require"
            ),
            {**term_args, "threshold": settings.liberty_restriction_term_months},
        )
        return _Assessment(held=held, qualifying=None, note=short)
    return _Assessment(held=held, qualifying=_window(start, end, reason), note=note, note_from=note_from)


def _severe_disability(situation: SituationFact, relation: Relation) -> _Assessment:
    """62号: 重残 = disability grade 1-2, or grade 3-4 mental or intellectual (DOMAIN.md §2)."""
    held = _window(situation.started_on, situation.ended_on, _described(situation, relation))
    grade = situation.disability_grade
    kind = situation.disability_type
    args: dict[str, object] = {"relation": relation.value, "date": _iso(situation.started_on)}
    if grade is None:
        note = Reason(
            gettext_noop("%(relation)s: the grade of the disability is not recorded, so it cannot count as severe"),
            args,
        )
        return _Assessment(held=held, qualifying=None, note=note)
    severe = grade in SEVERE_GRADES or (grade in SEVERE_MIND_GRADES and kind in MIND_DISABILITIES)
    if not severe:
        note = Reason(
            gettext_noop(
                "%(relation)s: a disability of grade %(grade)d does not count as severe (grade 1 or 2, or grade 3 "
                "or 4 for a mental or intellectual disability)"
            ),
            {**args, "grade": grade},
        )
        return _Assessment(held=held, qualifying=None, note=note)
    if kind:
        msg = gettext_noop("%(relation)s severely disabled (%(disability)s, grade %(grade)d) since %(date)s")
        args = {**args, "disability": DisabilityType(kind).value, "grade": grade}
    else:
        msg = gettext_noop("%(relation)s severely disabled (grade %(grade)d) since %(date)s")
        args = {**args, "grade": grade}
    return _Assessment(held=held, qualifying=_window(situation.started_on, situation.ended_on, Reason(msg, args)))


def _lost_contact(situation: SituationFact, relation: Relation, settings: RuleSettings) -> _Assessment:
    """62号/125号: 失联 counts from the day the police accepted the report, after N months (§8.2)."""
    held = _window(situation.started_on, situation.ended_on, _described(situation, relation))
    args = {"relation": relation.value, "date": _iso(situation.started_on)}
    accepted = situation.police_accepted_on
    if accepted is None:
        note = Reason(
            gettext_noop(
                "%(relation)s lost contact on %(date)s, but no report accepted by the police is recorded; "
                "lost contact counts only from the day the police accepted a report"
            ),
            args,
        )
        return _Assessment(held=held, qualifying=None, note=note)
    months = settings.lost_contact_months
    done = add_months(accepted, months)
    if settings.lost_contact_day_after:
        done += timedelta(days=1)
    reason = Reason(
        gettext_noop(
            "%(relation)s lost contact; the police accepted the report on %(accepted)s; %(months)d months were "
            "complete on %(done)s"
        ),
        {**args, "accepted": _iso(accepted), "months": months, "done": _iso(done)},
    )
    return _Assessment(held=held, qualifying=_window(max(done, situation.started_on), situation.ended_on, reason))


def _deported(situation: SituationFact, relation: Relation) -> _Assessment:
    """民发〔2020〕125号: a parent deported (被遣送（驱逐）出境) who does not pay support counts."""
    held = _window(situation.started_on, situation.ended_on, _described(situation, relation))
    args = {"relation": relation.value, "date": _iso(situation.started_on)}
    if situation.pays_support is None:
        note = Reason(
            gettext_noop(
                "%(relation)s deported on %(date)s; whether support is paid is not recorded, so it cannot count yet"
            ),
            args,
        )
        return _Assessment(held=held, qualifying=None, note=note)
    if situation.pays_support:
        note = Reason(gettext_noop("%(relation)s deported on %(date)s, but pays support"), args)
        return _Assessment(held=held, qualifying=None, note=note)
    reason = Reason(gettext_noop("%(relation)s deported on %(date)s and not paying support"), args)
    return _Assessment(held=held, qualifying=_window(situation.started_on, situation.ended_on, reason))


SIMPLE_MESSAGES = {
    SituationKind.DEAD: gettext_noop("%(relation)s died on %(date)s"),
    SituationKind.DECLARED_DEAD: gettext_noop("%(relation)s declared dead by a court on %(date)s"),
    SituationKind.DECLARED_MISSING: gettext_noop("%(relation)s declared missing by a court on %(date)s"),
    SituationKind.SERIOUS_ILLNESS: gettext_noop("%(relation)s seriously ill since %(date)s"),
    SituationKind.GUARDIANSHIP_REVOKED: gettext_noop("%(relation)s stripped of guardianship by a court on %(date)s"),
    SituationKind.NO_CAPACITY: gettext_noop("%(relation)s without guardianship capacity since %(date)s"),
    SituationKind.WORKING_AWAY: gettext_noop("%(relation)s working away from home since %(date)s"),
}
# The other parent of a left-behind child "cannot be the guardian" (13号: 无监护能力; §8.7).
GUARDIAN_UNABLE = GONE | {
    SituationKind.SERIOUS_ILLNESS,
    SituationKind.SEVERE_DISABILITY,
    SituationKind.NO_CAPACITY,
    SituationKind.GUARDIANSHIP_REVOKED,
}
RESTRICTIONS = frozenset(
    {
        SituationKind.IMPRISONED,
        SituationKind.PRETRIAL_DETENTION,
        SituationKind.DRUG_REHABILITATION,
        SituationKind.OTHER_LIBERTY_RESTRICTION,
    }
)


def _simple(situation: SituationFact, relation: Relation) -> _Window | None:
    args: dict[str, object] = {"relation": relation.value, "date": _iso(situation.started_on)}
    msg = SIMPLE_MESSAGES[SituationKind(situation.kind)]
    if situation.kind == SituationKind.WORKING_AWAY and situation.place:
        msg = gettext_noop("%(relation)s working away from home in %(place)s since %(date)s")
        args["place"] = situation.place
    return _window(situation.started_on, situation.ended_on, Reason(msg, args))


def _assess(situation: SituationFact, relation: Relation, settings: RuleSettings) -> _Assessment:
    """One situation against set Q of 民发〔2019〕62号 and 民发〔2020〕125号 (DOMAIN.md §2, §8.1, §8.2)."""
    kind = SituationKind(situation.kind)
    if kind in RESTRICTIONS:
        return _restriction(situation, relation, settings)
    if kind == SituationKind.SEVERE_DISABILITY:
        return _severe_disability(situation, relation)
    if kind == SituationKind.LOST_CONTACT:
        return _lost_contact(situation, relation, settings)
    if kind == SituationKind.DEPORTED:
        return _deported(situation, relation)
    window = _simple(situation, relation)
    qualifying = window if kind in (SituationKind.SERIOUS_ILLNESS, SituationKind.GUARDIANSHIP_REVOKED) else None
    return _Assessment(held=window, qualifying=qualifying)


def _parent(parent: ParentFact, settings: RuleSettings) -> _Parent:
    relation = _relation(parent)
    gone: list[_Window] = []
    qualifying: list[_Window] = []
    unable: list[_Window] = []
    incapable: list[_Window] = []
    away: list[_Window] = []
    revoked: list[_Window] = []
    notes: list[tuple[_Window, Reason]] = []
    for situation in parent.situations:
        kind = SituationKind(situation.kind)
        assessment = _assess(situation, relation, settings)
        held = assessment.held
        if held is None:
            continue
        if assessment.note is not None:
            if assessment.note_from is not None:
                notes.append((_Window(assessment.note_from, None, assessment.note), assessment.note))
            else:
                notes.append((_Window(held.start, held.end, assessment.note), assessment.note))
        if assessment.qualifying is not None:
            qualifying.append(assessment.qualifying)
        if kind in GONE:
            gone.append(held)
        elif kind == SituationKind.WORKING_AWAY:
            if not parent.lives_with_child:
                away.append(held)
            continue
        elif kind == SituationKind.SEVERE_DISABILITY and assessment.qualifying is None:
            continue  # a disability that is not severe keeps nobody from caring
        # Difficulty (c): whatever keeps a parent from caring now, thresholds reached or not; said
        # with the precise sentence of the de facto rules where it counts there for the same days.
        shown = held
        qualifying_now = assessment.qualifying
        if qualifying_now is not None and (qualifying_now.start, qualifying_now.end) == (held.start, held.end):
            shown = qualifying_now
        incapable.append(shown)
        if kind in GUARDIAN_UNABLE:
            unable.append(shown)
        if kind == SituationKind.GUARDIANSHIP_REVOKED:
            revoked.append(held)
    return _Parent(
        relation=relation,
        gone=tuple(gone),
        qualifying=tuple(qualifying),
        unable=tuple(unable),
        incapable=tuple(incapable),
        away=tuple(away),
        revoked=tuple(revoked),
        notes=tuple(notes),
    )


def _active(windows: Iterable[_Window], day: date) -> list[_Window]:
    return [w for w in windows if w.contains(day)]


def _run_start(windows: tuple[_Window, ...], day: date) -> date | None:
    """First day of the uninterrupted run of ``windows`` that contains ``day`` (None: not covered)."""
    covering = _active(windows, day)
    if not covering:
        return None
    start = min(w.start for w in covering)
    moved = True
    while moved:
        moved = False
        for w in windows:
            if w.start < start and (w.end is None or w.end >= start):
                start = w.start
                moved = True
    return start


def _reasons(windows: Iterable[_Window], day: date) -> list[Reason]:
    return [w.reason for w in sorted(_active(windows, day), key=lambda w: w.start)]


@dataclass(frozen=True)
class _Facts:
    """The facts with the parents' windows computed once (independent of the day)."""

    child: ChildFacts
    settings: RuleSettings
    parents: tuple[_Parent | None, _Parent | None]
    missing: tuple[Relation, Relation]  # the relation expected in each slot (for notes)
    adopted: bool
    birthdays: dict[int, date]  # the birthdays the rules read, by age

    def under(self, age: int, on: date) -> bool:
        """Is the child born and not yet ``age`` years old on ``on``? (§8.4: the birthday counts)."""
        return self.child.birth_date <= on < self.birthdays[age]


def _prepare(facts: ChildFacts, settings: RuleSettings) -> _Facts:
    adopted = any(p.relation in (Relation.ADOPTIVE_FATHER, Relation.ADOPTIVE_MOTHER) for p in facts.parents)
    slots = (Relation.ADOPTIVE_FATHER, Relation.ADOPTIVE_MOTHER) if adopted else (Relation.FATHER, Relation.MOTHER)
    found: list[_Parent | None] = []
    for relation in slots:
        parent = next((p for p in facts.parents if p.relation == relation), None)
        found.append(_parent(parent, settings) if parent is not None else None)
    ages = (INFANT_AGE, SCHOOL_AGE, SCHOOL_END_AGE, LEFT_BEHIND_AGE, ADULT_AGE)
    birthdays = {age: birthday(facts.birth_date, age) for age in ages}
    return _Facts(facts, settings, (found[0], found[1]), slots, adopted, birthdays)


def _since(*starts: date | None, born: date) -> date:
    return max([born, *[s for s in starts if s is not None]])


# --- the rules --------------------------------------------------------------------------------


def _orphan(f: _Facts, on: date) -> Finding | None:
    """孤儿 (国办发〔2010〕54号; §2, §8.5): both parents dead or declared missing, or birth parents unknown."""
    born = f.child.birth_date
    if f.child.birth_parents_unknown and not f.adopted:
        return Finding(Category.ORPHAN, born, (Reason(gettext_noop("The birth parents cannot be found")),))
    father, mother = f.parents
    if father is None or mother is None:
        return None
    starts = [_run_start(parent.gone, on) for parent in (father, mother)]
    if None in starts:
        return None
    reasons = [Reason(gettext_noop("Both parents are dead or declared missing by a court"))]
    reasons += _reasons(father.gone, on) + _reasons(mother.gone, on)
    return Finding(Category.ORPHAN, _since(*starts, born=born), tuple(reasons))


def _de_facto(f: _Facts, on: date) -> Finding | None:
    """事实无人抚养儿童 (民发〔2019〕62号, 〔2020〕125号; §2, §8.1, §8.2): both in Q, or one gone and one in Q."""
    father, mother = f.parents
    if father is None or mother is None:
        return None
    q = [bool(_active(p.qualifying, on)) for p in (father, mother)]
    gone = [bool(_active(p.gone, on)) for p in (father, mother)]
    if q[0] and q[1]:
        header = Reason(gettext_noop("Both parents are in situations that leave the child without care"))
    elif (q[0] and gone[1]) or (q[1] and gone[0]):
        header = Reason(
            gettext_noop(
                "One parent is dead or missing and the other is in a situation that leaves the child without care"
            )
        )
    else:
        return None
    starts = [_run_start(p.qualifying + p.gone, on) for p in (father, mother)]
    reasons = [header]
    for parent in (father, mother):
        reasons += _reasons(parent.gone, on) + _reasons(parent.qualifying, on)
    return Finding(Category.DE_FACTO_UNATTENDED, _since(*starts, born=f.child.birth_date), tuple(reasons))


def _parents_away(f: _Facts, on: date) -> Finding | None:
    """The parents' half of the left-behind rule (13号): both away, or one away and the other unable."""
    father, mother = f.parents
    if father is None or mother is None:
        return None
    away = [bool(_active(p.away, on)) for p in (father, mother)]
    unable = [bool(_active(p.unable, on)) for p in (father, mother)]
    if away[0] and away[1]:
        header = Reason(gettext_noop("Both parents work away from home"))
        starts = [_run_start(p.away, on) for p in (father, mother)]
        facts = _reasons(father.away, on) + _reasons(mother.away, on)
    elif (away[0] and unable[1]) or (away[1] and unable[0]):
        header = Reason(gettext_noop("One parent works away from home and the other cannot be the guardian"))
        starts = [_run_start(p.away + p.unable, on) for p in (father, mother)]
        facts = []
        for parent in (father, mother):
            facts += _reasons(parent.away, on) + _reasons(parent.unable, on)
    else:
        return None
    return Finding(Category.LEFT_BEHIND, _since(*starts, born=f.child.birth_date), (header, *facts))


def _left_behind(f: _Facts, on: date) -> Finding | None:
    """农村留守儿童 (国发〔2016〕13号; §3, §8.7): under 16, rural registration, both away or one away, one unable."""
    child = f.child
    if not f.under(LEFT_BEHIND_AGE, on):
        return None
    parents = _parents_away(f, on)
    rural = _rural_registration(child)
    if parents is None or rural is None:
        return None
    header, *facts = parents.reasons
    return Finding(Category.LEFT_BEHIND, parents.since, (header, rural, *facts))


def _rural_registration(child: ChildFacts) -> Reason | None:
    """2016 survey of left-behind children: a rural household registration (§3)."""
    if not child.has_household_registration:
        return None
    if child.hukou_nature == HukouNature.AGRICULTURAL:
        return Reason(gettext_noop("Household registration of the agricultural type"))
    if child.hukou_place is not None and child.hukou_place.rural:
        return Reason(gettext_noop("Household registered in a rural place"))
    return None


def _migrant(f: _Facts, on: date) -> Finding | None:
    """流动儿童 (census definition; §8.6): six months or more in a township other than that of the registration."""
    child = f.child
    home, here = child.hukou_place, child.residence_place
    if not child.has_household_registration or home is None or here is None or child.residence_since is None:
        return None
    if home.township_code == here.township_code:
        return None
    if home.city_code == here.city_code and home.county_is_urban_district and here.county_is_urban_district:
        return None  # a move within or between the urban districts of one city is not migration
    moved = max(child.residence_since, child.birth_date)
    done = add_months(moved, MIGRANT_MONTHS)
    if on < done:
        return None
    reason = Reason(
        gettext_noop(
            "Living since %(date)s in a township other than the one of the household registration; "
            "%(months)d months were complete on %(done)s"
        ),
        {"date": _iso(moved), "months": MIGRANT_MONTHS, "done": _iso(done)},
    )
    return Finding(Category.MIGRANT, done, (reason,))


def _poverty(f: _Facts, on: date) -> Finding | None:
    """困境儿童 (a) (国发〔2016〕36号; §2): family poverty — the family receives assistance or is monitored."""
    status = f.child.economic_status
    if status not in POOR_FAMILY:
        return None
    reason = Reason(
        gettext_noop("Family assistance: %(economic_status)s"), {"economic_status": EconomicStatus(status).value}
    )
    return Finding(Category.DIFFICULTY_POVERTY, f.child.birth_date, (reason,))


def _disability_reason(child: ChildFacts) -> Reason | None:
    if not child.disability_type:
        return None
    if child.disability_grade:
        return Reason(
            gettext_noop("Disability: %(disability)s, grade %(grade)d"),
            {"disability": DisabilityType(child.disability_type).value, "grade": child.disability_grade},
        )
    return Reason(
        gettext_noop("Disability: %(disability)s"), {"disability": DisabilityType(child.disability_type).value}
    )


def _own_disability(f: _Facts, category: Category) -> Finding | None:
    """困境儿童 (b) (国发〔2016〕36号; §2), 残疾儿童, key-child reason 残疾 (seed (10)): a recorded disability."""
    reason = _disability_reason(f.child)
    if reason is None:
        return None
    return Finding(category, f.child.birth_date, (reason,))


def _guardianship(f: _Facts, on: date, de_facto: Finding | None, orphan: Finding | None) -> Finding | None:
    """困境儿童 (c) (国发〔2016〕36号: 家庭监护缺失或监护不当; §2): the reading in the module docstring."""
    if orphan is not None:
        return None
    born = f.child.birth_date
    starts: list[date | None] = []
    reasons: list[Reason] = []
    father, mother = f.parents
    parents = [p for p in (father, mother) if p is not None]
    # Every de facto unattended child is in this case too (set Q and death are both incapacity),
    # so the run of "neither parent can care" gives ``since`` whether the thresholds were met or not.
    if father is not None and mother is not None and all(_active(p.incapable, on) for p in parents):
        if de_facto is not None:
            reasons.append(Reason(gettext_noop("The child is de facto unattended")))
        else:
            reasons.append(Reason(gettext_noop("Neither parent can care for the child now")))
            for parent in parents:
                reasons += _reasons(parent.incapable, on)
        starts.append(max(_since(_run_start(p.incapable, on), born=born) for p in parents))
    for parent in parents:
        revoked = _active(parent.revoked, on)
        if revoked and not any(r.reason in reasons for r in revoked):
            reasons += [w.reason for w in revoked]
            starts.append(_run_start(parent.revoked, on))
    if f.child.guardianship_quality == GuardianshipQuality.POOR:
        reasons.append(Reason(gettext_noop("The child director judged the guardianship poor")))
        starts.append(born)
    if not reasons:
        return None
    return Finding(Category.DIFFICULTY_GUARDIANSHIP, min(_since(s, born=born) for s in starts), tuple(reasons))


def _key_reasons(f: _Facts, on: date) -> list[Finding]:
    """Key children for regular visits (seed (10): 监护情况较差、失学辍学、无户籍以及患病、残疾; §3, §8.7)."""
    child = f.child
    born = child.birth_date
    found: list[Finding] = []
    if child.guardianship_quality == GuardianshipQuality.POOR:
        found.append(
            Finding(
                Category.KEY_POOR_GUARDIANSHIP,
                born,
                (Reason(gettext_noop("The child director judged the guardianship poor")),),
            )
        )
    if child.school_status in OUT_OF_SCHOOL and f.birthdays[SCHOOL_AGE] <= on < f.birthdays[SCHOOL_END_AGE]:
        if child.school_status == SchoolStatus.NOT_ENROLLED:
            msg = gettext_noop("Of compulsory-school age (6 to 15) and never enrolled in school")
        else:
            msg = gettext_noop("Of compulsory-school age (6 to 15) and dropped out of school")
        found.append(Finding(Category.KEY_OUT_OF_SCHOOL, f.birthdays[SCHOOL_AGE], (Reason(msg),)))
    if not child.has_household_registration:
        found.append(Finding(Category.KEY_UNREGISTERED, born, (Reason(gettext_noop("No household registration")),)))
    if child.health_status in ILL:
        found.append(
            Finding(
                Category.KEY_ILL,
                born,
                (Reason(gettext_noop("Health: %(health)s"), {"health": HealthStatus(child.health_status).value}),),
            )
        )
    disabled = _own_disability(f, Category.KEY_DISABLED)
    if disabled is not None:
        found.append(disabled)
    return found


def _evaluate(f: _Facts, on: date, *, explain_unused: bool = True) -> _Result:
    child = f.child
    settings = f.settings
    if not f.under(ADULT_AGE, on):
        return _Result((), ())
    findings: list[Finding] = []
    orphan = _orphan(f, on)
    de_facto = None if orphan is not None else _de_facto(f, on)  # 孤儿 wins (§8.5)
    findings += [x for x in (orphan, de_facto) if x is not None]
    wanted = settings.difficulty_categories
    difficulty: list[Finding | None] = []
    if DIFFICULTY_SETTING[Category.DIFFICULTY_POVERTY] in wanted:
        difficulty.append(_poverty(f, on))
    if DIFFICULTY_SETTING[Category.DIFFICULTY_DISABILITY] in wanted:
        difficulty.append(_own_disability(f, Category.DIFFICULTY_DISABILITY))
    if DIFFICULTY_SETTING[Category.DIFFICULTY_GUARDIANSHIP] in wanted:
        difficulty.append(_guardianship(f, on, de_facto, orphan))
    if DIFFICULTY_SETTING[Category.DIFFICULTY_ORPHAN] in wanted and orphan is not None:
        difficulty.append(Finding(Category.DIFFICULTY_ORPHAN, orphan.since, orphan.reasons))
    findings += [x for x in difficulty if x is not None]
    findings += [x for x in (_left_behind(f, on), _migrant(f, on)) if x is not None]
    disabled = _own_disability(f, Category.DISABLED)
    if disabled is not None:
        findings.append(disabled)
    if child.street_child:
        findings.append(
            Finding(Category.STREET, child.birth_date, (Reason(gettext_noop("Recorded as a street child")),))
        )
    if f.under(INFANT_AGE, on):
        findings.append(Finding(Category.INFANT, child.birth_date, (Reason(gettext_noop("Under 3 years of age")),)))
    findings += _key_reasons(f, on)
    findings.sort(key=lambda finding: CATEGORY_ORDER[finding.category])
    return _Result(tuple(findings), tuple(_unused(f, on, findings)) if explain_unused else ())


def _unused(f: _Facts, on: date, findings: list[Finding]) -> Iterator[Reason]:
    """Facts that hold but do not count, and facts missing for a rule that might apply."""
    for parent in f.parents:
        if parent is None:
            continue
        for window, note in parent.notes:
            if window.contains(on):
                yield note
    father, mother = f.parents
    if (father is None) != (mother is None):
        present = father or mother
        absent = f.missing[0] if father is None else f.missing[1]
        if present is not None and any(
            _active(windows, on) for windows in (present.qualifying, present.gone, present.away)
        ):
            yield Reason(
                gettext_noop(
                    "%(relation)s: not recorded in the file, so the rules that read both parents could not be applied"
                ),
                {"relation": absent.value},
            )
    child = f.child
    categories = {finding.category for finding in findings}
    if Category.LEFT_BEHIND not in categories and f.under(LEFT_BEHIND_AGE, on) and _parents_away(f, on) is not None:
        if not child.has_household_registration:
            yield Reason(
                gettext_noop(
                    "The parents' situation is that of a left-behind child, but the child has no household "
                    "registration, and the rule needs a rural one"
                )
            )
        else:
            yield Reason(
                gettext_noop(
                    "The parents' situation is that of a left-behind child, but the household registration is not "
                    "recorded as rural"
                )
            )
    if (
        child.has_household_registration
        and child.hukou_place is not None
        and child.residence_place is not None
        and child.residence_since is None
        and child.hukou_place.township_code != child.residence_place.township_code
    ):
        yield Reason(
            gettext_noop(
                "Living in a township other than the one of the household registration, but since when is not recorded"
            )
        )


def _change_days(f: _Facts) -> set[date]:
    """Every day on which the result may change with no new fact: window edges and birthdays."""
    born = f.child.birth_date
    days = {born, *f.birthdays.values()}
    for parent in f.parents:
        if parent is None:
            continue
        for windows in (parent.gone, parent.qualifying, parent.unable, parent.incapable, parent.away, parent.revoked):
            for w in windows:
                days.add(w.start)
                if w.end is not None:
                    days.add(w.end)
    child = f.child
    if child.residence_since is not None:
        days.add(add_months(max(child.residence_since, born), MIGRANT_MONTHS))
    return days


def classify(facts: ChildFacts, settings: RuleSettings, on: date) -> Classification:
    """The categories ``facts`` give on the day ``on``, with reasons, and the next day they change by time alone."""
    prepared = _prepare(facts, settings)
    result = _evaluate(prepared, on)
    next_review_on = None
    for day in sorted(d for d in _change_days(prepared) if d > on):
        if _evaluate(prepared, day, explain_unused=False).findings != result.findings:
            next_review_on = day
            break
    return Classification(findings=result.findings, next_review_on=next_review_on, unused=result.unused)
