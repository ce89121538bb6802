"""Index documents assembled from remembered item bytes.

A feed document is a head (the channel or feed metadata), its items, and a
tail. Pretty-printed XML indents an element by its depth alone, so an item
serialized inside one feed is the same bytes inside any other feed whose root
declares the same namespaces. Each item's bytes are therefore kept (keyed by
the item, the agency and the root element's start tag) and a feed is rendered
as its head and tail (rendered with no items) around the items' bytes; only
items not seen yet are rendered, together, and cut apart.

Safe by construction: the cut is checked against the item-less rendering
(same head, same tail, one piece per item) and on any mismatch the document
is rendered whole.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence

from cachetools import LRUCache

from syndication.config import Agency
from syndication.memory import cache_entries
from syndication.render.base import Edition, Item, Pieces

# (item, agency, root start tag) → the item's bytes (about 7.5 KB), least
# recently used dropped first, per format; sized with credit.ITEM_CACHE_SIZE
# (memory, not hits).
FRAGMENT_CACHE_SIZE = 3072

RenderItems = Callable[[Edition, Sequence[Item]], bytes]
# An item's bytes and their SHA-256.
Fragment = tuple[bytes, bytes]


class Assembler:
    """Renders one format's documents from remembered item bytes.

    ``render(edition, items)`` renders the edition's metadata with just
    ``items``; ``item_open`` is how an item's first line starts (``    <item>``);
    ``insertion(shell)`` finds where items go in a rendering without items.
    """

    def __init__(
        self,
        render: RenderItems,
        item_open: bytes,
        insertion: Callable[[bytes], int],
    ) -> None:
        self._render = render
        self._item_open = item_open
        self._insertion = insertion
        self._fragments: LRUCache[tuple[Item, Agency, bytes], Fragment] = LRUCache(
            cache_entries(FRAGMENT_CACHE_SIZE)
        )
        self._lock = threading.Lock()  # renderers run on the publisher's threads

    def render(self, edition: Edition) -> tuple[bytes, Pieces | None]:
        """The document, and the pieces its items stand as in it (None when
        it was rendered whole)."""
        items = edition.items
        if not items:
            return self._render(edition, items), None
        shell = self._render(edition, ())
        root = _root_tag(shell)
        at = self._insertion(shell)
        head, tail = shell[:at], shell[at:]
        keys = [(item, edition.agency, root) for item in items]
        with self._lock:
            found = [self._fragments.get(key) for key in keys]
        missing = [key[0] for key, value in zip(keys, found, strict=True) if not value]
        if missing:
            cut = self._cut(self._render(edition, missing), head, tail, missing)
            if cut is None:
                return self._render(edition, items), None  # not as expected: whole
            fresh = {
                (item, edition.agency, root): (piece, hashlib.sha256(piece).digest())
                for item, piece in zip(missing, cut, strict=True)
            }
            found = [
                value or fresh[key] for key, value in zip(keys, found, strict=True)
            ]
            self._remember(fresh)
        pieces = Pieces.of([value for value in found if value is not None])
        return b"".join((head, *pieces.items, tail)), pieces

    def _cut(
        self, document: bytes, head: bytes, tail: bytes, items: Sequence[Item]
    ) -> list[bytes] | None:
        """``document`` (head, the items, tail) cut into one piece per item;
        None unless it is exactly that."""
        if not (document.startswith(head) and document.endswith(tail)):
            return None
        middle = document[len(head) : len(document) - len(tail)]
        if not middle.startswith(self._item_open):
            return None
        starts = [0]
        marker = b"\n" + self._item_open
        position = middle.find(marker)
        while position != -1:
            starts.append(position + 1)
            position = middle.find(marker, position + 1)
        if len(starts) != len(items):
            return None
        ends = [*starts[1:], len(middle)]
        return [middle[start:end] for start, end in zip(starts, ends, strict=True)]

    def _remember(self, fresh: dict[tuple[Item, Agency, bytes], Fragment]) -> None:
        with self._lock:
            self._fragments.update(fresh)


def _root_tag(document: bytes) -> bytes:
    """The root element's start tag (after the XML declaration)."""
    start = document.index(b"<", document.index(b"?>") + 2)
    return document[start : document.index(b">", start) + 1]
