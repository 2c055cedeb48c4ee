"""The daily recomputation of categories (run by the Huey consumer's scheduler at 01:30).

Time alone changes categories — a six-month threshold reached, a 3rd, 16th or 18th birthday — so
every child whose ``next_review_on`` has come is classified again each night. When a policy
setting the rules read took effect since the last run (``policy.selectors.changes_between``),
every active child is classified again, as a background job with progress.
"""

from __future__ import annotations

import logging
from datetime import date, time, timedelta

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shouhu.audit.tasks import utc_run_time
from shouhu.policy import selectors as policy_selectors
from shouhu.registry import services
from shouhu.registry.models import ReclassificationRun

logger = logging.getLogger(__name__)

# 01:30 local time, before the access-log verification (02:30); Huey's scheduler counts in UTC.
LOCAL_RUN_TIME = time(1, 30)
_RUN = utc_run_time(LOCAL_RUN_TIME)


def run_daily(*, on: date | None = None) -> ReclassificationRun:
    """Recompute what is due on ``on`` (default today); once per day, catching up missed days' settings."""
    on = on or policy_selectors.today()
    with transaction.atomic():
        last = ReclassificationRun.objects.select_for_update().order_by("-day").first()
        if last is not None and last.day >= on:
            return last
        since = last.day if last is not None else on - timedelta(days=1)
        changed = sorted(
            {c.key for c in policy_selectors.changes_between(since, on) if c.key in services.RULE_SETTING_KEYS}
        )
        run = ReclassificationRun.objects.create(day=on, settings_changed=changed)
        if changed:
            run.job = services.start_reclassify_all(actor=None, reason="settings: " + ", ".join(changed))
            run.save(update_fields=["job"])
    run.due_children = services.reclassify_due(on=on)
    run.save(update_fields=["due_children"])
    logger.info("categories recomputed for %s children due on %s; settings changed: %s", run.due_children, on, changed)
    return run


@db_periodic_task(crontab(minute=str(_RUN.minute), hour=str(_RUN.hour)))  # type: ignore[untyped-decorator]
def reclassify_daily() -> None:
    run_daily()
