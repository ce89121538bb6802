"""The publish path on a real folder and a real SQLite store: the shortcut (an
edition already published is not rendered, checked or uploaded again), items
before indexes, refusal, dry runs, failures that keep the old indexes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_config

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.destinations.local import LocalDestination
from syndication.feeds import load_feeds
from syndication.publish import FeedResult, Publisher, PublishSummary
from syndication.render.registry import render_edition
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=3)
FEED = """id = "alpha"
partner = "Partner Alpha"
title = "{title}"
description = "Environment stories"
link = "https://alpha.example/"
"""


def story(n: int) -> Version:
    return Version(
        guid=f"urn:test:{n}",
        headline=f"Story {n}",
        body=f"<p>Body {n}.</p>",
        version_created=T0 + timedelta(minutes=n),
        first_created=T0 + timedelta(minutes=n),
        subjects=(Subject("medtop:06000000", "environment"),),
    )


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "alpha.toml").write_text(FEED.format(title="Alpha"), encoding="utf-8")
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds))
    store = open_store(settings.store_url)
    store.append(story(1))
    renders: list[str] = []

    def render(edition):  # type: ignore[no-untyped-def]
        renders.append(edition.feed.feed_id)
        return render_edition(edition)

    publisher = Publisher(settings, store, render=render)

    def publish():  # type: ignore[no-untyped-def]
        feeds_now = list(load_feeds(settings.feeds_dir).feeds.values())
        return publisher.publish_feed(feeds_now[0], at=AT)

    yield publish, renders, store, tmp_path
    publisher.close()
    store.close()


def test_unchanged_edition_is_not_rendered_again(setup) -> None:  # type: ignore[no-untyped-def]
    publish, renders, store, _ = setup
    first = publish()
    # An item, three indexes and the stylesheet RSS and Atom name.
    assert (first.outcome, first.rendered, len(first.written)) == ("published", True, 5)
    second = publish()
    assert (second.outcome, second.rendered, second.skipped) == ("unchanged", False, 5)
    assert renders == ["alpha"]
    [latest, earlier] = store.runs("alpha", limit=2)
    assert latest.fingerprint == earlier.fingerprint != ""


def test_a_new_story_renders_again(setup) -> None:  # type: ignore[no-untyped-def]
    publish, renders, store, _ = setup
    publish()
    store.append(story(2))
    result = publish()
    assert (result.outcome, result.rendered) == ("published", True)
    assert renders == ["alpha", "alpha"]


def test_a_changed_definition_renders_again(setup) -> None:  # type: ignore[no-untyped-def]
    publish, _renders, _, tmp_path = setup
    publish()
    (tmp_path / "feeds" / "alpha.toml").write_text(FEED.format(title="Renamed"))
    result = publish()
    assert result.outcome == "published"
    assert b"Renamed" in (tmp_path / "public" / "alpha" / "rss.xml").read_bytes()


def test_a_missing_index_at_the_destination_is_restored(setup) -> None:  # type: ignore[no-untyped-def]
    publish, _renders, _, tmp_path = setup
    publish()
    (tmp_path / "public" / "alpha" / "atom.xml").unlink()
    result = publish()
    assert result.rendered
    assert result.written == ("alpha/atom.xml",)
    assert (tmp_path / "public" / "alpha" / "atom.xml").is_file()


def test_a_failed_run_is_not_taken_as_published(setup) -> None:  # type: ignore[no-untyped-def]
    publish, renders, _store, tmp_path = setup
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "alpha").write_text("a file where the folder goes")
    assert publish().outcome == "failed"
    (tmp_path / "public" / "alpha").unlink()
    assert publish().outcome == "published"
    assert len(renders) == 2


def test_an_old_store_is_migrated_in_place(tmp_path: Path) -> None:
    """A database at schema revision 0001 is upgraded on open; data is kept."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    import syndication.store.migrations as migrations
    from syndication.store.migrations.versions import HEAD_REVISION

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(Path(migrations.__file__).parent))
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            text(
                "INSERT INTO publish_runs (feed_id, destination, trigger, started,"
                " outcome, written, skipped, failed, items, error)"
                " VALUES ('alpha', 'local', 'manual', 0, 'published', 3, 0, 0, 1, '')"
            )
        )
    engine.dispose()
    store = open_store(url)
    try:
        [run] = store.runs("alpha")
        assert (run.outcome, run.written, run.fingerprint) == ("published", 3, "")
        assert run.repeats == 1  # revision 0005: every older row is one run
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            version = conn.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar() == HEAD_REVISION
    finally:
        store.close()


def test_items_are_written_before_the_indexes(setup) -> None:  # type: ignore[no-untyped-def]
    """The order is observed at a real folder destination, wrapped only to log
    the order of its writes."""
    from syndication.destinations.local import LocalDestination

    _publish, _renders, store, tmp_path = setup
    store.append(story(2))
    folder = LocalDestination("local", tmp_path / "public")
    order: list[str] = []

    class Recording:
        name = folder.name
        public_base_url = folder.public_base_url
        fingerprint = staticmethod(folder.fingerprint)
        list = staticmethod(folder.list)
        url = staticmethod(folder.url)
        close = staticmethod(folder.close)
        missing = staticmethod(folder.missing)
        stored_sha256 = staticmethod(folder.stored_sha256)
        shared_items = folder.shared_items
        remote = folder.remote

        def put(self, key, body, **kwargs):  # type: ignore[no-untyped-def]
            order.append(key if kwargs.get("durable", True) else f"{key} (not flushed)")
            return folder.put(key, body, **kwargs)

        def sync(self) -> None:
            order.append("sync")
            folder.sync()

    settings = load_settings(tmp_path / "syndication.toml")
    [feed] = load_feeds(settings.feeds_dir).feeds.values()
    publisher = Publisher(settings, store)
    result = publisher.publish_feed(feed, at=AT, destination=Recording())
    publisher.close()
    assert result.outcome == "published"
    # Items (and the stylesheet) are written unflushed, flushed together, and
    # only then the indexes (each flushed as it is written) that name them;
    # then the destination's face, which lists the feed.
    assert [k.startswith("items/") for k in order] == [True] * 2 + [False] * 7
    assert all(k.endswith("(not flushed)") for k in order[:3])
    assert order[2] == "alpha/feed.xsl (not flushed)"
    assert order[3] == "sync"
    assert sorted(order[4:7]) == ["alpha/atom.xml", "alpha/newsml.xml", "alpha/rss.xml"]
    assert order[7:] == ["feeds.opml", "index.html"]


def test_a_failure_mid_publish_keeps_the_old_indexes(setup) -> None:  # type: ignore[no-untyped-def]
    from syndication.destinations.base import encode_segment

    publish, _renders, store, tmp_path = setup
    assert publish().outcome == "published"
    feed_folder = tmp_path / "public" / "alpha"
    before = {p.name: p.read_bytes() for p in feed_folder.glob("*.xml")}
    store.append(story(2))
    # A file where the new story's item folder must go: its write fails.
    blocker = tmp_path / "public" / "items" / encode_segment("urn:test:2")
    blocker.write_text("in the way")
    failed = publish()
    assert (failed.outcome, failed.written, failed.failed) == ("failed", (), 4)
    assert "cannot write" in failed.error
    assert {p.name: p.read_bytes() for p in feed_folder.glob("*.xml")} == before
    [run] = store.runs("alpha", limit=1)
    assert (run.outcome, run.written, run.failed) == ("failed", 0, 4)
    blocker.unlink()
    completed = publish()
    assert (completed.outcome, len(completed.written)) == ("published", 4)
    assert b"Story 2" in (feed_folder / "rss.xml").read_bytes()


# -- the publish path with a pass-through gate (validation is tested elsewhere) --


@dataclass(frozen=True)
class Verdict:
    ok: bool = True
    problems: tuple[str, ...] = ()


class PassGate:
    def check(self, documents, edition, held=()):  # type: ignore[no-untyped-def]
        return Verdict()

    def check_face(self, documents):  # type: ignore[no-untyped-def]
        return Verdict()


class RefuseGate:
    def check(self, documents, edition, held=()):  # type: ignore[no-untyped-def]
        return Verdict(False, ("rss.xml: refused for the test",))


class RecordingFolder(LocalDestination):
    """A real folder destination that also notes the order of its writes."""

    def __init__(self, root: Path) -> None:
        super().__init__("local", root)
        self.order: list[str] = []

    def put(self, key, body, **kwargs):  # type: ignore[no-untyped-def]
        result = super().put(key, body, **kwargs)
        self.order.append(key)
        return result


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "alpha.toml").write_text(FEED.format(title="Alpha"), encoding="utf-8")
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds))
    store = open_store(settings.store_url)
    for n in (1, 2):
        store.append(story(n))
    [feed] = load_feeds(settings.feeds_dir).feeds.values()
    yield settings, store, feed, tmp_path
    store.close()


def test_a_refused_edition_writes_nothing(site) -> None:  # type: ignore[no-untyped-def]
    settings, store, feed, tmp_path = site
    folder = RecordingFolder(tmp_path / "out")
    result = Publisher(settings, store, gate=RefuseGate()).publish_feed(
        feed, at=AT, destination=folder
    )
    assert result.outcome == "invalid"
    assert result.error == "feed alpha: 1 problem(s); nothing written"
    assert folder.order == []
    assert not (tmp_path / "out").exists()
    [run] = store.runs("alpha")
    assert (run.outcome, run.error) == ("invalid", result.error)
    assert PublishSummary((result,)).exit_code == 4


def test_dry_run_lists_what_would_be_written_and_records_nothing(site) -> None:  # type: ignore[no-untyped-def]
    settings, store, feed, tmp_path = site
    folder = RecordingFolder(tmp_path / "out")
    publisher = Publisher(settings, store, gate=PassGate())
    result = publisher.publish_feed(feed, at=AT, destination=folder, dry_run=True)
    assert (result.outcome, result.written, result.skipped) == ("dry-run", (), 0)
    assert len(result.would_write) == 6  # and the stylesheet
    assert folder.order == [] and store.runs("alpha") == []
    publisher.publish_feed(feed, at=AT, destination=folder)
    store.append(story(3))
    again = publisher.publish_feed(feed, at=AT, destination=folder, dry_run=True)
    assert again.would_write == (
        "items/urn~3Atest~3A3/v1.xml",
        "alpha/rss.xml",
        "alpha/atom.xml",
        "alpha/newsml.xml",
    )
    assert again.skipped == 3


def test_summary_exit_codes() -> None:
    def result(outcome: str) -> FeedResult:
        return FeedResult("f", "local", outcome)

    assert PublishSummary(()).exit_code == 0
    assert PublishSummary((result("published"), result("unchanged"))).exit_code == 0
    assert PublishSummary((result("invalid"), result("published"))).exit_code == 4
    assert PublishSummary((result("invalid"), result("locked"))).exit_code == 1
    assert PublishSummary((result("failed"),)).exit_code == 1
    assert PublishSummary(()).line() == (
        "0 feed(s) (none): 0 document(s) written, 0 skipped, 0 failed"
    )


def test_force_rewrites_every_document_whatever_the_ledger_says(site) -> None:  # type: ignore[no-untyped-def]
    settings, store, feed, tmp_path = site
    folder = RecordingFolder(tmp_path / "out")
    publisher = Publisher(settings, store, gate=PassGate())
    first = publisher.publish_all([feed], at=AT, destination=folder)
    assert first.written == 6
    assert folder.order[-2:] == ["feeds.opml", "index.html"]  # the face, last
    folder.order.clear()
    again = publisher.publish_all([feed], at=AT, destination=folder)
    assert (again.results[0].outcome, folder.order) == ("unchanged", [])
    forced = publisher.publish_all([feed], at=AT, destination=folder, force=True)
    [result] = forced.results
    assert (result.outcome, result.skipped, result.rendered) == ("published", 0, True)
    # Every document again; the face, when its dates changed, after them.
    face = ("feeds.opml", "index.html")
    feed_keys = [key for key in folder.order if key not in face]
    assert sorted(feed_keys) == sorted(first.results[0].written)
    # The indexes last (side by side: none names another).
    assert sorted(feed_keys[-3:]) == [
        "alpha/atom.xml",
        "alpha/newsml.xml",
        "alpha/rss.xml",
    ]
    assert folder.order[: len(feed_keys)] == feed_keys
    folder.order.clear()
    single = publisher.publish_feed(feed, at=AT, destination=folder, force=True)
    feed_keys = [key for key in folder.order if key not in face]
    assert (single.outcome, len(feed_keys)) == ("published", 6)
    publisher.close()


def test_push_exit_codes_follow_publish() -> None:
    from syndication.fastlane import FeedPush, PushReport

    def push(*feeds: tuple[str, tuple[str, ...]]) -> PushReport:
        return PushReport(
            "urn:x",
            1,
            tuple(
                FeedPush(f"f{n}", o, (), 0, 0, 0.0, "", q)
                for n, (o, q) in enumerate(feeds)
            ),
            0.0,
        )

    assert push().exit_code == 0
    assert push(("ok", ())).exit_code == 0
    assert push(("ok", ("urn:y v1: bad",))).exit_code == 4  # the rest went out
    assert push(("invalid", ()), ("ok", ())).exit_code == 4
    assert push(("invalid", ()), ("locked", ())).exit_code == 1
    assert push(("failed", ()), ("ok", ("urn:y v1: bad",))).exit_code == 1


class CountingGate:
    """The site's real gate, counting the item documents it really checks."""

    def __init__(self, settings):  # type: ignore[no-untyped-def]
        from syndication.validate.gate import Gate

        self.gate = Gate.from_settings(settings)
        self.items: list[str] = []
        real = self.gate._check_document

        def counted(document, expectations):  # type: ignore[no-untyped-def]
            if not document.is_index:
                self.items.append(document.key)
            return real(document, expectations)

        self.gate._check_document = counted  # type: ignore[method-assign]


@pytest.mark.parametrize("items", ["shared", "private"])
def test_a_fresh_process_does_not_check_again_the_items_the_destination_holds(
    tmp_path: Path, items: str
) -> None:
    """A push is a fresh process with an empty gate: of the feed's items only
    the new one is checked; those the destination holds byte for byte passed
    when they were written. In a feed's own folder, an item whose bytes
    differ there is checked and written again; in the shared folder, an item
    the last edition carried of an article that did not move is not looked
    at (verify finds it, and publish --force writes it again)."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "alpha.toml").write_text(
        FEED.format(title="Alpha") + 'formats = ["rss", "atom", "newsml"]\n', "utf-8"
    )
    public = tmp_path / "public"
    extra = f'item_documents = "{items}"\n'  # in [destinations.local]
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds, extra=extra))
    store = open_store(settings.store_url)
    for n in range(1, 4):
        store.append(story(n))
    [feed] = load_feeds(settings.feeds_dir).feeds.values()
    first = Publisher(settings, store)
    assert first.publish_feed(feed, at=AT).outcome == "published"
    first.close()

    store.append(story(4))
    counting = CountingGate(settings)
    fresh = Publisher(settings, store, gate=counting.gate)
    result = fresh.publish_feed(feed, at=AT)
    fresh.close()
    assert result.outcome == "published"
    assert [key.split("/")[1] for key in counting.items] == ["urn~3Atest~3A4"]

    # Bytes changed behind the ledger's back are not trusted: checked, then
    # written again.
    store.append(story(5))
    folder = public / "items" if items == "shared" else public / "alpha" / "items"
    held = sorted(folder.rglob("v1.xml"))
    held[0].write_bytes(held[0].read_bytes().replace(b"Body", b"Bady"))
    counting = CountingGate(settings)
    fresh = Publisher(settings, store, gate=counting.gate)
    result = fresh.publish_feed(feed, at=AT)
    fresh.close()
    key = f"items/{held[0].parent.name}/v1.xml"
    if items == "private":
        assert len(counting.items) == 2  # the new story's and the altered one
        assert f"alpha/{key}" in result.written
        assert b"Bady" not in held[0].read_bytes()
    else:
        assert len(counting.items) == 1  # the new story's
        assert key not in result.written and b"Bady" in held[0].read_bytes()
        forced = Publisher(settings, store).publish_feed(feed, at=AT, force=True)
        assert key in forced.written and b"Bady" not in held[0].read_bytes()
    store.close()
