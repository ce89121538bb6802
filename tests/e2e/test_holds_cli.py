"""Holds and distribution from the command line: ingest holds a story carrying
another's credit or forbidding terms, `articles release` and `articles
distribution` decide, `articles list`/`show` say so, and feeds follow (in-process,
on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, write_config
from lxml import etree

from syndication.cli import cli

EXAMPLES = REPO / "examples" / "stories"
PREFIX = "urn:newsml:news.trust.org"
FLOODS_ID = f"{PREFIX}:20260620:floods-cut-off-the-valley"
SAHEL_ID = f"{PREFIX}:20260615:heatwave-pushes-sahel-farmers-to-plant-by-torchlight"
REUTERS = "Please credit Reuters."
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture
def site(tmp_path: Path, store_url: str) -> Path:
    return write_config(tmp_path, store_url=store_url)


@pytest.fixture
def run(site: Path):
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(site), *args])

    return invoke


def story(tmp_path: Path, name: str = "floods.json", **fields) -> Path:
    document = {
        "headline": "Floods cut off the valley",
        "body": "<p>Roads were closed.</p>",
        "first_created": "2026-06-20T08:00:00Z",
        **fields,
    }
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def rss_items(run, tmp_path: Path) -> dict[str, str]:
    """Headline → body of each item partner-c-all carries (built, no ledger)."""
    out = tmp_path / "out"
    # Built as of now: the editors' versions are created at the moment they act.
    built = run("build", "partner-c-all", "--out", str(out), "--format", "rss")
    assert built.exit_code == 0, built.output
    root = etree.parse(str(out / "partner-c" / "rss.xml")).getroot()
    return {
        item.findtext("title"): item.findtext(CONTENT) or ""
        for item in root.iter("item")
    }


def test_another_agencys_credit_holds_the_story_until_released(
    run, tmp_path: Path
) -> None:
    path = story(
        tmp_path,
        body=f'<p>Roads were closed.</p>\n<p class="credit">{REUTERS}</p>',
    )
    result = run("ingest", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}: new article {FLOODS_ID} (version 1); "
        f"held: foreign credit: {REUTERS}\n"
    )
    assert (
        f"{path}: foreign credit: {REUTERS}; the story is held from every feed until "
        f"an editor releases it (syndication articles release {FLOODS_ID})"
    ) in result.stderr
    assert "Floods cut off the valley" not in rss_items(run, tmp_path)

    listed = run("articles", "list").stdout.splitlines()
    assert listed[0].split()[7:9] == ["DIST", "HELD"]
    assert listed[1].split()[7:9] == ["syndicate", "yes"]
    (as_json,) = json.loads(run("articles", "list", "--json").stdout)
    assert as_json["hold_reason"] == f"foreign credit: {REUTERS}"
    shown = run("articles", "show", FLOODS_ID).stdout.splitlines()
    assert f"held:          yes: foreign credit: {REUTERS}" in shown

    released = run(
        "articles", "release", FLOODS_ID, "--note", "Licensed copy", "--no-push"
    )
    assert released.exit_code == 0, released.output
    assert released.stdout == (
        f"{FLOODS_ID}: version 1 → 2; status usable; held yes: foreign credit: "
        f"{REUTERS} → no; note: Licensed copy\n"
    )
    assert "Floods cut off the valley" in rss_items(run, tmp_path)
    assert "held:          no" in run("articles", "show", FLOODS_ID).stdout
    again = run("articles", "release", FLOODS_ID, "--no-push")
    assert (again.exit_code, again.stdout) == (
        0,
        f"{FLOODS_ID}: unchanged (version 2 is not held)\n",
    )
    # Re-ingesting the file does not take the release back.
    reingested = run("ingest", str(path))
    assert reingested.stdout == (
        f"{path}: unchanged {FLOODS_ID}: matches version 1, nothing stored "
        "(latest is version 2)\n"
    )
    history = run("articles", "show", FLOODS_ID, "--history").stdout.splitlines()
    assert history[0].split()[4:6] == ["DIST", "HELD"]
    assert [line.split()[5] for line in history[1:]] == ["yes", "-"]


def test_release_of_an_unknown_article(run) -> None:
    result = run("articles", "release", "nope")
    assert result.exit_code == 3
    assert result.stderr.endswith("Error: no article with id 'nope'\n")


def test_usage_terms_that_forbid_republication_hold_the_story(
    run, tmp_path: Path
) -> None:
    path = story(tmp_path, usage_terms="Not for publication: background only.")
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result.output
    (stored,) = json.loads(result.stdout)["stored"]
    assert stored["held"] == "usage terms forbid republication: Not for publication"
    assert "Floods cut off the valley" not in rss_items(run, tmp_path)


def test_the_agencys_own_credit_paragraph_is_carried_once(
    run, settings, tmp_path: Path
) -> None:
    line = settings.agency.credit_line
    path = story(
        tmp_path, body=f'<p>Roads were closed.</p>\n<p class="credit">{line}</p>'
    )
    result = run("ingest", str(path))
    assert result.exit_code == 0, result.output
    assert "held" not in result.stdout
    body = rss_items(run, tmp_path)["Floods cut off the valley"]
    assert body.count(line) == 1
    assert body.endswith(f'<p class="credit">{line}</p>')


def test_distribution_keeps_a_story_internal_or_syndicates_it(
    run, tmp_path: Path
) -> None:
    assert run("ingest", str(EXAMPLES), "--date", "2026-06-25").exit_code == 0
    headline = "Heatwave pushes Sahel farmers to plant by torchlight"
    internal = run("articles", "distribution", SAHEL_ID, "internal", "--no-push")
    assert internal.exit_code == 0, internal.output
    assert internal.stdout == (
        f"{SAHEL_ID}: version 1 → 2; status usable; distribution syndicate → internal\n"
    )
    assert headline not in rss_items(run, tmp_path)
    assert "distribution:  internal" in run("articles", "show", SAHEL_ID).stdout
    rows = run("articles", "list", "--search", "heatwave").stdout.splitlines()
    assert rows[1].split()[7:9] == ["internal", "-"]
    same = run("articles", "distribution", SAHEL_ID, "internal", "--json")
    assert json.loads(same.stdout)["changed"] is False
    # Re-ingesting the examples does not syndicate it again.
    again = run("ingest", str(EXAMPLES), "--date", "2026-06-25")
    assert again.stdout.count(": unchanged ") == 5
    back = run("articles", "distribution", SAHEL_ID, "syndicate", "--no-push")
    assert back.stdout == (
        f"{SAHEL_ID}: version 2 → 3; status usable; distribution internal → syndicate\n"
    )
    assert headline in rss_items(run, tmp_path)
    wrong = run("articles", "distribution", SAHEL_ID, "partners")
    assert wrong.exit_code == 2
    assert "Invalid value for '{syndicate|internal}'" in wrong.stderr


def test_json_ingest_takes_the_distribution(run, tmp_path: Path) -> None:
    path = story(tmp_path, distribution="internal")
    result = run("ingest", str(path))
    assert result.exit_code == 0, result.output
    (listed,) = json.loads(run("articles", "list", "--json").stdout)
    assert listed["distribution"] == "internal"
    assert "Floods cut off the valley" not in rss_items(run, tmp_path)


def test_release_publishes_the_affected_feeds_at_once(run, tmp_path: Path) -> None:
    path = story(tmp_path, body=f"<p>Roads were closed.</p>\n<p>{REUTERS}</p>")
    assert run("ingest", str(path)).exit_code == 0
    assert run("publish", "partner-c-all").exit_code == 0
    rss = tmp_path / "public" / "partner-c" / "rss.xml"
    assert b"Floods cut off" not in rss.read_bytes()
    released = run("articles", "release", FLOODS_ID)
    assert released.exit_code == 0, released.output
    assert "partner-c-all: ok" in released.stdout
    assert b"Floods cut off" in rss.read_bytes()


def test_new_content_keeps_the_editors_distribution_unless_the_file_states_one(
    run, tmp_path: Path
) -> None:
    first = story(tmp_path)
    assert run("ingest", str(first)).exit_code == 0
    run("articles", "distribution", FLOODS_ID, "internal", "--no-push")
    updated = story(tmp_path, "updated.json", body="<p>Roads reopened.</p>")
    result = run("ingest", str(updated))
    assert result.stdout == f"{updated}: new version 3 of {FLOODS_ID} (was 2)\n"
    assert (
        run("articles", "show", FLOODS_ID, "--json").stdout.count(
            '"distribution": "internal"'
        )
        == 1
    )
    fixed = story(tmp_path, "fixed.json", body="<p>Roads reopened at noon.</p>")
    corrected = run(
        "articles", "correct", FLOODS_ID, str(fixed), "--note", "Time", "--no-push"
    )
    assert corrected.exit_code == 0, corrected.output
    latest = json.loads(run("articles", "show", FLOODS_ID, "--json").stdout)
    assert (latest["version"], latest["distribution"]) == (4, "internal")
    stated = story(
        tmp_path, "stated.json", body="<p>All clear.</p>", distribution="syndicate"
    )
    assert run("ingest", str(stated)).exit_code == 0
    latest = json.loads(run("articles", "show", FLOODS_ID, "--json").stdout)
    assert (latest["version"], latest["distribution"]) == (5, "syndicate")
