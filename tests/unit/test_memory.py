"""A parallel publish's worker keeps a share of the cache entries one
process keeps; every other process keeps them all."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from conftest import write_config

from syndication import parallel
from syndication.config import load_settings
from syndication.credit import ITEM_CACHE_SIZE
from syndication.memory import MIN_ENTRIES, SHARE_VARIABLE, cache_entries


@pytest.mark.parametrize(
    ("share", "entries"),
    [
        (None, 3072),
        ("1", 3072),
        ("2", 1536),
        ("4", 768),
        ("64", MIN_ENTRIES),
        ("x", 3072),
    ],
)
def test_cache_entries_follow_the_share(
    monkeypatch: pytest.MonkeyPatch, share: str | None, entries: int
) -> None:
    if share is None:
        monkeypatch.delenv(SHARE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(SHARE_VARIABLE, share)
    assert cache_entries(3072) == entries


def item_cache_entries() -> int | None:
    """In a worker: how many items its credit cache keeps."""
    from syndication.credit import _item

    return _item.cache_info().maxsize


def test_a_worker_of_two_keeps_half_the_items(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path))
    context = multiprocessing.get_context("spawn")
    records = context.Queue()
    try:
        with ProcessPoolExecutor(
            1,
            mp_context=context,
            initializer=parallel._start_worker,
            initargs=(settings, records, logging.WARNING, 2),
        ) as pool:
            assert pool.submit(item_cache_entries).result(timeout=120) == (
                ITEM_CACHE_SIZE // 2
            )
    finally:
        records.close()
    assert item_cache_entries() == ITEM_CACHE_SIZE  # this process: all of them
