"""The feeds group (list, show, check), in-process and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, write_config

from syndication.cli import cli

FEEDS = REPO / "feeds"


@pytest.fixture
def run(config_file: Path):
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(config_file), *args])

    return invoke


def test_list_table(run):
    result = run("feeds", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ID                      PARTNER                      FORMATS          "
        "DESTINATION  SCHEDULE",
        "partner-a-humanitarian  Partner A Humanitarian News  rss,atom,newsml  "
        "local        every 0:15:00 (UTC)",
        "partner-b-climate       Partner B Climate Desk       rss,atom,newsml  "
        "local        cron 0 * * * * (UTC)",
        "partner-c-all           Partner C Aggregator         rss,atom,newsml  "
        "local        every 0:05:00 (UTC)",
    ]


def test_list_json(run):
    result = run("feeds", "list", "--json")
    assert result.exit_code == 0, result.output
    feeds = json.loads(result.stdout)
    assert [f["id"] for f in feeds] == [
        "partner-a-humanitarian",
        "partner-b-climate",
        "partner-c-all",
    ]
    assert feeds[1]["credit"]["is_override"] is True
    assert feeds[2]["selection"]["subjects"] == []


def test_show_text_and_json(run, settings):
    result = run("feeds", "show", "partner-a-humanitarian")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "id: partner-a-humanitarian"
    assert "selection.languages: en" in lines
    assert f"credit.line: {settings.agency.credit_line}" in lines
    assert "credit.is_override: false" in lines
    assert "schedule: every 0:15:00 (UTC)" in lines
    shown = json.loads(run("feeds", "show", "partner-b-climate", "--json").stdout)
    assert shown["credit"]["line"] == (
        "Thomson Reuters Foundation (news.trust.org) / Fondation Thomson Reuters"
    )
    assert shown["path"] == "partner-b"


def test_show_unknown_feed_exits_3(run):
    result = run("feeds", "show", "nope")
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: no feed 'nope'; defined feeds: partner-a-humanitarian, "
        "partner-b-climate, partner-c-all\n"
    )


def test_check_ok(run):
    result = run("feeds", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 feed definition(s) OK\n"


def test_check_reports_each_problem_with_file_and_key(tmp_path: Path):
    folder = tmp_path / "feeds"
    folder.mkdir()
    good = (FEEDS / "partner-c-all.toml").read_text("utf-8")
    (folder / "good.toml").write_text(good, "utf-8")
    (folder / "bad-limit.toml").write_text(
        good.replace('id = "partner-c-all"', 'id = "x"').replace(
            "limit = 100", "limit = 0"
        ),
        "utf-8",
    )
    (folder / "bad-id.toml").write_text(
        good.replace('id = "partner-c-all"', 'id = "no spaces"'), "utf-8"
    )
    config = write_config(tmp_path, feeds_dir=folder)
    result = CliRunner().invoke(cli, ["--config", str(config), "feeds", "check"])
    assert result.exit_code == 3
    assert result.stdout == (
        f"{folder / 'bad-id.toml'} [id]: feed id may hold only letters, digits, "
        "'-' and '_' (at most 64)\n"
        f"{folder / 'bad-limit.toml'} [limit]: expected 1 to 1000, got 0\n"
    )
    assert result.stderr == (
        f"Error: 2 problem(s) in the feed definitions in {folder}; 1 feed(s) are good\n"
    )
    listed = CliRunner().invoke(cli, ["--config", str(config), "feeds", "list"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[1].startswith("partner-c-all ")
    assert "skipped: " in listed.stderr


def test_check_as_a_subprocess(config_file: Path):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "syndication",
            "--config",
            str(config_file),
            "feeds",
            "check",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "3 feed definition(s) OK\n"
