"""syndication validate: files of any format, a feed as built, --json, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SHARED, write_config
from lxml import etree

from syndication.cli import cli

BROKEN = REPO / "tests" / "data" / "broken"
FEEDS = ("partner-a-humanitarian", "partner-b-climate", "partner-c-all")
IPTC = SHARED / "schemas" / "newsml-g2"
G2 = "http://iptc.org/std/nar/2006-10-01/"


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


# -- another publisher's NewsML-G2 ----------------------------------------------------


def iptc_examples() -> list[Path]:
    """IPTC's own example newsItems and newsMessages in ../shared (read there,
    never copied into the repository)."""
    found = []
    for path in sorted(IPTC.glob("*.xml")) if IPTC.is_dir() else []:
        root = etree.parse(str(path)).getroot()
        if root.tag in (f"{{{G2}}}newsItem", f"{{{G2}}}newsMessage"):
            found.append(path)
    return found


def test_the_iptc_examples_are_there() -> None:
    if not IPTC.is_dir():
        pytest.skip(f"IPTC's NewsML-G2 examples not found at {IPTC}")
    assert len(iptc_examples()) >= 3


@pytest.mark.parametrize("path", iptc_examples(), ids=lambda p: p.name)
def test_iptc_examples_are_judged_by_iptc_schema(config_file: Path, path: Path) -> None:
    """Another publisher's NewsML-G2 passes when IPTC's official XSD, the
    safety rules and the credit rules for any publisher pass it: not our
    profile, nor our house rules (creditline, rights, subject names, the
    credit paragraph)."""
    result = run(config_file, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 document(s) valid\n"


@pytest.mark.parametrize("path", iptc_examples(), ids=lambda p: p.name)
def test_another_publishers_newsml_meets_the_rules_for_anyone(
    config_file: Path, path: Path, tmp_path: Path
) -> None:
    # A credit line asked for: every item must carry it.
    result = run(config_file, "--credit-line", "Credit: Example Wire", str(path))
    assert result.exit_code == 4
    assert "[credit-line-present]" in result.stdout
    # The credit paragraph, when asked for.
    result = run(config_file, "--credit-paragraph", str(path))
    assert result.exit_code == 4
    assert "[credit-paragraph]" in result.stdout
    # IPTC's schema: an element it does not define.
    text = path.read_text("utf-8")
    broken = tmp_path / "unknown-element.xml"
    broken.write_text(text.replace("<itemMeta>", "<itemMeta><bogus/>", 1), "utf-8")
    result = run(config_file, str(broken))
    assert result.exit_code == 4
    assert "[newsml-official-xsd]" in result.stdout
    # The safety rules: a script in the body.
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(
        re.sub(
            r"(<inlineXML[^>]*>)",
            r'\1<html xmlns="http://www.w3.org/1999/xhtml"><body>'
            r"<script>alert(1)</script></body></html>",
            text,
            count=1,
        ),
        encoding="utf-8",
    )
    result = run(config_file, str(hostile))
    assert result.exit_code == 4
    assert "[no-script]" in result.stdout


def test_another_publishers_newsml_needs_the_official_schema(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    text = config.read_text("utf-8")
    config.write_text(re.sub(r"newsml_official_xsd = .*\n", "", text), "utf-8")
    result = run(config, str(BROKEN / "newsml-valid.xml"))
    assert result.exit_code == 3
    assert result.output == (
        f"Error: [validation.newsml_official_xsd]: {BROKEN / 'newsml-valid.xml'} is "
        "another publisher's NewsML-G2, judged by IPTC's official schema: set this "
        "key to the path of NewsML-G2_*-spec-All-Power.xsd (xml.xsd beside it)\n"
    )
    # Ours still need no more than our own schemas.
    ours = (BROKEN / "newsml-valid.xml").read_text("utf-8")
    ours = ours.replace('uri="https://wire.example"', 'uri="https://news.trust.org"')
    mine = tmp_path / "ours.xml"
    mine.write_text(ours, encoding="utf-8")
    result = run(config, "--credit-line", "Credit: Example Wire", str(mine))
    assert result.exit_code == 0, result.output


def test_our_own_newsml_is_judged_by_our_profile(
    config_file: Path, tmp_path: Path
) -> None:
    """A document our agency provides (every item's provider is its URL) is
    held to the profile of what we emit and every house rule."""
    text = (BROKEN / "newsml-subject-without-name.xml").read_text("utf-8")
    theirs = tmp_path / "theirs.xml"
    theirs.write_text(text, encoding="utf-8")
    ours = tmp_path / "ours.xml"
    ours.write_text(
        text.replace('uri="https://wire.example"', 'uri="https://news.trust.org"'),
        encoding="utf-8",
    )
    assert run(config_file, str(theirs)).exit_code == 0
    result = run(config_file, str(ours))
    assert result.exit_code == 4
    assert "[subject-name]" in result.stdout
