"""The Destination interface: put, list, url, close. Local and S3 look identical
from publish.py; a destination never knows formats, only keys and bytes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import quote, unquote

from syndication.errors import DestinationError

_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
# A key segment's longest encoding: file systems allow 255 bytes a name, and a
# folder's temporary files add a suffix to it.
MAX_SEGMENT_LENGTH = 200
_BOUNDED_MARK = "~h"
_DIGEST_LENGTH = 32  # hex digits of SHA-256 (128 bits)

# A destination's ``item_documents`` option: one items folder at its root that
# every feed there shares, or each feed's own ``<feed>/items/``.
ItemDocuments = Literal["shared", "private"]
ITEM_DOCUMENTS_DEFAULT: ItemDocuments = "shared"
ITEM_DOCUMENTS_HELP = (
    "shared: one items/ folder at the root holds each item document once for "
    "every feed here; private: each feed keeps its own, in items/ in its folder."
)


@dataclass(frozen=True)
class PutResult:
    key: str
    etag: str
    size: int


@dataclass(frozen=True)
class StoredObject:
    """What a destination holds at ``key``, as one listing shows it: the size in
    bytes, the fingerprint :meth:`Destination.list` reports, and the SHA-256
    when the listing gives it ("" otherwise: S3 keeps it in metadata, read by
    :meth:`Destination.stored_sha256`)."""

    key: str
    size: int
    fingerprint: str
    sha256: str = ""


class Destination(Protocol):
    """Where documents go. ``public_base_url`` is empty when the destination has
    no public address (documents are then reached by presigned URL or path)."""

    name: str
    public_base_url: str
    # Whether url(expires_seconds=...) gives a presigned, expiring address.
    presigns: bool
    # Whether each listing is a request over the network (worth sending
    # several at once) rather than a look at a local folder.
    remote: bool
    # Whether fingerprint(body) is the body's SHA-256 (hex), which a document
    # already knows (Document.sha256), so it need not be hashed again.
    fingerprints_sha256: bool
    # Whether the feeds here share one items folder at the destination's root
    # (``item_documents = "shared"``) rather than each keeping its own
    # ``<feed>/items/`` (see syndication.shared_items).
    shared_items: bool

    def fingerprint(self, body: bytes) -> str:
        """What :meth:`list` reports for a key holding ``body`` (SHA-256 for a
        folder, the ETag for S3), so publishing can skip unchanged documents."""
        ...

    def put(
        self,
        key: str,
        body: bytes,
        *,
        content_type: str,
        cache_control: str,
        sha256: str,
        expected: str | None = None,
        durable: bool = True,
    ) -> PutResult:
        """Write ``body`` at ``key`` atomically (readers see old or new, never half).

        ``sha256`` is the body's SHA-256 (hex): S3 keeps it as the object's
        metadata and a folder remembers it for the file, so neither reads the
        document back to know what it holds.

        With ``durable=False`` the write may stay in memory until :meth:`sync`
        (a folder flushes many files to disk at once); publishing writes items
        that way and syncs before writing the indexes that reference them.

        ``expected`` makes the write conditional where the destination supports
        it: ``""`` means the key must not exist yet, a fingerprint (as
        :meth:`list` gave it) means the key must still hold that. A failed
        condition raises DestinationError with status 412 and writes nothing.
        """
        ...

    def list(self, prefix: str) -> dict[str, str]:
        """Every key under ``prefix`` → its fingerprint, in one listing."""
        ...

    def inventory(self, prefix: str) -> dict[str, StoredObject]:
        """Every key under ``prefix`` → what is there, in one listing (what
        verification compares with the ledger)."""
        ...

    def stored_sha256(self, key: str) -> str:
        """The SHA-256 of the document at ``key`` as the destination keeps it:
        a folder hashes the file, S3 reads the object's ``sha256`` metadata (one
        HEAD request). "" when the object carries none; DestinationError when
        the key holds nothing."""
        ...

    def sync(self) -> None:
        """Make every write so far durable."""
        ...

    def remove_leftovers(self, prefix: str) -> int:
        """Remove what an interrupted write left under ``prefix`` (a folder's
        temporary files); how many were removed."""
        ...

    def delete(self, keys: Sequence[str]) -> None:
        """Remove ``keys`` (withdrawal). A key that holds nothing is no error;
        a key that could not be removed raises DestinationError naming it."""
        ...

    def missing(self, keys: Sequence[str]) -> tuple[str, ...]:
        """Those of ``keys`` that hold no document (cheaper than :meth:`list`:
        no fingerprints, and only the folders the keys are in)."""
        ...

    def url(self, key: str, *, expires_seconds: int | None = None) -> str:
        """The public URL of ``key`` (or a presigned one when ``expires_seconds``)."""
        ...

    def close(self) -> None: ...


def encode_segment(text: str) -> str:
    """Encode an article id or name as one safe key segment of at most
    :data:`MAX_SEGMENT_LENGTH` bytes.

    Percent-encodes everything but letters, digits, ``-``, ``_`` and ``.``, so no
    ``/`` survives; ``.`` and ``..`` alone are encoded too. The result can never
    leave the folder it is placed in. ``%`` then becomes ``~`` (safe in every
    store's keys and URLs), so ``~`` itself must be encoded first (``quote``
    leaves it alone): otherwise ``%41`` and ``~2541`` would share one key and two
    articles one folder.

    A text whose encoding is longer than :data:`MAX_SEGMENT_LENGTH` (a 256-letter
    id, or 34 accented letters) would make a file name over the 255 bytes file
    systems allow: its segment is the encoding of as much of its start as fits,
    then ``~h`` and 32 hex digits of its SHA-256. A plain encoding never holds
    ``~h`` (its ``~`` is always followed by two upper-case hex digits), so a
    bounded segment never equals a plain one, and shorter texts keep the keys
    they always had. Distinct texts give distinct segments.
    """
    encoded = _plain_encoding(text)
    if not encoded:
        raise DestinationError("empty key segment")
    if len(encoded) <= MAX_SEGMENT_LENGTH:
        return "~2E" * len(encoded) if encoded in {".", ".."} else encoded
    budget = MAX_SEGMENT_LENGTH - len(_BOUNDED_MARK) - _DIGEST_LENGTH
    start: list[str] = []
    for character in text:
        piece = _plain_encoding(character)
        budget -= len(piece)
        if budget < 0:
            break
        start.append(piece)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]
    return f"{''.join(start)}{_BOUNDED_MARK}{digest}"


def decode_segment(segment: str) -> str | None:
    """The text :func:`encode_segment` encoded, or None when ``segment`` is a
    long text's bounded segment, which names its text without holding it
    (:func:`segment_start` gives the start it shows)."""
    if _BOUNDED_MARK in segment:
        return None
    return unquote(segment.replace("~", "%"))


def segment_start(segment: str) -> str:
    """The start of the text a bounded segment shows (the whole text of a
    plain one): every text that encodes to ``segment`` begins with it."""
    shown, _mark, _digest = segment.partition(_BOUNDED_MARK)
    return unquote(shown.replace("~", "%"))


def _plain_encoding(text: str) -> str:
    return quote(text, safe="-_").replace("~", "%7E").replace("%", "~")


def join_key(*segments: str) -> str:
    """Join already-safe segments with ``/``, refusing anything that could escape."""
    parts: list[str] = []
    for segment in segments:
        for part in segment.split("/"):
            if not part or part in {".", ".."} or not _SEGMENT.match(part):
                raise DestinationError(f"unsafe key segment {part!r} in {segments!r}")
            parts.append(part)
    return "/".join(parts)
