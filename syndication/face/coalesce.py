"""Face refreshes after the scheduler's runs: one per burst, not one per feed.

The scheduler publishes each feed as its own job, and a feed that wrote or
withdrew something would refresh its destination's face: list, render, check
and write the page of every feed there (about 80 ms at 200 feeds). A story
that touches 21 feeds refreshed the same page 21 times in a row. Instead each
such run notes its destination here, and one refresh follows ``delay``
seconds after the first run of a burst. A run that ends while that refresh
reads the ledger notes its destination again and so gets a refresh of its
own, started after it: every change is followed by a refresh that sees it.
Refreshes of one destination never overlap (face.publish holds its lock).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from syndication.feeds import FeedDefinition
from syndication.publish import FeedResult

log = logging.getLogger(__name__)

# How long a burst of runs has to end before its destinations' faces are
# refreshed.
DELAY_SECONDS = 1.0

Changed = tuple[FeedDefinition, FeedResult]


class FaceRefresher:
    """Calls ``refresh`` with one (feed, result) per destination that
    changed, ``delay`` seconds after the first change since the last call;
    safe across threads."""

    def __init__(
        self,
        refresh: Callable[[Sequence[Changed]], object],
        delay: float = DELAY_SECONDS,
    ) -> None:
        self._refresh = refresh
        self._delay = delay
        self._pending: dict[str, Changed] = {}
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._closed = False

    def changed(self, feed: FeedDefinition, result: FeedResult) -> None:
        """Note a run that wrote or withdrew something at its destination."""
        with self._lock:
            if self._closed:
                return
            self._pending[result.destination] = (feed, result)
            if self._timer is None:
                self._timer = threading.Timer(self._delay, self._run)
                self._timer.daemon = True
                self._timer.name = "face-refresh"
                self._timer.start()

    def flush(self) -> None:
        """Refresh what is noted now, without waiting."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self._run()

    def close(self) -> None:
        """Refresh what is noted, then note nothing more."""
        self.flush()
        with self._lock:
            self._closed = True

    def _run(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._timer = None
        if not pending:
            return
        try:
            self._refresh([pending[name] for name in sorted(pending)])
        except Exception:  # a bug: the scheduler goes on, the next run retries
            log.exception("face refresh failed")
