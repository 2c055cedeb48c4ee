"""Statistical divisions: the jurisdiction tree every child-linked row points into."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shouhu.core.models import TimeStampedModel
from shouhu.regions import codes
from shouhu.regions.choices import Level, UrbanRuralClass

# Rows of the table that only group others: the city-level rows of municipalities (市辖区 "urban
# districts", 县) and the provinces' groups of directly administered county-level units.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


class RegionQuerySet(models.QuerySet["Region"]):
    def within(self, code: str) -> RegionQuerySet:
        """Every region under ``code`` (itself included): one range scan on the primary key."""
        return self.filter(codes.within_q("code", code))

    def active(self) -> RegionQuerySet:
        return self.filter(active=True)


class Region(models.Model):
    """A division of the 12-digit statistical code table (DOMAIN.md §6.1).

    The code is the primary key, so a row that points at a region stores the code itself
    and can be scoped by prefix range without a join. Codes that vanish from a later
    year's table are marked inactive, never deleted, so that old records keep their place.
    """

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        db_index=False,  # children are found by code range, not by this column
    )
    urban_rural_class = models.CharField(
        _("urban-rural class"), max_length=3, choices=UrbanRuralClass.choices, blank=True
    )
    year = models.PositiveSmallIntegerField(_("year of the table"), help_text=_("Last table year listing this code."))
    first_year = models.PositiveSmallIntegerField(_("first year"))
    active = models.BooleanField(_("active"), default=True)
    generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Synthetic row made for the demo city, not from an official table.")
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ("code",)
        # "The villages of county C" is a range of codes within one level: (level, code) serves it
        # as one index range. An index on level alone tempts SQLite's planner to scan every
        # village of the country instead of the primary-key range.
        indexes = (models.Index(fields=["level", "code"], name="region_level_code"),)
        constraints = (
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{12}$"), name="region_code_is_12_digits"),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        return codes.prefix_of(self.code, self.level)

    def descendants(self) -> RegionQuerySet:
        """Regions strictly below this one."""
        return Region.objects.within(self.code).exclude(code=self.code)

    def ancestor_codes(self) -> list[str]:
        return codes.ancestors(self.code)

    def path(self) -> list[Region]:
        """This region and its ancestors, province first (one query, then kept on this instance).

        A page often needs the path twice (the breadcrumbs, ``full_name``); the ancestors of a
        code never change, so the second call costs nothing.
        """
        ancestors: list[Region] | None = self.__dict__.get("_ancestors")
        if ancestors is None:
            chain = self.ancestor_codes()
            found = {r.code: r for r in Region.objects.filter(code__in=chain)}
            ancestors = self.__dict__["_ancestors"] = [found[c] for c in chain if c in found]
        return [*ancestors, self]

    @property
    def full_name(self) -> str:
        """The names from province down, without the table's placeholder 市辖区 (urban districts)."""
        return "".join(r.name for r in self.path() if r.name not in PLACEHOLDER_NAMES)


class DivisionImport(TimeStampedModel):
    """One import of a division table: what was loaded, for which scope, and what it changed.

    ``scope`` is the significant prefix of the imported area (``''`` the whole country, ``'37'``
    a province, ``'3709'`` a city). ``changes`` keeps the detail of what a later year's table
    did — renames with the old and the new name, and the codes deactivated and reactivated — so
    that the history survives even where the rows themselves were written in bulk.
    """

    year = models.PositiveSmallIntegerField(_("year of the table"))
    scope = models.CharField(_("scope"), max_length=12, blank=True, help_text=_("Code prefix; empty: whole country."))
    scope_name = models.CharField(_("scope name"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=500)
    villages_source = models.CharField(_("village list"), max_length=500, blank=True)
    generated = models.BooleanField(_("generated villages"), default=False)
    rows = models.PositiveIntegerField(_("rows in the table"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    renamed = models.PositiveIntegerField(_("renamed"), default=0)
    updated = models.PositiveIntegerField(_("otherwise updated"), default=0)
    deactivated = models.PositiveIntegerField(_("deactivated"), default=0)
    reactivated = models.PositiveIntegerField(_("reactivated"), default=0)
    confirmed = models.PositiveIntegerField(_("confirmed"), default=0)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    seconds = models.FloatField(_("duration (seconds)"), default=0)

    class Meta:
        verbose_name = _("division import")
        verbose_name_plural = _("division imports")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.year} {self.scope_name or self.scope or gettext('whole country')}"

    @property
    def change_count(self) -> int:
        return self.created + self.renamed + self.updated + self.deactivated + self.reactivated
