"""The browser face of RSS and Atom: the XSL stylesheet published beside them.

A browser that opens ``rss.xml`` or ``atom.xml`` applies the stylesheet an
``xml-stylesheet`` processing instruction names (W3C "Associating Style Sheets
with XML documents"), and shows a readable page instead of raw XML; feed
readers ignore the instruction. The instruction names ``feed.xsl`` relative to
the feed, so it works under any base URL (a public address, a replay folder,
a ``build`` folder), and the stylesheet is one more document of the feed,
written before the indexes that name it.

The stylesheet is shipped in the package (``feed.xsl`` beside this module) and
published byte for byte; see its own comments for why the page it makes runs
nothing from a story.
"""

from __future__ import annotations

import functools
from importlib import resources

from syndication.errors import ConfigError
from syndication.render.base import Document, Edition

FILE_NAME = "feed.xsl"
FORMAT = "xsl"
# text/xsl is what browsers have long accepted for a stylesheet instruction.
CONTENT_TYPE = "text/xsl; charset=utf-8"
# The formats whose documents carry the instruction.
STYLED_FORMATS = ("rss", "atom")
INSTRUCTION = f'<?xml-stylesheet type="text/xsl" href="{FILE_NAME}"?>'.encode()
_DECLARATION_END = b"?>\n"


@functools.cache
def stylesheet_bytes() -> bytes:
    """The shipped stylesheet. Raises ConfigError when the installation
    lacks it."""
    try:
        return resources.files(__package__).joinpath(FILE_NAME).read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"the feed stylesheet ({__package__}/{FILE_NAME}) is not installed "
            "with syndication; reinstall it"
        ) from exc


# Browsers apply an xml-stylesheet instruction only to documents served as
# XML (application/xml, text/xml): Chromium shows application/rss+xml and
# application/atom+xml as plain text, and Firefox offers them for download.
BROWSABLE_TYPE = "application/xml; charset=utf-8"


def served_type(document: Document, browsable: bool) -> str:
    """The Content-Type ``document`` is sent with: RSS and Atom as
    :data:`BROWSABLE_TYPE` when ``browsable`` (``[publish] browsable_feeds``),
    every other document, and RSS and Atom otherwise, as rendered."""
    if browsable and document.format in STYLED_FORMATS:
        return BROWSABLE_TYPE
    return document.content_type


def with_instruction(document: bytes, href: str = FILE_NAME) -> bytes:
    """``document`` (our XML, opening with its declaration line) with the
    stylesheet instruction on the line after the declaration; ``href`` is
    where the stylesheet is from the document (an archive document lies two
    folders below it: ``../../feed.xsl``)."""
    end = document.index(_DECLARATION_END) + len(_DECLARATION_END)
    instruction = (
        INSTRUCTION
        if href == FILE_NAME
        else f'<?xml-stylesheet type="text/xsl" href="{href}"?>'.encode()
    )
    return document[:end] + instruction + b"\n" + document[end:]


def stylesheet_document(edition: Edition) -> Document:
    """The stylesheet as a document of ``edition``'s feed, at ``feed.xsl``.
    Not an index: it is written with the items, before the feeds name it."""
    return Document(
        feed_id=edition.feed.feed_id,
        key=FILE_NAME,
        format=FORMAT,
        content_type=CONTENT_TYPE,
        body=stylesheet_bytes(),
        is_index=False,
    )
