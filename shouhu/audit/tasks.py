"""The daily verification of the access-log chain (run by the Huey consumer's scheduler).

On Sundays the whole chain is walked; on the other days the walk resumes after the furthest
entry found intact before, so that a log of tens of millions of entries (≈16 000 entries per
second on PostgreSQL) is still checked every night within minutes.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shouhu.audit.choices import VerificationTrigger
from shouhu.audit.services import verify_chain

logger = logging.getLogger(__name__)

# 02:30 local time, when offices are closed; Huey's scheduler counts in UTC.
LOCAL_RUN_TIME = time(2, 30)
FULL_WALK_WEEKDAY = 6  # Sunday (``date.weekday()``)


def utc_run_time(local: time = LOCAL_RUN_TIME, zone: str | None = None) -> time:
    """``local`` in the project's time zone, as a UTC time of day (zones without DST)."""
    today = datetime.now(ZoneInfo(zone or settings.TIME_ZONE)).date()
    instant = datetime.combine(today, local, tzinfo=ZoneInfo(zone or settings.TIME_ZONE))
    return instant.astimezone(ZoneInfo("UTC")).time()


_RUN = utc_run_time()


@db_periodic_task(crontab(minute=str(_RUN.minute), hour=str(_RUN.hour)))  # type: ignore[untyped-decorator]
def verify_chain_daily() -> None:
    full = timezone.localdate().weekday() == FULL_WALK_WEEKDAY
    verification = verify_chain(actor=None, trigger=VerificationTrigger.SCHEDULE, resume=not full)
    if verification.ok:
        logger.info("access-log chain intact: %s entries checked", verification.rows_checked)
