#!/usr/bin/env python
"""Fill zh_Hans translations into a catalogue from a JSON object {msgid: msgstr}.

A msgid with a context is keyed "context\u0004msgid" (gettext's own separator).

    .venv/bin/python scripts/translate.py shouhu/accounts translations.json

Only empty or fuzzy entries are filled unless --force; prints what is still untranslated.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polib


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("app_dir")
    parser.add_argument("mapping", help="JSON file of {msgid: msgstr}; plural: {msgid: [form0]}")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    po_path = Path(args.app_dir) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path), wrapwidth=0)
    mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8"))
    for entry in po:
        key = f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid
        if key not in mapping:
            continue
        if entry.translated() and "fuzzy" not in entry.flags and not args.force:
            continue
        value = mapping[key]
        if entry.msgid_plural:
            entry.msgstr_plural = {0: value[0] if isinstance(value, list) else value}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    untranslated = [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    left = [f"{e.msgctxt}\u0004{e.msgid}" if e.msgctxt else e.msgid for e in untranslated]
    for msgid in left:
        print(json.dumps(msgid, ensure_ascii=False))
    print(f"{len(left)} untranslated in {po_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
