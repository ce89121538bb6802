"""Shared item documents: one items folder per destination, each document once.

At a destination whose ``item_documents`` is ``shared`` (a
``[destinations.NAME]`` option), the NewsML-G2 and ninjs item documents of
every feed there go to one folder at the destination's root::

    items/<encoded guid>/v<N>.xml            the agency's own credit
    items/<encoded guid>/v<N>.<variant>.xml  a feed's own credit line or
                                             paragraph policy (ninjs: .json)

An item document's bytes depend only on its version, its credit variant and
the agency, so a story carried by 40 feeds is rendered, written and uploaded
once (see :func:`syndication.credit.credit_variant`). ``private`` keeps each
feed's own ``<feed>/items/<encoded guid>/v<N>.xml``, as before.

Whether a shared document may stay public depends on its version alone (the
rule of :func:`syndication.withdraw.refusal`: a kill, a newer version, an
embargo, a hold withdraws it), never on which feeds carry it, so no reference
count is needed: every run that writes an article's documents, and every run
of a feed that carried an article whose state moved since, lists that
article's folder here and withdraws what may no longer be public. A run
judges its own articles after its own writes, so a run that wrote a version
just killed by another removes it again itself.

Whether a document is there already is read from the folders themselves (one
listing per article, concurrent for a remote destination), except for what
the feed's last edition carried, with the same settings, of articles that
have not moved since, while the feed's folder still holds its indexes: those
documents stand as that run left them, since a version leaves the shared
folder only when its article moves. A document removed by hand is therefore
written again when its article next moves, by ``publish --force``, or by
``verify --repair`` (see verify.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace

from syndication.destinations.base import Destination, encode_segment, join_key
from syndication.render.base import Document
from syndication.withdraw import ITEM_KEY

# The shared folder at a destination's root (a feed's folder may not be it;
# see feed_paths.FACE_NAMES).
SHARED_FOLDER = "items"
# Why a feed's own copy goes once its destination shares item documents.
MOVED = "item documents are shared in items/ at the destination's root"
# How long a finished write is remembered for runs whose listing began before
# it finished (far longer than a run takes from listing to writing).
_REMEMBERED_SECONDS = 120.0


def shared_key(document: Document) -> str:
    """Where ``document`` (an item document, ``items/<segment>/v<N>.<ext>``
    relative to its feed's folder) stands in the shared folder."""
    folder, _, name = document.key.rpartition("/")
    if document.variant:
        stem, _, extension = name.rpartition(".")
        name = f"{stem}.{document.variant}.{extension}"
    return f"{folder}/{name}"


def placed(documents: Sequence[Document], shared: bool) -> list[Document]:
    """``documents`` with each item document moved to the shared folder when
    ``shared``; indexes and archives stay in the feed's folder."""
    if not shared:
        return list(documents)
    moved = []
    for document in documents:
        if not _is_item(document):
            moved.append(document)
            continue
        relocated = replace(document, key=shared_key(document), shared=True)
        if "sha256" in document.__dict__:  # computed once: carried over
            relocated.__dict__["sha256"] = document.__dict__["sha256"]
        moved.append(relocated)
    return moved


def _is_item(document: Document) -> bool:
    """An item document in its feed's folder (not an index, an archive or the
    feeds' stylesheet)."""
    return not (
        document.is_index or document.is_archive or document.shared
    ) and document.key.startswith(f"{SHARED_FOLDER}/")


def kept_shared(
    documents: Sequence[Document], unmoved: Collection[tuple[str, int]]
) -> frozenset[str]:
    """The keys of the shared item documents among ``documents`` of the
    article versions in ``unmoved``: carried by the feed's last edition, with
    the same settings, and not moved since. Such a document is at the
    destination as that run left it (a version leaves the shared folder only
    when its article moves), so it is neither listed, written nor checked
    again."""
    if not unmoved:
        return frozenset()
    by_segment: dict[str, set[int]] = {}
    for guid, number in unmoved:
        by_segment.setdefault(encode_segment(guid), set()).add(number)
    kept = set()
    for document in documents:
        match = ITEM_KEY.match(document.key) if document.shared else None
        if match and int(match.group(2)) in by_segment.get(match.group(1), ()):
            kept.add(document.key)
    return frozenset(kept)


def full_key(prefix: str, document: Document) -> str:
    """A document's key at its destination: a shared item document's own,
    any other under its feed's folder ``prefix``."""
    return document.key if document.shared else join_key(prefix, document.key)


def article_folder(guid: str) -> str:
    """An article's folder in the shared folder."""
    return join_key(SHARED_FOLDER, encode_segment(guid))


def listing(
    target: Destination,
    guids: Iterable[str],
    pool: Callable[[], Executor] | None = None,
) -> dict[str, str]:
    """What the shared folder holds for ``guids``: key → fingerprint, one
    listing per article (side by side in ``pool`` for a remote
    destination)."""
    folders = sorted({article_folder(guid) for guid in guids})
    found: dict[str, str] = {}
    if target.remote and pool is not None and len(folders) > 1:
        listings: Iterable[Mapping[str, str]] = pool().map(target.list, folders)
    else:
        listings = map(target.list, folders)
    for one in listings:
        found.update(one)
    return found


class SharedWrites:
    """The shared item documents this process is writing, or wrote moments
    ago, so that runs side by side (a push publishes its feeds concurrently,
    each listing the new story's folder before any has written it) write
    each document once: a run that finds another writing the same bytes at
    the same key waits for it instead (and writes it itself only if that
    write failed), and one whose listing began before another run finished
    writing those bytes there takes them as found. Safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writing: dict[tuple[str, str], _Writing] = {}
        # (destination, key) → (SHA-256, when its write finished: monotonic)
        self._written: dict[tuple[str, str], tuple[str, float]] = {}

    def claim(
        self, destination: str, documents: Sequence[Document], listed_at: float
    ) -> tuple[list[Document], list[tuple[Document, _Writing]]]:
        """Split ``documents`` into those this run writes (claimed: call
        :meth:`release` after) and the shared ones another run is writing
        now, or finished writing since ``listed_at`` (``time.monotonic()``
        when this run began listing the shared folders), with the same
        bytes, each with what to wait on."""
        mine: list[Document] = []
        theirs: list[tuple[Document, _Writing]] = []
        now = time.monotonic()
        with self._lock:
            for where, (_, finished) in list(self._written.items()):
                if now - finished > _REMEMBERED_SECONDS:
                    del self._written[where]
            for document in documents:
                if not document.shared:
                    mine.append(document)
                    continue
                where = (destination, document.key)
                writing = self._writing.get(where)
                written = self._written.get(where)
                if writing is not None:
                    if writing.sha256 == document.sha256:
                        theirs.append((document, writing))
                    else:  # other bytes at the same key (settings just changed)
                        mine.append(document)
                elif (
                    written is not None
                    and written[0] == document.sha256
                    and written[1] >= listed_at
                ):
                    theirs.append((document, _Writing.finished(document.sha256)))
                else:
                    self._writing[where] = _Writing(document.sha256)
                    mine.append(document)
        return mine, theirs

    def release(
        self, destination: str, claimed: Sequence[Document], written: Collection[str]
    ) -> None:
        """The claimed documents are done: those whose full key is in
        ``written`` are at the destination, the others failed."""
        with self._lock:
            for document in claimed:
                where = (destination, document.key)
                writing = self._writing.get(where) if document.shared else None
                if writing is None or writing.sha256 != document.sha256:
                    continue
                del self._writing[where]
                writing.ok = document.key in written
                writing.done.set()
                if writing.ok:
                    self._written[where] = (document.sha256, time.monotonic())

    @staticmethod
    def wait(theirs: Sequence[tuple[Document, _Writing]]) -> list[Document]:
        """Wait for the other runs' writes; the documents whose write failed
        (this run writes them itself)."""
        failed = []
        for document, writing in theirs:
            writing.done.wait()
            if not writing.ok:
                failed.append(document)
        return failed


class _Writing:
    """One run's write of a shared document: its bytes' SHA-256, set
    ``done`` when it ended, ``ok`` when it succeeded."""

    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        self.done = threading.Event()
        self.ok = False

    @classmethod
    def finished(cls, sha256: str) -> _Writing:
        writing = cls(sha256)
        writing.ok = True
        writing.done.set()
        return writing
