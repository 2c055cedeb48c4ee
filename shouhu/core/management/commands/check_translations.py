"""Fail when a string has no zh_Hans translation or a compiled catalogue is stale."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shouhu.core import translations


class Command(BaseCommand):
    help = "Check that every user-facing string is in a catalogue, translated and compiled."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--app", action="append", default=[], help="only this app (e.g. accounts; '.' for the project templates)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        for catalogue in translations.catalogues(options["app"]):
            problems += translations.problems_of(catalogue)
        if problems:
            raise CommandError("translations are incomplete:\n  " + "\n  ".join(problems))
        self.stdout.write(self.style.SUCCESS("every string is translated and compiled"))
