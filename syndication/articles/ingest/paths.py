"""Which files a batch ingests: files as given, folders walked recursively in
sorted order, hidden files and folders skipped, each file once."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from syndication.errors import InputProblem


def collect_paths(paths: Sequence[Path]) -> tuple[list[Path], list[InputProblem]]:
    """Files to ingest: files as given, folders walked recursively in sorted
    order (hidden files and folders skipped); each file once."""
    found: list[Path] = []
    problems: list[InputProblem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates = sorted(_walk(path))
        elif path.is_file():
            candidates = [path]
        else:
            problems.append(InputProblem(str(path), "no such file or folder"))
            continue
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found, problems


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                yield Path(root) / name
