"""The destination matches the ledger, or is repaired: verify finds documents
deleted, overwritten or dropped at the destination behind the ledger's back,
--repair fixes them, and a second verify is clean. Through the CLI, on SQLite
and PostgreSQL, to a folder and to S3 (moto), at destinations where each feed
keeps its own item documents (item_documents = "private")."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from lifecycle_site import DAY, DESTINATIONS, Site, iso, make_site, site_for, story
from s3proxy import S3Proxy

from syndication.store import open_store

S3_ROOT = "wire"  # the S3 destination's prefix in lifecycle_site


@pytest.fixture(params=DESTINATIONS)
def site(request: pytest.FixtureRequest, tmp_path: Path, store_url: str) -> Site:
    # Each feed's own items, so each feed's folder holds all it publishes; a
    # destination's shared items folder is verified in test_shared_items.py.
    return site_for(request, tmp_path, store_url, item_documents="private")


def published(site: Site) -> Site:
    assert site.ingest(**story(1)).exit_code == 0
    assert site.ingest(**story(2)).exit_code == 0
    site.ok("publish")
    return site


def full_key(site: Site, key: str) -> str:
    return key if site.destination == "local" else f"{S3_ROOT}/{key}"


def remove(site: Site, key: str) -> None:
    if site.destination == "local":
        (site.root / "public" / key).unlink()
    else:
        site.s3().delete_object(Bucket=site.bucket, Key=full_key(site, key))


def overwrite(site: Site, key: str, body: bytes) -> None:
    """Write ``body`` at ``key`` the way another tool would (no sha256 metadata)."""
    if site.destination == "local":
        path = site.root / "public" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    else:
        site.s3().put_object(Bucket=site.bucket, Key=full_key(site, key), Body=body)


def verify(site: Site, *args: str) -> dict:  # type: ignore[type-arg]
    result = site.run("verify", "--json", *args)
    document = json.loads(result.stdout)
    assert result.exit_code == document["exit_code"], result.output
    return document


def drift(document: dict, feed: str) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    [entry] = [f for f in document["feeds"] if f["feed"] == feed]
    return {(d["kind"], d["key"]) for d in entry["found"]}


def item_key(feed: str, n: int) -> str:
    return f"{feed}/items/urn~3Atest~3Astory-{n}/v1.xml"


def ledger_runs(site: Site, feed: str) -> list:  # type: ignore[type-arg]
    store = open_store(site.store_url)
    try:
        return store.runs(feed, limit=100)
    finally:
        store.close()


def test_a_clean_destination_has_no_drift(site: Site) -> None:
    published(site)
    result = site.run("verify")
    assert result.exit_code == 0, result.output
    assert "all → dest: clean, 8 object(s), 0 drift found, 0 remaining" in (
        result.output
    )
    assert result.output.splitlines()[-1] == (
        "3 feed(s) (3 clean): 0 drift found, 0 remaining"
    )


def test_a_deleted_item_is_missing_then_rewritten(site: Site) -> None:
    published(site)
    before = site.feed_documents()
    remove(site, item_key("all", 1))
    text = site.run("verify", "all")
    assert text.exit_code == 1
    assert (
        f"  missing {item_key('all', 1)}: in the ledger, not at the destination"
    ) in text.output
    assert drift(verify(site), "all") == {("missing", item_key("all", 1))}
    assert drift(verify(site), "labour") == set()
    repaired = verify(site, "--repair")
    assert repaired["exit_code"] == 0
    [entry] = [f for f in repaired["feeds"] if f["feed"] == "all"]
    assert entry["outcome"] == "repaired" and entry["remaining"] == []
    assert site.feed_documents() == before
    assert verify(site)["exit_code"] == 0
    [repair_run] = [r for r in ledger_runs(site, "all") if r.trigger == "verify"]
    assert (repair_run.outcome, repair_run.written) == ("published", 8)


def test_an_overwritten_index_is_altered_then_restored(site: Site) -> None:
    published(site)
    before = site.feed_documents()
    key = "labour/rss.xml"
    body = before[full_key(site, key)]
    overwrite(site, key, body.replace(b"marker", b"MARKER"))
    found = verify(site)
    assert found["exit_code"] == 1
    assert drift(found, "labour") == {("altered", key)}
    [entry] = [f for f in found["feeds"] if f["feed"] == "labour"]
    detail = entry["found"][0]["detail"]
    if site.destination == "local":
        assert detail.startswith("SHA-256 ") and detail.endswith("in the ledger")
    else:
        assert detail == "no sha256 metadata, and not the ETag the ledger recorded"
    assert site.run("verify", "--repair").exit_code == 0
    assert site.feed_documents() == before
    assert site.run("verify").exit_code == 0


def test_a_stray_file_is_unexpected_and_removed_but_nothing_outside(
    site: Site,
) -> None:
    published(site)
    overwrite(site, "all/stray.txt", b"dropped here by hand")
    overwrite(site, "all/items/notes/readme.txt", b"and here")
    overwrite(site, "elsewhere/keep.txt", b"not in any feed's folder")
    found = verify(site)
    assert drift(found, "all") == {
        ("unexpected", "all/items/notes/readme.txt"),
        ("unexpected", "all/stray.txt"),
    }
    result = site.run("verify", "--repair")
    assert result.exit_code == 0, result.output
    assert "  removed all/stray.txt" in result.output
    documents = site.documents()
    assert full_key(site, "all/stray.txt") not in documents
    assert full_key(site, "elsewhere/keep.txt") in documents
    assert verify(site)["exit_code"] == 0
    store = open_store(site.store_url)
    try:
        notes = {w.key: w.note for w in store.withdrawals("dest")}
    finally:
        store.close()
    assert notes["all/stray.txt"] == (
        "unexpected: not published by syndication; removed by verify"
    )
    [run] = [r for r in ledger_runs(site, "all") if r.trigger == "verify"]
    assert run.outcome == "repaired"  # removals only: no force publish needed


def test_an_item_of_an_earlier_edition_is_rendered_again(site: Site) -> None:
    """An item no longer in the feed's edition (pushed out by the limit) still
    stands at the destination; deleted there, it is rendered again."""
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
    old = item_key("all", 1)
    assert full_key(site, old) in before, "the first story's item stays"
    assert b"story-1" not in before[full_key(site, "all/rss.xml")]
    remove(site, old)
    assert drift(verify(site, "all"), "all") == {("missing", old)}
    repaired = verify(site, "all", "--repair")
    assert repaired["exit_code"] == 0, repaired
    assert old in repaired["feeds"][0]["written"]
    assert site.feed_documents() == before
    assert verify(site, "all")["exit_code"] == 0


def test_a_damaged_replay_is_replayed_again(site: Site) -> None:
    published(site)
    moment = DAY + timedelta(hours=1)
    site.ok("replay", "all", "--at", iso(moment))
    folder = f"all/replay/{moment.strftime('%Y%m%dT%H%M%SZ')}"
    before = site.feed_documents()
    remove(site, f"{folder}/atom.xml")
    found = verify(site, "all")
    assert drift(found, "all") == {("missing", f"{folder}/atom.xml")}
    assert verify(site, "all", "--repair")["exit_code"] == 0
    assert site.feed_documents() == before
    assert verify(site)["exit_code"] == 0


def test_a_story_killed_without_a_push_must_be_withdrawn(site: Site) -> None:
    published(site)
    site.ok("articles", "kill", "urn:test:story-1", "--reason", "Legal", "--no-push")
    found = verify(site, "all")
    assert ("must-withdraw", item_key("all", 1)) in drift(found, "all")
    assert site.run("verify", "--repair").exit_code == 0
    assert all(b"Body marker 1" not in body for body in site.documents().values())
    assert verify(site)["exit_code"] == 0


def test_publish_force_rewrites_every_document(site: Site, tmp_path: Path) -> None:
    published(site)
    before = site.feed_documents()
    if site.destination == "local":
        public = site.root / "public"
        # The feeds' files (the face, the same bytes again, is not rewritten).
        inodes = {
            p: p.stat().st_ino
            for p in public.rglob("*")
            if p.is_file() and p.name not in ("index.html", "feeds.opml")
        }
    again = json.loads(site.ok("publish", "--json").stdout)
    assert again["written"] == 0
    forced = json.loads(site.ok("publish", "--force", "--json").stdout)
    assert forced["written"] == len(before) == 24
    assert {f["outcome"] for f in forced["feeds"]} == {"published"}
    assert site.feed_documents() == before
    if site.destination == "local":
        # Every file was replaced (an atomic rename gives a new inode).
        assert all(p.stat().st_ino != ino for p, ino in inodes.items())


@pytest.mark.external_service
def test_s3_asks_for_metadata_only_when_the_etag_does_not_prove_the_bytes(
    tmp_path: Path, sqlite_store, s3_env, moto_server
) -> None:  # type: ignore[no-untyped-def]
    proxy = S3Proxy(moto_server.port)
    try:
        site = published(
            make_site(
                tmp_path,
                sqlite_store.url,
                "s3",
                proxy.endpoint_url,
                item_documents="private",
            )
        )
        proxy.log.clear()
        clean = verify(site)
        assert clean["exit_code"] == 0
        assert [m for m, _ in proxy.log if m == "HEAD"] == []
        assert {f["head_requests"] for f in clean["feeds"]} == {0}
        # The same bytes sent as a multipart upload (another tool's way): the
        # ETag is no MD5, the sha256 metadata proves the content.
        key = full_key(site, "urgent/atom.xml")
        client = site.s3()
        body = client.get_object(Bucket=site.bucket, Key=key)["Body"].read()
        upload = client.create_multipart_upload(
            Bucket=site.bucket,
            Key=key,
            Metadata={"sha256": hashlib.sha256(body).hexdigest()},
        )
        part = client.upload_part(
            Bucket=site.bucket,
            Key=key,
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=body,
        )
        client.complete_multipart_upload(
            Bucket=site.bucket,
            Key=key,
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
        )
        proxy.log.clear()
        again = verify(site)
        assert again["exit_code"] == 0, again
        assert len([m for m, _ in proxy.log if m == "HEAD"]) == 1
    finally:
        proxy.close()


@pytest.mark.external_service
def test_s3_publish_force_puts_every_object_again(
    tmp_path: Path, sqlite_store, s3_env, moto_server
) -> None:  # type: ignore[no-untyped-def]
    proxy = S3Proxy(moto_server.port)
    try:
        site = make_site(
            tmp_path,
            sqlite_store.url,
            "s3",
            proxy.endpoint_url,
            item_documents="private",
        )

        def puts() -> int:
            return sum(1 for method, _ in proxy.log if method == "PUT")

        proxy.log.clear()  # the bucket's creation
        published(site)
        # 3 feeds: rss, atom, newsml, feed.xsl, 2 items and the RSS and Atom
        # archive of the day the stories went out, each; the face.
        assert puts() == 24 + 2
        proxy.log.clear()
        site.ok("publish")
        assert puts() == 0
        site.ok("publish", "--force")
        assert puts() == 24  # the face's dates are the same: not written
    finally:
        proxy.close()


def test_nested_feed_folders_are_left_to_their_own_feed(
    tmp_path: Path, sqlite_store
) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path, sqlite_store.url, "local", item_documents="private")
    labour = site.root / "feeds" / "labour.toml"
    labour.write_text(
        labour.read_text(encoding="utf-8") + 'path = "all/labour"\n', encoding="utf-8"
    )
    published(site)
    assert "all/labour/rss.xml" in site.documents()
    assert site.run("verify").exit_code == 0
    overwrite(site, "all/labour/stray.txt", b"x")
    found = verify(site)
    assert drift(found, "all") == set()
    assert drift(found, "labour") == {("unexpected", "all/labour/stray.txt")}


def test_the_scheduled_verification_repairs_drift(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from syndication import schedule
    from syndication.config import load_settings
    from syndication.feeds import load_feeds

    published(site)
    before = site.feed_documents()
    remove(site, item_key("all", 2))
    overwrite(site, "urgent/stray.txt", b"dropped")
    settings = load_settings(site.config)
    assert settings.scheduler.verify_interval == timedelta(hours=24)
    assert settings.scheduler.verify_repair is True
    store = open_store(settings.store_url)
    runtime = schedule._Runtime(settings, store, schedule.SchedulerControl())
    runtime.feeds = load_feeds(settings.feeds_dir).feeds
    monkeypatch.setattr(schedule, "_runtime", runtime)
    # The CLI runs above gave the package logger its own handler.
    monkeypatch.setattr(logging.getLogger("syndication"), "propagate", True)
    try:
        with caplog.at_level(logging.INFO, logger="syndication"):
            schedule.verify_on_schedule()
    finally:
        store.close()
    assert site.feed_documents() == before
    assert verify(site)["exit_code"] == 0
    messages = [r.getMessage() for r in caplog.records]
    assert "verified 3 feed(s): 2 drift found, 2 repaired, 0 remaining" in messages
    assert (
        f"feed all: missing {item_key('all', 2)} (in the ledger, not at the "
        "destination): repaired"
    ) in messages


@pytest.mark.external_service
def test_an_unreachable_destination_fails_the_feed_with_exit_1(
    tmp_path: Path, sqlite_store, s3_env, moto_server
) -> None:  # type: ignore[no-untyped-def]
    from conftest import free_port

    site = published(
        make_site(
            tmp_path,
            sqlite_store.url,
            "s3",
            moto_server.endpoint_url,
            item_documents="private",
        )
    )
    config = site.config.read_text(encoding="utf-8")
    dead = f"http://127.0.0.1:{free_port()}"
    site.config.write_text(
        config.replace(moto_server.endpoint_url, dead), encoding="utf-8"
    )
    result = site.run("verify", "all", "--repair")
    assert result.exit_code == 1
    assert result.stdout.startswith("all → dest: failed, 0 object(s), 0 drift found")
    assert "listing failed" in result.stdout
