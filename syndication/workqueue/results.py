"""A feed job's result on the wire: a :class:`FeedPush` as a small JSON object
(what a worker returns, what push reads back)."""

from __future__ import annotations

from typing import Any

from syndication.fastlane import FeedPush


def push_to_json(push: FeedPush, worker: str = "") -> dict[str, Any]:
    return {
        "feed": push.feed_id,
        "outcome": push.outcome,
        "urls": list(push.urls),
        "written": push.written,
        "skipped": push.skipped,
        "elapsed": round(push.elapsed, 3),
        "error": push.error,
        "quarantined": list(push.quarantined),
        "worker": worker,
    }


def push_from_json(feed_id: str, value: object) -> FeedPush:
    """The FeedPush a worker returned; anything else (the job raised) is a
    failure whose error is what the worker reported."""
    if not isinstance(value, dict) or value.get("feed") != feed_id:
        return FeedPush(feed_id, "failed", (), 0, 0, 0.0, f"worker failed: {value}")
    return FeedPush(
        feed_id,
        str(value["outcome"]),
        tuple(str(url) for url in value["urls"]),
        int(value["written"]),
        int(value["skipped"]),
        float(value["elapsed"]),
        str(value["error"]),
        tuple(str(guid) for guid in value["quarantined"]),
    )
