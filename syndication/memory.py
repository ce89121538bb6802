"""How many entries this process's render and store caches hold.

The caches of items, their rendered bytes and decoded versions are sized for
one process publishing every feed (credit.ITEM_CACHE_SIZE and the sizes
beside it): what the scheduler's warm path needs, where a new story touches
some twenty feeds and 2,500 items. A parallel publish's worker process
publishes a share of the feeds, so it keeps a share of those entries
(:func:`cache_entries`), and the machine's memory stays about what one
process would take. A worker says so in ``$SYNDICATION_CACHE_SHARE`` before
it imports the modules whose caches are made at import (see
:mod:`syndication.parallel`).
"""

from __future__ import annotations

import os

SHARE_VARIABLE = "SYNDICATION_CACHE_SHARE"
# Never fewer entries than this, whatever the share.
MIN_ENTRIES = 512


def cache_entries(entries: int) -> int:
    """``entries`` divided by this process's share (1 unless a parallel
    publish's worker set one)."""
    try:
        share = int(os.environ.get(SHARE_VARIABLE, "1"))
    except ValueError:
        share = 1
    if share <= 1:
        return entries
    return max(MIN_ENTRIES, entries // share)
