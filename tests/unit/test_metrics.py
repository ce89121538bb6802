"""What the scheduler's metrics count for each kind of run result."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from syndication.metrics import SchedulerMetrics
from syndication.publish import FeedResult


def values(metrics: SchedulerMetrics) -> dict[tuple[str, tuple[str, ...]], float]:
    text = generate_latest(metrics.registry).decode("utf-8")
    return {
        (sample.name, tuple(sorted(sample.labels.values()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_known_feeds_start_at_zero() -> None:
    metrics = SchedulerMetrics()
    metrics.know_feeds(["alpha"])
    found = values(metrics)
    for outcome in ("published", "unchanged", "failed", "invalid"):
        assert found[("syndication_runs_total", ("alpha", outcome))] == 0
    assert found[("syndication_documents_written_total", ("alpha",))] == 0
    assert found[("syndication_quarantined_items_total", ("alpha",))] == 0
    # No _created series: they double the output and Prometheus ignores them.
    assert not [name for name, _ in found if name.endswith("_created")]


def test_each_result_counts_where_it_belongs() -> None:
    metrics = SchedulerMetrics()
    metrics.observe_run(
        FeedResult(
            "alpha",
            "local",
            "published",
            written=("alpha/rss.xml", "alpha/atom.xml"),
            withdrawn=("alpha/items/x/v1.xml",),
            quarantined=("urn:bad v1: missing credit line",),
            elapsed=0.2,
        )
    )
    metrics.observe_run(FeedResult("alpha", "local", "invalid", elapsed=0.1))
    metrics.observe_run(FeedResult("alpha", "local", "unchanged", elapsed=0.001))
    metrics.observe_unfinished("beta", "locked", 5.0)
    found = values(metrics)
    assert found[("syndication_runs_total", ("alpha", "published"))] == 1
    assert found[("syndication_runs_total", ("alpha", "invalid"))] == 1
    assert found[("syndication_runs_total", ("alpha", "unchanged"))] == 1
    assert found[("syndication_runs_total", ("beta", "locked"))] == 1
    assert found[("syndication_documents_written_total", ("alpha",))] == 2
    assert found[("syndication_documents_withdrawn_total", ("alpha",))] == 1
    assert found[("syndication_quarantined_items_total", ("alpha",))] == 1
    assert found[("syndication_validation_failures_total", ("alpha",))] == 1
    assert found[("syndication_publish_duration_seconds_count", ("alpha",))] == 3
    assert (
        found[("syndication_publish_duration_seconds_bucket", ("0.005", "alpha"))] == 1
    )
    assert found[("syndication_publish_duration_seconds_count", ("beta",))] == 1


def test_two_schedulers_in_one_process_count_apart() -> None:
    first, second = SchedulerMetrics(), SchedulerMetrics()
    first.observe_run(FeedResult("alpha", "local", "published", elapsed=0.1))
    assert (
        values(second).get(("syndication_runs_total", ("alpha", "published"))) is None
    )
