"""A folder destination's deferred flush: writes with ``durable=False`` are
whole files at once (atomic rename) and reach the disk at ``sync()``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from syndication.destinations.local import LocalDestination
from syndication.errors import DestinationError


def put(folder: LocalDestination, key: str, durable: bool) -> None:
    folder.put(
        key,
        b"<x/>",
        content_type="application/xml",
        cache_control="no-cache",
        sha256=hashlib.sha256(b"<x/>").hexdigest(),
        durable=durable,
    )


def test_unflushed_writes_are_whole_files_and_sync_flushes_them(tmp_path: Path) -> None:
    folder = LocalDestination("local", tmp_path)
    for n in range(20):
        put(folder, f"feed/items/{n}/v1.xml", durable=False)
    assert folder.missing([f"feed/items/{n}/v1.xml" for n in range(20)]) == ()
    assert (tmp_path / "feed/items/7/v1.xml").read_bytes() == b"<x/>"
    folder.sync()
    folder.sync()  # nothing left: a no-op
    assert not list(tmp_path.rglob(".tmp-*"))
    folder.close()


def test_a_file_gone_before_its_flush_is_a_destination_error(tmp_path: Path) -> None:
    folder = LocalDestination("local", tmp_path)
    put(folder, "feed/items/a/v1.xml", durable=False)
    (tmp_path / "feed/items/a/v1.xml").unlink()
    with pytest.raises(DestinationError, match="cannot flush to disk") as caught:
        folder.sync()
    assert "feed/items/a/v1.xml" in str(caught.value)
    folder.close()


def test_missing_names_only_the_absent_keys(tmp_path: Path) -> None:
    folder = LocalDestination("local", tmp_path)
    put(folder, "feed/rss.xml", durable=True)
    assert folder.missing(["feed/rss.xml", "feed/atom.xml"]) == ("feed/atom.xml",)
