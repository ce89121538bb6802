"""The benchmark's small preset as a smoke test: correctness only, no timings."""

from __future__ import annotations

import pytest

from bench.run import figures

pytestmark = pytest.mark.slow


def test_small_benchmark_runs_and_is_correct() -> None:
    result = figures("small", articles=300, feeds=6, repeat=1)
    assert result["full_publish_exit_code"] == 0
    assert result["full_publish_documents"] > result["feeds"] * 3
    assert result["baseline_documents"] == result["feeds"] * 3
    assert result["tick_puts"] == 0
    assert result["one_story_feeds_changed"] >= 1
    assert result["one_story_puts"] >= 4 * result["one_story_feeds_changed"]
    assert result["peak_memory_mb"] > 0
    assert result["ingest_json_per_second"] > 0
    assert result["ingest_wire_per_second"] > 0
