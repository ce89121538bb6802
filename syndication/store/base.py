"""The Store interface: versions only append; selection is one query.

One implementation (:class:`syndication.store.sql.SqlStore`) serves SQLite and
PostgreSQL; the contract suite in tests/contract/test_store.py runs against both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from syndication.articles.model import Distribution, PubStatus, Version


@dataclass(frozen=True)
class AppendResult:
    """What an append did: ``created`` is False when the content was identical to
    the latest stored version (a no-op), in which case ``version`` is that one."""

    guid: str
    version: int
    created: bool
    previous: int | None = None


@dataclass(frozen=True)
class Selection:
    """Which articles a feed carries. Empty tuples mean "any".

    ``max_urgency`` keeps stories at that urgency or more urgent (1 is most urgent);
    ``window`` keeps stories whose latest version was created within that span
    before the build time.
    """

    subjects: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    max_urgency: int = 9
    window: timedelta | None = None
    limit: int = 50


def language_ranges(ranges: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """RFC 4647 §3.3.1 basic filtering, stated once: a language tag falls within
    one of ``ranges`` when, in lower case, it is one of the first tuple (the
    ranges in lower case) or starts with one of the second (each with a
    hyphen), so ``en`` selects ``en-GB`` and ``EN-gb`` but never ``eng``. The
    store's selection query and :func:`syndication.select.language_matches`
    both read it."""
    exact = tuple(sorted({r.lower() for r in ranges}))
    return exact, tuple(f"{r}-" for r in exact)


@dataclass(frozen=True)
class ArticleFilter:
    """Filters for listing articles in the editorial CLI (latest version of each)."""

    status: PubStatus | None = None
    subject: str | None = None
    language: str | None = None
    since: datetime | None = None
    text: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class RunRecord:
    """One publish run of one feed, as the ledger keeps it.

    ``repeats`` is how many runs the row stands for: unchanged runs like the
    feed's latest are folded into its row (see :meth:`Store.record_runs`), so
    ``started`` is the first of them and ``finished`` the end of the last.
    ``prefix`` is the key prefix the run wrote under (the feed's folder, or a
    replay's)."""

    run_id: int
    feed_id: str
    started: datetime
    finished: datetime | None
    destination: str
    outcome: str
    written: int
    skipped: int
    failed: int
    items: int
    error: str
    trigger: str
    fingerprint: str = ""
    state: str = ""
    edition_at: datetime | None = None
    repeats: int = 1
    prefix: str = ""

    @property
    def last_time(self) -> datetime:
        """When the (last) run the row stands for ended, or started if it is
        still running."""
        return self.finished or self.started


@dataclass(frozen=True)
class DocumentRecord:
    """One document a run wrote to a destination, or (``action`` "withdrawn")
    removed from it, with ``note`` saying why."""

    run_id: int
    feed_id: str
    key: str
    sha256: str
    size: int
    etag: str
    written: datetime
    action: str = "put"
    note: str = ""


@dataclass(frozen=True)
class Carrier:
    """A feed at a destination: where the ledger says an article was carried."""

    feed_id: str
    destination: str


def language_matches(tag: str, ranges: Iterable[str]) -> bool:
    """Whether the BCP 47 language ``tag`` falls within one of ``ranges``, as
    the store's selection query decides it (:func:`language_ranges`)."""
    exact, prefixes = language_ranges(ranges)
    tag = tag.lower()
    return tag in exact or tag.startswith(prefixes)


def version_matches(selection: Selection, version: Version) -> bool:
    """Whether ``version``'s own fields match ``selection`` as the store's
    query matches them (urgency, languages, providers, subjects, keywords;
    the window, status, embargo and limit aside): the rule of
    :meth:`Store.matching_versions` with no moment, in Python."""
    if version.urgency > selection.max_urgency:
        return False
    if selection.languages and not language_matches(
        version.language, selection.languages
    ):
        return False
    if selection.providers and version.provider not in selection.providers:
        return False
    if selection.subjects and not any(
        subject.qcode in selection.subjects for subject in version.subjects
    ):
        return False
    return not selection.keywords or bool(
        {k.lower() for k in version.keywords} & {k.lower() for k in selection.keywords}
    )


class RankedRef(NamedTuple):
    """One version a selection picked, with the moment it is ordered by
    (newest first; the store breaks ties by guid in its own collation)."""

    created: datetime
    guid: str
    version: int


@dataclass(frozen=True)
class Touching:
    """The articles with a version stored after a change count: every version
    of each, and the feeds at destinations the ledger shows carried any of
    them. :meth:`touches` answers :meth:`Store.touched_since` for any feed
    from these, without asking the store again."""

    versions: tuple[Version, ...]
    carriers: frozenset[Carrier]

    def touches(self, selection: Selection, carrier: Carrier) -> bool:
        return carrier in self.carriers or any(
            version_matches(selection, version) for version in self.versions
        )


@dataclass(frozen=True)
class VersionState:
    """What decides whether a version may still be public (see
    :func:`syndication.withdraw.refusal`), read without the version's text."""

    guid: str
    version: int
    version_created: datetime
    status: PubStatus
    embargo_until: datetime | None
    distribution: Distribution
    is_held: bool

    def is_embargoed(self, at: datetime) -> bool:
        return self.embargo_until is not None and self.embargo_until > at

    @property
    def is_syndicated(self) -> bool:
        return (
            self.status is PubStatus.USABLE
            and self.distribution is Distribution.SYNDICATE
            and not self.is_held
        )

    @property
    def hold_reason(self) -> str:
        return "held" if self.is_held else ""


@dataclass(frozen=True)
class ArchiveRef:
    """A version an archive period may hold: one a feed's selection carried
    from ``shown_at`` (:attr:`Version.shown_at`), or (``is_kill``) the kill of
    an article the feed may have carried."""

    guid: str
    version: int
    version_created: datetime
    shown_at: datetime
    is_kill: bool


@dataclass(frozen=True)
class ArchiveRecord:
    """What one archive folder of a feed (``<prefix>/archive/<period>``) was
    rendered from: its fingerprint, and the (guid, version) of its items and
    kill notices."""

    folder: str
    fingerprint: str
    refs: tuple[tuple[str, int], ...]


class Store(Protocol):
    """Versioned article store plus the publish ledger."""

    url: str

    def append(self, version: Version, *, match_history: bool = False) -> AppendResult:
        """Store ``version`` as the next version of its article, whole or not at
        all. Identical content to the latest version is a no-op; with
        ``match_history`` (ingest), so is content equal to ANY stored version,
        and the result names that version."""
        ...

    def append_batch(
        self, versions: Sequence[Version], *, match_history: bool = False
    ) -> list[AppendResult]:
        """Append several versions in one transaction: all are stored or none."""
        ...

    def latest_many(self, guids: Sequence[str]) -> dict[str, Version]:
        """The latest stored version of each of ``guids`` that exists."""
        ...

    def latest_as_of(self, guids: Sequence[str], at: datetime) -> dict[str, Version]:
        """The latest version as of ``at`` of each of ``guids`` that had one."""
        ...

    def guids_starting_with(self, starts: Sequence[str]) -> list[str]:
        """Every stored article id that begins with one of ``starts``, sorted
        (what a long id's bounded key segment shows, see
        :func:`~syndication.destinations.base.encode_segment`)."""
        ...

    def get(self, guid: str, version: int | None = None) -> Version:
        """The latest (or the numbered) version. Raises NotFound."""
        ...

    def history(self, guid: str) -> list[Version]:
        """Every version of an article, oldest first. Raises NotFound."""
        ...

    def list_latest(self, article_filter: ArticleFilter) -> list[Version]:
        """Latest version of each article matching the filter, newest first."""
        ...

    def select(self, selection: Selection, at: datetime) -> list[Version]:
        """The latest usable, released version of each matching article as of
        ``at``, newest first (version_created, then guid), up to the limit."""
        ...

    def matching_versions(
        self, guid: str, selection: Selection, at: datetime | None
    ) -> list[int]:
        """The numbers of article ``guid``'s versions whose own fields match
        ``selection`` as :meth:`select` matches them (urgency, languages,
        providers, subjects, keywords, and the window back from ``at``; no
        window with ``at`` None), oldest first; status, embargo, distribution,
        hold and the limit are not asked. Empty for an unknown article."""
        ...

    def select_canceled(
        self, selection: Selection, at: datetime, *, carrier: Carrier | None = None
    ) -> list[Version]:
        """Articles whose latest version as of ``at`` is a kill, within the
        selection's window (or all), newest first, up to the limit, that the
        feed may have carried: an earlier version matched the selection and was
        released, or the ledger shows ``carrier`` published the article."""
        ...

    def load_versions(
        self, refs: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], Version]:
        """The stored versions named by (guid, version) that exist."""
        ...

    def latest_states(
        self, guids: Sequence[str], at: datetime
    ) -> dict[str, VersionState]:
        """:meth:`latest_as_of`, without the versions' text."""
        ...

    def archive_refs(
        self,
        selection: Selection,
        start: datetime,
        end: datetime,
        *,
        carrier: Carrier | None = None,
    ) -> list[ArchiveRef]:
        """What archive periods within [``start``, ``end``) may hold for a feed
        of ``selection``, newest first: every version feeds may carry whose
        fields match the selection (as :meth:`select` matches them, the window
        applying at the moment it was shown) and whose :attr:`Version.shown_at`
        falls in the span, unless a later version came before that moment
        (it was never shown), whether superseded since or not; and every kill
        in the span of an article the feed may have carried (as
        :meth:`select_canceled` decides it). Limits do not apply."""
        ...

    def record_archives(
        self, run_id: int, carrier: Carrier, records: Sequence[ArchiveRecord]
    ) -> None:
        """Record what run ``run_id`` rendered each archive folder from (and
        that ``carrier`` carried its items, as :meth:`record_edition` does)."""
        ...

    def archive_fingerprints(
        self, destination: str, folders: Sequence[str]
    ) -> dict[str, str]:
        """The fingerprint each of ``folders`` at ``destination`` was last
        rendered from, for those the ledger knows."""
        ...

    def archive_contents(
        self, destination: str, folders: Sequence[str]
    ) -> dict[str, set[tuple[str, int]]]:
        """The (guid, version) each of ``folders`` at ``destination`` held when
        it was last rendered, for those the ledger knows."""
        ...

    def pending_embargoes(self, at: datetime) -> list[Version]:
        """Latest versions still under embargo at ``at``, soonest release first."""
        ...

    def start_run(
        self,
        feed_id: str,
        destination: str,
        started: datetime,
        trigger: str,
        prefix: str = "",
    ) -> int: ...

    def close_interrupted(self, feed_id: str, destination: str, now: datetime) -> int:
        """Mark the feed's runs still ``running`` as ``interrupted`` (the process
        stopped mid-run); call it only while holding the feed's lock. Returns
        how many there were."""
        ...

    def record_edition(
        self,
        run_id: int,
        carrier: Carrier,
        prefix: str,
        refs: Sequence[tuple[str, int]],
    ) -> None:
        """Record the (guid, version) of every item an edition written under
        ``prefix`` carries (its kills included)."""
        ...

    def carried_moved(
        self, carrier: Carrier, changes: int, after: datetime, until: datetime
    ) -> frozenset[str]:
        """The articles the ledger shows ``carrier`` carried whose state may
        have moved since a run at change count ``changes`` and moment
        ``after``, as of ``until`` (the kinds of :meth:`changes_since`): their
        shared item documents are judged again."""
        ...

    def carriers(self, guid: str) -> list[Carrier]:
        """Every feed and destination whose published editions carried ``guid``."""
        ...

    def edition_contents(
        self, destination: str, prefixes: Sequence[str]
    ) -> dict[str, set[tuple[str, int]]]:
        """For each of ``prefixes`` the ledger knows an edition of, the (guid,
        version) its latest published edition carried."""
        ...

    def record_document(self, record: DocumentRecord) -> None: ...

    def record_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Record many written documents in one transaction."""
        ...

    def record_runs(self, runs: Sequence[RunRecord]) -> list[int]:
        """Store finished runs (``run_id`` and ``repeats`` ignored) in one
        transaction; the id of the row each is recorded in.

        An ``unchanged`` run is folded into its feed's latest row at its
        destination when that row is an ``unchanged`` run of the same edition
        (fingerprint), trigger and prefix, with the same note and no document
        recorded under it: the row's ``repeats`` goes up by one and it takes
        the run's end, state, moment and counts. Every other run is a new row.
        """
        ...

    def finish_run(
        self,
        run_id: int,
        *,
        finished: datetime,
        outcome: str,
        written: int,
        skipped: int,
        failed: int,
        items: int,
        error: str = "",
        fingerprint: str = "",
        state: str = "",
        edition_at: datetime | None = None,
    ) -> int:
        """Record how run ``run_id`` ended; the id of the row it is recorded
        in. An ``unchanged`` run that wrote and withdrew nothing is folded into
        the row before it as :meth:`record_runs` says (its own row is then
        deleted) when it is the feed's latest run at its destination."""
        ...

    def runs(
        self,
        feed_id: str | None = None,
        limit: int = 50,
        *,
        outcomes: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[RunRecord]:
        """Ledger rows, newest first: of one feed (or all), with one of
        ``outcomes`` (or any), and going on at some moment between ``since``
        and ``until`` (a row's span runs from ``started`` to
        :attr:`RunRecord.last_time`)."""
        ...

    def prune_unchanged(self, before: datetime) -> int:
        """Delete the ``unchanged`` rows whose last run ended before ``before``,
        keeping each feed's latest row and latest successful row at each
        destination and every row a document or an edition item names (runs
        that wrote, withdrew or failed are never deleted). Returns how many
        rows were deleted."""
        ...

    def published(self, feed_id: str, destination: str) -> dict[str, str]:
        """Key → SHA-256 of the latest document written per key for a feed,
        leaving out keys whose latest record is a withdrawal."""
        ...

    def published_documents(
        self, feed_id: str, destination: str
    ) -> dict[str, DocumentRecord]:
        """Like :meth:`published`, with each key's whole record (size and ETag
        too): what verification compares the destination with."""
        ...

    def folder_documents(
        self, destination: str, folder: str
    ) -> dict[str, DocumentRecord]:
        """Every key under ``folder`` at ``destination`` whose latest ledger
        row, whichever feed wrote it, is a write, with that row: what the
        destination's shared items folder should hold (a scan of the
        destination's rows; verification's, once a day)."""
        ...

    def known_verdicts(self, rules: str, items: Sequence[str]) -> set[str]:
        """Those of ``items`` (digests) found valid under ``rules`` (the
        digest of the rules that judged them)."""
        ...

    def record_verdicts(self, rules: str, items: Sequence[str]) -> None:
        """``items`` (digests) were found valid under ``rules``; the verdicts
        under any other rules are dropped (they can never be asked again)."""
        ...

    def held_since(
        self, destination: str, keys: Mapping[str, Sequence[str]]
    ) -> dict[str, dict[str, datetime]]:
        """feed id → key → since when the key has held, at ``destination``, the
        bytes the feed last wrote there: the first of the latest writes of
        those bytes (a rewrite of the same bytes, as ``publish --force`` makes,
        changes nothing). Only keys of ``keys`` (feed id → keys) whose latest
        record is a write; keys never written or withdrawn are left out."""
        ...

    def withdrawals(self, destination: str, limit: int = 100) -> list[DocumentRecord]:
        """The latest withdrawals at ``destination``, newest first."""
        ...

    def last_success(self, feed_id: str, destination: str) -> RunRecord | None:
        """The feed's latest successful run (published or unchanged) to
        ``destination``, with the fingerprint of the edition it published."""
        ...

    def last_successes(
        self, feed_ids: Sequence[str], destination: str
    ) -> dict[str, RunRecord]:
        """:meth:`last_success` of each feed that has one."""
        ...

    def select_refs(
        self, selection: Selection, at: datetime, *, carrier: Carrier | None = None
    ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """(guid, version) of what :meth:`select` and :meth:`select_canceled`
        return, without loading the versions."""
        ...

    def select_ranked(
        self,
        selection: Selection,
        at: datetime,
        *,
        carrier: Carrier | None = None,
        among: Sequence[str] | None = None,
    ) -> tuple[list[RankedRef], list[RankedRef]]:
        """:meth:`select_refs` with each version's creation moment, in the
        same order; with ``among``, as if the store held only those articles
        (the limit still applies), versions created at the same moment in
        the order of their guids' code points rather than the store's
        collation."""
        ...

    def moved_since(
        self, changes: int, after: datetime, until: datetime, *, limit: int
    ) -> frozenset[str] | None:
        """The articles of :meth:`changes_since` (stored since ``changes``,
        or created or released in (``after``, ``until``]); None when more
        than ``limit`` versions of any one kind are."""
        ...

    def change_count(self) -> int:
        """How many article versions were ever stored: unchanged means the
        store's content is unchanged (versions are append-only)."""
        ...

    def last_event(
        self, after: datetime, until: datetime, *, stored_by: int | None = None
    ) -> datetime | None:
        """The latest moment in (``after``, ``until``] at which any version was
        created or an embargo ends: when there is none, every selection gives
        the same result at ``until`` as at ``after``. With ``stored_by``, only
        the versions stored by the time the change count was that."""
        ...

    def touched_since(
        self, changes: int, selection: Selection, carrier: Carrier
    ) -> bool:
        """Whether a version stored after the change count was ``changes`` may
        change what a feed of ``selection`` at ``carrier`` carries, shows as
        killed or archives: a version of an article one of whose versions
        matches ``selection``'s own fields (its window aside), or of one the
        ledger shows the feed published there. When none is, the feed's
        edition and archives are those of its run at ``changes``, as long as no
        earlier-stored version's moment (:meth:`last_event`) passed since."""
        ...

    def touching(self, changes: int, *, limit: int) -> Touching | None:
        """What :meth:`touched_since` reads, for every feed at once: the
        versions of the articles with a version stored after ``changes`` and
        their carriers; None when more than ``limit`` versions were stored
        since (ask :meth:`touched_since` per feed then)."""
        ...

    def changes_since(
        self, changes: int, after: datetime, until: datetime, *, limit: int = 0
    ) -> list[tuple[str, datetime | None]]:
        """(guid, shown_at) of every version that may make an article's state
        as of ``until`` differ from the one a run saw at change count
        ``changes`` and moment ``after``: stored since, or with its creation or
        embargo end in (``after``, ``until``]. With ``limit``, at most that
        many of each kind (enough to ask whether there is any)."""
        ...

    def created_between(self, start: datetime, end: datetime) -> bool:
        """Whether any version was created in [``start``, ``end``) (items
        leaving a feed's time window)."""
        ...

    def iter_all(self) -> Iterator[Version]: ...

    def close(self) -> None: ...
