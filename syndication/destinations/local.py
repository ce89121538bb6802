"""LocalDestination: a folder laid out exactly like the S3 bucket.

Each write goes to a temporary file in the same folder, is flushed to disk and
renamed over the target (rename is atomic on POSIX), so a reader sees the old
document or the new one, never a part. A ``.sha256`` sidecar file is not used:
the SHA-256 of what is there is computed from the bytes on :meth:`list`.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

from syndication.definitions import HttpUrl, Table, check, text
from syndication.destinations.base import (
    ITEM_DOCUMENTS_DEFAULT,
    ITEM_DOCUMENTS_HELP,
    ItemDocuments,
    PutResult,
    StoredObject,
    join_key,
)
from syndication.errors import ConfigError, DestinationError

# Files flushed at once by sync(): the disk takes several flushes together.
SYNC_THREADS = 8


class LocalOptions(Table):
    """A ``[destinations.NAME]`` table of type ``local``."""

    # Folders the site configuration makes absolute against its own folder.
    local_paths: ClassVar[tuple[str, ...]] = ("path",)

    path: Annotated[str, AfterValidator(text(4096))] = Field(
        default="public",
        description="The folder documents are written under, relative to the "
        "configuration file's folder.",
    )
    public_base_url: HttpUrl = Field(
        default="", description="Address partners read the folder at (for url)."
    )
    item_documents: ItemDocuments = Field(
        default=ITEM_DOCUMENTS_DEFAULT, description=ITEM_DOCUMENTS_HELP
    )

    def root(self) -> tuple[str, ...]:
        """Where it writes: the folder, absolute (the configuration resolves a
        relative one against its file's folder), compared without case."""
        folder = Path(self.path).resolve()
        return ("local", *(part.casefold() for part in folder.parts))


class LocalDestination:
    """Documents under ``root``; ``public_base_url`` (optional) for their URLs."""

    presigns = False
    remote = False
    fingerprints_sha256 = True

    @classmethod
    def from_options(
        cls, name: str, options: Mapping[str, Any] | LocalOptions
    ) -> LocalDestination:
        """From a ``[destinations.NAME]`` table's options. Raises ConfigError."""
        if not isinstance(options, LocalOptions):
            checked, problems = check(
                LocalOptions, options, "", prefix=("destinations", name)
            )
            if checked is None:
                raise ConfigError.from_problems(problems)
            options = checked
        return cls(
            name,
            Path(options.path),
            options.public_base_url,
            shared_items=options.item_documents == "shared",
        )

    def __init__(
        self,
        name: str,
        root: Path | str,
        public_base_url: str = "",
        *,
        shared_items: bool = ITEM_DOCUMENTS_DEFAULT == "shared",
    ) -> None:
        self.name = name
        self.shared_items = shared_items
        self.root = Path(root)
        self.public_base_url = public_base_url.rstrip("/")
        self._digests: dict[str, tuple[tuple[int, int, int, int], str]] = {}
        self._unsynced: list[Path] = []
        self._unsynced_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def fingerprint(self, body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*join_key(key).split("/"))

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
        target = self._path(key)
        if expected is not None:
            self._check_expected(target, key, expected)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(body)
                    handle.flush()
                    if durable:
                        os.fsync(handle.fileno())
                os.chmod(temp, 0o644)
                os.replace(temp, target)
                self._remember(target, sha256)
                if not durable:
                    with self._unsynced_lock:
                        self._unsynced.append(target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DestinationError(
                f"cannot write: {exc.strerror}", destination=self.name, key=key
            ) from exc
        return PutResult(key=key, etag=sha256, size=len(body))

    def sync(self) -> None:
        """Flush to disk every file written with ``durable=False``: one pass
        after many writes costs about half of flushing each as it is written,
        because the disk takes them together."""
        with self._unsynced_lock:
            paths, self._unsynced = self._unsynced, []
            if self._pool is None and len(paths) > 1:
                self._pool = ThreadPoolExecutor(SYNC_THREADS, "fsync")
        if self._pool is None:
            for path in paths:
                self._fsync(path)
        else:
            list(self._pool.map(self._fsync, paths))

    def remove_leftovers(self, prefix: str) -> int:
        """Remove the ``.tmp-*`` files a write killed before its rename left."""
        base = self._path(prefix) if prefix else self.root
        removed = 0
        if not base.is_dir():
            return removed
        for path in base.rglob(".tmp-*"):
            try:
                path.unlink()
                removed += 1
            except OSError as exc:
                raise DestinationError(
                    f"cannot remove a leftover temporary file: {exc.strerror}",
                    destination=self.name,
                    key=path.relative_to(self.root).as_posix(),
                ) from exc
        return removed

    def delete(self, keys: Sequence[str]) -> None:
        """Unlink each file, then remove the folders that are left empty (an
        article's ``items/<id>/`` folder once its last version is withdrawn)."""
        folders: set[Path] = set()
        for key in keys:
            path = self._path(key)
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise DestinationError(
                    f"cannot remove: {exc.strerror}", destination=self.name, key=key
                ) from exc
            self._digests.pop(str(path), None)
            folders.add(path.parent)
        root = self.root.resolve()
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            current = folder
            while current.resolve() != root and root in current.resolve().parents:
                try:
                    current.rmdir()  # only when empty
                except OSError:
                    break
                current = current.parent

    def _fsync(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise DestinationError(
                f"cannot flush to disk: {exc.strerror}",
                destination=self.name,
                key=path.relative_to(self.root).as_posix(),
            ) from exc

    def _remember(self, target: Path, sha256: str) -> None:
        """The digest of a file just written (``sha256``, its body's), so the
        next listing does not read it back to hash it."""
        if len(sha256) != 64:
            return
        try:
            info = target.stat()
        except OSError:
            return
        signature = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        self._digests[str(target)] = (signature, sha256)

    def _check_expected(self, target: Path, key: str, expected: str) -> None:
        """Best effort for a folder: compare just before the rename."""
        described = self._digest(target)
        current = described[1] if described is not None else ""
        if current != expected:
            raise DestinationError(
                "changed by another publisher since it was listed; not replaced",
                destination=self.name,
                key=key,
                status=412,
            )

    def list(self, prefix: str) -> dict[str, str]:
        return {key: o.fingerprint for key, o in self.inventory(prefix).items()}

    def inventory(self, prefix: str) -> dict[str, StoredObject]:
        base = self._path(prefix) if prefix else self.root
        found: dict[str, StoredObject] = {}
        if not base.is_dir():
            return found
        start = len(str(self.root)) + 1
        for path, info in sorted(_files(str(base))):
            if not os.path.basename(path).startswith(".tmp-"):
                described = self._digest(Path(path), info)
                if described is not None:
                    key = path[start:].replace(os.sep, "/")
                    size, digest = described
                    found[key] = StoredObject(key, size, digest, digest)
        return found

    def stored_sha256(self, key: str) -> str:
        described = self._digest(self._path(key))
        if described is None:
            raise DestinationError("no such document", destination=self.name, key=key)
        return described[1]

    def _digest(
        self, path: Path, info: os.stat_result | None = None
    ) -> tuple[int, str] | None:
        """Size and SHA-256 of a file (``info``: its stat, when the caller
        has it), None for anything else. Remembered by inode, size and
        modification time: every write replaces the file (a new inode), so a
        file whose signature is unchanged still holds the bytes that were
        hashed."""
        try:
            info = info or path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        signature = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        known = self._digests.get(str(path))
        if known is not None and known[0] == signature:
            return info.st_size, known[1]
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None  # removed since the listing
        self._digests[str(path)] = (signature, digest)
        return info.st_size, digest

    def missing(self, keys: Sequence[str]) -> tuple[str, ...]:
        return tuple(key for key in keys if not self._path(key).is_file())

    def url(self, key: str, *, expires_seconds: int | None = None) -> str:
        safe = join_key(key)
        if self.public_base_url:
            return f"{self.public_base_url}/{safe}"
        return self._path(safe).resolve().as_uri()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _files(folder: str) -> list[tuple[str, os.stat_result]]:
    """Every file below ``folder`` with its stat (one scandir a folder; a
    link to a folder is not walked, a link to a file is stat'ed through, as
    ``Path.rglob`` and ``Path.stat`` did)."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [folder]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue  # removed since it was seen
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file():
                    found.append((entry.path, entry.stat()))
            except OSError:
                continue
    return found
