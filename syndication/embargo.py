"""Embargo release: when an embargoed story lifts, the feeds that carry it then
are published at that moment, not at their next regular tick.

The scheduler asks :class:`EmbargoPlanner` every ``[scheduler]
embargo_poll_seconds`` to turn :meth:`Store.pending_embargoes` into one-off date
jobs (one per feed and release moment) in an in-memory job store; they are
planned again from the store after a restart, and :meth:`EmbargoPlanner.catch_up`
publishes feeds whose release fell while no scheduler ran. Which feeds a release
affects is the feed's own selection, run as of the release moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from syndication.articles.model import Version
from syndication.feeds import FeedDefinition
from syndication.store.base import RunRecord, Store

log = logging.getLogger(__name__)

JOB_PREFIX = "embargo:"
JOB_STORE = "embargo"


@dataclass(frozen=True)
class EmbargoRelease:
    """A pending embargo: when it lifts and which feeds publish then."""

    guid: str
    version: int
    release: datetime
    feed_ids: tuple[str, ...]


class EmbargoPlanner:
    """Turns pending embargoes into date jobs publishing the affected feeds."""

    def __init__(
        self, scheduler: Any, store: Store, job: Callable[[str], None]
    ) -> None:
        self.scheduler = scheduler
        self.store = store
        self.job = job
        self._seen: dict[tuple[str, int, datetime], frozenset[str]] = {}

    def plan(self, feeds: Mapping[str, FeedDefinition], now: datetime) -> None:
        """Schedule each (feed, release moment) not yet scheduled; drop planned
        releases whose embargo was lifted or moved."""
        wanted: dict[str, tuple[str, datetime]] = {}
        seen: dict[tuple[str, int, datetime], frozenset[str]] = {}
        for version in self.store.pending_embargoes(now):
            moment = version.embargo_until
            assert moment is not None
            key = (version.guid, version.version, moment)
            feed_ids = self._seen.get(key)
            if feed_ids is None:
                feed_ids = frozenset(released_in(self.store, feeds.values(), version))
                log.info(
                    "embargo on %s (version %d) lifts at %s: feeds %s",
                    version.guid,
                    version.version,
                    moment.isoformat(),
                    ", ".join(sorted(feed_ids)) or "none",
                )
            seen[key] = feed_ids
            for feed_id in feed_ids:
                wanted[f"{JOB_PREFIX}{feed_id}@{moment.isoformat()}"] = (
                    feed_id,
                    moment,
                )
        self._seen = seen
        planned = {job.id for job in self.scheduler.get_jobs(jobstore=JOB_STORE)}
        for job_id, (feed_id, moment) in wanted.items():
            if job_id not in planned:
                self.scheduler.add_job(
                    self.job,
                    "date",
                    args=[feed_id],
                    id=job_id,
                    name=f"embargo release {moment.isoformat()}",
                    run_date=moment,
                    jobstore=JOB_STORE,
                    misfire_grace_time=None,
                )
        for job_id in planned - set(wanted):
            job = self.scheduler.get_job(job_id, jobstore=JOB_STORE)
            if (
                job is not None
                and job.next_run_time is not None
                and (job.next_run_time > now + timedelta(seconds=1))
            ):
                job.remove()
                log.info("embargo release %s no longer pending; dropped", job_id)

    def catch_up(
        self, feeds: Mapping[str, FeedDefinition], now: datetime, since: datetime
    ) -> list[str]:
        """Publish at once each feed that a release between ``since`` and ``now``
        put a story in, unless the feed was published after that release (the
        scheduler was not running at the moment). Returns the feed ids."""
        due: set[str] = set()
        for version in self.store.pending_embargoes(since):
            moment = version.embargo_until
            if moment is None or moment > now:
                continue
            for feed_id in released_in(self.store, feeds.values(), version):
                runs = self.store.runs(feed_id, limit=10)
                if not any(covers(r, moment) for r in runs):
                    due.add(feed_id)
        for feed_id in sorted(due):
            log.info("feed %s: an embargo lifted while no scheduler ran", feed_id)
            self.scheduler.add_job(
                self.job,
                "date",
                args=[feed_id],
                id=f"{JOB_PREFIX}{feed_id}@catch-up",
                run_date=now,
                jobstore=JOB_STORE,
                misfire_grace_time=None,
                replace_existing=True,
            )
        return sorted(due)

    def forget(self) -> None:
        """Recompute affected feeds on the next plan (after a feeds reload)."""
        self._seen = {}


def covers(run: RunRecord, moment: datetime) -> bool:
    """True when ``run`` published the feed as of ``moment`` or later: it ended
    well (published, or found nothing to change) and its edition, or failing
    that its last repeat, is not older than the release."""
    if run.outcome not in {"published", "unchanged"}:
        return False
    seen = run.edition_at or run.finished
    return seen is not None and seen >= moment


def released_in(
    store: Store, feeds: Iterable[FeedDefinition], version: Version
) -> list[str]:
    """Ids of the feeds that carry embargoed ``version`` at its release moment
    (the feed's own selection, run as of that moment), sorted."""
    moment = version.embargo_until
    if moment is None:
        return []
    return sorted(
        feed.feed_id
        for feed in feeds
        if any(v.guid == version.guid for v in store.select(feed.selection, moment))
    )
