"""The benchmark at tiny sizes as a smoke test: correctness only, no timings."""

from __future__ import annotations

from pathlib import Path

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


def test_ingest_by_format_runs_and_comes_back_unchanged() -> None:
    from bench.ingest_formats import ingest_figures

    # _ingest_rate refuses a run where not every story is new (or, again,
    # unchanged).
    result = ingest_figures(30)
    assert all(
        result[f"ingest_{name}_per_second"] > 0
        for name in ("json", "newsml", "ninjs", "message")
    )
    assert result["reingest_ninjs_unchanged_per_second"] > 0


def test_scaling_publishes_at_each_size() -> None:
    from bench.scaling import size_figures

    for articles in (300, 600):
        result = size_figures(articles, feeds=6, repeat=1)
        assert result["full_publish_exit_code"] == 0
        assert result["full_publish_documents"] > result["feeds"] * 3
        assert (result["tick_renders"], result["tick_puts"]) == (0, 0)
        assert result["peak_memory_mb"] > 0


@pytest.mark.external_service
@pytest.mark.usefixtures("s3_env")
def test_s3_uploads_are_counted_at_the_server() -> None:
    from bench.s3_uploads import upload_figures

    # upload_figures itself refuses a run whose PUTs at the server or objects
    # in the bucket differ from the documents written.
    result = upload_figures(articles=300, feeds=3, repeat=1)
    assert result["runs"]
    assert all(run["puts"] > result["feeds"] * 3 for run in result["runs"])


@pytest.mark.external_service
@pytest.mark.usefixtures("s3_env")
def test_push_to_s3_writes_objects(tmp_path: Path) -> None:
    from bench.latency import make_probe_site, s3_push_trials
    from syndication.store import open_store

    make_probe_site(tmp_path, articles=200, feeds=3)
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        (push,) = s3_push_trials(tmp_path, store, trials=1)
    finally:
        store.close()
    assert push.puts >= 4  # the new item and the three indexes of the probe feed
    assert 0 < push.last_put < push.wall
