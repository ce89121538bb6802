"""A feedgen extension for what RSS 2.0 items need and feedgen lacks.

Per item: ``atom:updated`` right after ``pubDate`` when the version is not the
first (RSS 2.0 has one date; ``pubDate`` is the first publication and this the
update, RFC 4287 §4.2.15, the same value as the Atom entry's ``updated``; the
``atom:`` namespace is already declared for the self link, and feedparser and
other readers read it), ``dc:creator`` per reporter (the agency when none is
named), ``dc:contributor`` per editor or contributor, ``dc:rights`` (credit line
and copyright), ``media:credit role="distributor"`` with the credit line, and
per image with an http(s) address ``media:content`` with ``media:description
type="html"`` (the caption as HTML-escaped text, which readers that honour the
type and readers that take every description for HTML both show as written)
and ``media:credit role="photographer"``; an image at any other address is left
out. Names, rights and credits are plain text by their specifications (Dublin
Core, Media RSS), as feedparser reads them, so they are XML-escaped only. Per
channel: ``atom:link rel="hub"`` for WebSub. Prefixes are the conventional ones
(``dc:``, ``media:``, ``atom:``), which some readers match literally.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from syndication.config import Agency
from syndication.render.base import Item
from syndication.render.fields import authors, contributors, web_url
from syndication.render.text import atom_time, xml_text

log = logging.getLogger(__name__)

DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"
# Media RSS roles come from the EBU role codes unless a scheme says otherwise.
EBU = "urn:ebu"
_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def image_type(href: str) -> str:
    """The MIME type of an image URL by its extension ('' when unknown); a fixed
    table, not the system's, so output never depends on the machine."""
    path = href.split("?", 1)[0].split("#", 1)[0].lower()
    for suffix, kind in _IMAGE_TYPES.items():
        if path.endswith(suffix):
            return kind
    return ""


class CreditFeedExtension:
    """Channel level: declares the prefixes and adds the WebSub hub link."""

    def __init__(self) -> None:
        self.hub_url = ""

    def extend_ns(self) -> dict[str, str]:
        return {"dc": DC, "media": MEDIA}

    def extend_rss(self, rss: Any) -> Any:
        if self.hub_url:
            channel = rss.find("channel")
            hub = etree.Element(f"{{{ATOM}}}link", href=self.hub_url, rel="hub")
            self_link = channel.find(f"{{{ATOM}}}link")
            if self_link is not None:
                self_link.addnext(hub)
            else:
                channel.append(hub)
        return rss

    def extend_atom(self, feed: Any) -> Any:
        return feed


@dataclass
class _ItemCredit:
    creators: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    updated: str = ""
    rights: str = ""
    credit_line: str = ""
    images: list[tuple[str, str, str, str]] = field(default_factory=list)


class CreditEntryExtension:
    """Item level: bylines, rights, credits and images (see the module doc)."""

    def __init__(self) -> None:
        self._data = _ItemCredit()

    def extend_ns(self) -> dict[str, str]:
        return {"dc": DC, "media": MEDIA}

    def set_item(self, item: Item, agency: Agency, where: str) -> None:
        version = item.version
        creators = [b.name for b in authors(version)] or [agency.name]
        images = []
        for image in version.images:
            href = web_url(image.href)
            if not href:
                log.warning("%s: image left out (not an http(s) URL)", where)
                continue
            caption = xml_text(image.caption, f"{where} image caption")
            images.append(
                (
                    href,
                    image_type(href),
                    html.escape(caption, quote=False),
                    xml_text(image.credit, f"{where} image credit"),
                )
            )
        updated = ""
        if version.version_created != version.first_created:
            updated = atom_time(version.version_created)
        self._data = _ItemCredit(
            updated=updated,
            creators=[xml_text(n, f"{where} byline") for n in creators],
            contributors=[
                xml_text(b.name, f"{where} byline") for b in contributors(version)
            ],
            rights=xml_text(item.credit.rights, f"{where} rights"),
            credit_line=xml_text(item.credit.line, f"{where} credit line"),
            images=images,
        )

    def extend_rss(self, entry: Any) -> Any:
        data = self._data
        if data.updated:
            updated = etree.Element(f"{{{ATOM}}}updated")
            updated.text = data.updated
            pub_date = entry.find("pubDate")
            if pub_date is not None:
                pub_date.addnext(updated)
            else:
                entry.append(updated)
        for name in data.creators:
            etree.SubElement(entry, f"{{{DC}}}creator").text = name
        for name in data.contributors:
            etree.SubElement(entry, f"{{{DC}}}contributor").text = name
        etree.SubElement(entry, f"{{{DC}}}rights").text = data.rights
        credit = etree.SubElement(
            entry, f"{{{MEDIA}}}credit", role="distributor", scheme=EBU
        )
        credit.text = data.credit_line
        for href, kind, caption, image_credit in data.images:
            content = etree.SubElement(entry, f"{{{MEDIA}}}content", url=href)
            if kind:
                content.set("type", kind)
            content.set("medium", "image")
            if caption:
                description = etree.SubElement(
                    content, f"{{{MEDIA}}}description", type="html"
                )
                description.text = caption
            if image_credit:
                photo = etree.SubElement(
                    content, f"{{{MEDIA}}}credit", role="photographer", scheme=EBU
                )
                photo.text = image_credit
        return entry

    def extend_atom(self, entry: Any) -> Any:
        return entry
