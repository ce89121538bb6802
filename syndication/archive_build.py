"""Render and check a feed's changed archive periods (see :mod:`syndication.archive`).

One period at a time: its versions are loaded, its edition is rendered by the
feed's renderers (RSS and Atom only) and checked by the gate, and only the
bytes that differ from what the destination holds are kept for writing, so a
feed's archives never sit in memory all at once. A period whose documents
fail the gate is checked item by item as the feed is (see
:mod:`syndication.quarantine`); when it still fails, nothing of the feed is
written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from syndication.archive import (
    FILE_NAMES,
    ArchivePlan,
    PeriodContent,
    archive_formats,
)
from syndication.config import Agency
from syndication.credit import make_item
from syndication.destinations.base import join_key
from syndication.feeds import FeedDefinition
from syndication.quarantine import QuarantinedItem, isolate
from syndication.render.base import Document, Edition, History
from syndication.render.history import archive_key
from syndication.store.base import ArchiveRecord, Store
from syndication.validate.report import GateReport

log = logging.getLogger(__name__)

Render = Callable[[Edition], list[Document]]
Check = Callable[[Sequence[Document], Edition], GateReport]


@dataclass(frozen=True)
class ArchiveContext:
    """What every archive edition of one feed's run shares: ``base_url`` is the
    public address of the feed's folder ending with ``/`` ('' when unknown)."""

    store: Store
    feed: FeedDefinition
    agency: Agency
    prefix: str
    base_url: str
    state: str


@dataclass(frozen=True)
class ArchiveDocuments:
    """The changed periods rendered: the ``documents`` to write (bytes not
    at the destination yet, or all with ``force``), how many were already
    there (``skipped``), the ledger ``records`` of every period rendered, and
    the items left out in quarantine. ``report`` holds the problems of a
    period that failed as a whole (then nothing may be written)."""

    documents: tuple[Document, ...] = ()
    skipped: int = 0
    records: tuple[ArchiveRecord, ...] = ()
    quarantined: tuple[QuarantinedItem, ...] = ()
    report: GateReport = field(default_factory=GateReport)

    @property
    def ok(self) -> bool:
        return self.report.ok


def render_archives(
    plan: ArchivePlan,
    context: ArchiveContext,
    render: Render,
    check: Check,
    *,
    existing: Mapping[str, str],
    fingerprint: Callable[[bytes], str],
    force: bool = False,
) -> ArchiveDocuments:
    """Render and check each changed period of ``plan``, newest first.
    ``existing`` is the destination's listing (key → fingerprint) and
    ``fingerprint`` its way of hashing bytes. Raises StoreError."""
    documents: list[Document] = []
    records: list[ArchiveRecord] = []
    quarantined: list[QuarantinedItem] = []
    skipped = 0
    for content in plan.changed:
        edition = archive_edition(content, context)
        rendered = _archive_documents(render(edition))
        report = check(rendered, edition)
        if not report.ok:
            edition, bad = isolate(edition, render, check)
            if bad:
                for item in bad:
                    log.error(
                        "feed %s archive %s: quarantined %s",
                        context.feed.feed_id,
                        content.ident,
                        item,
                    )
                quarantined += bad
                rendered = _archive_documents(render(edition))
                report = check(rendered, edition)
        if not report.ok:
            return ArchiveDocuments(report=report)
        for document in rendered:
            key = join_key(context.prefix, document.key)
            if force or existing.get(key) != fingerprint(document.body):
                documents.append(document)
            else:
                skipped += 1
        refs = tuple(
            (item.version.guid, item.version.version)
            for item in (*edition.items, *edition.canceled)
        )
        records.append(ArchiveRecord(content.folder, content.fingerprint, refs))
    return ArchiveDocuments(
        tuple(documents), skipped, tuple(records), tuple(quarantined)
    )


def archive_edition(content: PeriodContent, context: ArchiveContext) -> Edition:
    """The edition of one archive period: its items and kill notices as the
    feed carries them, in RSS and Atom only, as of the period's end (an empty
    archive is dated so; never the clock). Raises StoreError."""
    feed = context.feed
    formats = archive_formats(feed)
    versions = context.store.load_versions(content.refs)
    items = tuple(
        make_item(versions[ref], feed, context.agency)
        for ref in content.items
        if ref in versions
    )
    # A kill notice goes out at once, as in the feed (see select.build_edition).
    canceled = tuple(
        make_item(replace(versions[ref], embargo_until=None), feed, context.agency)
        for ref in content.canceled
        if ref in versions
    )
    self_urls = (
        {
            fmt: context.base_url + archive_key(content.ident, FILE_NAMES[fmt])
            for fmt in formats
        }
        if context.base_url
        else {}
    )
    return Edition(
        feed=replace(feed, formats=formats),
        agency=context.agency,
        at=content.period.end,
        items=items,
        canceled=canceled,
        self_urls=self_urls,
        history=History(
            archive=content.ident,
            prev_archive=content.prev,
            base_url=context.base_url,
            state=context.state,
        ),
    )


def _archive_documents(documents: Sequence[Document]) -> list[Document]:
    """The archive documents among what the renderers made (the stylesheet
    they add is the feed's own, published beside its subscription documents)."""
    return [document for document in documents if document.is_archive]
