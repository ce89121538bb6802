"""The ``[queue]`` section of config/syndication.toml: whether publishing runs in
this process (the default) or as jobs on a distributed task queue taken by
``syndication worker`` processes (see :mod:`syndication.workqueue`).

Its own module so config.py stays the model of the other sections; the site
model (:class:`syndication.config.SiteFile`) includes :class:`QueueTable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, Field

from syndication.definitions import (
    Table,
    allows,
    between,
    mask_secrets,
    problem,
    short,
    text,
)

# Redis only: the worker's guarantees (urgent jobs first, redelivery after a
# lost worker, one key prefix per site) rest on the Redis transport's options.
_BROKER_SCHEMES = ("redis://", "rediss://")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@allows('"" (publish in this process) or redis://HOST:PORT/DB (rediss:// for TLS)')
def _broker(value: str) -> str:
    if value and not value.startswith(_BROKER_SCHEMES):
        raise problem(
            'expected "" (no queue) or redis://HOST:PORT/DB, got '
            f"{short(mask_secrets(value))}"
        )
    return value


@allows("1–64 letters, digits, '.', '-' and '_'")
def _name(value: str) -> str:
    if not _NAME.match(value):
        raise problem(
            f"expected 1–64 letters, digits, '.', '-' and '_', got {short(value)}"
        )
    return value


class QueueTable(Table):
    broker: Annotated[
        str, AfterValidator(text(2048, required=False)), AfterValidator(_broker)
    ] = Field(
        default="",
        description="Redis URL of the task queue (redis://127.0.0.1:6379/0); the "
        "scheduler and push then enqueue one job per feed for `syndication worker` "
        "processes. Empty: publish in this process. [env: SYNDICATION_QUEUE_BROKER]",
    )
    name: Annotated[str, AfterValidator(_name)] = Field(
        default="syndication",
        description="Names this site's queues ({name}.urgent, {name}.bulk) and "
        "prefixes its keys in Redis, so sites can share one Redis.",
    )
    visibility_timeout_seconds: Annotated[int, AfterValidator(between(1, 86_400))] = (
        Field(
            default=3600,
            description="How long a job taken by a worker that died stays invisible "
            "before another worker gets it; make it longer than the slowest publish.",
        )
    )
    result_timeout_seconds: Annotated[float, AfterValidator(between(1.0, 86_400.0))] = (
        Field(
            default=300.0,
            description="How long push waits for its feeds' jobs to finish before "
            "reporting them as queued.",
        )
    )


@dataclass(frozen=True)
class QueueConfig:
    """``broker`` empty: single-process mode. Otherwise jobs go to the queues
    ``{name}.urgent`` and ``{name}.bulk`` on that Redis, under the key prefix
    ``{name}:``; ``visibility_timeout`` and ``result_timeout`` are seconds."""

    broker: str = ""
    name: str = "syndication"
    visibility_timeout: int = 3600
    result_timeout: float = 300.0

    @property
    def is_enabled(self) -> bool:
        """Whether feeds are published by workers rather than in this process."""
        return bool(self.broker)


def queue_config(table: QueueTable) -> QueueConfig:
    return QueueConfig(
        broker=table.broker,
        name=table.name,
        visibility_timeout=table.visibility_timeout_seconds,
        result_timeout=float(table.result_timeout_seconds),
    )
