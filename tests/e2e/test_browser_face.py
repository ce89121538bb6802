"""The browser face in a real browser: Chromium (the system's, /usr/bin/chromium,
driven by Playwright) opens a destination's index.html, rss.xml and atom.xml
served over HTTP on 127.0.0.1 with the content types the S3 destination sends,
and must show the headlines and the credit line, while no script from a story
runs: every XSS vector of tests/data/xss is in the stories' headlines,
standfirsts and bodies and in a feed's title, and the test fails on any dialog
or on the flag the payloads set.

An acceptance test: it fails (never skips) when Chromium or Playwright is
missing. Screenshots are written to test-output/browser-face/ (ignored by git;
``SYNDICATION_TEST_OUTPUT`` chooses another folder) and their paths printed.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import REPO, write_config

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.render.stylesheet import BROWSABLE_TYPE, CONTENT_TYPE
from syndication.store import open_store

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
# No first-run work and no background traffic: the network is closed here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=6)
FLAG = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
VECTORS = [
    v["vector"]
    for v in json.loads((REPO / "tests/data/xss/vectors.json").read_text("utf-8"))[
        "html"
    ]
]
FEED = """id = "alpha"
partner = "Partner Alpha"
title = "Alpha wire {flag}"
description = "Every story, newest first"
link = "https://alpha.example/"
"""
# What the S3 destination sends (with [publish] browsable_feeds on, the default).
TYPES = {
    ".xml": BROWSABLE_TYPE,
    ".xsl": CONTENT_TYPE,
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
}


def headline(n: int) -> str:
    return f"Story {n}: floods cut roads {FLAG}" if n == 0 else f"Story {n} {FLAG}"


def stories() -> list[Version]:
    """Seven stories; the vectors spread over their standfirsts and bodies."""
    chunks = [VECTORS[n::7] for n in range(7)]
    return [
        Version(
            guid=f"urn:test:browser-{n}",
            headline=headline(n),
            summary=f"Standfirst {n}. " + " ".join(chunk),
            body="".join(f"<p>{vector}</p>" for vector in chunk)
            + f"<p>Body of story {n}.</p>",
            version_created=T0 + timedelta(minutes=n),
            first_created=T0 + timedelta(minutes=n),
            subjects=(Subject("medtop:06000000", "environment"),),
        )
        for n, chunk in enumerate(chunks)
    ]


def output_folder() -> Path:
    folder = Path(os.environ.get("SYNDICATION_TEST_OUTPUT") or REPO / "test-output") / (
        "browser-face"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    flag = FLAG.replace('"', '\\"')
    (feeds / "alpha.toml").write_text(FEED.format(flag=flag), encoding="utf-8")
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds))
    store = open_store(settings.store_url)
    for version in stories():
        store.append(version)
    publisher = Publisher(settings, store)
    try:
        summary = publisher.publish_all(list(load_feeds(feeds).feeds.values()), at=AT)
        assert summary.exit_code == 0, summary.results
        assert [f.written for f in summary.faces] == [("feeds.opml", "index.html")]
    finally:
        publisher.close()
        store.close()
    yield tmp_path / "public", settings.agency.credit_line


@pytest.fixture
def server(published: tuple[Path, str]) -> Iterator[str]:
    folder, _ = published

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {
            **TYPES,
            "": "application/octet-stream",
        }

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser test needs Debian's chromium "
            "(apt-get install -y chromium; .ci/run installs it)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -e '.[test]'")
    profile = tempfile.mkdtemp(prefix="chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def open_page(browser, url: str, ready: str):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_selector(ready, state="visible", timeout=15_000)
    page.wait_for_timeout(500)  # let any stray onerror run before judging
    return page, dialogs


def assert_nothing_ran(page, dialogs: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("img").count() == 0  # not one vector became an element


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = output_folder() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")  # noqa: T201
    body = path.read_bytes()
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(body[16:20], "big")
    height = int.from_bytes(body[20:24], "big")
    # The viewport's width: long words (vectors) wrap instead of widening it.
    assert width == 1100 and height >= 900, (width, height)
    assert len(body) > 20_000, len(body)  # a page, not a blank
    return path


@pytest.mark.parametrize("key", ["rss.xml", "atom.xml"])
def test_a_feed_opened_in_a_browser_is_a_page_with_headlines_and_credit(
    browser, server, published, key
):
    _, credit = published
    page, dialogs = open_page(browser, f"{server}/alpha/{key}", "#feed-title")
    assert page.evaluate("document.contentType") == "text/html"  # transformed
    assert page.locator("#feed-title").inner_text() == f"Alpha wire {FLAG}"
    headlines = page.locator("h2.headline").all_inner_texts()
    assert headlines == [headline(n) for n in reversed(range(7))]
    assert page.locator("h2.headline a").first.get_attribute("href") == (
        "https://news.trust.org/item/urn:test:browser-6"
    )
    credits = page.locator("p.credit")
    assert credits.count() == 7
    assert credits.first.is_visible()
    assert credits.first.inner_text() == f"Credit: {credit}"
    summary = page.locator("p.summary").first.inner_text()
    assert summary.startswith("Standfirst 6. ") and "<script" in summary.lower()
    # A body is shown as its HTML source, as text.
    page.locator("details.body summary").first.click()
    source = page.locator("details.body pre").first.inner_text()
    assert source.startswith("<p>")
    assert source.endswith(f'<p class="credit">{credit}</p>')
    assert_nothing_ran(page, dialogs)
    screenshot(page, key.replace(".", "-"))


def test_the_destination_page_lists_the_feed_and_its_addresses(
    browser, server, published
):
    page, dialogs = open_page(browser, f"{server}/index.html", "#feeds")
    assert page.locator("tr#feed-alpha .feed-title").inner_text() == (
        f"Alpha wire {FLAG}"
    )
    links = page.locator("tr#feed-alpha li a")
    assert links.all_inner_texts() == ["RSS 2.0", "Atom 1.0", "IPTC NewsML-G2"]
    assert [links.nth(n).get_attribute("href") for n in range(3)] == [
        "alpha/rss.xml",
        "alpha/atom.xml",
        "alpha/newsml.xml",
    ]
    assert_nothing_ran(page, dialogs)
    screenshot(page, "index-html")
    # Following the RSS link gives the feed's page.
    links.first.click()
    page.wait_for_selector("#feed-title", state="visible", timeout=15_000)
    assert page.url == f"{server}/alpha/rss.xml"
    assert page.locator("h2.headline").count() == 7
    assert_nothing_ran(page, dialogs)
