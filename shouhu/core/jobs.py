"""Background jobs with progress: a registry of handlers, start/rerun services, the Huey task.

An app registers a handler for a job kind (in its ``AppConfig.ready``)::

    @register_job("accounts.user_import")
    def run_user_import(job: Job, report: ProgressReporter) -> None: ...

The handler reads ``job.params``/``job.input_file``, calls ``report(done, total, message)`` as
it goes and sets ``job.result``/``job.output_file``. It may leave the job ``awaiting_review``
(staged imports) by setting ``job.status`` before returning; otherwise the job ends
``succeeded``. An exception marks it ``failed`` with the error kept, and ``rerun_job`` runs
it again from its stored inputs.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey.contrib.djhuey import db_task

from shouhu.core.errors import DomainError
from shouhu.core.models import Job

if TYPE_CHECKING:
    from django.core.files import File

    from shouhu.accounts.models import User

logger = logging.getLogger(__name__)

ProgressReporter = Callable[[int, int, str], None]
JobHandler = Callable[[Job, ProgressReporter], None]
_HANDLERS: dict[str, JobHandler] = {}
# Write progress at most this often (rows) so that a 100 000-row job does not write 100 000 times.
PROGRESS_EVERY = 200


def register_job(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register ``handler`` as the code that runs jobs of ``kind``."""

    def decorator(handler: JobHandler) -> JobHandler:
        _HANDLERS[kind] = handler
        return handler

    return decorator


def start_job(
    *,
    actor: User,
    kind: str,
    params: dict[str, Any] | None = None,
    input_file: File[Any] | None = None,
    phase: str = "",
) -> Job:
    """Create a job for ``actor`` and queue it once the surrounding transaction commits."""
    if kind not in _HANDLERS:
        raise DomainError(f"no handler for job kind {kind!r}")
    job = Job(
        kind=kind,
        params=params or {},
        phase=phase,
        created_by=actor,
        region_code=getattr(actor, "jurisdiction_id", "") or "",
    )
    if input_file is not None:
        job.input_file.save(getattr(input_file, "name", "upload"), input_file, save=False)
    job.save()
    transaction.on_commit(lambda: run_job(job.pk))
    return job


def continue_job(*, actor: User, job: Job, phase: str, params: dict[str, Any] | None = None) -> Job:
    """Queue the next phase of a job that waits for review (e.g. the commit of a staged import)."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.AWAITING_REVIEW:
            raise DomainError(_("This job is not waiting for review any more."), code="job_state")
        locked.phase = phase
        locked.params = {**locked.params, **(params or {})}
        locked.status = Job.Status.PENDING
        locked.progress = 0
        locked.save(update_fields=["phase", "params", "status", "progress", "updated_at"])
        transaction.on_commit(lambda: run_job(locked.pk))
    return locked


def rerun_job(*, actor: User, job: Job) -> Job:
    """Run a failed job again from its stored inputs."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.FAILED:
            raise DomainError(_("Only a failed job can be run again."), code="job_state")
        locked.status = Job.Status.PENDING
        locked.error = ""
        locked.progress = 0
        locked.save(update_fields=["status", "error", "progress", "updated_at"])
        transaction.on_commit(lambda: run_job(locked.pk))
    return locked


def cancel_job(*, actor: User, job: Job) -> Job:
    """Abandon a job that waits for review (nothing of it has been written)."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (Job.Status.AWAITING_REVIEW, Job.Status.FAILED, Job.Status.PENDING):
            raise DomainError(_("This job can no longer be cancelled."), code="job_state")
        locked.status = Job.Status.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at", "updated_at"])
    return locked


def _reporter(job: Job) -> ProgressReporter:
    last = {"written": -PROGRESS_EVERY}

    def report(done: int, total: int, message: str = "") -> None:
        job.progress, job.total = done, total
        if message:
            job.message = message[:255]
        if done - last["written"] >= PROGRESS_EVERY or done >= total:
            last["written"] = done
            Job.objects.filter(pk=job.pk).update(
                progress=done, total=total, message=job.message, updated_at=timezone.now()
            )

    return report


def execute_job(job_id: int) -> Job:
    """Run one job now, in this process (the Huey task calls this; tests may too)."""
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.PENDING:
        return job
    handler = _HANDLERS[job.kind]
    job.status = Job.Status.RUNNING
    job.attempts += 1
    job.started_at = timezone.now()
    job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    try:
        handler(job, _reporter(job))
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        job.status = Job.Status.FAILED
        job.error = f"{exc}\n\n{traceback.format_exc()}" if not isinstance(exc, DomainError) else str(exc.message)
        job.finished_at = timezone.now()
        job.save()
        return job
    if job.status == Job.Status.RUNNING:
        job.status = Job.Status.SUCCEEDED
        job.finished_at = timezone.now()
    job.save()
    return job


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def run_job(job_id: int) -> None:
    execute_job(job_id)
