"""A feed's selection carried from one run to the next in one process.

Deciding whether a feed's edition changed starts with its selection's ids
(:meth:`Store.select_refs`): two queries that walk the newest versions until
the feed's limit is filled, about 18 ms a feed at 50,000 articles, paid by
every feed a new story touches. A long-running publisher (the scheduler, a
worker) keeps what each feed's last selection was, with each version's
moment, and asks the store again only about the articles that may have moved
since (:meth:`Store.moved_since`: a version stored since the run's change
count, or created or released from embargo between the two moments). Every
other article's state is what it was: versions are immutable, so its
qualifying version, and its place in the order, are those of the last run.

The new selection is the last one without the moved articles, merged with
the moved articles' own selection (the store's rule, asked only about them).
It is that only when it provably is: the merge never breaks a tie itself (a
moved version created at the same moment as any other selected one sends the
feed to the full query, since the store orders ties by its own collation),
and when the
last selection was full, the kept versions plus the moved ones ranked above
its last must fill the limit again, since what ranked below it was never
read. A window (items age out as the moment moves), a moment earlier than
the last, a changed selection, a change count gone back or many moved
articles all ask the store in full.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from syndication.store.base import Carrier, RankedRef, Selection, Store

# More articles moved than this since a feed's last run: select in full.
MOVED_LIMIT = 200

Refs = list[tuple[str, int]]


@dataclass(frozen=True)
class _Memo:
    selection: Selection
    changes: int
    at: datetime
    usable: tuple[RankedRef, ...]
    canceled: tuple[RankedRef, ...]


class SelectionMemos:
    """Each feed's last selection at each destination and prefix; safe
    across threads (one feed is selected by one thread at a time, under its
    lock)."""

    def __init__(self) -> None:
        self._memos: dict[tuple[str, str, str], _Memo] = {}
        self._lock = threading.Lock()

    def refs(
        self,
        store: Store,
        selection: Selection,
        at: datetime,
        *,
        carrier: Carrier,
        prefix: str,
        changes: int | None,
    ) -> tuple[Refs, Refs]:
        """What :meth:`Store.select_refs` answers for ``selection`` as of
        ``at`` at ``carrier``. ``changes`` is the store's change count read
        before this; None (a run not recorded) neither reuses nor
        remembers."""
        key = (carrier.feed_id, carrier.destination, prefix)
        with self._lock:
            memo = self._memos.get(key) if changes is not None else None
        ranked = None
        if memo is not None and changes is not None:
            ranked = _moved_on(store, memo, selection, at, carrier, changes)
        if ranked is None:
            ranked = store.select_ranked(selection, at, carrier=carrier)
        usable, canceled = ranked
        if changes is not None:
            with self._lock:
                self._memos[key] = _Memo(
                    selection, changes, at, tuple(usable), tuple(canceled)
                )
        return _ids(usable), _ids(canceled)


def _moved_on(
    store: Store,
    memo: _Memo,
    selection: Selection,
    at: datetime,
    carrier: Carrier,
    changes: int,
) -> tuple[list[RankedRef], list[RankedRef]] | None:
    """The selection as of ``at`` from ``memo`` and the moved articles; None
    when it cannot be told without the full query."""
    if (
        memo.selection != selection
        or selection.window is not None
        or at < memo.at
        or changes < memo.changes
    ):
        return None
    moved = store.moved_since(memo.changes, memo.at, at, limit=MOVED_LIMIT)
    if moved is None:
        return None
    if not moved:
        return list(memo.usable), list(memo.canceled)
    fresh_usable, fresh_canceled = store.select_ranked(
        selection, at, carrier=carrier, among=sorted(moved)
    )
    usable = merged(memo.usable, fresh_usable, moved, selection.limit)
    canceled = merged(memo.canceled, fresh_canceled, moved, selection.limit)
    if usable is None or canceled is None:
        return None
    return usable, canceled


def merged(
    old: Sequence[RankedRef],
    fresh: Sequence[RankedRef],
    moved: frozenset[str],
    limit: int | None,
) -> list[RankedRef] | None:
    """The first ``limit`` of ``old`` (a selection, in the store's order)
    without the ``moved`` articles, merged with ``fresh`` (the moved
    articles' selection, newest first); None when that may differ from
    selecting again: a tie between a fresh version and any other, or a full
    ``old`` whose kept and fresh versions above its last no longer fill
    ``limit``."""
    kept = [ref for ref in old if ref.guid not in moved]
    moments = {ref.created for ref in kept}
    for ref in fresh:
        if ref.created in moments:
            return None
        moments.add(ref.created)
    union: list[RankedRef] = []
    i = j = 0
    while i < len(kept) or j < len(fresh):
        if j == len(fresh) or (i < len(kept) and kept[i].created > fresh[j].created):
            union.append(kept[i])
            i += 1
        else:
            union.append(fresh[j])
            j += 1
    if limit is None or len(old) < limit:
        return union[:limit] if limit is not None else union
    last = old[-1]
    if last.guid in moved:
        return None
    above = len(kept) + sum(1 for ref in fresh if ref.created > last.created)
    return union[:limit] if above >= limit else None


def _ids(refs: Sequence[RankedRef]) -> Refs:
    return [(ref.guid, ref.version) for ref in refs]
