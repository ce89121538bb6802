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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

from syndication.articles.model import Version
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


@dataclass(frozen=True)
class Item:
    """One article version as a feed carries it: ``body`` already ends with the
    credit paragraph when the feed's policy says so."""

    version: Version
    credit: Credit
    body: str


@dataclass(frozen=True)
class Edition:
    """A feed's content at ``at``: items newest first, and killed articles
    (``canceled``) for Atom tombstones and NewsML-G2 canceled items.

    ``self_urls`` maps a format name to the public address of that document, for
    ``atom:link rel="self"``; ``hub_url`` is the WebSub hub, if any.
    """

    feed: FeedDefinition
    agency: Agency
    at: datetime
    items: tuple[Item, ...]
    canceled: tuple[Item, ...] = ()
    self_urls: Mapping[str, str] = field(default_factory=dict)
    hub_url: str = ""


@dataclass(frozen=True)
class Document:
    """One rendered file. ``key`` is relative to the feed's prefix (``rss.xml``,
    ``items/<encoded-guid>/v3.xml``); ``is_index`` marks documents that reference
    others (written last)."""

    feed_id: str
    key: str
    format: str
    content_type: str
    body: bytes
    is_index: bool = True

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


class Renderer(Protocol):
    """Renders an edition in one format."""

    format: str
    content_type: str
    file_name: str

    def render(self, edition: Edition) -> list[Document]: ...


def index_document(renderer: Renderer, edition: Edition, body: bytes) -> Document:
    """The one index document a single-file renderer (RSS, Atom) produces."""
    return Document(
        feed_id=edition.feed.feed_id,
        key=renderer.file_name,
        format=renderer.format,
        content_type=renderer.content_type,
        body=body,
        is_index=True,
    )
