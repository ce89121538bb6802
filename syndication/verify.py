"""Verify: does each feed's folder at its destination match the ledger?

One listing per feed (:meth:`Destination.inventory`) is compared with what the
ledger says is published there (:meth:`Store.published_documents`): every key,
its size and its SHA-256 — a folder's own hash; for S3 the ETag when it equals
the one the ledger recorded (the MD5 of the very bytes written), else the
object's ``sha256`` metadata with one HEAD request. What differs is drift:

- ``missing``: published according to the ledger, not at the destination;
- ``altered``: at the destination with other bytes than the ledger's;
- ``unexpected``: at the destination, not in the ledger as published (a file
  someone dropped there);
- ``must-withdraw``: may no longer be public (see :mod:`syndication.withdraw`).

A missing document that must be withdrawn anyway is no drift. Keys inside
another feed's folder are that feed's; keys outside every feed's folder are
never looked at, but for a destination's shared items folder (see
:mod:`syndication.shared_items`): one more listing per destination that
shares item documents (or holds any), compared with the ledger's latest row
of each key there, whichever feed wrote it, reported as a result of its own
(``feed_id`` ""). Repairing is :mod:`syndication.repair`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING

from syndication.config import Settings
from syndication.destinations.base import Destination, StoredObject
from syndication.errors import SyndicationError
from syndication.feeds import FeedDefinition
from syndication.store.base import DocumentRecord, Store

if TYPE_CHECKING:
    from syndication.publish import Publisher

log = logging.getLogger(__name__)

# The ledger's trigger of every run a repair makes.
TRIGGER = "verify"


class DriftKind(Enum):
    """How a key at a destination differs from the ledger."""

    MISSING = "missing"
    ALTERED = "altered"
    UNEXPECTED = "unexpected"
    MUST_WITHDRAW = "must-withdraw"


class VerifyOutcome(Enum):
    """What verifying one feed came to."""

    CLEAN = "clean"  # the destination matches the ledger
    DRIFT = "drift"  # drift found and (some of it) left
    REPAIRED = "repaired"  # drift found and all of it repaired
    FAILED = "failed"  # the check or the repair could not finish


@dataclass(frozen=True)
class Drift:
    """One key that differs, and how (``detail`` for people and the JSON)."""

    kind: DriftKind
    key: str
    detail: str


@dataclass(frozen=True)
class FeedScope:
    """A feed's folder at its destination. ``nested`` are the folders of other
    feeds inside it (left to them); ``sharing`` the feeds whose folders
    overlap it, whose published keys are never unexpected here."""

    feed: FeedDefinition
    destination: Destination
    nested: tuple[str, ...] = ()
    sharing: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return self.feed.prefix

    def owns(self, key: str) -> bool:
        """Whether ``key`` is this feed's to check."""
        return _inside(key, self.prefix) and not any(
            _inside(key, folder) for folder in self.nested
        )


@dataclass(frozen=True)
class SharedScope:
    """A destination's shared items folder and the feeds there (sorted by
    id), whose ledger rows say what it should hold."""

    destination: Destination
    feeds: tuple[FeedDefinition, ...]

    @property
    def prefix(self) -> str:
        from syndication.shared_items import SHARED_FOLDER

        return SHARED_FOLDER


@dataclass(frozen=True)
class FeedCheck:
    """One comparison of a feed's folder with the ledger: ``objects`` keys at
    the destination, ``documents`` in the ledger, ``heads`` extra requests."""

    feed_id: str
    destination: str
    prefix: str
    objects: int
    documents: int
    drift: tuple[Drift, ...]
    heads: int = 0


@dataclass(frozen=True)
class FeedVerification:
    """Verifying (and perhaps repairing) one feed. ``found`` is the drift the
    first check saw, ``remaining`` what is left (all of it without a repair).
    A repair lists what it ``rewrote`` (force-published or re-rendered),
    ``removed`` (deleted) and ``recorded`` (lost documents it could not
    rewrite, recorded as gone), and the ledger ``runs`` it made."""

    feed_id: str
    destination: str
    prefix: str = ""
    found: tuple[Drift, ...] = ()
    remaining: tuple[Drift, ...] = ()
    rewritten: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    recorded: tuple[str, ...] = ()
    runs: tuple[int, ...] = ()
    objects: int = 0
    heads: int = 0
    error: str = ""
    elapsed: float = 0.0

    @property
    def outcome(self) -> VerifyOutcome:
        if self.error:
            return VerifyOutcome.FAILED
        if self.remaining:
            return VerifyOutcome.DRIFT
        return VerifyOutcome.REPAIRED if self.found else VerifyOutcome.CLEAN


@dataclass(frozen=True)
class VerifyReport:
    results: tuple[FeedVerification, ...] = ()

    @property
    def found(self) -> int:
        return sum(len(r.found) for r in self.results)

    @property
    def remaining(self) -> int:
        return sum(len(r.remaining) for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when every feed matches its ledger (after any repair), else 1."""
        clean = {VerifyOutcome.CLEAN, VerifyOutcome.REPAIRED}
        return 0 if all(r.outcome in clean for r in self.results) else 1

    def line(self) -> str:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
        detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        shared = sum(1 for r in self.results if not r.feed_id)
        folders = f" and {shared} shared items folder(s)" if shared else ""
        return (
            f"{len(self.results) - shared} feed(s){folders} ({detail or 'none'}): "
            f"{self.found} drift found, {self.remaining} remaining"
        )


def verify_feeds(
    publisher: Publisher,
    feeds: Sequence[FeedDefinition],
    *,
    every_feed: Sequence[FeedDefinition] = (),
    repair: bool = False,
    on_result: Callable[[FeedVerification], None] | None = None,
) -> VerifyReport:
    """Compare each of ``feeds`` with the ledger at its own destination and,
    with ``repair``, repair what differs (see :mod:`syndication.repair`).

    ``every_feed`` is every defined feed (default: ``feeds``), so a feed's
    check leaves alone what lies in another feed's folder. One feed's failure
    never stops the others: it is reported in its result.
    """
    scopes = feed_scopes(publisher, feeds, every_feed or feeds)
    results = []
    for scope in scopes:
        result = _verify_one(publisher, scope, repair=repair)
        results.append(result)
        if on_result is not None:
            on_result(result)
    for shared in shared_scopes(publisher, scopes, every_feed or feeds):
        results.append(_verify_shared(publisher, shared, repair=repair))
    return VerifyReport(tuple(results))


def verify_site(
    settings: Settings,
    store: Store,
    feeds: Sequence[FeedDefinition],
    *,
    repair: bool,
) -> VerifyReport:
    """:func:`verify_feeds` for every feed of a site, logging each drift found
    and whether it was repaired, then a summary (the scheduler's job)."""
    from syndication.publish import Publisher

    log.info("verifying %d feed(s)%s", len(feeds), " with repair" * repair)
    publisher = Publisher(settings, store)
    try:
        report = verify_feeds(publisher, feeds, repair=repair)
    finally:
        publisher.close()
    repaired = 0
    for result in report.results:
        fixed = result.outcome is VerifyOutcome.REPAIRED
        repaired += len(result.found) if fixed else 0
        for drift in result.found:
            log.warning(
                "%s: %s %s (%s): %s",
                f"feed {result.feed_id}" if result.feed_id else "shared items",
                drift.kind.value,
                drift.key,
                drift.detail,
                "repaired" if fixed or drift not in result.remaining else "left",
            )
    log.info(
        "verified %d feed(s): %d drift found, %d repaired, %d remaining",
        len(report.results),
        report.found,
        repaired,
        report.remaining,
    )
    return report


def _verify_one(
    publisher: Publisher, scope: FeedScope, *, repair: bool
) -> FeedVerification:
    from syndication.repair import repair_feed

    return _verified(
        FeedVerification(scope.feed.feed_id, scope.destination.name, scope.prefix),
        f"feed {scope.feed.feed_id}",
        lambda now: check_feed(publisher.store, scope, now),
        (lambda found: repair_feed(publisher, scope, found)) if repair else None,
    )


def _verify_shared(
    publisher: Publisher, scope: SharedScope, *, repair: bool
) -> FeedVerification:
    from syndication.repair import repair_shared

    name = scope.destination.name
    return _verified(
        FeedVerification("", name, scope.prefix),
        f"shared items at {name}",
        lambda now: check_shared(publisher.store, scope, now),
        (lambda found: repair_shared(publisher, scope, found)) if repair else None,
    )


def _verified(
    result: FeedVerification,
    label: str,
    check: Callable[[datetime], FeedCheck],
    repairer: Callable[[FeedVerification], FeedVerification] | None,
) -> FeedVerification:
    """One check (as of now) and, with a ``repairer``, the repair of the
    drift it found; a failure is the result's error, never raised."""
    started = time.monotonic()
    try:
        found = check(datetime.now(UTC))
        result = replace(
            result,
            found=found.drift,
            remaining=found.drift,
            objects=found.objects,
            heads=found.heads,
        )
        if repairer is not None and found.drift:
            result = repairer(result)
    except SyndicationError as exc:
        log.error("%s: verification failed: %s", label, exc)
        result = replace(result, error=str(exc))
    return replace(result, elapsed=time.monotonic() - started)


def shared_scopes(
    publisher: Publisher,
    scopes: Sequence[FeedScope],
    every_feed: Sequence[FeedDefinition],
) -> list[SharedScope]:
    """The shared items folder of each destination the verified feeds are at,
    where the destination shares item documents or the ledger shows any
    there (one it held before it turned private)."""
    default = publisher.settings.default_destination
    found: list[SharedScope] = []
    seen: set[str] = set()
    for scope in scopes:
        target = scope.destination
        if target.name in seen:
            continue
        seen.add(target.name)
        there = tuple(
            sorted(
                (f for f in every_feed if (f.destination or default) == target.name),
                key=lambda f: f.feed_id,
            )
        )
        shared = SharedScope(target, there)
        if target.shared_items or publisher.store.folder_documents(
            target.name, shared.prefix
        ):
            found.append(shared)
    return found


def check_shared(
    store: Store,
    scope: SharedScope,
    now: datetime,
    records: dict[str, DocumentRecord] | None = None,
) -> FeedCheck:
    """Compare a destination's shared items folder with the ledger as of
    ``now``, like :func:`check_feed` (``records``: the ledger's rows there,
    when the caller has just read them). Raises StoreError or
    DestinationError."""
    target, folder = scope.destination, scope.prefix
    if records is None:
        records = store.folder_documents(target.name, folder)
    objects = target.inventory(folder)
    return _compare(
        store, target, "", folder, records, objects, set(), now, plan_prefix=""
    )


def feed_scopes(
    publisher: Publisher,
    feeds: Sequence[FeedDefinition],
    every_feed: Sequence[FeedDefinition],
) -> list[FeedScope]:
    """Each feed's folder at its own destination, and its neighbours there."""
    default = publisher.settings.default_destination
    scopes = []
    for feed in feeds:
        where = feed.destination or default
        others = [
            other
            for other in every_feed
            if other.feed_id != feed.feed_id and (other.destination or default) == where
        ]
        nested = tuple(
            o.prefix
            for o in others
            if o.prefix != feed.prefix and _inside(o.prefix, feed.prefix)
        )
        sharing = tuple(
            o.feed_id
            for o in others
            if _inside(o.prefix, feed.prefix) or _inside(feed.prefix, o.prefix)
        )
        scopes.append(FeedScope(feed, publisher.destination(where), nested, sharing))
    return scopes


def check_feed(store: Store, scope: FeedScope, now: datetime) -> FeedCheck:
    """Compare a feed's folder with the ledger as of ``now`` (the real current
    time: what must be withdrawn is decided as of it). Raises StoreError or
    DestinationError."""
    target, prefix = scope.destination, scope.prefix
    records = {
        key: record
        for key, record in store.published_documents(
            scope.feed.feed_id, target.name
        ).items()
        if scope.owns(key)
    }
    objects = {
        key: stored
        for key, stored in target.inventory(prefix).items()
        if scope.owns(key)
    }
    others: set[str] = set()
    for feed_id in scope.sharing:
        others.update(store.published(feed_id, target.name))
    return _compare(
        store, target, scope.feed.feed_id, prefix, records, objects, others, now
    )


def _compare(
    store: Store,
    target: Destination,
    feed_id: str,
    prefix: str,
    records: dict[str, DocumentRecord],
    objects: dict[str, StoredObject],
    others: set[str],
    now: datetime,
    *,
    plan_prefix: str | None = None,
) -> FeedCheck:
    """The drift between ``objects`` (what the destination holds under
    ``prefix``) and ``records`` (what the ledger says is published there);
    ``others``: keys other feeds published, never unexpected here."""
    from syndication.withdraw import plan_withdrawals

    keys = sorted(objects.keys() | records.keys())
    where = prefix if plan_prefix is None else plan_prefix
    plan = {
        w.key: w.reason for w in plan_withdrawals(store, target.name, where, keys, now)
    }
    drift: list[Drift] = []
    heads = 0
    for key, stored in sorted(objects.items()):
        record = records.get(key)
        if key in plan:
            drift.append(Drift(DriftKind.MUST_WITHDRAW, key, plan[key]))
        elif record is None:
            if key not in others:
                drift.append(
                    Drift(DriftKind.UNEXPECTED, key, "not in the ledger as published")
                )
        else:
            difference, asked = _difference(target, stored, record)
            heads += asked
            if difference:
                drift.append(Drift(DriftKind.ALTERED, key, difference))
    for key in sorted(records.keys() - objects.keys() - plan.keys()):
        drift.append(
            Drift(DriftKind.MISSING, key, "in the ledger, not at the destination")
        )
    return FeedCheck(
        feed_id,
        target.name,
        prefix,
        len(objects),
        len(records),
        tuple(sorted(drift, key=lambda d: d.key)),
        heads,
    )


def _difference(
    target: Destination, stored: StoredObject, record: DocumentRecord
) -> tuple[str, int]:
    """How ``stored`` differs from what the ledger recorded ("" when it holds
    the very bytes), and how many requests it took to tell (0 or 1)."""
    if stored.size != record.size:
        return (
            f"{stored.size} bytes at the destination, {record.size} in the ledger",
            0,
        )
    if stored.sha256:
        return _sha_difference(stored.sha256, record.sha256, "the destination"), 0
    if record.etag and stored.fingerprint == record.etag:
        return "", 0  # the ETag the very bytes written got back
    kept = target.stored_sha256(stored.key)
    if not kept:
        return "no sha256 metadata, and not the ETag the ledger recorded", 1
    return _sha_difference(kept, record.sha256, "its metadata"), 1


def _sha_difference(found: str, recorded: str, where: str) -> str:
    if found == recorded:
        return ""
    return f"SHA-256 {found[:12]}… in {where}, {recorded[:12]}… in the ledger"


def _inside(key: str, folder: str) -> bool:
    return key == folder or key.startswith(folder + "/")
