"""The rules no schema states, on each item of a ninjs document (see
:mod:`syndication.validate.ninjs` for the list): rights and credit line, a
headline and a date, the credit paragraph once at the end of the HTML body, the
correction paragraph exactly when the item is marked as a correction, no story
text in a kill, no embargo after the build time.

HTML bodies are parsed as the body rules of the XML formats parse them
(:func:`syndication.validate.bodies.parse_html`), once per distinct text, and
the credit-paragraph verdict is the one RSS and Atom bodies get.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cachetools import LRUCache, cached

from syndication.validate import bodies
from syndication.validate.checker import Expectations
from syndication.validate.report import Problem
from syndication.validate.rules import parse_instant

SIGNAL_CORRECTION = "http://cv.iptc.org/newscodes/signal/correction"
CORRECTION_CLASS = "correction"
# What a kill notice may not carry: the story's text.
STORY_TEXT = (
    "headlines",
    "descriptions",
    "bodies",
    "by",
    "slugline",
    "located",
    "subjects",
    "associations",
)
# Class summaries of HTML bodies remembered by the text's SHA-256.
CLASSES_CACHE_SIZE = 100_000


def item_problems(
    item: dict[str, Any],
    path: str,
    name: str,
    expectations: Expectations,
    at: datetime,
) -> list[Problem]:
    """The rules on one item (see the module docstring)."""
    canceled = item.get("pubStatus") == "canceled"
    html_body = _html_body(item)
    found = _rights_findings(item, html_body, expectations, canceled)
    if not canceled and not _headline(item):
        found.append(("item-headline", "Every item needs a headline (headlines)."))
    if not _text(item.get("versionCreated")):
        found.append(("item-date", "Every item needs versionCreated."))
    if canceled:
        text = [key for key in STORY_TEXT if item.get(key)]
        if text:
            found.append(
                (
                    "canceled-no-text",
                    "A canceled item carries none of the killed story's text; "
                    f"found {', '.join(text)}.",
                )
            )
    else:
        found += _body_findings(item, html_body, expectations)
    embargo = _embargo(item, expectations)
    if embargo is not None and embargo > at:
        found.append(
            (
                "embargo-passed",
                "The item is still under embargo (until "
                f"{embargo.astimezone(UTC).isoformat()}) at the build time "
                f"{at.astimezone(UTC).isoformat()}.",
            )
        )
    return [Problem(name, None, rule, f"{path}: {message}") for rule, message in found]


def _rights_findings(
    item: dict[str, Any],
    html_body: str | None,
    expectations: Expectations,
    canceled: bool,
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not (_text(item.get("copyrightHolder")) and _text(item.get("copyrightNotice"))):
        found.append(
            (
                "rights-present",
                "The item carries no rights (copyrightHolder and copyrightNotice).",
            )
        )
    terms = _text(item.get("usageTerms"))
    expected = " ".join((expectations.credit_line or "").split())
    if not terms:
        found.append(
            (
                "credit-line-present",
                "The item carries no credit line (usageTerms begins with it).",
            )
        )
    elif expected and not terms.startswith(expected):
        found.append(
            (
                "credit-line-matches",
                "The usage terms do not begin with the feed's credit line "
                f'"{expected}".',
            )
        )
    elif not expected and html_body is not None and not canceled:
        credit = body_classes(html_body).credit_text
        if credit and not terms.startswith(credit):
            found.append(
                (
                    "credit-line-matches",
                    "The usage terms do not begin with the credit line of the "
                    f'body\'s credit paragraph "{credit}".',
                )
            )
    return found


def _body_findings(
    item: dict[str, Any], html_body: str | None, expectations: Expectations
) -> list[tuple[str, str]]:
    """The credit paragraph and correction rules on the HTML body."""
    found: list[tuple[str, str]] = []
    if expectations.append_paragraph is not False:
        if html_body is None:
            found.append(
                (
                    "credit-paragraph",
                    "The item has no HTML body, so it cannot end with the credit "
                    "paragraph.",
                )
            )
        else:
            credit = " ".join((expectations.credit_line or "").split())
            # The same verdict as on an RSS or Atom body of the same text
            # (remembered there by the text's digest).
            message = bodies._escaped_paragraph(html_body, credit)
            if message:
                found.append(("credit-paragraph", message))
    classes = body_classes(html_body or "")
    if expectations.append_paragraph is not False and classes.credits > 1:
        found.append(
            (
                "credit-paragraph",
                f"The body carries {classes.credits} credit paragraphs; the credit "
                "line appears once, as its last paragraph.",
            )
        )
    corrected = _is_correction(item)
    count = classes.corrections
    if corrected and not (count == 1 and classes.opens_with_correction):
        found.append(
            (
                "correction-paragraph",
                "The item is marked as a correction, so its body must open with "
                f'exactly one correction paragraph (<p class="correction">); '
                f"found {count}.",
            )
        )
    if not corrected and count:
        found.append(
            (
                "correction-unmarked",
                'The body carries a correction paragraph (class "correction"), but '
                "the item is not marked as a correction (a genre "
                f"{SIGNAL_CORRECTION}).",
            )
        )
    return found


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _headline(item: dict[str, Any]) -> str:
    headlines = item.get("headlines")
    if not isinstance(headlines, list):
        return ""
    return next(
        (t for h in headlines if isinstance(h, dict) and (t := _text(h.get("value")))),
        "",
    )


def _html_body(item: dict[str, Any]) -> str | None:
    """The first body whose contentType is HTML (``text/html``)."""
    found = item.get("bodies")
    for body in found if isinstance(found, list) else ():
        if isinstance(body, dict) and content_kind(body) == "html":
            value = body.get("value")
            if isinstance(value, str):
                return value
    return None


def content_kind(field: dict[str, Any]) -> str:
    """``html``, ``xml``, ``text`` or ``unknown`` from a field's contentType."""
    content_type = field.get("contentType")
    if not isinstance(content_type, str) or not content_type.strip():
        return "unknown"
    media = content_type.split(";")[0].strip().lower()
    if media == "text/html":
        return "html"
    if media.endswith(("/xml", "+xml")):
        return "xml"
    return "text"


def _is_correction(item: dict[str, Any]) -> bool:
    genres = item.get("genres")
    return any(
        isinstance(g, dict)
        and (g.get("uri") == SIGNAL_CORRECTION or g.get("literal") == "sig:correction")
        for g in (genres if isinstance(genres, list) else ())
    )


@dataclass(frozen=True)
class BodyClasses:
    """What the rules ask of an HTML body: how many elements carry the credit
    and correction classes, whether the body opens with a correction paragraph,
    and the text of its last element when that is the credit paragraph."""

    credits: int
    corrections: int
    opens_with_correction: bool
    credit_text: str


_CLASSES: LRUCache[bytes, BodyClasses] = LRUCache(CLASSES_CACHE_SIZE)


def _digest(source: str) -> bytes:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest()


@cached(_CLASSES, key=_digest, lock=threading.Lock())
def body_classes(source: str) -> BodyClasses:
    """:class:`BodyClasses` of escaped HTML, parsed as the body rules parse it,
    once per distinct text (the same body recurs in every feed)."""
    if bodies.CREDIT_CLASS not in source:  # "correction" holds no "credit"
        return BodyClasses(0, 0, False, "")
    root = bodies.parse_html(source)
    credits = corrections = 0
    for element in root.iter():
        if isinstance(element.tag, str):
            classes = (element.get("class") or "").split()
            credits += bodies.CREDIT_CLASS in classes
            corrections += CORRECTION_CLASS in classes
    children = [child for child in root if isinstance(child.tag, str)]
    first = children[0] if children else None
    last = children[-1] if children else None
    opens = (
        first is not None
        and not (root.text or "").strip()
        and CORRECTION_CLASS in (first.get("class") or "").split()
    )
    credit_text = ""
    if last is not None and bodies.CREDIT_CLASS in (last.get("class") or "").split():
        credit_text = " ".join(bodies.text_of(last).split())
    return BodyClasses(credits, corrections, opens, credit_text)


def _embargo(item: dict[str, Any], expectations: Expectations) -> datetime | None:
    """The later of the item's own embargoedUntil and the edition's embargo of
    its guid (``altIds`` role ``guid``, else its uri)."""
    found = []
    stated = item.get("embargoedUntil")
    if isinstance(stated, str) and (moment := parse_instant(stated)) is not None:
        found.append(moment)
    known = expectations.embargoes.get(_guid(item))
    if known is not None:
        found.append(known)
    return max(found) if found else None


def _guid(item: dict[str, Any]) -> str:
    alt_ids = item.get("altIds")
    for alt in alt_ids if isinstance(alt_ids, list) else ():
        if isinstance(alt, dict) and alt.get("role") == "guid":
            return str(alt.get("value", ""))
    return str(item.get("uri", ""))
