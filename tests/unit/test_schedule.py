"""Scheduling pieces with real parts: APScheduler with the SQLAlchemy job store on
a real SQLite file, the leader locks (file lock; PostgreSQL advisory lock), the
embargo planner and the fast lane's feed matching against a real store."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_config

from syndication.articles.model import PubStatus, Subject, Version
from syndication.config import load_settings
from syndication.embargo import EmbargoPlanner, released_in
from syndication.errors import ConfigError, LockHeld
from syndication.fastlane import affected_feeds
from syndication.feeds import FeedDefinition, FeedSet, Schedule, load_feeds
from syndication.leader import leader_info, lock_key, open_leader_lock
from syndication.schedule import (
    FeedWatcher,
    describe_schedule,
    make_scheduler,
    make_trigger,
    publish_on_embargo,
    scheduler_status,
    sync_feed_jobs,
    sync_verify_job,
    verify_on_schedule,
)
from syndication.store import open_store
from syndication.store.base import Selection

NOW = datetime.now(UTC).replace(microsecond=0)
HEALTH = Subject("medtop:07000000", "health")
CLIMATE = Subject("medtop:06000000", "environment")


def story(guid: str, **changes: object) -> Version:
    base = Version(
        guid=guid,
        headline="Clinics reopen after the storm",
        body="<p>Doors opened at dawn.</p>",
        version_created=NOW - timedelta(minutes=5),
        first_created=NOW - timedelta(minutes=5),
        subjects=(HEALTH,),
        keywords=("Clinics",),
        urgency=4,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def feed(
    feed_id: str, schedule: Schedule | None = None, **selection: object
) -> FeedDefinition:
    return FeedDefinition(
        feed_id=feed_id,
        partner="Partner",
        title=feed_id,
        description="d",
        link="https://example.org/",
        selection=Selection(**selection),  # type: ignore[arg-type]
        schedule=schedule,
    )


@pytest.fixture
def site(tmp_path: Path):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    config = write_config(tmp_path, feeds_dir=feeds)
    return load_settings(config)


def write_feed(folder: Path, feed_id: str, schedule: str = 'interval = "1h"') -> Path:
    path = folder / f"{feed_id}.toml"
    path.write_text(
        f'id = "{feed_id}"\npartner = "P"\ntitle = "T"\ndescription = "D"\n'
        f'link = "https://example.org/"\n[selection]\nsubjects = ["medtop:07000000"]\n'
        f"[schedule]\n{schedule}\n",
        encoding="utf-8",
    )
    return path


# -- triggers -----------------------------------------------------------------


def test_interval_and_cron_triggers_honour_the_time_zone():
    interval = make_trigger(Schedule(interval=timedelta(seconds=2)))
    assert interval.interval == timedelta(seconds=2)
    cron = make_trigger(Schedule(cron="30 6 * * *", timezone="Europe/Paris"))
    fire = cron.get_next_fire_time(None, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2026, 7, 1, 4, 30, tzinfo=UTC)


def test_bad_zone_and_bad_cron_are_config_errors():
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        make_trigger(Schedule(interval=timedelta(minutes=1), timezone="Mars/Olympus"))
    with pytest.raises(ConfigError, match="invalid cron '61 \\* \\* \\* \\*'"):
        make_trigger(Schedule(cron="61 * * * *"))


def test_describe_schedule():
    assert (
        describe_schedule(Schedule(interval=timedelta(minutes=15)))
        == "every 0:15:00 (UTC)"
    )
    assert (
        describe_schedule(Schedule(cron="*/5 * * * *", timezone="Asia/Tokyo"))
        == "cron */5 * * * * (Asia/Tokyo)"
    )


# -- persistent jobs ------------------------------------------------------------


def test_jobs_persist_and_unchanged_schedules_keep_their_next_run(site):
    write_feed(site.feeds_dir, "health")
    write_feed(site.feeds_dir, "daily", 'cron = "0 6 * * *"')
    first = make_scheduler(site)
    first.start(paused=True)
    changes = sync_feed_jobs(first, load_feeds(site.feeds_dir))
    assert changes == {"daily": "added", "health": "added"}
    next_run = first.get_job("feed:health").next_run_time
    first.shutdown(wait=False)

    second = make_scheduler(site)  # a restart: same store database
    second.start(paused=True)
    assert sync_feed_jobs(second, load_feeds(site.feeds_dir)) == {}
    assert second.get_job("feed:health").next_run_time == next_run
    job = second.get_job("feed:health")
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.misfire_grace_time == site.scheduler.misfire_grace_seconds

    write_feed(site.feeds_dir, "health", 'interval = "2h"')
    (site.feeds_dir / "daily.toml").unlink()
    changes = sync_feed_jobs(second, load_feeds(site.feeds_dir))
    assert changes == {"daily": "removed", "health": "changed"}
    assert second.get_job("feed:health").name == "every 2:00:00 (UTC)"
    second.shutdown(wait=False)

    status = scheduler_status(site, open_store(site.store_url))
    assert list(status.next_runs) == ["health"]
    assert status.next_runs["health"] is not None
    assert status.is_active is False


def test_feed_watcher_notices_added_changed_and_removed_files(tmp_path: Path):
    watcher = FeedWatcher(tmp_path)
    assert watcher.changed() is False
    path = write_feed(tmp_path, "a")
    assert watcher.changed() is True
    assert watcher.changed() is False
    path.write_text(path.read_text() + "# edited\n")
    assert watcher.changed() is True
    path.unlink()
    assert watcher.changed() is True


def test_bad_and_colliding_feeds_are_refused_at_start_and_reload(site, caplog):
    from syndication.schedule import _load

    write_feed(site.feeds_dir, "health")
    write_feed(site.feeds_dir, "daily", 'cron = "0 6 * * *"')
    scheduler = make_scheduler(site)
    scheduler.start(paused=True)
    with caplog.at_level(logging.INFO, logger="syndication.schedule"):
        assert sorted(_load(site, scheduler)) == ["daily", "health"]
        twin = write_feed(site.feeds_dir, "twin")
        twin.write_text(twin.read_text() + '[destination]\npath = "health"\n')
        bad = write_feed(site.feeds_dir, "bad", 'cron = "61 * * * *"')
        assert sorted(_load(site, scheduler)) == ["daily"]  # a reload
    assert [job.id for job in scheduler.get_jobs("default")] == ["feed:daily"]
    scheduler.shutdown(wait=False)
    skipped = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert skipped[0] == (
        f"feed definition skipped: {bad} [schedule.cron]: invalid minute field '61' "
        "in cron '61 * * * *': use *, N, N-M, */S or N-M/S with N <= M from 0 to 59"
    )
    assert skipped[1].startswith(
        f"feed definition skipped: {site.feeds_dir / 'health.toml'} [id]: folder "
        f"'health' at destination 'local' is also the folder of feed 'twin' ({twin})"
    )
    assert skipped[2].startswith(
        f"feed definition skipped: {twin} [destination.path]: folder 'health'"
    )
    assert "feed health: schedule removed" in caplog.text


# -- embargoes --------------------------------------------------------------------


def test_planner_schedules_one_release_per_affected_feed(site, sqlite_store):
    release = NOW + timedelta(minutes=10)
    sqlite_store.append(story("urn:t:held", embargo_until=release))
    sqlite_store.append(story("urn:t:free"))
    feeds = {
        "health": feed("health", subjects=("medtop:07000000",)),
        "climate": feed("climate", subjects=("medtop:06000000",)),
        "all": feed("all"),
    }
    scheduler = make_scheduler(site)
    scheduler.start(paused=True)
    planner = EmbargoPlanner(scheduler, sqlite_store, publish_on_embargo)
    planner.plan(feeds, NOW)
    jobs = scheduler.get_jobs(jobstore="embargo")
    assert sorted(job.id for job in jobs) == [
        f"embargo:all@{release.isoformat()}",
        f"embargo:health@{release.isoformat()}",
    ]
    assert {job.next_run_time for job in jobs} == {release}

    # Lifted early: the planned release is dropped.
    later = NOW + timedelta(seconds=1)
    sqlite_store.append(story("urn:t:held", version_created=later, embargo_until=None))
    planner.plan(feeds, later)
    assert scheduler.get_jobs(jobstore="embargo") == []
    scheduler.shutdown(wait=False)


def _run(store, feed_id: str, at: datetime, outcome: str) -> None:
    run_id = store.start_run(feed_id, "local", at, "schedule")
    store.finish_run(
        run_id,
        finished=at,
        outcome=outcome,
        written=1,
        skipped=0,
        failed=0,
        items=1,
        edition_at=at,
    )


def test_catch_up_republishes_only_feeds_not_published_since_the_release(
    site, sqlite_store
):
    release = NOW - timedelta(hours=2)
    sqlite_store.append(
        story(
            "urn:t:held",
            version_created=release - timedelta(hours=1),
            embargo_until=release,
        )
    )
    feeds = {
        name: feed(name, subjects=("medtop:07000000",))
        for name in ("fresh", "quiet", "stale", "failed", "never")
    }
    _run(sqlite_store, "fresh", release + timedelta(minutes=5), "published")
    _run(sqlite_store, "quiet", release + timedelta(minutes=5), "unchanged")
    _run(sqlite_store, "stale", release - timedelta(minutes=5), "published")
    _run(sqlite_store, "failed", release + timedelta(minutes=5), "failed")
    scheduler = make_scheduler(site)
    scheduler.start(paused=True)
    planner = EmbargoPlanner(scheduler, sqlite_store, publish_on_embargo)
    due = planner.catch_up(feeds, NOW, NOW - timedelta(days=1))
    assert due == ["failed", "never", "stale"]
    assert sorted(job.id for job in scheduler.get_jobs(jobstore="embargo")) == [
        f"embargo:{name}@catch-up" for name in ("failed", "never", "stale")
    ]
    scheduler.shutdown(wait=False)


def test_released_in_respects_the_feed_limit_at_the_release_moment(sqlite_store):
    release = NOW + timedelta(minutes=10)
    held = story(
        "urn:t:held", embargo_until=release, version_created=NOW - timedelta(hours=1)
    )
    sqlite_store.append(held)
    sqlite_store.append(story("urn:t:newer"))
    feeds = [feed("one", limit=1), feed("two", limit=2)]
    assert released_in(sqlite_store, feeds, sqlite_store.get("urn:t:held")) == ["two"]


# -- fast lane matching -------------------------------------------------------------


def test_matching_versions_is_the_selection_rule_on_each_version(sqlite_store):
    """The fast lane asks the store which versions matched a feed: the rule
    select() applies, on every version, whatever its status."""
    first = story("urn:t:1", keywords=("Clinics",), language="en", urgency=3)
    sqlite_store.append(first)
    sqlite_store.append(
        replace(first, language="en-GB", version_created=NOW - timedelta(minutes=4))
    )
    sqlite_store.append(
        replace(
            first,
            language="eng",
            status=PubStatus.CANCELED,
            version_created=NOW - timedelta(seconds=1),
        )
    )

    def matching(**selection: object) -> list[int]:
        chosen = Selection(**selection)  # type: ignore[arg-type]
        return sqlite_store.matching_versions("urn:t:1", chosen, NOW)

    assert matching() == [1, 2, 3]
    assert matching(subjects=("medtop:07000000",)) == [1, 2, 3]
    assert matching(subjects=("medtop:06000000",)) == []
    assert matching(keywords=("clinics",)) == [1, 2, 3]
    assert matching(languages=("fr",)) == []
    assert matching(languages=("en",)) == [1, 2]
    assert matching(languages=("EN-gb",)) == [2]
    assert matching(languages=("en-US",)) == []
    assert matching(languages=("eng",)) == [3]
    assert matching(max_urgency=2) == []
    assert matching(window=timedelta(minutes=1)) == [3]
    assert sqlite_store.matching_versions("urn:t:none", Selection(), NOW) == []


def test_affected_feeds_include_kills_and_feeds_a_story_left(sqlite_store):
    sqlite_store.append(story("urn:t:1"))
    feeds = [
        feed("health", subjects=("medtop:07000000",)),
        feed("climate", subjects=("medtop:06000000",)),
        feed("flash", max_urgency=1),
    ]
    assert [f.feed_id for f in affected_feeds(sqlite_store, feeds, "urn:t:1", NOW)] == [
        "health"
    ]
    killed = story(
        "urn:t:1",
        status=PubStatus.CANCELED,
        ed_note="Legal",
        version_created=NOW - timedelta(minutes=1),
    )
    sqlite_store.append(killed)
    assert [f.feed_id for f in affected_feeds(sqlite_store, feeds, "urn:t:1", NOW)] == [
        "health"
    ]
    moved = story("urn:t:2", subjects=(CLIMATE,))
    sqlite_store.append(story("urn:t:2"))
    sqlite_store.append(replace(moved, version_created=NOW - timedelta(seconds=30)))
    assert [f.feed_id for f in affected_feeds(sqlite_store, feeds, "urn:t:2", NOW)] == [
        "climate",
        "health",
    ]


# -- leader locks -------------------------------------------------------------------


def test_second_scheduler_on_sqlite_is_refused(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = open_leader_lock(url)
    assert first.acquire(threading.Event()) is True
    info = leader_info(url)
    assert info.is_held is True
    assert info.holder.startswith("pid ")
    with pytest.raises(LockHeld) as caught:
        open_leader_lock(url).acquire(threading.Event())
    assert str(caught.value) == (
        f"the scheduler of store {url} is locked by another process "
        f"(held by {info.holder}); try again when it finishes"
    )
    first.release()
    assert leader_info(url).is_held is False


@pytest.mark.external_service
def test_postgres_standby_waits_and_takes_over(postgres_url: str):
    leader = open_leader_lock(postgres_url)
    assert leader.acquire(threading.Event()) is True
    assert leader_info(postgres_url).is_held is True
    standby = open_leader_lock(postgres_url)
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    assert standby.acquire(stop, poll_seconds=0.1) is False  # waited, then told to stop
    leader.release()
    assert standby.acquire(threading.Event(), poll_seconds=0.1) is True
    standby.check()
    standby.release()
    assert leader_info(postgres_url).is_held is False


def test_lock_keys_differ_per_schema():
    assert lock_key("test", "a") != lock_key("test", "b")
    assert -(2**63) <= lock_key("test", "a") < 2**63


def test_unscheduled_feed_has_no_job(site):
    scheduler = make_scheduler(site)
    scheduler.start(paused=True)
    feed_set = FeedSet({"plain": feed("plain")}, ())
    assert sync_feed_jobs(scheduler, feed_set) == {}
    assert scheduler.get_jobs() == []
    scheduler.shutdown(wait=False)


def test_the_verification_job_persists_and_follows_the_setting(site):
    first = make_scheduler(site)
    first.start(paused=True)
    assert sync_verify_job(first, site) == "added"
    job = first.get_job("verify")
    assert (job.func, job.name) == (verify_on_schedule, "verify every 1 day, 0:00:00")
    next_run = job.next_run_time
    first.shutdown(wait=False)

    second = make_scheduler(site)  # a restart keeps the next run
    second.start(paused=True)
    assert sync_verify_job(second, site) == ""
    assert second.get_job("verify").next_run_time == next_run
    hourly = replace(
        site, scheduler=replace(site.scheduler, verify_interval=timedelta(hours=1))
    )
    assert sync_verify_job(second, hourly) == "changed"
    assert second.get_job("verify").name == "verify every 1:00:00"
    off = replace(site, scheduler=replace(site.scheduler, verify_interval=None))
    assert sync_verify_job(second, off) == "removed"
    assert second.get_job("verify") is None
    assert sync_verify_job(second, off) == ""
    second.shutdown(wait=False)


def test_the_retention_job_prunes_old_summaries(site, monkeypatch, caplog):
    from syndication import schedule
    from syndication.config import LedgerConfig
    from syndication.store.base import RunRecord

    settings = replace(site, ledger=LedgerConfig(keep_unchanged=timedelta(days=7)))
    store = open_store(settings.store_url)

    def run(feed_id: str, outcome: str, days_ago: int, trigger: str) -> RunRecord:
        at = NOW - timedelta(days=days_ago)
        return RunRecord(
            0, feed_id, at, at, "local", outcome, 0, 4, 0, 1, "", trigger, "f"
        )

    store.record_runs(
        [
            run("a", "unchanged", 20, "schedule"),
            run("a", "unchanged", 19, "embargo"),  # another trigger: its own row
            run("a", "failed", 18, "schedule"),
            run("a", "unchanged", 1, "schedule"),
        ]
    )
    runtime = schedule._Runtime(settings, store, schedule.SchedulerControl())
    monkeypatch.setattr(schedule, "_runtime", runtime)
    monkeypatch.setattr(logging.getLogger("syndication"), "propagate", True)
    try:
        with caplog.at_level(logging.INFO, logger="syndication"):
            schedule.prune_ledger()
        assert [r.outcome for r in store.runs("a")] == ["unchanged", "failed"]
        pruned = runtime.metrics.registry.get_sample_value(
            "syndication_ledger_pruned_runs_total"
        )
        assert pruned == 2
        assert (
            "ledger: 2 summarised unchanged run(s) older than 7 days, 0:00:00 deleted"
            in [r.getMessage() for r in caplog.records]
        )
    finally:
        store.close()


def test_scheduled_runs_refresh_the_face_once_after_a_burst(site, monkeypatch):
    """Each feed is its own job: the runs that wrote note their destination,
    and one face refresh follows the burst (here: at shutdown)."""
    from syndication import schedule
    from syndication.face import publish as face_publish

    for n in range(3):
        write_feed(site.feeds_dir, f"f{n}")
    store = open_store(site.store_url)
    moment = datetime.now(UTC) - timedelta(minutes=5)
    store.append(
        Version(
            guid="urn:test:face-burst",
            headline="Floods",
            body="<p>Water rose.</p>",
            version_created=moment,
            first_created=moment,
            subjects=(Subject("medtop:07000000", "health"),),
        )
    )
    refreshes: list[int] = []
    real = face_publish.refresh_face

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        refreshes.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(face_publish, "refresh_face", counted)
    runtime = schedule._Runtime(site, store, schedule.SchedulerControl())
    try:
        runtime.feeds = load_feeds(site.feeds_dir).feeds
        for n in range(3):
            push = runtime.publish(f"f{n}", "schedule")
            # The first feed writes the shared item; every feed its indexes.
            assert push is not None and push.written == (5 if n == 0 else 4)
        assert refreshes == []  # not after each feed
        runtime.faces.flush()
        assert refreshes == [1]
        page = Path(site.feeds_dir).parent / "public" / "index.html"
        assert "f2" in page.read_text("utf-8")
    finally:
        runtime.close()
        store.close()
