"""The editors' fast lane: publish every feed a story is in, now.

A push decides only *which* feeds run and *when* (immediately); each feed runs
through the ordinary publish path (:mod:`syndication.publish`), which takes the
per-feed lock, so a push and a scheduled publish of one feed never interleave.
It works whether or not a scheduler is running.

A feed is affected by a story when, at the moment in question, the feed's
selection carries the story (:meth:`Store.select`), carries it as killed
(:meth:`Store.select_canceled`), matched an earlier version (so an update that
moves a story out of a feed also republishes that feed), or the ledger shows the
feed ever published it (so a kill or a new embargo withdraws it everywhere).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from syndication.articles.model import Version
from syndication.config import Settings
from syndication.errors import InputError, LockHeld, SyndicationError
from syndication.feeds import FeedDefinition, load_site_feeds
from syndication.store.base import Selection, Store

if TYPE_CHECKING:
    from syndication.publish import FeedResult, Publisher

log = logging.getLogger(__name__)

_LOCK_RETRY_SECONDS = 0.2
# Feeds a push publishes at once (each still uploads with the site's
# upload_concurrency, through one pool).
PUSH_CONCURRENCY = 8


@dataclass(frozen=True)
class FeedPush:
    """How one feed's publish went: ``outcome`` is the ledger's (``ok``,
    ``failed``...) or ``locked``; ``urls`` are the addresses of the documents
    written; ``elapsed`` is in seconds; ``quarantined`` names the items the gate
    kept out while the rest of the feed went out."""

    feed_id: str
    outcome: str
    urls: tuple[str, ...]
    written: int
    skipped: int
    elapsed: float
    error: str = ""
    quarantined: tuple[str, ...] = ()
    # The ledger's run behind it (None when the feed was locked or failed
    # before its run started): what the destination's face is refreshed from.
    run: FeedResult | None = field(default=None, compare=False, repr=False)

    @property
    def is_ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class PushReport:
    """A push of one story: the feeds published (in feed-id order) and the total
    elapsed seconds. ``urgency_changed`` is True when the push first stored a
    new version with the requested urgency."""

    guid: str
    version: int
    feeds: tuple[FeedPush, ...]
    elapsed: float
    urgency_changed: bool = False

    @property
    def is_ok(self) -> bool:
        return all(feed.is_ok for feed in self.feeds)

    @property
    def exit_code(self) -> int:
        """As for ``publish``: 1 if any feed failed or was locked, else 4 if any
        was refused by validation or left an item out in quarantine, else 0."""
        outcomes = {feed.outcome for feed in self.feeds}
        if outcomes - {"ok", "invalid"}:
            return 1
        if "invalid" in outcomes or any(feed.quarantined for feed in self.feeds):
            return 4
        return 0


def affected_feeds(
    store: Store, feeds: Iterable[FeedDefinition], guid: str, at: datetime
) -> list[FeedDefinition]:
    """The feeds whose documents would change because of article ``guid`` as of
    ``at``, in feed-id order: those that carry it now (or its kill), those
    whose selection any earlier version for syndication matched, and every
    feed the ledger shows ever published it (a kill, an embargo or a hold must
    reach all of them, whatever the latest version says). Raises NotFound for
    an unknown article."""
    versions = store.history(guid)
    latest = [v for v in versions if v.version_created <= at] or versions
    earlier = {v.version for v in latest[:-1] if v.is_syndicated}
    carried = {carrier.feed_id for carrier in store.carriers(guid)}
    found: list[FeedDefinition] = []
    for feed in sorted(feeds, key=lambda f: f.feed_id):
        if feed.feed_id in carried or (
            # A feed can carry the story, or its kill, only if one of its
            # versions matches the selection: one indexed look-up rules out
            # most feeds before their whole selection is read.
            store.matching_versions(guid, feed.selection, None)
            and (
                _carries(store, feed.selection, guid, at)
                or _matched_earlier(store, feed.selection, guid, at, earlier)
            )
        ):
            found.append(feed)
    return found


def _matched_earlier(
    store: Store, selection: Selection, guid: str, at: datetime, earlier: set[int]
) -> bool:
    """Whether one of the ``earlier`` versions matched ``selection`` (the
    store's own rule, as :meth:`Store.select` applies it)."""
    return bool(earlier) and not earlier.isdisjoint(
        store.matching_versions(guid, selection, at)
    )


def _carries(store: Store, selection: Selection, guid: str, at: datetime) -> bool:
    return any(v.guid == guid for v in store.select(selection, at)) or any(
        v.guid == guid for v in store.select_canceled(selection, at)
    )


def push_article(
    settings: Settings,
    store: Store,
    guid: str,
    *,
    urgency: int | None = None,
    wait: bool = True,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> PushReport:
    """Publish, now, every feed affected by article ``guid``.

    With ``urgency`` (1 most urgent to 9), first store a new version of the
    article at that urgency (a no-op if it already has it). With ``wait`` a
    feed being published by another process is published after it finishes;
    without, that feed is reported with outcome ``locked``. Raises NotFound for
    an unknown article, InputError for an urgency outside 1 to 9 and ConfigError
    for unreadable feed definitions; one feed's failure is reported in its
    :class:`FeedPush`, and the other feeds are still published.
    """
    started = time.monotonic()
    at = now or datetime.now(UTC)
    latest = store.get(guid)
    changed = False
    if urgency is not None:
        latest, changed = _set_urgency(store, latest, urgency, at)
    feed_set = load_site_feeds(settings)
    for problem in feed_set.problems:
        log.warning("feed definition skipped: %s", problem)
    feeds = affected_feeds(store, feed_set.feeds.values(), guid, at)
    if not feeds:
        log.info("article %s is in no feed as of %s; nothing to push", guid, at)
    results = publish_many(settings, store, feeds, trigger="push", wait=wait, stop=stop)
    return PushReport(
        guid=guid,
        version=latest.version,
        feeds=results,
        elapsed=time.monotonic() - started,
        urgency_changed=changed,
    )


def publish_many(
    settings: Settings,
    store: Store,
    feeds: Sequence[FeedDefinition],
    *,
    trigger: str,
    wait: bool = True,
    stop: threading.Event | None = None,
) -> tuple[FeedPush, ...]:
    """Publish ``feeds`` now, side by side (each under its own lock), in the
    order given. They share one publisher: one client per destination, opened
    once, and one gate, so an item carried by several feeds is checked once.

    With ``[queue] broker`` set, each feed is instead an urgent job for the
    workers, and their results are returned (see
    :func:`syndication.workqueue.enqueue.publish_via_queue`; QueueError when
    the broker cannot take them)."""
    if not feeds:
        return ()
    if settings.queue.is_enabled:
        from syndication.workqueue.enqueue import publish_via_queue

        return publish_via_queue(settings, feeds, trigger=trigger, wait=wait)
    from syndication.publish import Publisher

    publisher = Publisher(settings, store)
    try:
        with ThreadPoolExecutor(
            min(len(feeds), PUSH_CONCURRENCY), thread_name_prefix="push"
        ) as pool:
            pushed = tuple(
                pool.map(
                    lambda feed: publish_now(
                        settings,
                        store,
                        feed,
                        trigger=trigger,
                        wait=wait,
                        stop=stop,
                        publisher=publisher,
                        face=False,
                    ),
                    feeds,
                )
            )
        # Each destination's face once, after every feed, not once a feed.
        ran = [(feed, push.run) for feed, push in zip(feeds, pushed, strict=True)]
        publisher.refresh_faces(
            [feed for feed, run in ran if run is not None],
            [run for _, run in ran if run is not None],
            None,
        )
        return pushed
    finally:
        publisher.close()


def publish_now(
    settings: Settings,
    store: Store,
    feed: FeedDefinition,
    *,
    trigger: str,
    wait: bool = True,
    stop: threading.Event | None = None,
    publisher: Publisher | None = None,
    face: bool = True,
) -> FeedPush:
    """Publish one feed through :mod:`syndication.publish`, now.

    ``trigger`` goes to the ledger (``schedule``, ``embargo``, ``push``). With
    ``wait``, a feed locked by another publisher is retried until the lock is
    free (or ``stop`` is set). Errors are returned in the result, not raised,
    so the caller can go on with other feeds; the ledger has the detail.
    ``publisher`` is one shared with other feeds (left open); without it the
    feed gets its own, closed when done. ``face=False`` leaves refreshing
    the destination's face to the caller (see :meth:`Publisher.publish_feed`).
    """
    started = time.monotonic()
    while True:
        try:
            return _publish(settings, store, feed, trigger, started, publisher, face)
        except LockHeld as exc:
            if not wait or (stop is not None and stop.is_set()):
                return FeedPush(
                    feed.feed_id,
                    "locked",
                    (),
                    0,
                    0,
                    time.monotonic() - started,
                    str(exc),
                )
            log.debug("feed %s is being published elsewhere; waiting", feed.feed_id)
            if stop is not None:
                stop.wait(_LOCK_RETRY_SECONDS)
            else:
                time.sleep(_LOCK_RETRY_SECONDS)
        except SyndicationError as exc:
            log.error("publishing feed %s failed: %s", feed.feed_id, exc)
            return FeedPush(
                feed.feed_id, "failed", (), 0, 0, time.monotonic() - started, str(exc)
            )


def _publish(
    settings: Settings,
    store: Store,
    feed: FeedDefinition,
    trigger: str,
    started: float,
    shared: Publisher | None,
    face: bool,
) -> FeedPush:
    from syndication.publish import Publisher

    publisher = shared or Publisher(settings, store)
    try:
        result = publisher.publish_feed(
            feed, trigger=trigger, raise_locked=True, face=face
        )
        urls: tuple[str, ...] = ()
        if result.written:
            target = publisher.destination(feed.destination or None)
            urls = tuple(target.url(key) for key in result.written)
    finally:
        if shared is None:
            publisher.close()
    return FeedPush(
        feed.feed_id,
        "ok" if result.is_ok else result.outcome,
        urls,
        len(result.written),
        result.skipped,
        time.monotonic() - started,
        result.error,
        result.quarantined,
        result,
    )


def _set_urgency(
    store: Store, latest: Version, urgency: int, now: datetime
) -> tuple[Version, bool]:
    if not 1 <= urgency <= 9:
        raise InputError(f"urgency must be 1 (most urgent) to 9, got {urgency}")
    if latest.urgency == urgency:
        return latest, False
    candidate = replace(latest, urgency=urgency, version=0, version_created=now)
    result = store.append(candidate)
    return store.get(latest.guid, result.version), result.created


def describe_feeds(feeds: Sequence[FeedDefinition]) -> str:
    """``a, b, c`` (or ``none``) for log lines."""
    return ", ".join(f.feed_id for f in feeds) or "none"
