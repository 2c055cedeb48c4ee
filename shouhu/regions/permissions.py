"""Access to regions: the division table is public knowledge; only system administrators change it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from shouhu.core.policy import VIEW, Policy, register_policy
from shouhu.regions.models import Region

if TYPE_CHECKING:
    from shouhu.accounts.models import User


class RegionPolicy(Policy[Region]):
    model = Region

    def scope(self, user: User, queryset: models.QuerySet[Region]) -> models.QuerySet[Region]:
        return queryset

    def allows(self, user: User, action: str, obj: Region | None) -> bool:
        return action == VIEW or user.is_superuser


region_policy = register_policy(RegionPolicy())
