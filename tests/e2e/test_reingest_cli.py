"""Re-ingest never undoes an editorial act: `syndication ingest` after a kill,
a correction or an editor's subjects, and a republished copy of a wire story
(in-process, on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, write_config

from syndication.cli import cli

EXAMPLES = REPO / "examples" / "stories"
PREFIX = "urn:newsml:news.trust.org"
SAHEL = EXAMPLES / "sahel-heat-night-planting.json"
SAHEL_ID = f"{PREFIX}:20260615:heatwave-pushes-sahel-farmers-to-plant-by-torchlight"
PERU = EXAMPLES / "peru-domestic-workers-rest-day.txt"
PERU_ID = (
    f"{PREFIX}:20260612:"
    "domestic-workers-win-right-to-weekly-rest-day-in-landmark-ruling"
)
SAMPLE_ID = f"{PREFIX}:20190620:us-sees-cambodias-anti-trafficking-efforts-floundering"


@pytest.fixture
def run(tmp_path: Path, store_url: str):
    config = write_config(tmp_path, store_url=store_url)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(config), *args])

    return invoke


@pytest.fixture
def examples(run) -> None:
    result = run("ingest", str(EXAMPLES), "--date", "2026-06-25")
    assert result.exit_code == 0, result.output


def history(run, guid: str) -> list[dict]:
    return json.loads(run("articles", "show", guid, "--history", "--json").stdout)


def sahel_with(tmp_path: Path, **fields) -> Path:
    document = json.loads(SAHEL.read_text("utf-8"))
    document.update(fields)
    path = tmp_path / "sahel-new.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_reingest_after_a_kill_keeps_the_story_killed(run, examples) -> None:
    killed = run("articles", "kill", SAHEL_ID, "--reason", "Legal advice", "--no-push")
    assert killed.exit_code == 0, killed.output
    again = run("ingest", str(EXAMPLES), "--date", "2026-06-25")
    assert again.exit_code == 0, again.output
    assert f"{SAHEL}: unchanged {SAHEL_ID}: matches version 1, nothing stored " in (
        again.stdout
    )
    assert (
        f"{SAHEL}: unchanged {SAHEL_ID}: matches version 1, nothing stored "
        "(latest is version 2)\n"
    ) in again.stdout
    assert again.stdout.count(": unchanged ") == 5
    assert [v["status"] for v in history(run, SAHEL_ID)] == ["usable", "canceled"]


def test_reingest_after_a_correction_keeps_the_correction(
    run, examples, tmp_path: Path
) -> None:
    fixed = sahel_with(tmp_path, body="<p>Farmers in Niger sow after dark.</p>")
    corrected = run(
        "articles", "correct", SAHEL_ID, str(fixed), "--note", "Shorter", "--no-push"
    )
    assert corrected.exit_code == 0, corrected.output
    again = run("ingest", str(SAHEL), "--json")
    assert again.exit_code == 0, again.output
    (stored,) = json.loads(again.stdout)["stored"]
    assert stored["action"] == "unchanged"
    assert stored["matches"] == 1
    assert stored["previous"] == 2
    assert stored["message"] == (
        f"unchanged {SAHEL_ID}: matches version 1, nothing stored (latest is version 2)"
    )
    latest = history(run, SAHEL_ID)[-1]
    assert (latest["version"], latest["is_correction"]) == (2, True)
    assert latest["body"] == "<p>Farmers in Niger sow after dark.</p>"


def test_new_content_for_a_killed_article_is_refused_unless_revived(
    run, examples, tmp_path: Path
) -> None:
    run("articles", "kill", SAHEL_ID, "--reason", "Legal advice", "--no-push")
    changed = sahel_with(tmp_path, body="<p>An update on night planting.</p>")
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps(
            {
                "guid": "urn:test:other",
                "headline": "Other",
                "body": "<p>Text.</p>",
                "first_created": "2026-06-20T08:00:00Z",
            }
        ),
        encoding="utf-8",
    )
    refused = run("ingest", str(changed), str(other))
    assert refused.exit_code == 3
    assert refused.stdout == f"{other}: new article urn:test:other (version 1)\n"
    assert refused.stderr.endswith(
        "Error: 1 of 2 file(s) could not be ingested; nothing was stored from them:\n"
        f"  {changed}: article {SAHEL_ID} was killed in version 2 (Legal advice) and "
        "this file has new content for it; nothing was stored. To publish the story "
        "again, ingest the file with --revive; to keep it killed, leave the file out\n"
    )
    assert len(history(run, SAHEL_ID)) == 2

    revived = run("ingest", str(changed), "--revive")
    assert revived.exit_code == 0, revived.output
    assert revived.stdout == (
        f"{changed}: new version 3 of {SAHEL_ID} (was 2), revived after kill\n"
    )
    latest = history(run, SAHEL_ID)[-1]
    assert (latest["status"], latest["ed_note"]) == (
        "usable",
        "Revived after kill: Legal advice",
    )
    # The revived story, ingested again, is the version it became.
    for args in ([], ["--revive"]):
        again = run("ingest", str(changed), *args)
        assert again.exit_code == 0, again.output
        assert "matches version 3, nothing stored" in again.stdout
    assert len(history(run, SAHEL_ID)) == 3


def test_a_new_kill_of_a_killed_article_is_not_refused(
    run, examples, tmp_path: Path
) -> None:
    run("articles", "kill", SAHEL_ID, "--reason", "Legal advice", "--no-push")
    kill = sahel_with(tmp_path, status="canceled", ed_note="Withdrawn by the desk")
    result = run("ingest", str(kill))
    assert result.exit_code == 0, result.output
    assert f"new version 3 of {SAHEL_ID} (was 2)" in result.stdout
    assert history(run, SAHEL_ID)[-1]["status"] == "canceled"


def test_wire_reingest_keeps_the_articles_subjects_and_language(
    run, tmp_path: Path
) -> None:
    first = run(
        "ingest",
        str(PERU),
        "--date",
        "2026-06-25",
        "--language",
        "es",
        "--subject",
        "medtop:09000000=labour",
    )
    assert first.exit_code == 0, first.output
    same = run("ingest", str(PERU), "--date", "2026-06-25")
    assert "matches version 1, nothing stored" in same.stdout
    updated = tmp_path / "peru.txt"
    updated.write_text(
        PERU.read_text("utf-8").replace("later this year", "from September"),
        encoding="utf-8",
    )
    result = run("ingest", str(updated), "--date", "2026-06-25")
    assert result.exit_code == 0, result.output
    assert f"new version 2 of {PERU_ID} (was 1)" in result.stdout
    latest = history(run, PERU_ID)[-1]
    assert latest["subjects"] == [{"qcode": "medtop:09000000", "name": "labour"}]
    assert latest["language"] == "es"
    # Given ones still win.
    given = run(
        "ingest", str(updated), "--date", "2026-06-25", "--subject", "medtop:1=x"
    )
    assert f"new version 3 of {PERU_ID} (was 2)" in given.stdout
    assert history(run, PERU_ID)[-1]["subjects"] == [{"qcode": "medtop:1", "name": "x"}]
    assert history(run, PERU_ID)[-1]["language"] == "es"


def test_the_republished_page_is_the_agencys_story(
    run, sample_wire: Path, tmp_path: Path
) -> None:
    page = (
        sample_wire.parent.parent
        / "republished"
        / ("trafficking-cambodia-partner-page.txt")
    )
    if not page.is_file():
        pytest.skip(f"republished sample not found at {page}")
    first = run("ingest", str(sample_wire), "--date", "2019-06-21")
    assert first.exit_code == 0, first.output
    result = run("ingest", str(page), "--date", "2019-06-21")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{page}: unchanged {SAMPLE_ID}: matches version 1, nothing stored; "
        "year from --date 2019-06-21\n"
    )
    assert (
        f"{page}: the credits block ends the story; 4 paragraph(s) after it were "
        'cut, from "Leave a Reply"'
    ) in result.stderr
    (version,) = history(run, SAMPLE_ID)
    assert "Leave a Reply" not in version["body"]
    assert {"name": "Katy Migiro", "role": "editor"} in version["bylines"]
    # Copied under another name, the page is the same story too.
    shutil.copy(page, tmp_path / "copy.txt")
    copy = run("ingest", str(tmp_path / "copy.txt"), "--date", "2019-06-21", "--json")
    assert json.loads(copy.stdout)["stored"][0]["matches"] == 1


def test_wire_reingest_keeps_the_articles_embargo(run, tmp_path: Path) -> None:
    assert run("ingest", str(PERU), "--date", "2026-06-25").exit_code == 0
    held = run("articles", "embargo", PERU_ID, "--until", "2099-01-01T00:00:00Z")
    assert held.exit_code == 0, held.output
    updated = tmp_path / "peru.txt"
    updated.write_text(
        PERU.read_text("utf-8").replace("later this year", "from September"),
        encoding="utf-8",
    )
    result = run("ingest", str(updated), "--date", "2026-06-25")
    assert f"new version 3 of {PERU_ID} (was 2)" in result.stdout
    assert history(run, PERU_ID)[-1]["embargo_until"] == "2099-01-01T00:00:00Z"
