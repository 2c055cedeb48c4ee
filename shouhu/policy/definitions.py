"""The policy settings Shouhu knows: key, type, default, bounds, source — and value validation.

Pure module (no database). Source: DOMAIN.md "Defaults Shouhu ships", §2, §3, §4, §7 and §8:
every rule the sources leave open ([U]) is a setting with the default written there, never a
constant, and a city administrator may change it from a date on (``services.set_policy_value``).
Rule modules read the value in force through ``shouhu.policy.selectors.get``/``snapshot``.

A key is ``<group>.<name>``; the unit is part of the name (``intake.triage_hours``) so that a
reader of a rule module never has to guess it. Values are plain JSON (int, bool, str, list of
str); ``Definition.clean`` turns what a form or an API client sent into the typed value
(list → tuple, so that a value can never be changed in place) or raises ``DomainError`` with a
message in the user's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext, pgettext_lazy

from shouhu.core.errors import DomainError

Value = int | bool | str | tuple[str, ...]

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
TEXT_MAX_LENGTH = 2000
LIST_ITEM_MAX_LENGTH = 100
LIST_MAX_ITEMS = 200


class Kind(models.TextChoices):
    """The type of a setting; it fixes the JSON shape, the form widget and the display."""

    HOURS = "hours", _("Hours")
    WORKING_DAYS = "working_days", _("Working days")
    CALENDAR_MONTHS = "calendar_months", _("Calendar months")
    INTEGER = "integer", _("Whole number")
    BOOLEAN = "boolean", _("Yes or no")
    CHOICE = "choice", _("One option")
    CHOICES = "choices", _("Several options")
    TEXT = "text", _("Text")
    TEXT_LIST = "text_list", _("List of entries")


NUMBER_KINDS = frozenset({Kind.HOURS, Kind.WORKING_DAYS, Kind.CALENDAR_MONTHS, Kind.INTEGER})

# How a number of each kind reads ("24 hours", "15 working days"); INTEGER settings bring their own.
_COUNT_FORMATS: dict[str, Any] = {
    Kind.HOURS: ngettext_lazy("%(count)d hour", "%(count)d hours", "count"),
    Kind.WORKING_DAYS: ngettext_lazy("%(count)d working day", "%(count)d working days", "count"),
    Kind.CALENDAR_MONTHS: ngettext_lazy("%(count)d calendar month", "%(count)d calendar months", "count"),
}


class Tag(models.TextChoices):
    """How sure the sources are (DOMAIN.md tags)."""

    LAW = "L", _("[L] statute text read directly")
    SECONDARY = "S", _("[S] seen in a secondary copy")
    UNCONFIRMED = "U", _("[U] no source confirmed it: a default Shouhu ships")


class Group(models.TextChoices):
    """Where a setting belongs; the first part of its key."""

    INTAKE = "intake", _("Reports and intake")
    CASES = "cases", _("Cases and referrals")
    VISITS = "visits", _("Home visits")
    PLACEMENT = "placement", _("Foster care and adoption")
    WORKFORCE = "workforce", _("Child directors and supervisors")
    REGISTRY = "registry", _("Registry and categories")
    CHILDCARE = "childcare", _("Infant-care institutions")
    MATCHING = "matching", _("Matching and de-duplication")


class DifficultyCategory(models.TextChoices):
    """Categories of children in difficulty (困境儿童). 国发〔2016〕36号 fixes the first three."""

    POVERTY = "poverty", _("Family poverty")  # 因家庭贫困导致生活、就医、就学等困难
    DISABILITY = "disability", _("Own disability")  # 因自身残疾导致康复、照料、护理和社会融入等困难
    GUARDIANSHIP = "guardianship", _("Missing or improper guardianship")  # 因家庭监护缺失或监护不当
    ORPHAN = "orphan", _("Orphan")  # 孤儿 (added by some cities, e.g. Shenzhen)
    TEMPORARY_HARDSHIP = "temporary_hardship", _("Temporary hardship")  # 临时困境


NATIONAL_DIFFICULTY_CATEGORIES = (
    DifficultyCategory.POVERTY,
    DifficultyCategory.DISABILITY,
    DifficultyCategory.GUARDIANSHIP,
)


class KeyChildCategory(models.TextChoices):
    """Children a child director visits most often (DOMAIN.md defaults; 2016 campaign groups)."""

    POOR_GUARDIANSHIP = "poor_guardianship", pgettext_lazy("child situation", "Poor guardianship")  # 监护情况较差
    OUT_OF_SCHOOL = "out_of_school", pgettext_lazy("child situation", "Out of school")  # 失学辍学
    NO_HOUSEHOLD_REGISTRATION = (
        "no_household_registration",
        pgettext_lazy("child situation", "No household registration"),
    )  # 无户籍
    ILL = "ill", pgettext_lazy("child situation", "Ill")  # 患病
    DISABLED = "disabled", pgettext_lazy("child situation", "Disabled")  # 残疾
    DE_FACTO_UNATTENDED = "de_facto_unattended", pgettext_lazy("child situation", "De facto unattended")  # 事实无人抚养
    ORPHAN_IN_KINSHIP_CARE = (
        "orphan_in_kinship_care",
        pgettext_lazy("child situation", "Orphan in kinship care"),
    )  # 亲属抚养的孤儿


class LostContactThreshold(models.TextChoices):
    """When six months of 失联 are complete (DOMAIN.md §8.2)."""

    ON_THE_DAY = "on_the_day", _("On the calendar day the months are complete (62号: 以上)")
    DAY_AFTER = "day_after", _("On the day after that day (125号: 超过)")


@dataclass(frozen=True)
class Definition:
    """One setting: what it is, its default, what values it accepts and where it comes from."""

    key: str
    kind: Kind
    default: Value
    label: str | Promise
    help_text: str | Promise
    tag: Tag
    source: str | Promise
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[str, str | Promise], ...] = ()
    # Options of a CHOICES setting that may never be removed (e.g. the national categories).
    required_choices: tuple[str, ...] = ()
    min_items: int = 0
    # INTEGER settings: their unit, and how a number reads ("%(count)d time per calendar year").
    unit: str | Promise = ""
    count_format: Any = None

    @property
    def group(self) -> Group:
        return Group(self.key.split(".", 1)[0])

    @property
    def choice_labels(self) -> dict[str, str | Promise]:
        return dict(self.choices)

    @property
    def unit_label(self) -> str | Promise:
        """The unit as a word ("hours"); empty for settings that are not numbers."""
        if self.unit:
            return self.unit
        if self.kind in _COUNT_FORMATS:
            return self.kind.label
        return ""

    # -- values ---------------------------------------------------------------------------

    def clean(self, raw: Any) -> Value:
        """The typed value of ``raw`` (from JSON or a form), or ``DomainError(field="value")``."""
        if self.kind in NUMBER_KINDS:
            return self._clean_number(raw)
        if self.kind == Kind.BOOLEAN:
            return _clean_boolean(raw)
        if self.kind == Kind.CHOICE:
            return self._clean_choice(raw)
        if self.kind == Kind.CHOICES:
            return self._clean_choices(raw)
        if self.kind == Kind.TEXT:
            return _clean_text(raw)
        return _clean_text_list(raw)

    def to_json(self, value: Value) -> Any:
        """The JSON form of a typed value, as stored."""
        return list(value) if isinstance(value, tuple) else value

    def display(self, value: Value) -> str:
        """The value as a person reads it, in the active language."""
        if self.kind in _COUNT_FORMATS:
            return str(_COUNT_FORMATS[self.kind] % {"count": value})
        if self.kind == Kind.INTEGER:
            if self.count_format is not None:
                return str(self.count_format % {"count": value})
            return str(value)
        if self.kind == Kind.BOOLEAN:
            return str(_("Yes") if value else _("No"))
        if self.kind == Kind.CHOICE:
            return str(self.choice_labels.get(str(value), value))
        if self.kind in (Kind.CHOICES, Kind.TEXT_LIST):
            items = value if isinstance(value, tuple) else ()
            if not items:
                return str(_("(none)"))
            labels = self.choice_labels
            return pgettext("separator of a list of items", ", ").join(str(labels.get(v, v)) for v in items)
        return str(value) if value else str(_("(not set)"))

    def _clean_number(self, raw: Any) -> int:
        number = _whole_number(raw)
        if self.minimum is not None and number < self.minimum:
            raise DomainError(_("The value must be at least %(minimum)d.") % {"minimum": self.minimum}, field="value")
        if self.maximum is not None and number > self.maximum:
            raise DomainError(_("The value must be at most %(maximum)d.") % {"maximum": self.maximum}, field="value")
        return number

    def _clean_choice(self, raw: Any) -> str:
        if not isinstance(raw, str) or raw not in self.choice_labels:
            raise DomainError(_("Choose one of the listed options."), field="value")
        return raw

    def _clean_choices(self, raw: Any) -> tuple[str, ...]:
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            raise DomainError(_("Choose from the listed options (a list)."), field="value")
        chosen = list(raw)
        labels = self.choice_labels
        unknown = [item for item in chosen if not isinstance(item, str) or item not in labels]
        if unknown:
            raise DomainError(_("“%(option)s” is not one of the options.") % {"option": unknown[0]}, field="value")
        missing = [option for option in self.required_choices if option not in chosen]
        if missing:
            raise DomainError(_("“%(option)s” must stay selected.") % {"option": labels[missing[0]]}, field="value")
        if len(set(chosen)) < self.min_items:
            raise DomainError(_("Choose at least %(count)d option(s).") % {"count": self.min_items}, field="value")
        # The order of the definition, whatever the order sent: equal sets are equal values.
        return tuple(option for option, _label in self.choices if option in chosen)


def _whole_number(raw: Any) -> int:
    if isinstance(raw, bool):  # bool is an int in Python, never a number here
        raise DomainError(_("Enter a whole number."), field="value")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        # Full-width digits (２４) are what a Chinese input method often types.
        text = unicodedata.normalize("NFKC", raw).strip()
        if re.fullmatch(r"[+-]?\d{1,9}", text):
            return int(text)
    raise DomainError(_("Enter a whole number."), field="value")


def _clean_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise DomainError(_("Choose yes or no."), field="value")


def _clean_text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise DomainError(_("Enter text."), field="value")
    text = raw.strip().replace("\r\n", "\n")
    if len(text) > TEXT_MAX_LENGTH:
        raise DomainError(_("Enter at most %(count)d characters.") % {"count": TEXT_MAX_LENGTH}, field="value")
    return text


def _clean_text_list(raw: Any) -> tuple[str, ...]:
    """A list of strings, or one entry per line; blanks dropped, duplicates kept once."""
    if isinstance(raw, str):
        items: list[Any] = raw.splitlines()
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise DomainError(_("Enter one entry per line."), field="value")
    entries: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise DomainError(_("Every entry must be text."), field="value")
        entry = " ".join(item.split())
        if len(entry) > LIST_ITEM_MAX_LENGTH:
            raise DomainError(
                _("“%(entry)s…” is longer than %(count)d characters.")
                % {"entry": entry[:20], "count": LIST_ITEM_MAX_LENGTH},
                field="value",
            )
        if entry and entry not in entries:
            entries.append(entry)
    if len(entries) > LIST_MAX_ITEMS:
        raise DomainError(_("Enter at most %(count)d entries.") % {"count": LIST_MAX_ITEMS}, field="value")
    return tuple(entries)


# -- the settings -------------------------------------------------------------------------

_DIFFICULTY_SOURCE = _(
    "国发〔2016〕36号 fixes three categories; some cities add 孤儿 and 临时困境 (e.g. Shenzhen); "
    "MPL art. 91 requires protection by category."
)
_SERIOUS_ILLNESS_SOURCE = _("民发〔2019〕62号 leaves 重病 (serious illness) to local definition.")
_VISITS_SOURCE = _("Visit frequency is not confirmed by any source (民发〔2019〕34号); configurable per category.")
_FOSTER_SOURCE = _("Foster-care visit frequency is not confirmed (家庭寄养管理办法, 民政部令第54号).")
_ADOPTION_SOURCE = _("Post-adoption follow-up (收养回访) rules are not confirmed (民发〔2020〕144号).")
_DE_FACTO_DEADLINE_SOURCE = _(
    "Deadlines of 民发〔2019〕62号 vary by locality (10 + 5 working days in one district); "
    "no national figure is confirmed."
)
_IMMEDIATELY_SOURCE = _("The law says “immediately” (MPL art. 11); a clock must exist to be measured.")
_MATCHING_SOURCE = _(
    "No source fixes when two records are the same child; Shouhu's defaults, calibrated on synthetic "
    "corrupted records (bench/matching.py). Issue 4: the thresholds are settings."
)
_MATCH_PERCENT_FORMAT = ngettext_lazy("%(count)d percent", "%(count)d percent", "count")

_ALL: tuple[Definition, ...] = (
    Definition(
        key="intake.triage_hours",
        kind=Kind.HOURS,
        default=24,
        minimum=1,
        maximum=168,
        label=_("Triage of a new report"),
        help_text=_("Time from the receipt of a report to its triage by the front door (一门受理)."),
        tag=Tag.UNCONFIRMED,
        source=_IMMEDIATELY_SOURCE,
    ),
    Definition(
        key="intake.emergency_triage_hours",
        kind=Kind.HOURS,
        default=2,
        minimum=1,
        maximum=24,
        label=_("Triage of a report of an emergency"),
        help_text=_("Time from the receipt of a report that describes an emergency to its triage."),
        tag=Tag.UNCONFIRMED,
        source=_IMMEDIATELY_SOURCE,
    ),
    Definition(
        key="intake.late_mandatory_report_hours",
        kind=Kind.HOURS,
        default=24,
        minimum=1,
        maximum=720,
        label=_("Late mandatory report"),
        help_text=_(
            "A mandated reporter's report counts as late when more time than this passed between "
            "discovering the situation and reporting it."
        ),
        tag=Tag.UNCONFIRMED,
        source=_("No hour limit in MPL art. 11 or 高检发〔2020〕9号 art. 2 (“immediately”)."),
    ),
    Definition(
        key="cases.emergency_response_hours",
        kind=Kind.HOURS,
        default=2,
        minimum=1,
        maximum=48,
        label=_("First emergency response"),
        help_text=_("Time from an emergency triage to the first response on the spot."),
        tag=Tag.UNCONFIRMED,
        source=_IMMEDIATELY_SOURCE,
    ),
    Definition(
        key="cases.referral_feedback_working_days",
        kind=Kind.WORKING_DAYS,
        default=15,
        minimum=1,
        maximum=60,
        label=_("Feedback on a referral"),
        help_text=_("Time a partner department has to report back what it did with a referral (协同办理)."),
        tag=Tag.UNCONFIRMED,
        source=_("MPL art. 11 ¶3 requires feedback; local practice uses 15 working days for comparable steps."),
    ),
    Definition(
        key="visits.key_child_interval_months",
        kind=Kind.CALENDAR_MONTHS,
        default=1,
        minimum=1,
        maximum=12,
        label=_("Home visits to key children"),
        help_text=_("Longest interval between two home visits by the child director to a key child."),
        tag=Tag.UNCONFIRMED,
        source=_VISITS_SOURCE,
    ),
    Definition(
        key="visits.other_child_interval_months",
        kind=Kind.CALENDAR_MONTHS,
        default=3,
        minimum=1,
        maximum=12,
        label=_("Home visits to other children in difficulty and left-behind children"),
        help_text=_("Longest interval between two home visits to a child who is not a key child."),
        tag=Tag.UNCONFIRMED,
        source=_VISITS_SOURCE,
    ),
    Definition(
        key="visits.key_child_categories",
        kind=Kind.CHOICES,
        default=tuple(KeyChildCategory.values),
        choices=tuple(KeyChildCategory.choices),
        min_items=1,
        label=_("Who counts as a key child"),
        help_text=_("Situations that make a child a key child, visited at the key-child interval."),
        tag=Tag.SECONDARY,
        source=_("Priority groups of the 2016 campaign “合力监护、相伴成长” and the plan's key-child list."),
    ),
    Definition(
        key="placement.foster_first_year_interval_months",
        kind=Kind.CALENDAR_MONTHS,
        default=3,
        minimum=1,
        maximum=12,
        label=_("Foster-family visits in the first year"),
        help_text=_("Interval between follow-up visits to a foster family during the first year of a placement."),
        tag=Tag.UNCONFIRMED,
        source=_FOSTER_SOURCE,
    ),
    Definition(
        key="placement.foster_later_interval_months",
        kind=Kind.CALENDAR_MONTHS,
        default=6,
        minimum=1,
        maximum=24,
        label=_("Foster-family visits after the first year"),
        help_text=_("Interval between follow-up visits to a foster family after the first year of a placement."),
        tag=Tag.UNCONFIRMED,
        source=_FOSTER_SOURCE,
    ),
    Definition(
        key="placement.post_adoption_first_year_interval_months",
        kind=Kind.CALENDAR_MONTHS,
        default=3,
        minimum=1,
        maximum=12,
        label=_("Post-adoption visits in the first year"),
        help_text=_("Interval between post-adoption follow-up visits during the first year after registration."),
        tag=Tag.UNCONFIRMED,
        source=_ADOPTION_SOURCE,
    ),
    Definition(
        key="placement.post_adoption_later_interval_months",
        kind=Kind.CALENDAR_MONTHS,
        default=6,
        minimum=1,
        maximum=24,
        label=_("Post-adoption visits after the first year"),
        help_text=_("Interval between post-adoption follow-up visits after the first year."),
        tag=Tag.UNCONFIRMED,
        source=_ADOPTION_SOURCE,
    ),
    Definition(
        key="workforce.training_rotations_per_year",
        kind=Kind.INTEGER,
        default=1,
        minimum=1,
        maximum=12,
        unit=_("times per calendar year"),
        count_format=ngettext_lazy("%(count)d time per calendar year", "%(count)d times per calendar year", "count"),
        label=_("Training rotation of supervisors and directors"),
        help_text=_("How often every child supervisor and child director must be trained in a calendar year."),
        tag=Tag.SECONDARY,
        source=_("The city plan, welfare measure (10): 每年轮训一次; not confirmed in 民发〔2019〕34号."),
    ),
    Definition(
        key="registry.difficulty_categories",
        kind=Kind.CHOICES,
        default=tuple(NATIONAL_DIFFICULTY_CATEGORIES),
        choices=tuple(DifficultyCategory.choices),
        required_choices=tuple(NATIONAL_DIFFICULTY_CATEGORIES),
        min_items=len(NATIONAL_DIFFICULTY_CATEGORIES),
        label=_("Categories of children in difficulty in use"),
        help_text=_("The three national categories always apply; the city may add orphans and temporary hardship."),
        tag=Tag.SECONDARY,
        source=_DIFFICULTY_SOURCE,
    ),
    Definition(
        key="registry.pretrial_detention_months",
        kind=Kind.CALENDAR_MONTHS,
        default=6,
        minimum=1,
        maximum=24,
        label=_("De facto unattended: detention without a known term"),
        help_text=_(
            "Where a parent is held before trial and no term is known yet, the child qualifies once this many "
            "calendar months have passed since the detention began."
        ),
        tag=Tag.UNCONFIRMED,
        source=_("DOMAIN.md §8.1, reading of 民发〔2019〕62号 “6个月以上” for detention with no term yet."),
    ),
    Definition(
        key="registry.liberty_restriction_term_months",
        kind=Kind.CALENDAR_MONTHS,
        default=6,
        minimum=1,
        maximum=24,
        label=_("De facto unattended: term of a restriction of liberty"),
        help_text=_(
            "A parent serving a sentence, in compulsory drug rehabilitation or under another restriction of "
            "liberty counts when the term of the measure is at least this long (not the time already served)."
        ),
        tag=Tag.SECONDARY,
        source=_("Local implementing texts of 民发〔2019〕62号: “期限在6个月以上” (DOMAIN.md §8.1)."),
    ),
    Definition(
        key="registry.lost_contact_months",
        kind=Kind.CALENDAR_MONTHS,
        default=6,
        minimum=1,
        maximum=24,
        label=_("De facto unattended: lost contact"),
        help_text=_(
            "A parent counts as lost (失联) after this many calendar months without contact, guardianship or "
            "support, counted from the day the police accepted the report."
        ),
        tag=Tag.SECONDARY,
        source=_("民发〔2019〕62号, as quoted by local implementing texts (DOMAIN.md §2, §8.2)."),
    ),
    Definition(
        key="registry.lost_contact_threshold_day",
        kind=Kind.CHOICE,
        default=LostContactThreshold.ON_THE_DAY.value,
        choices=tuple(LostContactThreshold.choices),
        label=_("De facto unattended: day the lost-contact period is complete"),
        help_text=_("Whether the period is complete on the same calendar day months later, or on the day after."),
        tag=Tag.UNCONFIRMED,
        source=_("62号 says “以上” (the day itself counts), 125号 says “超过” (DOMAIN.md §8.2)."),
    ),
    Definition(
        key="registry.serious_illness_definition",
        kind=Kind.TEXT,
        default="",
        label=_("Serious illness (重病): local definition"),
        help_text=_(
            "The local definition of a parent's serious illness for de facto unattended children and "
            "left-behind children. While it is not set, the county civil-affairs bureau judges each case."
        ),
        tag=Tag.SECONDARY,
        source=_SERIOUS_ILLNESS_SOURCE,
    ),
    Definition(
        key="registry.serious_illnesses",
        kind=Kind.TEXT_LIST,
        default=(),
        label=_("Serious illness (重病): recognised illnesses"),
        help_text=_("Illnesses the local definition recognises as serious, one per line."),
        tag=Tag.SECONDARY,
        source=_SERIOUS_ILLNESS_SOURCE,
    ),
    Definition(
        key="registry.de_facto_unattended_verification_working_days",
        kind=Kind.WORKING_DAYS,
        default=10,
        minimum=1,
        maximum=60,
        label=_("De facto unattended: verification by the township"),
        help_text=_("Time the township has to verify an application before passing it to the county."),
        tag=Tag.UNCONFIRMED,
        source=_DE_FACTO_DEADLINE_SOURCE,
    ),
    Definition(
        key="registry.de_facto_unattended_confirmation_working_days",
        kind=Kind.WORKING_DAYS,
        default=5,
        minimum=1,
        maximum=60,
        label=_("De facto unattended: confirmation by the county"),
        help_text=_("Time the county civil-affairs bureau has to confirm or refuse a verified application."),
        tag=Tag.UNCONFIRMED,
        source=_DE_FACTO_DEADLINE_SOURCE,
    ),
    Definition(
        key="registry.de_facto_unattended_public_notice",
        kind=Kind.BOOLEAN,
        default=False,
        label=_("De facto unattended: public notice of applications"),
        help_text=_("Whether applications are posted publicly before confirmation. Off protects the child's privacy."),
        tag=Tag.UNCONFIRMED,
        source=_("A local text says “为保护儿童隐私，不设置公示环节”; whether 62号 says so is not confirmed."),
    ),
    Definition(
        key="childcare.filing_receipt_working_days",
        kind=Kind.WORKING_DAYS,
        default=5,
        minimum=1,
        maximum=30,
        label=_("Receipt of an infant-care institution's filing"),
        help_text=_("Time the county health commission has to issue the receipt of a filing (备案)."),
        tag=Tag.SECONDARY,
        source=_("国卫办人口发〔2019〕25号 art. 9, seen only in a third-party source."),
    ),
    Definition(
        key="matching.certain_percent",
        kind=Kind.INTEGER,
        default=99,
        minimum=50,
        maximum=100,
        unit=_("percent"),
        count_format=_MATCH_PERCENT_FORMAT,
        label=_("Matching: lowest probability of “certain”"),
        help_text=_(
            "A candidate whose probability of being the same child reaches this is shown as certain (确定). "
            "Two different identity numbers, and siblings or twins, are never certain whatever their score."
        ),
        tag=Tag.UNCONFIRMED,
        source=_MATCHING_SOURCE,
    ),
    Definition(
        key="matching.likely_percent",
        kind=Kind.INTEGER,
        default=80,
        minimum=10,
        maximum=99,
        unit=_("percent"),
        count_format=_MATCH_PERCENT_FORMAT,
        label=_("Matching: lowest probability of “likely”"),
        help_text=_(
            "A candidate whose probability reaches this is shown as likely (很可能) and offered for review "
            "by batch de-duplication. Never above the threshold of “certain”."
        ),
        tag=Tag.UNCONFIRMED,
        source=_MATCHING_SOURCE,
    ),
    Definition(
        key="matching.possible_percent",
        kind=Kind.INTEGER,
        default=20,
        minimum=1,
        maximum=99,
        unit=_("percent"),
        count_format=_MATCH_PERCENT_FORMAT,
        label=_("Matching: lowest probability of “possible”"),
        help_text=_(
            "Candidates below this are not shown by a search. A low value shows more candidates to check; "
            "never above the threshold of “likely”."
        ),
        tag=Tag.UNCONFIRMED,
        source=_MATCHING_SOURCE,
    ),
)


def _registry(definitions: Iterable[Definition]) -> Mapping[str, Definition]:
    """Index the definitions by key, refusing a malformed or duplicated key or a bad default."""
    index: dict[str, Definition] = {}
    for definition in definitions:
        if not KEY_PATTERN.match(definition.key) or definition.key.split(".")[0] not in Group.values:
            raise ValueError(f"setting key {definition.key!r} is not <group>.<name>")
        if definition.key in index:
            raise ValueError(f"setting {definition.key!r} is defined twice")
        try:
            valid = definition.clean(definition.to_json(definition.default)) == definition.default
        except DomainError:
            valid = False
        if not valid:
            raise ValueError(f"the default of {definition.key!r} is not a valid value of it")
        index[definition.key] = definition
    return MappingProxyType(index)


DEFINITIONS: Mapping[str, Definition] = _registry(_ALL)


def get_definition(key: str) -> Definition:
    """The definition of ``key``; an unknown key is a ``DomainError`` (it may come from a URL)."""
    try:
        return DEFINITIONS[key]
    except KeyError:
        raise DomainError(_("There is no policy setting “%(key)s”.") % {"key": key}, field="key") from None


def grouped(definitions: Iterable[Definition] | None = None) -> list[tuple[Group, list[Definition]]]:
    """The definitions by group, in the order of ``Group`` and then of definition."""
    items = list(DEFINITIONS.values() if definitions is None else definitions)
    return [(group, [d for d in items if d.group == group]) for group in Group if any(d.group == group for d in items)]
