"""/healthz's verdicts that a healthy scheduler subprocess never shows: a store
that went away (PostgreSQL behind a breakable proxy), a store that hangs, and
a loop that stopped ticking. The health state and HTTP server are the
scheduler's own, in this process, on a free port of 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from conftest import free_port
from tcpproxy import TcpProxy

from syndication import health as health_module
from syndication.health import HealthState
from syndication.metrics import MetricsServer, SchedulerMetrics
from syndication.store import open_store


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def serve() -> Iterator[Any]:
    opened: list[tuple[MetricsServer, HealthState]] = []

    def start(state: HealthState) -> str:
        port = free_port()
        server = MetricsServer(("127.0.0.1", port), SchedulerMetrics(), state)
        server.start()
        opened.append((server, state))
        return f"http://127.0.0.1:{port}/healthz"

    yield start
    for server, state in opened:
        server.close()
        state.close()


def healthz(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_leader_that_stopped_ticking_is_unhealthy(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    clock = Clock()
    state = HealthState(store.change_count, max_tick_age=30.0, clock=clock)
    url = serve(state)
    try:
        status, verdict = healthz(url)
        assert (status, verdict["role"], verdict["last_tick"]) == (200, "standby", None)
        state.lead()
        clock.now += timedelta(seconds=10)
        state.tick()
        clock.now += timedelta(seconds=29)
        assert healthz(url)[0] == 200
        clock.now += timedelta(seconds=2)
        status, verdict = healthz(url)
        assert status == 503
        assert verdict["status"] == "unhealthy"
        assert verdict["last_tick"] == "2026-12-01T09:00:10.000Z"
        assert verdict["tick_age_seconds"] == 31.0
        assert verdict["problems"] == [
            "last scheduler tick 31.0 s ago (limit 30 s, [scheduler] "
            "health_max_tick_age_seconds)"
        ]
        assert verdict["store"] == {"reachable": True, "error": ""}
    finally:
        store.close()


@pytest.fixture
def pg_proxy(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    if "127.0.0.1:5432" not in postgres_url:
        pytest.skip("the PostgreSQL URL does not name 127.0.0.1:5432")
    proxy = TcpProxy("127.0.0.1", 5432)
    yield proxy, postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    proxy.close()


@pytest.mark.external_service
def test_an_unreachable_store_is_unhealthy_until_it_is_back(
    pg_proxy: tuple[TcpProxy, str], serve
) -> None:  # type: ignore[no-untyped-def]
    proxy, url = pg_proxy
    store = open_store(url)
    state = HealthState(store.change_count, max_tick_age=60.0)
    state.lead()
    address = serve(state)
    try:
        assert healthz(address)[0] == 200
        proxy.refusing = True
        proxy.cut()
        status, verdict = healthz(address)
        assert status == 503
        assert verdict["store"]["reachable"] is False
        assert verdict["store"]["error"].startswith("store ")
        assert verdict["problems"][0].startswith("store unreachable: store ")
        proxy.refusing = False
        status, verdict = healthz(address)
        assert (status, verdict["store"]) == (200, {"reachable": True, "error": ""})
    finally:
        proxy.refusing = False
        store.close()


def test_a_store_that_hangs_does_not_hang_the_check(
    serve, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The probe is the scheduler's to give (a store query); here one that
    waits until released, as a store behind a dead network would."""
    monkeypatch.setattr(health_module, "STORE_PROBE_SECONDS", 0.3)
    released = threading.Event()
    asked: list[int] = []

    def probe() -> None:
        asked.append(1)
        released.wait(30)

    state = HealthState(probe, max_tick_age=60.0)
    url = serve(state)
    try:
        status, verdict = healthz(url)
        assert status == 503
        assert verdict["store"]["error"].startswith("no answer for ")
        assert healthz(url)[0] == 503
        assert len(asked) == 1  # not asked again while the first question hangs
    finally:
        released.set()
    assert healthz(url)[0] == 200
