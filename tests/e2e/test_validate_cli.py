"""syndication validate: files of any format, a feed as built, --json, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from syndication.cli import cli

BROKEN = REPO / "tests" / "data" / "broken"
FEEDS = ("partner-a-humanitarian", "partner-b-climate", "partner-c-all")


def run(config: Path, *args: str, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        cli, ["--config", str(config), "validate", *args], input=stdin
    )


def test_valid_files_exit_0(config_file: Path) -> None:
    result = run(
        config_file,
        str(BROKEN / "rss-valid.xml"),
        str(BROKEN / "atom-valid.xml"),
        str(BROKEN / "newsml-valid.xml"),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 document(s) valid\n"


def test_invalid_file_lists_problems_and_exits_4(config_file: Path) -> None:
    path = BROKEN / "rss-missing-guid.xml"
    result = run(config_file, str(path), str(BROKEN / "rss-valid.xml"))
    assert result.exit_code == 4
    assert result.stdout == (
        f"{path}:8: [item-id] Every item needs a stable id (guid).\n"
        "1 problem(s) in 1 of 2 document(s)\n"
    )


def test_expected_credit_line_and_paragraph_options(config_file: Path) -> None:
    path = BROKEN / "rss-valid.xml"
    result = run(config_file, "--credit-line", "Credit: Other", str(path))
    assert result.exit_code == 4
    assert result.stdout.splitlines() == [
        f'{path}:8: [credit-line-matches] The credit line "Credit: Example Wire" is '
        'not the feed\'s credit line "Credit: Other".',
        f"{path}:11: [credit-paragraph] The body's credit paragraph says \"Credit: "
        'Example Wire", not the credit line "Credit: Other".',
        "2 problem(s) in 1 of 1 document(s)",
    ]
    missing = BROKEN / "rss-missing-credit-paragraph.xml"
    assert run(config_file, str(missing)).exit_code == 4
    assert run(config_file, "--no-credit-paragraph", str(missing)).exit_code == 0


def test_at_judges_embargoes(config_file: Path) -> None:
    path = str(BROKEN / "newsml-under-embargo.xml")
    assert run(config_file, path).exit_code == 4
    assert run(config_file, "--at", "2026-11-28T00:00:00Z", path).exit_code == 0


def test_json_output(config_file: Path) -> None:
    path = BROKEN / "doctype-external-entity-file.xml"
    result = run(config_file, "--json", str(path), str(BROKEN / "atom-valid.xml"))
    assert result.exit_code == 4
    assert json.loads(result.stdout) == {
        "ok": False,
        "checked": 2,
        "problems": [
            {
                "document": str(path),
                "line": 2,
                "rule": "no-doctype",
                "message": "documents may not declare a DOCTYPE (DTDs and entities "
                "are refused unread)",
            }
        ],
    }
    valid = run(config_file, "--json", str(BROKEN / "atom-valid.xml"))
    assert valid.exit_code == 0
    assert json.loads(valid.stdout) == {"ok": True, "checked": 1, "problems": []}


def test_standard_input(config_file: Path) -> None:
    body = (BROKEN / "rss-script-in-content.xml").read_bytes()
    result = run(config_file, "-", stdin=body)
    assert result.exit_code == 4
    assert "<stdin>:" in result.stdout
    assert "[no-script]" in result.stdout


@pytest.fixture
def ingested(config_file: Path, sample_wire: Path) -> Path:
    runner = CliRunner()
    for args in (
        ["ingest", str(REPO / "examples" / "stories")],
        ["ingest", str(sample_wire), "--date", "2019-06-21"],
    ):
        result = runner.invoke(cli, ["--config", str(config_file), *args])
        assert result.exit_code == 0, result.output
    return config_file


@pytest.mark.parametrize("feed_id", FEEDS)
def test_every_example_feed_is_valid_as_built(ingested: Path, feed_id: str) -> None:
    result = run(ingested, "--feed", feed_id)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(" document(s) valid\n")
    assert int(result.stdout.split()[0]) >= 3


def test_built_files_are_valid(ingested: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = CliRunner().invoke(
        cli, ["--config", str(ingested), "build", "--out", str(out)]
    )
    assert build.exit_code == 0, build.output
    files = sorted(str(p) for p in out.rglob("*.xml"))
    assert len(files) > 9
    result = run(ingested, *files)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{len(files)} document(s) valid\n"


def test_files_and_feed_together_is_a_usage_error(config_file: Path) -> None:
    result = run(config_file, "--feed", "partner-c-all", str(BROKEN / "rss-valid.xml"))
    assert result.exit_code == 2
    assert "give either FILE arguments or --feed, not both or neither" in result.output
    result = run(config_file)
    assert result.exit_code == 2
    result = run(config_file, "--feed", "partner-c-all", "--credit-line", "x")
    assert result.exit_code == 2
    assert "--credit-line and --credit-paragraph apply to files" in result.output


def test_unknown_feed_is_bad_input(config_file: Path) -> None:
    result = run(config_file, "--feed", "nope")
    assert result.exit_code == 3
    assert result.output.startswith("Error: no feed 'nope'; defined feeds: ")


def test_unreadable_file(config_file: Path, tmp_path: Path) -> None:
    result = run(
        config_file, str(BROKEN / "rss-valid.xml"), str(tmp_path / "missing.xml")
    )
    assert result.exit_code == 3
    assert result.output == (
        f"Error: {tmp_path / 'missing.xml'}: cannot read: No such file or directory\n"
    )
    result = run(config_file, str(tmp_path))
    assert result.exit_code == 3
    assert result.output == f"Error: {tmp_path}: cannot read: Is a directory\n"


def test_as_a_subprocess(config_file: Path) -> None:
    path = BROKEN / "rss-javascript-url-obfuscated.xml"
    done = subprocess.run(
        [sys.executable, "-m", "syndication", "--config", str(config_file),
         "validate", str(path)],
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 4
    assert done.stdout.decode().splitlines() == [
        f"{path}:11: [url-scheme] The content:encoded contains a javascript: URL "
        "(href on a).",
        "1 problem(s) in 1 of 1 document(s)",
    ]
