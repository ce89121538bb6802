"""`syndication ingest` when the store fails part-way through a batch: exit 1,
the failing file named, only files really stored reported (real SQLite store)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syndication.cli import cli


def run(config_file: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_file), *args])


@pytest.fixture
def stories(tmp_path: Path, config_file: Path) -> Path:
    """Three stories; the store refuses to write the second one's keyword."""
    folder = tmp_path / "stories"
    folder.mkdir()
    for n in (1, 2, 3):
        document = {
            "guid": f"urn:test:{n}",
            "headline": f"Story {n}",
            "body": "<p>Text.</p>",
            "first_created": "2026-06-20T08:00:00Z",
            "keywords": ["refused" if n == 2 else "floods"],
        }
        (folder / f"{n}.json").write_text(json.dumps(document), encoding="utf-8")
    assert run(config_file, "articles", "list").exit_code == 0  # creates the store
    with closing(sqlite3.connect(tmp_path / "store.db")) as db, db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON version_keywords "
            "WHEN NEW.keyword = 'refused' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
        )
    return folder


def test_a_store_failure_exits_1_naming_the_file(config_file, stories) -> None:
    result = run(config_file, "ingest", str(stories))
    assert result.exit_code == 1
    assert (
        result.stdout == f"{stories / '1.json'}: new article urn:test:1 (version 1)\n"
    )
    assert result.stderr.endswith(
        f"Error: {stories / '2.json'}: could not store articles: refused by the "
        "test trigger; nothing was stored from this file or the ones after it\n"
    )
    listed = json.loads(run(config_file, "articles", "list", "--json").stdout)
    assert [v["guid"] for v in listed] == ["urn:test:1"]


def test_with_json_a_store_failure_prints_no_result(config_file, stories) -> None:
    result = run(config_file, "ingest", str(stories), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"Error: {stories / '2.json'}: could not store articles" in result.stderr
