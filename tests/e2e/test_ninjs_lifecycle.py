"""The editorial guarantees for a feed with formats = ["ninjs"], through the
CLI, on SQLite and PostgreSQL, to a folder and to S3 (moto): items are written
before the index, a kill withdraws the item document and updates the index, a
correction withdraws the uncorrected version, verify --repair renders an
earlier item document again, and a poison story is quarantined."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lifecycle_site import DESTINATIONS, Site, site_for, story
from sqlalchemy import create_engine, text

from syndication.store import open_store


@pytest.fixture(params=DESTINATIONS)
def site(request: pytest.FixtureRequest, tmp_path: Path, store_url: str) -> Site:
    return site_for(request, tmp_path, store_url, formats=("ninjs",))


def root(site: Site) -> str:
    return "" if site.destination == "local" else "wire/"


def item_key(site: Site, feed: str, n: int, version: int) -> str:
    """Where ``feed``'s item document of a version is: the destination's
    shared items folder, whichever feed carries it."""
    return f"{root(site)}items/urn~3Atest~3Astory-{n}/v{version}.json"


def index(site: Site, feed: str = "all") -> dict[str, Any]:
    return json.loads(site.feed_document(feed, "ninjs.json"))


def carried(site: Site, feed: str = "all") -> dict[str, tuple[str, str]]:
    """uri → (version, pubStatus) of every item the feed's index holds."""
    return {
        a["uri"]: (a["version"], a["pubStatus"])
        for a in index(site, feed).get("associations", [])
    }


def assert_gone(site: Site, n: int) -> None:
    for marker in (f"Headline marker {n}", f"Summary marker {n}", f"Body marker {n}"):
        assert site.holding(marker) == [], marker


def withdrawn(site: Site) -> list[Any]:
    store = open_store(site.store_url)
    try:
        return store.withdrawals("dest")
    finally:
        store.close()


def test_publish_writes_one_document_per_item_and_the_index(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    documents = site.documents()
    assert item_key(site, "all", 1, 1) in documents
    assert item_key(site, "all", 2, 1) in documents
    assert not any(key.endswith((".xml",)) for key in documents)
    assert carried(site) == {
        "urn:test:story-1": ("1", "usable"),
        "urn:test:story-2": ("1", "usable"),
    }
    item = json.loads(documents[item_key(site, "all", 1, 1)])
    assert item["headlines"][0]["value"] == "Headline marker 1"
    assert item["usageTerms"].startswith("Please credit the Thomson Reuters")
    # The urgent feed (max_urgency 3) carries them too; an empty feed still
    # has its index.
    assert set(carried(site, "urgent")) == {"urn:test:story-1", "urn:test:story-2"}
    if site.destination == "local":  # the published index checks clean
        path = site.root / "public" / "all" / "ninjs.json"
        checked = site.run("validate", str(path))
        assert checked.exit_code == 0, checked.output


def test_a_kill_withdraws_the_ninjs_item_and_updates_the_index(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    assert site.holding("Body marker 1")
    result = site.ok("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    assert "all" in result.output
    documents = site.documents()
    for feed in ("all", "labour", "urgent"):
        assert item_key(site, feed, 1, 1) not in documents, feed
        kill = json.loads(documents[item_key(site, feed, 1, 2)])
        assert (kill["pubStatus"], kill["edNote"]) == ("canceled", "Legal")
        assert "headlines" not in kill and "bodies" not in kill
        assert carried(site, feed) == {
            "urn:test:story-1": ("2", "canceled"),
            "urn:test:story-2": ("1", "usable"),
        }
    assert_gone(site, 1)
    assert site.holding("Body marker 2"), "the other story stays"
    records = withdrawn(site)
    assert {w.key.rsplit("/", 1)[-1] for w in records} == {"v1.json"}
    assert all("killed in version 2" in w.note for w in records)


def test_a_correction_withdraws_the_uncorrected_ninjs_item(site: Site) -> None:
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    fixed = site.root / "fixed.json"
    data = story(
        1,
        headline="Fixed headline 1",
        summary="Fixed summary 1",
        body="<p>Fixed 1.</p>",
    )
    del data["guid"]
    fixed.write_text(json.dumps(data), encoding="utf-8")
    site.ok("articles", "correct", "urn:test:story-1", str(fixed), "--note", "Name")
    assert_gone(site, 1)
    documents = site.documents()
    assert item_key(site, "all", 1, 1) not in documents
    corrected = json.loads(documents[item_key(site, "all", 1, 2)])
    assert corrected["genres"][0]["literal"] == "sig:correction"
    assert corrected["edNote"] == "Name"
    body = corrected["bodies"][0]["value"]
    assert body.startswith(
        '<p class="correction">Correction: Name</p>\n<p>Fixed 1.</p>'
    )
    assert carried(site) == {"urn:test:story-1": ("2", "usable")}
    assert {w.key.rsplit("/", 1)[-1] for w in withdrawn(site)} == {"v1.json"}


def test_an_earlier_ninjs_item_is_rendered_again_by_verify(site: Site) -> None:
    definition = site.root / "feeds" / "all.toml"
    text = definition.read_text(encoding="utf-8")
    definition.write_text(
        text.replace("formats =", "limit = 1\nformats ="), encoding="utf-8"
    )
    assert site.ingest(**story(1)).exit_code == 0
    site.ok("publish")
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    before = site.feed_documents()
    old = item_key(site, "all", 1, 1)
    assert old in before, "the first story's item stays"
    assert set(carried(site)) == {"urn:test:story-2"}
    if site.destination == "local":
        (site.root / "public" / old).unlink()
    else:
        site.s3().delete_object(Bucket=site.bucket, Key=old)
    repaired = json.loads(site.run("verify", "all", "--repair", "--json").stdout)
    assert repaired["exit_code"] == 0, repaired
    written = [key for entry in repaired["feeds"] for key in entry["written"]]
    assert old.removeprefix(root(site)) in written
    assert site.feed_documents() == before
    assert site.run("verify", "all").exit_code == 0


def test_a_poison_story_is_quarantined_and_the_kill_still_goes_out(
    site: Site,
) -> None:
    """Urgency 0 (stored without ingest's checks) is not ninjs (1 to 9): the
    story is left out, the kill of another goes out."""
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
                urgency=0,
                version_created=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
    finally:
        store.close()
    result = site.run("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    # The kill went out; exit 4, as for publish, says an item is left out.
    assert result.exit_code == 4, result.output
    assert "quarantined 1 item(s): urn:test:story-2 v2: " in result.output
    assert "[ninjs-schema] $.urgency: 0 is less than the minimum of 1" in (
        result.output
    )
    assert_gone(site, 1)
    assert carried(site)["urn:test:story-1"] == ("2", "canceled")
    assert site.holding("Body marker 2 again") == []
    engine = create_engine(site.store_url)
    with engine.connect() as db:
        keys = db.execute(
            text("SELECT key FROM published_documents WHERE action = 'quarantined'")
        ).scalars()
        # One row per run that left it out, each under the ninjs item key.
        assert {k.rpartition("items/")[2] for k in keys} == {
            "urn~3Atest~3Astory-2/v2.json"
        }
    engine.dispose()
