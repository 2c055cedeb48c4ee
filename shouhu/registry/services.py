"""Writes of the child registry: files, families, situations, identity numbers, categories.

Every service takes a required ``actor``, checks the access policy (``permissions``), validates
the domain rules with messages in the user's language that name the field (``InvalidDataError``,
a ``DomainError``), runs in one transaction under ``acting_as(actor)`` (the change log's actor
outside requests), locks the child's row where two writers could race, and keeps the derived
state current: the completeness of the file (``completeness``) and the child's categories
(``reclassify``, after any change of a fact the rules read). Services that change a child's own
facts, and ``bulk_register_children``, send ``signals.children_changed`` once their transaction
has committed (the matching app keeps its search keys current with it).

Identity numbers are validated (``idnumber.parse`` + ``check_against`` the birth date and sex of
the form) and stored three ways: encrypted, keyed hash, mask (``models.IdentityFields``); only
``reveal_id_number`` shows one in full, with a reason written to the access log.

``bulk_register_children`` is the fast path of imports and generated data: every record is
validated first, then everything is written with bulk inserts in one transaction, or nothing.
"""

from __future__ import annotations

import json
import operator
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Prefetch
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from shouhu.core import crypto
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.jobs import ProgressReporter, register_job, start_job
from shouhu.core.memory import collector_paused
from shouhu.core.models import Job
from shouhu.core.policy import CHANGE, CREATE, policy_for
from shouhu.policy import selectors as policy_selectors
from shouhu.policy.definitions import LostContactThreshold
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.registry import classification as rules
from shouhu.registry import completeness, dates, duplicates, idnumber
from shouhu.registry.choices import (
    PARENT_RELATIONS,
    Category,
    ClassificationSource,
    DisabilityType,
    EconomicStatus,
    Ethnicity,
    FileStatus,
    GuardianshipQuality,
    HealthStatus,
    HouseholdRegistration,
    HukouNature,
    OverrideEffect,
    Relation,
    RiskLevel,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.facts import (
    ChildFacts,
    EntrustedCareFact,
    ParentFact,
    PlaceFact,
    Reason,
    RuleSettings,
    SituationFact,
)
from shouhu.registry.facts import (
    Classification as RuleResult,
)
from shouhu.registry.models import (
    AUDIT_NOTE_ATTRIBUTE,
    CategoryOverride,
    Child,
    Classification,
    EntrustedCare,
    Kinship,
    Person,
    Situation,
)
from shouhu.registry.permissions import OVERRIDE, REVEAL
from shouhu.registry.signals import send_children_changed

if TYPE_CHECKING:
    from django.http import HttpRequest

    from shouhu.accounts.models import User

ID_NUMBER_PURPOSE = "id_number"
ADULT_AGE = 18
RECLASSIFY_ALL_JOB = "registry.reclassify_all"
BATCH = 1000
# SQLite refuses statements with more variables than this (older builds: 999).
IN_CHUNK = 900
RURAL_CLASSES = frozenset({"210", "220"})  # 乡中心区, 村庄 (DOMAIN.md §6.1)
# The policy settings ``RuleSettings`` reads: a change of one of them recomputes every child.
RULE_SETTING_KEYS = frozenset(
    {
        "registry.difficulty_categories",
        "registry.liberty_restriction_term_months",
        "registry.pretrial_detention_months",
        "registry.lost_contact_months",
        "registry.lost_contact_threshold_day",
        "registry.serious_illnesses",
    }
)


# -- errors --------------------------------------------------------------------------------------


class InvalidDataError(DomainError):
    """Input that breaks a rule; ``errors`` maps each field to its messages (the first is ``field``)."""

    def __init__(self, errors: Mapping[str, Sequence[str | Promise]], *, code: str = "invalid") -> None:
        if not errors:
            raise ValueError("an InvalidDataError needs at least one error")
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}
        first_field = next(iter(self.errors))
        super().__init__(self.errors[first_field][0], field=first_field, code=code)


class DuplicateChildError(DomainError):
    """A child with this identity number is already on file: open ``existing`` instead.

    ``visible`` says whether the actor may open it (a file of another jurisdiction is not shown).
    """

    def __init__(self, existing: Child, *, visible: bool) -> None:
        super().__init__(
            _("A child with this identity number is already on file.")
            if visible
            else _(
                "A child with this identity number is already on file in another jurisdiction. "
                "Ask the county civil-affairs bureau."
            ),
            field="id_number",
            code="duplicate",
        )
        self.existing = existing
        self.visible = visible


class PossibleDuplicatesError(DomainError):
    """Children who may be the same child are on file; register anyway only after checking them."""

    def __init__(self, candidates: list[duplicates.Candidate]) -> None:
        super().__init__(
            _("Children who may be this child are already on file. Check them before opening a new file."),
            code="possible_duplicates",
        )
        self.candidates = candidates


class _Errors:
    """Collects the problems of one input, so that the user sees all of them at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}
        self.code = "invalid"

    def add(self, name: str, message: str | Promise, *, code: str | None = None) -> None:
        if not self.by_field and code:
            self.code = code
        self.by_field.setdefault(name, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise InvalidDataError(self.by_field, code=self.code)


# -- access ---------------------------------------------------------------------------------------


def _require(actor: User, action: str, model: type[models.Model], obj: models.Model | None = None) -> None:
    """The policy allows ``actor`` to ``action`` (``obj``): else NotAllowedError (a 404 to the user)."""
    if not policy_for(model).can(actor, action, obj):
        raise NotAllowedError()


# -- identity numbers -----------------------------------------------------------------------------


def id_number_hash(value: str) -> str:
    """The keyed hash under which a (normalised, valid) identity number is looked up."""
    return crypto.keyed_hash(value, purpose=ID_NUMBER_PURPOSE)


def id_number_lookup_hash(text: str) -> str:
    """The hash of a number as typed (for searches), or ``""`` if it is not a valid number."""
    try:
        return id_number_hash(idnumber.parse(text).value)
    except idnumber.IdNumberError:
        return ""


def _parse_id_number(
    text: str, *, birth_date: date | None, sex: str | None, today: date, errors: _Errors, name: str = "id_number"
) -> idnumber.IdNumber | None:
    if not text or not text.strip():
        return None
    try:
        number = idnumber.parse(text, today=today)
    except idnumber.IdNumberError as error:
        errors.add(name, error.message, code=error.code)
        return None
    for problem in idnumber.check_against(number, birth_date=birth_date, sex=sex or None):
        errors.add(name, problem.message, code=problem.code)
    return number


def _store_identity(obj: Child | Person, number: idnumber.IdNumber | None, *, number_hash: str = "") -> None:
    if number is None:
        obj.id_number_cipher = obj.id_number_hash = obj.id_number_mask = ""
        return
    obj.id_number_cipher = crypto.encrypt(number.value)
    obj.id_number_hash = number_hash or id_number_hash(number.value)
    obj.id_number_mask = number.masked()


def _stored_number(obj: Child | Person) -> idnumber.IdNumber | None:
    if not obj.id_number_cipher:
        return None
    return idnumber.parse(crypto.decrypt(obj.id_number_cipher))


# -- cleaning of input ----------------------------------------------------------------------------

CHILD_FIELDS = (
    "name",
    "former_names",
    "sex",
    "birth_date",
    "ethnicity",
    "hukou_status",
    "hukou_region",
    "hukou_nature",
    "hukou_address",
    "village",
    "residence_address",
    "residence_since",
    "school_status",
    "school_name",
    "school_grade",
    "boarding",
    "health_status",
    "illness",
    "disability_type",
    "disability_grade",
    "disability_certificate_no",
    "economic_status",
    "birth_parents_unknown",
    "guardianship_quality",
    "risk_level",
    "phones",
    "photo",
    "notes",
)
CHILD_REQUIRED = ("name", "sex", "birth_date", "village")
# Fields whose change can change the categories (everything else is shown, not ruled on).
CHILD_RULE_FIELDS = frozenset(
    {
        "birth_date",
        "hukou_status",
        "hukou_region",
        "hukou_nature",
        "village",
        "residence_since",
        "school_status",
        "health_status",
        "illness",
        "disability_type",
        "disability_grade",
        "economic_status",
        "birth_parents_unknown",
        "guardianship_quality",
    }
)
REQUIRED_CHOICES: dict[str, type[models.TextChoices]] = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "hukou_status": HouseholdRegistration,
    "hukou_nature": HukouNature,
    "economic_status": EconomicStatus,
    "guardianship_quality": GuardianshipQuality,
    "risk_level": RiskLevel,
}
OPTIONAL_CHOICES: dict[str, type[models.TextChoices]] = {
    "school_status": SchoolStatus,
    "health_status": HealthStatus,
    "disability_type": DisabilityType,
}
TEXT_LIMITS = {
    "hukou_address": 255,
    "residence_address": 255,
    "school_name": 120,
    "school_grade": 20,
    "illness": 200,
    "disability_certificate_no": 30,
    "notes": 5000,
    "address": 255,
    "place": 120,
    "document_no": 60,
    "note": 255,
}
NAME_LIMIT = 60
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9-]{4,19}$")
LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")
DISABILITY_GRADES = range(1, 5)


def _as_date(value: Any, name: str, errors: _Errors) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        errors.add(name, _("Enter a date, not a time."))
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(name, _("Enter a date as YYYY-MM-DD."), code="date")
    return None


def _as_text(value: Any, name: str, errors: _Errors, *, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        errors.add(name, _("At most %(limit)d characters.") % {"limit": limit})
    return text


def _as_name(value: Any, name: str, errors: _Errors, *, required: bool = True) -> str:
    text = "" if value is None else " ".join(str(value).split())
    if required and not text:
        errors.add(name, _("Enter the name."), code="required")
    elif len(text) > NAME_LIMIT:
        errors.add(name, _("At most %(limit)d characters.") % {"limit": NAME_LIMIT})
    return text


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    items = LIST_SEPARATORS.split(value) if isinstance(value, str) else [str(v) for v in value]
    return [item.strip() for item in items if item and item.strip()]


def _as_phones(value: Any, name: str, errors: _Errors) -> list[str]:
    phones = []
    for item in _as_list(value):
        phone = item.replace(" ", "")
        if not PHONE_PATTERN.match(phone):
            errors.add(name, _("“%(phone)s” is not a phone number.") % {"phone": item})
        phones.append(phone)
    return phones


_CHOICE_VALUES: dict[type[models.TextChoices], frozenset[str]] = {}


def valid_choices(choices: type[models.TextChoices]) -> frozenset[str]:
    """The values of ``choices`` (computed once: Django builds the list anew on every access)."""
    if choices not in _CHOICE_VALUES:
        _CHOICE_VALUES[choices] = frozenset(str(v) for v in choices.values)
    return _CHOICE_VALUES[choices]


def _as_choice(value: Any, name: str, choices: type[models.TextChoices], errors: _Errors, *, blank: bool) -> str:
    text = "" if value is None else str(value)
    if text == "" and blank:
        return ""
    if text not in valid_choices(choices):
        errors.add(name, _("“%(value)s” is not one of the choices.") % {"value": text}, code="choice")
    return text


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "是")
    return bool(value)


def _as_grade(value: Any, name: str, errors: _Errors) -> int | None:
    if value in (None, ""):
        return None
    try:
        grade = int(value)
    except (TypeError, ValueError):
        grade = 0
    if grade not in DISABILITY_GRADES:
        errors.add(name, _("A disability grade is 1, 2, 3 or 4."))
        return None
    return grade


class RegionLookup:
    """Regions by code, loaded once for a whole input (one query per chunk of codes)."""

    def __init__(self, preload: Iterable[str] = ()) -> None:
        self._regions: dict[str, Region | None] = {}
        self._covered: dict[str, bool] = {}
        self.load(preload)

    def load(self, wanted: Iterable[str]) -> None:
        missing = sorted({c for c in wanted if c and c not in self._regions})
        for start in range(0, len(missing), IN_CHUNK):
            chunk = missing[start : start + IN_CHUNK]
            found = {r.code: r for r in Region.objects.filter(code__in=chunk)}
            for code in chunk:
                self._regions[code] = found.get(code)

    def get(self, code: str) -> Region | None:
        if code not in self._regions:
            self.load([code])
        return self._regions.get(code)

    def covered(self, actor: User, code: str) -> bool:
        """Does ``actor``'s jurisdiction contain ``code``? (Remembered per code.)"""
        if code not in self._covered:
            self._covered[code] = actor.is_superuser or actor.covers(code)
        return self._covered[code]


def _code_of(value: Any) -> str:
    if isinstance(value, Region):
        return value.code
    text = "" if value is None else str(value).strip()
    try:
        return codes.pad(text) if text else ""
    except codes.CodeError:
        return text


def _as_village(value: Any, errors: _Errors, regions: RegionLookup, actor: User) -> Region | None:
    code = _code_of(value)
    if not code:
        errors.add("village", _("Choose the village or community where the child lives."), code="required")
        return None
    region = regions.get(code)
    if region is None or region.level != Level.VILLAGE:
        errors.add("village", _("“%(code)s” is not the code of a village or community.") % {"code": code})
        return None
    if not region.active:
        errors.add("village", _("%(name)s no longer exists in the division table.") % {"name": region.name})
        return None
    if not regions.covered(actor, code):
        errors.add("village", _("This village or community is outside your jurisdiction."), code="outside_jurisdiction")
    return region


def _as_region(value: Any, name: str, errors: _Errors, regions: RegionLookup) -> Region | None:
    code = _code_of(value)
    if not code:
        return None
    region = regions.get(code)
    if region is None:
        errors.add(name, _("“%(code)s” is not a division code.") % {"code": code})
    return region


def clean_child_data(
    data: Mapping[str, Any],
    *,
    actor: User,
    current: Child | None,
    today: date,
    errors: _Errors,
    regions: RegionLookup | None = None,
) -> dict[str, Any]:
    """The values of ``data`` ready for a ``Child`` (regions as rows), each problem added to ``errors``.

    ``current`` is the file being changed (None for a new one): fields not in ``data`` keep its
    values for the checks between fields (disability type and grade, dates after the birth).
    """
    unknown = set(data) - set(CHILD_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a child's file: {sorted(unknown)}")
    regions = regions or RegionLookup()
    values: dict[str, Any] = {}
    if current is None:
        for name in CHILD_REQUIRED:
            if name not in data:
                values[name] = None
    for name, raw in data.items():
        if name == "name":
            values[name] = _as_name(raw, name, errors)
        elif name == "former_names":
            values[name] = [_as_name(n, name, errors) for n in _as_list(raw)]
        elif name in REQUIRED_CHOICES:
            values[name] = _as_choice(raw, name, REQUIRED_CHOICES[name], errors, blank=False)
        elif name in OPTIONAL_CHOICES:
            values[name] = _as_choice(raw, name, OPTIONAL_CHOICES[name], errors, blank=True)
        elif name in ("birth_date", "residence_since"):
            values[name] = _as_date(raw, name, errors)
        elif name == "village":
            values[name] = _as_village(raw, errors, regions, actor)
        elif name == "hukou_region":
            values[name] = _as_region(raw, name, errors, regions)
        elif name in ("boarding", "birth_parents_unknown"):
            values[name] = _as_bool(raw)
        elif name == "disability_grade":
            values[name] = _as_grade(raw, name, errors)
        elif name == "phones":
            values[name] = _as_phones(raw, name, errors)
        elif name == "photo":
            values[name] = raw or ""
        else:
            values[name] = _as_text(raw, name, errors, limit=TEXT_LIMITS[name])
    # Missing required values of a new file (``None`` placed above).
    if current is None:
        if values.get("name") is None:
            errors.add("name", _("Enter the name."), code="required")
            values["name"] = ""
        if values.get("sex") is None and "sex" not in errors.by_field:
            errors.add("sex", _("Choose the sex."), code="required")
        if values.get("village") is None and "village" not in errors.by_field:
            errors.add("village", _("Choose the village or community where the child lives."), code="required")
    _check_between_fields(values, current=current, today=today, errors=errors)
    return values


def _merged(values: Mapping[str, Any], current: Child | None, name: str) -> Any:
    if name in values:
        return values[name]
    return getattr(current, name) if current is not None else None


def _check_between_fields(values: dict[str, Any], *, current: Child | None, today: date, errors: _Errors) -> None:
    birth_date = _merged(values, current, "birth_date")
    if "birth_date" in values and "birth_date" not in errors.by_field:
        if birth_date is None:
            errors.add("birth_date", _("Enter the date of birth."), code="required")
        elif birth_date > today:
            errors.add("birth_date", _("The date of birth is in the future."), code="future")
        elif dates.age_on(birth_date, today) >= ADULT_AGE and (current is None or current.status == FileStatus.ACTIVE):
            errors.add(
                "birth_date",
                _("A person born on %(date)s is 18 or older: the registry keeps files of minors.")
                % {"date": birth_date.isoformat()},
                code="adult",
            )
    since = values.get("residence_since")
    if since is not None:
        if since > today:
            errors.add("residence_since", _("This date is in the future."), code="future")
        elif birth_date is not None and since < birth_date:
            errors.add("residence_since", _("This date is before the date of birth."))
    disability_type = _merged(values, current, "disability_type")
    grade = _merged(values, current, "disability_grade")
    if grade is not None and not disability_type and ("disability_grade" in values or "disability_type" in values):
        errors.add("disability_type", _("Give the type of disability with its grade."), code="grade_without_type")
    hukou_status = _merged(values, current, "hukou_status")
    hukou_region = values.get("hukou_region")
    if hukou_status == HouseholdRegistration.UNREGISTERED and hukou_region is not None:
        errors.add("hukou_region", _("A child without household registration has no place of registration."))


PERSON_FIELDS = ("name", "former_names", "sex", "birth_date", "phone", "address")


def clean_person_data(
    data: Mapping[str, Any], *, current: Person | None, today: date, errors: _Errors, prefix: str = ""
) -> dict[str, Any]:
    """The values of ``data`` ready for a ``Person``; field names in ``errors`` carry ``prefix``."""
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a family member: {sorted(unknown)}")
    values: dict[str, Any] = {}
    if current is None and "name" not in data:
        errors.add(f"{prefix}name", _("Enter the name."), code="required")
    for name, raw in data.items():
        key = f"{prefix}{name}"
        if name == "name":
            values[name] = _as_name(raw, key, errors)
        elif name == "former_names":
            values[name] = [_as_name(n, key, errors) for n in _as_list(raw)]
        elif name == "sex":
            values[name] = _as_choice(raw, key, Sex, errors, blank=True)
        elif name == "birth_date":
            born = _as_date(raw, key, errors)
            if born is not None and born > today:
                errors.add(key, _("The date of birth is in the future."), code="future")
            values[name] = born
        elif name == "phone":
            phones = _as_phones(raw, key, errors)
            values[name] = phones[0] if phones else ""
        else:
            values[name] = _as_text(raw, key, errors, limit=TEXT_LIMITS[name])
    return values


SITUATION_FIELDS = (
    "kind",
    "started_on",
    "ended_on",
    "term_months",
    "police_accepted_on",
    "disability_type",
    "disability_grade",
    "place",
    "pays_support",
    "document_no",
    "note",
)
MAX_TERM_MONTHS = 12 * 100  # a life sentence is recorded as a very long term


def clean_situation_data(data: Mapping[str, Any], *, today: date, errors: _Errors, prefix: str = "") -> dict[str, Any]:
    """The values of a situation; a situation without the date it began is refused."""
    unknown = set(data) - set(SITUATION_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a situation: {sorted(unknown)}")
    values: dict[str, Any] = {}
    values["kind"] = _as_choice(data.get("kind"), f"{prefix}kind", SituationKind, errors, blank=False)
    started = _as_date(data.get("started_on"), f"{prefix}started_on", errors)
    if started is None and f"{prefix}started_on" not in errors.by_field:
        errors.add(f"{prefix}started_on", _("Give the date on which this situation began."), code="required")
    elif started is not None and started > today:
        errors.add(f"{prefix}started_on", _("This date is in the future."), code="future")
    values["started_on"] = started
    ended = _as_date(data.get("ended_on"), f"{prefix}ended_on", errors)
    if ended is not None and started is not None and ended < started:
        errors.add(f"{prefix}ended_on", _("A situation cannot end before it began."))
    values["ended_on"] = ended
    term = data.get("term_months")
    if term in (None, ""):
        values["term_months"] = None
    else:
        try:
            values["term_months"] = int(term)
        except (TypeError, ValueError):
            values["term_months"] = None
            errors.add(f"{prefix}term_months", _("Give the term as a number of months."))
        else:
            if not 1 <= values["term_months"] <= MAX_TERM_MONTHS:
                errors.add(f"{prefix}term_months", _("Give the term as a number of months."))
    accepted = _as_date(data.get("police_accepted_on"), f"{prefix}police_accepted_on", errors)
    if accepted is not None and accepted > today:
        errors.add(f"{prefix}police_accepted_on", _("This date is in the future."), code="future")
    values["police_accepted_on"] = accepted
    values["disability_type"] = _as_choice(
        data.get("disability_type"), f"{prefix}disability_type", DisabilityType, errors, blank=True
    )
    values["disability_grade"] = _as_grade(data.get("disability_grade"), f"{prefix}disability_grade", errors)
    if values["disability_grade"] is not None and not values["disability_type"]:
        errors.add(f"{prefix}disability_type", _("Give the type of disability with its grade."))
    pays = data.get("pays_support")
    values["pays_support"] = None if pays in (None, "") else _as_bool(pays)
    for name in ("place", "document_no", "note"):
        values[name] = _as_text(data.get(name), f"{prefix}{name}", errors, limit=TEXT_LIMITS[name])
    return values


# -- the child's file -----------------------------------------------------------------------------


def register_child(
    *, actor: User, data: Mapping[str, Any], id_number: str = "", allow_possible_duplicates: bool = False
) -> Child:
    """Open a file for a child.

    Raises ``DuplicateChildError`` when the identity number is on file already (open that file),
    ``PossibleDuplicatesError`` when children who may be this one are on file (unless
    ``allow_possible_duplicates``: the user has checked them), ``InvalidDataError`` for bad input.
    """
    _require(actor, CREATE, Child)
    today = policy_selectors.today()
    errors = _Errors()
    values = clean_child_data(data, actor=actor, current=None, today=today, errors=errors)
    number = _parse_id_number(
        id_number, birth_date=values.get("birth_date"), sex=values.get("sex"), today=today, errors=errors
    )
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        child = Child(**values, created_by=actor)
        child.county_code = child.village_id[:6]
        _store_identity(child, number)
        if child.id_number_hash:
            _refuse_duplicate_number(actor, child.id_number_hash)
        if not allow_possible_duplicates:
            candidates = duplicates.find_possible_duplicates(
                actor=actor,
                name=child.name,
                birth_date=child.birth_date,
                sex=child.sex,
                village_code=child.village_id,
                id_number_hash=child.id_number_hash,
            )
            if candidates:
                raise PossibleDuplicatesError(candidates)
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            # Another user registered the same number a moment ago (the unique constraint).
            if child.id_number_hash:
                _refuse_duplicate_number(actor, child.id_number_hash)
            raise
        refresh_file(child=child, on=today)
        send_children_changed([child.pk])
    return child


def _refuse_duplicate_number(actor: User, number_hash: str, *, exclude_pk: int | None = None) -> None:
    existing = Child.objects.exclude(status=FileStatus.MERGED).filter(id_number_hash=number_hash)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    found = existing.first()
    if found is not None:
        visible = policy_for(Child).visible(actor).filter(pk=found.pk).exists()
        raise DuplicateChildError(found, visible=visible)


def _lock_child(child: Child) -> Child:
    return Child.objects.select_for_update().select_related("village").get(pk=child.pk)


def update_child(*, actor: User, child: Child, data: Mapping[str, Any]) -> Child:
    """Change facts of a child's file; the categories are computed again when a fact they read changed.

    Moving the child to another village of the actor's jurisdiction moves the file's rows with it;
    a move out of it is a change of file status (``change_file_status``).
    """
    _require(actor, CHANGE, Child, child)
    today = policy_selectors.today()
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(child)
        errors = _Errors()
        values = clean_child_data(data, actor=actor, current=locked, today=today, errors=errors)
        if ("birth_date" in values or "sex" in values) and locked.id_number_cipher and not errors:
            number = _stored_number(locked)
            if number is not None:
                for problem in idnumber.check_against(
                    number, birth_date=_merged(values, locked, "birth_date"), sex=_merged(values, locked, "sex")
                ):
                    errors.add("id_number", problem.message, code=problem.code)
        errors.raise_if_any()
        old_village = locked.village_id
        changed = [name for name, value in values.items() if _field_value(locked, name) != _raw_value(value)]
        for name in changed:
            setattr(locked, name, values[name])
        if changed:
            locked.county_code = locked.village_id[:6]
            locked.save()
            if locked.village_id != old_village:
                _move_rows(locked, old_village)
            refresh_file(child=locked, on=today, classify=bool(CHILD_RULE_FIELDS & set(changed)))
            send_children_changed([locked.pk])
    return locked


def _field_value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    if isinstance(field, models.FileField):
        return getattr(obj, name).name or ""
    return getattr(obj, name)


def _raw_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and not isinstance(value, str | Region):  # an uploaded file
        return object()  # always a change
    return value


def _move_rows(child: Child, old_village: str) -> None:
    """The rows of a child who moved carry the new village code (scopes and counts follow)."""
    code = child.village_id
    Kinship.objects.filter(child=child).update(village_code=code)
    EntrustedCare.objects.filter(child=child).update(village_code=code)
    Classification.objects.filter(child=child, until__isnull=True).update(village_code=code)
    CategoryOverride.objects.filter(child=child).update(village_code=code)
    # Family members recorded for this child only move with the child.
    only_here = (
        Person.objects.filter(kinships__child=child, village_id=old_village)
        .annotate(children=models.Count("kinships"))
        .filter(children=1)
        .values_list("pk", flat=True)
    )
    movers = list(only_here)
    Person.objects.filter(pk__in=movers).update(village_id=code, county_code=code[:6])
    Situation.objects.filter(person_id__in=movers).update(village_code=code)


def set_id_number(*, actor: User, obj: Child | Person, id_number: str) -> None:
    """Record (or, with ``""``, remove) the identity number of a child or family member."""
    model = type(obj)
    _require(actor, CHANGE, model, obj)
    today = policy_selectors.today()
    with transaction.atomic(), acting_as(actor):
        locked = model.objects.select_for_update().get(pk=obj.pk)
        errors = _Errors()
        number = _parse_id_number(
            id_number, birth_date=locked.birth_date, sex=locked.sex or None, today=today, errors=errors
        )
        errors.raise_if_any()
        _store_identity(locked, number)
        if isinstance(locked, Child) and locked.id_number_hash:
            _refuse_duplicate_number(actor, locked.id_number_hash, exclude_pk=locked.pk)
        elif locked.id_number_hash and (
            Person.objects.filter(id_number_hash=locked.id_number_hash).exclude(pk=locked.pk).exists()
        ):
            raise InvalidDataError(
                {"id_number": [_("This identity number is on file for another family member.")]}, code="duplicate"
            )
        try:
            with transaction.atomic():
                locked.save(update_fields=["id_number_cipher", "id_number_hash", "id_number_mask", "updated_at"])
        except IntegrityError:
            _refuse_duplicate_number(actor, locked.id_number_hash, exclude_pk=locked.pk)
            raise
        for field_name in ("id_number_cipher", "id_number_hash", "id_number_mask"):
            setattr(obj, field_name, getattr(locked, field_name))
        for child in _children_of(locked):
            refresh_file(child=child, on=today, classify=False)
        if isinstance(locked, Child):
            send_children_changed([locked.pk])


def _children_of(obj: Child | Person) -> list[Child]:
    if isinstance(obj, Child):
        return [obj]
    return list(Child.objects.filter(kinships__person=obj).distinct())


def change_file_status(*, actor: User, child: Child, status: str, on: date, reason: str) -> Child:
    """Close a file (moved away, turned 18, deceased) or open it again, with the reason in the change log.

    A closed file holds no current category (its rows end on ``on``); an opened one is classified again.
    """
    _require(actor, CHANGE, Child, child)
    today = policy_selectors.today()
    errors = _Errors()
    if status not in valid_choices(FileStatus) or status == FileStatus.MERGED:
        errors.add("status", _("“%(value)s” is not one of the choices.") % {"value": status}, code="choice")
    when = _as_date(on, "on", errors)
    if when is not None and when > today:
        errors.add("on", _("This date is in the future."), code="future")
    if not reason or not reason.strip():
        errors.add("reason", _("Give the reason."), code="required")
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(child)
        if locked.status == FileStatus.MERGED:
            raise DomainError(_("This file was merged into another one."), code="merged")
        if locked.status == status:
            raise InvalidDataError({"status": [_("The file already has this status.")]})
        if status == FileStatus.AGED_OUT and when is not None and dates.age_on(locked.birth_date, when) < ADULT_AGE:
            raise InvalidDataError(
                {"on": [_("The child turns 18 on %(date)s.") % {"date": dates.birthday(locked.birth_date, ADULT_AGE)}]},
                code="not_adult",
            )
        locked.status = status
        locked.status_changed_on = when
        setattr(locked, AUDIT_NOTE_ATTRIBUTE, reason.strip())
        locked.save(update_fields=["status", "status_changed_on", "updated_at"])
        send_children_changed([locked.pk])
        if status == FileStatus.ACTIVE:
            refresh_file(child=locked, on=today)
        else:
            assert when is not None  # noqa: S101  (checked above)
            _close_categories(locked, when)
    return locked


def _close_categories(child: Child, on: date) -> None:
    for row in Classification.objects.filter(child=child, until__isnull=True):
        row.until = max(on, row.since)
        row.save(update_fields=["until"])
    Child.objects.filter(pk=child.pk).update(next_review_on=None, classified_at=timezone.now())
    child.next_review_on = None


# -- family ---------------------------------------------------------------------------------------

FATHERS = frozenset({Relation.FATHER, Relation.ADOPTIVE_FATHER})
MOTHERS = frozenset({Relation.MOTHER, Relation.ADOPTIVE_MOTHER})

PARENT_RECORDED = (
    (FATHERS, gettext_lazy("The child's father is already recorded.")),
    (MOTHERS, gettext_lazy("The child's mother is already recorded.")),
)


def add_family_member(
    *,
    actor: User,
    child: Child,
    relation: str,
    person: Person | None = None,
    person_data: Mapping[str, Any] | None = None,
    id_number: str = "",
    is_guardian: bool = False,
    lives_with_child: bool = False,
) -> Kinship:
    """Relate a person to a child: an existing one (a sibling's parent) or a new one from ``person_data``.

    A new person whose identity number is already on file is that person: the relation is made
    to the stored person (the name must agree).
    """
    _require(actor, CHANGE, Child, child)
    today = policy_selectors.today()
    errors = _Errors()
    if relation not in valid_choices(Relation):
        errors.add("relation", _("“%(value)s” is not one of the choices.") % {"value": relation}, code="choice")
    values: dict[str, Any] = {}
    number = None
    if person is None:
        values = clean_person_data(person_data or {}, current=None, today=today, errors=errors)
        number = _parse_id_number(
            id_number,
            birth_date=values.get("birth_date"),
            sex=values.get("sex") or None,
            today=today,
            errors=errors,
        )
    elif not policy_for(Person).visible(actor).filter(pk=person.pk).exists():
        raise NotAllowedError()
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(child)
        existing = list(Kinship.objects.filter(child=locked).select_related("person"))
        if person is None and number is not None:
            person = _person_by_number(number, values)
        if person is None:
            person = Person(**values, village_id=locked.village_id, created_by=actor)
            person.county_code = locked.village_id[:6]
            _store_identity(person, number)
            person.save()
        _check_relation(locked, relation, person, existing)
        kinship = Kinship.objects.create(
            child=locked,
            person=person,
            relation=relation,
            is_guardian=is_guardian,
            lives_with_child=lives_with_child,
            village_code=locked.village_id,
        )
        refresh_file(child=locked, on=today, classify=relation in PARENT_RELATIONS)
    return kinship


def _person_by_number(number: idnumber.IdNumber, values: Mapping[str, Any]) -> Person | None:
    person = Person.objects.filter(id_number_hash=id_number_hash(number.value)).first()
    if person is not None and values.get("name") and person.name != values["name"]:
        raise InvalidDataError(
            {"id_number": [_("This identity number is on file for a family member with another name.")]},
            code="id_number_name",
        )
    return person


def _check_relation(child: Child, relation: str, person: Person, existing: list[Kinship]) -> None:
    if any(k.person_id == person.pk for k in existing):
        raise InvalidDataError({"relation": [_("This person is already in the child's family.")]}, code="related")
    for group, message in PARENT_RECORDED:
        if relation in group and any(k.relation in group for k in existing):
            raise InvalidDataError({"relation": [message]}, code="parent_recorded")


def update_kinship(
    *, actor: User, kinship: Kinship, is_guardian: bool | None = None, lives_with_child: bool | None = None
) -> Kinship:
    """Change whether a family member is a guardian or lives with the child."""
    _require(actor, CHANGE, Child, kinship.child)
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(kinship.child)
        row = Kinship.objects.select_for_update().get(pk=kinship.pk)
        if is_guardian is not None:
            row.is_guardian = is_guardian
        if lives_with_child is not None:
            row.lives_with_child = lives_with_child
        row.save()
        refresh_file(child=locked, on=policy_selectors.today())
    return row


def update_person(*, actor: User, person: Person, data: Mapping[str, Any]) -> Person:
    """Change a family member's details (name, sex, date of birth, phone, address)."""
    _require(actor, CHANGE, Person, person)
    today = policy_selectors.today()
    with transaction.atomic(), acting_as(actor):
        locked = Person.objects.select_for_update().get(pk=person.pk)
        errors = _Errors()
        values = clean_person_data(data, current=locked, today=today, errors=errors)
        if ("birth_date" in values or "sex" in values) and locked.id_number_cipher and not errors:
            number = _stored_number(locked)
            if number is not None:
                for problem in idnumber.check_against(
                    number,
                    birth_date=values.get("birth_date", locked.birth_date),
                    sex=values.get("sex", locked.sex) or None,
                ):
                    errors.add("id_number", problem.message, code=problem.code)
        errors.raise_if_any()
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, values[name])
        if changed:
            locked.save()
    return locked


def remove_family_member(*, actor: User, kinship: Kinship) -> None:
    """Remove a relation; a person related to no child any more (and caring for none) is removed too."""
    _require(actor, CHANGE, Child, kinship.child)
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(kinship.child)
        row = Kinship.objects.select_related("person").get(pk=kinship.pk)
        person = row.person
        row.delete()
        if (
            not Kinship.objects.filter(person=person).exists()
            and not EntrustedCare.objects.filter(carer=person).exists()
        ):
            person.delete()
        refresh_file(child=locked, on=policy_selectors.today())


def record_situation(*, actor: User, person: Person, data: Mapping[str, Any]) -> Situation:
    """Record a situation of a family member (working away, serving a sentence, lost contact …).

    The date it began is required; the categories of every child of the person are computed again.
    """
    _require(actor, CHANGE, Person, person)
    today = policy_selectors.today()
    errors = _Errors()
    values = clean_situation_data(data, today=today, errors=errors)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        children = _lock_children_of(person)
        situation = Situation.objects.create(person=person, village_code=person.village_id, recorded_by=actor, **values)
        for child in children:
            refresh_file(child=child, on=today)
    return situation


def update_situation(*, actor: User, situation: Situation, data: Mapping[str, Any]) -> Situation:
    """Correct a recorded situation (its dates, term, police report …)."""
    person = situation.person
    _require(actor, CHANGE, Person, person)
    today = policy_selectors.today()
    errors = _Errors()
    current = {name: getattr(situation, name) for name in SITUATION_FIELDS}
    values = clean_situation_data({**current, **data}, today=today, errors=errors)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        children = _lock_children_of(person)
        locked = Situation.objects.select_for_update().get(pk=situation.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        for child in children:
            refresh_file(child=child, on=today)
    return locked


def end_situation(*, actor: User, situation: Situation, ended_on: date) -> Situation:
    """Record the day a situation ended (released, back home, contact restored …)."""
    _require(actor, CHANGE, Person, situation.person)
    today = policy_selectors.today()
    errors = _Errors()
    ended = _as_date(ended_on, "ended_on", errors)
    if ended is None and "ended_on" not in errors.by_field:
        errors.add("ended_on", _("Give the date on which this situation ended."), code="required")
    elif ended is not None and ended < situation.started_on:
        errors.add("ended_on", _("A situation cannot end before it began."))
    elif ended is not None and ended > today:
        errors.add("ended_on", _("This date is in the future."), code="future")
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        children = _lock_children_of(situation.person)
        locked = Situation.objects.select_for_update().get(pk=situation.pk)
        locked.ended_on = ended
        locked.save(update_fields=["ended_on"])
        for child in children:
            refresh_file(child=child, on=today)
    return locked


def _lock_children_of(person: Person) -> list[Child]:
    pks = list(Kinship.objects.filter(person=person).values_list("child_id", flat=True))
    pks += list(EntrustedCare.objects.filter(carer=person).values_list("child_id", flat=True))
    return list(Child.objects.select_for_update().filter(pk__in=set(pks)).order_by("pk"))


ENTRUSTED_CARE_FIELDS = (
    "since",
    "until",
    "confirmation_signed_on",
    "school_notified_on",
    "village_notified_on",
    "last_parent_contact_on",
)


def set_entrusted_care(*, actor: User, child: Child, carer: Person, data: Mapping[str, Any]) -> EntrustedCare:
    """Record who cares for a left-behind child (MPL arts. 22-23): since when, the signed confirmation,
    the written notices to the school and the village, the last contact of a parent.

    The same carer's current record is updated; a new carer ends the current record on the new
    ``since`` day.
    """
    _require(actor, CHANGE, Child, child)
    if not policy_for(Person).visible(actor).filter(pk=carer.pk).exists():
        raise NotAllowedError()
    unknown = set(data) - set(ENTRUSTED_CARE_FIELDS)
    if unknown:
        raise ValueError(f"not fields of entrusted care: {sorted(unknown)}")
    today = policy_selectors.today()
    errors = _Errors()
    values = {name: _as_date(data.get(name), name, errors) for name in ENTRUSTED_CARE_FIELDS if name in data}
    for name, value in values.items():
        if value is not None and value > today:
            errors.add(name, _("This date is in the future."), code="future")
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(child)
        if Kinship.objects.filter(child=locked, person=carer, relation__in=PARENT_RELATIONS).exists():
            errors.add("carer", _("A parent cannot be the entrusted carer of their own child."))
        current = EntrustedCare.objects.select_for_update().filter(child=locked, until__isnull=True).first()
        new_carer = current is None or current.carer_id != carer.pk
        if new_carer and values.get("since") is None and "since" not in errors.by_field:
            errors.add("since", _("Give the date from which the carer looks after the child."), code="required")
        errors.raise_if_any()
        if current is not None and current.carer_id == carer.pk:
            care = current
            for name, value in values.items():
                setattr(care, name, value)
        else:
            since = cast(date, values["since"])
            if current is not None:
                current.until = max(since, current.since)
                current.save(update_fields=["until"])
            care = EntrustedCare(child=locked, carer=carer, village_code=locked.village_id, **values)
        if care.until is not None and care.until < care.since:
            raise InvalidDataError({"until": [_("This date is before the start.")]})
        care.save()
        refresh_file(child=locked, on=today)
    return care


# -- categories: caseworkers' decisions -----------------------------------------------------------


def override_category(*, actor: User, child: Child, category: str, effect: str, reason: str) -> CategoryOverride:
    """A caseworker's decision that a category applies (or not) against the rules, with a reason."""
    _require(actor, OVERRIDE, Child, child)
    errors = _Errors()
    if category not in valid_choices(Category):
        errors.add("category", _("“%(value)s” is not one of the choices.") % {"value": category}, code="choice")
    if effect not in valid_choices(OverrideEffect):
        errors.add("effect", _("“%(value)s” is not one of the choices.") % {"value": effect}, code="choice")
    if not reason or not reason.strip():
        errors.add("reason", _("Give the reason for the decision."), code="required")
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(child)
        if CategoryOverride.objects.filter(child=locked, category=category, withdrawn_at__isnull=True).exists():
            raise InvalidDataError(
                {"category": [_("A decision on this category is in force: withdraw it first.")]}, code="decided"
            )
        override = CategoryOverride.objects.create(
            child=locked,
            category=category,
            effect=effect,
            reason=reason.strip(),
            decided_by=actor,
            village_code=locked.village_id,
        )
        reclassify(child=locked, actor=actor)
    return override


def withdraw_override(*, actor: User, override: CategoryOverride, reason: str) -> None:
    """Withdraw a decision on a category (the rules decide again), with a reason."""
    _require(actor, OVERRIDE, Child, override.child)
    if not reason or not reason.strip():
        raise InvalidDataError({"reason": [_("Give the reason for withdrawing the decision.")]}, code="required")
    with transaction.atomic(), acting_as(actor):
        locked = _lock_child(override.child)
        row = CategoryOverride.objects.select_for_update().get(pk=override.pk)
        if row.withdrawn_at is not None:
            raise DomainError(_("This decision was withdrawn already."), code="withdrawn")
        row.withdrawn_at = timezone.now()
        row.withdrawn_by = actor
        row.withdrawal_reason = reason.strip()
        row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        override.withdrawn_at, override.withdrawn_by, override.withdrawal_reason = (
            row.withdrawn_at,
            actor,
            row.withdrawal_reason,
        )
        reclassify(child=locked, actor=actor)


# -- reveal ---------------------------------------------------------------------------------------


def object_type(obj: Child | Person) -> str:
    """The record type of the access log."""
    return "registry.child" if isinstance(obj, Child) else "registry.person"


def reveal_id_number(*, actor: User, obj: Child | Person, reason: str, request: HttpRequest | None = None) -> str:
    """The identity number in full, for an authorised user who gives a reason; written to the access log."""
    _require(actor, REVEAL, type(obj), obj)
    if not reason or not reason.strip():
        raise InvalidDataError({"reason": [_("Give the reason for showing the full number.")]}, code="required")
    if not obj.id_number_cipher:
        raise DomainError(_("No identity number is on file."), code="no_id_number")
    value = crypto.decrypt(obj.id_number_cipher)
    record_access(
        actor=actor,
        action=AccessAction.REVEAL,
        object_type=object_type(obj),
        object_id=obj.pk,
        region_code=obj.village_id,
        summary=f"{obj.name} {obj.id_number_mask}",
        reason=reason.strip(),
        request=request,
    )
    return value


# -- derived state: completeness and categories ---------------------------------------------------


def _rules_queryset() -> models.QuerySet[Child]:
    """Children with everything the rules and the completeness check read, in a fixed number of queries."""
    return Child.objects.select_related("village", "hukou_region").prefetch_related(
        Prefetch(
            "kinships",
            queryset=Kinship.objects.select_related("person").prefetch_related(
                Prefetch("person__situations", queryset=Situation.objects.order_by("started_on", "pk"))
            ),
        ),
        Prefetch("entrusted_cares", queryset=EntrustedCare.objects.order_by("since", "pk")),
        Prefetch(
            "overrides",
            queryset=CategoryOverride.objects.filter(withdrawn_at__isnull=True).order_by("decided_at"),
            to_attr="active_overrides",
        ),
    )


def refresh_file(*, child: Child, on: date | None = None, classify: bool = True) -> None:
    """Recompute what is missing from the file and (with ``classify``) the child's categories."""
    on = on or policy_selectors.today()
    loaded = _rules_queryset().get(pk=child.pk)
    missing = completeness.missing(file_snapshot(loaded))
    Child.objects.filter(pk=child.pk).update(missing_fields=missing, is_complete=not missing)
    child.missing_fields, child.is_complete = missing, not missing
    if classify and loaded.status == FileStatus.ACTIVE:
        _reclassify_loaded([loaded], on=on, places=PlaceLookup())
        child.next_review_on = loaded.next_review_on
        child.classified_at = loaded.classified_at


def file_snapshot(child: Child) -> completeness.FileSnapshot:
    """What the completeness check reads of a child loaded with ``_rules_queryset``."""
    relatives = tuple(
        completeness.RelativeSnapshot(
            relation=k.relation,
            is_guardian=k.is_guardian,
            situations=tuple(
                completeness.SituationSnapshot(
                    kind=s.kind,
                    ended=s.ended_on is not None,
                    place=s.place,
                    term_months=s.term_months,
                    police_accepted=s.police_accepted_on is not None,
                )
                for s in k.person.situations.all()
            ),
        )
        for k in child.kinships.all()
    )
    return completeness.FileSnapshot(
        has_id_number=bool(child.id_number_hash),
        hukou_status=child.hukou_status,
        has_hukou_region=child.hukou_region_id is not None,
        residence_address=child.residence_address,
        school_status=child.school_status,
        health_status=child.health_status,
        disability_type=child.disability_type,
        disability_grade=child.disability_grade,
        phones=tuple(child.phones or ()),
        birth_parents_unknown=child.birth_parents_unknown,
        relatives=relatives,
        has_current_entrusted_care=any(c.until is None for c in child.entrusted_cares.all()),
    )


class PlaceLookup:
    """``PlaceFact``s of division codes, with the county names they need (loaded once per run)."""

    def __init__(self) -> None:
        self._county_names: dict[str, str] = {}
        self._places: dict[tuple[str, str], PlaceFact | None] = {}

    def preload(self, region_codes: Iterable[str]) -> None:
        wanted = {self._county_of(code) for code in region_codes if code}
        missing = sorted(c for c in wanted if c and c not in self._county_names)
        for start in range(0, len(missing), IN_CHUNK):
            chunk = missing[start : start + IN_CHUNK]
            names = dict(Region.objects.filter(code__in=chunk).values_list("code", "name"))
            for code in chunk:
                self._county_names[code] = names.get(code, "")

    @staticmethod
    def _county_of(code: str) -> str:
        level = codes.level_of(code)
        if level in (Level.PROVINCE, Level.CITY):
            return ""
        if level == Level.COUNTY:
            return code
        township = codes.pad(code[:9])
        return codes.parent_code(township) or ""

    def place(self, region: Region | None) -> PlaceFact | None:
        """Where ``region`` lies, as the rules read it; None for a province or city (too vague)."""
        if region is None:
            return None
        key = (region.code, region.urban_rural_class)
        if key not in self._places:
            self._places[key] = self._place(region)
        return self._places[key]

    def _place(self, region: Region) -> PlaceFact | None:
        code = region.code
        county = self._county_of(code)
        if not county:
            return None
        if county not in self._county_names:
            self.preload([code])
        level = codes.level_of(code)
        township = codes.pad(code[:9]) if level in (Level.TOWNSHIP, Level.VILLAGE) else ""
        rural: bool | None = None
        if level == Level.VILLAGE and region.urban_rural_class:
            rural = region.urban_rural_class in RURAL_CLASSES
        county_level = codes.level_of(county) == Level.COUNTY
        return PlaceFact(
            township_code=township,
            county_code=county,
            city_code=codes.pad(code[:4]),
            # A 市辖区 (its name ends in 区), not a county or county-level city (DOMAIN.md §8.6).
            county_is_urban_district=county_level and self._county_names.get(county, "").endswith("区"),
            rural=rural,
        )


def rule_settings(on: date) -> RuleSettings:
    """The policy settings the rules read, as in force on ``on``."""
    snap = policy_selectors.snapshot(on)

    def number(key: str) -> int:
        return int(cast(int, snap[key]))

    def texts(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in cast(tuple[str, ...], snap[key]))

    return RuleSettings(
        difficulty_categories=frozenset(texts("registry.difficulty_categories")),
        liberty_restriction_term_months=number("registry.liberty_restriction_term_months"),
        pretrial_detention_months=number("registry.pretrial_detention_months"),
        lost_contact_months=number("registry.lost_contact_months"),
        lost_contact_day_after=snap["registry.lost_contact_threshold_day"] == LostContactThreshold.DAY_AFTER,
        serious_illnesses=texts("registry.serious_illnesses"),
    )


def _situation_fact(s: Situation) -> SituationFact:
    return SituationFact(
        kind=SituationKind(s.kind),
        started_on=s.started_on,
        ended_on=s.ended_on,
        term_months=s.term_months,
        police_accepted_on=s.police_accepted_on,
        disability_type=DisabilityType(s.disability_type) if s.disability_type else None,
        disability_grade=s.disability_grade,
        pays_support=s.pays_support,
        place=s.place,
    )


def child_facts(child: Child, places: PlaceLookup) -> ChildFacts:
    """The facts the rules read, from a child loaded with ``_rules_queryset``."""
    parents = tuple(
        ParentFact(
            relation=Relation(k.relation),
            name=k.person.name,
            situations=tuple(_situation_fact(s) for s in k.person.situations.all()),
            lives_with_child=k.lives_with_child,
        )
        for k in child.kinships.all()
        if k.relation in PARENT_RELATIONS
    )
    return _facts(
        child,
        parents=parents,
        cares=tuple(
            EntrustedCareFact(
                since=c.since,
                until=c.until,
                confirmation_signed_on=c.confirmation_signed_on,
                last_parent_contact_on=c.last_parent_contact_on,
            )
            for c in child.entrusted_cares.all()
        ),
        places=places,
    )


def _facts(
    child: Child, *, parents: tuple[ParentFact, ...], cares: tuple[EntrustedCareFact, ...], places: PlaceLookup
) -> ChildFacts:
    return ChildFacts(
        birth_date=child.birth_date,
        has_household_registration=child.hukou_status == HouseholdRegistration.REGISTERED,
        hukou_nature=HukouNature(child.hukou_nature),
        hukou_place=places.place(child.hukou_region),
        residence_place=places.place(child.village),
        residence_since=child.residence_since,
        school_status=SchoolStatus(child.school_status) if child.school_status else None,
        health_status=HealthStatus(child.health_status) if child.health_status else None,
        disability_type=DisabilityType(child.disability_type) if child.disability_type else None,
        disability_grade=child.disability_grade,
        economic_status=EconomicStatus(child.economic_status),
        guardianship_quality=GuardianshipQuality(child.guardianship_quality),
        birth_parents_unknown=child.birth_parents_unknown,
        parents=parents,
        entrusted_care=cares,
    )


@dataclass(frozen=True)
class Wanted:
    """A category the child should hold now: from the rules or a caseworker's decision."""

    source: str
    since: date
    explanation: list[dict[str, Any]]


OVERRIDE_REASON = gettext_noop("Included by a caseworker's decision of %(date)s: %(reason)s")


def wanted_categories(result: RuleResult, overrides: Iterable[CategoryOverride]) -> dict[str, Wanted]:
    """The rules' findings with the caseworkers' decisions in force applied (include / exclude)."""
    wanted = {
        str(f.category): Wanted(ClassificationSource.RULE, f.since, [r.as_json() for r in f.reasons])
        for f in result.findings
    }
    for override in overrides:
        if override.effect == OverrideEffect.EXCLUDE:
            wanted.pop(override.category, None)
        elif override.category not in wanted:
            decided = policy_selectors.day_of(override.decided_at)
            wanted[override.category] = Wanted(
                ClassificationSource.OVERRIDE,
                decided,
                [Reason(OVERRIDE_REASON, {"date": decided.isoformat(), "reason": override.reason}).as_json()],
            )
    return wanted


@dataclass
class _Diff:
    end: list[Classification] = field(default_factory=list)
    create: list[Classification] = field(default_factory=list)
    explain: list[Classification] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.end or self.create or self.explain)


def _diff(child: Child, current: Iterable[Classification], wanted: Mapping[str, Wanted], on: date) -> _Diff:
    diff = _Diff()
    held: dict[str, Classification] = {}
    for row in current:
        if row.category in held:  # two open rows of one category: keep the older one
            row.until = max(on, row.since)
            diff.end.append(row)
            continue
        held[row.category] = row
    for category, row in held.items():
        target = wanted.get(category)
        if target is None or target.source != row.source:
            row.until = max(on, row.since)
            diff.end.append(row)
        elif target.explanation != row.explanation:
            row.explanation = target.explanation
            diff.explain.append(row)
    for category, target in wanted.items():
        kept = held.get(category)
        if kept is None or kept.until is not None:
            diff.create.append(
                Classification(
                    child_id=child.pk,
                    category=category,
                    village_code=child.village_id,
                    since=target.since,
                    source=target.source,
                    explanation=target.explanation,
                )
            )
    return diff


def _reclassify_loaded(children: Sequence[Child], *, on: date, places: PlaceLookup) -> int:
    """Classify children loaded with ``_rules_queryset`` and store the differences; the number changed."""
    if not children:
        return 0
    settings = rule_settings(on)
    places.preload([c.village_id for c in children] + [c.hukou_region_id for c in children if c.hukou_region_id])
    pks = [c.pk for c in children]
    current: dict[int, list[Classification]] = {pk: [] for pk in pks}
    for row in Classification.objects.filter(child_id__in=pks, until__isnull=True).order_by("since", "pk"):
        current[row.child_id].append(row)
    ended: list[Classification] = []
    created: list[Classification] = []
    explained: list[Classification] = []
    reviews: dict[date | None, list[int]] = {}
    changed = 0
    for child in children:
        result = rules.classify(child_facts(child, places), settings, on)
        diff = _diff(child, current[child.pk], wanted_categories(result, getattr(child, "active_overrides", ())), on)
        if diff:
            changed += 1
        ended += diff.end
        created += diff.create
        explained += diff.explain
        reviews.setdefault(result.next_review_on, []).append(child.pk)
        child.next_review_on = result.next_review_on
    # Rows are never updated in substance: an ending gets its day (one statement per day).
    for until, rows in _group(ended, key=lambda r: r.until):
        Classification.objects.filter(pk__in=[r.pk for r in rows]).update(until=until)
    if explained:
        Classification.objects.bulk_update(explained, ["explanation"], batch_size=BATCH)
    if created:
        Classification.objects.bulk_create(created, batch_size=BATCH)
    now = timezone.now()
    for review, child_pks in reviews.items():
        for start in range(0, len(child_pks), IN_CHUNK):
            Child.objects.filter(pk__in=child_pks[start : start + IN_CHUNK]).update(
                next_review_on=review, classified_at=now
            )
    for child in children:
        child.classified_at = now
    return changed


def _group(
    rows: Iterable[Classification], *, key: Callable[[Classification], Any]
) -> Iterator[tuple[Any, list[Classification]]]:
    groups: dict[Any, list[Classification]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    for value, members in groups.items():
        for start in range(0, len(members), IN_CHUNK):
            yield value, members[start : start + IN_CHUNK]


def reclassify(*, child: Child, on: date | None = None, actor: User | None = None) -> list[Classification]:
    """Compute the child's categories on ``on`` (default today) and store what changed; idempotent.

    A category that no longer holds gets ``until``; a new one a row with its explanation; the
    caseworkers' decisions in force are applied. Returns the current categories.
    """
    on = on or policy_selectors.today()
    with transaction.atomic(), acting_as(actor):
        loaded = _rules_queryset().select_for_update(of=("self",)).get(pk=child.pk)
        if loaded.status == FileStatus.ACTIVE:
            _reclassify_loaded([loaded], on=on, places=PlaceLookup())
            child.next_review_on, child.classified_at = loaded.next_review_on, loaded.classified_at
    return list(Classification.objects.filter(child=child, until__isnull=True).order_by("category"))


def reclassify_children(
    pks: Iterable[int], *, on: date | None = None, progress: ProgressReporter | None = None, total: int = 0
) -> int:
    """Compute the categories of many children in batches (a fixed number of queries per batch).

    Returns the number of children whose categories or explanations changed.
    """
    on = on or policy_selectors.today()
    places = PlaceLookup()
    changed = done = 0
    for batch in _chunks(pks, BATCH):
        with transaction.atomic():
            children = list(
                _rules_queryset().select_for_update(of=("self",)).filter(pk__in=batch, status=FileStatus.ACTIVE)
            )
            changed += _reclassify_loaded(children, on=on, places=places)
        done += len(batch)
        if progress is not None:
            progress(done, max(total, done), "")
    return changed


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def due_for_review(on: date) -> models.QuerySet[Child]:
    """Active children whose categories time alone may have changed by ``on`` (or never computed)."""
    return Child.objects.filter(status=FileStatus.ACTIVE).filter(
        models.Q(next_review_on__lte=on) | models.Q(classified_at__isnull=True)
    )


def reclassify_due(*, on: date | None = None) -> int:
    """Recompute the children whose ``next_review_on`` has come (a threshold reached, a birthday);
    the daily task. Returns the number of children recomputed."""
    on = on or policy_selectors.today()
    pks = list(due_for_review(on).order_by("pk").values_list("pk", flat=True))
    reclassify_children(pks, on=on)
    return len(pks)


def start_reclassify_all(*, actor: User | None, reason: str = "") -> Job:
    """Queue the recomputation of every active child's categories as a background job (with progress)."""
    return start_job(actor=actor, kind=RECLASSIFY_ALL_JOB, params={"reason": reason})  # type: ignore[arg-type]


@register_job(RECLASSIFY_ALL_JOB)
def run_reclassify_all(job: Job, report: ProgressReporter) -> None:
    on = policy_selectors.today()
    active = Child.objects.filter(status=FileStatus.ACTIVE)
    total = active.count()
    report(0, total, "")
    pks = active.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10 * BATCH)
    started = time.monotonic()
    changed = reclassify_children(pks, on=on, progress=report, total=total)
    job.result = {
        "children": total,
        "changed": changed,
        "on": on.isoformat(),
        "seconds": round(time.monotonic() - started, 1),
    }


# -- bulk registration (imports, generated data) ---------------------------------------------------


@dataclass
class SituationRecord:
    """A situation of a family member, as ``record_situation``'s data."""

    kind: str
    started_on: date | str | None
    ended_on: date | str | None = None
    term_months: int | None = None
    police_accepted_on: date | str | None = None
    disability_type: str = ""
    disability_grade: int | None = None
    place: str = ""
    pays_support: bool | None = None
    document_no: str = ""
    note: str = ""

    def as_data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SITUATION_FIELDS}


@dataclass
class EntrustedCareRecord:
    """The family member is the child's entrusted carer (``set_entrusted_care``'s data)."""

    since: date | str | None
    until: date | str | None = None
    confirmation_signed_on: date | str | None = None
    school_notified_on: date | str | None = None
    village_notified_on: date | str | None = None
    last_parent_contact_on: date | str | None = None


@dataclass
class FamilyMemberRecord:
    """A family member of a child record: the person, the relation and their situations."""

    relation: str
    name: str
    id_number: str = ""
    sex: str = ""
    birth_date: date | str | None = None
    phone: str = ""
    address: str = ""
    is_guardian: bool = False
    lives_with_child: bool = False
    situations: list[SituationRecord] = field(default_factory=list)
    entrusted_care: EntrustedCareRecord | None = None

    def person_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sex": self.sex,
            "birth_date": self.birth_date,
            "phone": self.phone,
            "address": self.address,
        }


@dataclass
class ChildRecord:
    """One child for ``bulk_register_children``: the file's fields (``data``, as for ``register_child``),
    the identity number and the family.

    ``update_pk`` makes the record an update of that file (an import's "updated" row): the fields
    given replace the stored ones, and family members not yet related are added. ``row`` is the
    record's row in its source, for the messages.
    """

    data: dict[str, Any]
    id_number: str = ""
    family: list[FamilyMemberRecord] = field(default_factory=list)
    update_pk: int | None = None
    row: int | None = None


@dataclass(frozen=True)
class RecordError:
    """A problem of one record: its index, its source row, the field and the message."""

    index: int
    row: int | None
    field: str
    message: str


class BulkValidationError(DomainError):
    """Some records are invalid; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: list[RecordError]) -> None:
        first = errors[0]
        super().__init__(
            _("%(count)d problems in the records; nothing was saved.") % {"count": len(errors)},
            field=first.field,
            code="invalid_records",
        )
        self.errors = errors


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    child_pks: list[int] = field(default_factory=list)
    persons_created: int = 0
    situations_created: int = 0
    log_entries: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


BulkProgress = Callable[[int, int, str], None]
# Fields of created rows that the change log leaves out (as the auditlog registrations do).
UNLOGGED_FIELDS = frozenset(
    {
        "id",
        "id_number_cipher",
        "id_number_hash",
        "created_at",
        "updated_at",
        "created_by",
        "missing_fields",
        "is_complete",
        "classified_at",
        "next_review_on",
        "recorded_at",
        "recorded_by",
    }
)


@dataclass
class _MemberPlan:
    record: FamilyMemberRecord
    person_values: dict[str, Any]
    number: idnumber.IdNumber | None
    number_hash: str
    situations: list[dict[str, Any]]
    care: dict[str, Any] | None


@dataclass
class _RecordPlan:
    index: int
    record: ChildRecord
    values: dict[str, Any]
    number: idnumber.IdNumber | None
    number_hash: str
    members: list[_MemberPlan]
    current: Child | None = None


def _no_progress(done: int, total: int, message: str) -> None:
    return None


def bulk_register_children(
    *,
    actor: User,
    records: Iterable[ChildRecord],
    progress: BulkProgress | None = None,
    job_id: int | None = None,
    on: date | None = None,
) -> BulkResult:
    """Register (or update) many children with their families at once: everything or nothing.

    Every record is validated as ``register_child`` validates it (jurisdiction, identity numbers
    and their agreement with the birth date and sex, dates, numbers already on file or twice in
    the records); a ``BulkValidationError`` lists every problem and nothing is written. Likely
    duplicates without a number are the caller's review step (``duplicates``), not refused here.
    Then children, family members, relations, situations, entrusted care, categories (classified
    in memory) and one change-log entry per created row (identity numbers masked; the import job
    in ``additional_data``) are bulk-inserted in one transaction. ``progress(done, total,
    message)`` follows validation (first half) and writing (second half).
    """
    started = time.monotonic()
    _require(actor, CREATE, Child)
    today = policy_selectors.today()
    on = on or today
    report = progress or _no_progress
    result = BulkResult()
    with collector_paused():  # hundreds of thousands of rows, no cycles
        items = list(records)
        total = 2 * len(items)
        plans = _plan_records(actor, items, today=today, report=report, total=total)
        with transaction.atomic():
            _write_records(actor, plans, on=on, job_id=job_id, report=report, total=total, result=result)
            send_children_changed(result.child_pks)
    report(total, total, "")
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _plan_records(
    actor: User, items: list[ChildRecord], *, today: date, report: BulkProgress, total: int
) -> list[_RecordPlan]:
    wanted_codes: set[str] = set()
    for record in items:
        for name in ("village", "hukou_region"):
            code = _code_of(record.data.get(name))
            if code:
                wanted_codes.add(code)
    regions = RegionLookup(wanted_codes)
    update_pks = [r.update_pk for r in items if r.update_pk is not None]
    visible = policy_for(Child).visible(actor)
    currents: dict[int, Child] = {}
    for chunk in _chunks(update_pks, IN_CHUNK):
        currents.update({c.pk: c for c in visible.filter(pk__in=chunk)})
    problems: list[RecordError] = []
    plans: list[_RecordPlan] = []
    for index, record in enumerate(items):
        errors = _Errors()
        current = None
        if record.update_pk is not None:
            current = currents.get(record.update_pk)
            if current is None:
                errors.add("update_pk", _("This file does not exist or is outside your jurisdiction."))
        values = clean_child_data(
            record.data, actor=actor, current=current, today=today, errors=errors, regions=regions
        )
        number = _parse_id_number(
            record.id_number,
            birth_date=_merged(values, current, "birth_date"),
            sex=_merged(values, current, "sex"),
            today=today,
            errors=errors,
        )
        members = [_plan_member(j, m, today=today, errors=errors) for j, m in enumerate(record.family)]
        _check_record_family(members, errors)
        for name, messages in errors.by_field.items():
            problems += [RecordError(index, record.row, name, m) for m in messages]
        plans.append(
            _RecordPlan(
                index=index,
                record=record,
                values=values,
                number=number,
                number_hash=id_number_hash(number.value) if number else "",
                members=members,
                current=current,
            )
        )
        if index % 500 == 0:
            report(index, total, "")
    problems += _duplicate_numbers(plans)
    if problems:
        raise BulkValidationError(sorted(problems, key=lambda e: e.index))
    report(len(items), total, "")
    return plans


def _plan_member(j: int, member: FamilyMemberRecord, *, today: date, errors: _Errors) -> _MemberPlan:
    prefix = f"family.{j}."
    if member.relation not in valid_choices(Relation):
        errors.add(f"{prefix}relation", _("“%(value)s” is not one of the choices.") % {"value": member.relation})
    values = clean_person_data(member.person_data(), current=None, today=today, errors=errors, prefix=prefix)
    number = _parse_id_number(
        member.id_number,
        birth_date=values.get("birth_date"),
        sex=values.get("sex") or None,
        today=today,
        errors=errors,
        name=f"{prefix}id_number",
    )
    situations = [
        clean_situation_data(s.as_data(), today=today, errors=errors, prefix=f"{prefix}situations.{k}.")
        for k, s in enumerate(member.situations)
    ]
    care = None
    if member.entrusted_care is not None:
        care = {
            name: _as_date(getattr(member.entrusted_care, name), f"{prefix}entrusted_care.{name}", errors)
            for name in ENTRUSTED_CARE_FIELDS
        }
        if care["since"] is None:
            errors.add(f"{prefix}entrusted_care.since", _("Give the date from which the carer looks after the child."))
        if member.relation in PARENT_RELATIONS:
            errors.add(f"{prefix}relation", _("A parent cannot be the entrusted carer of their own child."))
    return _MemberPlan(
        record=member,
        person_values=values,
        number=number,
        number_hash=id_number_hash(number.value) if number else "",
        situations=situations,
        care=care,
    )


def _check_record_family(members: list[_MemberPlan], errors: _Errors) -> None:
    for group, message in PARENT_RECORDED:
        seen = False
        for j, member in enumerate(members):
            if member.record.relation in group:
                if seen:
                    errors.add(f"family.{j}.relation", message)
                seen = True
    if sum(1 for m in members if m.care is not None) > 1:
        errors.add("family", _("A child has one entrusted carer at a time."))


def _duplicate_numbers(plans: list[_RecordPlan]) -> list[RecordError]:
    """Numbers given twice in the records, or already on file for another child."""
    problems: list[RecordError] = []
    first_index: dict[str, _RecordPlan] = {}
    for plan in plans:
        if not plan.number_hash:
            continue
        earlier = first_index.get(plan.number_hash)
        if earlier is not None:
            problems.append(
                RecordError(
                    plan.index,
                    plan.record.row,
                    "id_number",
                    _("The same identity number is given for another record (row %(row)s).")
                    % {"row": earlier.record.row if earlier.record.row is not None else earlier.index + 1},
                )
            )
        else:
            first_index[plan.number_hash] = plan
    on_file: dict[str, int] = {}
    hashes = list(first_index)
    live = Child.objects.exclude(status=FileStatus.MERGED)
    for chunk in _chunks(hashes, IN_CHUNK):
        on_file.update(dict(live.filter(id_number_hash__in=chunk).values_list("id_number_hash", "pk")))
    for plan in plans:
        pk = on_file.get(plan.number_hash) if plan.number_hash else None
        if pk is not None and pk != plan.record.update_pk:
            problems.append(
                RecordError(
                    plan.index, plan.record.row, "id_number", _("A child with this identity number is already on file.")
                )
            )
    return problems


def written_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns an insert writes (generated columns are the database's)."""
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


class _Builder:
    """Instances of one model from a dict, fast: the instance's ``__dict__`` is a copy of the
    defaults (prepared once) updated with the values, as ``Model.from_db`` would fill it, with
    related rows put in the cache. ``Model.__init__`` costs ten times more per instance; none of
    these models has an init signal receiver."""

    _cache: ClassVar[dict[type[models.Model], _Builder]] = {}

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = written_fields(model)
        self.attname = {f.name: f.attname for f in fields} | {f.attname: f.attname for f in fields}
        self.relations = {f.name for f in fields if f.many_to_one}
        self.defaults: dict[str, Any] = {}
        self.factories: list[tuple[str, Callable[[], Any]]] = []
        for f in fields:
            if f.has_default() and callable(f.default):
                self.factories.append((f.attname, f.default))
            self.defaults[f.attname] = None if f.has_default() and callable(f.default) else f.get_default()

    @classmethod
    def of(cls, model: type[models.Model]) -> _Builder:
        if model not in cls._cache:
            cls._cache[model] = cls(model)
        return cls._cache[model]

    def new(self, values: Mapping[str, Any]) -> Any:
        data = self.defaults.copy()
        for attname, factory in self.factories:
            data[attname] = factory()
        state = ModelState()
        cache = state.fields_cache
        for name, value in values.items():
            if name in self.relations:
                cache[name] = value
                data[self.attname[name]] = value.pk if value is not None else None
            else:
                data[self.attname[name]] = value
        obj = self.model.__new__(self.model)
        data["_state"] = state
        obj.__dict__ = data
        return obj


def _new(model: type[models.Model], **values: Any) -> Any:
    return _Builder.of(model).new(values)


# Instants a row gets when it is written (``auto_now``/``auto_now_add`` of the registry's models).
AUTO_INSTANTS = frozenset({"created_at", "updated_at", "recorded_at", "decided_at"})
EMPTY_JSON: dict[type, str] = {list: "[]", dict: "{}", str: '""'}


class _FastInsert:
    """Bulk inserts of many rows: COPY on PostgreSQL, ``executemany`` on SQLite, ids allocated first.

    ``bulk_create`` spends most of its time compiling each value through the field API; the rows of
    a bulk registration are simple (text, numbers, dates, JSON), so their database values are made
    here directly, and the ids come from the table's sequence so that the rows can point at each
    other before they are written.
    """

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.ops = connection.ops
        self.now = timezone.now()
        self._plans: dict[type[models.Model], tuple[Callable[[dict[str, Any]], tuple[Any, ...]], list[Any]]] = {}
        self._handed_out: dict[str, int] = {}

    def allocate_ids(self, model: type[models.Model], count: int) -> list[int]:
        """``count`` new ids of ``model``'s table, never handed out before."""
        if count == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so nobody else inserts;
            # ids handed out but not written yet are remembered here.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.ops.quote_name(table)}")  # noqa: S608
            highest = int(cursor.fetchone()[0])
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, int(row[0]) if row else 0, self._handed_out.get(table, 0)) + 1
        self._handed_out[table] = start + count - 1
        return list(range(start, start + count))

    def id_source(self, model: type[models.Model], block: int = BATCH) -> Callable[[], int]:
        """A function that returns a new id of ``model`` at each call (allocated in blocks)."""
        pending: list[int] = []

        def next_id() -> int:
            if not pending:
                pending.extend(reversed(self.allocate_ids(model, block)))
            return pending.pop()

        return next_id

    def assign_ids(self, objs: Sequence[models.Model]) -> None:
        if not objs:
            return
        for obj, pk in zip(objs, self.allocate_ids(type(objs[0]), len(objs)), strict=True):
            obj.pk = pk

    def _plan(self, model: type[models.Model]) -> tuple[Callable[[dict[str, Any]], tuple[Any, ...]], list[Any]]:
        """A getter of every column's raw value off an instance's ``__dict__``, and the columns
        whose value needs converting: (index, kind, attname) with kind "json", "instant", "date"."""
        if model not in self._plans:
            fields = written_fields(model)
            postgres = self.vendor == "postgresql"
            fixes: list[Any] = []
            for i, f in enumerate(fields):
                if isinstance(f, models.JSONField):
                    fixes.append((i, "json", f.attname))
                elif isinstance(f, models.DateTimeField):
                    fixes.append((i, "instant", f.attname))
                elif isinstance(f, models.DateField) and not postgres:
                    fixes.append((i, "date", f.attname))
            self._plans[model] = (operator.itemgetter(*[f.attname for f in fields]), fixes)
        return self._plans[model]

    def _row(
        self, obj: models.Model, getter: Callable[[dict[str, Any]], tuple[Any, ...]], fixes: list[Any]
    ) -> list[Any]:
        values = obj.__dict__
        row = list(getter(values))
        for i, kind, attname in fixes:
            value = row[i]
            if kind == "json":
                row[i] = json.dumps(value, ensure_ascii=False) if value else EMPTY_JSON.get(type(value), "null")
            elif kind == "instant":
                if value is None and attname in AUTO_INSTANTS:
                    value = values[attname] = self.now
                row[i] = value if self.vendor == "postgresql" else self.ops.adapt_datetimefield_value(value)
            else:
                row[i] = self.ops.adapt_datefield_value(value)
        return row

    def insert(self, objs: Sequence[models.Model]) -> None:
        """Insert ``objs`` (one model, ids and references set) in one COPY or one ``executemany``."""
        if not objs:
            return
        model = type(objs[0])
        getter, fixes = self._plan(model)
        rows = [self._row(obj, getter, fixes) for obj in objs]
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias
        self.insert_rows(model._meta.db_table, [str(f.column) for f in written_fields(model)], rows)

    def insert_rows(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
        quote = self.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
                with raw.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


# The key of a bulk entry's changes that lists the family written with the record.
FAMILY_CHANGE = "family"


def family_text(family: Sequence[_MemberRows]) -> str:
    """The family written with a record, as the change log keeps it (JSON; numbers masked)."""
    members = []
    for rows in family:
        member: dict[str, Any] = {
            "person": rows.person.pk,
            "name": rows.person.name,
            "new_person": rows.new_person,
        }
        if rows.person.id_number_mask:
            member["id_number"] = rows.person.id_number_mask
        if rows.kinship is not None:
            member["relation"] = rows.kinship.relation
            member["is_guardian"] = rows.kinship.is_guardian
            member["lives_with_child"] = rows.kinship.lives_with_child
        if rows.situations:
            member["situations"] = [
                {
                    key: value
                    for key, value in (
                        ("kind", s.kind),
                        ("started_on", s.started_on.isoformat()),
                        ("ended_on", s.ended_on.isoformat() if s.ended_on else None),
                        ("term_months", s.term_months),
                        ("place", s.place),
                    )
                    if value not in (None, "")
                }
                for s in rows.situations
            ]
        if rows.care is not None:
            member["entrusted_care_since"] = rows.care.since.isoformat()
        members.append(member)
    return json.dumps(members, ensure_ascii=False, sort_keys=True)


class _LogWriter:
    """Change-log entries of bulk-written rows, in django-auditlog's own format, inserted in bulk."""

    COLUMNS = (
        "content_type_id",
        "object_pk",
        "object_id",
        "object_repr",
        "action",
        "changes_text",
        "changes",
        "actor_id",
        "timestamp",
        "additional_data",
        "actor_email",
    )

    def __init__(self, actor: User, *, job_id: int | None, inserter: _FastInsert) -> None:
        self.actor = actor
        self.job_id = job_id
        self.inserter = inserter
        self.rows: list[list[Any]] = []
        self.now = timezone.now()
        self._types: dict[type[models.Model], int] = {}
        self._fields: dict[type[models.Model], list[models.Field[Any, Any]]] = {}
        self._extra: dict[str, str] = {}
        self._plans: dict[type[models.Model], list[tuple[str, str, int]]] = {}

    def _content_type(self, model: type[models.Model]) -> int:
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model).pk
        return self._types[model]

    def _logged_fields(self, model: type[models.Model]) -> list[models.Field[Any, Any]]:
        if model not in self._fields:
            self._fields[model] = [
                f
                for f in written_fields(model)
                if f.name not in UNLOGGED_FIELDS and not isinstance(f, models.AutoField)
            ]
        return self._fields[model]

    @staticmethod
    def value(obj: models.Model, field: models.Field[Any, Any]) -> str:
        """A field's value as auditlog writes it (``"None"`` for nothing, JSON as sorted text)."""
        raw = getattr(obj, field.attname)
        if raw is None:
            return "None"
        if isinstance(field, models.JSONField):
            return json.dumps(raw, sort_keys=True)
        if isinstance(field, models.FileField):
            return str(raw.name if hasattr(raw, "name") else raw)
        return str(raw)

    def _data(self, region_code: str) -> str:
        if region_code not in self._extra:
            data: dict[str, Any] = {"region_code": region_code}
            if self.job_id is not None:
                data["import_job"] = self.job_id
            self._extra[region_code] = json.dumps(data)
        return self._extra[region_code]

    def _plan(self, model: type[models.Model]) -> list[tuple[str, str, int]]:
        """(name, attname, kind) of the logged fields: kind 0 plain, 1 JSON, 2 file."""
        if model not in self._plans:
            self._plans[model] = [
                (
                    f.name,
                    f.attname,
                    1 if isinstance(f, models.JSONField) else 2 if isinstance(f, models.FileField) else 0,
                )
                for f in self._logged_fields(model)
            ]
        return self._plans[model]

    def created(self, obj: models.Model, region_code: str, *, family: Sequence[_MemberRows] = ()) -> None:
        """A creation entry: every field that has a value, as ``["None", value]``, and the family
        written with the record (``family``: relations, persons and situations, identity numbers masked)."""
        changes = {}
        values = obj.__dict__
        for name, attname, kind in self._plan(type(obj)):
            raw = values.get(attname)
            if raw is None or raw == "":
                continue
            if kind == 1:
                if not raw:
                    continue
                shown = json.dumps(raw, sort_keys=True)
            elif kind == 2:  # noqa: PLR2004
                shown = str(getattr(raw, "name", raw) or "")
                if not shown:
                    continue
            else:
                shown = str(raw)
            changes[name] = ["None", shown]
        if family:
            changes[FAMILY_CHANGE] = ["None", family_text(family)]
        self._append(obj, LogEntry.Action.CREATE, changes, region_code)

    def updated(
        self, obj: models.Model, before: Mapping[str, str], region_code: str, *, family: Sequence[_MemberRows] = ()
    ) -> None:
        changes = {}
        for f in self._logged_fields(type(obj)):
            if f.name in before:
                after = self.value(obj, f)
                if after != before[f.name]:
                    changes[f.name] = [before[f.name], after]
        if family:
            changes[FAMILY_CHANGE] = ["None", family_text(family)]
        if changes:
            self._append(obj, LogEntry.Action.UPDATE, changes, region_code)

    def _append(self, obj: models.Model, action: int, changes: dict[str, list[str]], region_code: str) -> None:
        self.rows.append(
            [
                self._content_type(type(obj)),
                str(obj.pk),
                obj.pk,
                str(obj),
                action,
                "",
                json.dumps(changes, ensure_ascii=False),
                self.actor.pk,
                self.now,
                self._data(region_code),
                getattr(self.actor, "email", None),
            ]
        )

    def flush(self) -> int:
        count = len(self.rows)
        self.inserter.insert_rows(LogEntry._meta.db_table, list(self.COLUMNS), self.rows)
        self.rows = []
        return count


def _write_records(
    actor: User,
    plans: list[_RecordPlan],
    *,
    on: date,
    job_id: int | None,
    report: BulkProgress,
    total: int,
    result: BulkResult,
) -> None:
    half = total // 2
    inserter = _FastInsert()
    log = _LogWriter(actor, job_id=job_id, inserter=inserter)
    places = PlaceLookup()
    places.preload(
        [p.values["village"].code for p in plans if p.values.get("village")]
        + [p.values["hukou_region"].code for p in plans if p.values.get("hukou_region")]
    )
    persons = _PersonPool(actor, inserter=inserter)
    persons.load_numbers([m.number_hash for p in plans for m in p.members if m.number_hash])
    creating = [p for p in plans if p.current is None]
    updating = [p for p in plans if p.current is not None]

    # Everything is built in memory first, derived state included, then inserted once.
    child_ids = inserter.allocate_ids(Child, len(creating))
    files = [_build_file(actor, plan, persons, pk) for plan, pk in zip(creating, child_ids, strict=True)]
    _derive(files, on=on, places=places, result=result)
    report(half + half // 4, total, "")
    children = [f.child for f in files]
    kinships = [k for f in files for k in f.kinships]
    situations = [s for f in files for s in f.situations]
    cares = [c for f in files for c in f.cares]
    classifications = [c for f in files for c in f.classifications]
    for rows in (kinships, situations, cares, classifications):
        inserter.assign_ids(rows)
    inserter.insert(children)
    persons.create_new()
    for rows in (kinships, situations, cares, classifications):
        inserter.insert(rows)
    report(half + half // 2, total, "")

    # The change log: one entry per record, the child's fields with the family written with it.
    for new in files:
        log.created(new.child, new.child.village_id, family=new.members)
    result.log_entries += log.flush()
    report(half + 3 * half // 4, total, "")

    if updating:
        _update_records(actor, updating, persons=persons, log=log, on=on, result=result)
        result.log_entries += log.flush()

    result.created = len(children)
    result.child_pks = [c.pk for c in children] + [p.current.pk for p in updating if p.current is not None]
    result.persons_created = len(persons.created)
    result.situations_created += len(situations)


@dataclass
class _MemberRows:
    """The rows written for one family member of a record (for the record's change-log entry)."""

    person: Person
    kinship: Kinship | None
    situations: list[Situation]
    care: EntrustedCare | None
    new_person: bool


@dataclass
class _NewFile:
    """A new child's rows, built in memory before the bulk inserts."""

    child: Child
    pairs: list[tuple[_MemberPlan, Person]]
    members: list[_MemberRows] = field(default_factory=list)
    kinships: list[Kinship] = field(default_factory=list)
    situations: list[Situation] = field(default_factory=list)
    cares: list[EntrustedCare] = field(default_factory=list)
    classifications: list[Classification] = field(default_factory=list)


def _build_file(actor: User, plan: _RecordPlan, persons: _PersonPool, child_id: int) -> _NewFile:
    child: Child = _new(
        Child, id=child_id, **plan.values, created_by=actor, county_code=plan.values["village"].code[:6]
    )
    if plan.number is not None:
        _store_identity(child, plan.number, number_hash=plan.number_hash)
    new = _NewFile(child=child, pairs=[(m, persons.person_for(m, child)) for m in plan.members])
    for member, person in new.pairs:
        kinship = _new(
            Kinship,
            child=child,
            person=person,
            relation=member.record.relation,
            is_guardian=member.record.is_guardian,
            lives_with_child=member.record.lives_with_child,
            village_code=child.village_id,
        )
        situations = persons.new_situations(person, member.situations)
        care = None
        if member.care is not None:
            care = _new(EntrustedCare, child=child, carer=person, village_code=child.village_id, **member.care)
            new.cares.append(care)
        new.kinships.append(kinship)
        new.situations += situations
        new.members.append(_MemberRows(person, kinship, situations, care, new_person=persons.is_new(person)))
    return new


def _derive(files: list[_NewFile], *, on: date, places: PlaceLookup, result: BulkResult) -> None:
    """Categories (classified in memory) and completeness of new files, before they are written."""
    settings = rule_settings(on)
    now = timezone.now()
    for new in files:
        child = new.child
        parents = tuple(
            ParentFact(
                relation=Relation(m.record.relation),
                name=person.name,
                situations=tuple(_situation_fact(s) for s in persons_situations(new, person)),
                lives_with_child=m.record.lives_with_child,
            )
            for m, person in new.pairs
            if m.record.relation in PARENT_RELATIONS
        )
        cares = tuple(
            EntrustedCareFact(
                since=c.since,
                until=c.until,
                confirmation_signed_on=c.confirmation_signed_on,
                last_parent_contact_on=c.last_parent_contact_on,
            )
            for c in new.cares
        )
        outcome = rules.classify(_facts(child, parents=parents, cares=cares, places=places), settings, on)
        for finding in outcome.findings:
            new.classifications.append(
                _new(
                    Classification,
                    child=child,
                    category=finding.category,
                    village_code=child.village_id,
                    since=finding.since,
                    source=ClassificationSource.RULE,
                    explanation=[r.as_json() for r in finding.reasons],
                )
            )
            result.categories[str(finding.category)] += 1
        missing = completeness.missing(_bulk_snapshot(new))
        child.missing_fields, child.is_complete = missing, not missing
        child.next_review_on, child.classified_at = outcome.next_review_on, now


def persons_situations(new: _NewFile, person: Person) -> list[Situation]:
    return getattr(person, SITUATIONS_ATTRIBUTE, [])


SITUATIONS_ATTRIBUTE = "_bulk_situations"


def _bulk_snapshot(new: _NewFile) -> completeness.FileSnapshot:
    child = new.child
    return completeness.FileSnapshot(
        has_id_number=bool(child.id_number_hash),
        hukou_status=child.hukou_status,
        has_hukou_region=child.hukou_region_id is not None,
        residence_address=child.residence_address,
        school_status=child.school_status,
        health_status=child.health_status,
        disability_type=child.disability_type,
        disability_grade=child.disability_grade,
        phones=tuple(child.phones or ()),
        birth_parents_unknown=child.birth_parents_unknown,
        relatives=tuple(
            completeness.RelativeSnapshot(
                relation=m.record.relation,
                is_guardian=m.record.is_guardian,
                situations=tuple(
                    completeness.SituationSnapshot(
                        kind=s.kind,
                        ended=s.ended_on is not None,
                        place=s.place,
                        term_months=s.term_months,
                        police_accepted=s.police_accepted_on is not None,
                    )
                    for s in getattr(person, SITUATIONS_ATTRIBUTE, [])
                ),
            )
            for m, person in new.pairs
        ),
        has_current_entrusted_care=any(c.until is None for c in new.cares),
    )


class _PersonPool:
    """Family members of a bulk write: persons on file (by identity number) and new ones, shared by
    the records of siblings that give the same number. Each person carries its situations (stored
    and new) in memory, for the rules."""

    def __init__(self, actor: User, *, inserter: _FastInsert) -> None:
        self.actor = actor
        self.inserter = inserter
        self.by_hash: dict[str, Person] = {}
        self.created: list[Person] = []
        self._pending: list[Person] = []
        self._new_ids: set[int] = set()
        self._next_id = inserter.id_source(Person)

    def load_numbers(self, hashes: Iterable[str]) -> None:
        wanted = sorted(set(hashes))
        for chunk in _chunks(wanted, IN_CHUNK):
            for person in Person.objects.filter(id_number_hash__in=chunk):
                self.by_hash.setdefault(person.id_number_hash, person)
        self.load_situations(list(self.by_hash.values()))

    @staticmethod
    def load_situations(persons: list[Person]) -> None:
        """Attach the stored situations to persons on file that do not carry them yet."""
        wanted = {p.pk: p for p in persons if p.pk is not None and not hasattr(p, SITUATIONS_ATTRIBUTE)}
        for person in wanted.values():
            setattr(person, SITUATIONS_ATTRIBUTE, [])
        for chunk in _chunks(list(wanted), IN_CHUNK):
            for situation in Situation.objects.filter(person_id__in=chunk).order_by("started_on", "pk"):
                getattr(wanted[situation.person_id], SITUATIONS_ATTRIBUTE).append(situation)

    def person_for(self, member: _MemberPlan, child: Child) -> Person:
        if member.number_hash and member.number_hash in self.by_hash:
            return self.by_hash[member.number_hash]
        person: Person = _new(
            Person,
            id=self._next_id(),
            **member.person_values,
            village_id=child.village_id,
            county_code=child.village_id[:6],
            created_by=self.actor,
        )
        setattr(person, SITUATIONS_ATTRIBUTE, [])
        if member.number is not None:
            _store_identity(person, member.number, number_hash=member.number_hash)
            self.by_hash[member.number_hash] = person
        self._pending.append(person)
        self._new_ids.add(person.pk)
        return person

    def is_new(self, person: Person) -> bool:
        """Was ``person`` created by this write (not on file before)?"""
        return person.pk in self._new_ids

    def create_new(self) -> list[Person]:
        created = self._pending
        self.inserter.insert(created)
        self.created += created
        self._pending = []
        return created

    def new_situations(self, person: Person, rows: list[dict[str, Any]]) -> list[Situation]:
        """Situations of ``rows`` the person does not have yet (same kind and start)."""
        have: list[Situation] = getattr(person, SITUATIONS_ATTRIBUTE)
        known = {(s.kind, s.started_on) for s in have}
        new = []
        for values in rows:
            if (values["kind"], values["started_on"]) in known:
                continue
            situation = _new(Situation, person=person, village_code=person.village_id, recorded_by=self.actor, **values)
            known.add((values["kind"], values["started_on"]))
            have.append(situation)
            new.append(situation)
        return new


def _update_records(
    actor: User,
    plans: list[_RecordPlan],
    *,
    persons: _PersonPool,
    log: _LogWriter,
    on: date,
    result: BulkResult,
) -> None:
    """Apply the updating records: changed fields, family members not related yet, their new
    situations; one change-log entry per record; then the files are computed again."""
    pks = [p.current.pk for p in plans if p.current is not None]
    locked: dict[int, Child] = {}
    existing: dict[int, list[Kinship]] = {}
    for chunk in _chunks(pks, IN_CHUNK):
        locked.update({c.pk: c for c in Child.objects.select_for_update().filter(pk__in=chunk)})
        for kinship in Kinship.objects.filter(child_id__in=chunk).select_related("person"):
            existing.setdefault(kinship.child_id, []).append(kinship)
    changes = [_apply_fields(locked[p.current.pk], p) for p in plans if p.current is not None]
    changed = [c for c in changes if c.fields]
    if changed:
        names = sorted({name for c in changed for name in c.fields} | {"county_code", "updated_at"})
        Child.objects.bulk_update([c.child for c in changed], names, batch_size=BATCH)
    for c in changes:
        if c.old_village != c.child.village_id:
            _move_rows(c.child, c.old_village)
    family = _add_family(actor, plans, locked, existing, persons)
    for c in changes:
        members = family.get(c.child.pk, [])
        if c.fields or members:
            log.updated(c.child, c.before, c.child.village_id, family=members)
    result.updated = len(plans)
    result.situations_created += sum(len(m.situations) for members in family.values() for m in members)
    refresh_files(pks, on=on)


@dataclass
class _FieldChanges:
    child: Child
    before: dict[str, str]
    fields: list[str]
    old_village: str


def _apply_fields(child: Child, plan: _RecordPlan) -> _FieldChanges:
    before = {name: _LogWriter.value(child, Child._meta.get_field(name)) for name in plan.values}  # type: ignore[arg-type]
    old_village = child.village_id
    names = [n for n, v in plan.values.items() if _field_value(child, n) != _raw_value(v)]
    for name in names:
        setattr(child, name, plan.values[name])
    if plan.number is not None and child.id_number_hash != plan.number_hash:
        before["id_number_mask"] = child.id_number_mask
        _store_identity(child, plan.number, number_hash=plan.number_hash)
        names += ["id_number_cipher", "id_number_hash", "id_number_mask"]
    if names:
        child.county_code = child.village_id[:6]
        child.updated_at = timezone.now()
    return _FieldChanges(child=child, before=before, fields=names, old_village=old_village)


def _add_family(
    actor: User,
    plans: list[_RecordPlan],
    locked: Mapping[int, Child],
    existing: Mapping[int, list[Kinship]],
    persons: _PersonPool,
) -> dict[int, list[_MemberRows]]:
    """Relate the records' family members not related yet, and add their situations not on file."""
    pending: list[tuple[Child, _MemberPlan, Person, Kinship | None]] = []
    for plan in plans:
        assert plan.current is not None  # noqa: S101  (updating plans have a current file)
        child = locked[plan.current.pk]
        for member in plan.members:
            match = _matching_kinship(member, existing.get(child.pk, []))
            person = match.person if match is not None else persons.person_for(member, child)
            kinship = None
            if match is None:
                kinship = _new(
                    Kinship,
                    child=child,
                    person=person,
                    relation=member.record.relation,
                    is_guardian=member.record.is_guardian,
                    lives_with_child=member.record.lives_with_child,
                    village_code=child.village_id,
                )
            pending.append((child, member, person, kinship))
    persons.create_new()
    persons.load_situations([person for _c, _m, person, _k in pending])
    family: dict[int, list[_MemberRows]] = {}
    kinships, situations, cares = [], [], []
    for child, member, person, kinship in pending:
        new_situations = persons.new_situations(person, member.situations)
        care = None
        if member.care is not None:
            care = EntrustedCare(child=child, carer=person, village_code=child.village_id, **member.care)
            cares.append(care)
        if kinship is not None:
            kinships.append(kinship)
        situations += new_situations
        if kinship is not None or new_situations or care is not None:
            rows = _MemberRows(person, kinship, new_situations, care, new_person=persons.is_new(person))
            family.setdefault(child.pk, []).append(rows)
    Kinship.objects.bulk_create(kinships, batch_size=BATCH)
    Situation.objects.bulk_create(situations, batch_size=BATCH)
    for care in cares:  # a new carer ends the current entrusted care
        EntrustedCare.objects.filter(child=care.child, until__isnull=True).exclude(carer=care.carer).update(
            until=care.since
        )
    EntrustedCare.objects.bulk_create(cares, batch_size=BATCH)
    return family


def _matching_kinship(member: _MemberPlan, family: list[Kinship]) -> Kinship | None:
    """The relation already on file that ``member`` describes: the same number, the same parent, or
    the same relation and name."""
    for kinship in family:
        if member.number_hash and kinship.person.id_number_hash == member.number_hash:
            return kinship
        relation = member.record.relation
        for group in (FATHERS, MOTHERS):
            if relation in group and kinship.relation in group:
                return kinship
        if kinship.relation == relation and kinship.person.name == member.person_values.get("name"):
            return kinship
    return None


def refresh_files(pks: Iterable[int], *, on: date | None = None, progress: ProgressReporter | None = None) -> int:
    """``refresh_file`` for many children in batches: completeness and categories. Returns how many changed."""
    on = on or policy_selectors.today()
    places = PlaceLookup()
    changed = done = 0
    for batch in _chunks(pks, BATCH):
        with transaction.atomic():
            children = list(_rules_queryset().select_for_update(of=("self",)).filter(pk__in=batch))
            stale = []
            for child in children:
                missing = completeness.missing(file_snapshot(child))
                if missing != child.missing_fields or child.is_complete != (not missing):
                    child.missing_fields, child.is_complete = missing, not missing
                    stale.append(child)
            if stale:
                Child.objects.bulk_update(stale, ["missing_fields", "is_complete"], batch_size=BATCH)
            changed += _reclassify_loaded([c for c in children if c.status == FileStatus.ACTIVE], on=on, places=places)
        done += len(batch)
        if progress is not None:
            progress(done, done, "")
    return changed
