"""One file → its parsed stories: read within the size limit, checked (UTF-8,
no DOCTYPE or ENTITY declaration), its format detected and read by that
format's module.

Detection (``--format auto``): XML (the text opens with ``<``) is NewsML-G2,
which refuses any other root; JSON (it opens with ``{`` or ``[``, or the name
ends in ``.json``) is ninjs when it has a property only ninjs has and none the
article format requires, else the JSON article format; anything else is wire
copy.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import stat
from datetime import UTC, date, datetime
from pathlib import Path

from syndication.articles.ingest.guid import mint_guid
from syndication.articles.ingest.json_format import SCHEMA_FILE, read_json
from syndication.articles.ingest.limits import check_limits
from syndication.articles.ingest.newsml import read_newsml
from syndication.articles.ingest.ninjs import is_ninjs, read_ninjs
from syndication.articles.ingest.parsed import IngestOptions, InputFormat, ParsedStory
from syndication.articles.ingest.paths import display_path, special_kind
from syndication.articles.ingest.rights import check_rights
from syndication.articles.ingest.wire import WireOptions, read_wire
from syndication.articles.sanitize import strip_control_characters
from syndication.config import Settings
from syndication.errors import InputError

log = logging.getLogger(__name__)

_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)\b", re.IGNORECASE)
_FORMATS = "NewsML-G2, ninjs, the JSON article format or plain wire copy"


def read_stories(
    path: Path, *, settings: Settings, options: IngestOptions
) -> list[ParsedStory]:
    """Read and parse one file: its stories, in order (a NewsML-G2
    newsMessage holds several). Raises :class:`InputError` naming the file."""
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
                raise too_big(name, info.st_size, limit)
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=name) from exc
    if len(raw) > limit:
        raise too_big(name, len(raw), limit)
    try:
        modified: date | None = datetime.fromtimestamp(info.st_mtime, UTC).date()
    except (OverflowError, OSError, ValueError):
        modified = None  # a modification time no date can hold
    return parse_stories(
        raw, path=name, settings=settings, options=options, file_date=modified
    )


def read_story(
    path: Path, *, settings: Settings, options: IngestOptions
) -> ParsedStory:
    """:func:`read_stories` for a file that must hold one story, not a kill."""
    return _one(
        read_stories(path, settings=settings, options=options), display_path(path)
    )


def parse_story(
    raw: bytes,
    *,
    path: str,
    settings: Settings,
    options: IngestOptions,
    file_date: date | None,
) -> ParsedStory:
    """:func:`parse_stories` for bytes that must hold one story, not a kill."""
    stories = parse_stories(
        raw, path=path, settings=settings, options=options, file_date=file_date
    )
    return _one(stories, path)


def parse_stories(
    raw: bytes,
    *,
    path: str,
    settings: Settings,
    options: IngestOptions,
    file_date: date | None,
) -> list[ParsedStory]:
    """Parse the bytes of one story file (``path`` is only for messages).
    ``file_date`` gives wire copy its year when ``options`` has no date (None
    when the file's modification time is not a date)."""
    if len(raw) > settings.max_input_bytes:
        raise too_big(path, len(raw), settings.max_input_bytes)
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
            "DOCTYPE and ENTITY declarations are refused (DTDs and entities are "
            f"never read); ingest takes {_FORMATS}",
            path=path,
            line=text.count("\n", 0, declaration.start()) + 1,
        )
    chosen = options.format
    if chosen is InputFormat.AUTO:
        chosen = _detect(stripped, path)
    schema_path = _schema_file(settings.schemas_dir)
    agency = settings.agency
    if chosen is InputFormat.NEWSML:
        return read_newsml(text, path=path, agency=agency, schema_path=schema_path)
    if stripped.startswith("<"):
        raise InputError(
            f"this looks like XML or HTML, not {chosen.value}; NewsML-G2 is read with "
            "--format newsml (or auto)",
            path=path,
            line=1,
        )
    if chosen is InputFormat.NINJS:
        return read_ninjs(text, path=path, agency=agency, schema_path=schema_path)
    if chosen is InputFormat.JSON:
        story = read_json(
            text, path=path, id_prefix=agency.id_prefix, schema_path=schema_path
        )
        version = check_rights(
            story.version, path=path, agency=agency, marked=story.marked_credits
        )
        guid_given = version.guid != mint_guid(
            agency.id_prefix, version.first_created.date(), version.headline
        )
        return [ParsedStory(path, version, chosen, guid_given, stated=story.stated)]
    return [_wire_story(text, path, settings, options, file_date, schema_path)]


def _detect(stripped: str, path: str) -> InputFormat:
    if stripped.startswith("<"):
        return InputFormat.NEWSML
    if stripped[0] in "{[" or path.lower().endswith(".json"):
        return InputFormat.NINJS if is_ninjs(stripped) else InputFormat.JSON
    return InputFormat.WIRE


def _wire_story(
    text: str,
    path: str,
    settings: Settings,
    options: IngestOptions,
    file_date: date | None,
    schema_path: Path,
) -> ParsedStory:
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
    return ParsedStory(path, version, InputFormat.WIRE, False, f"year from {source}")


def _one(stories: list[ParsedStory], path: str) -> ParsedStory:
    if len(stories) != 1:
        raise InputError(
            f"the file holds {len(stories)} stories; give a file of one", path=path
        )
    (story,) = stories
    if story.is_kill:
        raise InputError(
            f"the file cancels article {story.version.guid} (pubStatus canceled); "
            "ingest it, or use syndication articles kill",
            path=path,
        )
    return story


@functools.lru_cache(maxsize=4)
def _schema_file(schemas_dir: Path) -> Path:
    """The article schema's path, one object per folder: the schema caches are
    keyed by it, and a Path hashes once (a new one per story cost more than
    checking the story against the schema)."""
    return schemas_dir / SCHEMA_FILE


def too_big(path: str, size: int, limit: int) -> InputError:
    return InputError(
        f"file is {size} bytes, over the limit of {limit} bytes ([ingest] max_bytes)",
        path=path,
    )
