"""The scheduler's face refreshes: one per burst of runs that changed a
destination, each change followed by a refresh that started after it, and
what is noted refreshed at shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from syndication.face.coalesce import Changed, FaceRefresher
from syndication.feeds import FeedDefinition
from syndication.publish import FeedResult


def run(feed_id: str, destination: str = "local") -> Changed:
    feed = FeedDefinition.__new__(FeedDefinition)  # only carried, never read here
    return feed, FeedResult(feed_id, destination, "published", written=("x",))


class Recorder:
    def __init__(self, pause: float = 0.0) -> None:
        self.calls: list[list[str]] = []
        self.pause = pause
        self.started = threading.Event()
        self.done = threading.Event()

    def __call__(self, changed: Sequence[Changed]) -> None:
        self.started.set()
        time.sleep(self.pause)
        self.calls.append([result.destination for _, result in changed])
        self.done.set()


def test_a_burst_of_runs_refreshes_each_destination_once() -> None:
    recorder = Recorder()
    faces = FaceRefresher(recorder, delay=0.2)
    for n in range(21):
        faces.changed(*run(f"feed-{n}", "local" if n % 3 else "s3"))
    assert recorder.done.wait(5)
    time.sleep(0.3)
    assert recorder.calls == [["local", "s3"]]
    faces.close()


def test_a_run_ending_during_a_refresh_gets_a_refresh_of_its_own() -> None:
    recorder = Recorder(pause=0.3)
    faces = FaceRefresher(recorder, delay=0.05)
    faces.changed(*run("a"))
    assert recorder.started.wait(5)
    recorder.done.clear()
    faces.changed(*run("b"))  # the first refresh is reading the ledger
    deadline = time.monotonic() + 5
    while len(recorder.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recorder.calls == [["local"], ["local"]]
    faces.close()


def test_closing_refreshes_what_is_noted_and_then_nothing() -> None:
    recorder = Recorder()
    faces = FaceRefresher(recorder, delay=60)
    faces.changed(*run("a", "s3"))
    faces.close()
    assert recorder.calls == [["s3"]]
    faces.changed(*run("b"))
    faces.flush()
    assert recorder.calls == [["s3"]]


def test_a_failing_refresh_is_logged_and_the_next_burst_still_refreshes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    def refresh(changed: Sequence[Changed]) -> None:
        calls.append(len(changed))
        if len(calls) == 1:
            raise RuntimeError("bug")

    faces = FaceRefresher(refresh, delay=60)
    faces.changed(*run("a"))
    faces.flush()
    assert "face refresh failed" in caplog.text
    faces.changed(*run("b"))
    faces.flush()
    assert calls == [1, 1]
