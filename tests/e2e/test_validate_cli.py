"""syndication validate: files of any format, a feed as built, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO

from syndication.cli import cli

BROKEN = REPO / "tests" / "data" / "broken"


def run(config: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config), "validate", *args])


def test_valid_files_exit_0(config_file: Path) -> None:
    result = run(
        config_file, str(BROKEN / "rss-valid.xml"), str(BROKEN / "atom-valid.xml")
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 document(s) valid\n"


def test_invalid_file_lists_problems_and_exits_4(config_file: Path) -> None:
    path = BROKEN / "rss-missing-guid.xml"
    result = run(config_file, str(path))
    assert result.exit_code == 4
    assert result.stdout == (
        f"{path}:8: [item-id] Every item needs a stable id (guid).\n"
        "1 problem(s) in 1 of 1 document(s)\n"
    )


def test_json_output(config_file: Path) -> None:
    path = BROKEN / "doctype-external-entity-file.xml"
    result = run(config_file, "--json", str(path))
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [p["rule"] for p in data["problems"]] == ["no-doctype"]


def test_feed_is_checked_as_built(config_file: Path) -> None:
    ingest = CliRunner().invoke(
        cli,
        ["--config", str(config_file), "ingest", str(REPO / "examples" / "stories")],
    )
    assert ingest.exit_code == 0, ingest.output
    result = run(config_file, "--feed", "partner-c-all")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("document(s) valid\n")


def test_files_and_feed_together_is_a_usage_error(config_file: Path) -> None:
    result = run(config_file, "--feed", "partner-c-all", str(BROKEN / "rss-valid.xml"))
    assert result.exit_code == 2
    assert "give either FILE arguments or --feed" in result.output


def test_unreadable_file(config_file: Path, tmp_path: Path) -> None:
    result = run(config_file, str(tmp_path / "missing.xml"))
    assert result.exit_code == 3
    assert result.output == (
        f"Error: {tmp_path / 'missing.xml'}: cannot read: No such file or directory\n"
    )
