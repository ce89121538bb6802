"""What reading one file gives: the input formats, how a batch is read, and
each story a file holds as parsed (before the re-ingest guard and the store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from syndication.articles.model import Subject, Version


class InputFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    WIRE = "wire"
    NEWSML = "newsml"
    NINJS = "ninjs"


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
    """One story of a file, parsed. ``year_source`` says where a wire
    dateline's year came from (empty for the other formats); ``guid_given`` is
    False when the guid was minted; ``stated`` names the fields a JSON file
    gives (wire copy states none); ``unstated`` names those the format could
    not state, which a new version takes from the article's latest
    (NewsML-G2 and ninjs: see items.py).

    ``is_kill`` marks a NewsML-G2 or ninjs item with pubStatus ``canceled``:
    only its guid, time and note (``version.ed_note``, the reason) count, and
    the article's latest version is killed (see guard.py).
    ``alternates`` are the same story as it may have been stored when the
    file is one of our own published documents, where the format leaves a
    doubt (the body with the agency's own credit paragraph kept, as ingest
    keeps it; where ninjs ``usageTerms`` split into a feed's credit line and
    the story's terms): one that matches a stored version is taken instead,
    so re-ingesting our output stores nothing."""

    path: str
    version: Version
    format: InputFormat
    guid_given: bool
    year_source: str = ""
    revived: bool = False
    stated: frozenset[str] = frozenset()
    unstated: frozenset[str] = frozenset()
    is_kill: bool = False
    alternates: tuple[Version, ...] = ()
