"""Write a destination's face after its feeds: list → render → check → write.

Called by the publisher once the feeds of a run are written (see
:meth:`syndication.publish.Publisher.publish_all`), for each destination where
something was written or withdrawn. The documents are checked by the gate; an
invalid one writes nothing. A document whose bytes are already at the
destination is skipped (its SHA-256 as the destination keeps it, one request
per document), as the publisher skips unchanged feed documents. The OPML file
goes first, then the page that links to it. Refreshes of one destination are
serialized within the process, so the last one written read the ledger last.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from syndication.config import Settings
from syndication.destinations.base import Destination
from syndication.errors import DestinationError, SyndicationError
from syndication.face import opml, page
from syndication.face.listing import Listing, build_listing
from syndication.feeds import FeedDefinition
from syndication.publish import FeedResult
from syndication.render.base import Document
from syndication.store.base import Store
from syndication.validate.report import Problem

log = logging.getLogger(__name__)

# The names the face takes at a destination's root (feed_paths keeps feeds off
# them).
ROOT_NAMES = (page.FILE_NAME, opml.FILE_NAME)

_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


class FaceOutcome(Enum):
    """What refreshing one destination's face did."""

    WRITTEN = "written"  # at least one document written
    UNCHANGED = "unchanged"  # the destination already held these bytes
    EMPTY = "empty"  # no feed published there yet: nothing to show
    INVALID = "invalid"  # refused by the gate: nothing written
    FAILED = "failed"  # the store or the destination failed


@dataclass(frozen=True)
class FaceResult:
    destination: str
    outcome: FaceOutcome
    written: tuple[str, ...] = ()
    feeds: int = 0
    error: str = ""
    problems: tuple[Problem, ...] = ()

    @property
    def is_ok(self) -> bool:
        return self.outcome not in (FaceOutcome.INVALID, FaceOutcome.FAILED)


@dataclass(frozen=True)
class FaceTarget:
    """A destination whose face to refresh, with the feeds it may list (those
    defined for it and those just published to it)."""

    destination: Destination
    feeds: tuple[FeedDefinition, ...]
    cache_control: str


def face_documents(listing: Listing) -> list[Document]:
    """The OPML list (when any feed has RSS or Atom), then the page."""
    documents = []
    subscriptions = opml.render_opml(listing)
    if subscriptions is not None:
        documents.append(
            _document(opml.FILE_NAME, opml.FORMAT, opml.CONTENT_TYPE, subscriptions)
        )
    shown = page.render_page(listing, opml.FILE_NAME if subscriptions else None)
    documents.append(_document(page.FILE_NAME, page.FORMAT, page.CONTENT_TYPE, shown))
    return documents


def refresh_face(
    target: FaceTarget, store: Store, settings: Settings, gate: Any
) -> FaceResult:
    """List, render, check and write ``target``'s face. Never raises a
    SyndicationError: a failure is the result's (and logged)."""
    name = target.destination.name
    with _lock(name):
        try:
            listing = build_listing(
                target.destination, target.feeds, store, settings.agency
            )
            if not listing.feeds:
                return FaceResult(name, FaceOutcome.EMPTY)
            documents = face_documents(listing)
            report = gate.check_face(documents)
            if not report.ok:
                for problem in report.problems:
                    log.error("destination %s: face refused: %s", name, problem)
                return FaceResult(
                    name,
                    FaceOutcome.INVALID,
                    feeds=len(listing.feeds),
                    error=f"face refused: {report.summary()}; nothing written",
                    problems=report.problems,
                )
            written = _write(target, documents)
        except SyndicationError as exc:
            log.error("destination %s: face not written: %s", name, exc)
            return FaceResult(name, FaceOutcome.FAILED, error=str(exc))
    if written:
        log.info("destination %s: face written: %s", name, ", ".join(written))
    outcome = FaceOutcome.WRITTEN if written else FaceOutcome.UNCHANGED
    return FaceResult(name, outcome, tuple(written), len(listing.feeds))


def refresh_after_run(
    settings: Settings,
    store: Store,
    gate: Any,
    runs: Sequence[tuple[Destination, FeedDefinition, FeedResult]],
    *,
    check_missing: bool,
    cache_control: Callable[[Destination], str],
) -> tuple[FaceResult, ...]:
    """After a run's feeds (each with its destination and result): refresh
    the face of every destination where a feed run succeeded and wrote or
    withdrew something, and, with ``check_missing``, of every other one whose
    page is missing (a destination that cannot say is refreshed, and the
    refresh reports the failure)."""
    by_name: dict[str, list[tuple[Destination, FeedDefinition]]] = {}
    changed: set[str] = set()
    for target, feed, result in runs:
        by_name.setdefault(target.name, []).append((target, feed))
        if result.is_ok and (result.written or result.withdrawn):
            changed.add(target.name)
    for name, found in by_name.items():
        if check_missing and name not in changed:
            try:
                if found[0][0].missing([page.FILE_NAME]):
                    changed.add(name)
            except SyndicationError:
                changed.add(name)
    chosen = [
        pair for name, pairs in by_name.items() if name in changed for pair in pairs
    ]
    if not chosen:
        return ()
    return tuple(
        refresh_face(target, store, settings, gate)
        for target in face_targets(settings, chosen, cache_control)
    )


def face_targets(
    settings: Settings,
    published: Sequence[tuple[Destination, FeedDefinition]],
    cache_control: Callable[[Destination], str],
) -> list[FaceTarget]:
    """One target per destination in ``published`` (destination, feed pairs),
    listing the feeds the site defines for it (read from the feeds folder; a
    folder that cannot be read leaves the published ones) and those
    published to it. ``cache_control(destination)`` is its index policy."""
    from syndication.feeds import load_site_feeds

    try:
        defined = list(load_site_feeds(settings).feeds.values())
    except SyndicationError as exc:
        log.warning("face: feed definitions not read: %s", exc)
        defined = []
    by_name: dict[str, tuple[Destination, dict[str, FeedDefinition]]] = {}
    for destination, feed in published:
        by_name.setdefault(destination.name, (destination, {}))[1][feed.feed_id] = feed
    targets = []
    for name, (destination, feeds) in by_name.items():
        own = {
            feed.feed_id: feed
            for feed in defined
            if (feed.destination or settings.default_destination) == name
        }
        own.update(feeds)
        targets.append(
            FaceTarget(destination, tuple(own.values()), cache_control(destination))
        )
    return targets


def _write(target: FaceTarget, documents: Sequence[Document]) -> list[str]:
    destination = target.destination
    written = []
    for document in documents:
        if _stored(destination, document.key) == document.sha256:
            continue
        destination.put(
            document.key,
            document.body,
            content_type=document.content_type,
            cache_control=target.cache_control,
            sha256=document.sha256,
        )
        written.append(document.key)
    return written


def _stored(destination: Destination, key: str) -> str:
    """The SHA-256 the destination keeps for ``key``; "" when it holds nothing
    (or cannot say, and the write then tells)."""
    try:
        return destination.stored_sha256(key)
    except DestinationError:
        return ""


def _document(key: str, fmt: str, content_type: str, body: bytes) -> Document:
    return Document(
        feed_id="", key=key, format=fmt, content_type=content_type, body=body
    )


def _lock(name: str) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(name, threading.Lock())
