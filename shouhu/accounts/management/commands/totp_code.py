"""Print the current second-factor code of a user (demo only; refused in production)."""

from __future__ import annotations

import base64
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts.models import User


class Command(BaseCommand):
    help = (
        "Demo only: print the current TOTP code of USERNAME's authenticator, creating one (and printing its "
        "key) if the user has none. Refused when SHOUHU_ENV=production."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("totp_code is a demo aid and is refused in production (SHOUHU_ENV=production).")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
            key = base64.b32encode(device.bin_key).decode().rstrip("=")
            self.stdout.write(f"Created an authenticator for {user.username}; key (base32): {key}")
            self.stdout.write(f"otpauth URI: {device.config_url}")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"(valid for about {remaining} more seconds)")
