"""The scheduler's metrics (Prometheus, with the official client library) and
the small HTTP server that serves them as ``/metrics`` beside ``/healthz``
(:mod:`syndication.health`) on ``[scheduler] metrics_address``.

Every metric lives in the scheduler's own registry, so a second scheduler in
one process (the tests) starts from zero. Runs are counted where their result
is known: publish hands each finished run to the observer the scheduler sets
(:data:`syndication.publish.run_observer`). Only this process's runs are
counted; a ``publish`` or ``push`` from the command line is another process.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.exposition import choose_encoder

from syndication.errors import SyndicationError

if TYPE_CHECKING:
    from syndication.health import HealthState
    from syndication.publish import FeedResult

log = logging.getLogger(__name__)

# Outcomes every known feed starts at zero with, so rate() works from the start.
_OUTCOMES = ("published", "unchanged", "failed", "invalid")
# Seconds: a quick unchanged tick takes milliseconds, a large edition minutes.
_DURATION_BUCKETS = (
    *(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5),
    *(1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
# Seconds from an embargo's release to its documents written.
_LAG_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300)


class SchedulerMetrics:
    """The counters, histograms and gauges of one scheduler process."""

    def __init__(self) -> None:
        # No ``_created`` series: they double the output, and Prometheus reads
        # them only behind a feature flag. The switch is the library's, for the
        # whole process (a scheduler process).
        disable_created_metrics()  # type: ignore[no-untyped-call]  # unannotated upstream
        self.registry = CollectorRegistry()
        registry = self.registry
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        self.runs = Counter(
            "syndication_runs",
            "Feed publish runs by feed and outcome (published, unchanged, "
            "failed, invalid, locked).",
            ["feed", "outcome"],
            registry=registry,
        )
        self.written = Counter(
            "syndication_documents_written",
            "Documents written to destinations.",
            ["feed"],
            registry=registry,
        )
        self.withdrawn = Counter(
            "syndication_documents_withdrawn",
            "Documents withdrawn (deleted) from destinations.",
            ["feed"],
            registry=registry,
        )
        self.validation_failures = Counter(
            "syndication_validation_failures",
            "Runs refused by validation: nothing of the feed was written.",
            ["feed"],
            registry=registry,
        )
        self.quarantined = Counter(
            "syndication_quarantined_items",
            "Items left out of an edition because they failed validation.",
            ["feed"],
            registry=registry,
        )
        self.duration = Histogram(
            "syndication_publish_duration_seconds",
            "How long one feed's publish run took.",
            ["feed"],
            buckets=_DURATION_BUCKETS,
            registry=registry,
        )
        self.embargo_lag = Histogram(
            "syndication_embargo_release_lag_seconds",
            "From an embargo's release moment to the feed's documents written.",
            ["feed"],
            buckets=_LAG_BUCKETS,
            registry=registry,
        )
        self.pending_releases = Gauge(
            "syndication_embargo_releases_pending",
            "Embargo releases planned: one per feed and release moment.",
            registry=registry,
        )
        self.is_leader = Gauge(
            "syndication_scheduler_leader",
            "1 while this process is the active scheduler, 0 while it stands by.",
            registry=registry,
        )
        self.last_tick = Gauge(
            "syndication_scheduler_last_tick_timestamp_seconds",
            "When the scheduler's loop last went round (Unix time).",
            registry=registry,
        )
        self.pruned = Counter(
            "syndication_ledger_pruned_runs",
            "Summarised unchanged runs deleted from the ledger by retention.",
            registry=registry,
        )

    def know_feeds(self, feed_ids: Iterable[str]) -> None:
        """Start each feed's series at zero (a reload adds new feeds)."""
        for feed_id in feed_ids:
            for outcome in _OUTCOMES:
                self.runs.labels(feed_id, outcome)
            for counter in (
                self.written,
                self.withdrawn,
                self.validation_failures,
                self.quarantined,
            ):
                counter.labels(feed_id)

    def observe_run(self, result: FeedResult) -> None:
        """Count one finished run of a feed."""
        feed_id = result.feed_id
        self.runs.labels(feed_id, result.outcome).inc()
        self.written.labels(feed_id).inc(len(result.written))
        self.withdrawn.labels(feed_id).inc(len(result.withdrawn))
        self.quarantined.labels(feed_id).inc(len(result.quarantined))
        if result.outcome == "invalid":
            self.validation_failures.labels(feed_id).inc()
        self.duration.labels(feed_id).observe(result.elapsed)

    def observe_unfinished(self, feed_id: str, outcome: str, elapsed: float) -> None:
        """Count a run that ended before publish could report it (locked, or
        failed before it started)."""
        self.runs.labels(feed_id, outcome).inc()
        self.duration.labels(feed_id).observe(elapsed)


class MetricsServer:
    """``/healthz`` and ``/metrics`` over HTTP on one address, each request on
    a thread of its own (a slow store check never holds up a scrape)."""

    def __init__(
        self,
        address: tuple[str, int],
        metrics: SchedulerMetrics,
        health: HealthState,
    ) -> None:
        handler = _handler(metrics, health)
        try:
            self._server = _Server(address, handler)
        except OSError as exc:
            raise SyndicationError(
                f"cannot serve health and metrics on {_show(address)}: "
                f"{exc.strerror or exc}; choose another [scheduler] metrics_address "
                "(or --metrics-address) for this scheduler"
            ) from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            name="metrics-server",
            daemon=True,
        )

    @property
    def address(self) -> str:
        """``host:port`` as bound."""
        host, port = self._server.server_address[:2]
        return _show((str(host), int(port)))

    def start(self) -> None:
        self._thread.start()
        log.info("serving /healthz and /metrics on http://%s", self.address)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        import socket

        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)


def _handler(
    metrics: SchedulerMetrics, health: HealthState
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "syndication-scheduler"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                verdict = health.check()
                body = json.dumps(verdict.to_dict(), indent=2).encode("utf-8") + b"\n"
                self._send(200 if verdict.is_healthy else 503, "application/json", body)
            elif path == "/metrics":
                encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
                self._send(200, content_type, encoder(metrics.registry))
            else:
                self._send(
                    404, "text/plain; charset=utf-8", b"try /healthz or /metrics\n"
                )

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            # Scrapes come every few seconds: not worth a line each at INFO.
            log.debug("%s " + format, self.address_string(), *args)  # noqa: G003

    return Handler


def _show(address: tuple[str, int]) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
