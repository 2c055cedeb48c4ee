"""Load the demo city and print the demo accounts (``make run``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shouhu.core.errors import DomainError
from shouhu.demo.services import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo city (regions, agencies, one account per role); idempotent; refused in production."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--city", help="4-digit code of a prefecture-level city (default SHOUHU_DEMO_CITY)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo(city_code=options["city"], progress=lambda m: self.stdout.write(f"  {m}"))
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"  {result.regions}")
        if result.changed:
            self.stdout.write(
                f"  created {result.agencies_created} agencies and {result.users_created} accounts"
            )
        else:
            self.stdout.write("  the demo city was already loaded: nothing changed")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (password for all: %s)" % DEMO_PASSWORD))
        width = max(len(account.username) for account, _ in result.accounts)
        for account, user in result.accounts:
            role = account.role.label if account.role else "system administrator (superuser)"
            place = user.jurisdiction.name if user.jurisdiction else "—"
            second = "  [TOTP: make totp ACCOUNT=%s]" % account.username if user.needs_second_factor else ""
            self.stdout.write(f"  {account.username:<{width}}  {role!s:<28} {place}{second}")
        self.stdout.write(
            "Administrators and auditors log in with a second factor: scan the QR code shown at first "
            "log-in, or print the current code with `make totp ACCOUNT=<username>` (demo only)."
        )
