"""The benchmark at tiny sizes as a smoke test: correctness only, no timings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import figures

pytestmark = pytest.mark.slow


def test_small_benchmark_runs_and_is_correct() -> None:
    result = figures("small", articles=300, feeds=6, repeat=1, many_feeds=8)
    assert result["full_publish_exit_code"] == 0
    assert result["full_publish_documents"] > result["feeds"] * 3
    # figures() refuses a run where the same-documents baseline wrote other
    # keys than ours; here the counts agree as well.
    assert (
        result["baseline_same_documents_documents"] == result["full_publish_documents"]
    )
    assert result["baseline_three_indexes_documents"] == result["feeds"] * 3
    for baseline in ("three_indexes", "same_documents"):
        assert result[f"ratio_vs_baseline_{baseline}"] > 0
        assert result[f"cpu_ratio_vs_baseline_{baseline}"] > 0
    assert {"select", "credit", "render newsml", "write", "ledger"} <= set(
        result["stage_profile"]
    )
    assert (result["tick_renders"], result["tick_puts"]) == (0, 0)
    assert (result["tick_cold_renders"], result["tick_cold_puts"]) == (0, 0)
    assert result["one_story_feeds_changed"] >= 1
    # Its item (once, shared) and each changed feed's three indexes.
    assert result["one_story_puts"] >= 3 * result["one_story_feeds_changed"] + 1
    assert (result["many_feeds_tick_renders"], result["many_feeds_tick_puts"]) == (
        0,
        0,
    )
    assert result["peak_memory_mb"] > 0
    assert result["ingest_json_per_second"] > 0
    assert result["ingest_wire_per_second"] > 0


def test_same_documents_baseline_writes_our_keys_in_every_format(
    tmp_path: Path,
) -> None:
    from bench.baseline_documents import document_keys
    from bench.publish_once import run_once
    from bench.site import make_site

    site = make_site(tmp_path, 200, 4, ("rss", "atom", "newsml", "ninjs"))
    ours = run_once(site, "ours")
    theirs = run_once(site, "same-documents")
    keys = document_keys(site.public)
    assert document_keys(tmp_path / "baseline-same-documents") == keys
    assert ours["documents"] == theirs["documents"] == len(keys)
    assert {"index.html", "feeds.opml", "bench-0000/ninjs.json"} <= keys
    # In the shared items folder, as the product's default destination has them.
    assert any(key.endswith(".json") and key.startswith("items/") for key in keys)


def test_stage_profile_accounts_for_the_publish(tmp_path: Path) -> None:
    from bench.full_publish import snapshot, stage_figures
    from bench.site import make_site

    site = make_site(tmp_path, 200, 3, ("rss", "atom", "newsml", "ninjs"))
    snapshot(site)
    result = stage_figures(site)
    stages = result["stage_profile"]
    assert {
        "select",
        "credit",
        "render rss",
        "render ninjs",
        "validate: Schematron",
        "validate: JSON schema",
        "write",
        "ledger",
    } <= set(stages)
    total = sum(each["seconds"] for each in stages.values())
    assert total == pytest.approx(result["stage_profile_seconds"], abs=0.05)


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

    make_probe_site(tmp_path, articles=200, feeds=3, probes=3)
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        (push,) = s3_push_trials(tmp_path, store, trials=1)
    finally:
        store.close()
    assert push.feeds >= 3  # the three probe feeds (a bench feed may match too)
    assert push.puts >= 3 * 4  # each one's new item and three indexes
    assert 0 < push.last_put < push.wall
