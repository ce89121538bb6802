"""IPTC ninjs (1.x, 2.x and 3.x) → a parsed story.

One text object per file, read as strict JSON (strict_json.py). The three
generations name things differently, and each name is looked for: ids (``uri``;
``altIds`` role ``guid``, as our renderer writes an id that is no URI;
``guid``, as Superdesk writes it), ``headlines`` or ``headline``, ``bodies``
or ``body_html``/``body_text``, ``descriptions`` or ``description_text``,
``by`` or ``byline`` (and ``infoSources`` with a byline role),
``subjects`` or ``subject``, ``embargoedUntil`` or ``embargoed``, ``pubStatus``
or ``pubstatus``, ``copyrightNotice``/``copyrightnotice``,
``usageTerms``/``usageterms``, ``versionCreated``/``versioncreated``,
``firstCreated``/``firstcreated``, ``language``, ``located``, ``slugline``,
``urgency``, ``edNote``/``ednote``, and pictures from ``associations`` (a list
in 2.x and 3.x, an object in 1.x). A correction is the IPTC signal as a genre
(as our renderer writes it) or a ``signal``. ninjs has no credit-line
property: our renderer opens ``usageTerms`` with the feed's credit line, which
is taken apart again here.

Figures inside an HTML body are taken out (pictures come from
``associations``), and so is the ``<head>`` of a body that is a whole HTML
document.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from syndication.articles.ingest.body import inside_body, without_figures
from syndication.articles.ingest.item_credit import split_usage_terms
from syndication.articles.ingest.items import ItemFields, item_story
from syndication.articles.ingest.parsed import InputFormat, ParsedStory
from syndication.articles.ingest.strict_json import Nesting, load_object
from syndication.articles.model import Byline, Image, PubStatus, Role, Subject
from syndication.config import Agency
from syndication.errors import InputError

log = logging.getLogger(__name__)

# An item, its associations, a picture, its renditions, one rendition: 1.x
# nests whole items in associations, so some room is left.
NESTING = Nesting(
    16, "a ninjs text item nests about six (an item, a picture, its renditions)"
)
# Properties only ninjs has (and not the JSON article format): a file with one
# of them and without the article format's required fields is ninjs.
MARKERS = frozenset(
    {
        "uri",
        "versioncreated",
        "versionCreated",
        "firstcreated",
        "firstCreated",
        "headlines",
        "bodies",
        "body_html",
        "body_text",
        "body_xhtml",
        "pubstatus",
        "pubStatus",
        "standard",
        "$standard",
    }
)
_MARKER_TEXT = re.compile(
    r'"(?:uri|versioncreated|firstcreated|headlines|bodies|body_html|body_text|'
    r'body_xhtml|pubstatus|\$?standard)"\s*:',
    re.IGNORECASE,
)
# The article's fields as ninjs (3.x) names them, for messages.
NAMES = {
    "guid": "uri",
    "headline": "headlines",
    "body": "bodies",
    "first_created": "firstCreated",
    "version_created": "versionCreated",
    "embargo_until": "embargoedUntil",
    "summary": "descriptions",
    "bylines": "by",
    "dateline": "located",
    "subjects": "subjects",
    "keywords": "keywords",
    "images": "associations",
    "ed_note": "edNote",
    "copyright_notice": "copyrightNotice",
    "usage_terms": "usageTerms",
}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BYLINE_ROLES = {role.value: role for role in Role}
_IPTC_SCHEMES = {
    "http://cv.iptc.org/newscodes/mediatopic/": "medtop",
    "http://cv.iptc.org/newscodes/subjectcode/": "subj",
}
_CORRECTION = "http://cv.iptc.org/newscodes/signal/correction"


def is_ninjs(text: str) -> bool:
    """Whether a JSON file is a ninjs object rather than the JSON article
    format: it has a property only ninjs has (``uri``, ``versionCreated``,
    ``headlines``, ``bodies``, ``body_html``, ``pubStatus``, ``standard`` …)
    and none the article format requires (``body``, ``first_created``).
    Malformed JSON is left to the article format, which reports it."""
    if not _MARKER_TEXT.search(text):
        return False
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if not isinstance(document, dict) or {"body", "first_created"} & document.keys():
        return False
    return bool(MARKERS & document.keys())


def read_ninjs(
    text: str, *, path: str, agency: Agency, schema_path: Path
) -> list[ParsedStory]:
    """The story of one ninjs text object. Raises :class:`InputError` naming
    the property."""
    document = load_object(text, path=path, nesting=NESTING, kind="one ninjs object")
    kind = _get(document, "type") or "text"
    if kind != "text":
        raise InputError(
            f"a ninjs {kind} object; ingest takes text items (type text)",
            path=path,
            field="type",
        )
    fields = _fields(document, path, agency)
    return [item_story(fields, path=path, agency=agency, schema_path=schema_path)]


def _fields(doc: Mapping[str, Any], path: str, agency: Agency) -> ItemFields:
    body, is_html = _body(doc, path)
    credit, terms, others = split_usage_terms(
        _text(doc, "usageTerms", "usageterms"), agency
    )
    keywords = doc.get("keywords")
    return ItemFields(
        fmt=InputFormat.NINJS,
        guid=_guid(doc),
        status=_status(doc, path),
        first_created=_time(doc, "firstCreated", "firstcreated", "contentCreated")
        or _time(doc, "contentcreated"),
        version_created=_time(doc, "versionCreated", "versioncreated"),
        embargo=_time(doc, "embargoedUntil", "embargoed"),
        headline=_headline(doc),
        body=body,
        body_is_html=is_html,
        summary=_summary(doc),
        slugline=_text(doc, "slugline"),
        bylines=_bylines(doc),
        located=_text(doc, "located"),
        language=_text(doc, "language"),
        urgency=doc.get("urgency"),
        subjects=tuple(_subjects(doc)),
        keywords=tuple(k for k in keywords if isinstance(k, str))
        if isinstance(keywords, list)
        else None,
        images=tuple(_images(doc)),
        ed_note=_text(doc, "edNote", "ednote"),
        is_correction=_is_correction(doc),
        # ninjs has no provider or credit-line property (our credit line is
        # in usageTerms, and says nothing of the story's own).
        unstated=frozenset({"provider", "credit_line"}),
        copyright_holder=_text(doc, "copyrightHolder", "copyrightholder"),
        copyright_notice=_text(doc, "copyrightNotice", "copyrightnotice"),
        credit=credit,
        usage_terms=terms,
        other_usage_terms=others,
        names=NAMES,
    )


def _guid(doc: Mapping[str, Any]) -> str:
    """The id our renderer kept in ``altIds`` (role ``guid``) for an id that
    is no URI, else ``uri``, else ``guid``."""
    for alt in _list(_get(doc, "altIds", "altids")):
        if isinstance(alt, dict) and alt.get("role") == "guid":
            value = alt.get("value")
            if isinstance(value, str) and value:
                return value
    return _text(doc, "uri") or _text(doc, "guid")


def _status(doc: Mapping[str, Any], path: str) -> PubStatus:
    value = _text(doc, "pubStatus", "pubstatus") or "usable"
    try:
        return PubStatus(value.rpartition(":")[2].lower())
    except ValueError:
        raise InputError(
            f"pubStatus {value!r} is not usable, withheld or canceled",
            path=path,
            field="pubStatus",
        ) from None


def _headline(doc: Mapping[str, Any]) -> str:
    """The headline of role ``main`` (else the first), or 1.x's ``headline``."""
    headlines = [h for h in _list(doc.get("headlines")) if isinstance(h, dict)]
    main = next((h for h in headlines if h.get("role") == "main"), None)
    chosen = main or (headlines[0] if headlines else None)
    if chosen is not None:
        return _plain(chosen)
    return _text(doc, "headline") or _text(doc, "title")


def _summary(doc: Mapping[str, Any]) -> str:
    """The description of role ``summary`` (else the first that is no image
    text), or 1.x's ``description_text``."""
    descriptions = [
        d
        for d in _list(doc.get("descriptions"))
        if isinstance(d, dict) and d.get("role") not in ("caption", "alt")
    ]
    chosen = next((d for d in descriptions if d.get("role") == "summary"), None)
    chosen = chosen or (descriptions[0] if descriptions else None)
    if chosen is not None:
        return _plain(chosen)
    return _text(doc, "description_text") or _strip_tags(_text(doc, "description_html"))


def _body(doc: Mapping[str, Any], path: str) -> tuple[str, bool]:
    """``(body, is it HTML)``: an HTML body (role ``main`` first) before a
    plain one; 1.x's ``body_html`` (or another ``body_*`` with html in its
    name) before ``body_text``."""
    bodies = [b for b in _list(doc.get("bodies")) if isinstance(b, dict)]
    bodies.sort(key=lambda b: b.get("role") != "main")
    for wanted in (True, False):
        for body in bodies:
            if (_content_type(body) in _HTML_TYPES) == wanted and isinstance(
                body.get("value"), str
            ):
                value = str(body["value"])
                return (_html_body(value, path), True) if wanted else (value, False)
    named = sorted(k for k in doc if k.startswith("body_") and isinstance(doc[k], str))
    for name in named:
        if "html" in name:
            return _html_body(str(doc[name]), path), True
    if "body_text" in named:
        return str(doc["body_text"]), False
    return "", True


def _html_body(value: str, path: str) -> str:
    """An HTML body without a whole document's head, and without figures."""
    value = inside_body(value)
    value, figures = without_figures(value)
    if figures:
        log.warning(
            "%s: %d figure(s) taken out of the body (pictures come from associations)",
            path,
            figures,
        )
    return value


def _bylines(doc: Mapping[str, Any]) -> tuple[Byline, ...]:
    """infoSources with a byline role (reporter, editor, contributor, as our
    renderer writes them), else ``by``/``byline`` as one reporter (without its
    leading ``By``)."""
    sources = _list(_get(doc, "infoSources", "infosources", "infosource"))
    bylines = tuple(
        Byline(str(s["name"]), _BYLINE_ROLES[str(s["role"])])
        for s in sources
        if isinstance(s, dict)
        and isinstance(s.get("name"), str)
        and s.get("role") in _BYLINE_ROLES
    )
    if bylines:
        return bylines
    by = _text(doc, "by", "byline").strip()
    if by[:3].lower() == "by ":
        by = by[3:]
    return (Byline(by),) if by.strip() else ()


def _subjects(doc: Mapping[str, Any]) -> Iterator[Subject]:
    """Each subject with its QCode: the ``literal`` (or 1.x ``code``) when it
    is one, else the code after an IPTC scheme URI (``uri`` or ``scheme``) as
    ``medtop:``/``subj:``, else ``scheme:code`` for a short scheme name."""
    for subject in _list(_get(doc, "subjects", "subject")):
        if not isinstance(subject, dict):
            continue
        name = subject.get("name") if isinstance(subject.get("name"), str) else ""
        code = str(subject.get("literal") or subject.get("code") or "")
        uri = str(subject.get("uri") or "")
        scheme = str(subject.get("scheme") or "")
        yield Subject(_qcode(code, uri, scheme), str(name))


def _qcode(code: str, uri: str, scheme: str) -> str:
    if ":" in code and "/" not in code:
        return code
    for base, alias in _IPTC_SCHEMES.items():
        if uri.startswith(base) and uri != base:
            return f"{alias}:{uri[len(base) :].strip('/')}"
        if scheme.rstrip("/") + "/" == base and code:
            return f"{alias}:{code}"
    if code and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", scheme):
        return f"{scheme}:{code}"
    return code


def _images(doc: Mapping[str, Any]) -> Iterator[Image]:
    """Each picture association: its rendition named ``original`` (else the
    first with an http(s) address, else the association's ``uri``); its
    ``by`` as the credit; descriptions of role ``alt`` as the alt text, the
    others (or 1.x ``description_text``) as the caption."""
    associations = doc.get("associations")
    if isinstance(associations, dict):  # 1.x: name → object
        associations = list(associations.values())
    for picture in _list(associations):
        if not isinstance(picture, dict) or picture.get("type") not in (
            "picture",
            "graphic",
        ):
            continue
        href = _rendition(picture)
        if not href:
            continue
        caption, alt = "", ""
        for description in _list(picture.get("descriptions")):
            if not isinstance(description, dict):
                continue
            if description.get("role") == "alt":
                alt = alt or _plain(description)
            else:
                caption = caption or _plain(description)
        caption = caption or _text(picture, "description_text")
        credit = _text(picture, "by", "byline")
        yield Image(href, caption, credit, alt)


def _rendition(picture: Mapping[str, Any]) -> str:
    renditions = picture.get("renditions")
    if isinstance(renditions, dict):  # 1.x: name → rendition
        renditions = [
            {"name": k, **v} for k, v in renditions.items() if isinstance(v, dict)
        ]
    found = [r for r in _list(renditions) if isinstance(r, dict)]
    found.sort(key=lambda r: r.get("name") != "original")
    for rendition in found:
        href = rendition.get("href")
        if isinstance(href, str) and href.startswith(("http://", "https://")):
            return href
    uri = picture.get("uri")
    return (
        uri if isinstance(uri, str) and uri.startswith(("http://", "https://")) else ""
    )


def _is_correction(doc: Mapping[str, Any]) -> bool:
    """The IPTC signal ``correction`` as a genre (``sig:correction`` or its
    URI), or a ``signal`` naming it."""
    for entry in (*_list(_get(doc, "genres", "genre")), *_list(_get(doc, "signal"))):
        if not isinstance(entry, dict):
            continue
        for key in ("literal", "code", "qcode", "uri"):
            value = str(entry.get(key) or "")
            if value in ("sig:correction", "correction", _CORRECTION):
                return True
    return False


def _content_type(body: Mapping[str, Any]) -> str:
    kind = body.get("contentType", body.get("contenttype", "text/plain"))
    return str(kind).split(";")[0].strip().lower()


def _plain(entry: Mapping[str, Any]) -> str:
    """The text of a headline or description: HTML ones without their tags."""
    value = entry.get("value")
    if not isinstance(value, str):
        return ""
    return _strip_tags(value) if _content_type(entry) in _HTML_TYPES else value


def _strip_tags(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", " ", value))


def _time(doc: Mapping[str, Any], *names: str) -> str | None:
    """A time property as given (a value that is no string, shown as JSON,
    so its refusal names it)."""
    value = _get(doc, *names)
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _text(doc: Mapping[str, Any], *names: str) -> str:
    value = _get(doc, *names)
    return value if isinstance(value, str) else ""


def _get(doc: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in doc:
            return doc[name]
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
