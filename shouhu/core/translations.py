"""Where the message catalogues live and how to refresh and check them.

Each Shouhu app keeps its own catalogue (``shouhu/<app>/locale/zh_Hans/LC_MESSAGES/django.po``)
so that apps can be worked on side by side; the project templates and settings use
``locale/``. Message ids are English; ``zh_Hans`` is the complete translation and the
default language. ``check_translations`` fails lint when a string in the code has no
catalogue entry, an entry is untranslated or fuzzy, or a ``.mo`` is older than its ``.po``.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import polib

LANGUAGE = "zh_Hans"
DOMAINS = ("django", "djangojs")
ROOT_IGNORES = ("shouhu/*", ".venv/*", "var/*", "static/*", "bench/*", "node_modules/*", "docs/*")


@dataclass(frozen=True)
class Catalogue:
    """A directory whose strings go into one ``locale/`` tree."""

    source_dir: Path
    ignores: tuple[str, ...] = ()

    @property
    def locale_dir(self) -> Path:
        return self.source_dir / "locale"

    def po(self, domain: str = "django") -> Path:
        return self.locale_dir / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"

    @property
    def label(self) -> str:
        return str(self.source_dir.relative_to(settings.BASE_DIR)) or "."


def catalogues(only: list[str] | None = None) -> list[Catalogue]:
    """The catalogues of the project (label ``.``) and of every app, or only of ``only``."""
    base = Path(settings.BASE_DIR)
    found = [Catalogue(base, ROOT_IGNORES)]
    found += [Catalogue(app) for app in sorted((base / "shouhu").iterdir()) if (app / "apps.py").exists()]
    if only:
        wanted = {name if name == "." else f"shouhu/{name}" for name in only}
        found = [c for c in found if c.label in wanted]
    return found


def make_messages(catalogue: Catalogue, domains: tuple[str, ...] = DOMAINS) -> None:
    """Run Django's ``makemessages`` for ``catalogue`` (keeps existing translations)."""
    catalogue.locale_dir.mkdir(exist_ok=True)
    manage = Path(settings.BASE_DIR) / "manage.py"
    for domain in domains:
        command = [
            sys.executable,
            str(manage),
            "makemessages",
            "-l",
            LANGUAGE,
            "-d",
            domain,
            "--no-obsolete",
            "--add-location",
            "file",
            "--no-wrap",
        ]
        if domain == "django":
            command += ["-e", "html,txt,py"]
        for pattern in catalogue.ignores:
            command += ["-i", pattern]
        subprocess.run(command, cwd=catalogue.source_dir, check=True, capture_output=True)  # noqa: S603


def tidy_header(catalogue: Catalogue) -> None:
    """Give each catalogue a real header (not gettext's fuzzy template)."""
    import polib  # noqa: PLC0415  (a development dependency, needed only by these commands)

    for path in catalogue.locale_dir.glob(f"{LANGUAGE}/LC_MESSAGES/*.po"):
        po = polib.pofile(str(path), wrapwidth=0)
        po.metadata_is_fuzzy = False
        po.header = "Shouhu (守护) message catalogue. Licensed like the project (Apache-2.0)."
        po.metadata.update(
            {
                "Project-Id-Version": "shouhu",
                "Language": LANGUAGE,
                "Language-Team": "Shouhu <shouhu@localhost>",
                "Last-Translator": "Shouhu developers",
                "PO-Revision-Date": po.metadata.get("POT-Creation-Date", ""),
                "Content-Type": "text/plain; charset=UTF-8",
                "Plural-Forms": "nplurals=1; plural=0;",
            }
        )
        po.metadata.pop("Report-Msgid-Bugs-To", None)
        po.save()


def compile_messages(catalogue: Catalogue) -> None:
    for po in catalogue.locale_dir.glob(f"{LANGUAGE}/LC_MESSAGES/*.po"):
        subprocess.run(  # noqa: S603
            ["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)],  # noqa: S607
            check=True,
        )


def problems_of(catalogue: Catalogue) -> list[str]:
    """Everything wrong with ``catalogue``, as lines for the developer."""
    import polib  # noqa: PLC0415  (a development dependency, needed only by these commands)

    problems: list[str] = []
    for domain in DOMAINS:
        po_path = catalogue.po(domain)
        committed = polib.pofile(str(po_path)) if po_path.exists() else None
        fresh = _extract(catalogue, domain)
        known = {(e.msgctxt, e.msgid) for e in committed} if committed is not None else set()
        missing = [e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known]
        if missing:
            problems.append(
                f"{catalogue.label} ({domain}): {len(missing)} string(s) not in the catalogue, "
                f"e.g. {missing[0]!r} — run `make messages` and translate them"
            )
        if committed is None:
            continue
        for entry in committed:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{po_path}: fuzzy translation of {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"{po_path}: no translation of {entry.msgid!r}")
        problems += _stale_mo(po_path, committed)
    return problems


def _extract(catalogue: Catalogue, domain: str) -> list[polib.POEntry]:
    """The entries ``makemessages`` would write now, without touching the committed files."""
    import polib  # noqa: PLC0415  (a development dependency, needed only by these commands)

    po_path = catalogue.po(domain)
    backup = po_path.read_bytes() if po_path.exists() else None
    created_locale = not catalogue.locale_dir.exists()
    try:
        make_messages(catalogue, domains=(domain,))
        return list(polib.pofile(str(po_path))) if po_path.exists() else []
    finally:
        if backup is not None:
            po_path.write_bytes(backup)
        elif po_path.exists():
            po_path.unlink()
        if created_locale:
            shutil.rmtree(catalogue.locale_dir, ignore_errors=True)


def _stale_mo(po_path: Path, po: polib.POFile) -> list[str]:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [f"{mo_path} is missing — run `make messages`"]
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        fresh_mo = Path(tmp) / "fresh.mo"
        subprocess.run(["msgfmt", "-o", str(fresh_mo), str(po_path)], check=True)  # noqa: S603, S607
        with fresh_mo.open("rb") as handle:
            expected = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    if compiled != expected:
        return [f"{mo_path} does not match {po_path.name} — run `make messages`"]
    return []
