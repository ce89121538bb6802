"""No garbage collection while a parser recurses.

A hostile file nested thousands deep runs a recursive parser (tomllib, json
with an object hook) to Python's recursion limit, where we catch the
RecursionError and refuse the file. A garbage collection started down there
runs other objects' finalizers with no stack left: each fails, and Python
prints "Exception ignored in ..." on stderr. Parsing one bounded file takes
milliseconds, so no collection starts meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Automatic garbage collection off inside the block, as it was after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
