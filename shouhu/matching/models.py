"""What matching stores: the children's search keys, the pairs to review, and the merges.

* ``MatchKey`` — one blocking key of a child (``keys.py``: pinyin keys of the names, the same with
  the birth year, the birth date with the sex), with the child's village code so that a block is
  narrowed to a county or township by a range on the same index. Kept current by the registry's
  ``children_changed`` signal and rebuilt by ``manage.py matching_reindex``; ``KeyState`` says
  with which version of the key functions (``names.KEYS_VERSION``) they were built.
* ``PairReview`` — two files that may be one child, with the score and the evidence when they were
  found, and a person's decision. One row per pair (the lower primary key first): a pair decided
  "not the same" stays decided and is never put in the queue again.
* ``Merge`` and ``MergedRow`` — a merge of one file into another: the other file's previous status,
  what changed on the kept file, and every linked row moved (or left, with the reason), so that
  ``services.unmerge`` can put everything back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.matching.engine import Band
from shouhu.registry.choices import FileStatus
from shouhu.registry.models import Child


class ReviewStatus(models.TextChoices):
    """A person's decision on a pair of files."""

    PENDING = "pending", _("To review")
    SAME = "same", _("The same child")
    NOT_SAME = "not_same", _("Not the same child")
    UNSURE = "unsure", _("Unsure")


class MatchKey(models.Model):
    """One search key of a child (short ASCII, ``keys.py``) and the child's village code."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(_("key"), max_length=48)
    village_code = models.CharField(_("village code"), max_length=12)

    class Meta:
        verbose_name = _("search key")
        verbose_name_plural = _("search keys")
        indexes = [
            # A block is ``key IN (…)`` with an optional range of village codes; with the child's id
            # in the index it is answered from the index alone.
            models.Index(fields=["key", "village_code", "child"], name="matchkey_lookup"),
            models.Index(fields=["child"], name="matchkey_child"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.key}"


class KeyState(models.Model):
    """With which version of the key functions the stored keys were built (one row)."""

    version = models.PositiveIntegerField(_("version of the key functions"))
    rebuilt_at = models.DateTimeField(_("rebuilt at"), null=True, blank=True)
    children = models.PositiveIntegerField(_("children"), default=0)
    keys = models.PositiveIntegerField(_("keys"), default=0)

    class Meta:
        verbose_name = _("state of the search keys")
        verbose_name_plural = _("state of the search keys")

    def __str__(self) -> str:
        return f"keys v{self.version}"


class PairReview(models.Model):
    """Two files that may be one child: the score and evidence when found, and a person's decision."""

    child_a = models.ForeignKey(
        Child, verbose_name=_("first file"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    child_b = models.ForeignKey(Child, verbose_name=_("second file"), on_delete=models.CASCADE, related_name="+")
    # The children's villages (kept current when a child moves): the queue of a jurisdiction holds
    # the pairs whose two files it covers.
    village_a = models.CharField(_("village of the first file"), max_length=12)
    village_b = models.CharField(_("village of the second file"), max_length=12)
    probability = models.FloatField(_("probability"))
    band = models.CharField(_("band"), max_length=10, choices=Band.choices)
    # {"for": [evidence], "against": [evidence], "unused": [reason]} as ``search.evidence_json`` writes it.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    status = models.CharField(_("decision"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    found_by = models.ForeignKey(
        "core.Job",
        verbose_name=_("found by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    scored_at = models.DateTimeField(_("scored at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("pair to review")
        verbose_name_plural = _("pairs to review")
        ordering = ["-probability", "pk"]
        indexes = [models.Index(fields=["status", "village_a", "probability"], name="pairreview_queue")]
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="pairreview_unique_pair"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="pairreview_ordered_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.child_a_id}~{self.child_b_id} ({self.status})"


class Merge(models.Model):
    """One file (``other``) merged into another (``keep``), and what it took; undone by ``unmerge``."""

    keep = models.ForeignKey(Child, verbose_name=_("file kept"), on_delete=models.PROTECT, related_name="+")
    other = models.ForeignKey(Child, verbose_name=_("file merged"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    # The merged file's status before the merge, restored by ``unmerge``.
    other_status = models.CharField(_("previous status"), max_length=12, choices=FileStatus.choices)
    other_status_changed_on = models.DateField(_("previous status changed on"), null=True, blank=True)
    # What the kept file took from the other one: {"id_number": true, "former_names": [...], "phones": [...]}.
    taken = models.JSONField(_("taken into the kept file"), default=dict, blank=True)
    review = models.ForeignKey(
        PairReview, verbose_name=_("review"), on_delete=models.SET_NULL, null=True, blank=True, related_name="merges"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    undo_reason = models.TextField(_("reason for undoing"), blank=True)

    class Meta:
        verbose_name = _("merge of files")
        verbose_name_plural = _("merges of files")
        ordering = ["-merged_at", "-pk"]
        indexes = [models.Index(fields=["keep"], name="merge_keep")]
        constraints = [
            models.CheckConstraint(condition=~Q(keep=F("other")), name="merge_two_files"),
            models.UniqueConstraint(fields=["other"], condition=Q(undone_at__isnull=True), name="merge_one_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.other_id} → {self.keep_id}"

    @property
    def in_force(self) -> bool:
        return self.undone_at is None


class MergedRow(models.Model):
    """A row linked to the merged file: moved to the kept file (``moved``), or left with the reason."""

    merge = models.ForeignKey(Merge, verbose_name=_("merge"), on_delete=models.CASCADE, related_name="rows")
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.BigIntegerField(_("record"))
    field = models.CharField(_("field"), max_length=64)
    from_child = models.BigIntegerField(_("from file"))
    to_child = models.BigIntegerField(_("to file"))
    moved = models.BooleanField(_("moved"), default=True)
    # The row's village code before the move (rows carry their child's village), restored by ``unmerge``.
    village_before = models.CharField(_("village before"), max_length=12, blank=True)
    # Why a row was left on the merged file ({"msg": …, "args": …}).
    note = models.JSONField(_("note"), default=dict, blank=True)
    # Set by ``unmerge``: moved back, or not (the row was deleted or moved elsewhere since).
    returned = models.BooleanField(_("returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("record of a merge")
        verbose_name_plural = _("records of merges")
        ordering = ["merge", "pk"]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}.{self.field} {self.from_child}→{self.to_child}"
