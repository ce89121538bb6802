"""IPTC NewsML-G2 → parsed stories: a ``newsItem``, or each text item of a
``newsMessage``.

The document is parsed as every XML document here is (newsml_xml.py: no DTD,
no entity expansion, no network). A file that is not well-formed is reported
with its line, and one whose root is not a NewsML-G2 ``newsItem`` or
``newsMessage`` (namespace ``http://iptc.org/std/nar/2006-10-01/``) is refused
as such; so is a document without a text item.

Of each text item (``ninat:text``): ids, times, pubStatus, edNote, the
correction signal, provider, rights (``rightsInfo``, ``creditline``), urgency,
``located``, creators and contributors (or the ``by`` line), language,
keywords, subjects with names, slugline, headline (a ``hrol:subheadline`` one
gives the summary when there is no description), dateline, description and
the body and pictures of ``contentSet`` (newsml_body.py). Every problem of
every item is reported, each with its line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from syndication.articles.ingest.guard import BYLINE_ORDER, NOTE_SPACING
from syndication.articles.ingest.items import ItemFields, item_story
from syndication.articles.ingest.newsml_body import content_body
from syndication.articles.ingest.newsml_xml import (
    child,
    children,
    code_of,
    g2,
    line_of,
    name_of,
    parse_newsml,
    text_of,
)
from syndication.articles.ingest.parsed import InputFormat, ParsedStory
from syndication.articles.model import Byline, PubStatus, Role, Subject
from syndication.config import Agency
from syndication.errors import InputError, InputProblem

log = logging.getLogger(__name__)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
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
_BREAKS = re.compile(r"[ \t\n\r]*[\t\n\r][ \t\n\r]*")


def read_newsml(
    text: str, *, path: str, agency: Agency, schema_path: Path
) -> list[ParsedStory]:
    """The stories of one NewsML-G2 document, in document order. Raises
    :class:`InputError` listing every bad item (each with its line)."""
    items = list(_text_items(parse_newsml(text, path), path))
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
        raise InputError.from_problems(problems, path=path)
    return stories


def _text_items(root: etree._Element, path: str) -> Iterator[etree._Element]:
    """The text newsItems of the document; any other item of a newsMessage is
    skipped with a warning, and a document without one is refused."""
    if root.tag == g2("newsItem"):
        kind = _item_class(root)
        if kind != "text":
            raise InputError(
                f"a NewsML-G2 newsItem of class {kind}; ingest takes text items "
                "(ninat:text)",
                path=path,
                line=line_of(root),
            )
        yield root
        return
    found = skipped = 0
    for item in root.iterfind(f"{g2('itemSet')}/*"):
        if not isinstance(item.tag, str):
            continue
        if item.tag == g2("newsItem") and _item_class(item) == "text":
            found += 1
            yield item
            continue
        skipped += 1
        log.warning(
            "%s:%s: skipped a %s (%s): ingest takes text newsItems",
            path,
            line_of(item),
            etree.QName(item).localname,
            _item_class(item),
        )
    if not found:
        raise InputError(
            f"the newsMessage holds no text newsItem ({skipped} other item(s) "
            "skipped); nothing to ingest",
            path=path,
            line=line_of(root),
        )


def _item_class(item: etree._Element) -> str:
    """``text``, ``picture``, … from ``itemMeta/itemClass`` (``ninat:text`` or
    its URI); ``text`` when the item states none."""
    element = item.find(f"{g2('itemMeta')}/{g2('itemClass')}")
    if element is None:
        return "text"
    return code_of(element) or "text"


def _fields(item: etree._Element, path: str, agency: Agency) -> ItemFields:
    meta = child(item, "itemMeta")
    content = child(item, "contentMeta")
    rights = child(item, "rightsInfo")
    lines: dict[str, int] = {}

    def found(
        parent: etree._Element | None, name: str, field: str
    ) -> etree._Element | None:
        element = child(parent, name)
        where = line_of(element) if element is not None else None
        if where is not None:
            lines[field] = where
        return element

    def read_text(parent: etree._Element | None, name: str, field: str) -> str:
        element = found(parent, name, field)
        return "" if element is None else text_of(element)

    def read_time(parent: etree._Element | None, name: str, field: str) -> str | None:
        element = found(parent, name, field)
        return None if element is None else text_of(element)

    language = _language(item, content)
    provider, is_agency = _provider(meta, agency)
    body, is_html, images, body_line = content_body(child(item, "contentSet"), path)
    if body_line:
        lines["body"] = body_line
    headline, subheadline = _headlines(content)
    return ItemFields(
        fmt=InputFormat.NEWSML,
        guid=item.get("guid", ""),
        status=_status(meta, path),
        first_created=read_time(meta, "firstCreated", "first_created")
        or read_time(content, "contentCreated", "first_created"),
        version_created=read_time(meta, "versionCreated", "version_created"),
        embargo=read_time(meta, "embargoed", "embargo_until"),
        headline=headline,
        body=body,
        body_is_html=is_html,
        summary=_summary(content) or subheadline,
        slugline=read_text(content, "slugline", "slugline"),
        bylines=_bylines(content),
        dateline=read_text(content, "dateline", "dateline"),
        located=_located(content),
        language=language,
        urgency=read_text(content, "urgency", "urgency") or None,
        subjects=_subjects(content, language),
        keywords=tuple(text_of(k) for k in children(content, "keyword")),
        images=images,
        ed_note=" ".join(_one_line(text_of(n)) for n in children(meta, "edNote")),
        is_correction=any(code_of(s) == "correction" for s in children(meta, "signal")),
        provider=provider,
        unstated=frozenset(
            {BYLINE_ORDER, NOTE_SPACING, *(("provider",) if is_agency else ())}
        ),
        credit=read_text(content, "creditline", "credit_line"),
        copyright_holder=name_of(child(rights, "copyrightHolder")),
        copyright_notice=read_text(rights, "copyrightNotice", "copyright_notice"),
        usage_terms=read_text(rights, "usageTerms", "usage_terms"),
        line=line_of(item),
        names=NAMES,
        lines=lines,
    )


def _one_line(text: str) -> str:
    """A note as one line: each run of whitespace holding a tab or line break
    (an XML file's indentation) as one space, as the renderer writes it
    (NewsML-G2 text is one line); other spaces kept."""
    return _BREAKS.sub(" ", text).strip()


def _status(meta: etree._Element | None, path: str) -> PubStatus:
    element = child(meta, "pubStatus")
    status = code_of(element) if element is not None else "usable"
    try:
        return PubStatus(status)
    except ValueError:
        raise InputError(
            f"pubStatus {status!r} is not usable, withheld or canceled",
            path=path,
            line=line_of(element) if element is not None else None,
            field="pubStatus",
        ) from None


def _provider(meta: etree._Element | None, agency: Agency) -> tuple[str, bool]:
    """The provider's name (else its literal, QCode or URI), and whether it is
    the agency itself."""
    element = child(meta, "provider")
    if element is None:
        return "", False
    uri = element.get("uri", "")
    name = name_of(element) or element.get("literal") or element.get("qcode") or uri
    ours = name == agency.name or (
        bool(uri) and uri.rstrip("/") == agency.url.rstrip("/")
    )
    return name, ours


def _headlines(content: etree._Element | None) -> tuple[str, str]:
    """The main headline and the subheadline (``hrol:subheadline`` and the
    like): the first headline without a role or with a main role is the main
    one, else the first of all."""
    main, sub = "", ""
    for element in children(content, "headline"):
        role = code_of(element, "role")
        if role.startswith("sub"):
            sub = sub or text_of(element)
        elif not main and role in ("", "main", "headline"):
            main = text_of(element)
    if not main:
        first = child(content, "headline")
        main = text_of(first) if first is not None else ""
    return main, sub


def _summary(content: etree._Element | None) -> str:
    """The description with role ``drol:summary``, else one without a role."""
    plain = ""
    for element in children(content, "description"):
        role = code_of(element, "role")
        if role == "summary":
            return text_of(element)
        if not role and not plain:
            plain = text_of(element)
    return plain


def _bylines(content: etree._Element | None) -> tuple[Byline, ...]:
    """Creators (reporters unless their role says editor) and contributors
    (contributors unless it says editor or reporter); a ``by`` line alone is
    one reporter byline, without its leading ``By``."""
    bylines = [
        Byline(name_of(e), _ROLES.get(code_of(e, "role"), Role.REPORTER))
        for e in children(content, "creator")
    ]
    bylines += [
        Byline(name_of(e), _ROLES.get(code_of(e, "role"), Role.CONTRIBUTOR))
        for e in children(content, "contributor")
    ]
    bylines = [b for b in bylines if b.name.strip()]
    if not bylines:
        by = child(content, "by")
        name = text_of(by).strip() if by is not None else ""
        if name[:3].lower() == "by ":
            name = name[3:]
        if name.strip():
            bylines.append(Byline(name))
    return tuple(bylines)


def _located(content: etree._Element | None) -> str:
    return name_of(child(content, "located"))


def _language(item: etree._Element, content: etree._Element | None) -> str:
    element = child(content, "language")
    tag = element.get("tag", "") if element is not None else ""
    return tag or item.get(XML_LANG, "")


def _subjects(content: etree._Element | None, language: str) -> tuple[Subject, ...]:
    """Each subject's QCode (or literal) and its name in the item's language
    (else the first name)."""
    subjects = []
    for element in children(content, "subject"):
        names = list(children(element, "name"))
        chosen = next(
            (n for n in names if n.get(XML_LANG, "").lower() == language.lower()),
            names[0] if names else None,
        )
        qcode = element.get("qcode") or element.get("literal") or ""
        subjects.append(Subject(qcode, text_of(chosen) if chosen is not None else ""))
    return tuple(subjects)
