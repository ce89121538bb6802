"""Each item of our RSS, Atom and NewsML-G2 index documents checked once.

A feed and its archives carry the same stories, and feeds overlap: one item's
bytes stand in many documents (the renderers assemble documents from
remembered item bytes, see :mod:`syndication.render.assemble`). Every rule the
gate applies to an RSS item or Atom entry reads that item alone (its fields,
its body, the page the stylesheet makes of it) given the feed's credit line
and credit-paragraph policy; the rest (the feed's own elements, links, the
stylesheet instruction, Atom tombstones) stands in the document's head and
tail. So a document is checked as its head, the items not yet found valid in
the same setting, and its tail; when that passes, the whole document does,
and its new items are remembered. When it fails, the caller checks the whole
document, so problems name their true lines.

A NewsML-G2 index is a ``newsMessage`` whose ``itemSet`` holds the feed's
``newsItem``s, each the rules read alone as well; it keeps at least its first
item when checked, since IPTC's schema wants an ``itemSet`` to hold one.

Only documents we rendered take this way (:meth:`Gate.check`); a file from
elsewhere is checked whole. One rule looks across items,
``credit-line-matches`` against the first item's line, and only when no
credit line is expected: ours always expect the feed's. The embargo of each
item is the edition's check (``not-for-syndication``), made for every item.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from cachetools import LRUCache

from syndication.render.base import Pieces
from syndication.validate.report import GateReport
from syndication.validate.verdicts import StoredVerdicts

# How an item's first line starts in our pretty-printed documents, and where
# the items end (RSS: the channel's end; Atom: the first tombstone, else the
# feed's end).
_OPEN = {"rss": b"\n    <item>", "atom": b"\n  <entry", "newsml": b"\n    <newsItem"}
_ROOT = {"rss": b"\n<rss", "atom": b"\n<feed", "newsml": b"\n<newsMessage"}
_END = {
    "rss": (b"\n  </channel>",),
    "atom": (b"\n  <at:deleted-entry", b"\n</feed>"),
    "newsml": (b"\n  </itemSet>",),
}
FORMATS = tuple(_OPEN)
# Formats whose documents keep at least one item when checked.
_KEEP_ONE = frozenset({"newsml"})
# Items found valid (about 200 bytes a key): more than the distinct items of
# a full publish of the benchmark's 200 feeds and their archives.
PASSED_ITEMS_SIZE = 100_000


@dataclass(frozen=True)
class FeedParts:
    """A document cut at its items: ``head`` + ``items`` + ``tail`` is its bytes."""

    head: bytes
    items: tuple[bytes, ...]
    tail: bytes

    def with_items(self, items: tuple[bytes, ...]) -> bytes:
        return b"".join((self.head, *items, self.tail))


def cut(body: bytes, fmt: str) -> FeedParts | None:
    """``body`` cut at its items, or None when it has none (or is not shaped
    as our renderers write it)."""
    marker = _OPEN.get(fmt)
    if marker is None:
        return None
    start = body.find(marker)
    if start == -1:
        return None
    ends = [at for at in (body.find(end, start) for end in _END[fmt]) if at != -1]
    if not ends:
        return None
    end = min(ends)
    starts = [start]
    while (found := body.find(marker, starts[-1] + 1)) != -1 and found < end:
        starts.append(found)
    items = tuple(body[a + 1 : b + 1] for a, b in pairwise([*starts, end]))
    parts = FeedParts(body[: start + 1], items, body[end + 1 :])
    return parts if parts.with_items(items) == body else None


def laid_out(
    body: bytes, fmt: str, pieces: Pieces
) -> tuple[FeedParts, tuple[bytes, ...]] | None:
    """``body`` cut at ``pieces`` (its items as rendered, with their
    digests), or None unless they stand in it one after the other, from the
    first item on, byte for byte: then the pieces are the document's items
    and the digests theirs, as :func:`cut` and hashing would find them.
    Whatever follows the last piece is the tail, checked in every case."""
    marker = _OPEN.get(fmt)
    if marker is None or not pieces.items:
        return None
    start = body.find(marker)
    if start == -1:
        return None
    position = start + 1
    for piece in pieces.items:
        if not piece.startswith(marker[1:]) or not body.startswith(piece, position):
            return None
        position += len(piece)
    parts = FeedParts(body[: start + 1], pieces.items, body[position:])
    return parts, pieces.digests


class ItemsOnce:
    """Remembers the items found valid, by their bytes, the document's root
    element and the feed's credit settings; safe across threads."""

    def __init__(
        self, size: int = PASSED_ITEMS_SIZE, verdicts: StoredVerdicts | None = None
    ) -> None:
        """``verdicts``: those kept in the store (see
        :mod:`syndication.validate.verdicts`), asked about the items not
        found valid in this process, and told of those found valid."""
        self._passed: LRUCache[tuple[object, ...], bool] = LRUCache(size)
        self._lock = threading.Lock()
        self._verdicts = verdicts

    def check(
        self,
        body: bytes,
        fmt: str,
        setting: tuple[object, ...],
        check: Callable[[bytes], GateReport],
        pieces: Pieces | None = None,
    ) -> GateReport:
        """``check`` applied to ``body`` without the items already found valid
        under ``setting``; the whole ``body`` when that fails or it cannot be
        cut (so problems name their true lines). ``pieces``, the items the
        renderer assembled ``body`` from, spare cutting and hashing it when
        they stand in it exactly as given."""
        laid = laid_out(body, fmt, pieces) if pieces is not None else None
        if laid is not None:
            parts, digests = laid
        else:
            found = cut(body, fmt)
            if found is None:
                return check(body)
            parts = found
            digests = tuple(hashlib.sha256(item).digest() for item in parts.items)
        opens = parts.head.find(_ROOT[fmt])
        if opens == -1:
            return check(body)
        root = parts.head[opens : parts.head.find(b">", opens) + 1]
        context = (fmt, root, *setting)
        keys = [(digest, *context) for digest in digests]
        with self._lock:
            new = [
                (key, item)
                for key, item in zip(keys, parts.items, strict=True)
                if not self._passed.get(key, False)
            ]
        if new and self._verdicts is not None:
            kept = self._verdicts.known([key for key, _ in new])
            if kept:
                with self._lock:
                    for key in kept:
                        self._passed[key] = True
                new = [(key, item) for key, item in new if key not in kept]
        if not new and fmt in _KEEP_ONE:
            new = [(keys[0], parts.items[0])]
        report = check(parts.with_items(tuple(item for _, item in new)))
        if not report.ok:
            return check(body)
        with self._lock:
            for key, _ in new:
                self._passed[key] = True
        if self._verdicts is not None:
            self._verdicts.record([key for key, _ in new])
        return report
