"""Whether a running scheduler is well: leader or standby, its store reachable,
its loop ticking. :mod:`syndication.metrics` serves the verdict as ``/healthz``.

The scheduler writes (role, ticks) from its own threads and the HTTP server
reads from others, so :class:`HealthState` guards its fields with a lock. The
store is asked afresh on every check, on a thread of its own, so a store that
hangs makes the check say "unreachable" after :data:`STORE_PROBE_SECONDS`
instead of hanging the check too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

# How long a health check waits for the store to answer.
STORE_PROBE_SECONDS = 5.0


class Role(Enum):
    """A scheduler process stands by until it holds the store's leader lock."""

    STANDBY = "standby"
    LEADER = "leader"


@dataclass(frozen=True)
class Health:
    """One health check. ``tick_age`` is in seconds; a standby has no ticks
    (its loop waits for the leader lock), so only a leader can be too old."""

    role: Role
    store_reachable: bool
    store_error: str
    last_tick: datetime | None
    tick_age: float | None
    max_tick_age: float
    checked: datetime

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.store_reachable:
            found.append(f"store unreachable: {self.store_error}")
        if self.role is Role.LEADER and (
            self.tick_age is None or self.tick_age > self.max_tick_age
        ):
            age = "never" if self.tick_age is None else f"{self.tick_age:.1f} s ago"
            found.append(
                f"last scheduler tick {age} (limit {self.max_tick_age:g} s, "
                "[scheduler] health_max_tick_age_seconds)"
            )
        return found

    @property
    def is_healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The ``/healthz`` document."""
        return {
            "status": "ok" if self.is_healthy else "unhealthy",
            "role": self.role.value,
            "store": {"reachable": self.store_reachable, "error": self.store_error},
            "last_tick": _stamp(self.last_tick),
            "tick_age_seconds": None
            if self.tick_age is None
            else round(self.tick_age, 3),
            "max_tick_age_seconds": self.max_tick_age,
            "checked": _stamp(self.checked),
            "problems": self.problems,
        }


class HealthState:
    """What the scheduler reports about itself, and the checks made from it.

    ``probe`` asks the store something cheap and raises when it cannot answer;
    ``max_tick_age`` is the longest a leader may go without a tick (seconds).
    """

    def __init__(
        self,
        probe: Callable[[], object],
        max_tick_age: float,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._probe = probe
        self.max_tick_age = max_tick_age
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._role = Role.STANDBY
        self._last_tick: datetime | None = None
        self._pending: Future[object] | None = None
        self._pending_since: datetime | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="health-probe")

    @property
    def role(self) -> Role:
        with self._lock:
            return self._role

    def lead(self) -> None:
        """This process took the leader lock: it counts as ticking from now."""
        with self._lock:
            self._role = Role.LEADER
            self._last_tick = self._clock()

    def tick(self, moment: datetime | None = None) -> None:
        """The scheduler's loop went round once."""
        with self._lock:
            self._last_tick = moment or self._clock()

    def check(self) -> Health:
        """The health as of now, asking the store (waits at most
        :data:`STORE_PROBE_SECONDS`)."""
        reachable, error = self._ask_store()
        now = self._clock()
        with self._lock:
            role, last_tick = self._role, self._last_tick
        age = None if last_tick is None else max(0.0, (now - last_tick).total_seconds())
        return Health(
            role=role,
            store_reachable=reachable,
            store_error=error,
            last_tick=last_tick,
            tick_age=age,
            max_tick_age=self.max_tick_age,
            checked=now,
        )

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _ask_store(self) -> tuple[bool, str]:
        with self._lock:
            pending, since = self._pending, self._pending_since
            if pending is None:
                # One question at a time: a store that hangs is not asked again
                # (and again) until it answers the first.
                pending = self._executor.submit(self._probe)
                since = self._clock()
                self._pending, self._pending_since = pending, since
        try:
            pending.result(timeout=STORE_PROBE_SECONDS)
        except FutureTimeout:
            waited = (self._clock() - (since or self._clock())).total_seconds()
            return False, f"no answer for {waited:.1f} s"
        except Exception as exc:  # any failure to answer makes the store unreachable
            self._forget(pending)
            return False, str(exc) or type(exc).__name__
        self._forget(pending)
        return True, ""

    def _forget(self, done: Future[object]) -> None:
        with self._lock:
            if self._pending is done:
                self._pending = self._pending_since = None


def _stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (
        moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
