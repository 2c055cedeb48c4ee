"""``manage.py verify_audit``: verify the hash chain of the access log.

Exits 0 when the chain is intact and 1 at the first broken link, so that cron or a
monitoring check can act on it. Each run is recorded for the auditors' screen.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from shouhu.audit.choices import VerificationTrigger
from shouhu.audit.services import VERIFY_BATCH, verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the access log and report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-seq",
            type=int,
            default=None,
            help="start at this entry, trusting the one before it (default: the first entry)",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="start after the furthest entry an earlier verification found intact (quick; not a full walk)",
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing unless the chain is broken")
        parser.add_argument("--batch-size", type=int, default=VERIFY_BATCH, help="entries read per query")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_seq"] is not None and options["from_seq"] < 1:
            raise CommandError("--from-seq must be 1 or more")
        if options["resume"] and options["from_seq"] is not None:
            raise CommandError("--resume and --from-seq exclude each other")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be 1 or more")
        quiet = options["quiet"]
        interactive = self.stdout.isatty()

        def progress(done: int, total: int, message: str) -> None:
            if quiet:
                return
            percent = f" ({100 * done // total}%)" if total else ""
            line = f"checked {done:,} of {total:,} entries{percent}"
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        with translation.override("en"):
            verification = verify_chain(
                actor=None,
                trigger=VerificationTrigger.COMMAND,
                from_seq=options["from_seq"],
                resume=options["resume"],
                batch_size=options["batch_size"],
                progress=progress,
            )
            if interactive and not quiet:
                self.stdout.write("")
            last = (
                f"last intact entry #{verification.last_seq} {verification.last_hash}"
                if verification.last_seq is not None
                else "no intact entry"
            )
            summary = f"{verification.rows_checked:,} entries checked, {last}, {verification.duration_seconds:.1f} s"
            if not verification.ok:
                raise CommandError(
                    f"the chain is BROKEN at #{verification.broken_seq}: {verification.message}\n{summary}",
                    returncode=1,
                )
            if not quiet:
                self.stdout.write(self.style.SUCCESS(f"OK: {summary}"))
