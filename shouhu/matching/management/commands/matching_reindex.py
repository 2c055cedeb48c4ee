"""Rebuild every child's search keys (after ``names.KEYS_VERSION`` changed, or to repair them)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from shouhu.matching import keys, names


class Command(BaseCommand):
    help = (
        "Rebuild the search keys of every child with the current key functions (names.KEYS_VERSION), in "
        "batches; searches keep working meanwhile. With --if-stale, only when the stored keys were built by "
        "another version."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-stale", action="store_true", help="do nothing when the keys are current")
        parser.add_argument("--batch", type=int, default=keys.BATCH, help="children per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        stored = keys.stored_version()
        if options["if_stale"] and not keys.stale() and stored is not None:
            self.stdout.write(f"search keys are current (version {stored})")
            return
        started = time.monotonic()
        last = {"at": 0.0}

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last["at"] >= 1 or done >= total:
                last["at"] = now
                percent = 100 * done // max(total, 1)
                rate = done / max(now - started, 1e-6)
                self.stdout.write(f"\r{done:,}/{total:,} children ({percent} %), {rate:,.0f}/s", ending="")
                self.stdout.flush()

        state = keys.rebuild(progress=progress, batch=options["batch"])
        self.stdout.write("")
        self.stdout.write(
            f"{state.keys:,} keys of {state.children:,} children written (version {names.KEYS_VERSION}, "
            f"was {stored if stored is not None else 'none'}) in {time.monotonic() - started:.1f} s"
        )
