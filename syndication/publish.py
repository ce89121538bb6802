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

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from syndication.config import Settings
from syndication.destinations.base import Destination, join_key
from syndication.errors import LockHeld, SyndicationError, ValidationFailed
from syndication.feeds import FeedDefinition
from syndication.render.base import Document, Edition
from syndication.store.base import DocumentRecord, Store

log = logging.getLogger(__name__)

INDEX_FILES = {"rss": "rss.xml", "atom": "atom.xml", "newsml": "newsml.xml"}

RenderFunction = Callable[[Edition], list[Document]]


@dataclass(frozen=True)
class FeedResult:
    """What publishing one feed did. ``outcome`` is one of ``published``,
    ``unchanged``, ``invalid`` (refused by validation, nothing written),
    ``failed`` (the destination or store failed; indexes not replaced),
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

    @property
    def is_ok(self) -> bool:
        return self.outcome in {"published", "unchanged", "dry-run"}


@dataclass(frozen=True)
class PublishSummary:
    results: tuple[FeedResult, ...] = field(default_factory=tuple)

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
    def exit_code(self) -> int:
        """1 if any feed failed or was locked, else 4 if any was invalid, else 0."""
        outcomes = {r.outcome for r in self.results}
        if outcomes & {"failed", "locked"}:
            return 1
        if "invalid" in outcomes:
            return 4
        return 0

    def line(self) -> str:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        return (
            f"{len(self.results)} feed(s) ({detail or 'none'}): "
            f"{self.written} document(s) written, {self.skipped} skipped, "
            f"{self.failed} failed"
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
        self._destinations: dict[str, Destination] = {}

    # -- parts ----------------------------------------------------------------

    @property
    def gate(self) -> Any:
        if self._gate is None:
            from syndication.validate.gate import Gate

            self._gate = Gate.from_settings(self.settings)
        return self._gate

    def render(self, edition: Edition) -> list[Document]:
        if self._render is not None:
            return self._render(edition)
        from syndication.render.registry import render_edition

        return render_edition(edition)

    def destination(self, name: str | None) -> Destination:
        chosen = name or self.settings.default_destination
        if chosen not in self._destinations:
            from syndication.destinations.registry import destination_for

            self._destinations[chosen] = destination_for(self.settings, chosen)
        return self._destinations[chosen]

    def close(self) -> None:
        for destination in self._destinations.values():
            destination.close()
        self._destinations.clear()

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
    ) -> PublishSummary:
        """Publish each feed in turn; one feed's failure never stops the others."""
        results = []
        for feed in feeds:
            result = self.publish_feed(
                feed,
                at=at,
                destination=destination,
                dry_run=dry_run,
                trigger=trigger,
                record=record,
            )
            results.append(result)
            if on_result is not None:
                on_result(result)
        return PublishSummary(tuple(results))

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
    ) -> FeedResult:
        """Publish ``feed`` as of ``at`` (default now) to its destination.

        Returns a :class:`FeedResult`; errors are reported in it (and logged, and
        recorded in the ledger), never raised — except :class:`LockHeld` when
        ``raise_locked`` is set, so a caller can wait and retry.
        """
        from syndication.locks import feed_lock

        started = time.monotonic()
        target = (
            destination
            if destination is not None and not isinstance(destination, str)
            else self.destination(destination or feed.destination or None)
        )
        moment = at or self._clock()
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
        return _with_elapsed(result, elapsed)

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
    ) -> FeedResult:
        from syndication.select import build_edition

        # The run is in the ledger before anything can fail, so a store or
        # destination failure at any step (even when the edition turns out to
        # be unchanged) is recorded, not only failures while writing.
        run_id: int | None = (
            self.store.start_run(feed.feed_id, target.name, self._clock(), trigger)
            if record
            else None
        )
        items = 0
        documents: list[Document] = []
        try:
            index_keys = {
                fmt: join_key(prefix, name) for fmt, name in INDEX_FILES.items()
            }
            self_urls = (
                {fmt: target.url(key) for fmt, key in index_keys.items()}
                if target.public_base_url
                else {}
            )
            edition = build_edition(
                self.store,
                feed,
                self.settings.agency,
                at,
                self_urls=self_urls,
                hub_url=self.settings.websub_hub,
            )
            items = len(edition.items)
            fingerprint = edition_fingerprint(edition, prefix)
            documents_there = (
                self._current_documents(feed, target, prefix, fingerprint)
                if record
                else None
            )
            if documents_there is not None:
                # Same edition as the last successful run, and its indexes are
                # still there: nothing to render, check or upload.
                self._finish(
                    run_id, "unchanged", 0, documents_there, 0, items, "", fingerprint
                )
                return FeedResult(
                    feed.feed_id,
                    target.name,
                    "unchanged",
                    skipped=documents_there,
                    items=items,
                    run_id=run_id,
                    rendered=False,
                )
            documents = self.render(edition)
            report = self.gate.check(documents, edition)
            if not report.ok:
                error = ValidationFailed(
                    f"feed {feed.feed_id}: {len(report.problems)} problem(s); "
                    "nothing written",
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
            existing = target.list(prefix)
        except BaseException as exc:
            # Recorded, then raised on: publish_feed reports a SyndicationError
            # as a failed feed; anything else is a bug and keeps its traceback.
            error_text = str(exc) or repr(exc)
            self._finish(run_id, "failed", 0, 0, len(documents), items, error_text)
            raise
        ordered = sorted(documents, key=lambda d: d.is_index)  # items first
        pending = [
            d
            for d in ordered
            if existing.get(join_key(prefix, d.key)) != target.fingerprint(d.body)
        ]
        skipped = len(documents) - len(pending)
        if dry_run:
            return FeedResult(
                feed.feed_id,
                target.name,
                "dry-run",
                would_write=tuple(join_key(prefix, d.key) for d in pending),
                skipped=skipped,
                items=items,
            )
        written: list[str] = []
        for document in pending:
            key = join_key(prefix, document.key)
            cache = _cache_control(target, document.is_index) or (
                self.settings.cache_control_index
                if document.is_index
                else self.settings.cache_control_item
            )
            try:
                # Indexes are replaced only if they still hold what we listed:
                # a second line of defence behind the feed lock.
                put = target.put(
                    key,
                    document.body,
                    content_type=document.content_type,
                    cache_control=cache,
                    sha256=document.sha256,
                    expected=existing.get(key, "") if document.is_index else None,
                )
            except SyndicationError as exc:
                failed = len(pending) - len(written)
                log.error(
                    "feed %s: %s; %d document(s) not written, indexes not replaced",
                    feed.feed_id,
                    exc,
                    failed,
                )
                self._finish(
                    run_id, "failed", len(written), skipped, failed, items, str(exc)
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
                    error=str(exc),
                )
            written.append(key)
            if run_id is not None:
                self.store.record_document(
                    DocumentRecord(
                        run_id=run_id,
                        feed_id=feed.feed_id,
                        key=key,
                        sha256=document.sha256,
                        size=put.size,
                        etag=put.etag,
                        written=self._clock(),
                    )
                )
        outcome = "published" if written else "unchanged"
        self._finish(run_id, outcome, len(written), skipped, 0, items, "", fingerprint)
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
        )

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
    ) -> None:
        if run_id is None:
            return
        self.store.finish_run(
            run_id,
            finished=self._clock(),
            outcome=outcome,
            written=written,
            skipped=skipped,
            failed=failed,
            items=items,
            error=error,
            fingerprint=fingerprint,
        )

    def _current_documents(
        self, feed: FeedDefinition, target: Destination, prefix: str, fingerprint: str
    ) -> int | None:
        """The number of documents of the last successful run when it published
        this very edition and every index it wrote is still at the destination;
        None when the feed must be rendered."""
        last = self.store.last_success(feed.feed_id, target.name)
        if last is None or last.fingerprint != fingerprint:
            return None
        indexes = {join_key(prefix, name) for name in INDEX_FILES.values()}
        published = set(self.store.published(feed.feed_id, target.name)) & indexes
        if not published or not published <= set(target.list(prefix)):
            return None
        return last.written + last.skipped


def edition_fingerprint(edition: Edition, prefix: str) -> str:
    """SHA-256 of everything a feed's documents are made from: the code version,
    the feed definition, the agency, the items and kills (id and version), the
    self and hub URLs and the key prefix. Equal fingerprints render equal bytes,
    so a publish can skip rendering. The build time is left out on purpose."""
    from syndication import __version__

    parts = {
        "code": __version__,
        "feed": repr(edition.feed),
        "agency": repr(edition.agency),
        "items": [(i.version.guid, i.version.version) for i in edition.items],
        "canceled": [(i.version.guid, i.version.version) for i in edition.canceled],
        "self_urls": sorted(edition.self_urls.items()),
        "hub": edition.hub_url,
        "prefix": prefix,
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cache_control(target: Destination, is_index: bool) -> str:
    """A destination's own Cache-Control for indexes or items (an S3 table may
    set ``cache_control_index`` / ``cache_control_item``); "" when it has none
    and the site's ``[publish]`` values apply."""
    value = getattr(
        target, "cache_control_index" if is_index else "cache_control_item", None
    )
    return value if isinstance(value, str) else ""


def _with_elapsed(result: FeedResult, elapsed: float) -> FeedResult:
    from dataclasses import replace

    return replace(result, elapsed=elapsed)
