"""Renderer interface and the values that flow through rendering.

An :class:`Edition` is what one feed carries at one moment, credits already
decided by :mod:`syndication.credit`. A :class:`Renderer` turns it into
:class:`Document` values. Renderers are pure: the same edition gives the same
bytes (no clock, no randomness, no dict-order dependence); they never touch the
store or a destination.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

from syndication.articles.model import Version, hash_once
from syndication.config import Agency
from syndication.feeds import FeedDefinition


@dataclass(frozen=True)
class Credit:
    """The credit and rights one item carries in one feed (see credit.py)."""

    line: str
    copyright_holder: str
    copyright_notice: str
    usage_terms: str
    append_paragraph: bool

    @property
    def rights(self) -> str:
        """The rights statement (RSS ``copyright`` and ``dc:rights``, Atom feed
        ``rights``): the credit line and the copyright notice as two sentences."""
        return join_sentences(self.line, self.copyright_notice)


# What may end a sentence: its punctuation, then closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*\Z")


def join_sentences(first: str, second: str) -> str:
    """``first`` and ``second`` as two sentences: a full stop ends ``first``
    unless it already ends as a sentence (``Visit news.trust.org`` +
    ``Copyright © X.`` → ``Visit news.trust.org. Copyright © X.``)."""
    first, second = first.strip(), second.strip()
    if not (first and second):
        return first or second
    stop = "" if _SENTENCE_END.search(first) else "."
    return f"{first}{stop} {second}"


@hash_once
@dataclass(frozen=True)
class Item:
    """One article version as a feed carries it: ``body`` already ends with the
    credit paragraph when the feed's policy says so."""

    version: Version
    credit: Credit
    body: str


@dataclass(frozen=True)
class History:
    """Where a feed document stands among its RFC 5005 archives (see
    :mod:`syndication.render.history`).

    ``archive`` is the period this document archives (its ident; '' for the
    subscription document, the feed itself), ``prev_archive`` the period of
    the archive before it ('' when there is none). ``base_url`` is the public
    address of the feed's folder, ending with ``/`` ('' when none is known:
    links are then relative). ``state`` names the archive settings and the
    current period, for fingerprints only.
    """

    archive: str = ""
    prev_archive: str = ""
    base_url: str = ""
    state: str = ""

    @property
    def folder(self) -> str:
        """The document's folder relative to the feed's ('' for the feed's
        own documents)."""
        return f"{ARCHIVE_FOLDER}/{self.archive}" if self.archive else ""

    def key(self, file_name: str) -> str:
        """The key of the document named ``file_name`` in this folder."""
        return f"{self.folder}/{file_name}" if self.archive else file_name


# The folder, inside a feed's, of its archive documents (one folder a period).
ARCHIVE_FOLDER = "archive"


@dataclass(frozen=True)
class Edition:
    """A feed's content at ``at``: items newest first, and killed articles
    (``canceled``) for Atom tombstones and NewsML-G2 canceled items.

    ``self_urls`` maps a format name to the public address of that document, for
    ``atom:link rel="self"``; ``hub_url`` is the WebSub hub, if any;
    ``history`` its place among the feed's archives (RSS and Atom), if any.
    """

    feed: FeedDefinition
    agency: Agency
    at: datetime
    items: tuple[Item, ...]
    canceled: tuple[Item, ...] = ()
    self_urls: Mapping[str, str] = field(default_factory=dict)
    hub_url: str = ""
    history: History | None = None

    @property
    def is_archive(self) -> bool:
        """Whether this edition is one closed period's archive (RFC 5005)."""
        return self.history is not None and bool(self.history.archive)


@dataclass(frozen=True)
class Pieces:
    """The items an index document was assembled from, in order: each the
    exact bytes it stands as in the document, and the SHA-256 of those bytes
    (computed once, when the piece was rendered), so the gate finds the items
    it already knows without cutting and hashing the document again."""

    items: tuple[bytes, ...]
    digests: tuple[bytes, ...]

    @classmethod
    def of(cls, fragments: Sequence[tuple[bytes, bytes]]) -> Pieces:
        """From (bytes, SHA-256) pairs, in order."""
        return cls(
            tuple(piece for piece, _ in fragments),
            tuple(digest for _, digest in fragments),
        )


@dataclass(frozen=True)
class Document:
    """One rendered file. ``key`` is relative to the feed's prefix (``rss.xml``,
    ``items/<encoded-guid>/v3.xml``); ``is_index`` marks documents that reference
    others (written last); ``is_archive`` marks an archive document
    (``archive/<period>/rss.xml``), written after the items and before the
    indexes."""

    feed_id: str
    key: str
    format: str
    content_type: str
    body: bytes
    is_index: bool = True
    is_archive: bool = False
    pieces: Pieces | None = field(default=None, compare=False, repr=False)
    # An item document's credit variant ('' for the agency's own credit; see
    # credit.credit_variant); ``shared``: an item document placed in its
    # destination's shared items folder, whose ``key`` is then relative to
    # the destination's root (see shared_items.py).
    variant: str = ""
    shared: bool = False

    @property
    def rank(self) -> int:
        """When the document is written: items (0), archives (1), indexes (2)."""
        return 2 if self.is_index else int(self.is_archive)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


class Renderer(Protocol):
    """Renders an edition in one format."""

    format: str
    content_type: str
    file_name: str

    def render(self, edition: Edition) -> list[Document]: ...


def index_document(
    renderer: Renderer, edition: Edition, body: bytes, pieces: Pieces | None = None
) -> Document:
    """The one index document a single-file renderer (RSS, Atom) produces; for
    an archive edition, that period's archive document (not an index: it is
    written before the indexes that link to it)."""
    history = edition.history
    archive = edition.is_archive
    return Document(
        feed_id=edition.feed.feed_id,
        key=history.key(renderer.file_name) if history else renderer.file_name,
        format=renderer.format,
        content_type=renderer.content_type,
        body=body,
        is_index=not archive,
        is_archive=archive,
        pieces=pieces,
    )
