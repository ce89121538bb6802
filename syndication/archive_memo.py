"""A feed's archive plan carried from one run to the next in one process.

Planning a feed's archives reads every version shown in its kept periods and
the latest state of each of their articles (see :mod:`syndication.archive`):
tens of milliseconds a feed, paid by every feed a new story re-renders,
though a new story almost never changes a closed period. A long-running
publisher (the scheduler, a worker) keeps what each feed's plan was made
from, and makes it again only when something it depends on may have moved:

- the feed's settings, its archive state or its closed periods (a period
  closed, a definition edited);
- a version stored since the plan's change count, or created or released
  from embargo since the plan's moment, of an article with a version in the
  span, or itself shown in the span (:meth:`Store.changes_since`).

Anything else leaves every period's content as it was: a period's content is
a function of the versions in its span and of their articles' latest states
as of now, and a state changes only by a new version, a version's creation
moment passing or an embargo ending. Which periods must be written is asked
of the ledger at every run, as without the memo.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syndication.archive import (
    ArchiveContent,
    ArchivePlan,
    against_ledger,
    archive_content,
    archive_formats,
)
from syndication.config import ArchiveConfig
from syndication.digest import json_digest
from syndication.feeds import FeedDefinition
from syndication.periods import closed_periods
from syndication.store.base import Carrier, Store


@dataclass(frozen=True)
class _Memo:
    basis: str
    changes: int
    now: datetime
    content: ArchiveContent


class ArchiveMemos:
    """The archive content of each feed at each destination and prefix, as
    its last plan found it; safe across threads (one feed is planned by one
    thread at a time, under its lock)."""

    def __init__(self) -> None:
        self._memos: dict[tuple[str, str, str], _Memo] = {}
        self._lock = threading.Lock()

    def plan(
        self,
        store: Store,
        feed: FeedDefinition,
        config: ArchiveConfig,
        *,
        state: str,
        prefix: str,
        destination: str,
        at: datetime,
        now: datetime,
        carrier: Carrier,
        settings: Mapping[str, Any],
        changes: int | None,
    ) -> ArchivePlan:
        """The feed's archives (:func:`syndication.archive.archive_content`
        against the ledger), reusing the content of the feed's last plan when
        nothing it depends on moved. ``changes`` is the store's change count
        read before anything else of this run; None (a run not recorded)
        neither reuses nor remembers."""
        if not state or config.period is None:
            return ArchivePlan()
        key = (feed.feed_id, destination, prefix)
        periods = closed_periods(config.period, at, config.periods)
        basis = json_digest(
            {
                **settings,
                "state": state,
                "periods": [period.ident for period in periods],
                "formats": archive_formats(feed),
            }
        )
        with self._lock:
            memo = self._memos.get(key) if changes is not None else None
        content: ArchiveContent | None = None
        if (
            memo is not None
            and memo.basis == basis
            and _still_holds(memo, store.changes_since(memo.changes, memo.now, now))
        ):
            content = memo.content
        if content is None:
            content = archive_content(
                store,
                feed,
                config,
                state=state,
                prefix=prefix,
                at=at,
                now=now,
                carrier=carrier,
                settings=settings,
            )
        if changes is not None:
            with self._lock:
                self._memos[key] = _Memo(basis, changes, now, content)
        return against_ledger(store, destination, state, content.kept)


def _still_holds(memo: _Memo, changed: list[tuple[str, datetime | None]]) -> bool:
    """Whether none of ``changed`` (guid, shown_at) touches the memo's span."""
    content = memo.content
    if content.start is None or content.end is None:
        return False
    for guid, shown_at in changed:
        if guid in content.guids:
            return False
        if shown_at is not None and content.start <= shown_at < content.end:
            return False
    return True
