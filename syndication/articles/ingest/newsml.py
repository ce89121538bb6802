"""IPTC NewsML-G2 → parsed stories: a ``newsItem``, or each text item of a
``newsMessage``.

The document is parsed by lxml as every XML document here is (no DTD, no
entity expansion, no network, libxml2's limits on depth and size; comments and
processing instructions dropped); a DOCTYPE is refused before that. A file that
is not well-formed is reported with its line, and one whose root is not a
NewsML-G2 ``newsItem`` or ``newsMessage`` (namespace
``http://iptc.org/std/nar/2006-10-01/``) is refused as such.

Of each text item (``ninat:text``): ids, times, pubStatus, edNote, the
correction signal, provider, rights (``rightsInfo``, ``creditline``), urgency,
``located``, creators and contributors (or the ``by`` line), language,
keywords, subjects with names, slugline, headline (a ``hrol:subheadline`` one
gives the summary when there is no description), dateline, description and
the body. The body is the first usable rendition of ``contentSet``: XHTML in
``inlineXML`` (its ``<figure>`` pictures become the story's images, as the
renderer writes them), an NITF ``body.content``, or ``inlineData`` holding
HTML (escaped or CDATA) or plain text. The renderer's pretty-printing inside
an XHTML body (indentation libxml2 adds to elements without text) is undone,
so our own items come back as the bodies they were made from.
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from syndication.articles.ingest.items import ItemFields, item_story
from syndication.articles.ingest.parsed import InputFormat, ParsedStory
from syndication.articles.model import Byline, Image, PubStatus, Role, Subject
from syndication.articles.sanitize import strip_control_characters
from syndication.config import Agency
from syndication.errors import InputError, InputProblem

log = logging.getLogger(__name__)

G2 = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
NITF = "http://iptc.org/std/NITF/2006-10-18/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
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
_TAKES = (
    "ingest takes NewsML-G2 newsItem and newsMessage documents, ninjs, the JSON "
    "article format or plain wire copy"
)
# The article's fields as NewsML-G2 names them, for messages.
NAMES = {
    "guid": "guid",
    "headline": "headline",
    "body": "contentSet",
    "first_created": "firstCreated",
    "version_created": "versionCreated",
    "embargo_until": "embargoed",
    "slugline": "slugline",
    "summary": "description",
    "bylines": "creator",
    "dateline": "dateline",
    "language": "language",
    "subjects": "subject",
    "keywords": "keyword",
    "urgency": "urgency",
    "provider": "provider",
    "credit_line": "creditline",
    "copyright_notice": "copyrightNotice",
    "usage_terms": "usageTerms",
    "images": "figure",
    "ed_note": "edNote",
}
_ROLES = {"reporter": Role.REPORTER, "editor": Role.EDITOR}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_newsml(
    text: str, *, path: str, agency: Agency, schema_path: Path
) -> list[ParsedStory]:
    """The stories of one NewsML-G2 document, in document order. Raises
    :class:`InputError` listing every bad item (each with its line)."""
    items = list(_text_items(_parse(text, path), path))
    stories: list[ParsedStory] = []
    problems: list[InputProblem] = []
    for item in items:
        try:
            fields = _fields(item, path, agency)
            stories.append(
                item_story(fields, path=path, agency=agency, schema_path=schema_path)
            )
        except InputError as exc:
            problems += exc.problems
    if problems:
        first = problems[0]
        raise InputError(
            first.message,
            path=path,
            line=first.line,
            field=first.field,
            problems=problems,
        )
    return stories


def _parse(text: str, path: str) -> etree._Element:
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"this looks like XML or HTML but is not well-formed XML ({exc.msg}); "
            f"{_TAKES}",
            path=path,
            line=exc.lineno or None,
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:  # refused before, too
        raise InputError("DOCTYPE declarations are refused", path=path, line=1)
    if root.tag not in (_g2("newsItem"), _g2("newsMessage")):
        name = etree.QName(root)
        where = f" in namespace {name.namespace}" if name.namespace else ""
        raise InputError(
            f"this looks like XML or HTML but is not NewsML-G2: its root element is "
            f"<{name.localname}>{where}, not a newsItem or newsMessage of "
            f"{G2}; {_TAKES}",
            path=path,
            line=_line(root),
        )
    return root


def _text_items(root: etree._Element, path: str) -> Iterator[etree._Element]:
    """The text newsItems of the document; any other item of a newsMessage is
    skipped with a warning, and a document without one is refused."""
    if root.tag == _g2("newsItem"):
        kind = _item_class(root)
        if kind != "text":
            raise InputError(
                f"a NewsML-G2 newsItem of class {kind}; ingest takes text items "
                "(ninat:text)",
                path=path,
                line=_line(root),
            )
        yield root
        return
    found = skipped = 0
    for item in root.iterfind(f"{_g2('itemSet')}/*"):
        if not isinstance(item.tag, str):
            continue
        if item.tag == _g2("newsItem") and _item_class(item) == "text":
            found += 1
            yield item
            continue
        skipped += 1
        log.warning(
            "%s:%s: skipped a %s (%s): ingest takes text newsItems",
            path,
            _line(item),
            etree.QName(item).localname,
            _item_class(item),
        )
    if not found:
        raise InputError(
            f"the newsMessage holds no text newsItem ({skipped} other item(s) "
            "skipped); nothing to ingest",
            path=path,
            line=_line(root),
        )


def _item_class(item: etree._Element) -> str:
    """``text``, ``picture``, … from ``itemMeta/itemClass`` (``ninat:text`` or
    its URI); ``text`` when the item states none."""
    element = item.find(f"{_g2('itemMeta')}/{_g2('itemClass')}")
    if element is None:
        return "text"
    return _code(element) or "text"


def _fields(item: etree._Element, path: str, agency: Agency) -> ItemFields:
    meta = _child(item, "itemMeta")
    content = _child(item, "contentMeta")
    rights = _child(item, "rightsInfo")
    lines: dict[str, int] = {}

    def found(
        parent: etree._Element | None, name: str, field: str
    ) -> etree._Element | None:
        element = _child(parent, name)
        line = _line(element) if element is not None else None
        if line is not None:
            lines[field] = line
        return element

    def text(parent: etree._Element | None, name: str, field: str) -> str:
        element = found(parent, name, field)
        return "" if element is None else _text(element)

    def time(parent: etree._Element | None, name: str, field: str) -> str | None:
        element = found(parent, name, field)
        return None if element is None else _text(element)

    language = _language(item, content)
    provider, is_agency = _provider(meta, agency)
    body, is_html, images, body_line = _body(_child(item, "contentSet"), path)
    if body_line:
        lines["body"] = body_line
    headline, subheadline = _headlines(content)
    return ItemFields(
        fmt=InputFormat.NEWSML,
        guid=item.get("guid", ""),
        status=_status(meta, path),
        first_created=time(meta, "firstCreated", "first_created")
        or time(content, "contentCreated", "first_created"),
        version_created=time(meta, "versionCreated", "version_created"),
        embargo=time(meta, "embargoed", "embargo_until"),
        headline=headline,
        body=body,
        body_is_html=is_html,
        summary=_summary(content) or subheadline,
        slugline=text(content, "slugline", "slugline"),
        bylines=_bylines(content),
        dateline=text(content, "dateline", "dateline"),
        located=_located(content),
        language=language,
        urgency=text(content, "urgency", "urgency") or None,
        subjects=_subjects(content, language),
        keywords=tuple(_text(k) for k in _children(content, "keyword")),
        images=images,
        # NewsML-G2 text is one line (the renderer writes it so).
        ed_note=" ".join(" ".join(_text(n).split()) for n in _children(meta, "edNote")),
        is_correction=any(_code(s) == "correction" for s in _children(meta, "signal")),
        provider=provider,
        keeps_provider=is_agency,
        credit=text(content, "creditline", "credit_line"),
        copyright_holder=_name(_child(rights, "copyrightHolder")),
        copyright_notice=text(rights, "copyrightNotice", "copyright_notice"),
        usage_terms=text(rights, "usageTerms", "usage_terms"),
        line=_line(item),
        names=NAMES,
        lines=lines,
    )


def _status(meta: etree._Element | None, path: str) -> PubStatus:
    element = _child(meta, "pubStatus")
    code = _code(element) if element is not None else "usable"
    try:
        return PubStatus(code)
    except ValueError:
        raise InputError(
            f"pubStatus {code!r} is not usable, withheld or canceled",
            path=path,
            line=_line(element) if element is not None else None,
            field="pubStatus",
        ) from None


def _provider(meta: etree._Element | None, agency: Agency) -> tuple[str, bool]:
    """The provider's name (else its literal, QCode or URI), and whether it is
    the agency itself."""
    element = _child(meta, "provider")
    if element is None:
        return "", False
    uri = element.get("uri", "")
    name = _name(element) or element.get("literal") or element.get("qcode") or uri
    ours = name == agency.name or (
        bool(uri) and uri.rstrip("/") == agency.url.rstrip("/")
    )
    return name, ours


def _headlines(content: etree._Element | None) -> tuple[str, str]:
    """The main headline and the subheadline (``hrol:subheadline`` and the
    like): the first headline without a role or with a main role is the main
    one, else the first of all."""
    main, sub = "", ""
    for element in _children(content, "headline"):
        role = _code(element, "role")
        if role.startswith("sub"):
            sub = sub or _text(element)
        elif not main and role in ("", "main", "headline"):
            main = _text(element)
    if not main:
        first = _child(content, "headline")
        main = _text(first) if first is not None else ""
    return main, sub


def _summary(content: etree._Element | None) -> str:
    """The description with role ``drol:summary``, else one without a role."""
    plain = ""
    for element in _children(content, "description"):
        role = _code(element, "role")
        if role == "summary":
            return _text(element)
        if not role and not plain:
            plain = _text(element)
    return plain


def _bylines(content: etree._Element | None) -> tuple[Byline, ...]:
    """Creators (reporters unless their role says editor) and contributors
    (contributors unless it says editor or reporter); a ``by`` line alone is
    one reporter byline, without its leading ``By``."""
    bylines = [
        Byline(_name(e), _ROLES.get(_code(e, "role"), Role.REPORTER))
        for e in _children(content, "creator")
    ]
    bylines += [
        Byline(_name(e), _ROLES.get(_code(e, "role"), Role.CONTRIBUTOR))
        for e in _children(content, "contributor")
    ]
    bylines = [b for b in bylines if b.name.strip()]
    if not bylines:
        by = _child(content, "by")
        name = _text(by).strip() if by is not None else ""
        if name[:3].lower() == "by ":
            name = name[3:]
        if name.strip():
            bylines.append(Byline(name))
    return tuple(bylines)


def _located(content: etree._Element | None) -> str:
    return _name(_child(content, "located"))


def _language(item: etree._Element, content: etree._Element | None) -> str:
    element = _child(content, "language")
    tag = element.get("tag", "") if element is not None else ""
    return tag or item.get(XML_LANG, "")


def _subjects(content: etree._Element | None, language: str) -> tuple[Subject, ...]:
    """Each subject's QCode (or literal) and its name in the item's language
    (else the first name)."""
    subjects = []
    for element in _children(content, "subject"):
        names = list(_children(element, "name"))
        chosen = next(
            (n for n in names if n.get(XML_LANG, "").lower() == language.lower()),
            names[0] if names else None,
        )
        qcode = element.get("qcode") or element.get("literal") or ""
        subjects.append(Subject(qcode, _text(chosen) if chosen is not None else ""))
    return tuple(subjects)


def _body(
    content_set: etree._Element | None, path: str
) -> tuple[str, bool, tuple[Image, ...], int | None]:
    """``(body, is it HTML, images, line)`` from the first usable rendition:
    XHTML or NITF ``inlineXML``, then ``inlineData`` of HTML, then of text."""
    if content_set is None:
        return "", True, (), None
    for inline in _children(content_set, "inlineXML"):
        container = _xhtml_body(inline)
        if container is not None:
            images = tuple(_take_figures(container))
            return _html_of(container), True, images, _line(inline)
        nitf = _nitf_body(inline)
        if nitf is not None:
            return _html_of(nitf), True, (), _line(inline)
    data = [d for d in _children(content_set, "inlineData") if not d.get("encoding")]
    for wanted in (True, False):
        for element in data:
            kind = element.get("contenttype", "text/plain").split(";")[0].strip()
            if (kind.lower() in _HTML_TYPES) == wanted:
                return _text(element), wanted, (), _line(element)
    if len(content_set):
        log.warning("%s: no rendition in contentSet ingest can read", path)
    return "", True, (), _line(content_set)


def _xhtml_body(inline: etree._Element) -> etree._Element | None:
    """The XHTML ``body`` in ``inline``, or ``inline`` itself when it holds
    XHTML elements without one; None when it holds no XHTML."""
    body = inline.find(f".//{{{XHTML}}}body")
    if body is not None:
        return body
    if any(isinstance(e.tag, str) and e.tag.startswith(f"{{{XHTML}}}") for e in inline):
        return inline
    return None


def _nitf_body(inline: etree._Element) -> etree._Element | None:
    """An NITF ``body.content`` (in NITF's namespace or none), its subheads as
    ``h2`` and its media left out."""
    for namespace in (f"{{{NITF}}}", ""):
        found = inline.find(f".//{namespace}body.content")
        if found is None:
            continue
        for media in list(found.iter(f"{namespace}media")):
            _remove(media)
        for subhead in found.iter(f"{namespace}hl2"):
            subhead.tag = "h2"
        return found
    return None


def _take_figures(body: etree._Element) -> Iterator[Image]:
    """Each ``<figure>`` of the body as an image (``img`` src and alt; the
    caption and credit spans of the renderer's ``figcaption``, or its text as
    the caption), the figure taken out of the body."""
    for figure in list(body.iter(f"{{{XHTML}}}figure")):
        img = figure.find(f".//{{{XHTML}}}img")
        caption, credit = "", ""
        figcaption = figure.find(f".//{{{XHTML}}}figcaption")
        if figcaption is not None:
            spans = {s.get("class", ""): _text(s) for s in figcaption}
            if spans.keys() & {"caption", "image-credit"}:
                caption, credit = (
                    spans.get("caption", ""),
                    spans.get("image-credit", ""),
                )
            else:
                caption = _text(figcaption)
        _remove(figure)
        if img is not None and img.get("src"):
            yield Image(img.get("src", ""), caption, credit, img.get("alt", ""))


def _html_of(container: etree._Element) -> str:
    """The content of ``container`` as an HTML fragment, without namespaces and
    without the indentation our renderer's pretty-printing added."""
    _unindent(container, sum(1 for _ in container.iterancestors()))
    plain = copy.deepcopy(container)
    for element in plain.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(plain)
    parts = [html.escape(plain.text or "", quote=False)]
    for child in plain:
        if isinstance(child.tag, str):
            parts.append(
                etree.tostring(child, method="html", encoding="unicode", with_tail=True)
            )
        elif child.tail:
            parts.append(html.escape(child.tail, quote=False))
    cleaned, _removed = strip_control_characters("".join(parts))
    return cleaned


def _unindent(element: etree._Element, depth: int) -> None:
    """Remove what pretty-printing adds: libxml2 indents an element's children
    only when it holds no text, each on a new line indented two spaces a
    level, so text of exactly that shape and nothing else is indentation."""
    children = [c for c in element if isinstance(c.tag, str)]
    if children and len(children) == len(element):
        inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
        tails = [c.tail for c in children]
        if (
            element.text == inner
            and tails[:-1] == [inner] * (len(tails) - 1)
            and (tails[-1] == outer)
        ):
            element.text = None
            for child in children:
                child.tail = None
    for child in children:
        _unindent(child, depth + 1)


def _remove(element: etree._Element) -> None:
    """Take ``element`` out of its parent, keeping the text after it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return None if parent is None else parent.find(_g2(name))


def _children(parent: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if parent is None else parent.findall(_g2(name))


def _name(element: etree._Element | None) -> str:
    """An element's ``name`` child (else its ``literal``)."""
    if element is None:
        return ""
    name = _child(element, "name")
    return _text(name) if name is not None else element.get("literal", "")


def _code(element: etree._Element, attribute: str = "qcode") -> str:
    """The code of a QCode attribute (``stat:usable`` → ``usable``), or of the
    matching URI attribute (``…/pubstatus/usable``), in lower case."""
    value = element.get(attribute) or ""
    if value:
        return value.rpartition(":")[2].strip().lower()
    uri = element.get(f"{attribute}uri" if attribute != "qcode" else "uri") or ""
    return uri.rstrip("/").rpartition("/")[2].strip().lower()


def _text(element: etree._Element) -> str:
    """All the text in ``element``, control characters removed."""
    text = "".join(t for t in element.itertext() if isinstance(t, str))
    cleaned, _removed = strip_control_characters(text)
    return cleaned


def _line(element: etree._Element) -> int | None:
    """The element's line in the file (lxml's stubs type it loosely)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _g2(name: str) -> str:
    return f"{{{G2}}}{name}"
