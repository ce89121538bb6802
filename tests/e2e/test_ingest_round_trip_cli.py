"""Round trip through the CLI: ingest the example stories and the sample wire
story, publish them to feeds that also carry ninjs (one with its own credit
line), then ingest every NewsML-G2 and ninjs document published back into the
same store: nothing is stored. Then after a correction, a kill and a story
that kept the agency's credit paragraph. And a batch with one bad NewsML-G2
file and one bad ninjs file: each is named with its line or property, exit 3,
the others stored."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, write_config

from syndication.cli import cli

EXAMPLES = REPO / "examples" / "stories"
PREFIX = "urn:newsml:news.trust.org"
SAHEL_ID = f"{PREFIX}:20260615:heatwave-pushes-sahel-farmers-to-plant-by-torchlight"
GULF_ID = (
    f"{PREFIX}:20260616:"
    "migrant-builders-lose-months-of-pay-as-subcontractors-vanish-report-says"
)


@pytest.fixture
def site(tmp_path: Path, store_url: str, sample_wire: Path):  # type: ignore[no-untyped-def]
    """The shipped feeds with ninjs added to each."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for definition in (REPO / "feeds").glob("*.toml"):
        text = definition.read_text("utf-8").replace(
            'formats = ["rss", "atom", "newsml"]',
            'formats = ["rss", "atom", "newsml", "ninjs"]',
        )
        (feeds / definition.name).write_text(text, encoding="utf-8")
    config = write_config(tmp_path, store_url=store_url, feeds_dir=feeds)

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(config), *args])

    stories = tmp_path / "stories"
    shutil.copytree(EXAMPLES, stories)
    shutil.copy(sample_wire, stories)
    ingested = run("ingest", str(stories), "--date", "2026-06-25")
    assert ingested.exit_code == 0, ingested.output
    return run, tmp_path / "public", stories


def published(public: Path) -> list[Path]:
    """Every NewsML-G2 and ninjs document published, but the ninjs indexes (a
    composite, which ingest refuses: it carries items, it is none)."""
    return sorted(
        p
        for p in public.rglob("*")
        if (
            p.is_file()
            and (p.suffix == ".xml" and p.name not in ("rss.xml", "atom.xml"))
        )
        or (p.suffix == ".json" and p.name != "ninjs.json")
    )


def ingest_back(run, public: Path) -> dict:  # type: ignore[no-untyped-def]
    paths = published(public)
    assert any(p.suffix == ".json" for p in paths)
    assert any(p.name == "newsml.xml" for p in paths)
    result = run("ingest", "--json", *map(str, paths))
    assert result.exit_code == 0, result.output
    report: dict = json.loads(result.stdout)
    assert report["problems"] == []
    return report


def test_our_published_documents_come_back_as_the_same_articles(site) -> None:
    run, public, _stories = site
    assert run("publish").exit_code == 0
    report = ingest_back(run, public)
    assert {s["action"] for s in report["stored"]} == {"unchanged"}
    assert {s["guid"] for s in report["stored"]} >= {SAHEL_ID, GULF_ID}
    assert {s["format"] for s in report["stored"]} == {"newsml", "ninjs"}
    listed = json.loads(run("articles", "list", "--json").stdout)
    assert {a["version"] for a in listed} == {1}


def test_corrections_kills_and_kept_credit_come_back_unchanged(site, tmp_path) -> None:
    run, public, stories = site
    # The first versions' documents as a partner kept them (publishing
    # withdraws them once superseded, and replays never carry replaced text).
    assert run("publish").exit_code == 0
    kept = tmp_path / "kept"
    kept.mkdir()
    # With the agency's own credit (partner-c's), not partner-b's variant.
    firsts = [p for p in public.glob("items/*/v1.*") if p.name in ("v1.xml", "v1.json")]
    for n, document in enumerate(sorted(firsts)):
        shutil.copy(document, kept / f"{n:02d}{document.suffix}")
    gulf = json.loads((stories / "gulf-wage-theft-report.json").read_text("utf-8"))
    gulf["body"] = gulf["body"].replace("three Gulf cities", "three Gulf states")
    # Keywords and a link, which ninjs cannot carry: the first version's
    # documents must come back as that version, not the latest.
    gulf["keywords"] = ["wage theft"]
    gulf["link"] = "https://news.example.org/gulf-wages"
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(gulf, ensure_ascii=False), encoding="utf-8")
    corrected = run(
        "articles", "correct", GULF_ID, str(fixed), "--note", "States", "--no-push"
    )
    assert corrected.exit_code == 0, corrected.output
    killed = run("articles", "kill", SAHEL_ID, "--reason", "Legal advice", "--no-push")
    assert killed.exit_code == 0, killed.output
    # A story whose body ends with the agency's own credit paragraph, which
    # ingest keeps and feeds replace with theirs.
    credited = tmp_path / "credited.json"
    shipped = tomllib.loads((REPO / "config" / "syndication.toml").read_text("utf-8"))
    credit_line = shipped["agency"]["credit_line"]
    credited.write_text(
        json.dumps(
            {
                "guid": "urn:test:credited",
                "headline": "Rains return to the Sahel",
                "body": f"<p>Rain fell.</p>\n<p>{credit_line}</p>",
                "first_created": "2026-06-21T08:00:00Z",
                "subjects": [{"qcode": "medtop:06000000", "name": "environment"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert run("ingest", str(credited)).exit_code == 0
    assert run("publish").exit_code == 0
    report = ingest_back(run, public)
    assert {s["action"] for s in report["stored"]} == {"unchanged"}
    matched = {(s["guid"], s["matches"]) for s in report["stored"]}
    assert {(GULF_ID, 2), (SAHEL_ID, 2), ("urn:test:credited", 1)} <= matched
    earlier = run("ingest", "--json", str(kept))
    assert earlier.exit_code == 0, earlier.output
    stored = json.loads(earlier.stdout)["stored"]
    assert {s["action"] for s in stored} == {"unchanged"}
    assert {(GULF_ID, 1), (SAHEL_ID, 1)} <= {(s["guid"], s["matches"]) for s in stored}


def test_a_kill_published_by_another_agency_kills_the_article(site, tmp_path) -> None:
    run, public, _stories = site
    assert run("publish").exit_code == 0
    (item,) = public.glob("items/*heatwave*/v1.xml")
    canceled = tmp_path / "canceled.xml"
    text = item.read_text("utf-8").replace("stat:usable", "stat:canceled")
    text = text.replace("</pubStatus>", "</pubStatus>")
    canceled.write_text(
        text.replace(
            '<pubStatus qcode="stat:canceled"/>',
            '<pubStatus qcode="stat:canceled"/>\n      <edNote>Withdrawn</edNote>',
        ),
        encoding="utf-8",
    )
    result = run("ingest", str(canceled))
    assert result.exit_code == 0, result.output
    killed = f"{canceled}: killed {SAHEL_ID} (version 2; was 1)\n"
    assert result.stdout.startswith(killed)
    assert f"pushed {SAHEL_ID} (version 2) to " in result.stdout
    # Withdrawn by the ingest's own push, not at the next publish.
    assert not list(public.glob("items/*heatwave*/v1.xml"))
    shown = json.loads(run("articles", "show", SAHEL_ID, "--json").stdout)
    assert (shown["status"], shown["ed_note"]) == ("canceled", "Withdrawn")


def test_one_bad_newsml_and_one_bad_ninjs_file_in_a_batch(site, tmp_path) -> None:
    run, public, _stories = site
    assert run("publish").exit_code == 0
    batch = tmp_path / "batch"
    batch.mkdir()
    # The agency's own credit (partner-c's): v1.json and v1.xml, no variant.
    good_json = next(public.glob("items/*heatwave*/v1.json"))
    good_xml = next(public.glob("items/*heatwave*/v1.xml"))
    shutil.copy(good_json, batch / "a-good.json")
    shutil.copy(good_xml, batch / "b-good.xml")
    text = good_xml.read_text("utf-8")
    (batch / "c-bad.xml").write_text(
        text.replace("<headline>", "<headline><broken>"), encoding="utf-8"
    )
    item = json.loads(good_json.read_text("utf-8"))
    item["versionCreated"] = "2026-06-15T07:30:00"
    (batch / "d-bad.json").write_text(json.dumps(item), encoding="utf-8")
    wire = REPO / "tests" / "data" / "ingest" / "newsml" / "news-message.xml"
    shutil.copy(wire, batch / "e-message.xml")
    result = run("ingest", str(batch))
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        str(batch / "a-good.json"),
        str(batch / "b-good.xml"),
        str(batch / "e-message.xml"),
        str(batch / "e-message.xml"),
    ]
    headline_line = text[: text.index("<headline>")].count("\n") + 1
    assert "Error: 2 of 5 file(s) could not be ingested" in result.stderr
    assert (
        f"  {batch / 'c-bad.xml'}:{headline_line}: this looks like XML or HTML but "
        "is not well-formed XML (Opening and ending tag mismatch: broken"
    ) in result.stderr
    assert (
        f"  {batch / 'd-bad.json'} [versionCreated]: naive time "
        "'2026-06-15T07:30:00' has no time zone; add Z or an offset such as +02:00"
    ) in result.stderr
    assert "Traceback" not in result.output
