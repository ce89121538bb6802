"""Repair: make a feed's folder at its destination match the ledger again.

The steps, after :mod:`syndication.verify` found drift:

1. a replay folder with a missing or altered document is replayed again, with
   force, as of the moment its name records;
2. the feed is published with force (:meth:`Publisher.publish_feed`), when its
   own documents are missing, altered or must be withdrawn: every document of
   its current edition is rendered, checked and rewritten, and what may no
   longer be public is withdrawn, indexes first, as any publish does;
3. under the feed's lock, what is still different is settled: an item
   document of an earlier edition, missing or altered, is rendered again from
   the store (an item's bytes depend only on its version, the feed's credit
   and the agency); an unexpected key, a key that must be withdrawn and an
   altered document no edition of the feed writes any more are removed; a
   missing document no edition writes any more is recorded as gone.

Every step is a run in the ledger with trigger ``verify``; the last step's run
has the outcome ``repaired``, so it never stands for a published edition.

A destination's shared items folder (:func:`repair_shared`) is settled the same
way as the last step, holding the lock of every feed there (they all write
into it), each key in a run of the feed whose ledger row it is: a missing or
altered item document is rendered again with that feed's credit, and one
that cannot be is removed or recorded as gone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from syndication.articles.model import PubStatus
from syndication.destinations.base import Destination, join_key
from syndication.errors import NotFound, SyndicationError
from syndication.feeds import FeedDefinition
from syndication.publish import FeedResult, Publisher, _cache_control
from syndication.render.base import Document, Item
from syndication.shared_items import full_key, placed
from syndication.store.base import DocumentRecord
from syndication.verify import (
    TRIGGER,
    Drift,
    DriftKind,
    FeedScope,
    FeedVerification,
    SharedScope,
    check_feed,
    check_shared,
)
from syndication.withdraw import ITEM_KEY, REPLAY_FOLDER, item_guids

log = logging.getLogger(__name__)

REPLAY_STAMP = "%Y%m%dT%H%M%SZ"
_REWRITE = {DriftKind.MISSING, DriftKind.ALTERED}


def repair_feed(
    publisher: Publisher, scope: FeedScope, found: FeedVerification
) -> FeedVerification:
    """Repair the drift in ``found`` (see the module's steps); the result says
    what was done and, checked again under the feed's lock, what is left.
    Raises SyndicationError (LockHeld, StoreError, DestinationError)."""
    from syndication.locks import feed_lock

    result = found
    feed, target = scope.feed, scope.destination
    publishes: list[FeedResult] = []
    for folder, moment in _damaged_replays(scope, found.found):
        publishes.append(
            publisher.publish_feed(
                feed,
                at=moment,
                destination=target,
                trigger=TRIGGER,
                prefix=folder,
                force=True,
            )
        )
    if any(
        d.kind is not DriftKind.UNEXPECTED and _replay_folder(scope, d.key) is None
        for d in found.found
    ):
        publishes.append(
            publisher.publish_feed(
                feed, destination=target, trigger=TRIGGER, force=True
            )
        )
    for published in publishes:
        result = replace(
            result,
            rewritten=(*result.rewritten, *published.written),
            removed=(*result.removed, *published.withdrawn),
            runs=(*result.runs, *([published.run_id] if published.run_id else [])),
        )
        if not published.is_ok:
            # What a failed publish meant to rewrite must not be settled as lost.
            return replace(
                result, error=f"force publish {published.outcome}: {published.error}"
            )
    store = publisher.store
    with feed_lock(
        store, feed.feed_id, timeout=publisher.settings.lock_timeout_seconds
    ):
        left = check_feed(store, scope, datetime.now(UTC))
        if left.drift:
            result = _settle(
                publisher, _Place.of(scope), feed.feed_id, feed, left.drift, result
            )
            left = check_feed(store, scope, datetime.now(UTC))
    for drift in left.drift:
        log.error(
            "feed %s: not repaired: %s %s", feed.feed_id, drift.kind.value, drift.key
        )
    return replace(result, remaining=left.drift, heads=result.heads + left.heads)


def repair_shared(
    publisher: Publisher, scope: SharedScope, found: FeedVerification
) -> FeedVerification:
    """Repair the drift in a destination's shared items folder (see the
    module's last paragraph); checked again under the locks, what is left.
    Raises SyndicationError (LockHeld, StoreError, DestinationError)."""
    from contextlib import ExitStack

    from syndication.locks import feed_lock

    store, target = publisher.store, scope.destination
    feeds = {feed.feed_id: feed for feed in scope.feeds}
    result = found
    with ExitStack() as held:
        for feed in scope.feeds:  # in id order, as no run takes two
            held.enter_context(
                feed_lock(
                    store,
                    feed.feed_id,
                    timeout=publisher.settings.lock_timeout_seconds,
                )
            )
        records = store.folder_documents(target.name, scope.prefix)
        left = check_shared(store, scope, datetime.now(UTC), records)
        owners: dict[str, list[Drift]] = {}
        for drift in left.drift:
            record = records.get(drift.key)
            owner = record.feed_id if record else ""
            if not owner and scope.feeds:
                owner = scope.feeds[0].feed_id
            owners.setdefault(owner, []).append(drift)
        place = _Place(target)
        for owner, owned in sorted(owners.items()):
            result = _settle(publisher, place, owner, feeds.get(owner), owned, result)
        left = check_shared(store, scope, datetime.now(UTC))
    for drift in left.drift:
        log.error(
            "shared items at %s: not repaired: %s %s",
            target.name,
            drift.kind.value,
            drift.key,
        )
    return replace(result, remaining=left.drift, heads=result.heads + left.heads)


@dataclass(frozen=True)
class _Place:
    """Where a settlement happens: a feed's folder (``scope``), or a
    destination's shared items folder (no scope; keys from its root)."""

    destination: Destination
    prefix: str = ""
    scope: FeedScope | None = None

    @classmethod
    def of(cls, scope: FeedScope) -> _Place:
        return cls(scope.destination, scope.prefix, scope)

    @property
    def shared(self) -> bool:
        return self.scope is None

    def replay_folder(self, key: str) -> str | None:
        return None if self.scope is None else _replay_folder(self.scope, key)

    def item_part(self, key: str) -> str:
        """``key`` relative to the place (what ITEM_KEY matches)."""
        return key[len(self.prefix) + 1 :] if self.prefix else key


def _damaged_replays(
    scope: FeedScope, drift: Sequence[Drift]
) -> list[tuple[str, datetime]]:
    """Replay folders holding a missing or altered document, with the moment
    each replays (from its name; a folder whose name is no such moment is left
    to the last step)."""
    folders: dict[str, datetime] = {}
    for d in drift:
        folder = _replay_folder(scope, d.key)
        if d.kind in _REWRITE and folder is not None and folder not in folders:
            try:
                stamp = datetime.strptime(folder.rsplit("/", 1)[1], REPLAY_STAMP)
            except ValueError:
                continue
            folders[folder] = stamp.replace(tzinfo=UTC)
    return sorted(folders.items())


def _replay_folder(scope: FeedScope, key: str) -> str | None:
    parts = key[len(scope.prefix) + 1 :].split("/")
    if parts[0] == REPLAY_FOLDER and len(parts) > 2:
        return join_key(scope.prefix, REPLAY_FOLDER, parts[1])
    return None


def _settle(
    publisher: Publisher,
    place: _Place,
    feed_id: str,
    feed: FeedDefinition | None,
    drift: Sequence[Drift],
    result: FeedVerification,
) -> FeedVerification:
    """The last step, under the feed's lock (``feed``: its definition, None
    when it is no longer defined): restore earlier items, remove what is not
    ours or may not be public, record what is lost; one run."""
    store, target = publisher.store, place.destination
    now = datetime.now(UTC)
    prefix = place.prefix if place.scope else (feed.prefix if feed else "")
    run_id = store.start_run(feed_id, target.name, now, TRIGGER, prefix)
    records: list[DocumentRecord] = []

    def record(key: str, note: str) -> DocumentRecord:
        return DocumentRecord(
            run_id, feed_id, key, "", 0, "", now, action="withdrawn", note=note
        )

    restorable = {
        d.key
        for d in drift
        if feed is not None
        and d.kind in _REWRITE
        and place.replay_folder(d.key) is None
        and ITEM_KEY.match(place.item_part(d.key))
    }
    # A restorable item that cannot be rendered again is left as it is.
    removals = [
        d for d in drift if d.kind is not DriftKind.MISSING and d.key not in restorable
    ]
    lost = [d for d in drift if d.kind is DriftKind.MISSING and d.key not in restorable]
    restored: list[str] = []
    try:
        # Restorable only with the feed's definition (see above).
        restored_items = (
            _render_items(publisher, place, feed, sorted(restorable)) if feed else []
        )
        for key, document in restored_items:
            put = target.put(
                key,
                document.body,
                content_type=document.content_type,
                cache_control=_cache_control(target, False)
                or publisher.settings.cache_control_item,
                sha256=document.sha256,
            )
            restored.append(key)
            records.append(
                DocumentRecord(
                    run_id, feed_id, key, document.sha256, put.size, put.etag, now
                )
            )
        target.delete([d.key for d in removals])
    except SyndicationError as exc:
        store.record_documents(records)
        store.finish_run(
            run_id,
            finished=datetime.now(UTC),
            outcome="failed",
            written=len(restored),
            skipped=0,
            failed=len(removals),
            items=0,
            error=str(exc),
        )
        raise
    records += [record(d.key, _removal_note(d)) for d in removals]
    records += [
        record(
            d.key,
            "missing at the destination and written by no current edition of "
            "the feed: recorded as gone by verify",
        )
        for d in lost
    ]
    store.record_documents(records)
    store.finish_run(
        run_id,
        finished=datetime.now(UTC),
        outcome="repaired",
        written=len(restored),
        skipped=0,
        failed=0,
        items=0,
    )
    for d in removals:
        log.info("feed %s: removed %s (%s)", feed_id, d.key, d.kind.value)
    return replace(
        result,
        rewritten=(*result.rewritten, *restored),
        removed=(*result.removed, *(d.key for d in removals)),
        recorded=(*result.recorded, *(d.key for d in lost)),
        runs=(*result.runs, run_id),
    )


def _removal_note(drift: Drift) -> str:
    if drift.kind is DriftKind.MUST_WITHDRAW:
        return drift.detail
    if drift.kind is DriftKind.UNEXPECTED:
        return "unexpected: not published by syndication; removed by verify"
    return (
        "altered at the destination and written by no current edition of the "
        "feed: removed by verify"
    )


def _render_items(
    publisher: Publisher, place: _Place, feed: FeedDefinition, keys: Sequence[str]
) -> list[tuple[str, Document]]:
    """The item documents at ``keys`` rendered again from the store and
    checked by the gate; those that cannot be (no such version, refused) are
    logged and left out."""
    if not keys:
        return []
    from syndication.credit import make_item
    from syndication.render.base import Edition

    agency = publisher.settings.agency
    items: list[Item] = []
    canceled: list[Item] = []
    found: list[tuple[str, str, int]] = []
    for key in keys:
        match = ITEM_KEY.match(place.item_part(key))
        assert match is not None  # chosen by the caller
        found.append((key, match.group(1), int(match.group(2))))
    names = item_guids(publisher.store, [segment for _, segment, _ in found])
    for key, segment, number in found:
        try:
            version = publisher.store.get(names[segment], number)
        except (KeyError, NotFound):
            log.error("feed %s: cannot restore %s: not in the store", feed.feed_id, key)
            continue
        item = make_item(version, feed, agency)
        (canceled if version.status is PubStatus.CANCELED else items).append(item)
    edition = Edition(
        feed=replace(feed, formats=("newsml", "ninjs")),  # the item formats
        agency=agency,
        at=datetime.now(UTC),
        items=tuple(items),
        canceled=tuple(canceled),
    )
    wanted = set(keys)
    documents = [
        (full_key(place.prefix, d), d)
        for d in placed(publisher.render(edition), place.shared)
        if not d.is_index and full_key(place.prefix, d) in wanted
    ]
    report = publisher.gate.check([d for _, d in documents], edition)
    if not report.ok:
        for problem in report.problems:
            log.error("feed %s: cannot restore: %s", feed.feed_id, problem)
        return []
    return documents
