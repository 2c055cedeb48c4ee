"""Access to regions and to the history of division imports.

The division table is public knowledge, but Shouhu shows each user the part of it they work
in: a user sees the regions inside their jurisdiction (one prefix range on the primary key),
a system administrator sees the whole country. A region outside gives 404, like every record
of another jurisdiction. Only system administrators change regions or see the import history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from shouhu.core.policy import VIEW, Policy, register_policy
from shouhu.regions import codes
from shouhu.regions.models import DivisionImport, Region

if TYPE_CHECKING:
    from shouhu.accounts.models import User


class RegionPolicy(Policy[Region]):
    """Regions inside the user's jurisdiction; all of them for a system administrator."""

    model = Region

    def scope(self, user: User, queryset: models.QuerySet[Region]) -> models.QuerySet[Region]:
        if user.is_superuser:
            return queryset
        if not user.jurisdiction_id:
            return queryset.none()
        return queryset.filter(codes.within_q("code", user.jurisdiction_id))

    def allows(self, user: User, action: str, obj: Region | None) -> bool:
        return action == VIEW or user.is_superuser


class DivisionImportPolicy(Policy[DivisionImport]):
    """The import history is for system administrators, who run the imports."""

    model = DivisionImport

    def scope(self, user: User, queryset: models.QuerySet[DivisionImport]) -> models.QuerySet[DivisionImport]:
        return queryset if user.is_superuser else queryset.none()

    def allows(self, user: User, action: str, obj: DivisionImport | None) -> bool:
        return user.is_superuser and action == VIEW


region_policy = register_policy(RegionPolicy())
division_import_policy = register_policy(DivisionImportPolicy())
