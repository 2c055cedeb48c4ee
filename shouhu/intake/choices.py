"""The fixed lists of a report: how it came in, who reported, what was seen, how urgent (DOMAIN.md §1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a report reached the front door (一门受理)."""

    MANDATORY = "mandatory", _("Mandatory report (强制报告)")
    PUBLIC = "public", _("Tip-off from the public")
    HOTLINE = "hotline", _("Hotline call")
    PATROL = "patrol", _("Found on a patrol or a home visit")
    REFERRAL = "referral", _("Referred by another department")


class ReporterType(models.TextChoices):
    """Who reported: the units of MPL art. 11 ¶2 and art. 130(1), guardians (art. 20), anyone else."""

    SCHOOL = "school", _("School or kindergarten")
    TRAINING = "training", _("Off-campus training body")
    WELFARE = "welfare", _("Rescue and protection body or child-welfare institution")
    INFANT_CARE = "infant_care", _("Infant-care or early-education service")
    AFTER_SCHOOL = "after_school", _("After-school care or minding")
    DOMESTIC_SERVICE = "domestic_service", _("Domestic-service agency")
    MEDICAL = "medical", _("Medical institution")
    VILLAGE_COMMITTEE = "village_committee", _("Village or residents' committee")
    STATE_ORGAN = "state_organ", _("State organ or public official")
    HOTEL = "hotel", _("Hotel or guesthouse")
    OTHER_UNIT = "other_unit", _("Other body that educates, trains, guards, rescues, cares for or treats minors")
    GUARDIAN = "guardian", _("Parent or guardian")
    CHILD = "child", _("The child")
    PUBLIC = "public", _("Member of the public")
    ANONYMOUS = "anonymous", _("Anonymous")


class Situation(models.TextChoices):
    """The reportable situations of 高检发〔2020〕9号 art. 4, each "suffered or suspected"."""

    PRIVATE_INJURY = "private_injury", _("Abnormal injury to the genitals or private parts")
    UNDER_14_SEXUAL = "under_14_sexual", _("A girl under 14: sexual assault, pregnancy or abortion")
    OVER_14_PREGNANCY = "over_14_pregnancy", _("A girl of 14 or older: pregnancy or abortion caused by sexual assault")
    VIOLENCE_SIGNS = (
        "violence_signs",
        _(
            "Multiple injuries, severe malnutrition or impaired consciousness with signs of domestic violence, "
            "bullying, abuse, beating or being drugged"
        ),
    )
    UNNATURAL_HARM = (
        "unnatural_harm",
        _(
            "Disability or death from a non-natural cause (suicide, self-harm, work injury, poisoning, being drugged, "
            "beating)"
        ),
    )
    ABANDONED = "abandoned", _("Abandoned, or left without care for a long time")
    MISSING = "missing", _("Unknown origin, missing, trafficked or bought")
    BEGGING = "begging", _("Organised to beg")
    OTHER_DANGER = "other_danger", _("Other serious harm, or in danger of unlawful harm right now")


class Urgency(models.TextChoices):
    """The front door's triage of a report."""

    EMERGENCY = "emergency", _("Emergency: act now")
    ORDINARY = "ordinary", _("Ordinary: assess")
    NO_ACTION = "no_action", _("Not a child-protection matter")


class Identification(models.TextChoices):
    """Whether the child of a report has been found on file."""

    PENDING = "pending", _("Not yet identified")
    LINKED = "linked", _("Linked to a file")
    NOT_ON_FILE = "not_on_file", _("No file on record")
