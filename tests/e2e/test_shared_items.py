"""Shared item documents (``item_documents = "shared"``), through the CLI, on
SQLite and PostgreSQL, to a folder and to S3 (moto): each item document is
written once for every feed at the destination, and every editorial act that
withdraws a version withdraws its one shared copy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lifecycle_site import DESTINATIONS, Site, iso, make_site, story
from lxml import etree

from syndication.store import open_store

G2 = "{http://iptc.org/std/nar/2006-10-01/}"
SEGMENT = "urn~3Atest~3Astory-{n}"


@pytest.fixture(params=DESTINATIONS)
def site(request: pytest.FixtureRequest, tmp_path: Path, store_url: str) -> Site:
    endpoint = ""
    if request.param == "s3":
        request.getfixturevalue("s3_env")
        endpoint = request.getfixturevalue("moto_server").endpoint_url
    return make_site(
        tmp_path, store_url, request.param, endpoint, item_documents="shared"
    )


def root(site: Site) -> str:
    return "" if site.destination == "local" else "wire/"


def item(site: Site, n: int, version: int, variant: str = "") -> str:
    name = f"v{version}.{variant}.xml" if variant else f"v{version}.xml"
    return f"{root(site)}items/{SEGMENT.format(n=n)}/{name}"


def ledger(key: str) -> str:
    """A key as the ledger and the command's output name it: relative to the
    destination's own prefix (S3's ``wire/``)."""
    return key.removeprefix("wire/")


def items(site: Site) -> list[str]:
    """Every item document at the destination, shared or a feed's own."""
    return sorted(key for key in site.documents() if "/items/" in f"/{key}")


def withdrawals(site: Site) -> dict[str, str]:
    store = open_store(site.store_url)
    try:
        return {w.key: w.note for w in store.withdrawals("dest")}
    finally:
        store.close()


def assert_gone(site: Site, n: int) -> None:
    for marker in (f"Headline marker {n}", f"Summary marker {n}", f"Body marker {n}"):
        assert site.holding(marker) == [], marker


def write(site: Site, name: str, data: dict[str, object]) -> Path:
    path = site.root / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_each_item_document_is_written_once_for_every_feed(site: Site) -> None:
    # Story 1 is in all three feeds, story 2 (another topic, routine) in one.
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    assert site.ingest(**story(2, subjects=[], urgency=5)).exit_code == 0
    result = site.ok("publish", "--json")
    assert items(site) == [item(site, 1, 1), item(site, 2, 1)]
    writes = [
        key
        for feed in json.loads(result.stdout)["feeds"]
        for key in feed["written"]
        if "items/" in key
    ]
    assert sorted(writes) == [
        ledger(item(site, 1, 1)),
        ledger(item(site, 2, 1)),
    ], "written once"
    # The shared document is the very item every feed's message carries.
    compact = etree.XMLParser(remove_blank_text=True)

    def canonical(element: etree._Element) -> bytes:
        return etree.tostring(
            etree.fromstring(etree.tostring(element), compact), method="c14n"
        )

    shared = etree.fromstring(site.documents()[item(site, 1, 1)])
    for feed in ("all", "labour", "urgent"):
        message = etree.fromstring(site.feed_document(feed, "newsml.xml"))
        [carried] = [
            i for i in message.iter(f"{G2}newsItem") if i.get("guid").endswith("-1")
        ]
        assert canonical(carried) == canonical(shared)
    again = site.ok("publish", "--force", "--json")
    assert json.loads(again.stdout)["feeds"], "a forced publish rewrites"
    assert items(site) == [item(site, 1, 1), item(site, 2, 1)]


def test_a_feed_with_its_own_credit_gets_its_own_variant(site: Site) -> None:
    (site.root / "feeds" / "labour.toml").write_text(
        (site.root / "feeds" / "labour.toml").read_text(encoding="utf-8")
        + '[credit]\nline = "Credit: Partner Labour Desk"\n',
        encoding="utf-8",
    )
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    site.ok("publish")
    found = items(site)
    assert len(found) == 2, found
    plain = item(site, 1, 1)
    [variant] = [key for key in found if key != plain]
    assert variant.startswith(f"{root(site)}items/{SEGMENT.format(n=1)}/v1.")
    documents = site.documents()
    assert b"Partner Labour Desk" in documents[variant]
    assert b"Partner Labour Desk" not in documents[plain]
    site.ok("articles", "kill", "urn:test:story-1", "--reason", "Legal")
    assert_gone(site, 1)
    assert plain not in site.documents() and variant not in site.documents()


def test_a_correction_replaces_the_shared_version(site: Site) -> None:
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    site.ok("publish")
    fixed = story(1, urgency=2, headline="Headline fixed 1", body="<p>Fixed 1</p>")
    site.ok(
        "articles",
        "correct",
        "urn:test:story-1",
        str(write(site, "f.json", fixed)),
        "--note",
        "Names",
    )
    site.ok("publish")
    assert items(site) == [item(site, 1, 2)]
    assert withdrawals(site) == {ledger(item(site, 1, 1)): "superseded by version 2"}
    assert site.holding("Headline marker 1") == []
    assert site.holding("Body marker 1") == []


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
def test_every_withdrawing_act_removes_the_shared_copy(
    site: Site, change: dict[str, str]
) -> None:
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    if change.get("embargo_until") == "tomorrow":
        change = {"embargo_until": iso(datetime.now(UTC) + timedelta(days=1))}
    result = site.ingest(**story(1, urgency=2, **change))
    assert result.exit_code == 0, result.output
    assert_gone(site, 1)
    assert item(site, 2, 1) in site.documents(), "the other story stays"
    # Also when it comes by the scheduled publish rather than the push.
    deferred = site.run(
        "ingest", "--no-push", str(write(site, "2.json", story(2, **change)))
    )
    assert deferred.exit_code == 0, deferred.output
    site.ok("publish")
    assert_gone(site, 2)


def test_a_hold_released_writes_the_shared_copy_again(site: Site) -> None:
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    site.ok("publish")
    assert site.ingest(**story(1, urgency=2, hold_reason="legal review")).exit_code == 0
    assert_gone(site, 1)
    site.ok("articles", "release", "urn:test:story-1")
    site.ok("publish")
    shared = [key for key in items(site) if key.startswith(f"{root(site)}items/")]
    assert shared == [item(site, 1, 3)], shared
    assert site.holding("Body marker 1") and all(
        "items/" not in key or key in shared for key in site.holding("Body marker 1")
    )


def test_a_story_no_feed_carries_now_is_still_withdrawn(site: Site) -> None:
    """With the labour feed alone: story 1 leaves it (a correction changes its
    topic), so no run writes its version 2, and the copy of version 1 that
    labour wrote must go all the same; story 3 is held without a push, and
    the next publish (which no longer carries it) removes it."""
    feeds = site.root / "feeds"
    for name in ("all", "urgent"):
        (feeds / f"{name}.toml").unlink()
    assert site.ingest(**story(1, urgency=5)).exit_code == 0
    site.ok("publish")
    assert items(site) == [item(site, 1, 1)]
    moved = story(1, urgency=5, subjects=[{"qcode": "medtop:06000000", "name": "env"}])
    site.ok(
        "articles",
        "correct",
        "urn:test:story-1",
        str(write(site, "m.json", moved)),
        "--note",
        "Topic",
    )
    site.ok("publish")
    assert items(site) == [], "superseded, and version 2 is carried by no feed"
    assert site.ingest(**story(3, urgency=5)).exit_code == 0
    site.ok("publish")
    assert items(site) == [item(site, 3, 1)]
    held = write(site, "3.json", story(3, urgency=5, hold_reason="check"))
    assert site.run("ingest", "--no-push", str(held)).exit_code == 0
    assert items(site) == [item(site, 3, 1)], "until the next publish"
    site.ok("publish")
    assert items(site) == []


def test_switching_a_destination_to_shared_withdraws_the_feeds_own_copies(
    site: Site,
) -> None:
    config = site.config.read_text(encoding="utf-8")
    site.config.write_text(
        config.replace('item_documents = "shared"', 'item_documents = "private"'),
        encoding="utf-8",
    )
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    site.ok("publish")
    own = [
        f"{root(site)}{feed}/items/{SEGMENT.format(n=1)}/v1.xml"
        for feed in ("all", "labour", "urgent")
    ]
    assert items(site) == sorted(own)
    site.config.write_text(config, encoding="utf-8")
    site.ok("publish")
    assert items(site) == [item(site, 1, 1)]
    notes = withdrawals(site)
    assert sorted(notes) == sorted(ledger(key) for key in own)
    assert set(notes.values()) == {
        "item documents are shared in items/ at the destination's root"
    }


def test_a_dry_run_names_the_shared_keys(site: Site) -> None:
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    result = site.ok("publish", "--dry-run")
    assert ledger(item(site, 1, 1)) in result.output
    assert site.documents() == {}


def test_a_feed_folder_named_items_is_refused(tmp_path: Path, store_url: str) -> None:
    site = make_site(tmp_path, store_url, "local", item_documents="shared")
    (site.root / "feeds" / "all.toml").write_text(
        (site.root / "feeds" / "all.toml").read_text(encoding="utf-8")
        + 'path = "items"\n',
        encoding="utf-8",
    )
    result = site.run("publish")
    assert result.exit_code != 0
    assert "shared items folder" in result.output


def verify(site: Site, *args: str) -> tuple[int, dict[str, object]]:
    result = site.run("verify", "--json", *args)
    report = json.loads(result.stdout)
    [shared] = [r for r in report["feeds"] if r["shared_items"]]
    return result.exit_code, shared


def kinds(shared: dict[str, object], what: str = "found") -> dict[str, str]:
    return {d["key"]: d["kind"] for d in shared[what]}  # type: ignore[attr-defined]


def put_back(site: Site, key: str, body: bytes) -> None:
    if site.destination == "local":
        path = site.root / "public" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    else:
        site.s3().put_object(Bucket=site.bucket, Key=key, Body=body)


def remove(site: Site, key: str) -> None:
    if site.destination == "local":
        (site.root / "public" / key).unlink()
    else:
        site.s3().delete_object(Bucket=site.bucket, Key=key)


def test_verify_checks_and_repairs_the_shared_folder(site: Site) -> None:
    (site.root / "feeds" / "labour.toml").write_text(
        (site.root / "feeds" / "labour.toml").read_text(encoding="utf-8")
        + '[credit]\nline = "Credit: Partner Labour Desk"\n',
        encoding="utf-8",
    )
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    assert site.ingest(**story(2, urgency=2)).exit_code == 0
    assert site.ingest(**story(3, urgency=2)).exit_code == 0
    site.ok("publish")
    code, shared = verify(site)
    assert (code, shared["outcome"], shared["prefix"]) == (0, "clean", "items")
    text = site.run("verify").output.splitlines()
    assert "shared items/ → dest: clean, 6 object(s), 0 drift found, 0 remaining" in (
        text
    )
    assert text[-1] == (
        "3 feed(s) and 1 shared items folder(s) (4 clean): 0 drift found, 0 remaining"
    )
    assert shared["objects"] == 6  # three stories, two credit variants
    before = site.documents()
    plain = item(site, 1, 1)
    [variant] = [
        k
        for k in before
        if k.startswith(plain.removesuffix(".xml") + ".") and k != plain
    ]
    remove(site, item(site, 1, 1))
    remove(site, variant)
    put_back(site, item(site, 2, 1), b"<newsItem>altered</newsItem>")
    stray = f"{root(site)}items/urn~3Atest~3Astray/v1.xml"
    put_back(site, stray, b"<x/>")
    note = f"{root(site)}items/notes.txt"
    put_back(site, note, b"dropped here")
    [killed_variant] = [
        k
        for k in before
        if k.startswith(f"{root(site)}items/urn~3Atest~3Astory-3/v1.")
        and k != item(site, 3, 1)
    ]
    # Story 3 killed without a push: its version 1 must go.
    killed = write(site, "k.json", story(3, urgency=2, status="canceled"))
    assert site.run("ingest", "--no-push", str(killed)).exit_code == 0
    code, shared = verify(site)
    assert code == 1
    assert kinds(shared) == {
        ledger(item(site, 1, 1)): "missing",
        ledger(variant): "missing",
        ledger(item(site, 2, 1)): "altered",
        ledger(stray): "must-withdraw",  # no such article in the store
        ledger(note): "unexpected",
        ledger(item(site, 3, 1)): "must-withdraw",
        ledger(killed_variant): "must-withdraw",
    }
    code, shared = verify(site, "--repair")
    assert (code, shared["outcome"], shared["remaining"]) == (0, "repaired", [])
    after = site.documents()
    for key in (item(site, 1, 1), variant, item(site, 2, 1)):
        assert after[key] == before[key], f"{key} rendered again as it was"
    assert stray not in after and note not in after
    assert_gone(site, 3)
    assert verify(site)[0] == 0
    # Each repair is a run of the feed whose document it is.
    store = open_store(site.store_url)
    try:
        runs = {
            feed: [r.trigger for r in store.runs(feed, limit=20)]
            for feed in ("all", "labour", "urgent")
        }
    finally:
        store.close()
    assert "verify" in runs["labour"], "the variant is labour's"


def test_a_push_writes_the_new_item_once_for_its_feeds_side_by_side(
    site: Site,
) -> None:
    """A push publishes the story's feeds concurrently; each lists the new
    story's folder before any has written it, and the one shared document is
    written by one of them while the others wait for it."""
    assert site.ingest(**story(1, urgency=2)).exit_code == 0
    site.ok("publish")
    stored = site.run(
        "ingest", "--no-push", str(write(site, "2.json", story(2, urgency=2)))
    )
    assert stored.exit_code == 0, stored.output
    pushed = json.loads(site.ok("push", "urn:test:story-2", "--json").stdout)
    assert {f["feed"] for f in pushed["feeds"]} == {"all", "labour", "urgent"}
    writers = [
        f["feed"]
        for f in pushed["feeds"]
        if any("items/urn~3Atest~3Astory-2/" in url for url in f["urls"])
    ]
    assert len(writers) == 1, pushed["feeds"]
    # Each feed's three indexes and its RSS and Atom archive of the story's
    # day; the item once.
    assert sorted(f["written"] for f in pushed["feeds"]) == [5, 5, 6]
    assert item(site, 2, 1) in site.documents()
    assert verify(site)[0] == 0
