"""The benchmark at tiny sizes as a smoke test: correctness only, no timings."""

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
