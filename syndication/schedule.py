"""APScheduler 3.x wiring: decides *when* each feed runs through the publish path.

Each feed's ``schedule`` (an interval or a five-field cron expression, in UTC
unless the definition names a zone) becomes a job in a persistent
``SQLAlchemyJobStore`` on the site's store database (table ``scheduler_jobs``),
so next-run times survive restarts. Jobs coalesce, run one instance per feed, and
keep a misfire grace (``[scheduler] misfire_grace_seconds``) so a restart never
silently drops a run.

Embargo releases are one-off date jobs in memory, planned every
``[scheduler] embargo_poll_seconds`` from :meth:`Store.pending_embargoes`: at a
release moment the feeds that carry the story then are published. They are
re-planned from the store after a restart, so nothing is lost with them.

Verification (:mod:`syndication.verify`) of every feed's destination against
the ledger is one more persistent job, every ``[scheduler] verify_interval``
(default 24 hours), repairing what it finds unless ``verify_repair = false``.

Jobs are module-level functions taking only a feed id (or nothing), because
the persistent job store keeps jobs by import reference. They reach the
running scheduler's settings and store through :data:`_runtime`, set by
:func:`run_scheduler`.

Every hour (and at start) old summarised unchanged runs leave the ledger
(``[ledger] keep_unchanged_days``). With ``[scheduler] metrics_address`` the
process serves ``/healthz`` and ``/metrics`` (:mod:`syndication.metrics`),
while it stands by too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from syndication.config import Settings, metrics_address
from syndication.embargo import (
    JOB_PREFIX,
    JOB_STORE,
    EmbargoPlanner,
    EmbargoRelease,
    released_in,
)
from syndication.errors import ConfigError, SyndicationError
from syndication.feeds import FeedDefinition, FeedSet, Schedule, load_site_feeds
from syndication.health import HealthState
from syndication.metrics import MetricsServer, SchedulerMetrics
from syndication.store.base import Store

if TYPE_CHECKING:
    from syndication.fastlane import FeedPush
    from syndication.publish import FeedResult
    from syndication.workqueue.enqueue import QueueClient

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"
_FEED_JOB = "feed:"
VERIFY_JOB = "verify"
PRUNE_JOB = "prune-ledger"
_MEMORY = "memory"  # jobs planned afresh at every start
_PRUNE_EVERY = timedelta(hours=1)
_LEADER_CHECK_SECONDS = 5.0
_WORKERS = 4
# How far back a starting scheduler looks for embargoes that lifted while none ran.
_CATCH_UP = timedelta(days=7)


@dataclass
class SchedulerControl:
    """How the outside (signal handlers, tests) steers a running scheduler:
    ``stop`` ends it after the publishes in progress, ``reload`` re-reads the
    feed definitions."""

    stop: threading.Event = field(default_factory=threading.Event)
    reload: threading.Event = field(default_factory=threading.Event)


# -- jobs (module level, referenced by name from the job store) -----------------


def publish_on_schedule(feed_id: str) -> None:
    """Job: a feed's regular publish."""
    _current().publish(feed_id, "schedule")


def publish_on_embargo(feed_id: str) -> FeedPush | None:
    """Job: publish a feed at an embargo release moment. Returns how it went,
    for the release-lag metric (see :meth:`_Runtime.job_done`)."""
    return _current().publish(feed_id, "embargo")


def verify_on_schedule() -> None:
    """Job: check every feed's destination against the ledger and, unless
    ``[scheduler] verify_repair = false``, repair the drift found."""
    _current().verify()


def prune_ledger() -> None:
    """Job: delete summarised unchanged runs older than ``[ledger]
    keep_unchanged_days``."""
    _current().prune()


class _Runtime:
    """What the jobs of the running scheduler share."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        control: SchedulerControl,
        metrics: SchedulerMetrics | None = None,
    ):
        self.settings = settings
        self.store = store
        self.control = control
        self.metrics = metrics or SchedulerMetrics()
        self._feeds: Mapping[str, FeedDefinition] = {}
        self._lock = threading.Lock()
        from syndication.publish import Publisher

        # One publisher for every job: one client per destination for the
        # scheduler's life, and one gate whose verdicts carry over between runs.
        self.publisher = Publisher(settings, store)
        # The faces of the destinations the runs changed, once per burst.
        from syndication.face.coalesce import FaceRefresher

        self.faces = FaceRefresher(self._refresh_faces)
        # With a task queue, feeds are enqueued for the workers instead.
        self.queue: QueueClient | None = None
        if settings.queue.is_enabled:
            from syndication.workqueue.enqueue import QueueClient

            self.queue = QueueClient(settings.queue)

    def close(self) -> None:
        self.faces.close()
        self.publisher.close()
        if self.queue is not None:
            self.queue.close()

    @property
    def feeds(self) -> Mapping[str, FeedDefinition]:
        with self._lock:
            return self._feeds

    @feeds.setter
    def feeds(self, value: Mapping[str, FeedDefinition]) -> None:
        with self._lock:
            self._feeds = value
        self.metrics.know_feeds(value)

    def publish(self, feed_id: str, trigger: str) -> FeedPush | None:
        from syndication.fastlane import publish_now
        from syndication.publish import run_observer

        feed = self.feeds.get(feed_id)
        if feed is None:
            log.warning(
                "feed %s is no longer defined; %s run skipped", feed_id, trigger
            )
            return None
        if self.queue is not None:
            self._enqueue(self.queue, feed_id, trigger)
            return None
        log.info("publishing feed %s (%s)", feed_id, trigger)
        finished: list[FeedResult] = []
        # This job thread's context only: runs of other threads are theirs.
        token = run_observer.set(finished.append)
        try:
            result = publish_now(
                self.settings,
                self.store,
                feed,
                trigger=trigger,
                stop=self.control.stop,
                publisher=self.publisher,
                face=False,
            )
        finally:
            run_observer.reset(token)
        for run in finished:
            self.metrics.observe_run(run)
            if run.is_ok and (run.written or run.withdrawn):
                self.faces.changed(feed, run)
        if not finished:  # locked, or failed before the run could start
            self.metrics.observe_unfinished(feed_id, result.outcome, result.elapsed)
        if result.is_ok:
            log.info(
                "published feed %s (%s): %d written, %d unchanged in %.2f s",
                feed_id,
                trigger,
                result.written,
                result.skipped,
                result.elapsed,
            )
        else:
            log.error(
                "feed %s (%s) %s: %s", feed_id, trigger, result.outcome, result.error
            )
        return result

    def _enqueue(self, queue: QueueClient, feed_id: str, trigger: str) -> None:
        """Queue mode: a job for the workers (an embargo release on the urgent
        queue, not to run before now on the worker's clock either)."""
        from syndication.workqueue.app import Lane, lane_for

        lane = lane_for(trigger)
        not_before = datetime.now(UTC) if trigger == "embargo" else None
        try:
            queue.enqueue(feed_id, trigger, lane, not_before=not_before)
        except SyndicationError as exc:
            log.error("feed %s (%s) not queued: %s", feed_id, trigger, exc)
            return
        log.info(
            "queued feed %s (%s) on the %s queue",
            feed_id,
            trigger,
            "urgent" if lane is Lane.URGENT else "bulk",
        )

    def job_done(self, event: Any) -> None:
        """APScheduler listener (job executed): an embargo release job's lag,
        from its release moment (the job's run time) to its documents written
        (now, as the job returns). A catch-up job's moment is not a release."""
        push = event.retval
        if (
            event.jobstore != JOB_STORE
            or not str(event.job_id).startswith(JOB_PREFIX)
            or str(event.job_id).endswith("@catch-up")
            or push is None
            or not push.written
        ):
            return
        lag = (datetime.now(UTC) - event.scheduled_run_time).total_seconds()
        self.metrics.embargo_lag.labels(push.feed_id).observe(max(0.0, lag))

    def _refresh_faces(
        self, changed: Sequence[tuple[FeedDefinition, FeedResult]]
    ) -> None:
        self.publisher.refresh_faces(
            [feed for feed, _ in changed], [result for _, result in changed], None
        )

    def prune(self) -> None:
        keep = self.settings.ledger.keep_unchanged
        try:
            deleted = self.store.prune_unchanged(datetime.now(UTC) - keep)
        except SyndicationError as exc:
            log.error("ledger retention failed: %s", exc)
            return
        self.metrics.pruned.inc(deleted)
        if deleted:
            log.info(
                "ledger: %d summarised unchanged run(s) older than %s deleted",
                deleted,
                keep,
            )

    def verify(self) -> None:
        from syndication.verify import verify_site

        feeds = [self.feeds[feed_id] for feed_id in sorted(self.feeds)]
        verify_site(
            self.settings,
            self.store,
            feeds,
            repair=self.settings.scheduler.verify_repair,
        )


_runtime: _Runtime | None = None


def _current() -> _Runtime:
    if _runtime is None:
        raise RuntimeError("scheduler jobs run only inside run_scheduler()")
    return _runtime


# -- triggers ---------------------------------------------------------------------


def make_trigger(schedule: Schedule, *, path: Path | None = None) -> Any:
    """An APScheduler trigger for a feed's schedule. Raises ConfigError for an
    unknown time zone or a cron expression APScheduler rejects."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    timezone = _zone(schedule.timezone, path)
    if schedule.interval is not None:
        return IntervalTrigger(
            seconds=schedule.interval.total_seconds(), timezone=timezone
        )
    try:
        return CronTrigger.from_crontab(schedule.cron, timezone=timezone)
    except ValueError as exc:
        raise ConfigError(
            f"invalid cron {schedule.cron!r}: {exc}", path=path, key="schedule.cron"
        ) from exc


def describe_schedule(schedule: Schedule) -> str:
    """``every 0:15:00 (UTC)`` or ``cron */15 * * * * (Europe/London)``; also
    the job's name, so a changed schedule is recognised on reload."""
    if schedule.interval is not None:
        return f"every {schedule.interval} ({schedule.timezone})"
    return f"cron {schedule.cron} ({schedule.timezone})"


def _zone(name: str, path: Path | None) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone {name!r}", path=path, key="schedule.timezone"
        ) from exc


# -- the scheduler ------------------------------------------------------------------


def make_scheduler(settings: Settings) -> Any:
    """A paused-until-started BackgroundScheduler with the persistent job store on
    the store database and an in-memory store for embargo releases."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from syndication.store.sql import make_engine

    return BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(
                engine=make_engine(settings.store_url, immediate=True),
                tablename=JOB_TABLE,
            ),
            JOB_STORE: MemoryJobStore(),
            _MEMORY: MemoryJobStore(),
        },
        executors={"default": ThreadPoolExecutor(_WORKERS)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.scheduler.misfire_grace_seconds,
        },
        timezone=UTC,
    )


def sync_feed_jobs(scheduler: Any, feed_set: FeedSet) -> dict[str, str]:
    """Make the job store hold one job per scheduled feed: add new ones, replace
    changed schedules, remove feeds that are gone or unscheduled, and keep
    unchanged jobs (and their next-run times) as they are. Returns
    feed id → what changed (``added``, ``changed``, ``removed``)."""
    changes: dict[str, str] = {}
    wanted: dict[str, FeedDefinition] = {
        f"{_FEED_JOB}{feed.feed_id}": feed
        for feed in feed_set.feeds.values()
        if feed.schedule is not None
    }
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith(_FEED_JOB) and job.id not in wanted:
            scheduler.remove_job(job.id, jobstore="default")
            changes[job.id.removeprefix(_FEED_JOB)] = "removed"
    for job_id, feed in wanted.items():
        assert feed.schedule is not None
        name = describe_schedule(feed.schedule)
        existing = scheduler.get_job(job_id, jobstore="default")
        if existing is not None and existing.name == name:
            continue
        try:
            trigger = make_trigger(feed.schedule, path=feed.source)
        except ConfigError as exc:
            log.error("feed %s not scheduled: %s", feed.feed_id, exc)
            continue
        scheduler.add_job(
            publish_on_schedule,
            trigger,
            args=[feed.feed_id],
            id=job_id,
            name=name,
            jobstore="default",
            replace_existing=True,
        )
        changes[feed.feed_id] = "changed" if existing is not None else "added"
    return changes


def sync_verify_job(scheduler: Any, settings: Settings) -> str:
    """Make the job store hold the verification job ``[scheduler]
    verify_interval`` asks for: ``added``, ``changed`` (a new interval; the
    next run is planned afresh), ``removed`` (``"off"``), or "" when the stored
    job is already right (its next run kept across restarts)."""
    from apscheduler.triggers.interval import IntervalTrigger

    existing = scheduler.get_job(VERIFY_JOB, jobstore="default")
    interval = settings.scheduler.verify_interval
    if interval is None:
        if existing is None:
            return ""
        scheduler.remove_job(VERIFY_JOB, jobstore="default")
        return "removed"
    name = f"verify every {interval}"
    if existing is not None and existing.name == name:
        return ""
    scheduler.add_job(
        verify_on_schedule,
        IntervalTrigger(seconds=interval.total_seconds(), timezone=UTC),
        id=VERIFY_JOB,
        name=name,
        jobstore="default",
        replace_existing=True,
    )
    return "changed" if existing is not None else "added"


def run_scheduler(settings: Settings, control: SchedulerControl | None = None) -> None:
    """Run the scheduler in this process until ``control.stop`` is set.

    Takes the store's leader lock first: on PostgreSQL waits (as a standby)
    until it is free; on SQLite raises LockHeld when another scheduler runs.
    Health and metrics are served from the start (``[scheduler]
    metrics_address``), standing by too; SyndicationError when the address
    cannot be bound. Stops after the publishes in progress finish. Raises
    StoreError when the leader lock is lost, so the process can exit and a
    standby take over.
    """
    from syndication.leader import open_leader_lock
    from syndication.store import open_store

    control = control or SchedulerControl()
    metrics = SchedulerMetrics()
    # Opened before the lock, so a standby's health says whether it can reach it.
    store = open_store(settings.store_url)
    health = HealthState(store.change_count, settings.scheduler.health_max_tick_age)
    server = _serve(settings, metrics, health)
    lock = open_leader_lock(settings.store_url)
    try:
        if not lock.acquire(control.stop):
            log.info("stopped while standing by")
            return
        health.lead()
        metrics.is_leader.set(1)
        try:
            _lead(settings, store, control, metrics, health, lock)
        finally:
            lock.release()
            log.info("scheduler stopped")
    finally:
        if server is not None:
            server.close()
        health.close()
        store.close()


def _serve(
    settings: Settings, metrics: SchedulerMetrics, health: HealthState
) -> MetricsServer | None:
    address = metrics_address(settings.scheduler.metrics_address)
    if address is None:
        return None
    server = MetricsServer(address, metrics, health)
    server.start()
    return server


def _lead(
    settings: Settings,
    store: Store,
    control: SchedulerControl,
    metrics: SchedulerMetrics,
    health: HealthState,
    lock: Any,
) -> None:
    """The active scheduler's life, once it holds the leader lock."""
    global _runtime
    from apscheduler.events import EVENT_JOB_EXECUTED
    from sqlalchemy.exc import SQLAlchemyError

    from syndication.errors import StoreError

    scheduler = make_scheduler(settings)
    runtime = _Runtime(settings, store, control, metrics)
    _runtime = runtime
    try:
        scheduler.add_listener(runtime.job_done, EVENT_JOB_EXECUTED)
        scheduler.start(paused=True)
        watcher = FeedWatcher(settings.feeds_dir)
        runtime.feeds = _load(settings, scheduler)
        change = sync_verify_job(scheduler, settings)
        if change:
            log.info("verification job %s", change)
        scheduler.add_job(
            prune_ledger,
            "interval",
            seconds=_PRUNE_EVERY.total_seconds(),
            id=PRUNE_JOB,
            jobstore=_MEMORY,
            next_run_time=datetime.now(UTC),
        )
        watcher.changed()
        # The planner ignores what its job returns; job_done reads it.
        job = cast("Callable[[str], None]", publish_on_embargo)
        planner = EmbargoPlanner(scheduler, store, job)
        started = datetime.now(UTC)
        planner.catch_up(runtime.feeds, started, started - _CATCH_UP)
        planner.plan(runtime.feeds, started)
        scheduler.resume()
        log.info(
            "scheduler running: %d feeds scheduled", len(scheduler.get_jobs("default"))
        )
        _loop(settings, scheduler, runtime, planner, watcher, lock, health)
    except SQLAlchemyError as exc:
        # The job store talks to the database directly; its failures are ours.
        raise StoreError(f"scheduler job store failed: {exc}") from exc
    finally:
        log.info("stopping: waiting for publishes in progress to finish")
        if scheduler.running:
            scheduler.shutdown(wait=True)
        runtime.close()
        _runtime = None


def _loop(
    settings: Settings,
    scheduler: Any,
    runtime: _Runtime,
    planner: EmbargoPlanner,
    watcher: FeedWatcher,
    lock: Any,
    health: HealthState,
) -> None:
    control = runtime.control
    poll = max(0.05, settings.scheduler.embargo_poll_seconds)
    last_check = datetime.now(UTC)
    while not control.stop.wait(min(poll, 1.0)):
        if control.reload.is_set() or watcher.changed():
            control.reload.clear()
            log.info("reloading feed definitions from %s", settings.feeds_dir)
            runtime.feeds = _load(settings, scheduler)
            planner.forget()
        now = datetime.now(UTC)
        try:
            planner.plan(runtime.feeds, now)
        except SyndicationError as exc:
            log.error("embargo check failed: %s", exc)
        if (now - last_check).total_seconds() >= _LEADER_CHECK_SECONDS:
            lock.check()
            last_check = now
        ticked = datetime.now(UTC)
        health.tick(ticked)
        runtime.metrics.last_tick.set(ticked.timestamp())
        runtime.metrics.pending_releases.set(len(scheduler.get_jobs(JOB_STORE)))


def _load(settings: Settings, scheduler: Any) -> Mapping[str, FeedDefinition]:
    feed_set = load_site_feeds(settings)
    for problem in feed_set.problems:
        log.error("feed definition skipped: %s", problem)
    for feed_id, change in sorted(sync_feed_jobs(scheduler, feed_set).items()):
        log.info("feed %s: schedule %s", feed_id, change)
    return feed_set.feeds


class FeedWatcher:
    """Notices changes under feeds/ by polling names, sizes and mtimes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._state: tuple[tuple[str, int, int], ...] | None = None

    def changed(self) -> bool:
        """True when the folder differs from the last call (False on the first)."""
        state = self._snapshot()
        previous, self._state = self._state, state
        return previous is not None and state != previous

    def _snapshot(self) -> tuple[tuple[str, int, int], ...]:
        try:
            entries = sorted(self.folder.glob("*.toml"))
        except OSError:
            return ()
        state = []
        for path in entries:
            try:
                info = path.stat()
            except OSError:  # gone, or a broken link: still a change to notice
                state.append((path.name, -1, -1))
            else:
                state.append((path.name, info.st_size, info.st_mtime_ns))
        return tuple(state)


# -- status -----------------------------------------------------------------------


@dataclass(frozen=True)
class SchedulerStatus:
    """What ``syndication status`` shows about scheduling.

    ``next_runs`` maps each scheduled feed id to its next run (UTC) as the job
    store holds it, or None when the scheduler has not stored the job yet or
    the job is paused. ``holder`` names the active scheduler's process when known.
    """

    is_active: bool
    holder: str
    next_runs: Mapping[str, datetime | None]
    pending_releases: tuple[EmbargoRelease, ...]


def scheduler_status(
    settings: Settings,
    store: Store,
    feeds: Mapping[str, FeedDefinition] | None = None,
    now: datetime | None = None,
) -> SchedulerStatus:
    """Whether a scheduler is active on the store, each scheduled feed's next run
    and the pending embargo releases with the feeds they will publish. Reads
    only; never takes a lock from a running scheduler. Raises StoreError."""
    from syndication.leader import leader_info

    now = now or datetime.now(UTC)
    if feeds is None:
        feeds = load_site_feeds(settings).feeds
    stored = _stored_next_runs(settings.store_url)
    next_runs = {
        feed_id: stored.get(feed_id)
        for feed_id, feed in sorted(feeds.items())
        if feed.schedule is not None
    }
    releases = tuple(
        EmbargoRelease(
            v.guid,
            v.version,
            v.embargo_until,
            tuple(released_in(store, feeds.values(), v)),
        )
        for v in store.pending_embargoes(now)
        if v.embargo_until is not None
    )
    info = leader_info(settings.store_url)
    return SchedulerStatus(info.is_held, info.holder, next_runs, releases)


def _stored_next_runs(store_url: str) -> dict[str, datetime | None]:
    from sqlalchemy import Column, Float, MetaData, Table, Unicode, inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from syndication.errors import StoreError
    from syndication.store.sql import make_engine

    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(JOB_TABLE):
                return {}
            jobs = Table(
                JOB_TABLE,
                MetaData(),
                Column("id", Unicode(191)),
                Column("next_run_time", Float(25)),
            )
            rows = conn.execute(select(jobs.c.id, jobs.c.next_run_time)).all()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the scheduler's jobs: {exc}") from exc
    finally:
        engine.dispose()
    return {
        str(job_id).removeprefix(_FEED_JOB): (
            None if stamp is None else datetime.fromtimestamp(float(stamp), UTC)
        )
        for job_id, stamp in rows
        if str(job_id).startswith(_FEED_JOB)
    }
