"""Access to background jobs: a job belongs to the user who started it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from shouhu.core.models import Job
from shouhu.core.policy import CHANGE, VIEW, Policy, register_policy

if TYPE_CHECKING:
    from shouhu.accounts.models import User


class JobPolicy(Policy[Job]):
    model = Job

    def scope(self, user: User, queryset: models.QuerySet[Job]) -> models.QuerySet[Job]:
        if user.is_superuser:
            return queryset
        return queryset.filter(created_by=user)

    def allows(self, user: User, action: str, obj: Job | None) -> bool:
        return action in (VIEW, CHANGE)


job_policy = register_policy(JobPolicy())
