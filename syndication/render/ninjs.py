"""IPTC ninjs 3.1 renderer (JSON): one document per article version and a feed
index.

ninjs ("news in JSON") defines single news objects only. Each version is one
immutable object at ``items/{encoded guid}/v{version}.json`` (as NewsML-G2's
``v{N}.xml``). The feed's index, ``ninjs.json``, is itself a ninjs object: a
``composite`` (IPTC ninature, as NewsML-G2's empty feed package) whose
``associations`` hold the current items and, with ``pubStatus`` ``canceled``,
the kill notices, each the same object as its item document plus the name and
rel every association must have. So the whole index validates against IPTC's
own schema and a ninjs reader needs nothing of ours to read it.

Where things go (ninjs 3.1 has no credit-line, keyword, dateline or signal
property): ``usageTerms`` begins with the feed's credit line, then the usage
terms (as RSS ``dc:rights`` begins with it); ``copyrightHolder`` and
``copyrightNotice`` are the rights; ``rightsInfo`` is left out, since it holds
a rights-expression-language document or link, not plain text. The one body is
``text/html``: the clean credited body, opened by ``<p class="correction">`` for
a correction (as RSS and Atom); a correction also carries the IPTC signal
``correction`` as a genre and its note as ``edNote``. Headlines, the summary
(``descriptions``), ``by``, names and captions are ``text/plain`` and written
as they are. A kill keeps ids, version, dates, language, rights and the kill
note (``edNote``): no headline, summary, body, byline, slugline, place,
subjects or images. Images are ``picture`` associations, http(s) only (and
written as URIs: a character a URI may not hold is percent-encoded).

Bytes are deterministic: a fixed key order, two-space indentation, UTF-8 with
``ensure_ascii=False`` and one trailing newline; nothing is taken from the clock.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from syndication.articles.model import PubStatus, Subject, Version
from syndication.config import Agency
from syndication.credit import credit_variant, feed_credit
from syndication.destinations.base import encode_segment
from syndication.memory import cache_entries
from syndication.render.base import Credit, Document, Edition, Item, join_sentences
from syndication.render.fields import (
    CORRECTION,
    SIGNAL_SCHEME,
    by_text,
    feed_guid,
    feed_language,
    newest_time,
    shown_body,
    subject_term,
)
from syndication.render.media import feed_images
from syndication.render.text import iso_time

CONTENT_TYPE = "application/json; charset=utf-8"
STANDARD = {
    "name": "ninjs",
    "version": "3.1",
    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
}
# The index's profile (ninjs leaves profiles to the provider) and the rel of
# each item it holds.
INDEX_PROFILE = "feed"
ITEM_REL = "item"
# A correction's genre: IPTC's signal code (NewsML-G2 sig:correction), as RSS
# and Atom carry it in a category of that scheme.
CORRECTION_GENRE = {
    "name": "Correction",
    "uri": f"{SIGNAL_SCHEME}{CORRECTION}",
    "literal": f"sig:{CORRECTION}",
}
# RFC 3986 absolute URI (scheme, then unreserved, reserved and %-escapes): what
# the schema's "uri" format asks of ``uri``; the gate checks the same.
URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)
DOCUMENT_CACHE_SIZE = 2048


class NinjsRenderer:
    format = "ninjs"
    content_type = CONTENT_TYPE
    file_name = "ninjs.json"

    def render(self, edition: Edition) -> list[Document]:
        """Item documents (``is_index=False``) first, then the index, always
        (an empty feed is a composite without associations)."""
        feed_id = edition.feed.feed_id
        documents = [
            Document(
                feed_id=feed_id,
                key=item_key(item),
                format=self.format,
                content_type=self.content_type,
                body=item_document(item, edition.agency),
                is_index=False,
                variant=credit_variant(item.credit, edition.agency),
            )
            for item in (*edition.items, *edition.canceled)
        ]
        documents.append(
            Document(
                feed_id=feed_id,
                key=self.file_name,
                format=self.format,
                content_type=self.content_type,
                body=serialize(index_object(edition)),
                is_index=True,
            )
        )
        return documents


def item_key(item: Item) -> str:
    """``items/{encoded guid}/v{version}.json``, relative to the feed's folder."""
    version = item.version
    return f"items/{encode_segment(version.guid)}/v{version.version}.json"


def serialize(value: dict[str, Any]) -> bytes:
    """JSON as every ninjs document is written: keys in the order built,
    indented, UTF-8 as is, one trailing newline."""
    text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


@lru_cache(maxsize=cache_entries(DOCUMENT_CACHE_SIZE))
def item_document(item: Item, agency: Agency) -> bytes:
    """The immutable item document of one version as a feed carries it; every
    feed with the same item shares one rendering."""
    return serialize({**item_object(item, agency), "standard": STANDARD})


def index_object(edition: Edition) -> dict[str, Any]:
    """The feed as a ninjs composite. ``versionCreated`` is the newest version
    time it holds (as RSS lastBuildDate), never the build time, so an unchanged
    feed renders to unchanged bytes."""
    feed, agency = edition.feed, edition.agency
    index: dict[str, Any] = {
        "uri": ninjs_uri(feed_guid(edition), agency),
        "type": "composite",
        "profile": INDEX_PROFILE,
        "versionCreated": iso_time(newest_time(edition)),
        "pubStatus": PubStatus.USABLE.value,
        "title": feed.title,
    }
    if feed.description:
        index["descriptions"] = [_plain("description", feed.description)]
    language = feed_language(edition)
    if language:
        index["language"] = language
    index.update(_rights(feed_credit(feed, agency)))
    associations = [
        _association(item, agency) for item in (*edition.items, *edition.canceled)
    ]
    if associations:
        index["associations"] = associations
    index["standard"] = STANDARD
    return index


def _association(item: Item, agency: Agency) -> dict[str, Any]:
    """An item inside the index: its object, named by its guid (no story text:
    the name stays on a kill notice)."""
    obj = item_object(item, agency)
    return {"uri": obj["uri"], "name": item.version.guid, "rel": ITEM_REL, **obj}


@lru_cache(maxsize=cache_entries(DOCUMENT_CACHE_SIZE))
def item_object(item: Item, agency: Agency) -> dict[str, Any]:
    """One version as a ninjs object. Remembered and shared (the item document
    and every index holding it): callers copy, never change it."""
    version, credit = item.version, item.credit
    uri = ninjs_uri(version.guid, agency)
    obj: dict[str, Any] = {"uri": uri}
    if uri != version.guid:
        obj["altIds"] = [{"role": "guid", "value": version.guid}]
    obj["type"] = "text"
    obj["version"] = str(version.version)
    obj["firstCreated"] = iso_time(version.first_created)
    obj["versionCreated"] = iso_time(version.version_created)
    if version.embargo_until is not None:
        # Only ever a passed embargo: selection never carries an embargoed story.
        obj["embargoedUntil"] = iso_time(version.embargo_until)
    obj["pubStatus"] = version.status.value
    canceled = version.status is PubStatus.CANCELED
    if not canceled:
        obj["urgency"] = version.urgency
    obj.update(_rights(credit))
    if version.ed_note:
        obj["edNote"] = version.ed_note
    obj["language"] = version.language
    if canceled:
        # A kill carries none of the story's text: partners act on the uri,
        # the pubStatus and the note.
        return obj
    if version.is_correction:
        obj["genres"] = [CORRECTION_GENRE]
    if version.slugline:
        obj["slugline"] = version.slugline
    obj["headlines"] = [_plain("main", version.headline)]
    if version.summary:
        obj["descriptions"] = [_plain("summary", version.summary)]
    obj["bodies"] = [
        {
            "role": "main",
            "contentType": "text/html",
            "value": shown_body(item, agency.credit_line),
        }
    ]
    by = by_text(version)
    if by:
        obj["by"] = by
    if version.dateline is not None and version.dateline.place:
        obj["located"] = version.dateline.place
    if version.bylines:
        obj["infoSources"] = [
            {"name": byline.name, "role": byline.role.value}
            for byline in version.bylines
        ]
    if version.subjects:
        obj["subjects"] = [_subject(s.qcode, s.name) for s in version.subjects]
    images = _images(version)
    if images:
        obj["associations"] = images
    return obj


def _rights(credit: Credit) -> dict[str, str]:
    """copyrightHolder, copyrightNotice, and usageTerms opening with the credit
    line (ninjs has no credit-line property), the usage terms its next
    sentence."""
    terms = join_sentences(credit.line, credit.usage_terms)
    return {
        "copyrightHolder": credit.copyright_holder,
        "copyrightNotice": credit.copyright_notice,
        "usageTerms": terms,
    }


def _plain(role: str, value: str) -> dict[str, str]:
    return {"role": role, "contentType": "text/plain", "value": value}


def _subject(qcode: str, name: str) -> dict[str, str]:
    """Name, the QCode as literal, and the scheme's URI for IPTC schemes."""
    scheme, code = subject_term(Subject(qcode, name))
    subject = {"name": name}
    if scheme:
        subject["uri"] = f"{scheme}{code}"
    subject["literal"] = qcode
    return subject


def _images(version: Version) -> list[dict[str, Any]]:
    """Each image with an http(s) address as a picture association, as every
    format carries it (:func:`syndication.render.media.feed_images`: others
    are left out and logged)."""
    images: list[dict[str, Any]] = []
    for image in feed_images(version, f"item {version.guid}"):
        href = _as_uri(image.href)
        if not href:
            continue
        picture: dict[str, Any] = {
            "uri": href,
            "name": f"image-{len(images) + 1}",
            "type": "picture",
        }
        if image.credit:
            picture["by"] = image.credit
        descriptions = []
        if image.caption:
            descriptions.append(_plain("caption", image.caption))
        if image.alt:
            descriptions.append(_plain("alt", image.alt))
        if descriptions:
            picture["descriptions"] = descriptions
        rendition = {"name": "original", "href": href}
        if image.kind:
            rendition["contentType"] = image.kind
        picture["renditions"] = [rendition]
        images.append(picture)
    return images


def _as_uri(link: str) -> str:
    """An http(s) link as an RFC 3986 URI: characters a URI may not hold
    (non-ASCII, ``{|}^``) percent-encoded as browsers send them; '' when it
    still is not one (a broken %-escape)."""
    uri = quote(link, safe="-._~!$&'()*+,;=:@/?#[]%")
    return uri if link and is_uri(uri) else ""


def is_uri(value: str) -> bool:
    """Whether ``value`` is an RFC 3986 absolute URI (the schema's ``uri``)."""
    return URI.fullmatch(value) is not None


def ninjs_uri(guid: str, agency: Agency) -> str:
    """The ninjs ``uri`` of an id: the id itself when it is a URI (minted ids
    are URNs), else its address under the agency's site; the object then keeps
    the id as ``altIds`` role ``guid``."""
    if is_uri(guid):
        return guid
    return f"{agency.url.rstrip('/')}/item/{quote(guid, safe='')}"
