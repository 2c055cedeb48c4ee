"""Reading settings from the environment (12-factor), with loud failures.

Every setting comes from an environment variable. The embedded mode (``make run``)
generates its secrets into ``var/secrets.json`` on first start; production
(``SHOUHU_ENV=production``) refuses to start on a default, missing or weak secret,
on ``DEBUG``, or on SQLite, naming each wrong setting.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
ENVIRONMENTS = ("development", "test", "production")
SECRET_NAMES = ("SECRET_KEY", "SHOUHU_FIELD_KEY", "SHOUHU_HASH_KEY", "SHOUHU_AUDIT_KEY")
MIN_SECRET_LENGTH = 32


class SettingsError(ImproperlyConfigured):
    """One or more environment settings are wrong; the message names each of them."""


@dataclass
class Env:
    """A view of ``os.environ`` that collects every problem before failing once."""

    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    problems: list[str] = field(default_factory=list)

    def text(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def flag(self, name: str, *, default: bool) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.problems.append(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")
        return default

    def integer(self, name: str, *, default: int, minimum: int = 0) -> int:
        raw = self.environ.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r} is not a whole number")
            return default
        if value < minimum:
            self.problems.append(f"{name}={value} is below the minimum of {minimum}")
            return default
        return value

    def items(self, name: str, default: list[str]) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(name, default).lower()
        if value not in choices:
            self.problems.append(f"{name}={value!r} must be one of: {', '.join(choices)}")
            return default
        return value

    def fail_if_problems(self) -> None:
        if self.problems:
            lines = "\n  - ".join(self.problems)
            raise SettingsError(f"Shouhu cannot start; fix these environment settings:\n  - {lines}")


def load_or_create_secrets(path: Path) -> dict[str, str]:
    """Return the embedded mode's secrets, generating any that are missing (file mode 0600)."""
    stored: dict[str, str] = {}
    if path.exists():
        stored = dict(json.loads(path.read_text(encoding="utf-8")))
    missing = [name for name in SECRET_NAMES if not stored.get(name)]
    if missing:
        for name in missing:
            stored[name] = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
    return stored


def read_secrets(env: Env, *, production: bool, var_dir: Path) -> dict[str, str]:
    """Secrets from the environment; in development the missing ones come from ``var/``."""
    found = {name: env.text(name) for name in SECRET_NAMES}
    if production:
        for name, value in found.items():
            if not value:
                env.problems.append(f"{name} is missing (production needs every secret set)")
            elif len(value) < MIN_SECRET_LENGTH:
                env.problems.append(f"{name} is shorter than {MIN_SECRET_LENGTH} characters")
            elif value.startswith(("django-insecure", "change-me", "changeme", "dev-")):
                env.problems.append(f"{name} is a default or development value")
        return found
    if all(found.values()):
        return found
    generated = load_or_create_secrets(var_dir / "secrets.json")
    return {name: found[name] or generated[name] for name in SECRET_NAMES}
