"""NewsML-G2 2.35 renderer (lxml), power conformance.

One immutable ``newsItem`` per article version at
``items/{encoded guid}/v{version}.xml``, and per feed a ``newsMessage``
(``newsml.xml``) whose ``itemSet`` holds the current items and, with
``pubStatus stat:canceled``, the last version of each killed article. Element
order follows the XSD's sequences exactly (AnyItemType: catalogRef, rightsInfo,
itemMeta; ItemManagementGroup: itemClass, provider, versionCreated,
firstCreated, embargoed, pubStatus, edNote, signal; AdministrativeMetadataGroup:
urgency, contentCreated, contentModified, then located/creator/contributor;
DescriptiveMetadataGroup: language, keyword, subject, slugline, headline,
dateline, by, creditline, description). Text elements are text in NewsML-G2
(never HTML), so they are XML-escaped only. The body, cleaned by the ingest
allow-list (see :func:`syndication.render.fields.credited_clean_body`), is one
XHTML ``html`` root in ``inlineXML``, opened by a ``<figure>`` per image (the
picture with its alt text, caption and credit; see
:mod:`syndication.render.xhtml`). A canceled item (a kill) keeps only ids,
version, dates, provider, rights, ``pubStatus stat:canceled`` and the kill
note (``edNote``), and of its contentMeta only the credit line: no headline,
summary, slugline, byline or body of the killed story. A feed with nothing to
carry still gets a newsMessage, holding one empty ``packageItem`` (see
:func:`news_message`).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from lxml import etree

from syndication.articles.model import PubStatus
from syndication.config import Agency
from syndication.credit import credit_variant, feed_credit
from syndication.destinations.base import encode_segment
from syndication.memory import cache_entries
from syndication.render.base import Credit, Document, Edition, Item, Pieces
from syndication.render.fields import (
    authors,
    by_text,
    contributors,
    credited_clean_body,
    feed_guid,
    feed_language,
    newest_time,
)
from syndication.render.media import feed_images
from syndication.render.text import iso_time, xml_text
from syndication.render.xhtml import xhtml_document

G2 = "http://iptc.org/std/nar/2006-10-01/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STANDARD_VERSION = "2.35"
CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"
MESSAGE_TYPE = "application/vnd.iptc.g2.newsmessage+xml; charset=utf-8"
ITEM_TYPE = "application/vnd.iptc.g2.newsitem+xml; charset=utf-8"
# lxml's key for the default namespace is None; lxml-stubs only allows str keys.
_NSMAP: dict[str, str] = {None: G2}  # type: ignore[dict-item]
# The id of the empty feed package's only group (xs:ID; groupSet's root).
EMPTY_GROUP = "root"
_LINE_BREAKS = re.compile(r"[\t\n\r]+")
# Serialized items remembered across feeds (standalone and inside a message),
# about 8 KB each: the publish's memory is mostly these caches.
DOCUMENT_CACHE_SIZE = 2048


class NewsmlRenderer:
    format = "newsml"
    content_type = MESSAGE_TYPE
    file_name = "newsml.xml"

    def render(self, edition: Edition) -> list[Document]:
        """Item documents (``is_index=False``) first, then the newsMessage,
        always: an edition with neither items nor kills sends the empty feed
        package (see :func:`news_message`), so partners never read a stale or
        missing ``newsml.xml``."""
        feed_id = edition.feed.feed_id
        documents = [
            Document(
                feed_id=feed_id,
                key=item_key(item),
                format=self.format,
                content_type=ITEM_TYPE,
                body=item_document(item, edition.agency),
                is_index=False,
                variant=credit_variant(item.credit, edition.agency),
            )
            for item in (*edition.items, *edition.canceled)
        ]
        body, pieces = message_parts(edition)
        documents.append(
            Document(
                feed_id=feed_id,
                key=self.file_name,
                format=self.format,
                content_type=self.content_type,
                body=body,
                is_index=True,
                pieces=pieces,
            )
        )
        return documents


def item_key(item: Item) -> str:
    """``items/{encoded guid}/v{version}.xml``, relative to the feed's folder."""
    version = item.version
    return f"items/{encode_segment(version.guid)}/v{version.version}.xml"


@lru_cache(maxsize=cache_entries(DOCUMENT_CACHE_SIZE))
def item_document(item: Item, agency: Agency) -> bytes:
    """The immutable newsItem document of one version as a feed carries it.

    Its bytes depend only on the item (version, credit, body) and the agency,
    so every feed carrying the same item shares one rendering."""
    return _serialize(_news_item(item, agency, f"item {item.version.guid}"))


def message_document(edition: Edition) -> bytes:
    """The newsMessage serialized, assembled from each item's remembered bytes:
    byte for byte ``_serialize(news_message(edition))`` (indentation depends on
    depth only, and every item sits at the same depth under the same
    namespace declarations), without building each newsItem again."""
    return message_parts(edition)[0]


def message_parts(edition: Edition) -> tuple[bytes, Pieces | None]:
    """:func:`message_document`, and the pieces its items stand as in it."""
    if not (edition.items or edition.canceled):
        return _serialize(news_message(edition)), None
    shell = _message_shell(edition)
    head, marker, tail = _serialize(shell).partition(_PLACEHOLDER)
    if not marker:  # cannot happen: the shell holds exactly one placeholder
        raise AssertionError("newsMessage shell without its placeholder")
    agency = edition.agency
    pieces = Pieces.of(
        [_message_item(item, agency) for item in (*edition.items, *edition.canceled)]
    )
    return b"".join((head, *pieces.items, tail)), pieces


# An empty newsItem in the shell's itemSet marks where the items go.
_PLACEHOLDER = b"    <newsItem/>\n"


@lru_cache(maxsize=cache_entries(DOCUMENT_CACHE_SIZE))
def _message_item(item: Item, agency: Agency) -> tuple[bytes, bytes]:
    """One newsItem as it is serialized inside a newsMessage's itemSet, and
    the SHA-256 of those bytes."""
    message = etree.Element(_g2("newsMessage"), nsmap=_NSMAP)
    item_set = _sub(message, "itemSet")
    _news_item(item, agency, f"item {item.version.guid}", item_set)
    text = _serialize(message)
    start = text.index(b"<itemSet>\n") + len(b"<itemSet>\n")
    piece = text[start : text.rindex(b"  </itemSet>")]
    return piece, hashlib.sha256(piece).digest()


def _message_shell(edition: Edition) -> etree._Element:
    message = etree.Element(_g2("newsMessage"), nsmap=_NSMAP)
    _message_header(message, edition)
    _sub(_sub(message, "itemSet"), "newsItem")
    return message


def _message_header(message: etree._Element, edition: Edition) -> None:
    header = _sub(message, "header")
    sent = newest_time(edition)
    _sub(header, "sent", iso_time(sent))
    _sub(header, "sender", _text(edition.agency.name, "agency name"))
    transmit = f"{edition.feed.feed_id}:{sent.strftime('%Y%m%dT%H%M%SZ')}"
    _sub(header, "transmitId", transmit)


def news_message(edition: Edition) -> etree._Element:
    """The feed's newsMessage.

    ``sent`` is the newest version time in the message (as RSS lastBuildDate), not
    the build time: an unchanged feed must render to unchanged bytes so publishing
    skips it, and a partner polling it sees when its content last changed.

    NewsML-G2 2.35 requires an itemSet holding at least one item (``xs:any``,
    minOccurs 1), so an edition with neither items nor kills sends one
    ``packageItem`` instead: the feed itself as a package (its guid is the Atom
    feed id) whose root group refers to no item.
    """
    message = etree.Element(_g2("newsMessage"), nsmap=_NSMAP)
    _message_header(message, edition)
    item_set = _sub(message, "itemSet")
    for item in (*edition.items, *edition.canceled):
        news_item(item, edition, item_set)
    if not (edition.items or edition.canceled):
        _empty_feed_package(edition, item_set)
    return message


def _empty_feed_package(edition: Edition, parent: etree._Element) -> None:
    feed, agency = edition.feed, edition.agency
    where = f"feed {feed.feed_id}"
    attributes = {
        "guid": feed_guid(edition),
        "version": "1",
        "standard": "NewsML-G2",
        "standardversion": STANDARD_VERSION,
        "conformance": "power",
    }
    language = feed_language(edition)
    if language:
        attributes[XML_LANG] = language
    package = _sub(parent, "packageItem", **attributes)
    _sub(package, "catalogRef", href=CATALOG)
    _rights_info(package, feed_credit(feed, agency), agency, where)
    meta = _sub(package, "itemMeta")
    _sub(meta, "itemClass", qcode="ninat:composite")  # a package (IPTC ninature)
    provider = _sub(meta, "provider", uri=agency.url)
    _sub(provider, "name", _text(agency.name, "agency name"))
    _sub(meta, "versionCreated", iso_time(newest_time(edition)))
    _sub(meta, "pubStatus", qcode="stat:usable")
    _sub(meta, "title", _text(feed.title, f"{where} title"))
    group_set = _sub(package, "groupSet", root=EMPTY_GROUP)
    _sub(group_set, "group", id=EMPTY_GROUP)


def news_item(
    item: Item, edition: Edition, parent: etree._Element | None = None
) -> etree._Element:
    """One version as a newsItem (a new root, or appended to ``parent``)."""
    where = f"feed {edition.feed.feed_id} item {item.version.guid}"
    return _news_item(item, edition.agency, where, parent)


def _news_item(
    item: Item, agency: Agency, where: str, parent: etree._Element | None = None
) -> etree._Element:
    version, credit = item.version, item.credit
    attributes = {
        "guid": version.guid,
        "version": str(version.version),
        "standard": "NewsML-G2",
        "standardversion": STANDARD_VERSION,
        "conformance": "power",
        XML_LANG: version.language,
    }
    if parent is None:
        root = etree.Element(_g2("newsItem"), attributes, nsmap=_NSMAP)
    else:
        root = etree.SubElement(parent, _g2("newsItem"), attributes)
    _sub(root, "catalogRef", href=CATALOG)

    _rights_info(root, credit, agency, where)

    meta = _sub(root, "itemMeta")
    _sub(meta, "itemClass", qcode="ninat:text")
    provider = _sub(meta, "provider", uri=agency.url)
    _sub(provider, "name", _text(agency.name, "agency name"))
    _sub(meta, "versionCreated", iso_time(version.version_created))
    _sub(meta, "firstCreated", iso_time(version.first_created))
    if version.embargo_until is not None:
        _sub(meta, "embargoed", iso_time(version.embargo_until))
    _sub(meta, "pubStatus", qcode=f"stat:{version.status.value}")
    if version.ed_note:
        _sub(meta, "edNote", _text(version.ed_note, f"{where} ed_note"))
    if version.is_correction:
        _sub(meta, "signal", qcode="sig:correction")

    if version.status is PubStatus.CANCELED:
        # A kill carries none of the story's text (headline, summary, slugline,
        # byline, dateline, keywords, body): partners act on the guid, the
        # pubStatus and the note. NewsML-G2 2.35 makes contentMeta optional;
        # it stays for the credit line every item of a feed carries.
        content = _sub(root, "contentMeta")
        _sub(content, "creditline", _text(credit.line, f"{where} credit line"))
        return root

    content = _sub(root, "contentMeta")
    _sub(content, "urgency", str(version.urgency))
    _sub(content, "contentCreated", iso_time(version.first_created))
    if version.version_created != version.first_created:
        _sub(content, "contentModified", iso_time(version.version_created))
    if version.dateline is not None and version.dateline.place:
        located = _sub(content, "located")
        _sub(located, "name", _text(version.dateline.place, f"{where} dateline"))
    for byline in authors(version):
        creator = _sub(content, "creator", role=f"crol:{byline.role.value}")
        _sub(creator, "name", _text(byline.name, f"{where} byline"))
    for byline in contributors(version):
        contributor = _sub(content, "contributor", role=f"crol:{byline.role.value}")
        _sub(contributor, "name", _text(byline.name, f"{where} byline"))
    _sub(content, "language", tag=version.language)
    for keyword in version.keywords:
        _sub(content, "keyword", _text(keyword, f"{where} keyword"))
    for subject in version.subjects:
        element = _sub(content, "subject", qcode=subject.qcode)
        _sub(element, "name", _text(subject.name, f"{where} subject"))
    if version.slugline:
        _sub(content, "slugline", _text(version.slugline, f"{where} slugline"))
    _sub(content, "headline", _text(version.headline, f"{where} headline"))
    if version.dateline is not None:
        _sub(content, "dateline", _text(str(version.dateline), f"{where} dateline"))
    by = by_text(version)
    if by:
        _sub(content, "by", _text(by, f"{where} byline"))
    _sub(content, "creditline", _text(credit.line, f"{where} credit line"))
    if version.summary:
        _sub(
            content,
            "description",
            _text(version.summary, f"{where} summary"),
            role="drol:summary",
        )

    content_set = _sub(root, "contentSet")
    inline = _sub(content_set, "inlineXML", contenttype="application/xhtml+xml")
    inline.set(XML_LANG, version.language)
    inline.append(
        xhtml_document(
            _text(version.headline, f"{where} headline"),
            xml_text(credited_clean_body(item, agency.credit_line), f"{where} body"),
            where,
            feed_images(version, where),
        )
    )
    return root


def _rights_info(
    parent: etree._Element, credit: Credit, agency: Agency, where: str
) -> None:
    rights = _sub(parent, "rightsInfo")
    holder = _sub(rights, "copyrightHolder", uri=agency.url)
    _sub(holder, "name", _text(credit.copyright_holder, where))
    _sub(rights, "copyrightNotice", _text(credit.copyright_notice, where))
    if credit.usage_terms:
        _sub(rights, "usageTerms", _text(credit.usage_terms, where))


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(
        root, encoding="UTF-8", xml_declaration=True, pretty_print=True
    )


def _g2(tag: str) -> str:
    return f"{{{G2}}}{tag}"


def _sub(
    parent: etree._Element, name: str, text: str | None = None, /, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, _g2(name), attributes)
    if text is not None:
        element.text = text
    return element


def _text(value: str, where: str) -> str:
    """Text as NewsML-G2 carries it: names, keywords and other strings are
    ``g2normalizedString`` in IPTC's schema (no tab, line feed or carriage
    return), so those become spaces in every text element."""
    return _LINE_BREAKS.sub(" ", xml_text(value, where))
