"""The feeds group (list, show, check), in-process and as a subprocess."""

from __future__ import annotations

import json
import os
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


# -- hostile definitions: exit 3 with file and key, the good feeds go on ------------

GOOD = """id = "{id}"
partner = "P"
title = "T"
description = "D"
link = "https://partner.example/"
"""


def hostile_site(tmp_path: Path, extra_config: str = "") -> tuple[Path, Path]:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "good.toml").write_text(GOOD.format(id="good"), "utf-8")
    (folder / "one.toml").write_text(
        GOOD.format(id="one") + '[destination]\npath = "shared"\n', "utf-8"
    )
    (folder / "two.toml").write_text(
        GOOD.format(id="two") + '[destination]\npath = "shared/items"\n', "utf-8"
    )
    (folder / "window.toml").write_text(
        GOOD.format(id="window") + '[selection]\nwindow = "100000d"\n', "utf-8"
    )
    (folder / "nested.toml").write_text(
        GOOD.format(id="nested") + "formats = " + "[" * 3000 + "]" * 3000 + "\n",
        "utf-8",
    )
    (folder / "twice.toml").write_text(
        GOOD.format(id="twice") + 'formats = ["rss", "rss"]\n', "utf-8"
    )
    (folder / "js.toml").write_text(
        GOOD.format(id="js").replace("https://partner.example/", "javascript:x"),
        "utf-8",
    )
    return folder, write_config(tmp_path, feeds_dir=folder, extra=extra_config)


def expected_problems(folder: Path) -> str:
    apart = (
        "a publish rewrites and withdraws its indexes, items/, replay/ and archive/ "
        "in its folder, so give each feed a [destination] path of its own, not "
        "inside another's items/, replay/, archive/ or index names"
    )
    return (
        f"{folder / 'js.toml'} [link]: expected an absolute http(s) URL, got "
        "'javascript:x'\n"
        f"{folder / 'nested.toml'}: invalid TOML: nested too deeply\n"
        f"{folder / 'twice.toml'} [formats]: rss listed more than once\n"
        f"{folder / 'window.toml'} [selection.window]: at most 366 days, got "
        "'100000d'\n"
        f"{folder / 'one.toml'} [destination.path]: folder 'shared' at destination "
        f"'local' holds the folder of feed 'two' ({folder / 'two.toml'}); {apart}\n"
        f"{folder / 'two.toml'} [destination.path]: folder 'shared/items' at "
        "destination 'local' is inside the folder of feed 'one' "
        f"({folder / 'one.toml'}); {apart}\n"
    )


def test_check_and_init_refuse_hostile_definitions(tmp_path: Path):
    folder, config = hostile_site(tmp_path)
    for command in (["feeds", "check"], ["init"]):
        result = CliRunner().invoke(cli, ["--config", str(config), *command])
        assert result.exit_code == 3, result.output
        assert result.stdout.endswith(expected_problems(folder))
        assert result.stderr.endswith(
            f"Error: 6 problem(s) in the feed definitions in {folder}; "
            "1 feed(s) are good\n"
        )
    listed = CliRunner().invoke(cli, ["--config", str(config), "feeds", "list"])
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["ID", "good"]


def test_the_good_feed_still_publishes_beside_hostile_ones(tmp_path: Path):
    _, config = hostile_site(tmp_path)
    result = CliRunner().invoke(
        cli, ["--config", str(config), "publish", "--at", "2026-11-27T12:00:00Z"]
    )
    assert result.exit_code == 3, result.output
    assert "good → local: published" in result.stdout
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == [
        "feeds.opml",  # the destination's face lists the good feed
        "good",
        "index.html",
    ]
    assert "two.toml [destination.path]: folder 'shared/items'" in result.stderr


def test_a_broken_unused_destination_is_reported_by_check_and_init(tmp_path: Path):
    _, config = hostile_site(
        tmp_path, '[destinations.spare]\ntype = "s3"\nsecret = "x"\n'
    )
    for command in (["feeds", "check"], ["init"]):
        result = CliRunner().invoke(cli, ["--config", str(config), *command])
        assert result.exit_code == 3
        assert result.stdout == ""
        assert result.stderr == (
            "Error: 2 problems:\n"
            f"  {config} [destinations.spare.bucket]: missing required value\n"
            f"  {config} [destinations.spare.secret]: credentials never go in the "
            "configuration file; use the standard AWS chain (environment, ~/.aws, "
            "instance role) or 'profile'\n"
        )
    assert not (tmp_path / "store.db").exists()  # init stopped before the store


def test_check_skips_folders_and_fifos_with_a_warning(tmp_path: Path):
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "good.toml").write_text(GOOD.format(id="good"), "utf-8")
    (folder / "folder.toml").mkdir()
    os.mkfifo(folder / "pipe.toml")
    config = write_config(tmp_path, feeds_dir=folder)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "syndication",
            "--config",
            str(config),
            "feeds",
            "check",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "1 feed definition(s) OK\n"
    assert f"{folder / 'pipe.toml'}: not a regular file" in completed.stderr
    assert "Traceback" not in completed.stderr
