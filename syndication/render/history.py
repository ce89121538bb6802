"""RFC 5005 archived feeds in RSS and Atom: the links between a feed and its
archive documents, and the archive marker.

The subscription document (``rss.xml``, ``atom.xml``) links ``prev-archive``
to the newest archive (RFC 5005 §4); each archive document
(``archive/<period>/rss.xml``) is marked ``<fh:archive/>``, links ``current``
to the subscription document and ``prev-archive`` to the archive before it
(none for the oldest kept). RSS carries the links as ``atom:link``, as RFC
5005 §1 suggests for RSS 2.0. Addresses are absolute under the feed's public
address when it is known (:attr:`History.base_url`), else relative to the
document, so they stay inside the feed's folder under any base.

``fh:archive`` declares its namespace on itself: the root's start tag stays
that of the feed, so item bytes are shared between the feed and its archives
(see :mod:`syndication.render.assemble`).
"""

from __future__ import annotations

import posixpath

from lxml import etree

from syndication.render.base import ARCHIVE_FOLDER, Edition, History

FH = "http://purl.org/syndication/history/1.0"
ATOM = "http://www.w3.org/2005/Atom"
PREV_ARCHIVE = "prev-archive"
CURRENT = "current"
TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


def archive_key(period: str, file_name: str) -> str:
    """The key, in a feed's folder, of the archive document of ``period``."""
    return f"{ARCHIVE_FOLDER}/{period}/{file_name}"


def href(history: History, key: str) -> str:
    """The link from a document of ``history`` to ``key`` (relative to the
    feed's folder): absolute under the feed's public address, else relative
    to the document's own folder."""
    if history.base_url:
        return history.base_url + key
    return posixpath.relpath(key, history.folder or ".")


def history_links(edition: Edition, file_name: str) -> list[tuple[str, str]]:
    """``(rel, href)`` of the document ``file_name`` of ``edition``: ``current``
    (archives only), then ``prev-archive`` (when there is an archive before)."""
    history = edition.history
    if history is None:
        return []
    links = []
    if history.archive:
        links.append((CURRENT, href(history, file_name)))
    if history.prev_archive:
        links.append(
            (PREV_ARCHIVE, href(history, archive_key(history.prev_archive, file_name)))
        )
    return links


def add_history(
    root: etree._Element, edition: Edition, fmt: str, file_name: str
) -> None:
    """Add ``edition``'s archive marker and links to a rendered RSS or Atom
    document (``root`` is ``rss`` or ``feed``): after the feed's own links
    (RSS: before the first item when it has none)."""
    links = history_links(edition, file_name)
    is_archive = edition.is_archive
    if not links and not is_archive:
        return
    if fmt == "rss":
        parent = root.find("channel")
        assert parent is not None
        own = parent.findall(f"{{{ATOM}}}link")
        anchor = own[-1] if own else None
    else:
        parent = root
        own = parent.findall(f"{{{ATOM}}}link")
        anchor = own[-1] if own else None
    added: list[etree._Element] = []
    if is_archive:
        added.append(etree.Element(f"{{{FH}}}archive", nsmap={"fh": FH}))
    for rel, target in links:
        added.append(
            etree.Element(
                f"{{{ATOM}}}link",
                {"href": target, "rel": rel, "type": TYPES[fmt]},
            )
        )
    if anchor is not None:
        for element in reversed(added):
            anchor.addnext(element)
        return
    first_item = parent.find("item") if fmt == "rss" else None
    for element in added:
        if first_item is not None:
            first_item.addprevious(element)
        else:
            parent.append(element)


def stylesheet_href(edition: Edition, file_name: str) -> str:
    """The ``xml-stylesheet`` href of ``edition``'s documents: the stylesheet
    published in the feed's folder, relative to the document."""
    history = edition.history
    if history is None or not history.archive:
        return file_name
    return posixpath.relpath(file_name, history.folder)
