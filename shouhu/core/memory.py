"""Building many objects at once: Python's cyclic garbage collector paused meanwhile.

Pure module. A bulk import or a batch de-duplication makes hundreds of thousands to millions of
objects (rows, prepared records, blocks, pairs) and no cycles worth collecting: every few thousand
allocations the collector would walk them all (two thirds of the time of building an import row;
15 % of a de-duplication at a hundred thousand records, ``bench/matching``), and in a forked worker
its walk writes to the pages the worker shares with its parent, copying them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the duration (and in the processes forked meanwhile),
    then as it was. Objects are still freed when their last reference goes; only cycles wait for
    the collector's return."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
