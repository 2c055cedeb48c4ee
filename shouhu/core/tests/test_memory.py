"""The garbage collector paused while many objects are built, and restored after."""

from __future__ import annotations

import gc

import pytest

from shouhu.core.memory import collector_paused


def test_the_collector_is_paused_and_restored_after_it_even_on_error() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()  # a caller that had turned it off keeps it off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
