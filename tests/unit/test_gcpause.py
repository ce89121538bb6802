"""No garbage collection starts while a parser recurses through a hostile
file (syndication.gcpause): one started at the recursion limit would run
finalizers with no stack left."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndication.definitions import read_toml
from syndication.errors import ConfigError
from syndication.gcpause import paused_gc


def depth() -> int:
    frame, frames = sys._getframe(), 0
    while frame is not None:
        frame, frames = frame.f_back, frames + 1  # type: ignore[assignment]
    return frames


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The stack depth of each collection started more than 300 frames deep
    while the test runs, with a threshold so low that a parse of any size
    would start several."""
    started: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and (frames := depth()) > 300:
            started.append(frames)

    threshold = gc.get_threshold()
    gc.set_threshold(1)
    gc.callbacks.append(record)
    try:
        yield started
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*threshold)


def test_no_collection_starts_in_a_toml_nested_too_deeply(
    tmp_path: Path, collections: list[int]
) -> None:
    path = tmp_path / "nested.toml"
    path.write_bytes(b"a = " + b"[" * 5000 + b"]" * 5000)
    with pytest.raises(ConfigError, match="nested too deeply"):
        read_toml(path)
    assert collections == []
    assert gc.isenabled()


def test_the_collector_is_left_as_it_was() -> None:
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
