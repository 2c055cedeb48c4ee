"""Regions for tests: build a region and every ancestor it needs."""

from __future__ import annotations

from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region

TEST_YEAR = 2023


def make_region(code: str, name: str | None = None, *, generated: bool = False, urban_rural_class: str = "") -> Region:
    """The region ``code`` (2-12 digits), creating missing ancestors with placeholder names."""
    full = codes.pad(code)
    parent: Region | None = None
    for ancestor in codes.ancestors(full):
        parent, _ = Region.objects.get_or_create(
            code=ancestor,
            defaults={
                "name": f"区划{ancestor[: len(codes.prefix_of(ancestor))]}",
                "level": codes.level_of(ancestor),
                "parent": parent,
                "year": TEST_YEAR,
                "first_year": TEST_YEAR,
            },
        )
    level = codes.level_of(full)
    region, created = Region.objects.get_or_create(
        code=full,
        defaults={
            "name": name or f"区划{codes.prefix_of(full)}",
            "level": level,
            "parent": parent,
            "year": TEST_YEAR,
            "first_year": TEST_YEAR,
            "generated": generated,
            "urban_rural_class": urban_rural_class or ("220" if level == Level.VILLAGE else ""),
        },
    )
    if not created and name and region.name != name:
        region.name = name
        region.save(update_fields=["name"])
    return region
