"""A report that reaches the front door (一门受理): who reported what, about which child, and its triage.

One ``Report`` per report, whatever its channel (a mandated reporter's 强制报告, a tip-off, a hotline
call, a patrol's finding, a referral in). It keeps:

* the reporter — confidential (反家暴法 art. 14): only the front door sees who reported;
* what was seen (the situations of 高检发〔2020〕9号 art. 4; suspicion suffices) and where;
* the child **as described** ("王晓明, about 9, in 李家村"), never corrected: the identity number as
  typed is stored encrypted, with the keyed hash when it is a valid number and a masked copy;
* the file it was linked to, once a person confirmed which child it is (``child``), or that none is
  on file; the link follows a merge of files (``matching.merging``);
* the triage (urgency, who, when) and its deadline, computed at receipt (``rules.triage_due``).

The region (``region``: a village, township or county code) scopes who sees the report.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.core.json import LiteralJSONEncoder
from shouhu.core.models import TimeStampedModel
from shouhu.intake.choices import Channel, Identification, ReporterType, Situation, Urgency
from shouhu.registry.choices import Sex
from shouhu.registry.models import Child, IdentityFields, audit_data


class Report(IdentityFields, TimeStampedModel):
    """One report of a child who may need protection."""

    receipt_code = models.CharField(_("receipt code"), max_length=14, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)

    # The reporter (need to know: the front door only).
    reporter_type = models.CharField(_("reporter"), max_length=20, choices=ReporterType.choices)
    reporter_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("reporting unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)

    # What was seen, where and when.
    situations = models.JSONField(_("situations"), default=list, blank=True, encoder=LiteralJSONEncoder)
    immediate_danger = models.BooleanField(_("the child is in danger right now"), default=False)
    description = models.TextField(_("what was seen or heard"))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("where the child is"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # leads the queue's index below
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    discovered_at = models.DateTimeField(_("discovered at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))

    # The child as described (never corrected; the file, once identified, is ``child``).
    child_name = models.CharField(pgettext_lazy("report", "child's name"), max_length=60, blank=True)
    child_other_name = models.CharField(_("other name"), max_length=60, blank=True)
    child_sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    child_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    child_age = models.PositiveSmallIntegerField(_("approximate age"), null=True, blank=True)
    child_address = models.CharField(_("address as told"), max_length=200, blank=True)
    guardian_name = models.CharField(_("name of a parent or guardian"), max_length=60, blank=True)
    contact_phone = models.CharField(_("phone of the child or family"), max_length=20, blank=True)

    # Which file: linked by a person who saw the evidence.
    child = models.ForeignKey(
        Child,
        verbose_name=_("child's file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    identification = models.CharField(
        _("identification"), max_length=12, choices=Identification.choices, default=Identification.PENDING
    )
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identified_at = models.DateTimeField(_("identified at"), null=True, blank=True)
    identification_note = models.CharField(_("note on the identification"), max_length=500, blank=True)

    # Triage by the front door.
    triage_due_at = models.DateTimeField(_("triage due at"))
    urgency = models.CharField(_("triage"), max_length=10, choices=Urgency.choices, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triaged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triage_note = models.TextField(_("triage note"), blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["triage_due_at", "pk"]
        indexes = [
            # The queue of a jurisdiction: a range of region codes, untriaged first by deadline.
            models.Index(fields=["region", "urgency", "triage_due_at"], name="report_queue"),
            models.Index(fields=["created_by", "received_at"], name="report_reporter"),
            models.Index(fields=["child"], name="report_child"),
        ]

    def __str__(self) -> str:
        return self.receipt_code

    @property
    def is_triaged(self) -> bool:
        return bool(self.urgency)

    def situation_labels(self) -> list[str]:
        labels = dict(Situation.choices)
        return [str(labels.get(s, s)) for s in self.situations]

    def get_additional_data(self) -> dict[str, Any]:
        return audit_data(self.region_id, self)
