"""Archives (RFC 5005 archived feeds): which closed periods a feed links, what
each holds now, and which must be rendered again.

A partner that was away walks back from the subscription document
(``rss.xml``, ``atom.xml``) through ``prev-archive`` links and reads every
story it missed. Periods are ``[archive] period`` (UTC, see
:mod:`syndication.periods`); the ``[archive] periods`` newest closed ones that
hold anything are kept, each an archive document per format at
``archive/<period>/rss.xml`` (``atom.xml``).

A period holds what its feed carried then: every version the feed's
selection matches whose moment in feeds (:attr:`Version.shown_at`) falls in
it, and the kill notices of that span; limits do not apply, so a burst beyond
the feed's ``limit`` is archived whole. What a period holds is decided as the
lifecycle rules decide the feed's own documents now (see
:func:`syndication.withdraw.refusal`): a version superseded since is left to
the period of its successor, one withdrawn (embargoed again, held, internal)
is left out, and a killed story's entry becomes its kill notice (an Atom
tombstone; RSS carries none), so no withdrawn body survives in an archive.

Archives are otherwise immutable: each period's fingerprint (what it is made
from) is kept in the ledger, and a period is rendered again only when its
fingerprint changed or its documents are missing. Plan, here; render
(:mod:`syndication.archive_build`); write and record (publish.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from syndication.articles.model import PubStatus
from syndication.config import ArchiveConfig
from syndication.destinations.base import join_key
from syndication.digest import json_digest
from syndication.feeds import FeedDefinition
from syndication.periods import Period, closed_periods, period_of
from syndication.render.base import ARCHIVE_FOLDER
from syndication.render.history import archive_key
from syndication.render.stylesheet import STYLED_FORMATS
from syndication.store.base import ArchiveRef, Carrier, Store, VersionState
from syndication.withdraw import refusal

FILE_NAMES = {"rss": "rss.xml", "atom": "atom.xml"}

Ref = tuple[str, int]


def archive_formats(feed: FeedDefinition) -> tuple[str, ...]:
    """The feed's formats that have archives (RSS and Atom), in its order."""
    return tuple(fmt for fmt in feed.formats if fmt in STYLED_FORMATS)


def archive_state(
    config: ArchiveConfig, feed: FeedDefinition, at: datetime, *, archived: bool
) -> str:
    """What a feed's documents depend on of its archives besides the store:
    the settings and the current period (a period closing changes the feed's
    links); '' when the feed has no archives (``archived`` False: a replay, or
    archives are off, or no format has them)."""
    if not archived or config.period is None or not archive_formats(feed):
        return ""
    current = period_of(config.period, at)
    return f"{config.period.value}/{config.periods}/{current.ident}"


@dataclass(frozen=True)
class PeriodContent:
    """One kept period of a feed: the archive before it (``prev``, its ident;
    '' for the oldest kept), its items and kill notices (newest first), its
    folder and the fingerprint of all of it."""

    period: Period
    prev: str
    items: tuple[Ref, ...]
    canceled: tuple[Ref, ...]
    folder: str
    fingerprint: str

    @property
    def ident(self) -> str:
        return self.period.ident

    @property
    def refs(self) -> tuple[Ref, ...]:
        return (*self.items, *self.canceled)


@dataclass(frozen=True)
class ArchivePlan:
    """A feed's archives at one moment: ``kept`` (newest first) and the
    ``changed`` ones among them, which must be rendered and written."""

    state: str = ""
    kept: tuple[PeriodContent, ...] = ()
    changed: tuple[PeriodContent, ...] = field(default_factory=tuple)

    @property
    def newest(self) -> str:
        """The period the subscription document links as ``prev-archive``."""
        return self.kept[0].ident if self.kept else ""

    def keys(self, prefix: str, formats: Sequence[str]) -> list[str]:
        """Every archive document the kept periods have, as full keys."""
        return [
            join_key(prefix, archive_key(content.ident, FILE_NAMES[fmt]))
            for content in self.kept
            for fmt in formats
        ]


@dataclass(frozen=True)
class ArchiveContent:
    """What a feed's kept periods hold, and what that was read from: the
    articles with a version in the span (``guids``) and the span itself
    (``start`` to ``end``; None when archives are off)."""

    kept: tuple[PeriodContent, ...] = ()
    guids: frozenset[str] = frozenset()
    start: datetime | None = None
    end: datetime | None = None


def archive_content(
    store: Store,
    feed: FeedDefinition,
    config: ArchiveConfig,
    *,
    state: str,
    prefix: str,
    at: datetime,
    now: datetime,
    carrier: Carrier,
    settings: Mapping[str, Any],
) -> ArchiveContent:
    """The feed's kept periods as of ``at`` (closed periods end by it), their
    content as the lifecycle rules decide it as of ``now`` (the real current
    time, as for the feed's documents). ``settings`` is what the feed's
    documents are made from besides items (publish._settings_parts). Which of
    them must be written is :func:`against_ledger`'s answer (see
    :func:`with_missing` for documents missing at the destination); a
    long-running publisher reuses the content between runs
    (:mod:`syndication.archive_memo`). Raises StoreError."""
    if not state or config.period is None:
        return ArchiveContent()
    periods = closed_periods(config.period, at, config.periods)
    start, end = periods[-1].start, periods[0].end
    refs = store.archive_refs(feed.selection, start, end, carrier=carrier)
    if not refs:
        return ArchiveContent(start=start, end=end)
    guids = frozenset(ref.guid for ref in refs)
    states = store.latest_states(sorted(guids), now)
    by_period: dict[Period, list[ArchiveRef]] = {}
    for ref in refs:
        by_period.setdefault(period_of(config.period, ref.shown_at), []).append(ref)
    held = [period for period in periods if period in by_period]
    formats = archive_formats(feed)
    kept: list[PeriodContent] = []
    for index, period in enumerate(held):
        prev = held[index + 1].ident if index + 1 < len(held) else ""
        items, canceled = _content(by_period[period], states, now)
        folder = join_key(prefix, ARCHIVE_FOLDER, period.ident)
        fingerprint = json_digest(
            {
                **settings,
                "formats": formats,
                "period": period.ident,
                "prev": prev,
                "items": items,
                "canceled": canceled,
            }
        )
        kept.append(PeriodContent(period, prev, items, canceled, folder, fingerprint))
    return ArchiveContent(tuple(kept), guids, start, end)


def against_ledger(
    store: Store, destination: str, state: str, kept: tuple[PeriodContent, ...]
) -> ArchivePlan:
    """The plan of ``kept`` periods: changed, those whose fingerprint the
    ledger does not have for their folder at ``destination``."""
    if not state:
        return ArchivePlan()
    if not kept:
        return ArchivePlan(state)
    known = store.archive_fingerprints(destination, [c.folder for c in kept])
    changed = tuple(c for c in kept if known.get(c.folder) != c.fingerprint)
    return ArchivePlan(state, kept, changed)


def with_missing(
    plan: ArchivePlan,
    prefix: str,
    formats: Sequence[str],
    listed: Collection[str],
    *,
    force: bool = False,
) -> ArchivePlan:
    """``plan`` with the kept periods whose documents are not all at the
    destination (``listed``) among the changed ones; all of them with
    ``force``."""
    changed = tuple(
        content
        for content in plan.kept
        if force
        or content in plan.changed
        or not _all_present(content, formats, listed)
    )
    return replace(plan, changed=changed)


def stale_keys(
    plan: ArchivePlan, prefix: str, formats: Sequence[str], listed: Collection[str]
) -> list[str]:
    """Archive documents under ``prefix`` at the destination (``listed``)
    that no kept period has: periods no longer kept, formats the feed
    dropped, archives turned off."""
    folder = join_key(prefix, ARCHIVE_FOLDER) + "/"
    wanted = set(plan.keys(prefix, formats))
    return sorted(key for key in listed if key.startswith(folder) and key not in wanted)


def _content(
    refs: Sequence[ArchiveRef], states: Mapping[str, VersionState], now: datetime
) -> tuple[tuple[Ref, ...], tuple[Ref, ...]]:
    """A period's items and kill notices, newest first: per article, the
    version shown in the period that may still be public, or the kill notice
    of a killed one (never its text)."""
    items: dict[str, tuple[datetime, int]] = {}
    kills: dict[str, tuple[datetime, int]] = {}
    for ref in refs:
        latest = states.get(ref.guid)
        if latest is None:
            continue
        killed = latest.status is PubStatus.CANCELED
        if ref.is_kill:
            if killed and latest.version == ref.version:
                kills[ref.guid] = (latest.version_created, latest.version)
        elif not refusal(latest, ref.version, now):
            items[ref.guid] = (ref.version_created, ref.version)
        elif killed:
            kills[ref.guid] = (latest.version_created, latest.version)
    return _newest_first(items), _newest_first(kills)


def _newest_first(found: Mapping[str, tuple[datetime, int]]) -> tuple[Ref, ...]:
    """(guid, version) by time, newest first, then guid (as selections order)."""
    ordered = sorted(found.items(), key=lambda pair: pair[0])
    ordered.sort(key=lambda pair: pair[1][0], reverse=True)
    return tuple((guid, version) for guid, (_, version) in ordered)


def _all_present(
    content: PeriodContent, formats: Sequence[str], present: Collection[str]
) -> bool:
    return all(join_key(content.folder, FILE_NAMES[fmt]) in present for fmt in formats)
