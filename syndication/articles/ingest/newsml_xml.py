"""NewsML-G2 as XML: the document parsed as every XML document here is, and
the few ways ingest reads its elements (QCodes, names, text, lines).

lxml parses with no DTD, no entity expansion and no network, within libxml2's
limits on depth and size, comments and processing instructions dropped; a
DOCTYPE was refused before (read.py), and one that got here is refused again.
"""

from __future__ import annotations

from lxml import etree

from syndication.articles.sanitize import strip_control_characters
from syndication.errors import InputError

G2 = "http://iptc.org/std/nar/2006-10-01/"
# The hardened settings of every XML parser here (validate/checker.py); the
# file was checked to be UTF-8, whatever its declaration says.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    encoding="utf-8",
)
TAKES = (
    "ingest takes NewsML-G2 newsItem and newsMessage documents, ninjs, the JSON "
    "article format or plain wire copy"
)


def parse_newsml(text: str, path: str) -> etree._Element:
    """The root of a NewsML-G2 document: a ``newsItem`` or ``newsMessage``.
    Raises :class:`InputError` with the line of what is wrong."""
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"this looks like XML or HTML but is not well-formed XML ({exc.msg}); "
            f"{TAKES}",
            path=path,
            line=exc.lineno or None,
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:  # refused before, too
        raise InputError("DOCTYPE declarations are refused", path=path, line=1)
    if root.tag not in (g2("newsItem"), g2("newsMessage")):
        name = etree.QName(root)
        where = f" in namespace {name.namespace}" if name.namespace else ""
        raise InputError(
            f"this looks like XML or HTML but is not NewsML-G2: its root element is "
            f"<{name.localname}>{where}, not a newsItem or newsMessage of "
            f"{G2}; {TAKES}",
            path=path,
            line=line_of(root),
        )
    return root


def child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return None if parent is None else parent.find(g2(name))


def children(parent: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if parent is None else parent.findall(g2(name))


def name_of(element: etree._Element | None) -> str:
    """An element's ``name`` child (else its ``literal``)."""
    if element is None:
        return ""
    name = child(element, "name")
    return text_of(name) if name is not None else element.get("literal", "")


def code_of(element: etree._Element, attribute: str = "qcode") -> str:
    """The code of a QCode attribute (``stat:usable`` → ``usable``), or of the
    matching URI attribute (``…/pubstatus/usable``), in lower case."""
    value = element.get(attribute) or ""
    if value:
        return value.rpartition(":")[2].strip().lower()
    uri = element.get(f"{attribute}uri" if attribute != "qcode" else "uri") or ""
    return uri.rstrip("/").rpartition("/")[2].strip().lower()


def text_of(element: etree._Element) -> str:
    """All the text in ``element``, control characters removed."""
    text = "".join(t for t in element.itertext() if isinstance(t, str))
    cleaned, _removed = strip_control_characters(text)
    return cleaned


def line_of(element: etree._Element) -> int | None:
    """The element's line in the file (lxml's stubs type it loosely)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def g2(name: str) -> str:
    return f"{{{G2}}}{name}"
