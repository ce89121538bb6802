"""``feeds.opml``: a destination's feeds as an OPML 2.0 subscription list
(http://opml.org/spec2.opml), which feed readers import to subscribe to all of
them at once.

One ``outline type="rss"`` per feed that has RSS or Atom (RSS preferred, as
readers take either under that type), with its title, description, address
(``xmlUrl``) and site (``htmlUrl``). Feeds in NewsML-G2 or ninjs alone are for
partner systems, not feed readers: the page lists them, the OPML does not.
Dates are the listing's last update, never the clock. Same listing, same bytes.

OPML 2.0 lets ``text`` hold markup, so readers may show it as HTML: the texts
are written HTML-escaped, as RSS titles are (a feed titled "The <b> tag" is
shown as those words), and the gate judges them as HTML.
"""

from __future__ import annotations

from email.utils import format_datetime

from lxml import etree

from syndication.articles.model import utc
from syndication.face.listing import Listing
from syndication.render.rss import html_text

FILE_NAME = "feeds.opml"
FORMAT = "opml"
CONTENT_TYPE = "text/x-opml; charset=utf-8"
DOCS = "http://opml.org/spec2.opml"
# What OPML 2.0's version attribute calls each format.
VERSIONS = {"rss": "RSS2", "atom": "atom"}


def render_opml(listing: Listing) -> bytes | None:
    """The subscription list of ``listing`` (UTF-8), or None when no feed in it
    has RSS or Atom (OPML 2.0 wants at least one outline)."""
    outlines = []
    for feed in listing.feeds:
        subscription = feed.subscription("rss", "atom")
        if subscription is None:
            continue
        where = f"feed {feed.feed_id}"
        title = html_text(feed.title, f"{where} title")
        attributes = {
            "type": "rss",
            "text": title,
            "title": title,
            "description": html_text(feed.description, f"{where} description"),
            "xmlUrl": subscription.url,
            "htmlUrl": feed.link,
            "version": VERSIONS[subscription.format],
        }
        outlines.append(attributes)
    if not outlines or listing.updated is None:
        return None
    agency = html_text(listing.agency.name, "agency name")
    stamp = format_datetime(utc(listing.updated))
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    for tag, text in (
        ("title", f"{agency}: feeds"),
        ("dateCreated", stamp),
        ("dateModified", stamp),
        ("ownerName", agency),
        ("docs", DOCS),
    ):
        etree.SubElement(head, tag).text = text
    body = etree.SubElement(opml, "body")
    for attributes in outlines:
        etree.SubElement(body, "outline", attributes)
    return etree.tostring(
        opml, encoding="UTF-8", xml_declaration=True, pretty_print=True
    )
