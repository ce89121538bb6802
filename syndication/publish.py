"""Publish one feed: select → render → validate → write items, then indexes → ledger.

Nothing invalid is ever written: every document of a feed is checked before the
first byte goes out, and a feed with any failing document is not written at all
(its previous published version stays). Documents that others reference (the
per-version NewsML-G2 items) are written before the indexes that reference them,
so a partner never sees a feed pointing at a missing object. A document whose
bytes are already at the destination is skipped (one listing per feed). If the
destination fails part-way, the indexes are not replaced and the next publish
completes the work. Every run and every written document goes to the ledger.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from syndication.archive_memo import ArchiveMemos
from syndication.config import Agency, Settings
from syndication.definitions import small_number
from syndication.destinations.base import (
    Destination,
    PutResult,
    encode_segment,
    join_key,
)
from syndication.digest import json_digest
from syndication.errors import (
    DestinationError,
    LockHeld,
    SyndicationError,
    ValidationFailed,
)
from syndication.feeds import FeedDefinition
from syndication.quarantine import QUARANTINE_NOTE, QuarantinedItem, isolate, note
from syndication.render.base import Document, Edition, History, Item
from syndication.select_memo import SelectionMemos
from syndication.shared_items import (
    MOVED,
    SHARED_FOLDER,
    SharedWrites,
    full_key,
    kept_shared,
    listing,
    placed,
)
from syndication.store.base import (
    Carrier,
    DocumentRecord,
    RunRecord,
    Store,
    Touching,
)
from syndication.withdraw import CheckedKeys

if TYPE_CHECKING:
    from syndication.archive import ArchivePlan
    from syndication.archive_build import ArchiveDocuments
    from syndication.face.publish import FaceResult
    from syndication.select import SelectedRefs

log = logging.getLogger(__name__)

INDEX_FILES = {
    "rss": "rss.xml",
    "atom": "atom.xml",
    "newsml": "newsml.xml",
    "ninjs": "ninjs.json",
}
# The formats with one document per item, and their item keys' endings.
ITEM_SUFFIXES = {"newsml": ".xml", "ninjs": ".json"}
# Pauses between the attempts at writing one index (three attempts).
INDEX_RETRY_PAUSES = (0.2, 1.0, 0.0)

RenderFunction = Callable[[Edition], list[Document]]

# Who hears of every finished feed run in this context, besides the log (the
# scheduler's metrics set it around each of its publishes); None: nobody.
run_observer: ContextVar[Callable[[FeedResult], None] | None] = ContextVar(
    "run_observer", default=None
)


# Versions stored since a feed's last run that the quick check reads at once
# for every feed; beyond it, it asks the store feed by feed.
_TOUCHING_LIMIT = 500


@dataclass(frozen=True)
class FeedResult:
    """What publishing one feed did. ``outcome`` is one of ``published``,
    ``unchanged``, ``invalid`` (refused by validation, nothing written),
    ``failed`` (the destination or store failed; the error says which
    indexes, if any, were replaced),
    ``locked`` or ``dry-run``."""

    feed_id: str
    destination: str
    outcome: str
    written: tuple[str, ...] = ()
    would_write: tuple[str, ...] = ()
    skipped: int = 0
    failed: int = 0
    items: int = 0
    run_id: int | None = None
    error: str = ""
    report: Any = None
    urls: tuple[str, ...] = ()
    elapsed: float = 0.0
    rendered: bool = True
    withdrawn: tuple[str, ...] = ()
    quarantined: tuple[str, ...] = ()

    @property
    def is_ok(self) -> bool:
        return self.outcome in {"published", "unchanged", "dry-run"}


@dataclass(frozen=True)
class PublishSummary:
    """The feeds' results, and each destination's face written after them
    (see :mod:`syndication.face`)."""

    results: tuple[FeedResult, ...] = field(default_factory=tuple)
    faces: tuple[FaceResult, ...] = ()

    @property
    def written(self) -> int:
        return sum(len(r.written) for r in self.results)

    @property
    def skipped(self) -> int:
        return sum(r.skipped for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.results if r.outcome == "failed")

    @property
    def withdrawn(self) -> int:
        return sum(len(r.withdrawn) for r in self.results)

    @property
    def quarantined(self) -> int:
        return sum(len(r.quarantined) for r in self.results)

    @property
    def exit_code(self) -> int:
        """1 if any feed (or face) failed or was locked, else 4 if any was
        invalid or left an item out in quarantine, else 0."""
        outcomes = {r.outcome for r in self.results}
        outcomes.update(face.outcome.value for face in self.faces)
        if outcomes & {"failed", "locked"}:
            return 1
        if "invalid" in outcomes or self.quarantined:
            return 4
        return 0

    def line(self) -> str:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        withdrawn = f", {self.withdrawn} withdrawn" if self.withdrawn else ""
        if self.quarantined:
            withdrawn += f", {self.quarantined} item(s) quarantined"
        return (
            f"{len(self.results)} feed(s) ({detail or 'none'}): "
            f"{self.written} document(s) written, {self.skipped} skipped, "
            f"{self.failed} failed{withdrawn}"
        )


class Publisher:
    """Publishes feeds of one site. ``render`` and ``gate`` default to the
    registered renderers and the validation gate; both can be replaced (a test
    substitutes a faulty renderer to prove the gate holds)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        render: RenderFunction | None = None,
        gate: Any = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._render = render
        self._gate = gate
        self._clock = clock or (lambda: datetime.now(UTC))
        # Replaced parts live in this process only: no worker processes then.
        self._own_parts = render is not None or gate is not None or clock is not None
        self._destinations: dict[str, Destination] = {}
        self._archive_memos = ArchiveMemos()
        self._selections = SelectionMemos()
        self._checked_keys = CheckedKeys()
        self._shared_writes = SharedWrites()
        self._pool: ThreadPoolExecutor | None = None
        # Feeds may be published side by side through one publisher (a push):
        # its parts are made once, under this lock.
        self._parts = threading.Lock()

    # -- parts ----------------------------------------------------------------

    @property
    def gate(self) -> Any:
        with self._parts:
            if self._gate is None:
                from syndication.validate.gate import Gate

                self._gate = Gate.from_settings(self.settings, verdicts=self.store)
            return self._gate

    def render(self, edition: Edition) -> list[Document]:
        if self._render is not None:
            return self._render(edition)
        from syndication.render.registry import render_edition

        return render_edition(edition)

    def destination(self, name: str | None) -> Destination:
        chosen = name or self.settings.default_destination
        with self._parts:
            if chosen not in self._destinations:
                from syndication.destinations.registry import destination_for

                self._destinations[chosen] = destination_for(self.settings, chosen)
            return self._destinations[chosen]

    def close(self) -> None:
        with self._parts:
            for destination in self._destinations.values():
                destination.close()
            self._destinations.clear()
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None

    def _upload_pool(self) -> ThreadPoolExecutor:
        with self._parts:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.settings.upload_concurrency, thread_name_prefix="upload"
                )
            return self._pool

    # -- publishing -------------------------------------------------------------

    def publish_all(
        self,
        feeds: Sequence[FeedDefinition],
        *,
        at: datetime | None = None,
        destination: Destination | str | None = None,
        dry_run: bool = False,
        trigger: str = "manual",
        record: bool = True,
        on_result: Callable[[FeedResult], None] | None = None,
        force: bool = False,
        processes: int | None = None,
    ) -> PublishSummary:
        """Publish each feed in turn as of one moment (``at``, default now); one
        feed's failure never stops the others.

        First, in a few queries for all feeds together, every feed whose last
        successful run saw this very store content and settings, with no story
        appearing, no embargo ending and nothing leaving its window since, is
        recorded as unchanged without selecting, rendering or uploading (see
        :meth:`_unchanged_since_last_run`). The rest are published one by one.

        ``force`` re-renders and rewrites every feed regardless of the ledger:
        no unchanged check, no fingerprint check, and every document is
        uploaded even when the destination already holds the same bytes (the
        way to repair a destination changed behind the ledger's back).

        The feeds that go the full way are spread over ``processes`` worker
        processes (default ``[publish] processes``; see
        :mod:`syndication.parallel`), unless this publisher was given its own
        renderer, gate or clock, or ``destination`` is an object rather than a
        name: those stay in this process.
        """
        moment = at or self._clock()
        quick: dict[str, FeedResult] = {}
        if record and not dry_run and not force:
            try:
                quick = self._unchanged_since_last_run(
                    feeds, moment, destination, trigger
                )
            except SyndicationError as exc:
                # Each feed then goes the full way, which reports the failure.
                log.debug("quick unchanged check not possible: %s", exc)
        for feed in feeds:
            if feed.feed_id in quick:
                log_run(quick[feed.feed_id], trigger)
        full = [feed for feed in feeds if feed.feed_id not in quick]
        workers = self._workers(len(full), processes, destination)
        if workers > 1:
            from syndication.parallel import RunOptions, publish_in_processes

            options = RunOptions(
                moment,
                destination if isinstance(destination, str) else None,
                dry_run,
                trigger,
                record,
                force,
            )
            if on_result is not None:
                for result in quick.values():
                    on_result(result)
            spread = publish_in_processes(
                self.settings, full, options, workers, on_result
            )
            done = {**quick, **{result.feed_id: result for result in spread}}
        else:
            done = dict(quick)
            for feed in feeds:
                result = quick.get(feed.feed_id) or self.publish_feed(
                    feed,
                    at=moment,
                    destination=destination,
                    dry_run=dry_run,
                    trigger=trigger,
                    record=record,
                    quick=False,
                    force=force,
                    face=False,
                )
                done[feed.feed_id] = result
                if on_result is not None:
                    on_result(result)
        results = [done[feed.feed_id] for feed in feeds]
        faces: tuple[FaceResult, ...] = ()
        if record and not dry_run:
            faces = self.refresh_faces(feeds, results, destination, check_missing=True)
        return PublishSummary(tuple(results), faces)

    def _workers(
        self, feeds: int, processes: int | None, destination: Destination | str | None
    ) -> int:
        """How many worker processes a run of ``feeds`` full publishes uses."""
        from syndication.parallel import worker_count

        if self._own_parts or not isinstance(destination, str | None):
            return 1
        configured = self.settings.publish_processes if processes is None else processes
        return worker_count(configured, feeds)

    def _unchanged_since_last_run(
        self,
        feeds: Sequence[FeedDefinition],
        at: datetime,
        destination: Destination | str | None,
        trigger: str,
    ) -> dict[str, FeedResult]:
        """Feeds certainly unchanged since their last successful run, each
        recorded (in one transaction) as an ``unchanged`` run.

        A feed's edition is a function of the store's content, the feed's
        settings and the moment. The store counts every version it ever stored
        (read here before anything else, so a write racing this check only makes
        it more cautious); the last run recorded that count and its settings in
        ``state`` and its moment in ``edition_at``. When the count moved since,
        the store says whether any version stored after it can touch the feed
        (:meth:`Store.touched_since`: its article matches the feed's selection
        or the feed carried it); none can, and the feed is as it was. Between
        two moments the edition can only change where a version's creation
        time or an embargo's end falls (or, for a feed with a window, where a
        version leaves it), and the store answers "any such moment?" from its
        indexes, for the versions stored by the last run (the later ones were
        just found unable to touch the feed). Whatever is not certain goes the
        full way, which compares the edition's fingerprint.
        """
        started = time.monotonic()
        changes = self.store.change_count()
        # Each candidate with the change count its last run saw.
        candidates: list[tuple[FeedDefinition, Destination, str, RunRecord, int]] = []
        # What was stored since each count, read once for every feed.
        touching: dict[int, Touching | None] = {}
        by_target: dict[str, tuple[Destination, list[FeedDefinition]]] = {}
        for feed in feeds:
            target = self._target(feed, destination)
            by_target.setdefault(target.name, (target, []))[1].append(feed)
        for target, group in by_target.values():
            lasts = self.store.last_successes([f.feed_id for f in group], target.name)
            for feed in group:
                last = lasts.get(feed.feed_id)
                if last is None or last.edition_at is None or last.edition_at > at:
                    continue
                key = self._state_key(feed, target, changes, at)
                seen = _unchanged_settings(last.state, key)
                if seen is None:
                    continue
                if seen < changes and self._touched(
                    touching, seen, feed, Carrier(feed.feed_id, target.name)
                ):
                    continue
                candidates.append((feed, target, key, last, seen))
        if not candidates:
            return {}
        # The latest moment since each count's earliest run, one query a count.
        earliest: dict[int, datetime] = {}
        for *_, last, seen in candidates:
            moment = last.edition_at or at
            earliest[seen] = min(earliest.get(seen, moment), moment)
        events = {
            seen: self.store.last_event(since, at, stored_by=seen)
            for seen, since in earliest.items()
        }
        unchanged: list[tuple[FeedDefinition, Destination, str, RunRecord]] = []
        for feed, target, key, last, seen in candidates:
            assert last.edition_at is not None
            latest_event = events[seen]
            if latest_event is not None and latest_event > last.edition_at:
                continue
            window = feed.selection.window
            if window is not None and self.store.created_between(
                last.edition_at - window, at - window
            ):
                continue
            unchanged.append((feed, target, key, last))
        # Each feed's indexes must still be there (a deleted one is written
        # again); a remote destination is asked about several feeds at once.
        indexed = self._indexes_present([(f, t) for f, t, _, _ in unchanged])
        unchanged = [
            u for u, present in zip(unchanged, indexed, strict=True) if present
        ]
        if not unchanged:
            return {}
        now = self._clock()
        ids = self.store.record_runs(
            [
                RunRecord(
                    run_id=0,
                    feed_id=feed.feed_id,
                    started=now,
                    finished=now,
                    destination=target.name,
                    outcome="unchanged",
                    written=0,
                    skipped=last.written + last.skipped,
                    failed=0,
                    items=last.items,
                    error=_carried_note(last),
                    trigger=trigger,
                    fingerprint=last.fingerprint,
                    state=key,
                    edition_at=at,
                    prefix=feed.prefix,
                )
                for feed, target, key, last in unchanged
            ]
        )
        each = (time.monotonic() - started) / len(unchanged)
        return {
            feed.feed_id: FeedResult(
                feed.feed_id,
                target.name,
                "unchanged",
                skipped=last.written + last.skipped,
                items=last.items,
                run_id=run_id,
                rendered=False,
                elapsed=each,
                error=_carried_note(last),
            )
            for (feed, target, _, last), run_id in zip(unchanged, ids, strict=True)
        }

    def _indexes_present(
        self, feeds: Sequence[tuple[FeedDefinition, Destination]]
    ) -> list[bool]:
        """Whether each feed's index documents are all at its destination
        (False when it has none, or the destination cannot say)."""

        def present(pair: tuple[FeedDefinition, Destination]) -> bool:
            feed, target = pair
            required = _index_keys(feed, feed.prefix)
            try:
                return bool(required) and not target.missing(required)
            except SyndicationError:
                return False  # the full way reports and records the failure

        if len(feeds) > 1 and any(target.remote for _, target in feeds):
            return list(self._upload_pool().map(present, feeds))
        return [present(pair) for pair in feeds]

    def _touched(
        self,
        touching: dict[int, Touching | None],
        seen: int,
        feed: FeedDefinition,
        carrier: Carrier,
    ) -> bool:
        """:meth:`Store.touched_since` for ``feed``, answered from what was
        stored since ``seen`` read once for all feeds (``touching``, filled
        here), or asked of the store when that was too much to read."""
        if seen not in touching:
            touching[seen] = self.store.touching(seen, limit=_TOUCHING_LIMIT)
        stored = touching[seen]
        if stored is None:
            return self.store.touched_since(seen, feed.selection, carrier)
        return stored.touches(feed.selection, carrier)

    def _target(
        self, feed: FeedDefinition, destination: Destination | str | None
    ) -> Destination:
        if destination is not None and not isinstance(destination, str):
            return destination
        return self.destination(destination or feed.destination or None)

    def _state_key(
        self, feed: FeedDefinition, target: Destination, changes: int, at: datetime
    ) -> str:
        """What a feed's edition depends on besides the moment: the code, the
        feed, the agency, the addresses it announces, the key prefix and its
        archives' settings and current period (:func:`_settings_parts`), and
        the store's content (its change count)."""
        self_urls = self._self_urls(feed, target, feed.prefix)
        archive = self._archive_state(feed, at, archived=True)
        return _state(
            changes,
            self._feed_settings(feed, self_urls, feed.prefix, target, archive),
        )

    def _feed_settings(
        self,
        feed: FeedDefinition,
        self_urls: Mapping[str, str],
        prefix: str,
        target: Destination,
        archive: str = "",
    ) -> dict[str, Any]:
        parts = _settings_parts(
            feed,
            self.settings.agency,
            self_urls,
            self.settings.websub_hub,
            prefix,
            archive,
        )
        return _with_item_documents(parts, target.shared_items)

    def _archive_state(
        self, feed: FeedDefinition, at: datetime, *, archived: bool
    ) -> str:
        from syndication.archive import archive_state

        return archive_state(self.settings.archive, feed, at, archived=archived)

    def _public_target(
        self, feed: FeedDefinition, target: Destination
    ) -> Destination | None:
        """Where the feed's documents are read by partners: ``target`` when it
        has a public base URL; for a folder that is no configured destination
        (``build --out``), the feed's own destination, so a build is what
        publish writes there; None when neither has one (never guessed)."""
        if not target.public_base_url and target.name not in self.settings.destinations:
            target = self.destination(feed.destination or None)
        return target if target.public_base_url else None

    def _self_urls(
        self, feed: FeedDefinition, target: Destination, prefix: str
    ) -> dict[str, str]:
        """Where the feed's indexes are read (their self links), at its public
        target (:meth:`_public_target`); none without one."""
        public = self._public_target(feed, target)
        if public is None:
            return {}
        return {
            fmt: public.url(join_key(prefix, name)) for fmt, name in INDEX_FILES.items()
        }

    def publish_feed(
        self,
        feed: FeedDefinition,
        *,
        at: datetime | None = None,
        destination: Destination | str | None = None,
        dry_run: bool = False,
        trigger: str = "manual",
        record: bool = True,
        prefix: str | None = None,
        raise_locked: bool = False,
        quick: bool = True,
        force: bool = False,
        face: bool = True,
    ) -> FeedResult:
        """Publish ``feed`` as of ``at`` (default now) to its destination.

        Returns a :class:`FeedResult`; errors are reported in it (and logged, and
        recorded in the ledger), never raised — except :class:`LockHeld` when
        ``raise_locked`` is set, so a caller can wait and retry. Like
        :meth:`publish_all`, a feed certainly unchanged since its last run is
        recorded so without selecting or rendering (``quick=False`` skips that
        check, for a caller that has just made it; ``force`` skips every
        shortcut and rewrites every document, see :meth:`publish_all`). When
        it wrote or withdrew anything, its destination's face follows
        (``face=False`` leaves that to the caller, as publish_all does).
        """
        from syndication.locks import feed_lock

        started = time.monotonic()
        target = self._target(feed, destination)
        moment = at or self._clock()
        if (
            quick
            and not force
            and record
            and not dry_run
            and prefix in (None, feed.prefix)
        ):
            try:
                unchanged = self._unchanged_since_last_run(
                    [feed], moment, destination, trigger
                )
            except SyndicationError as exc:
                log.debug("quick unchanged check not possible: %s", exc)
                unchanged = {}
            if feed.feed_id in unchanged:
                log_run(unchanged[feed.feed_id], trigger)
                return unchanged[feed.feed_id]
        try:
            with feed_lock(
                self.store, feed.feed_id, timeout=self.settings.lock_timeout_seconds
            ):
                result = self._publish_locked(
                    feed,
                    moment,
                    target,
                    dry_run=dry_run,
                    trigger=trigger,
                    record=record and not dry_run,
                    prefix=prefix if prefix is not None else feed.prefix,
                    force=force,
                )
        except LockHeld as exc:
            if raise_locked:
                raise
            log.warning("feed %s: %s", feed.feed_id, exc)
            result = FeedResult(feed.feed_id, target.name, "locked", error=str(exc))
        except SyndicationError as exc:
            log.error("feed %s: %s", feed.feed_id, exc)
            result = FeedResult(feed.feed_id, target.name, "failed", error=str(exc))
        elapsed = time.monotonic() - started
        result = _with_elapsed(result, elapsed)
        log_run(result, trigger)
        if face and record and not dry_run:
            self.refresh_faces([feed], [result], destination)
        return result

    def refresh_faces(
        self,
        feeds: Sequence[FeedDefinition],
        results: Sequence[FeedResult],
        destination: Destination | str | None,
        *,
        check_missing: bool = False,
    ) -> tuple[FaceResult, ...]:
        """Refresh the face of each destination where a feed wrote or withdrew
        something (and, with ``check_missing``, where the face page is
        missing); see :mod:`syndication.face.publish`."""
        from syndication.face.publish import refresh_after_run

        return refresh_after_run(
            self.settings,
            self.store,
            self.gate,
            [
                (self._target(feed, destination), feed, result)
                for feed, result in zip(feeds, results, strict=True)
            ],
            check_missing=check_missing,
            cache_control=lambda target: (
                _cache_control(target, True) or self.settings.cache_control_index
            ),
        )

    def _publish_locked(
        self,
        feed: FeedDefinition,
        at: datetime,
        target: Destination,
        *,
        dry_run: bool,
        trigger: str,
        record: bool,
        prefix: str,
        force: bool = False,
    ) -> FeedResult:
        from syndication.select import build_edition

        # The run is in the ledger before anything can fail, so a store or
        # destination failure at any step (even when the edition turns out to
        # be unchanged) is recorded, not only failures while writing.
        if record and self.store.close_interrupted(
            feed.feed_id, target.name, self._clock()
        ):
            # A run of this feed was cut off (we hold its lock, so no other is
            # running): what its writes left half-done goes too.
            removed = target.remove_leftovers(prefix)
            if target.shared_items:
                removed += target.remove_leftovers(SHARED_FOLDER)
            log.warning(
                "feed %s: closed an interrupted run; removed %d leftover file(s)",
                feed.feed_id,
                removed,
            )
        run_id: int | None = (
            self.store.start_run(
                feed.feed_id, target.name, self._clock(), trigger, prefix
            )
            if record
            else None
        )
        carrier = Carrier(feed.feed_id, target.name)
        items = 0
        documents: list[Document] = []
        try:
            # Read before selecting: see _unchanged_since_last_run.
            changes = self.store.change_count() if record else 0
            index_keys = {
                fmt: join_key(prefix, name) for fmt, name in INDEX_FILES.items()
            }
            self_urls = self._self_urls(feed, target, prefix)
            archive = self._archive_state(feed, at, archived=prefix == feed.prefix)
            settings = self._feed_settings(feed, self_urls, prefix, target, archive)
            state = _state(changes, settings)
            plan = self._plan_archives(
                feed, target, prefix, at, archive, settings, changes if record else None
            )
            last = (
                self.store.last_success(feed.feed_id, target.name) if record else None
            )
            selected: SelectedRefs | None = None
            if last is not None and last.fingerprint and not force:
                # The fingerprint from ids and versions alone, so an unchanged
                # edition is never loaded, rendered, checked or uploaded.
                selected = refs, canceled = self._selections.refs(
                    self.store,
                    feed.selection,
                    at,
                    carrier=carrier,
                    prefix=prefix,
                    changes=changes if record else None,
                )
                fingerprint = _fingerprint(
                    {**settings, "prev_archive": plan.newest}, refs, canceled
                )
                documents_there = self._current_documents(
                    feed, target, prefix, last, fingerprint
                )
                if documents_there is not None and not plan.changed:
                    items = len(refs)
                    withdrawn: tuple[str, ...] = ()
                    moved = (
                        self._carried_moved(carrier, last, at)
                        if run_id is not None
                        else frozenset()
                    )
                    if run_id is not None and moved:
                        withdrawn = self._withdraw(
                            target,
                            run_id,
                            feed,
                            prefix,
                            target.list(prefix),
                            at,
                            checked=changes,
                            shared=self._shared_listing(target, moved),
                        )
                    # The ledger may fold this run into the row before it.
                    run_id = self._finish(
                        run_id,
                        "unchanged",
                        0,
                        documents_there,
                        0,
                        items,
                        _carried_note(last),
                        fingerprint,
                        state,
                        at,
                    )
                    return FeedResult(
                        feed.feed_id,
                        target.name,
                        "unchanged",
                        skipped=documents_there,
                        items=items,
                        run_id=run_id,
                        rendered=False,
                        withdrawn=withdrawn,
                        error=_carried_note(last),
                    )
            edition = build_edition(
                self.store,
                feed,
                self.settings.agency,
                at,
                self_urls=self_urls,
                hub_url=self.settings.websub_hub,
                carrier=carrier,
                refs=selected,
            )
            # A replay of the past shows nothing withdrawn since. An edition
            # read at this run's change count shows as of now what it shows
            # as of ``at`` when nothing was stored since, nor created or
            # released between the two moments (no article's state moved).
            now = max(at, self._clock())
            if not record or self.store.changes_since(changes, at, now, limit=1):
                edition = shown_now(self.store, edition, now)
            if archive:
                base_url = self._base_url(feed, target, prefix)
                edition = replace(
                    edition,
                    history=History(
                        prev_archive=plan.newest, base_url=base_url, state=archive
                    ),
                )
            items = len(edition.items)
            fingerprint = edition_fingerprint(edition, prefix, target.shared_items)
            shared = target.shared_items
            documents = placed(self.render(edition), shared)
            existing = target.list(prefix)
            # The shared folders of the articles this run writes that its
            # last edition did not carry as they are, and of those it carried
            # that moved since (judged again after the writes); what the last
            # edition carried and did not move is there as it was written
            # (see shared_items.py).
            moved = (
                self._carried_moved(carrier, last, at)
                if last is not None
                else frozenset()
            )
            unmoved: frozenset[tuple[str, int]] = frozenset()
            listed: set[str] = set(moved)
            if shared:
                carried = {
                    (i.version.guid, i.version.version)
                    for i in (*edition.items, *edition.canceled)
                }
                # Trusted only while the feed's folder still holds its
                # indexes: a destination emptied behind the ledger's back (a
                # bucket restored from nothing) is listed whole.
                if (
                    not force
                    and last is not None
                    and all(key in existing for key in _index_keys(feed, prefix))
                ):
                    before = self._last_edition(target, prefix, last, state)
                    unmoved = frozenset(
                        ref for ref in carried & before if ref[0] not in moved
                    )
                listed.update(guid for guid, _ in carried - unmoved)
            listed_at = time.monotonic()
            shared_there = self._shared_listing(target, listed)
            present = _present(
                target, prefix, documents, {**existing, **shared_there}, force
            ) | kept_shared(documents, unmoved)
            report = self.gate.check(
                documents, edition, held=_sha256_of(documents, present)
            )
            quarantined: tuple[QuarantinedItem, ...] = ()
            if not report.ok:
                edition, quarantined = isolate(edition, self.render, self.gate.check)
                if quarantined:
                    for bad in quarantined:
                        log.error("feed %s: quarantined %s", feed.feed_id, bad)
                    items = len(edition.items)
                    documents = placed(self.render(edition), shared)
                    present = _present(
                        target, prefix, documents, {**existing, **shared_there}, force
                    ) | kept_shared(documents, unmoved)
                    report = self.gate.check(documents, edition)
            if not report.ok:
                return self._invalid(feed, target, run_id, items, report)
            # The archives' changed periods, one at a time, after the feed's
            # own documents passed (see archive_build.py).
            archived = self._render_archives(
                feed, target, prefix, plan, existing, force=force
            )
            if not archived.ok:
                return self._invalid(feed, target, run_id, items, archived.report)
            quarantined = _merged(quarantined, archived.quarantined)
            stale = self._stale_archives(feed, prefix, plan, existing)
        except BaseException as exc:
            # Recorded, then raised on: publish_feed reports a SyndicationError
            # as a failed feed; anything else is a bug and keeps its traceback.
            error_text = str(exc) or repr(exc)
            self._finish(run_id, "failed", 0, 0, len(documents), items, error_text)
            raise
        pending = [d for d in documents if d.key not in present]
        # Items first, then archives, then the indexes that link to them.
        pending = sorted([*pending, *archived.documents], key=lambda d: d.rank)
        skipped = len(documents) - len(pending) + len(archived.documents)
        skipped += archived.skipped
        if dry_run:
            return FeedResult(
                feed.feed_id,
                target.name,
                "dry-run",
                would_write=tuple(full_key(prefix, d) for d in pending),
                skipped=skipped,
                items=items,
            )
        done, failure, waited = self._upload(
            target, prefix, pending, existing, listed_at
        )
        # Written by another run of this process side by side (see
        # shared_items.SharedWrites): there, as if found there.
        skipped += len(waited)
        pending = [d for d in pending if d not in waited]
        written = [key for key, _, _ in done]
        if run_id is not None:
            now = self._clock()
            self.store.record_documents(
                [
                    DocumentRecord(
                        run_id=run_id,
                        feed_id=feed.feed_id,
                        key=key,
                        sha256=document.sha256,
                        size=put.size,
                        etag=put.etag,
                        written=now,
                    )
                    for key, document, put in done
                ]
            )
        withdrawal_failure: SyndicationError | None = None
        withdrawn = ()
        if quarantined and run_id is not None:
            folder = SHARED_FOLDER if shared else join_key(prefix, "items")
            self._record_quarantine(run_id, feed, folder, quarantined)
        if failure is None and run_id is not None:
            self.store.record_edition(
                run_id,
                carrier,
                prefix,
                [
                    (i.version.guid, i.version.version)
                    for i in (*edition.items, *edition.canceled)
                ],
            )
            self.store.record_archives(run_id, carrier, archived.records)
            try:
                in_feed = [key for key, d, _ in done if not d.shared]
                withdrawn = self._withdraw(
                    target,
                    run_id,
                    feed,
                    prefix,
                    {*existing, *in_feed},
                    at,
                    stale,
                    checked=changes,
                    shared={
                        *shared_there,
                        *(key for key, d, _ in done if d.shared),
                    },
                )
            except SyndicationError as exc:
                withdrawal_failure = exc
        if failure is None and withdrawal_failure is not None:
            log.error("feed %s: %s", feed.feed_id, withdrawal_failure)
            self._finish(
                run_id,
                "failed",
                len(written),
                skipped,
                0,
                items,
                f"withdrawal failed: {withdrawal_failure}",
            )
            return FeedResult(
                feed.feed_id,
                target.name,
                "failed",
                written=tuple(written),
                skipped=skipped,
                items=items,
                run_id=run_id,
                error=f"withdrawal failed: {withdrawal_failure}",
            )
        if failure is not None:
            failed = len(pending) - len(written)
            log.error(
                "feed %s: %s; %d document(s) not written", feed.feed_id, failure, failed
            )
            self._finish(
                run_id, "failed", len(written), skipped, failed, items, str(failure)
            )
            return FeedResult(
                feed.feed_id,
                target.name,
                "failed",
                written=tuple(written),
                skipped=skipped,
                failed=failed,
                items=items,
                run_id=run_id,
                error=str(failure),
            )
        outcome = "published" if written or withdrawn else "unchanged"
        self._finish(
            run_id,
            outcome,
            len(written),
            skipped,
            0,
            items,
            note(quarantined) if quarantined else "",
            fingerprint,
            state,
            at,
        )
        index_urls = tuple(
            target.url(key) for key in written if key in index_keys.values()
        )
        if index_urls and self.settings.websub_hub and target.public_base_url:
            from syndication.websub import ping_hub

            ping_hub(self.settings.websub_hub, list(index_urls))
        return FeedResult(
            feed.feed_id,
            target.name,
            outcome,
            written=tuple(written),
            skipped=skipped,
            items=items,
            run_id=run_id,
            urls=index_urls,
            withdrawn=withdrawn,
            quarantined=tuple(str(q) for q in quarantined),
            error=note(quarantined) if quarantined else "",
        )

    def _upload(
        self,
        target: Destination,
        prefix: str,
        pending: Sequence[Document],
        existing: dict[str, str],
        listed_at: float,
    ) -> tuple[
        list[tuple[str, Document, PutResult]], SyndicationError | None, list[Document]
    ]:
        """Write the item documents (``upload_concurrency`` at a time), then,
        only if all of them were written, the indexes one by one. Returns what
        was written, the first failure, if any, and the shared item documents
        another run of this process wrote meanwhile (see
        :class:`syndication.shared_items.SharedWrites`)."""

        from syndication.render.stylesheet import served_type

        def put(document: Document) -> tuple[str, Document, PutResult]:
            key = full_key(prefix, document)
            cache = _cache_control(target, document.is_index) or (
                self.settings.cache_control_index
                if document.is_index
                else self.settings.cache_control_item
            )
            # Indexes are replaced only if they still hold what we listed:
            # a second line of defence behind the feed lock.
            return (
                key,
                document,
                target.put(
                    key,
                    document.body,
                    content_type=served_type(document, self.settings.browsable_feeds),
                    cache_control=cache,
                    sha256=document.sha256,
                    expected=existing.get(key, "") if document.is_index else None,
                    durable=document.is_index,
                ),
            )

        done: list[tuple[str, Document, PutResult]] = []
        waited: list[Document] = []
        # The items, then the archives, each set on disk before the next is
        # written: no archive or index ever names a missing object.
        for rank in (0, 1):
            batch = [d for d in pending if d.rank == rank]
            if rank == 0:
                failure = self._put_items(target, put, batch, done, waited, listed_at)
            else:
                failure = self._put_batch(target, put, batch, done)
            if failure is not None:
                return done, failure, waited
        # Each index is tried on its own (with retries), and all of them are
        # tried even when one fails, so a kill reaches every format that can
        # take it; the failure then says exactly which indexes were replaced.
        # They go side by side: none names another.
        replaced: list[str] = []
        refused: list[tuple[str, SyndicationError]] = []
        indexes = [document for document in pending if document.is_index]
        futures = [
            self._upload_pool().submit(self._put_index, target, put, document, prefix)
            for document in indexes
        ]
        for document, future in zip(indexes, futures, strict=True):
            try:
                done.append(future.result())
                replaced.append(document.key)
            except SyndicationError as exc:
                refused.append((document.key, exc))
        if refused:
            first = refused[0][1]
            return (
                done,
                DestinationError(
                    f"indexes replaced: {', '.join(replaced) or 'none'}; not "
                    f"replaced: {', '.join(key for key, _ in refused)} ({first}); "
                    "the next publish replaces them",
                    destination=target.name,
                ),
                waited,
            )
        return done, None, waited

    def _put_items(
        self,
        target: Destination,
        put: Callable[[Document], tuple[str, Document, PutResult]],
        batch: Sequence[Document],
        done: list[tuple[str, Document, PutResult]],
        waited: list[Document],
        listed_at: float,
    ) -> SyndicationError | None:
        """:meth:`_put_batch` for the item documents, each shared one written
        once by the runs of this process side by side: those another run is
        writing are waited for (added to ``waited``), and written here only
        if that write failed."""
        mine, theirs = self._shared_writes.claim(target.name, batch, listed_at)
        try:
            failure = self._put_batch(target, put, mine, done)
        finally:
            written = {key for key, _, _ in done}
            self._shared_writes.release(target.name, mine, written)
        if failure is not None or not theirs:
            return failure
        again = self._shared_writes.wait(theirs)
        waited.extend(d for d, _ in theirs if d not in again)
        return self._put_batch(target, put, again, done)

    def _put_batch(
        self,
        target: Destination,
        put: Callable[[Document], tuple[str, Document, PutResult]],
        batch: Sequence[Document],
        done: list[tuple[str, Document, PutResult]],
    ) -> SyndicationError | None:
        """Write ``batch`` (``upload_concurrency`` at a time) and flush it to
        the destination, adding what was written to ``done``; the first
        failure, if any (the rest are not started)."""
        futures = [self._upload_pool().submit(put, document) for document in batch]
        failure: BaseException | None = None
        for future in futures:
            if future.cancelled():
                continue
            try:
                done.append(future.result())  # waits for the running ones
            except BaseException as exc:
                if failure is None:
                    failure = exc  # stop the rest; let the running finish
                    for other in futures:
                        other.cancel()
        if failure is not None:
            if not isinstance(failure, SyndicationError):
                raise failure  # a bug: keep its traceback
            return failure
        try:
            if batch:
                target.sync()
        except SyndicationError as exc:
            return exc
        return None

    def _put_index(
        self,
        target: Destination,
        put: Callable[[Document], tuple[str, Document, PutResult]],
        document: Document,
        prefix: str,
    ) -> tuple[str, Document, PutResult]:
        """Write one index, retrying a failed write; a conditional write refused
        (412) because the object already holds these very bytes (the answer to
        an earlier attempt was lost) is a success."""
        key = join_key(prefix, document.key)
        for attempt, pause in enumerate(INDEX_RETRY_PAUSES):
            try:
                return put(document)
            except DestinationError as exc:
                if exc.status == 412:
                    if self._holds(target, key, document.body):
                        put_result = PutResult(
                            key, target.fingerprint(document.body), len(document.body)
                        )
                        return key, document, put_result
                    raise  # another publisher changed it: never overwrite
                if attempt == len(INDEX_RETRY_PAUSES) - 1:
                    raise
                log.warning("%s; retrying in %.1f s", exc, pause)
                time.sleep(pause)
        raise AssertionError("unreachable")

    @staticmethod
    def _holds(target: Destination, key: str, body: bytes) -> bool:
        try:
            current = target.list(key.rpartition("/")[0]).get(key)
        except SyndicationError:
            return False
        return current == target.fingerprint(body)

    def _invalid(
        self,
        feed: FeedDefinition,
        target: Destination,
        run_id: int | None,
        items: int,
        report: Any,
    ) -> FeedResult:
        """The run refused by the gate: logged, recorded, nothing written."""
        error = ValidationFailed(
            f"feed {feed.feed_id}: {len(report.problems)} problem(s); nothing written",
            report=report,
        )
        for problem in report.problems:
            log.error("feed %s: %s", feed.feed_id, problem)
        self._finish(run_id, "invalid", 0, 0, 0, items, str(error))
        return FeedResult(
            feed.feed_id,
            target.name,
            "invalid",
            items=items,
            run_id=run_id,
            error=str(error),
            report=report,
        )

    def _base_url(self, feed: FeedDefinition, target: Destination, prefix: str) -> str:
        """The public address of the feed's folder, ending with ``/``; '' when
        none is known (archive links are then relative)."""
        public = self._public_target(feed, target)
        return public.url(prefix) + "/" if public is not None else ""

    def _plan_archives(
        self,
        feed: FeedDefinition,
        target: Destination,
        prefix: str,
        at: datetime,
        archive: str,
        settings: Mapping[str, Any],
        changes: int | None,
    ) -> ArchivePlan:
        """The feed's archives as of ``at`` (see :mod:`syndication.archive`);
        an empty plan when it has none (``archive`` is ''). With ``changes``
        (the store's change count read first in a recorded run), the content
        of the feed's last plan in this process is reused when nothing it
        depends on moved (see :mod:`syndication.archive_memo`)."""
        # A period's fingerprint leaves out the current period, which the
        # feed's own state names: a closed period does not change by ageing.
        own = {key: value for key, value in settings.items() if key != "archive"}
        return self._archive_memos.plan(
            self.store,
            feed,
            self.settings.archive,
            state=archive,
            prefix=prefix,
            destination=target.name,
            at=at,
            now=max(at, self._clock()),
            carrier=Carrier(feed.feed_id, target.name),
            settings=own,
            changes=changes,
        )

    def _render_archives(
        self,
        feed: FeedDefinition,
        target: Destination,
        prefix: str,
        plan: ArchivePlan,
        existing: Mapping[str, str],
        *,
        force: bool,
    ) -> ArchiveDocuments:
        """The archive documents to write: the plan's changed periods, and
        the kept ones whose documents are not at the destination (all of them
        with ``force``)."""
        from syndication.archive import archive_formats, with_missing
        from syndication.archive_build import (
            ArchiveContext,
            ArchiveDocuments,
            render_archives,
        )

        if not plan.kept:
            return ArchiveDocuments()
        plan = with_missing(plan, prefix, archive_formats(feed), existing, force=force)
        context = ArchiveContext(
            store=self.store,
            feed=feed,
            agency=self.settings.agency,
            prefix=prefix,
            base_url=self._base_url(feed, target, prefix),
            state=plan.state,
        )
        return render_archives(
            plan,
            context,
            self.render,
            self.gate.check,
            existing=existing,
            fingerprint=target.fingerprint,
            force=force,
        )

    @staticmethod
    def _stale_archives(
        feed: FeedDefinition,
        prefix: str,
        plan: ArchivePlan,
        existing: Mapping[str, str],
    ) -> list[str]:
        """Archive documents at the destination that no kept period has."""
        from syndication.archive import archive_formats, stale_keys

        formats = archive_formats(feed) if plan.state else ()
        return stale_keys(plan, prefix, formats, existing)

    def _record_quarantine(
        self,
        run_id: int,
        feed: FeedDefinition,
        folder: str,
        quarantined: Sequence[QuarantinedItem],
    ) -> None:
        """Ledger rows for quarantined items (``action`` "quarantined"), under
        the key each of its item documents would have had in ``folder`` (the
        feed's items or the shared ones; NewsML-G2 ``.xml``, ninjs ``.json``;
        ``vN`` alone for a feed with no item documents), with what it
        failed."""
        now = self._clock()
        suffixes = [s for f, s in ITEM_SUFFIXES.items() if f in feed.formats] or [""]
        self.store.record_documents(
            [
                DocumentRecord(
                    run_id=run_id,
                    feed_id=feed.feed_id,
                    key=join_key(
                        folder, encode_segment(q.guid), f"v{q.version}{suffix}"
                    ),
                    sha256="",
                    size=0,
                    etag="",
                    written=now,
                    action="quarantined",
                    note="; ".join(str(p) for p in q.problems),
                )
                for q in quarantined
                for suffix in suffixes
            ]
        )

    def _withdraw(
        self,
        target: Destination,
        run_id: int,
        feed: FeedDefinition,
        prefix: str,
        keys: Iterable[str],
        at: datetime,
        stale: Sequence[str] = (),
        *,
        checked: int | None = None,
        shared: Iterable[str] = (),
    ) -> tuple[str, ...]:
        """Remove what may no longer be public under ``prefix`` (see
        withdraw.py) and among the ``shared`` item documents (keys in the
        destination's shared folder, see shared_items.py), and the ``stale``
        archive documents of periods no longer kept, after the indexes that
        referenced them were replaced, and record each removal in the ledger.
        At a destination that shares item documents, the feed's own copies
        under ``prefix`` go too. Raises DestinationError.

        ``checked`` is the store's change count read first in this run: the
        keys found fine are then remembered, and the next run in this process
        asks only about those that may have changed (see
        :class:`syndication.withdraw.CheckedKeys`)."""
        from syndication.withdraw import (
            ITEM_KEY,
            STALE_ARCHIVE,
            Asked,
            Withdrawal,
            plan_withdrawals,
        )

        moment = max(at, self._clock())
        where = (feed.feed_id, target.name, prefix)
        present = set(keys)
        asked = (
            Asked(list(present))
            if checked is None
            else self._checked_keys.to_check(self.store, where, present, moment)
        )
        plan = plan_withdrawals(
            self.store,
            target.name,
            prefix,
            asked.keys,
            moment,
            moved=asked.moved,
            known=asked.known,
        )
        shared_keys = sorted(set(shared))
        if shared_keys:
            plan += plan_withdrawals(self.store, target.name, "", shared_keys, moment)
        planned = {w.key for w in plan}
        plan += [Withdrawal(key, STALE_ARCHIVE) for key in stale if key not in planned]
        if target.shared_items and prefix:
            start = len(prefix) + 1
            plan += [
                Withdrawal(key, MOVED)
                for key in sorted(present)
                if key not in planned and ITEM_KEY.match(key[start:])
            ]
        plan.sort(key=lambda w: w.key)
        if plan:
            target.delete([w.key for w in plan])
        if checked is not None:
            gone = {w.key for w in plan}
            self._checked_keys.remember(where, present - gone, checked, moment)
        if not plan:
            return ()
        now = self._clock()
        self.store.record_documents(
            [
                DocumentRecord(
                    run_id=run_id,
                    feed_id=feed.feed_id,
                    key=w.key,
                    sha256="",
                    size=0,
                    etag="",
                    written=now,
                    action="withdrawn",
                    note=w.reason,
                )
                for w in plan
            ]
        )
        for w in plan:
            log.info("feed %s: withdrew %s (%s)", feed.feed_id, w.key, w.reason)
        return tuple(w.key for w in plan)

    def _carried_moved(
        self, carrier: Carrier, last: RunRecord, at: datetime
    ) -> frozenset[str]:
        """The articles ``carrier`` carried whose state may have moved since
        its ``last`` successful run (every article it carried when that run's
        change count is not known)."""
        parts = _state_parts(last.state)
        return self.store.carried_moved(
            carrier,
            parts[1] if parts else 0,
            last.edition_at or at,
            max(at, self._clock()),
        )

    def _last_edition(
        self, target: Destination, prefix: str, last: RunRecord, state: str
    ) -> set[tuple[str, int]]:
        """What the feed's last published edition at ``prefix`` carried, when
        that run's settings are this one's (its item documents' bytes are
        then this run's); else nothing."""
        before, now = _state_parts(last.state), _state_parts(state)
        if before is None or now is None or before[0] != now[0]:
            return set()
        return self.store.edition_contents(target.name, [prefix]).get(prefix, set())

    def _shared_listing(
        self, target: Destination, guids: Iterable[str]
    ) -> dict[str, str]:
        """What ``target``'s shared folder holds for ``guids`` (see
        :func:`syndication.shared_items.listing`)."""
        wanted = set(guids)
        if not wanted:
            return {}
        return listing(target, wanted, self._upload_pool)

    def _finish(
        self,
        run_id: int | None,
        outcome: str,
        written: int,
        skipped: int,
        failed: int,
        items: int,
        error: str,
        fingerprint: str = "",
        state: str = "",
        edition_at: datetime | None = None,
    ) -> int | None:
        """Record how the run ended; the id of the ledger row it is in."""
        if run_id is None:
            return None
        return self.store.finish_run(
            run_id,
            finished=self._clock(),
            outcome=outcome,
            written=written,
            skipped=skipped,
            failed=failed,
            items=items,
            error=error,
            fingerprint=fingerprint,
            state=state,
            edition_at=edition_at,
        )

    def _current_documents(
        self,
        feed: FeedDefinition,
        target: Destination,
        prefix: str,
        last: RunRecord,
        fingerprint: str,
    ) -> int | None:
        """The number of documents of the last successful run when it published
        this very edition and its indexes are still at the destination; None
        when the feed must be rendered."""
        if last.fingerprint != fingerprint:
            return None
        required = _index_keys(feed, prefix)
        if not required or target.missing(required):
            return None
        return last.written + last.skipped


def shown_now(store: Store, edition: Edition, now: datetime) -> Edition:
    """``edition`` without the items that may no longer be public as of ``now``
    (a replay of the past must not bring back a killed, re-embargoed, held or
    superseded version). For an edition as of now this changes nothing."""
    from dataclasses import replace

    from syndication.withdraw import refusal

    every = (*edition.items, *edition.canceled)
    if not every:
        return edition
    latest = store.latest_as_of(sorted({i.version.guid for i in every}), now)

    def shown(item: Item) -> bool:
        version = item.version
        return not refusal(latest.get(version.guid), version.version, now)

    items = tuple(i for i in edition.items if shown(i))
    canceled = tuple(i for i in edition.canceled if shown(i))
    if len(items) == len(edition.items) and len(canceled) == len(edition.canceled):
        return edition
    return replace(edition, items=items, canceled=canceled)


def edition_fingerprint(edition: Edition, prefix: str, shared: bool = False) -> str:
    """SHA-256 of everything a feed's documents are made from: the code version,
    the feed definition, the agency, the items and kills (id and version), the
    self and hub URLs, the key prefix and whether item documents are
    ``shared``. Equal fingerprints render equal bytes at the same keys, so a
    publish can skip rendering. The build time is left out on purpose."""
    history = edition.history
    parts = _settings_parts(
        edition.feed,
        edition.agency,
        edition.self_urls,
        edition.hub_url,
        prefix,
        history.state if history else "",
    )
    parts["prev_archive"] = history.prev_archive if history else ""
    parts = _with_item_documents(parts, shared)
    return _fingerprint(
        parts,
        [(i.version.guid, i.version.version) for i in edition.items],
        [(i.version.guid, i.version.version) for i in edition.canceled],
    )


def _with_item_documents(parts: dict[str, Any], shared: bool) -> dict[str, Any]:
    """Settings ``parts`` with the destination's item layout: switching a
    destination to shared item documents moves them, so every feed there is
    rendered again (private adds nothing, so the fingerprints of a private
    destination stay as they were)."""
    if shared:
        parts["item_documents"] = "shared"
    return parts


def _fingerprint(
    settings: Mapping[str, Any],
    items: Sequence[tuple[str, int]],
    canceled: Sequence[tuple[str, int]],
) -> str:
    return json_digest({**settings, "items": items, "canceled": canceled})


def _settings_parts(
    feed: FeedDefinition,
    agency: Agency,
    self_urls: Mapping[str, str],
    hub_url: str,
    prefix: str,
    archive: str = "",
) -> dict[str, Any]:
    from syndication import __version__

    return {
        "code": __version__,
        "feed": repr(feed),
        "agency": repr(agency),
        "self_urls": sorted(self_urls.items()),
        "hub": hub_url,
        "prefix": prefix,
        "archive": archive,
    }


def _state(changes: int, settings: Mapping[str, Any]) -> str:
    """What a run's edition was made from besides the moment: its settings (a
    digest) and the store's change count, as ``<digest>@<count>``."""
    return f"{json_digest({'settings': settings})[:40]}@{changes}"


def _unchanged_settings(last: str, now: str) -> int | None:
    """The change count of a run of state ``last`` when the state ``now`` has
    the same settings and a count no lower; else None."""
    before, after = _state_parts(last), _state_parts(now)
    if before is None or after is None or before[0] != after[0]:
        return None
    return before[1] if before[1] <= after[1] else None


def _state_parts(state: str) -> tuple[str, int] | None:
    """A state's settings digest and change count; None for a state of an
    earlier release (a digest of both), which no run can build on."""
    settings, at, count = state.rpartition("@")
    number = small_number(count, 20)
    if not at or not settings or number is None:
        return None
    return settings, number


def _present(
    target: Destination,
    prefix: str,
    documents: Sequence[Document],
    existing: Mapping[str, str],
    force: bool,
) -> frozenset[str]:
    """The keys (under ``prefix``) of ``documents`` that ``target`` already
    holds byte for byte (``existing``: its listing under ``prefix``, and of
    the shared folders of the articles shared among them); none with
    ``force``, which rewrites everything."""
    if force:
        return frozenset()
    return frozenset(
        d.key
        for d in documents
        # Hashed only when the key is there at all.
        if (there := existing.get(full_key(prefix, d))) is not None
        and there == _listed_as(target, d)
    )


def _listed_as(target: Destination, document: Document) -> str:
    """What ``target`` lists for a key holding ``document``."""
    if target.fingerprints_sha256:
        return document.sha256
    return target.fingerprint(document.body)


def _sha256_of(documents: Sequence[Document], keys: frozenset[str]) -> frozenset[str]:
    """The SHA-256 of the item documents among ``documents`` whose key is in
    ``keys``: what the gate need not check again (see :meth:`Gate.check`)."""
    return frozenset(
        d.sha256
        for d in documents
        if d.key in keys and not d.is_index and not d.is_archive
    )


def _index_keys(feed: FeedDefinition, prefix: str) -> list[str]:
    """The index documents a feed's edition has at the destination: one per
    format, the NewsML-G2 message too when the edition is empty (it then holds
    the empty feed package), and the stylesheet RSS and Atom name."""
    from syndication.render.stylesheet import FILE_NAME, STYLED_FORMATS

    keys = [
        join_key(prefix, INDEX_FILES[fmt]) for fmt in feed.formats if fmt in INDEX_FILES
    ]
    if any(fmt in STYLED_FORMATS for fmt in feed.formats):
        keys.append(join_key(prefix, FILE_NAME))
    return keys


def _merged(
    first: Sequence[QuarantinedItem], more: Sequence[QuarantinedItem]
) -> tuple[QuarantinedItem, ...]:
    """``first`` and those of ``more`` of another article version."""
    seen = {(q.guid, q.version) for q in first}
    return (*first, *(q for q in more if (q.guid, q.version) not in seen))


def _carried_note(last: RunRecord) -> str:
    """A quarantine note stays on the runs that follow while the edition is
    unchanged, so status keeps showing what is left out."""
    return last.error if last.error.startswith(QUARANTINE_NOTE) else ""


def _cache_control(target: Destination, is_index: bool) -> str:
    """A destination's own Cache-Control for indexes or items (an S3 table may
    set ``cache_control_index`` / ``cache_control_item``); "" when it has none
    and the site's ``[publish]`` values apply."""
    value = getattr(
        target, "cache_control_index" if is_index else "cache_control_item", None
    )
    return value if isinstance(value, str) else ""


def log_run(result: FeedResult, trigger: str) -> None:
    """One log event per feed run, with its facts as fields (``--log-format
    json`` writes them as keys): INFO, or DEBUG for an unchanged feed. The
    :data:`run_observer` of the context hears of the run too."""
    observer = run_observer.get()
    if observer is not None:
        observer(result)
    level = logging.DEBUG if result.outcome == "unchanged" else logging.INFO
    log.log(
        level,
        "feed %s → %s: %s, %d written, %d skipped, %d withdrawn in %.3f s",
        result.feed_id,
        result.destination,
        result.outcome,
        len(result.written),
        result.skipped,
        len(result.withdrawn),
        result.elapsed,
        extra={
            "feed": result.feed_id,
            "destination": result.destination,
            "run_id": result.run_id,
            "trigger": trigger,
            "outcome": result.outcome,
            "written": len(result.written),
            "skipped": result.skipped,
            "withdrawn": len(result.withdrawn),
            "quarantined": len(result.quarantined),
            "items": result.items,
            "elapsed_ms": round(result.elapsed * 1000, 3),
            "error": result.error,
        },
    )


def _with_elapsed(result: FeedResult, elapsed: float) -> FeedResult:
    from dataclasses import replace

    return replace(result, elapsed=elapsed)
