"""A story's images as Media RSS (``http://search.yahoo.com/mrss/``), the same in
RSS items and Atom entries: a feedgen extension that both renderers register.

Per image with an http(s) address, one ``media:content`` (``medium="image"``,
its MIME type by extension) holding ``media:description type="html"`` (the
caption), ``media:text type="html"`` (the alt text: Media RSS's text equivalent
of the object, since ``media:description`` already holds the caption and may
appear once) and ``media:credit role="photographer"`` (an EBU role, the scheme
Media RSS assumes). Caption and alt text are written as HTML-escaped text: a
reader that honours the type and one that takes every description for HTML
both show them as written. An image at any other address is left out (logged).

Atom readers (feedparser, the W3C Feed Validation Service) read Media RSS in
Atom entries as in RSS items; an Atom ``link rel="enclosure"`` would carry the
address and type only, with no caption, credit or alt text, and wants a length
we do not know.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Any

from lxml import etree

from syndication.articles.model import Version
from syndication.render.fields import web_url
from syndication.render.text import xml_text

log = logging.getLogger(__name__)

MEDIA = "http://search.yahoo.com/mrss/"
# Media RSS roles are the EBU role codes unless a scheme says otherwise
# (schemas/rules/rss.sch lists them, as the W3C Feed Validation Service does).
EBU = "urn:ebu"
PHOTOGRAPHER = "photographer"
_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class MediaImage:
    """One image as feeds carry it: an http(s) address, its MIME type ('' when
    unknown) and plain text (control characters removed) for the rest."""

    href: str
    kind: str
    caption: str
    credit: str
    alt: str


def image_type(href: str) -> str:
    """The MIME type of an image URL by its extension ('' when unknown); a fixed
    table, not the system's, so output never depends on the machine."""
    path = href.split("?", 1)[0].split("#", 1)[0].lower()
    for suffix, kind in _IMAGE_TYPES.items():
        if path.endswith(suffix):
            return kind
    return ""


def feed_images(version: Version, where: str) -> tuple[MediaImage, ...]:
    """The version's images with an http(s) address, in order (any other is
    left out and logged); ``where`` names the feed and item in logs."""
    images = []
    for image in version.images:
        href = web_url(image.href)
        if not href:
            log.warning("%s: image left out (not an http(s) URL)", where)
            continue
        images.append(
            MediaImage(
                href=href,
                kind=image_type(href),
                caption=xml_text(image.caption, f"{where} image caption"),
                credit=xml_text(image.credit, f"{where} image credit"),
                alt=xml_text(image.alt, f"{where} image alt text"),
            )
        )
    return tuple(images)


def add_media_content(parent: etree._Element, image: MediaImage) -> None:
    """Append the image's ``media:content`` to an RSS item or Atom entry."""
    content = etree.SubElement(parent, f"{{{MEDIA}}}content", url=image.href)
    if image.kind:
        content.set("type", image.kind)
    content.set("medium", "image")
    for name, text in (("description", image.caption), ("text", image.alt)):
        if text:
            element = etree.SubElement(content, f"{{{MEDIA}}}{name}", type="html")
            element.text = html.escape(text, quote=False)
    if image.credit:
        credit = etree.SubElement(
            content, f"{{{MEDIA}}}credit", role=PHOTOGRAPHER, scheme=EBU
        )
        credit.text = image.credit


class ImageFeedExtension:
    """Feed level: declares the ``media:`` prefix on the root, whether or not an
    item has images (so every item renders to the same bytes in any feed; see
    :mod:`syndication.render.assemble`)."""

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA}

    def extend_rss(self, rss: Any) -> Any:
        return rss

    def extend_atom(self, feed: Any) -> Any:
        return feed


class ImageEntryExtension:
    """Item level: one ``media:content`` per image (see the module doc)."""

    def __init__(self) -> None:
        self.images: tuple[MediaImage, ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA}

    def extend_rss(self, entry: Any) -> Any:
        for image in self.images:
            add_media_content(entry, image)
        return entry

    def extend_atom(self, entry: Any) -> Any:
        return self.extend_rss(entry)
