"""Ingest stores good files many to a transaction: outcomes, order, repeated ids
and store failures must be exactly those of one transaction per file."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import REPO

from syndication.articles.ingest import IngestOptions, StoredStory, iter_ingest
from syndication.errors import InputProblem, StoreError

BAD = REPO / "tests" / "data" / "ingest"


def write_story(folder: Path, name: str, headline: str, **fields: object) -> Path:
    path = folder / name
    document = {
        "headline": headline,
        "body": "<p>Text.</p>",
        "first_created": "2026-06-20T08:00:00Z",
        **fields,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    stories = tmp_path / "stories"
    stories.mkdir()
    return stories


def outcomes(store, settings, paths, batch_size: int) -> list[tuple[str, ...]]:
    found = iter_ingest(store, settings, paths, IngestOptions(), batch_size=batch_size)
    return [_describe(outcome) for outcome in found]


def _describe(outcome: StoredStory | InputProblem) -> tuple[str, ...]:
    if isinstance(outcome, StoredStory):
        return (Path(outcome.path).name, outcome.action, str(outcome.version))
    return (Path(outcome.path).name, "problem", outcome.message)


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_outcomes_come_in_file_order_whatever_the_batch_size(
    store, settings, folder, batch_size: int
) -> None:
    for n in range(5):
        write_story(folder, f"{n}-story.json", f"Story {n}")
    (folder / "2-empty.txt").write_text("", encoding="utf-8")
    write_story(folder, "4-bad.json", "Bad", urgency=10)
    assert outcomes(store, settings, [folder], batch_size) == [
        ("0-story.json", "new article", "1"),
        ("1-story.json", "new article", "1"),
        ("2-empty.txt", "problem", "empty file: no story to ingest"),
        ("2-story.json", "new article", "1"),
        ("3-story.json", "new article", "1"),
        ("4-bad.json", "problem", "10 is out of range 1 to 9"),
        ("4-story.json", "new article", "1"),
    ]
    assert len(list(store.iter_all())) == 5


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_one_id_twice_in_a_batch_is_a_no_op_or_a_new_version(
    store, settings, folder, batch_size: int
) -> None:
    """Content equal to any earlier version (4.json is 1.json again, after 3.json
    changed the story) stores nothing, whether or not it shares a batch."""
    write_story(folder, "1.json", "Rains", guid="urn:test:rains")
    write_story(folder, "2.json", "Rains", guid="urn:test:rains")
    write_story(folder, "3.json", "Rains", guid="urn:test:rains", body="<p>New.</p>")
    write_story(folder, "4.json", "Rains", guid="urn:test:rains")
    assert outcomes(store, settings, [folder], batch_size) == [
        ("1.json", "new article", "1"),
        ("2.json", "unchanged", "1"),
        ("3.json", "new version", "2"),
        ("4.json", "unchanged", "1"),
    ]
    bodies = [v.body for v in store.history("urn:test:rains")]
    assert bodies == ["<p>Text.</p>", "<p>New.</p>"]


def test_batches_store_what_one_file_at_a_time_stores(
    settings, folder, tmp_path
) -> None:
    from syndication.store import open_store

    for n in range(7):
        write_story(folder, f"{n}.json", f"Story {n % 4}", keywords=[f"k{n}"])
    stored = {}
    for batch_size in (1, 3):
        store = open_store(f"sqlite:///{tmp_path / f'{batch_size}.db'}")
        try:
            found = iter_ingest(
                store, settings, [folder], IngestOptions(), batch_size=batch_size
            )
            assert all(isinstance(f, StoredStory) for f in found)
            stored[batch_size] = list(store.iter_all())
        finally:
            store.close()
    assert len(stored[1]) == 7
    assert stored[1] == stored[3]


# -- store failures (a trigger in a real SQLite store refuses a write) ----------


def refuse_keyword(store_path: Path, keyword: str) -> None:
    """Make the store fail while writing any version with ``keyword``: after its
    article and version rows are written, so a partial write would show."""
    with closing(sqlite3.connect(store_path)) as db, db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON version_keywords "
            f"WHEN NEW.keyword = '{keyword}' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
        )


def rows(store_path: Path) -> dict[str, list[str]]:
    """The guids in every article table, to show nothing was half written."""
    with closing(sqlite3.connect(store_path)) as db:
        return {
            table: [g for (g,) in db.execute(f"SELECT guid FROM {table} ORDER BY 1")]
            for table in ("articles", "versions", "version_keywords")
        }


@pytest.mark.parametrize(("batch_size", "failed"), [(2, 2), (500, 5)])
def test_a_store_failure_keeps_earlier_files_and_names_the_failing_one(
    sqlite_store, settings, folder, tmp_path, caplog, batch_size: int, failed: int
) -> None:
    """The batch holding file 4 fails as a whole; retried one file per
    transaction, the files before 4 are stored and 4 is named."""
    store_path = tmp_path / "store.db"
    for n in range(1, 6):
        keyword = "refused" if n == 4 else f"k{n}"
        write_story(
            folder, f"{n}.json", "Story", guid=f"urn:test:{n}", keywords=[keyword]
        )
    refuse_keyword(store_path, "refused")
    found = iter_ingest(
        sqlite_store, settings, [folder], IngestOptions(), batch_size=batch_size
    )
    reported = []
    with pytest.raises(StoreError) as raised:
        for outcome in found:
            reported.append(_describe(outcome))
    assert str(raised.value) == (
        f"{folder / '4.json'}: could not store articles: refused by the test "
        "trigger; nothing was stored from this file or the ones after it"
    )
    assert reported == [(f"{n}.json", "new article", "1") for n in (1, 2, 3)]
    assert (
        f"storing {failed} file(s) in one transaction failed (could not store "
        "articles: refused by the test trigger); trying them one by one"
    ) in caplog.text
    assert rows(store_path) == {
        table: ["urn:test:1", "urn:test:2", "urn:test:3"]
        for table in ("articles", "versions", "version_keywords")
    }


def test_a_store_that_refuses_every_write_stores_nothing(
    sqlite_store, settings, folder, tmp_path
) -> None:
    store_path = tmp_path / "store.db"
    for n in range(1, 4):
        write_story(folder, f"{n}.json", f"Story {n}", keywords=["refused"])
    refuse_keyword(store_path, "refused")
    found = iter_ingest(sqlite_store, settings, [folder], IngestOptions())
    with pytest.raises(StoreError, match=r"1\.json: could not store articles"):
        next(found)
    assert rows(store_path) == {
        "articles": [],
        "versions": [],
        "version_keywords": [],
    }
