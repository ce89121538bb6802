"""Editorial guarantees on every path, through the CLI, on SQLite and
PostgreSQL, to a folder and to S3 (moto): a kill withdraws every copy, an
embargo never leaks, and the ledger records each withdrawal."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lifecycle_site import (
    DAY,
    DESTINATIONS,
    ENVIRONMENT,
    Site,
    iso,
    site_for,
    story,
)
from lxml import etree

from syndication.articles.model import PubStatus, Subject
from syndication.store import open_store

ATOM = "{http://www.w3.org/2005/Atom}"
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"
G2 = "{http://iptc.org/std/nar/2006-10-01/}"


@pytest.fixture(params=DESTINATIONS)
def site(request: pytest.FixtureRequest, tmp_path: Path, store_url: str) -> Site:
    return site_for(request, tmp_path, store_url)


def tombstones(site: Site, feed: str) -> set[str]:
    root = etree.fromstring(site.feed_document(feed, "atom.xml"))
    return {e.get("ref") for e in root.iter(TOMBSTONE)}


def canceled_in_message(site: Site, feed: str) -> set[str]:
    root = etree.fromstring(site.feed_document(feed, "newsml.xml"))
    found = set()
    for item in root.iter(f"{G2}newsItem"):
        status = item.find(f"{G2}itemMeta/{G2}pubStatus")
        if status is not None and status.get("qcode") == "stat:canceled":
            found.add(item.get("guid"))
    return found


def in_feed(site: Site, feed: str, text: str) -> list[str]:
    """Keys of ``feed``'s own documents (not its replays) holding ``text``."""
    return [
        key for key in site.holding(text) if f"{feed}/" in key and "/replay/" not in key
    ]


def assert_gone(site: Site, n: int) -> None:
    for marker in (f"Headline marker {n}", f"Summary marker {n}", f"Body marker {n}"):
        assert site.holding(marker) == [], marker


def test_a_kill_withdraws_every_copy(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    assert site.holding("Body marker 1"), "published before the kill"
    result = site.ok("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    assert "all" in result.output
    assert_gone(site, 1)
    assert site.holding("Body marker 2"), "the other story stays"
    for feed in ("all", "labour", "urgent"):
        assert "urn:test:story-1" in tombstones(site, feed)
        assert "urn:test:story-1" in canceled_in_message(site, feed)
    store = open_store(site.store_url)
    try:
        withdrawn = store.withdrawals("dest")
    finally:
        store.close()
    assert withdrawn, "the ledger records each withdrawal"
    assert all("killed in version 2" in w.note for w in withdrawn)
    assert {w.key.rsplit("/", 1)[-1] for w in withdrawn} == {"v1.xml"}


@pytest.mark.parametrize("guid", ["é" * 106, "a" * 256], ids=["accented", "plain"])
def test_an_id_too_long_for_a_file_name_is_published_and_withdrawn(
    site: Site, guid: str
) -> None:
    assert site.ingest(**story(1, guid=guid)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    items = [key for key in site.holding("Body marker 1") if "items/" in key]
    assert len(items) == 1  # one newsItem, shared by the three feeds
    assert all(len(key.split("/")[-2]) <= 200 for key in items)
    site.ok("articles", "kill", guid, "--reason", "Legal")
    assert_gone(site, 1)
    assert site.holding("Body marker 2"), "the other story stays"
    for feed in ("all", "labour", "urgent"):
        assert guid in canceled_in_message(site, feed)


def test_a_correction_withdraws_the_uncorrected_text(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    fixed = site.root / "fixed.json"
    data = story(
        1,
        headline="Fixed headline 1",
        summary="Fixed summary 1",
        body="<p>Fixed body 1.</p>",
    )
    del data["guid"]
    fixed.write_text(json.dumps(data), encoding="utf-8")
    site.ok("articles", "correct", "urn:test:story-1", str(fixed), "--note", "Name")
    assert_gone(site, 1)
    assert site.holding("Fixed body 1")


@pytest.mark.parametrize("change", ["subjects", "urgency", "embargo"])
def test_a_kill_reaches_every_feed_that_ever_carried_the_story(
    site: Site, change: str
) -> None:
    """The last version before the kill no longer matches a feed that carried
    an earlier one (a correction moved its subjects, a push its urgency, or it
    was re-embargoed): that feed still gets the kill."""
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    feed = {"subjects": "labour", "urgency": "urgent", "embargo": "all"}[change]
    guid = "urn:test:story-1"
    if change == "subjects":
        moved = site.root / "moved.json"
        data = story(1, subjects=[{"qcode": ENVIRONMENT, "name": "environment"}])
        del data["guid"]
        moved.write_text(json.dumps(data), encoding="utf-8")
        site.ok("articles", "correct", guid, str(moved), "--note", "Topic")
    elif change == "urgency":
        site.ok("push", guid, "--urgency", "8")
    else:
        later = iso(datetime.now(UTC) + timedelta(days=1))
        site.ok("articles", "embargo", guid, "--until", later)
    assert in_feed(site, feed, "Body marker 1") == []
    assert guid not in tombstones(site, feed)
    site.ok("articles", "kill", guid, "--reason", "Legal")
    assert guid in tombstones(site, feed)
    assert guid in canceled_in_message(site, feed)
    assert_gone(site, 1)


def test_a_story_killed_under_embargo_never_appears(site: Site) -> None:
    release = DAY + timedelta(hours=2)
    data = story(1, embargo_until=iso(release))
    assert site.ingest(**data).exit_code == 0
    store = open_store(site.store_url)
    try:
        latest = store.get("urn:test:story-1")
        store.append(
            replace(
                latest,
                version=0,
                status=PubStatus.CANCELED,
                ed_note="Legal",
                version_created=DAY + timedelta(hours=1),
            )
        )
    finally:
        store.close()
    site.ok("publish")  # now: long after the embargo time
    assert site.holding("urn:test:story-1") == []
    assert site.holding("marker 1") == []


def test_killing_twice_is_refused_and_keeps_the_first_reason(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("articles", "kill", "urn:test:story-1", "--reason", "First reason")
    again = site.run("articles", "kill", "urn:test:story-1", "--reason", "Second")
    assert again.exit_code == 3
    assert "already killed (version 2: First reason); nothing stored" in again.output
    store = open_store(site.store_url)
    try:
        history = store.history("urn:test:story-1")
    finally:
        store.close()
    assert len(history) == 2
    assert history[-1].ed_note == "First reason"


def test_an_embargo_on_a_published_story_takes_it_out_at_once(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    later = iso(datetime.now(UTC) + timedelta(days=1))
    result = site.ok("articles", "embargo", "urn:test:story-1", "--until", later)
    assert "all" in result.output  # pushed by default
    assert_gone(site, 1)
    assert "urn:test:story-1" not in tombstones(site, "all")


@pytest.mark.parametrize(
    "change",
    [
        {"embargo_until": "tomorrow"},
        {"status": "canceled"},
        {"hold_reason": "legal review"},
        {"distribution": "internal"},
    ],
    ids=["embargo", "kill", "hold", "internal"],
)
def test_an_ingest_that_withdraws_a_published_story_pushes_it_out_at_once(
    site: Site, change: dict[str, str]
) -> None:
    """A newsroom system's update (a re-embargo, a cancellation, a hold) is
    pushed by ingest itself: no partner sees the story until the next tick."""
    assert site.ingest(**story(1)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0  # never touched: not pushed
    site.ok("publish")
    if change.get("embargo_until") == "tomorrow":
        change = {"embargo_until": iso(datetime.now(UTC) + timedelta(days=1))}
    result = site.ingest(**story(1, **change))
    assert result.exit_code == 0, result.output
    assert "pushed urn:test:story-1" in result.output
    assert "urn:test:story-2" not in result.output
    assert_gone(site, 1)
    assert in_feed(site, "all", "Body marker 2")
    deferred = site.run(
        "ingest", "--no-push", "--json", str(write(site, story(2, **change)))
    )
    assert deferred.exit_code == 0, deferred.output
    assert json.loads(deferred.stdout)["pushed"] == []
    assert in_feed(site, "all", "Body marker 2")  # until the next publish
    site.ok("publish")
    assert_gone(site, 2)


def write(site: Site, data: dict[str, object]) -> Path:
    path = site.root / f"story-{len(list(site.root.glob('story-*.json')))}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["publish", "replay"])
def test_no_command_publishes_the_future(site: Site, command: str) -> None:
    release = datetime.now(UTC) + timedelta(days=2)
    assert site.ingest(**story(1, embargo_until=iso(release))).exit_code == 0
    future = iso(release + timedelta(hours=1))
    args = [command, "--at", future] if command == "publish" else [command, "all"]
    if command == "replay":
        args += ["--at", future]
    result = site.run(*args)
    assert result.exit_code == 2
    assert "is in the future" in result.output
    assert "would publish stories still under embargo" in result.output
    assert site.documents() == {}


def test_build_may_preview_the_future_into_a_folder(site: Site, tmp_path: Path) -> None:
    release = datetime.now(UTC) + timedelta(days=2)
    assert site.ingest(**story(1, embargo_until=iso(release))).exit_code == 0
    out = tmp_path / "preview"
    future = iso(release + timedelta(hours=1))
    site.ok("build", "--at", future, "--out", str(out))
    assert b"Body marker 1" in (out / "all" / "rss.xml").read_bytes()
    assert site.documents() == {}


def test_a_replay_is_withdrawn_when_a_story_in_it_is_killed(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    moment = iso(datetime.now(UTC) - timedelta(minutes=1))
    site.ok("replay", "all", "--at", moment)
    replayed = [k for k in site.holding("Body marker 1") if "/replay/" in k]
    assert replayed
    site.ok("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    assert_gone(site, 1)


def test_a_replay_of_the_past_leaves_out_what_was_killed_since(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    site.ok("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    site.ok("replay", "all", "--at", iso(DAY + timedelta(hours=1)))
    assert_gone(site, 1)
    assert [k for k in site.holding("Body marker 2") if "/replay/" in k]


def test_cache_headers_allow_withdrawal(site: Site) -> None:
    if site.destination != "s3":
        pytest.skip("headers are S3 object metadata")
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    client = site.s3()
    for obj in site.objects():
        head = client.head_object(Bucket=site.bucket, Key=obj["Key"])
        assert "immutable" not in head["CacheControl"]
        assert head["CacheControl"] in {"public, max-age=60", "public, max-age=300"}


def test_immutable_caching_is_a_configuration_error(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from conftest import write_config

    from syndication.cli import cli

    config = write_config(
        tmp_path,
        extra='[publish]\ncache_control_item = "public, max-age=31536000, immutable"\n',
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "feeds", "list"])
    assert result.exit_code == 3
    assert "publish.cache_control_item" in result.output
    assert "'immutable' is not allowed" in result.output


def test_every_format_stays_current_when_a_feed_empties(site: Site) -> None:
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    site.ok("publish")
    assert b"Body marker 1" in site.feed_document("urgent", "newsml.xml")
    site.ok("push", "urn:test:story-1", "--urgency", "7")  # leaves "urgent"
    for name in ("rss.xml", "atom.xml", "newsml.xml"):
        body = site.feed_document("urgent", name)
        assert b"marker 1" not in body, name
        etree.fromstring(body)


def test_a_feed_with_nothing_to_carry_has_every_index(site: Site) -> None:
    site.ok("publish")
    for feed in ("all", "labour", "urgent"):
        for name in ("rss.xml", "atom.xml", "newsml.xml"):
            etree.fromstring(site.feed_document(feed, name))


def test_a_correction_is_visible_in_every_format(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    fixed = site.root / "fixed.json"
    data = story(1, body="<p>Fixed body 1.</p>")
    del data["guid"]
    fixed.write_text(json.dumps(data), encoding="utf-8")
    site.ok("articles", "correct", "urn:test:story-1", str(fixed), "--note", "Age")
    rss = etree.fromstring(site.feed_document("all", "rss.xml"))
    atom = etree.fromstring(site.feed_document("all", "atom.xml"))
    description = rss.find("channel/item/description")
    content = atom.find(f"{ATOM}entry/{ATOM}content")
    for html in (
        rss.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded"),
        content.text if content is not None else None,
    ):
        assert html is not None
        assert html.startswith('<p class="correction">Correction: Age</p>')
    assert description is not None
    newsml = site.feed_document("all", "newsml.xml")
    assert b"sig:correction" in newsml
    # First publication and last update agree between RSS and Atom.
    published = atom.findtext(f"{ATOM}entry/{ATOM}published")
    updated = atom.findtext(f"{ATOM}entry/{ATOM}updated")
    assert published is not None and updated is not None and published < updated
    assert rss.findtext(f"channel/item/{ATOM}updated") == updated


def test_a_poison_story_never_stops_a_kill(site: Site) -> None:
    """A story that fails the gate (stored without ingest's checks: a subject
    without scheme, which NewsML-G2 cannot state; markup is no longer such a
    poison, the renderers escape or clean it) is quarantined; the kill of
    another story in the same feed still goes out."""
    assert site.ingest(**story(1)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    store = open_store(site.store_url)
    try:
        clean = store.get("urn:test:story-2")
        store.append(
            replace(
                clean,
                version=0,
                body="<p>Body marker 2 again.</p>",
                subjects=(*clean.subjects, Subject("noscheme", "poison")),
                version_created=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
    finally:
        store.close()
    result = site.run("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    # The kill went out; exit 4, as for publish, says an item is left out.
    assert result.exit_code == 4, result.output
    assert "quarantined 1 item(s): urn:test:story-2 v2: " in result.output
    assert_gone(site, 1)
    assert "urn:test:story-1" in tombstones(site, "all")
    assert site.holding("Body marker 2 again") == []
    published = site.run("publish")  # nothing new: it says what is still left out
    assert published.exit_code == 0
    assert "(quarantined 1 item(s): urn:test:story-2 v2: " in published.output


# -- re-ingest, holds and distribution end to end (section 3 and 5) -----------


def test_reingest_after_a_kill_publishes_nothing_again(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    site.ok("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    same = site.ingest(**story(1))
    assert same.exit_code == 0, same.output
    assert "matches version 1, nothing stored" in same.output
    changed = site.ingest(**story(1, body="<p>Body marker 1 rewritten.</p>"))
    assert changed.exit_code == 3
    site.ok("publish")
    assert_gone(site, 1)
    assert "urn:test:story-1" in tombstones(site, "all")


def test_reingest_after_a_correction_keeps_the_correction(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    fixed = site.root / "fixed.json"
    data = story(1, summary="Fixed summary 1", body="<p>Fixed body 1.</p>")
    del data["guid"]
    fixed.write_text(json.dumps(data), encoding="utf-8")
    site.ok("articles", "correct", "urn:test:story-1", str(fixed), "--note", "Age")
    again = site.ingest(**story(1))  # the original file, once more
    assert "matches version 1, nothing stored" in again.output
    site.ok("publish")
    assert site.holding("Body marker 1") == []
    assert site.holding("Fixed body 1")


def test_held_and_internal_stories_never_reach_a_document(site: Site) -> None:
    foreign = story(
        1,
        body="<p>Body marker 1.</p><p>Please credit Reuters for this story.</p>",
    )
    held = site.ingest(**foreign)
    assert held.exit_code == 0, held.output
    assert site.ingest(**story(2, distribution="internal")).exit_code == 0
    assert site.ingest(**story(3)).exit_code == 0
    site.ok("publish")
    assert site.holding("Body marker 1") == []
    assert site.holding("Body marker 2") == []
    assert site.holding("Body marker 3")
    # An internal decision after publication takes the story down at once.
    site.ok("articles", "distribution", "urn:test:story-3", "internal")
    assert_gone(site, 3)
