"""Ingest: files and folders of stories → new article versions in the store.

Each file is read, checked (size, encoding, no XML or DTD declarations), its
format detected (JSON article or plain wire copy) and parsed into one
:class:`Version`. A bad file stores nothing and is reported with its file, line or
field; the rest of the batch goes on. Good files are stored several hundred to a
transaction, with the outcome of each storing them one per transaction would have.
Re-ingest never undoes an editorial act (see guard.py): content equal to any
earlier version stores nothing, and a killed article stays killed.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from syndication.articles.ingest.guard import ReingestGuard, kept_fields
from syndication.articles.ingest.guid import check_guid, mint_guid
from syndication.articles.ingest.json_format import SCHEMA_FILE, read_json
from syndication.articles.ingest.limits import check_limits
from syndication.articles.ingest.paths import collect_paths, display_path, special_kind
from syndication.articles.ingest.rights import check_rights
from syndication.articles.ingest.wire import WireOptions, read_wire
from syndication.articles.model import Subject, Version
from syndication.articles.sanitize import strip_control_characters
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
    "check_guid",
    "check_language",
    "collect_paths",
    "ingest_paths",
    "iter_ingest",
    "mint_guid",
    "parse_story",
    "read_story",
]

log = logging.getLogger(__name__)

# Stories per store transaction: one commit per file was most of ingest's time,
# and a much larger batch gains little while holding the write lock longer.
BATCH_SIZE = 500

_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)\b", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# The schema's limits on --language and --subject (kept equal by a test).
MAX_LANGUAGE_LENGTH = 35
MAX_QCODE_LENGTH = 64


class InputFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    WIRE = "wire"


@dataclass(frozen=True)
class IngestOptions:
    """How to read a batch. ``date`` gives wire datelines their year (else each
    file's modification date, UTC); ``language`` (default ``en``, or the
    article's when it exists) and ``subjects`` (default: the article's) apply to
    wire copy, which states neither. ``revive`` stores new content for a killed
    article instead of refusing it."""

    format: InputFormat = InputFormat.AUTO
    date: date | None = None
    language: str | None = None
    subjects: tuple[Subject, ...] = ()
    revive: bool = False


@dataclass(frozen=True)
class ParsedStory:
    """One file, parsed. ``year_source`` says where a wire dateline's year came
    from (empty for JSON); ``guid_given`` is False when the guid was minted;
    ``stated`` names the fields a JSON file gives (wire copy states none)."""

    path: str
    version: Version
    format: InputFormat
    guid_given: bool
    year_source: str = ""
    revived: bool = False
    stated: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StoredStory:
    """What storing one file did. When nothing was stored (``created`` False),
    ``version`` is the stored version the content matches and ``previous`` the
    latest. ``revived`` says a killed article was brought back; ``hold_reason``
    is why a stored version is held from feeds ("" when it is not)."""

    path: str
    guid: str
    version: int
    previous: int | None
    created: bool
    format: InputFormat
    year_source: str = ""
    revived: bool = False
    hold_reason: str = ""

    @property
    def action(self) -> str:
        """``new article``, ``new version`` or ``unchanged``."""
        if not self.created:
            return "unchanged"
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
        return batch_error(self.problems, len(self.stored) + len(self.problems))


def batch_error(problems: Sequence[InputProblem], total: int) -> InputError | None:
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


def read_story(
    path: Path, *, settings: Settings, options: IngestOptions
) -> ParsedStory:
    """Read and parse one file. Raises :class:`InputError` naming the file."""
    name = display_path(path)
    limit = settings.max_input_bytes
    try:
        # Opened without blocking and checked before reading: a FIFO put in
        # place of the file after the folder was listed must not hang ingest.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            kind = special_kind(info.st_mode)
            if kind or not stat.S_ISREG(info.st_mode):
                raise InputError(
                    f"not a regular file ({kind or 'a folder'}); nothing read",
                    path=name,
                )
            if info.st_size > limit:
                raise _too_big(name, info.st_size, limit)
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=name) from exc
    if len(raw) > limit:
        raise _too_big(name, len(raw), limit)
    try:
        modified: date | None = datetime.fromtimestamp(info.st_mtime, UTC).date()
    except (OverflowError, OSError, ValueError):
        modified = None  # a modification time no date can hold
    return parse_story(
        raw, path=name, settings=settings, options=options, file_date=modified
    )


def parse_story(
    raw: bytes,
    *,
    path: str,
    settings: Settings,
    options: IngestOptions,
    file_date: date | None,
) -> ParsedStory:
    """Parse the bytes of one story file (``path`` is only for messages).
    ``file_date`` gives wire copy its year when ``options`` has no date (None
    when the file's modification time is not a date)."""
    if len(raw) > settings.max_input_bytes:
        raise _too_big(path, len(raw), settings.max_input_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot "
            "be decoded; save the file as UTF-8",
            path=path,
            line=line,
        ) from exc
    stripped = text.strip()
    if not stripped:
        raise InputError("empty file: no story to ingest", path=path)
    declaration = _DECLARATION.search(text)
    if declaration:
        raise InputError(
            "DOCTYPE and ENTITY declarations are refused (XML is never parsed here); "
            "ingest takes the JSON article format or plain wire copy",
            path=path,
            line=text.count("\n", 0, declaration.start()) + 1,
        )
    if stripped.startswith("<"):
        raise InputError(
            "this looks like XML or HTML, which ingest does not take; use the JSON "
            "article format (schemas/article.schema.json) or plain wire copy",
            path=path,
            line=1,
        )
    chosen = options.format
    if chosen is InputFormat.AUTO:
        is_json = stripped[0] in "{[" or path.lower().endswith(".json")
        chosen = InputFormat.JSON if is_json else InputFormat.WIRE
    schema_path = _schema_file(settings.schemas_dir)
    if chosen is InputFormat.JSON:
        story = read_json(
            text,
            path=path,
            id_prefix=settings.agency.id_prefix,
            schema_path=schema_path,
        )
        version = check_rights(
            story.version,
            path=path,
            agency=settings.agency,
            marked=story.marked_credits,
        )
        guid_given = version.guid != mint_guid(
            settings.agency.id_prefix, version.first_created.date(), version.headline
        )
        return ParsedStory(path, version, chosen, guid_given, stated=story.stated)
    text, removed = strip_control_characters(text)
    if removed:
        log.warning("%s: removed %d control character(s)", path, removed)
    if options.date is not None:
        reference, source = options.date, f"--date {options.date.isoformat()}"
    elif file_date is not None:
        reference, source = file_date, f"the file's date {file_date.isoformat()}"
    else:
        raise InputError(
            "the file's modification time is not a date, and wire copy takes its "
            "year from it; give --date",
            path=path,
        )
    wire = read_wire(
        text,
        path=path,
        id_prefix=settings.agency.id_prefix,
        credit_line=settings.agency.credit_line,
        options=WireOptions(
            reference, source, options.language or "en", options.subjects
        ),
    )
    # JSON was held to the schema as written (normalising keeps it valid);
    # wire copy is held to it here, as the article it became.
    check_limits(wire.version, path=path, schema_path=schema_path)
    version = check_rights(
        wire.version,
        path=path,
        agency=settings.agency,
        credit_sentence=wire.credit_sentence,
    )
    return ParsedStory(path, version, chosen, False, f"year from {source}")


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
            pending.append(read_story(path, settings=settings, options=options))
            stories += 1
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
    becomes a problem of its file."""
    stories = [p for p in pending if isinstance(p, ParsedStory)]
    if not stories:
        return list(pending)
    guard = ReingestGuard(
        store, (s.version.guid for s in stories), revive=options.revive
    )
    decided: list[ParsedStory | InputProblem] = []
    for outcome in pending:
        if isinstance(outcome, InputProblem):
            decided.append(outcome)
            continue
        keep = kept_fields(
            outcome.stated,
            wire=outcome.format is InputFormat.WIRE,
            subjects_given=bool(options.subjects),
            language_given=options.language is not None,
        )
        guarded = guard.decide(outcome.version, path=outcome.path, keep=keep)
        if isinstance(guarded, InputProblem):
            decided.append(guarded)
        else:
            decided.append(
                replace(outcome, version=guarded.version, revived=guarded.revived)
            )
    return decided


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


@functools.lru_cache(maxsize=4)
def _schema_file(schemas_dir: Path) -> Path:
    """The article schema's path, one object per folder: the schema caches are
    keyed by it, and a Path hashes once (a new one per story cost more than
    checking the story against the schema)."""
    return schemas_dir / SCHEMA_FILE


def _too_big(path: str, size: int, limit: int) -> InputError:
    return InputError(
        f"file is {size} bytes, over the limit of {limit} bytes ([ingest] max_bytes)",
        path=path,
    )
