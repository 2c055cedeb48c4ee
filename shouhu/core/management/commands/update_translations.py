"""Extract every app's strings into its zh_Hans catalogue and compile the catalogues."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shouhu.core import translations


class Command(BaseCommand):
    help = "Refresh and compile the zh_Hans message catalogues of the project and of every app."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--app", action="append", default=[], help="only this app (e.g. accounts; '.' for the project templates)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for catalogue in translations.catalogues(options["app"]):
            translations.make_messages(catalogue)
            translations.tidy_header(catalogue)
            translations.compile_messages(catalogue)
            self.stdout.write(f"updated {catalogue.label}")
