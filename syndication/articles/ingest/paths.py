"""Which files a batch ingests: files as given, folders walked recursively in
sorted order, hidden files and folders skipped, each file once. Only regular
files are read: a FIFO would block the batch forever, and a socket or device
holds no story, so each is skipped with a warning."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from syndication.errors import InputProblem

log = logging.getLogger(__name__)

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def collect_paths(paths: Sequence[Path]) -> tuple[list[Path], list[InputProblem]]:
    """Files to ingest: files as given, folders walked recursively in sorted
    order (hidden files and folders skipped); each file once. What is neither
    a regular file nor a folder is skipped with a warning; a path that does not
    exist is a problem."""
    found: list[Path] = []
    problems: list[InputProblem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates = sorted(_walk(path))
        elif path.exists():
            candidates = [path] if _is_regular(path) else []
        else:
            problems.append(InputProblem(display_path(path), "no such file or folder"))
            continue
        for candidate in candidates:
            key = _identity(candidate)
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found, problems


def display_path(path: Path | str) -> str:
    """``path`` as text that can always be printed: bytes of a file name that
    are not UTF-8 are shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def special_kind(mode: int) -> str:
    """What a file of ``mode`` is when it is not a regular file or a folder
    ("" when it is one)."""
    return next((kind for test, kind in _KINDS if test(mode)), "")


def _identity(path: Path) -> Path:
    """The file ``path`` names, so each is read once; a symbolic link loop or
    a dangling link names itself (reading it reports why it cannot be read)."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        return path.absolute()


def _is_regular(path: Path) -> bool:
    """False, with a warning, for a FIFO, socket or device. A file that cannot
    be looked at is kept: reading it reports why."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return True
    kind = special_kind(mode)
    if kind:
        log.warning("%s: skipped: %s, not a regular file", display_path(path), kind)
    return not kind


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                path = Path(root) / name
                if _is_regular(path):
                    yield path
