"""The bounded caches (cachetools): each keeps its size, a hit returns what the
miss computed, and a dropped entry is computed again to the same answer.

Sizes are shrunk for the test (the constant before an object is made, or the
remembering function's cache swapped for a small one); the code paths are the
real ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from cachetools import LRUCache
from conftest import AT, REPO

from syndication.articles.model import Version
from syndication.config import load_settings
from syndication.credit import make_item
from syndication.feeds import load_feed
from syndication.render import assemble, rss
from syndication.render.base import Edition
from syndication.render.registry import render_edition
from syndication.render.stylesheet import with_instruction
from syndication.store import open_store, sql
from syndication.store.base import Selection
from syndication.validate import active, bodies, gate, ninjs_rules, rules

SMALL = 3


def story(n: int) -> Version:
    return Version(
        guid=f"urn:test:cache:{n}",
        headline=f"Story {n}",
        body=f"<p>Paragraph {n}.</p>",
        version_created=AT - timedelta(minutes=n),
        first_created=AT - timedelta(hours=1),
        language="en",
    )


def edition(versions: list[Version], formats: tuple[str, ...] = ("rss",)) -> Edition:
    feed = replace(load_feed(REPO / "feeds" / "partner-c-all.toml"), formats=formats)
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    items = tuple(make_item(v, feed, agency) for v in versions)
    return Edition(feed=feed, agency=agency, at=AT, items=items)


@pytest.mark.parametrize(
    ("module", "name", "size"),
    [
        (sql, "DECODED_CACHE_SIZE", 3072),
        (assemble, "FRAGMENT_CACHE_SIZE", 3072),
        (gate, "PASSED_CACHE_SIZE", 100_000),
        (bodies, "VERDICT_CACHE_SIZE", 100_000),
        (active, "VERDICT_CACHE_SIZE", 100_000),
        (rules, "CLASSES_CACHE_SIZE", 100_000),
        (ninjs_rules, "CLASSES_CACHE_SIZE", 100_000),
    ],
)
def test_the_sizes_are_kept(module: object, name: str, size: int) -> None:
    assert getattr(module, name) == size


@pytest.mark.parametrize(
    ("cache", "size"),
    [
        (bodies._VERDICTS, bodies.VERDICT_CACHE_SIZE),
        (active._VERDICTS, active.VERDICT_CACHE_SIZE),
        (rules._CLASSES, rules.CLASSES_CACHE_SIZE),
        (ninjs_rules._CLASSES, ninjs_rules.CLASSES_CACHE_SIZE),
    ],
)
def test_module_caches_are_bounded_lru_caches(cache: LRUCache, size: int) -> None:
    assert isinstance(cache, LRUCache)
    assert cache.maxsize == size


def test_the_store_keeps_at_most_its_size_of_decoded_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "DECODED_CACHE_SIZE", SMALL)
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        store.append_batch([story(n) for n in range(5)])
        first = store.select(Selection(), AT)
        assert len(first) == 5
        assert len(store._decoded) == SMALL
        again = store.select(Selection(), AT)
        assert again == first
        # The three most recently used are the ones kept, and are reused as is.
        kept = {ref: store._decoded[ref] for ref in list(store._decoded)}
        third = store.select(Selection(), AT)
        assert len(store._decoded) == SMALL
        for version in third:
            ref = (version.guid, version.version)
            if ref in kept:
                assert version is kept[ref]
    finally:
        store.close()


def test_the_assembler_keeps_at_most_its_size_of_item_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(assemble, "FRAGMENT_CACHE_SIZE", SMALL)
    renderer = assemble.Assembler(rss._render, b"    <item>", rss._insertion)
    whole = edition([story(n) for n in range(5)])
    for _ in range(2):
        assert with_instruction(renderer.render(whole)[0]) == rss.render_rss(whole)
        assert len(renderer._fragments) == SMALL
    part = edition([story(0), story(1)])
    assert with_instruction(renderer.render(part)[0]) == rss.render_rss(part)
    assert len(renderer._fragments) == SMALL


def test_the_gate_remembers_at_most_its_size_of_valid_items(
    monkeypatch: pytest.MonkeyPatch, ninjs_schema: Path
) -> None:
    monkeypatch.setattr(gate, "PASSED_CACHE_SIZE", SMALL)
    checker = gate.Gate(REPO / "schemas", None, ninjs_schema)
    ed = edition([story(n) for n in range(5)], formats=("ninjs",))
    documents = render_edition(ed)
    items = [d for d in documents if not d.is_index]
    assert len(items) == 5
    first = checker.check(documents, ed)
    assert first.ok, [str(p) for p in first.problems]
    assert len(checker._passed) == SMALL
    again = checker.check(documents, ed)
    assert (again.ok, again.checked) == (True, first.checked)
    assert len(checker._passed) == SMALL


HTML = '<p class="correction">Fixed.</p><p>Text {}.</p><p class="credit">C</p>'
Remembering = Callable[..., object]


@pytest.mark.parametrize(
    ("function", "call"),
    [
        (
            bodies._escaped_paragraph,
            lambda n: bodies._escaped_paragraph(HTML.format(n), "C"),
        ),
        (active._html_verdict, lambda n: active.html_findings(f"<b>{n}</b><script>")),
        (rules._parsed_classes, lambda n: rules.html_classes(HTML.format(n))),
        (ninjs_rules.body_classes, lambda n: ninjs_rules.body_classes(HTML.format(n))),
    ],
    ids=["credit-paragraph", "active-content", "html-classes", "ninjs-classes"],
)
def test_a_remembered_verdict_is_bounded_and_the_same_on_a_hit(
    monkeypatch: pytest.MonkeyPatch,
    function: Remembering,
    call: Callable[[int], object],
) -> None:
    small: LRUCache[object, object] = LRUCache(SMALL)
    monkeypatch.setattr(function, "cache", small)
    answers = [call(n) for n in range(5)]
    assert len(small) == SMALL
    # A hit is the very object the miss computed.
    assert call(4) is answers[4]
    # A dropped entry is computed again, to an equal verdict.
    assert call(0) == answers[0]
    assert len(small) == SMALL


def test_markup_verdicts_share_the_html_verdicts_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lxml import etree

    assert active._markup_verdict.cache is active._html_verdict.cache
    small: LRUCache[object, object] = LRUCache(SMALL)
    monkeypatch.setattr(active._markup_verdict, "cache", small)
    element = etree.fromstring(
        '<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></div>'
    )
    first = active.markup_findings(element)
    assert first and first[0][0] == "no-script"
    assert active.markup_findings(element) is first
    assert len(small) == 1
