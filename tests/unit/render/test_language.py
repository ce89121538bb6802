"""A feed whose items are in several languages says so: no feed-level language
an item contradicts, and each item's own where the format has a place for it
(RSS dc:language, Atom xml:lang, NewsML-G2 xml:lang and contentMeta/language)."""

from __future__ import annotations

import pytest
from lxml import etree

from syndication.render.atom import render_atom
from syndication.render.fields import feed_language
from syndication.render.newsml import news_message
from syndication.render.rss import render_rss
from syndication.store.base import Selection

from .render_kit import edition_of, make_feed, story

DC = "{http://purl.org/dc/elements/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
G2 = "{http://iptc.org/std/nar/2006-10-01/}"


def feed_selecting(*languages: str):  # type: ignore[no-untyped-def]
    return make_feed(selection=Selection(languages=languages))


@pytest.mark.parametrize(
    ("selected", "items", "expected"),
    [
        # Every item agrees with the first language selected: it is the feed's.
        (("en",), ["en", "en-GB", "EN-us"], "en"),
        # An item in another selected language contradicts it: none.
        (("en", "fr"), ["en", "fr"], ""),
        # The first selected language no item contradicts.
        (("fr", "en"), ["en-GB", "en"], "en"),
        # A narrower selection than an item's tag: en-GB does not hold en.
        (("en-GB",), ["en"], ""),
        # No selection: the tag all items share, else none.
        ((), ["fr", "FR"], "fr"),
        ((), ["fr", "en"], ""),
        # An empty feed states the one language it selects, and no guess.
        (("pt-BR",), [], "pt-BR"),
        (("en", "fr"), [], ""),
        ((), [], ""),
    ],
)
def test_feed_language_is_never_contradicted(agency, selected, items, expected):
    versions = [story(f"s{n}", language=tag) for n, tag in enumerate(items)]
    edition = edition_of(feed_selecting(*selected), agency, versions)
    assert feed_language(edition) == expected


@pytest.fixture
def bilingual(agency):
    versions = [story("en", language="en"), story("fr", language="fr")]
    return edition_of(feed_selecting("en", "fr"), agency, versions)


def test_rss_channel_has_no_language_and_each_item_its_own(bilingual):
    channel = etree.fromstring(render_rss(bilingual)).find("channel")
    assert channel.find("language") is None
    assert [item.findtext(f"{DC}language") for item in channel.iter("item")] == [
        "en",
        "fr",
    ]


def test_rss_channel_language_when_all_items_agree(agency):
    versions = [story("a", language="en-GB"), story("b", language="en")]
    edition = edition_of(feed_selecting("en"), agency, versions)
    channel = etree.fromstring(render_rss(edition)).find("channel")
    assert channel.findtext("language") == "en"
    assert [i.findtext(f"{DC}language") for i in channel.iter("item")] == [
        "en-GB",
        "en",
    ]


def test_atom_feed_has_no_lang_and_each_entry_its_own(bilingual):
    root = etree.fromstring(render_atom(bilingual))
    assert root.get(XML_LANG) is None
    assert [e.get(XML_LANG) for e in root.iter(f"{ATOM}entry")] == ["en", "fr"]


def test_newsml_items_state_their_own(bilingual):
    message = news_message(bilingual)
    items = list(message.iter(f"{G2}newsItem"))
    assert [i.get(XML_LANG) for i in items] == ["en", "fr"]
    assert [i.find(f"{G2}contentMeta/{G2}language").get("tag") for i in items] == [
        "en",
        "fr",
    ]


def test_empty_feed_package_states_a_language_only_when_sure(agency):
    one = news_message(edition_of(feed_selecting("fr"), agency, []))
    two = news_message(edition_of(feed_selecting("en", "fr"), agency, []))
    assert one.find(f"{G2}itemSet/{G2}packageItem").get(XML_LANG) == "fr"
    assert two.find(f"{G2}itemSet/{G2}packageItem").get(XML_LANG) is None
