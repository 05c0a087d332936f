"""The collector of reference cycles is paused only for the work, and left as it was found."""

from __future__ import annotations

import gc

import pytest

from liuhen.kernel.cycles import cycles_paused


def test_the_collector_runs_again_after_the_work_even_when_it_fails() -> None:
    seen: list[bool] = []

    def work() -> None:
        with cycles_paused():
            seen.append(gc.isenabled())
            raise RuntimeError("中途失败")

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        work()
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    try:
        with cycles_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
