"""Pausing Python's collector of reference cycles around work that allocates millions of small
objects with no cycles among them (a full anomaly scan's entries and 4-gram sets, the 100,000
case rows a year's 期限预警 figures read): each burst of allocations sets off a full collection
over every object the process holds, again and again, for nothing (a sixth of a scan, up to
half a second of a report). Reference counting still frees everything meanwhile.

The pause is process-wide: in the web server other requests run without cycle collection for
as long (about a second), which costs them nothing but memory held a little longer."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycles_paused() -> Iterator[None]:
    """The collector runs again afterwards, unless something else had turned it off before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
