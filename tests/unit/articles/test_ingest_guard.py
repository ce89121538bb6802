"""guard.py through ingest_paths: a batch that kills an article and then brings
new content for it, and the revival note (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syndication.articles.editorial import correct_article, embargo_article
from syndication.articles.ingest import IngestOptions, ingest_paths
from syndication.articles.ingest.guard import revival_note
from syndication.articles.model import PubStatus


def write(folder: Path, name: str, **fields) -> Path:
    document = {
        "guid": "urn:test:rains",
        "headline": "Rains",
        "body": "<p>Text.</p>",
        "first_created": "2026-06-20T08:00:00Z",
        **fields,
    }
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_kill_earlier_in_the_batch_refuses_new_content_after_it(
    store, settings, tmp_path: Path
) -> None:
    files = [
        write(tmp_path, "1.json"),
        write(tmp_path, "2.json", status="canceled", ed_note="Wrong town"),
        write(tmp_path, "3.json", body="<p>New.</p>"),
        write(tmp_path, "4.json"),
    ]
    report = ingest_paths(store, settings, files, IngestOptions())
    assert [(s.path, s.action, s.version) for s in report.stored] == [
        (str(files[0]), "new article", 1),
        (str(files[1]), "new version", 2),
        (str(files[3]), "unchanged", 1),
    ]
    (problem,) = report.problems
    assert problem.path == str(files[2])
    assert problem.message.startswith(
        "article urn:test:rains was killed earlier in this batch (Wrong town)"
    )
    assert store.get("urn:test:rains").status is PubStatus.CANCELED


def test_revive_notes_the_kill_and_the_storys_own_note(
    store, settings, tmp_path: Path
) -> None:
    ingest_paths(store, settings, [write(tmp_path, "1.json")], IngestOptions())
    killed = write(tmp_path, "2.json", status="canceled", ed_note="Wrong town")
    ingest_paths(store, settings, [killed], IngestOptions())
    back = write(tmp_path, "3.json", body="<p>New.</p>", ed_note="Town fixed")
    (stored,) = ingest_paths(store, settings, [back], IngestOptions(revive=True)).stored
    assert (stored.version, stored.revived) == (3, True)
    latest = store.get("urn:test:rains")
    assert latest.ed_note == "Revived after kill: Wrong town — Town fixed"
    assert latest.ed_note == revival_note(store.get("urn:test:rains", 2), "Town fixed")
    (again,) = ingest_paths(store, settings, [back], IngestOptions()).stored
    assert (again.action, again.version) == ("unchanged", 3)


def test_a_kill_file_ingested_again_names_the_stored_kill(
    store, settings, tmp_path: Path
) -> None:
    kill = write(tmp_path, "2.json", status="canceled", ed_note="Wrong town")
    ingest_paths(store, settings, [write(tmp_path, "1.json"), kill], IngestOptions())
    new = write(tmp_path, "3.json", body="<p>New.</p>")
    report = ingest_paths(store, settings, [kill, new], IngestOptions())
    assert [(s.action, s.version) for s in report.stored] == [("unchanged", 2)]
    (problem,) = report.problems
    assert problem.message.startswith(
        "article urn:test:rains was killed in version 2 (Wrong town)"
    )


def test_a_file_of_an_earlier_text_is_that_version_not_the_embargo_on_it(
    store, settings, tmp_path: Path
) -> None:
    """A story corrected, then embargoed: its first file, sent again, matches
    version 1. Taking the embargo on it made a new version of the uncorrected
    text, published once the embargo was lifted. Found by
    tests/e2e/test_lifecycle_properties.py."""
    first = write(tmp_path, "1.json")
    ingest_paths(store, settings, [first], IngestOptions())
    now = datetime.now(UTC)
    fixed = store.get("urn:test:rains")
    fixed = correct_article(
        store,
        "urn:test:rains",
        replace(fixed, body="<p>Fixed.</p>"),
        note="Town",
        now=now,
    ).after
    embargo_article(store, "urn:test:rains", until=now + timedelta(days=1), now=now)
    (again,) = ingest_paths(store, settings, [first], IngestOptions()).stored
    assert (again.action, again.version) == ("unchanged", 1)
    latest = store.get("urn:test:rains")
    assert (latest.version, latest.body) == (3, fixed.body)
    assert latest.embargo_until is not None
    # The file of the correction's text without the embargo matches it too.
    text = write(
        tmp_path, "2.json", body="<p>Fixed.</p>", is_correction=True, ed_note="Town"
    )
    (same,) = ingest_paths(store, settings, [text], IngestOptions()).stored
    assert (same.action, same.version) == ("unchanged", 2)
