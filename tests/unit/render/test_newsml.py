"""NewsML-G2 2.35: every document validates against IPTC's official XSD."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from syndication.destinations.base import encode_segment
from syndication.render.newsml import NewsmlRenderer

from .render_kit import edition_of

G2 = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
NS = {"g": G2, "h": XHTML}


@pytest.fixture(scope="module")
def schema(official_xsd):
    # From a file path, so xml.xsd resolves beside it (no network).
    return etree.XMLSchema(etree.parse(str(official_xsd)))


def documents_by_key(edition):
    return {d.key: d for d in NewsmlRenderer().render(edition)}


def test_every_document_validates_against_the_official_xsd(edition, schema):
    documents = NewsmlRenderer().render(edition)
    assert len(documents) == 4
    for document in documents:
        root = etree.fromstring(document.body)
        assert schema.validate(root), (document.key, schema.error_log)


def test_keys_content_types_and_order(edition, versions):
    documents = NewsmlRenderer().render(edition)
    keys = [d.key for d in documents]
    gulf, sahel, killed = versions["gulf"], versions["sahel"], versions["killed"]
    assert keys == [
        f"items/{encode_segment(gulf.guid)}/v2.xml",
        f"items/{encode_segment(sahel.guid)}/v1.xml",
        f"items/{encode_segment(killed.guid)}/v2.xml",
        "newsml.xml",
    ]
    assert keys[0] == "items/urn~3Anewsml~3Anews.trust.org~3A20260617~3Agulf/v2.xml"
    items, message = documents[:-1], documents[-1]
    assert all(not d.is_index for d in items)
    assert {d.content_type for d in items} == {
        "application/vnd.iptc.g2.newsitem+xml; charset=utf-8"
    }
    assert message.is_index
    assert message.content_type == (
        "application/vnd.iptc.g2.newsmessage+xml; charset=utf-8"
    )


def test_item_metadata(edition, versions, agency):
    gulf = versions["gulf"]
    document = documents_by_key(edition)[f"items/{encode_segment(gulf.guid)}/v2.xml"]
    item = etree.fromstring(document.body)
    assert item.get("guid") == gulf.guid and item.get("version") == "2"
    assert item.get("conformance") == "power"
    assert item.get("standardversion") == "2.35"
    assert item.xpath(
        "string(g:rightsInfo/g:copyrightHolder/g:name)", namespaces=NS
    ) == (agency.copyright_holder)
    assert item.xpath("string(g:rightsInfo/g:copyrightNotice)", namespaces=NS) == (
        agency.copyright_notice
    )
    assert item.xpath("string(g:rightsInfo/g:usageTerms)", namespaces=NS) == (
        agency.usage_terms
    )
    meta = item.find("g:itemMeta", NS)
    assert meta.find("g:itemClass", NS).get("qcode") == "ninat:text"
    assert meta.findtext("g:versionCreated", namespaces=NS) == "2026-06-17T11:30:00Z"
    assert meta.findtext("g:firstCreated", namespaces=NS) == "2026-06-17T08:00:00Z"
    assert meta.findtext("g:embargoed", namespaces=NS) == "2026-06-17T09:00:00Z"
    assert meta.find("g:pubStatus", NS).get("qcode") == "stat:usable"
    assert meta.find("g:signal", NS).get("qcode") == "sig:correction"
    assert meta.findtext("g:edNote", namespaces=NS).startswith("Corrects the number")
    content = item.find("g:contentMeta", NS)
    assert content.findtext("g:urgency", namespaces=NS) == "3"
    assert content.findtext("g:creditline", namespaces=NS) == agency.credit_line
    assert content.findtext("g:by", namespaces=NS) == "By Priya Raman"
    assert content.findtext("g:located/g:name", namespaces=NS) == "LONDON"
    assert [
        (s.get("qcode"), s.findtext("g:name", namespaces=NS))
        for s in content.findall("g:subject", NS)
    ] == [("medtop:09000000", "labour")]
    assert [
        (c.get("role"), c.findtext("g:name", namespaces=NS))
        for c in content.findall("g:contributor", NS)
    ] == [("crol:contributor", "Daniel Osei"), ("crol:editor", "Helen Park")]
    assert content.find("g:description", NS).get("role") == "drol:summary"


def test_body_is_one_xhtml_root_ending_with_the_credit(edition, agency):
    message = etree.fromstring(documents_by_key(edition)["newsml.xml"].body)
    for inline in message.iterfind(".//g:inlineXML", NS):
        assert inline.get("contenttype") == "application/xhtml+xml"
        [html] = list(inline)
        assert html.tag == f"{{{XHTML}}}html"
        paragraphs = html.findall("h:body/h:p", NS)
        assert paragraphs[-1].get("class") == "credit"
        assert paragraphs[-1].text == agency.credit_line
        assert sum(agency.credit_line in (p.text or "") for p in paragraphs) == 1


def test_message_holds_current_items_and_the_canceled_one(edition, versions):
    message = etree.fromstring(documents_by_key(edition)["newsml.xml"].body)
    # sent is the newest version time in the message, never the build time
    assert message.findtext("g:header/g:sent", namespaces=NS) == "2026-06-17T12:00:00Z"
    assert message.findtext("g:header/g:transmitId", namespaces=NS) == (
        "partner-a:20260617T120000Z"
    )
    items = message.findall("g:itemSet/g:newsItem", NS)
    status = [
        (i.get("guid"), i.find("g:itemMeta/g:pubStatus", NS).get("qcode"))
        for i in items
    ]
    assert status == [
        (versions["gulf"].guid, "stat:usable"),
        (versions["sahel"].guid, "stat:usable"),
        (versions["killed"].guid, "stat:canceled"),
    ]
    killed = items[-1]
    assert killed.findtext("g:itemMeta/g:edNote", namespaces=NS) == (
        "Withdrawn: legal concerns"
    )
    assert killed.find("g:contentSet", NS) is None
    assert killed.find("g:contentMeta/g:headline", NS) is None
    assert killed.find("g:contentMeta/g:description", NS) is None


def test_the_xsd_check_is_strict_about_order(edition, schema):
    """Swapping two itemMeta children breaks validation: the test above would
    notice an ordering mistake."""
    document = NewsmlRenderer().render(edition)[0]
    root = etree.fromstring(document.body)
    broken = copy.deepcopy(root)
    meta = broken.find("g:itemMeta", NS)
    first, second = meta[0], meta[1]
    meta.remove(second)
    first.addprevious(second)
    assert schema.validate(root)
    assert not schema.validate(broken)


def test_an_empty_edition_sends_the_empty_feed_package(feed, agency, schema):
    """IPTC's XSD wants one item or more in an itemSet (a header alone, or an
    empty itemSet, is invalid), so a feed with nothing to carry sends itself as
    a package of no item: partners read an up-to-date, empty newsml.xml."""
    [document] = NewsmlRenderer().render(edition_of(feed, agency, []))
    assert (document.key, document.is_index) == ("newsml.xml", True)
    message = etree.fromstring(document.body)
    assert schema.validate(message), schema.error_log
    assert message.findtext("g:header/g:sent", namespaces=NS) == "2026-06-20T12:00:00Z"
    assert message.find("g:itemSet/g:newsItem", NS) is None
    [package] = message.findall("g:itemSet/g:packageItem", NS)
    assert package.get("guid") == "urn:newsml:news.trust.org:feed:partner-a"
    assert package.get("version") == "1"
    assert package.find("g:itemMeta/g:itemClass", NS).get("qcode") == (
        "ninat:composite"
    )
    assert package.findtext("g:itemMeta/g:title", namespaces=NS) == feed.title
    assert package.findtext("g:itemMeta/g:versionCreated", namespaces=NS) == (
        "2026-06-20T12:00:00Z"
    )
    assert package.xpath("string(g:rightsInfo/g:copyrightNotice)", namespaces=NS) == (
        agency.copyright_notice
    )
    [group] = package.findall("g:groupSet/g:group", NS)
    assert package.find("g:groupSet", NS).get("root") == group.get("id")
    assert len(group) == 0


def test_schema_wants_an_item_in_every_item_set(feed, agency, schema):
    """Why the package: without it the message is invalid."""
    [document] = NewsmlRenderer().render(edition_of(feed, agency, []))
    message = etree.fromstring(document.body)
    item_set = message.find("g:itemSet", NS)
    item_set.remove(item_set[0])
    assert not schema.validate(message)
    message.remove(item_set)
    assert not schema.validate(message)


def test_the_assembled_message_is_the_serialized_tree(edition):
    """The message is assembled from each item's remembered bytes; it must be
    byte for byte the whole tree serialized, for this edition, for one whose
    items appear in another order and company, and for one with a kill only."""
    from dataclasses import replace

    from syndication.render.newsml import _serialize, message_document, news_message

    variants = [
        edition,
        replace(edition, items=tuple(reversed(edition.items))),
        replace(edition, items=edition.items[:1]),
        replace(edition, items=()),
        replace(edition, items=(), canceled=()),
    ]
    for variant in variants:
        assert message_document(variant) == _serialize(news_message(variant))


def test_line_breaks_in_one_line_fields_stay_valid(feed, agency, schema):
    """Names, keywords, sluglines and the like are g2normalizedString in IPTC's
    schema (no tab or line break): a story whose fields hold them is written
    with spaces instead, not refused."""
    from syndication.articles.model import Byline, Dateline, Subject

    from .render_kit import story

    broken = "Line\tone\nline\r\ntwo"
    version = story(
        "breaks",
        headline=broken,
        summary=broken,
        slugline=broken,
        keywords=(broken,),
        bylines=(Byline(broken),),
        dateline=Dateline(broken, "June 17", broken),
        subjects=(Subject("medtop:09000000", broken),),
    )
    for document in NewsmlRenderer().render(edition_of(feed, agency, [version])):
        root = etree.fromstring(document.body)
        assert schema.validate(root), (document.key, schema.error_log)
    item = etree.fromstring(
        NewsmlRenderer().render(edition_of(feed, agency, [version]))[0].body
    )
    assert item.findtext("g:contentMeta/g:creator/g:name", namespaces=NS) == (
        "Line one line two"
    )
