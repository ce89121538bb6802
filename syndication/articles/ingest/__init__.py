"""Ingest: files and folders of stories → new article versions in the store.

Each file is read, checked (size, encoding, no DTD or entity declarations), its
format detected (NewsML-G2, ninjs, JSON article or plain wire copy) and parsed
into its stories (read.py): one :class:`Version` each, or the kill of an
article for an item its provider canceled. A bad file stores nothing and is
reported with its file, line or field; the rest of the batch goes on. Good
files are stored several hundred stories to a transaction, with the outcome of
each storing them one per transaction would have.
Re-ingest never undoes an editorial act (see guard.py): content equal to any
earlier version stores nothing, and a killed article stays killed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path

from syndication.articles.ingest.guard import ReingestGuard, kept_fields
from syndication.articles.ingest.guid import check_guid, mint_guid
from syndication.articles.ingest.parsed import IngestOptions, InputFormat, ParsedStory
from syndication.articles.ingest.paths import collect_paths, display_path
from syndication.articles.ingest.read import (
    parse_stories,
    parse_story,
    read_stories,
    read_story,
)
from syndication.config import Settings
from syndication.errors import InputError, InputProblem, StoreError
from syndication.store.base import AppendResult, Store

__all__ = [
    "MAX_LANGUAGE_LENGTH",
    "MAX_QCODE_LENGTH",
    "IngestOptions",
    "IngestReport",
    "InputFormat",
    "ParsedStory",
    "StoredStory",
    "batch_error",
    "check_guid",
    "check_language",
    "collect_paths",
    "file_count",
    "ingest_paths",
    "iter_ingest",
    "mint_guid",
    "parse_stories",
    "parse_story",
    "read_stories",
    "read_story",
]

log = logging.getLogger(__name__)

# Stories per store transaction: one commit per file was most of ingest's time,
# and a much larger batch gains little while holding the write lock longer.
BATCH_SIZE = 500

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# The schema's limits on --language and --subject (kept equal by a test).
MAX_LANGUAGE_LENGTH = 35
MAX_QCODE_LENGTH = 64


@dataclass(frozen=True)
class StoredStory:
    """What storing one story of a file did. When nothing was stored
    (``created`` False), ``version`` is the stored version the content matches
    and ``previous`` the latest. ``revived`` says a killed article was brought
    back, ``killed`` that the story was a provider's cancellation that killed
    it; ``hold_reason`` is why a stored version is held from feeds ("" when it
    is not)."""

    path: str
    guid: str
    version: int
    previous: int | None
    created: bool
    format: InputFormat
    year_source: str = ""
    revived: bool = False
    hold_reason: str = ""
    killed: bool = False

    @property
    def action(self) -> str:
        """``new article``, ``new version``, ``killed`` or ``unchanged``."""
        if not self.created:
            return "unchanged"
        if self.killed:
            return "killed"
        return "new article" if self.previous is None else "new version"


@dataclass(frozen=True)
class IngestReport:
    """A whole batch: what was stored and every problem, in file order."""

    stored: tuple[StoredStory, ...]
    problems: tuple[InputProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def error(self) -> InputError | None:
        """The batch's :class:`InputError` (listing every bad file), or None."""
        return batch_error(self.problems, file_count(self.stored, self.problems))


def file_count(stored: Sequence[StoredStory], problems: Sequence[InputProblem]) -> int:
    """How many files a batch's outcomes come from (a file may hold several
    stories, or have several problems)."""
    return len({s.path for s in stored} | {p.path for p in problems})


def batch_error(problems: Sequence[InputProblem], total: int) -> InputError | None:
    """The batch's :class:`InputError` for ``problems`` of ``total`` files,
    or None."""
    if not problems:
        return None
    files = len({p.path for p in problems})
    lines = "\n".join(f"  {problem}" for problem in problems)
    return InputError(
        f"{files} of {total} file(s) could not be ingested; nothing was stored from "
        f"them:\n{lines}",
        problems=problems,
    )


def check_language(tag: str) -> str:
    """Return ``tag`` if it looks like a BCP 47 language tag of at most 35
    characters (the schema's limit), else raise InputError."""
    if not _LANGUAGE.fullmatch(tag) or len(tag) > MAX_LANGUAGE_LENGTH:
        raise InputError(
            f"{tag!r} is not a BCP 47 language tag such as en or pt-BR (at most "
            f"{MAX_LANGUAGE_LENGTH} characters)"
        )
    return tag


def iter_ingest(
    store: Store,
    settings: Settings,
    paths: Sequence[Path],
    options: IngestOptions,
    *,
    batch_size: int = BATCH_SIZE,
) -> Iterator[StoredStory | InputProblem]:
    """Ingest files, yielding what each did or each problem found, in file order.

    A bad file stores nothing and the batch goes on. Good files are stored
    ``batch_size`` to a transaction, and what they did is yielded once their
    transaction has committed. Store failures (:class:`StoreError`) are not input
    problems and stop the batch: the files stored until then stay stored, and the
    error names the file that could not be.
    """
    files, missing = collect_paths(paths)
    yield from missing
    pending: list[ParsedStory | InputProblem] = []
    stories = 0
    for path in files:
        try:
            parsed = read_stories(path, settings=settings, options=options)
            pending += parsed
            stories += len(parsed)
        except InputError as exc:
            for problem in exc.problems or (
                InputProblem(display_path(path), exc.detail),
            ):
                log.debug("%s", problem)
                pending.append(problem)
        if stories >= batch_size:
            yield from _store_pending(store, _guard(store, pending, options))
            pending, stories = [], 0
    yield from _store_pending(store, _guard(store, pending, options))


def _guard(
    store: Store, pending: Sequence[ParsedStory | InputProblem], options: IngestOptions
) -> list[ParsedStory | InputProblem]:
    """``pending`` as re-ingest may store it (see guard.py): a refused story
    becomes a problem of its file, and then none of that file's stories is
    stored."""
    stories = [p for p in pending if isinstance(p, ParsedStory)]
    if not stories:
        return list(pending)
    guard = ReingestGuard(
        store, (s.version.guid for s in stories), revive=options.revive
    )
    decided: list[ParsedStory | InputProblem] = []
    for _path, group in groupby(pending, key=lambda p: p.path):
        outcomes = list(group)
        several = len(outcomes) > 1
        checkpoint = guard.checkpoint() if several else None
        verdicts = [
            o if isinstance(o, InputProblem) else _decide(guard, o, options)
            for o in outcomes
        ]
        refused = [v for v in verdicts if isinstance(v, InputProblem)]
        if refused and checkpoint is not None:
            guard.rollback(checkpoint)
        decided += refused or verdicts
    return decided


def _decide(
    guard: ReingestGuard, story: ParsedStory, options: IngestOptions
) -> ParsedStory | InputProblem:
    """What ``guard`` lets one story store, or the problem of its file."""
    if story.is_kill:
        version = story.version
        killed = guard.kill(
            version.guid,
            reason=version.ed_note,
            at=version.version_created,
            path=story.path,
        )
        if isinstance(killed, InputProblem):
            return killed
        return replace(story, version=killed.version)
    keep = kept_fields(
        story.stated,
        wire=story.format is InputFormat.WIRE,
        subjects_given=bool(options.subjects),
        language_given=options.language is not None,
        unstated=story.unstated,
    )
    guarded = guard.decide(
        story.version,
        path=story.path,
        keep=keep,
        alternates=story.alternates,
        match_older=story.format in (InputFormat.NEWSML, InputFormat.NINJS),
    )
    if isinstance(guarded, InputProblem):
        return guarded
    return replace(story, version=guarded.version, revived=guarded.revived)


def _store_pending(
    store: Store, pending: Sequence[ParsedStory | InputProblem]
) -> Iterator[StoredStory | InputProblem]:
    """Store the parsed stories of ``pending`` in one transaction, then yield
    every outcome in order. If that transaction fails (and so stored nothing),
    the stories are stored again one per transaction, as if never batched: those
    before the failing one are kept and the error names its file."""
    stories = [p for p in pending if isinstance(p, ParsedStory)]
    try:
        results = (
            store.append_batch([s.version for s in stories], match_history=True)
            if stories
            else []
        )
    except StoreError as exc:
        log.warning(
            "storing %d file(s) in one transaction failed (%s); trying them one by one",
            len(stories),
            exc,
        )
        results = []
    stored = iter(results)
    for outcome in pending:
        if isinstance(outcome, InputProblem):
            yield outcome
            continue
        result = next(stored, None)
        if result is None:
            result = _store_one(store, outcome)
        yield StoredStory(
            path=outcome.path,
            guid=result.guid,
            version=result.version,
            previous=result.previous,
            created=result.created,
            format=outcome.format,
            year_source=outcome.year_source,
            revived=outcome.revived and result.created,
            hold_reason=outcome.version.hold_reason if result.created else "",
            killed=outcome.is_kill and result.created,
        )


def _store_one(store: Store, story: ParsedStory) -> AppendResult:
    try:
        return store.append_batch([story.version], match_history=True)[0]
    except StoreError as exc:
        raise StoreError(
            f"{story.path}: {exc}; nothing was stored from this file or the ones "
            "after it"
        ) from exc


def ingest_paths(
    store: Store, settings: Settings, paths: Sequence[Path], options: IngestOptions
) -> IngestReport:
    """Ingest a batch and return the whole report (see :func:`iter_ingest`)."""
    stored: list[StoredStory] = []
    problems: list[InputProblem] = []
    for outcome in iter_ingest(store, settings, paths, options):
        if isinstance(outcome, StoredStory):
            stored.append(outcome)
        else:
            problems.append(outcome)
    return IngestReport(tuple(stored), tuple(problems))
