"""``syndication push`` and the articles commands' fast lane, as subprocesses,
without a scheduler running (test_scheduler.py pushes while one runs)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_scheduler import CLIMATE, HEALTH, Site, add, make_site, story, write_feed

from syndication.locks import feed_lock


@pytest.fixture
def site(tmp_path: Path) -> Site:
    made = make_site(tmp_path)
    write_feed(made, "health")
    write_feed(made, "climate", subject="medtop:06000000")
    return made


def test_push_publishes_the_affected_feeds_and_prints_urls(site: Site):
    add(site, story("urn:test:p1"))
    result = site.run("push", "urn:test:p1")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("health: ok, ")
    urls = [line.strip() for line in lines[1:-1]]
    assert any(url.endswith("health/rss.xml") for url in urls)
    assert any(url.endswith("health/atom.xml") for url in urls)
    assert lines[-1].startswith("pushed urn:test:p1 (version 1) to 1 feed in ")
    assert lines[-1].endswith(" s")
    assert [r.trigger for r in site.runs("health")] == ["push"]
    assert site.runs("climate") == []
    assert "urn:test:p1" in site.document("health", "rss.xml")


def test_push_json_and_a_story_in_several_feeds(site: Site):
    add(site, story("urn:test:p2", subjects=(HEALTH, CLIMATE)))
    result = site.run("push", "urn:test:p2", "--json")
    report = json.loads(result.stdout)
    assert report["guid"] == "urn:test:p2"
    assert [f["feed"] for f in report["feeds"]] == ["climate", "health"]
    assert all(f["outcome"] == "ok" and f["urls"] for f in report["feeds"])
    again = json.loads(site.run("push", "urn:test:p2", "--json").stdout)
    assert all(f["written"] == 0 for f in again["feeds"])  # nothing changed since


def test_push_refreshes_the_face_once_after_all_its_feeds(
    site: Site, monkeypatch: pytest.MonkeyPatch
):
    """Two feeds pushed side by side: the destination's face is built once,
    after both (not once a feed), and lists both."""
    from syndication.config import load_settings
    from syndication.face import publish as face_publish
    from syndication.fastlane import push_article

    built: list[str] = []
    real = face_publish.refresh_face

    def counted(target: Any, *args: Any) -> Any:
        built.append(target.destination.name)
        return real(target, *args)

    monkeypatch.setattr(face_publish, "refresh_face", counted)
    add(site, story("urn:test:face", subjects=(HEALTH, CLIMATE)))
    store = site.store()
    try:
        report = push_article(load_settings(site.config), store, "urn:test:face")
    finally:
        store.close()
    assert [(f.feed_id, f.outcome) for f in report.feeds] == [
        ("climate", "ok"),
        ("health", "ok"),
    ]
    assert built == ["local"]
    page = (site.public / "index.html").read_text("utf-8")
    assert "health/rss.xml" in page and "climate/rss.xml" in page


@pytest.mark.slow
def test_push_publishes_its_feeds_side_by_side(site: Site):
    """A feed held by another publisher does not hold up the push's other feeds:
    while 'climate' (first in order) is locked, 'health' is published; with
    --wait the push then finishes 'climate' once the lock is free."""
    add(site, story("urn:test:side", subjects=(HEALTH, CLIMATE)))
    store = site.store()
    try:
        with feed_lock(store, "climate"):
            push = subprocess.Popen(
                [sys.executable, "-m", "syndication", "--config", str(site.config),
                 "push", "urn:test:side", "--wait", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and [
                r.outcome for r in site.runs("health")
            ] != ["published"]:
                assert push.poll() is None, push.communicate()
                time.sleep(0.1)
            assert [r.outcome for r in site.runs("health")] == ["published"]
            assert site.runs("climate") == []
            time.sleep(6)  # past the lock timeout (5 s): --wait keeps trying
        out, err = push.communicate(timeout=60)
    finally:
        store.close()
    assert push.returncode == 0, err
    report = json.loads(out)
    assert [(f["feed"], f["outcome"]) for f in report["feeds"]] == [
        ("climate", "ok"),
        ("health", "ok"),
    ]
    assert "urn:test:side" in site.document("climate", "rss.xml")


def test_push_with_urgency_stores_a_new_version_first(site: Site):
    (site.feeds / "flash.toml").write_text(
        'id = "flash"\npartner = "P"\ntitle = "Flash"\ndescription = "D"\n'
        'link = "https://partner.example/flash"\n[selection]\nmax_urgency = 1\n',
        encoding="utf-8",
    )
    add(site, story("urn:test:p3"))
    result = site.run("push", "urn:test:p3", "--urgency", "1", "--json")
    report = json.loads(result.stdout)
    assert (report["version"], report["urgency_changed"]) == (2, True)
    assert [f["feed"] for f in report["feeds"]] == ["flash", "health"]
    assert site.store().get("urn:test:p3").urgency == 1


def test_push_errors(site: Site):
    missing = site.run("push", "urn:test:nope", check=False)
    assert missing.returncode == 3
    assert missing.stderr.endswith("Error: no article with id 'urn:test:nope'\n")
    bad = site.run("push", "urn:test:nope", "--urgency", "0", check=False)
    assert bad.returncode == 2
    assert "Invalid value for '--urgency': 0 is not in the range 1<=x<=9." in bad.stderr


def test_push_of_a_story_in_no_feed(site: Site):
    add(site, story("urn:test:p4", subject=CLIMATE, language="fr"))
    (site.feeds / "climate.toml").unlink()
    result = site.run("push", "urn:test:p4")
    assert result.stdout.startswith("pushed urn:test:p4 (version 1) to 0 feeds in ")
    assert site.runs("health") == []


def test_correct_and_lift_push_by_default_and_no_push_defers(
    site: Site, tmp_path: Path
):
    add(site, story("urn:test:p5"))
    fixed = tmp_path / "fixed.json"
    fixed.write_text(
        json.dumps(
            {
                "headline": "Test story p5, corrected",
                "body": "<p>The corrected paragraph.</p>",
                "language": "en",
                "subjects": [{"qcode": "medtop:07000000", "name": "health"}],
                "first_created": "2026-11-01T08:00:00Z",
            }
        ),
        encoding="utf-8",
    )
    deferred = site.run(
        "articles", "correct", "urn:test:p5", str(fixed), "--note", "Fixes", "--no-push"
    )
    assert "health: ok" not in deferred.stdout
    assert site.runs("health") == []
    fixed.write_text(fixed.read_text().replace("corrected", "corrected again"))
    pushed = site.run(
        "articles", "correct", "urn:test:p5", str(fixed), "--note", "Again"
    )
    assert "health: ok" in pushed.stdout
    assert "corrected again" in site.document("health", "rss.xml")

    release = datetime.now(UTC) + timedelta(hours=2)
    add(site, story("urn:test:p6", embargo_until=release))
    site.run("push", "urn:test:p5")  # publishes health without the embargoed story
    assert "urn:test:p6" not in site.document("health", "rss.xml")
    lifted = site.run("articles", "embargo", "urn:test:p6", "--lift")
    assert "health: ok" in lifted.stdout
    assert "urn:test:p6" in site.document("health", "rss.xml")
