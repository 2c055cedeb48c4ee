"""Load the demo city and print the demo accounts (``make run``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shouhu.core.errors import DomainError
from shouhu.demo.services import DEMO_PASSWORD, load_demo
from shouhu.registry.choices import Category


def _categories(counts: Counter[str]) -> str:
    return pgettext("list separator", ", ").join(
        f"{Category(category).label} {count}" for category, count in counts.most_common() if category in Category.values
    )


class Command(BaseCommand):
    help = (
        "Load the demo city (regions, agencies, one account per role, a few thousand children with their "
        "families); idempotent; refused in production."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--city", help="4-digit code of a prefecture-level city (default SHOUHU_DEMO_CITY)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo(city_code=options["city"], progress=lambda m: self.stdout.write(f"  {m} …"))
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if result.regions is not None:
            self.stdout.write(f"  regions: {result.regions.summary()}")
        if result.changed:
            self.stdout.write(
                "  "
                + _("created %(agencies)d agencies and %(users)d accounts")
                % {"agencies": result.agencies_created, "users": result.users_created}
            )
        if result.children is not None:
            self.stdout.write(
                "  "
                + _(
                    "registered %(children)d children with %(persons)d family members in %(seconds).1f s; "
                    "categories: %(categories)s"
                )
                % {
                    "children": result.children.created,
                    "persons": result.children.persons_created,
                    "seconds": result.children.seconds,
                    "categories": _categories(result.children.categories),
                }
            )
        self.stdout.write("  " + _("children on file in the demo city: %(count)d") % {"count": result.children_on_file})
        if not result.changed:
            self.stdout.write("  " + _("The demo city was already loaded: nothing changed."))
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(_("Demo accounts (password of all: %(password)s)") % {"password": DEMO_PASSWORD})
        )
        width = max(len(account.username) for account, _ in result.accounts)
        for account, user in result.accounts:
            role = account.role.label if account.role else _("System administrator")
            place = user.jurisdiction.full_name if user.jurisdiction else "—"
            second = " *" if user.needs_second_factor else ""
            self.stdout.write(f"  {account.username:<{width}}  {role}{second} · {place}")
        self.stdout.write(
            _(
                "* log in with a second factor: scan the QR code shown at the first log-in with an "
                "authenticator app, or print the current code with `make totp ACCOUNT=<username>` (demo only)."
            )
        )
        self.stdout.write(_("Open http://127.0.0.1:8000/ and log in."))
