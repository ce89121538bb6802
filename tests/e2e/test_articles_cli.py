"""The ingest command and the articles group, in-process and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO

from syndication.cli import cli

EXAMPLES = REPO / "examples" / "stories"
BAD = REPO / "tests" / "data" / "ingest"
PREFIX = "urn:newsml:news.trust.org"
SAMPLE_ID = f"{PREFIX}:20190620:us-sees-cambodias-anti-trafficking-efforts-floundering"
SAHEL_ID = f"{PREFIX}:20260615:heatwave-pushes-sahel-farmers-to-plant-by-torchlight"


@pytest.fixture
def run(config_file: Path):
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(config_file), *args])

    return invoke


@pytest.fixture
def examples(run) -> None:
    result = run("ingest", str(EXAMPLES), "--date", "2026-06-25")
    assert result.exit_code == 0, result.output


def test_ingest_the_sample(run, sample_wire: Path) -> None:
    result = run("ingest", str(sample_wire), "--date", "2019-06-21")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{sample_wire}: new article {SAMPLE_ID} (version 1); "
        "year from --date 2019-06-21\n"
    )
    assert (
        "the credit sentence differs from the configured credit line" in result.stderr
    )
    assert 'extra "that covers"' in result.stderr
    again = run("ingest", str(sample_wire), "--date", "2019-06-21")
    assert again.stdout == (
        f"{sample_wire}: unchanged {SAMPLE_ID}: matches version 1, nothing stored; "
        "year from --date 2019-06-21\n"
    )
    shown = json.loads(run("articles", "show", SAMPLE_ID, "--json").stdout)
    assert [(b["name"], b["role"]) for b in shown["bylines"]] == [
        ("Matt Blomberg", "reporter"),
        ("Katy Migiro", "editor"),
    ]
    assert shown["dateline"] == {
        "place": "PHNOM PENH",
        "date": "June 20",
        "provider": "Thomson Reuters Foundation",
    }


def test_ingest_reports_every_bad_file_and_keeps_the_good_ones(run) -> None:
    bad = [BAD / "malformed.json", BAD / "naive-time.json", BAD / "doctype.xml"]
    result = run("ingest", str(EXAMPLES), *map(str, bad), "--date", "2026-06-25")
    assert result.exit_code == 3
    assert len(result.stdout.splitlines()) == 5
    assert all(": new article " in line for line in result.stdout.splitlines())
    assert result.stderr.endswith(
        "Error: 3 of 8 file(s) could not be ingested; nothing was stored from them:\n"
        f"  {bad[0]}:4: malformed JSON: Expecting ',' delimiter (column 3)\n"
        f"  {bad[1]} [first_created]: naive time '2026-06-20T08:00:00' has no time "
        "zone; add Z or an offset such as +02:00\n"
        f"  {bad[2]}:2: DOCTYPE and ENTITY declarations are refused (DTDs and "
        "entities are never read); ingest takes NewsML-G2, ninjs, the JSON article "
        "format or plain wire copy\n"
    )
    assert "Traceback" not in result.stderr
    listed = json.loads(run("articles", "list", "--json").stdout)
    assert len(listed) == 5


def test_ingest_json_output(run) -> None:
    story = EXAMPLES / "peru-domestic-workers-rest-day.txt"
    args = ["ingest", str(story), "--json", "--language", "es"]
    result = run(*args, "--subject", "medtop:09000000=labour", "--date", "2026-06-25")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["problems"] == []
    (stored,) = document["stored"]
    assert stored["action"] == "new article"
    assert stored["format"] == "wire"
    assert stored["year_source"] == "year from --date 2026-06-25"
    shown = json.loads(run("articles", "show", stored["guid"], "--json").stdout)
    assert shown["language"] == "es"
    assert shown["subjects"] == [{"qcode": "medtop:09000000", "name": "labour"}]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--subject",
            "labour",
            "Invalid value for --subject: 'labour' is not QCODE=Label",
        ),
        (
            "--language",
            "english!",
            "Invalid value for --language: 'english!' is not a BCP 47",
        ),
        ("--date", "20-06-2026", "Invalid value for '--date'"),
        ("--format", "xml", "Invalid value for '--format'"),
        (
            "--date",
            "0001-01-05",
            "Invalid value for --date: 0001-01-05 is outside the years 1900 to 2200",
        ),
        (
            "--subject",
            "medtop:" + "1" * 60 + "=x",
            "is not QCODE=Label, e.g. medtop:14000000=society (a QCode of at most "
            "64 characters)",
        ),
        ("--subject", "medtop:1=\t", "is not QCODE=Label"),
        (
            "--language",
            "en-" + "-".join(["abcdefgh"] * 4),
            "is not a BCP 47 language tag such as en or pt-BR (at most 35 characters)",
        ),
        ("--language", "en\n", "is not a BCP 47 language tag"),
    ],
)
def test_ingest_usage_errors(run, option: str, value: str, message: str) -> None:
    result = run("ingest", str(EXAMPLES), option, value)
    assert result.exit_code == 2
    assert message in result.stderr
    assert json.loads(run("articles", "list", "--json").stdout) == []


def test_list_with_filters(run, examples) -> None:
    result = run("articles", "list", "--language", "fr")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "ID",
        "V",
        "STATUS",
        "URG",
        "LANG",
        "CREATED",
        "EMBARGO",
        "DIST",
        "HELD",
        "HEADLINE",
    ]
    assert lines[1].split()[7:9] == ["syndicate", "-"]
    assert len(lines) == 2
    assert "au-senegal-des-transformatrices" in lines[1]
    rights = json.loads(
        run("articles", "list", "--subject", "medtop:09000000", "--json").stdout
    )
    assert len(rights) == 2
    searched = json.loads(
        run("articles", "list", "--search", "HEATWAVE", "--json").stdout
    )
    assert [v["guid"] for v in searched] == [SAHEL_ID]
    since = run("articles", "list", "--since", "2026-06-18", "--limit", "1", "--json")
    assert [v["language"] for v in json.loads(since.stdout)] == ["en"]  # Assam, June 19
    none = run("articles", "list", "--status", "canceled")
    assert none.stdout == "no articles match\n"
    naive = run("articles", "list", "--since", "2026-06-18T10:00")
    assert naive.exit_code == 2
    assert "'2026-06-18T10:00' has no time zone" in naive.stderr


def test_show(run, examples) -> None:
    result = run("articles", "show", SAHEL_ID)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:7] == [
        f"id:            {SAHEL_ID}",
        "version:       1 of 1",
        "status:        usable",
        "embargo:       none",
        "distribution:  syndicate",
        "held:          no",
        "headline:      Heatwave pushes Sahel farmers to plant by torchlight",
    ]
    assert "bylines:       Moussa Idrissa (reporter), Helen Park (editor)" in lines
    assert (
        "subjects:      medtop:06000000 (environment), medtop:17000000 (weather)"
        in lines
    )
    assert "Early warning" in result.stdout
    assert "<p>" not in result.stdout
    missing = run("articles", "show", "nope")
    assert (missing.exit_code, missing.stderr) == (
        3,
        "Error: no article with id 'nope'\n",
    )
    no_version = run("articles", "show", SAHEL_ID, "--version", "7")
    assert no_version.exit_code == 3
    assert no_version.stderr == f"Error: article '{SAHEL_ID}' has no version 7\n"
    both = run("articles", "show", SAHEL_ID, "--version", "1", "--history")
    assert both.exit_code == 2
    assert "--history and --version cannot be used together" in both.stderr


def test_kill_then_history(run, examples) -> None:
    result = run("articles", "kill", SAHEL_ID, "--reason", "Legal advice", "--no-push")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{SAHEL_ID}: version 1 → 2; status usable → canceled; note: Legal advice\n"
    )
    again = run("articles", "kill", SAHEL_ID, "--reason", "Other", "--no-push")
    assert again.exit_code == 3
    assert again.stderr == (
        f"Error: article '{SAHEL_ID}' is already killed (version 2: Legal advice); "
        "nothing stored\n"
    )
    history = run("articles", "show", SAHEL_ID, "--history").stdout.splitlines()
    assert history[0].split()[:4] == ["V", "CREATED", "STATUS", "EMBARGO"]
    assert [line.split()[2] for line in history[1:]] == ["usable", "canceled"]
    old = json.loads(
        run("articles", "show", SAHEL_ID, "--version", "1", "--json").stdout
    )
    assert (old["version"], old["status"]) == (1, "usable")
    unknown = run("articles", "kill", "nope", "--reason", "x")
    assert (unknown.exit_code, unknown.stderr) == (
        3,
        "Error: no article with id 'nope'\n",
    )
    no_reason = run("articles", "kill", SAHEL_ID)
    assert no_reason.exit_code == 2


def test_correct(run, examples, tmp_path: Path) -> None:
    fixed = tmp_path / "fixed.json"
    document = json.loads(
        (EXAMPLES / "sahel-heat-night-planting.json").read_text("utf-8")
    )
    document["body"] = (
        "<p>Farmers in western Niger have begun sowing millet after dark.</p>"
    )
    fixed.write_text(json.dumps(document), encoding="utf-8")
    result = run(
        "articles", "correct", SAHEL_ID, str(fixed), "--note", "Shortened", "--no-push"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{SAHEL_ID}: version 1 → 2; status usable; marked as a correction; "
        "note: Shortened\n"
    )
    as_json = json.loads(run("articles", "show", SAHEL_ID, "--json").stdout)
    assert as_json["is_correction"] is True
    missing = run("articles", "correct", "nope", str(fixed), "--note", "x")
    assert (missing.exit_code, missing.stderr) == (
        3,
        "Error: no article with id 'nope'\n",
    )
    bad = run("articles", "correct", SAHEL_ID, str(BAD / "empty.txt"), "--note", "x")
    assert bad.exit_code == 3
    assert bad.stderr == f"Error: {BAD / 'empty.txt'}: empty file: no story to ingest\n"


def test_embargo_and_lift(run, examples) -> None:
    held = run(
        "articles",
        "embargo",
        SAHEL_ID,
        "--until",
        "2099-01-01T08:00:00+02:00",
        "--no-push",
    )
    assert held.exit_code == 0, held.output
    assert held.stdout == (
        f"{SAHEL_ID}: version 1 → 2; status usable; "
        "embargo none → until 2099-01-01T06:00:00Z\n"
    )
    lifted = run("articles", "embargo", SAHEL_ID, "--lift", "--json", "--no-push")
    assert json.loads(lifted.stdout) == {
        "action": "lift",
        "guid": SAHEL_ID,
        "changed": True,
        "before": {
            "version": 2,
            "status": "usable",
            "embargo_until": "2099-01-01T06:00:00Z",
            "is_correction": False,
            "distribution": "syndicate",
            "hold_reason": "",
            "ed_note": "",
            "headline": "Heatwave pushes Sahel farmers to plant by torchlight",
        },
        "after": {
            "version": 3,
            "status": "usable",
            "embargo_until": None,
            "is_correction": False,
            "distribution": "syndicate",
            "hold_reason": "",
            "ed_note": "",
            "headline": "Heatwave pushes Sahel farmers to plant by torchlight",
        },
    }
    past = run("articles", "embargo", SAHEL_ID, "--until", "2020-01-01T00:00:00Z")
    assert past.exit_code == 3
    assert past.stderr.startswith(
        "Error: the embargo time 2020-01-01T00:00:00Z is not in the future"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--until", "2099-01-01T00:00:00Z", "--lift"],
            "--until and --lift cannot be used together",
        ),
        ([], "give --until TIME or --lift"),
        (["--until", "2099-01-01T00:00"], "'2099-01-01T00:00' has no time zone; add Z"),
        (["--until", "soon"], "'soon' is not an ISO 8601 time"),
    ],
)
def test_embargo_usage_errors(run, examples, args: list[str], message: str) -> None:
    result = run("articles", "embargo", SAHEL_ID, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert (
        len(json.loads(run("articles", "show", SAHEL_ID, "--history", "--json").stdout))
        == 1
    )


def test_ingest_as_a_subprocess_shows_no_traceback(config_file: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "syndication",
            "--config",
            str(config_file),
            "ingest",
            str(BAD / "not-utf8.txt"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: 1 of 1 file(s) could not be ingested; nothing was stored from them:\n"
        f"  {BAD / 'not-utf8.txt'}:3: not UTF-8 text: byte 0xe9 at offset 38 cannot be "
        "decoded; save the file as UTF-8\n"
    )
    assert "Traceback" not in result.stderr


def test_kill_publishes_the_affected_feeds_at_once(
    run, examples, tmp_path: Path
) -> None:
    """The fast lane: a kill republishes every feed that carried the story."""
    first = run("publish")
    assert first.exit_code == 0, first.output
    rss = tmp_path / "public" / "partner-b" / "rss.xml"
    assert b"torchlight" in rss.read_bytes().lower()
    result = run("articles", "kill", SAHEL_ID, "--reason", "Legal advice")
    assert result.exit_code == 0, result.output
    assert "partner-b-climate: ok" in result.stdout
    assert b"torchlight" not in rss.read_bytes().lower()
    atom = (tmp_path / "public" / "partner-b" / "atom.xml").read_bytes()
    assert b"at:deleted-entry" in atom
    assert b"Legal advice" in atom
