"""Ingest's rights check: the credit a story carries and the use it allows.

Feeds carry the agency's credit line, once (credit.py). So a body paragraph that
is a credit instruction is looked at here, for JSON and wire copy alike: the
agency's own credit paragraph is kept once, as the body's last paragraph (feeds
replace it with theirs, never add a second); a variant of it is taken out, with
a warning, since feeds carry the configured line; another's ("Please credit
Reuters") stays and holds the story (``hold_reason``) until an editor releases
it. Usage terms that forbid republication hold the story too.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from enum import StrEnum

from selectolax.lexbor import LexborHTMLParser

from syndication.articles.model import Version
from syndication.config import Agency
from syndication.errors import InputError

log = logging.getLogger(__name__)

# The opening of a credit instruction, ours or another agency's.
_INSTRUCTION = re.compile(
    r"^\W*(?:please\s+(?:credit|attribute)|mandatory\s+credit|must\s+credit"
    r"|credit(?:\s+line)?\s*:)",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>\n?", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# Where a run of text outside the paragraphs ends, as a browser reads it.
_BLOCK_EDGE = re.compile(
    r"</?(?:p|blockquote|ul|ol|li|h2|h3|h4)\b[^>]*>|<br\s*/?>", re.IGNORECASE
)
_WORK = r"(?:re-?)?(?:publi(?:sh|cation)|syndicat|distribut|broadcast|print)\w*"
# Usage terms that forbid republication, unless the clause goes on with a
# condition ("may not be republished without the credit line").
_FORBIDDING = re.compile(
    rf"(?:\bnot\s+(?:for|to\s+be)\s+(?:any\s+)?{_WORK}"
    rf"|\b(?:do|does|must|may|should|shall|can)\s*(?:not|n't)\s+(?:be\s+)?{_WORK}"
    rf"|\bcannot\s+(?:be\s+)?{_WORK}"
    rf"|\bno\s+{_WORK}"
    rf"|\b{_WORK}\s+(?:is\s+)?(?:not\s+(?:permitted|allowed)|prohibited|forbidden)"
    r"|\bfor\s+internal\s+use(?:\s+only)?\b|\binternal\s+use\s+only\b"
    r"|\bnot\s+for\s+release\b"
    r"|\bdo\s+not\s+use\b|\bfor\s+(?:reference|information)\s+only\b)"
    r"(?![^.;]*\b(?:without|unless|except)\b)",
    re.IGNORECASE,
)
_REASON_WIDTH = 100


class CreditKind(StrEnum):
    """A credit instruction's author: the agency, word for word (``ours``), the
    agency in other words (``variant``), or someone else (``foreign``)."""

    OURS = "ours"
    VARIANT = "variant"
    FOREIGN = "foreign"


def is_credit_instruction(text: str) -> bool:
    """Whether ``text`` reads as a credit instruction ("Please credit …",
    "Mandatory credit: …", "Credit: …")."""
    return _INSTRUCTION.match(text) is not None


def classify_credit(text: str, agency: Agency) -> CreditKind:
    """Whose credit ``text`` (a credit instruction) is: a text naming the agency
    is its variant, any other is foreign."""
    if _normal(text) == _normal(agency.credit_line):
        return CreditKind.OURS
    if agency.name and agency.name.casefold() in text.casefold():
        return CreditKind.VARIANT
    return CreditKind.FOREIGN


def forbidding_terms(terms: str) -> str | None:
    """The words of ``terms`` that forbid republication ("Not for publication",
    "do not republish", "internal use only" …), or None when they allow it."""
    found = _FORBIDDING.search(terms)
    return " ".join(found.group(0).split()) if found else None


def marked_credits(fragment: str) -> frozenset[str]:
    """The texts of ``<p class="credit">`` paragraphs in raw body HTML (the
    sanitiser drops the class, so the mark is read before it runs)."""
    if "credit" not in fragment or "class" not in fragment:
        return frozenset()
    # Lexbor parses as a browser does, in time linear in the input (Python's
    # html.parser takes quadratic time on unclosed attribute quotes).
    texts = (
        node.text(deep=True)
        for node in LexborHTMLParser(fragment, is_fragment=True).css("p.credit")
    )
    return frozenset(_normal(text) for text in texts if text.strip())


def check_rights(
    version: Version,
    *,
    path: str,
    agency: Agency,
    marked: Iterable[str] = (),
    credit_sentence: str = "",
) -> Version:
    """``version`` with its credit paragraphs settled and held (``hold_reason``)
    when it carries another's credit or its usage terms forbid republication;
    each finding is logged as a warning. ``marked`` are paragraph texts given as
    credits (``class="credit"``); ``credit_sentence`` is the credit sentence of
    a wire credits block. Raises InputError when only credit paragraphs are left
    of the body."""
    given = [r for r in version.hold_reason.split("; ") if r]
    found: list[str] = []
    if credit_sentence:
        found += _check_sentence(credit_sentence, agency, path)
    body, in_body = _check_body(version.body, agency, frozenset(marked), path)
    found += in_body
    if version.credit_line and _normal(version.credit_line) != _normal(
        agency.credit_line
    ):
        log.warning(
            "%s: the credit_line differs from the configured credit line (%s); "
            "feeds carry the configured one",
            path,
            describe_difference(agency.credit_line, version.credit_line),
        )
    terms = forbidding_terms(version.usage_terms)
    if terms:
        found.append(f"usage terms forbid republication: {_clip(terms)}")
    new = [r for r in dict.fromkeys(found) if r not in given]
    hold_reason = "; ".join(given + new)
    for reason in new:
        log.warning(
            "%s: %s; the story is held from every feed until an editor releases it "
            "(syndication articles release %s)",
            path,
            reason,
            version.guid,
        )
    if body == version.body and hold_reason == version.hold_reason:
        return version
    return replace(version, body=body, hold_reason=hold_reason)


def describe_difference(expected: str, given: str) -> str:
    """Word-level difference of ``given`` against ``expected``, for people, e.g.
    ``extra "that covers" in "...Reuters, that covers that covers humanitarian..."``.
    """
    a, b = expected.split(), given.split()
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            context = _excerpt(a, a1, a2)
            parts.append(f'missing "{" ".join(a[a1:a2])}" from "{context}"')
            continue
        context = _excerpt(b, b1, b2)
        if op == "insert":
            parts.append(f'extra "{" ".join(b[b1:b2])}" in "{context}"')
        else:
            instead = " ".join(a[a1:a2])
            parts.append(
                f'"{" ".join(b[b1:b2])}" instead of "{instead}" in "{context}"'
            )
    return "; ".join(parts)


def _check_sentence(sentence: str, agency: Agency, path: str) -> list[str]:
    """A wire credits block's credit sentence: another's instruction holds the
    story; any other difference from the configured line is a warning."""
    kind = classify_credit(sentence, agency)
    if kind is CreditKind.OURS:
        return []
    if kind is CreditKind.FOREIGN and is_credit_instruction(sentence):
        return [f"foreign credit: {_clip(sentence)}"]
    log.warning(
        "%s: the credit sentence differs from the configured credit line (%s); "
        "the configured credit line is stored",
        path,
        describe_difference(agency.credit_line, sentence),
    )
    return []


def _check_body(
    body: str, agency: Agency, marked: frozenset[str], path: str
) -> tuple[str, list[str]]:
    """The body with the agency's credit paragraph kept once, at the end, and
    its variants taken out; and a hold reason for each foreign credit."""
    # A cheap first look (a case-insensitive regex costs more than the rest of
    # parsing a story): most bodies never mention credit at all.
    lowered = body.lower()
    if not marked and "credit" not in lowered and "attribut" not in lowered:
        return body, []
    reasons: list[str] = []
    dropped: list[str] = []
    kept = ""
    last_end = len(body.rstrip())
    for match in _PARAGRAPH.finditer(body):
        text = _normal(html.unescape(_TAG.sub("", match.group(1))))
        if text not in marked and not is_credit_instruction(text):
            continue
        kind = classify_credit(text, agency)
        if kind is CreditKind.FOREIGN:
            reasons.append(f"foreign credit: {_clip(text)}")
        elif kind is CreditKind.OURS and match.end(1) + len("</p>") == last_end:
            kept = match.group(0)  # feeds replace it with theirs, never add one
        else:
            dropped.append(match.group(0))
            if kind is CreditKind.VARIANT:
                log.warning(
                    "%s: a credit paragraph differs from the configured credit "
                    "line (%s); it was taken out, feeds carry the configured one",
                    path,
                    describe_difference(agency.credit_line, text),
                )
            else:
                log.warning(
                    "%s: the credit paragraph is not the body's last; it was "
                    "taken out, feeds end the body with the credit line",
                    path,
                )
    for text in _stray_texts(body):
        # Bare text (after the last paragraph, or in a list) reads as a
        # paragraph to every reader: another's credit there holds the story too.
        if is_credit_instruction(text) and (
            classify_credit(text, agency) is CreditKind.FOREIGN
        ):
            reasons.append(f"foreign credit: {_clip(text)}")
    for paragraph in dropped:
        body = body.replace(paragraph, "", 1)
    body = body.strip()
    if (dropped or kept) and not _TAG.sub("", body.replace(kept, "")).strip():
        raise InputError("the body has no text besides its credit", path=path)
    return body, reasons


def _stray_texts(body: str) -> list[str]:
    """The texts of ``body`` that no ``<p>`` holds, one per run between block
    edges, tags taken out."""
    outside = _BLOCK_EDGE.split(_PARAGRAPH.sub("\n", body))
    texts = (_normal(html.unescape(_TAG.sub("", part))) for part in outside)
    return [text for text in texts if text]


def _normal(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str) -> str:
    text = _normal(text)
    return text if len(text) <= _REASON_WIDTH else text[: _REASON_WIDTH - 1] + "…"


def _excerpt(words: list[str], start: int, end: int, around: int = 3) -> str:
    first, last = max(0, start - around), min(len(words), end + around)
    text = " ".join(words[first:last])
    return f"{'...' if first else ''}{text}{'...' if last < len(words) else ''}"
