"""Run the benchmarks: ``python -m bench`` (all) or ``python -m bench regions [options]``.

Each benchmark is a module ``bench/<name>.py`` with a ``main()`` that prints its figures.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))


def run() -> int:
    names = available()
    wanted = [a for a in sys.argv[1:2] if not a.startswith("-")]
    if wanted and wanted[0] not in names:
        print(f"unknown benchmark {wanted[0]!r}; available: {', '.join(names)}")
        return 2
    for name in wanted or names:
        print(f"== bench.{name} ==", flush=True)
        sys.argv = [f"bench.{name}", *sys.argv[1 + len(wanted) :]]
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
