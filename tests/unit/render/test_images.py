"""A story's images in every format: each carries its address, caption, credit
and alt text (RSS and Atom as Media RSS, NewsML-G2 as figures opening the XHTML
body), and the gate passes them."""

from __future__ import annotations

import html

import feedparser
import pytest
from conftest import OFFICIAL_XSD, REPO
from lxml import etree

from syndication.articles.model import Image
from syndication.render.registry import render_edition
from syndication.validate.gate import Gate

from .render_kit import edition_of, make_feed, story

MEDIA = {"media": "http://search.yahoo.com/mrss/"}
ATOM = "http://www.w3.org/2005/Atom"
G2 = "http://iptc.org/std/nar/2006-10-01/"
XHTML = {"h": "http://www.w3.org/1999/xhtml"}
IMAGES = (
    Image(
        "https://news.example.org/images/doha-queue.jpg",
        "Workers queue for pay in Doha <3 & more",
        "Thomson Reuters Foundation/Jane Doe",
        "Men in work clothes wait in a long line outside a site office.",
    ),
    Image(
        "https://news.example.org/images/doha-dorm.png?w=800",
        "A dormitory shared by twelve workers",
        "Thomson Reuters Foundation/Sam Lee",
        "Bunk beds three high fill a narrow room.",
    ),
)


@pytest.fixture
def documents(agency):
    version = story("pictures", images=IMAGES)
    edition = edition_of(make_feed(), agency, [version])
    rendered = {d.key: d for d in render_edition(edition, ["rss", "atom", "newsml"])}
    return edition, rendered


def media_images(item: etree._Element) -> list[dict[str, str]]:
    """href, type, caption, alt and credit of each media:content, as a reader
    shows them (caption and alt text are escaped HTML)."""
    found = []
    for content in item.findall("media:content", MEDIA):
        description = content.find("media:description", MEDIA)
        text = content.find("media:text", MEDIA)
        credit = content.find("media:credit", MEDIA)
        assert description.get("type") == text.get("type") == "html"
        assert (credit.get("role"), credit.get("scheme")) == ("photographer", "urn:ebu")
        found.append(
            {
                "href": content.get("url"),
                "type": content.get("type"),
                "caption": html.unescape(description.text),
                "alt": html.unescape(text.text),
                "credit": credit.text,
            }
        )
    return found


EXPECTED = [
    {
        "href": image.href,
        "type": kind,
        "caption": image.caption,
        "alt": image.alt,
        "credit": image.credit,
    }
    for image, kind in zip(IMAGES, ("image/jpeg", "image/png"), strict=True)
]


def test_rss_carries_every_image_with_caption_credit_and_alt(documents):
    _, rendered = documents
    root = etree.fromstring(rendered["rss.xml"].body)
    [item] = root.iter("item")
    assert media_images(item) == EXPECTED
    parsed = feedparser.parse(rendered["rss.xml"].body)
    assert [m["url"] for m in parsed.entries[0].media_content] == [
        i.href for i in IMAGES
    ]


def test_atom_carries_every_image_as_media_rss(documents):
    _, rendered = documents
    root = etree.fromstring(rendered["atom.xml"].body)
    [entry] = root.iter(f"{{{ATOM}}}entry")
    assert media_images(entry) == EXPECTED
    # Readers find them where they find them in RSS; the summary stays the
    # standfirst (feedparser's summary_detail takes the last caption).
    parsed = feedparser.parse(rendered["atom.xml"].body)
    assert not parsed.bozo, parsed.bozo_exception
    [parsed_entry] = parsed.entries
    assert [m["url"] for m in parsed_entry.media_content] == [i.href for i in IMAGES]
    assert [c["content"] for c in parsed_entry.media_credit] == [
        i.credit for i in IMAGES
    ]
    assert parsed_entry.summary == "Standfirst of pictures."


def test_newsml_opens_the_body_with_a_figure_per_image(documents, agency):
    _, rendered = documents
    for key, document in rendered.items():
        if document.format != "newsml":
            continue
        root = etree.fromstring(document.body)
        [body] = root.iter(f"{{{XHTML['h']}}}body")
        figures = body.findall("h:figure", XHTML)
        assert [
            {
                "href": f.find("h:img", XHTML).get("src"),
                "alt": f.find("h:img", XHTML).get("alt"),
                "caption": f.findtext(
                    "h:figcaption/h:span[@class='caption']", "", XHTML
                ),
                "credit": f.findtext(
                    "h:figcaption/h:span[@class='image-credit']", "", XHTML
                ),
            }
            for f in figures
        ] == [
            {"href": i.href, "alt": i.alt, "caption": i.caption, "credit": i.credit}
            for i in IMAGES
        ], key
        # The figures come first; the credit paragraph still ends the body.
        children = list(body)
        assert children[: len(IMAGES)] == figures
        assert children[-1].get("class") == "credit"
        assert children[-1].text == agency.credit_line


def test_the_gate_passes_them(documents):
    edition, rendered = documents
    official = OFFICIAL_XSD if OFFICIAL_XSD.is_file() else None
    report = Gate(REPO / "schemas", official).check(list(rendered.values()), edition)
    assert report.ok, [str(p) for p in report.problems]


def test_an_image_without_text_is_an_address_with_an_empty_alt(agency):
    bare = Image("https://news.example.org/images/bare.jpg")
    hostile = Image("javascript:alert(1)", "Never shown", "Nobody", "Nothing")
    version = story("bare", images=(hostile, bare))
    edition = edition_of(make_feed(), agency, [version])
    rendered = {d.key: d for d in render_edition(edition, ["rss", "atom", "newsml"])}
    for key in ("rss.xml", "atom.xml"):
        root = etree.fromstring(rendered[key].body)
        [content] = root.iterfind(".//media:content", MEDIA)
        assert content.get("url") == bare.href
        assert len(content) == 0, key  # no empty caption, alt text or credit
    newsml = next(d for d in rendered.values() if not d.is_index)
    [figure] = etree.fromstring(newsml.body).iterfind(".//h:figure", XHTML)
    assert [(c.tag.split("}")[1], dict(c.attrib)) for c in figure] == [
        ("img", {"src": bare.href, "alt": ""})
    ]
    for document in rendered.values():
        assert b"javascript" not in document.body
    assert Gate(REPO / "schemas").check(list(rendered.values()), edition).ok


def test_a_picture_without_alt_attribute_is_refused(agency):
    version = story("pictures", images=IMAGES[:1])
    edition = edition_of(make_feed(), agency, [version])
    [item] = [d for d in render_edition(edition, ["newsml"]) if not d.is_index]
    broken = item.body.replace(f' alt="{IMAGES[0].alt}"'.encode(), b"")
    assert broken != item.body
    report = Gate(REPO / "schemas").check_file(broken, name="item.xml")
    assert [p.rule for p in report.problems] == ["image-alt"]
