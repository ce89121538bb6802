"""Every cross-site-scripting vector of tests/data/xss/vectors.json in every field
of a story, rendered in every format: no field a reader takes for HTML holds
active content when html5lib reads it as a browser would, every link is an
http(s) URL, the one-line fields read back as written, and every document
passes the gate (no story freezes its feed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from conftest import OFFICIAL_XSD, REPO
from html_oracle import active_in_html, active_in_markup, html_text
from lxml import etree

from syndication.articles.model import (
    Byline,
    Dateline,
    Image,
    Role,
    Subject,
    Version,
)
from syndication.render.registry import render_edition
from syndication.validate.gate import Gate

from .render_kit import LABOUR, edition_of, make_feed, story

CORPUS = json.loads((REPO / "tests/data/xss/vectors.json").read_text("utf-8"))
VECTORS = [v["vector"] for v in CORPUS["html"]] + [v["vector"] for v in CORPUS["url"]]
IMAGE = "https://news.example.org/images/photo.jpg"
NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "media": "http://search.yahoo.com/mrss/",
    "atom": "http://www.w3.org/2005/Atom",
    "g": "http://iptc.org/std/nar/2006-10-01/",
}

Field = Callable[[Version, str], Version]
FIELDS: dict[str, Field] = {
    "headline": lambda v, x: replace(v, headline=x),
    "summary": lambda v, x: replace(v, summary=x),
    "body": lambda v, x: replace(v, body=x),
    "caption": lambda v, x: replace(v, images=(Image(IMAGE, caption=x),)),
    "alt": lambda v, x: replace(v, images=(Image(IMAGE, "Caption", alt=x),)),
    "image credit": lambda v, x: replace(v, images=(Image(IMAGE, "C", credit=x),)),
    "image address": lambda v, x: replace(v, images=(Image(x, "Caption"),)),
    "byline": lambda v, x: replace(
        v, bylines=(Byline(x), Byline(x, Role.CONTRIBUTOR), Byline(x, Role.EDITOR))
    ),
    "slugline": lambda v, x: replace(v, slugline=x),
    "link": lambda v, x: replace(v, link=x),
    "dateline": lambda v, x: replace(v, dateline=Dateline(x, "June 17", x)),
    "keyword": lambda v, x: replace(v, keywords=(x,)),
    "subject name": lambda v, x: replace(
        v, subjects=(LABOUR, Subject("medtop:20000418", x))
    ),
    "correction note": lambda v, x: replace(
        v, version=2, is_correction=True, ed_note=x
    ),
    "copyright notice": lambda v, x: replace(v, copyright_notice=x),
    "usage terms": lambda v, x: replace(v, usage_terms=x),
}


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(REPO / "schemas", OFFICIAL_XSD if OFFICIAL_XSD.is_file() else None)


def words(text: str) -> str:
    return " ".join(text.split())


def is_web_link(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def active_fields(document: bytes, fmt: str) -> list[str]:
    """Active content in the fields a reader takes for HTML, and links that
    are not http(s), as html5lib and urllib judge them."""
    root = etree.fromstring(document)
    found: list[str] = []
    if fmt == "rss":
        html_fields = root.xpath(
            "channel/title | channel/description | channel/item/title"
            " | channel/item/description | channel/item/content:encoded"
            " | //media:description[@type = 'html']",
            namespaces=NS,
        )
        links = root.xpath(
            "channel/link/text() | channel/item/link/text() | //atom:link/@href"
            " | //media:content/@url",
            namespaces=NS,
        )
        markup = []
    elif fmt == "atom":
        html_fields = root.xpath("//*[@type = 'html']")
        markup = root.xpath("//*[@type = 'xhtml']/*")
        links = root.xpath("//atom:link/@href | //atom:uri/text()", namespaces=NS)
    else:
        html_fields = []
        markup = root.xpath("//g:inlineXML/*", namespaces=NS)
        links = []
    for element in html_fields:
        found += active_in_html(element.text or "")
    for element in markup:
        found += active_in_markup(element)
    found += [f"link {link!r}" for link in links if not is_web_link(str(link))]
    return found


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_vector_in_every_field_is_inert_and_passes(
    field: str, feed, agency, gate: Gate
) -> None:
    versions = [
        FIELDS[field](story(f"x{n}", subjects=(LABOUR,)), vector)
        for n, vector in enumerate(VECTORS)
    ]
    edition = edition_of(make_feed(), agency, versions)
    documents = render_edition(edition, ["rss", "atom", "newsml"])
    for document in documents:
        if document.is_index:
            assert active_fields(document.body, document.format) == [], document.key
    report = gate.check(documents, edition)
    assert report.ok, [str(p) for p in report.problems[:10]]


def test_markup_in_a_headline_or_summary_reads_as_written(agency) -> None:
    """One-line fields are text: escaped, never stripped, in every format."""
    versions = [
        story(f"x{n}", headline=vector, summary=vector, slugline=vector)
        for n, vector in enumerate(VECTORS)
    ]
    edition = edition_of(make_feed(), agency, versions)
    documents = {d.key: d for d in render_edition(edition, ["rss", "atom", "newsml"])}
    rss = etree.fromstring(documents["rss.xml"].body)
    atom = etree.fromstring(documents["atom.xml"].body)
    newsml = etree.fromstring(documents["newsml.xml"].body)
    shown = {
        "rss title": [html_text(t) for t in rss.xpath("channel/item/title/text()")],
        "rss description": [
            html_text(t) for t in rss.xpath("channel/item/description/text()")
        ],
        "atom title": [
            words(t) for t in atom.xpath("atom:entry/atom:title/text()", namespaces=NS)
        ],
        "atom summary": [
            words(t)
            for t in atom.xpath("atom:entry/atom:summary/text()", namespaces=NS)
        ],
        "newsml headline": [
            words(t) for t in newsml.xpath("//g:headline/text()", namespaces=NS)
        ],
        "newsml description": [
            words(t) for t in newsml.xpath("//g:description/text()", namespaces=NS)
        ],
        "newsml slugline": [
            words(t) for t in newsml.xpath("//g:slugline/text()", namespaces=NS)
        ],
    }
    expected = [words(v) for v in VECTORS]
    for where, texts in shown.items():
        assert texts == expected, where


def test_the_corpus_is_active_content() -> None:
    """Each HTML vector is active content to html5lib (so the tests above test
    something), and the corpus is as large as the issue asks."""
    assert len(VECTORS) >= 120
    inert = [v["id"] for v in CORPUS["html"] if not active_in_html(v["vector"])]
    assert inert == []
    assert len({v["id"] for v in CORPUS["html"] + CORPUS["url"]}) == len(VECTORS)
