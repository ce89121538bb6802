"""An item's credit and rights as ingest stores them, and what our own feeds
added to the items they publish (NewsML-G2 and ninjs alike; see items.py).

A credit line, copyright notice or usage terms that are the agency's say
nothing of the story (feeds fill in the agency's when the story has none): they
are stored empty, and a new version takes the article's own (``unstated``). A
feed's variant of the agency's credit line is warned about, as for wire copy;
another's credit line is kept. The credit paragraph a feed ends the body with,
and a correction's opening paragraph, are taken out; where our output leaves a
doubt about what the story said, the other readings are offered to the guard,
which takes one the store holds.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote_to_bytes

from syndication.articles.ingest.limits import one_line
from syndication.articles.ingest.rights import (
    CreditKind,
    classify_credit,
    describe_difference,
)
from syndication.articles.model import Version
from syndication.config import Agency

log = logging.getLogger(__name__)

# A trailing paragraph marked as a credit, and a leading correction paragraph,
# as the renderers write them (credit.py, render/fields.py).
_CREDIT_PARAGRAPH = re.compile(
    r"<p\b[^>]*\bclass=\"(?:[^\"]*\s)?credit(?:\s[^\"]*)?\"[^>]*>((?:(?!</p>).)*)</p>",
    re.DOTALL | re.IGNORECASE,
)
# Feeds end a body with one credit paragraph; a few more are looked at (a
# partner may have pasted theirs), never every paragraph of a hostile body.
_MOST_CREDIT_PARAGRAPHS = 3
# A credit line has at most 1,000 characters ([credit] line), escaped at most
# six times as long: a longer last paragraph is no feed's credit.
_LONGEST_CREDIT_PARAGRAPH = 10_000
_LEADING_CORRECTION = re.compile(
    r"\A\s*<p\b[^>]*\bclass=\"(?:[^\"]*\s)?correction(?:\s[^\"]*)?\"[^>]*>"
    r"(?:(?!</p>).)*</p>\s*",
    re.DOTALL | re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*\Z")
_SENTENCE_BREAK = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*(?= )")
# Runs of %-escapes, and the ASCII characters a URI may not hold unescaped
# (render/ninjs.py escapes them and every non-ASCII one).
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_ENCODED_ASCII = frozenset(' "<>\\^`{|}') | frozenset(map(chr, range(0x20))) | {"\x7f"}
# The longest credit line a feed may configure ([credit] line).
MAX_CREDIT_LINE = 1000


@dataclass(frozen=True)
class Rights:
    """What a story stores of an item's credit and rights, and which of them
    it leaves to the article's latest version (``unstated``)."""

    credit_line: str
    copyright_notice: str
    usage_terms: str
    unstated: frozenset[str]


def settle_rights(
    *, credit: str, holder: str, notice: str, terms: str, agency: Agency, path: str
) -> Rights:
    """The rights a story stores of an item's credit line, copyright holder and
    notice and usage terms: ours (the agency's, or a feed's variant of its
    credit line) left empty and unstated; another's credit line kept; a third
    party's copyright holder named in the notice when the item gives none."""
    unstated: set[str] = set()
    credit = one_line(credit)
    credit_line = credit
    if credit:
        kind = classify_credit(credit, agency)
        if kind is not CreditKind.FOREIGN:
            credit_line = ""
            unstated.add("credit_line")
        if kind is CreditKind.VARIANT:
            log.warning(
                "%s: the item's credit line differs from the configured credit line "
                "(%s); the configured credit line is stored",
                path,
                describe_difference(agency.credit_line, credit),
            )
    notice, holder = one_line(notice), one_line(holder)
    if notice and notice == one_line(agency.copyright_notice):
        notice = ""
        unstated.add("copyright_notice")
    elif not notice and holder and holder != one_line(agency.copyright_holder):
        notice = f"© {holder}"
    terms = one_line(terms)
    if terms and terms == one_line(agency.usage_terms):
        terms = ""
        unstated.add("usage_terms")
    return Rights(credit_line, notice, terms, frozenset(unstated))


def without_feed_paragraphs(
    body: str, *, credit: str, is_correction: bool, agency: Agency
) -> tuple[str, bool]:
    """An HTML body without the credit paragraphs a feed ends it with (ours, a
    variant, the item's own ``credit`` line) and, for a correction, without
    the correction paragraph that opens it; and whether a credit paragraph
    went."""
    own = {_normal(credit), _normal(agency.credit_line)}
    stripped = False
    for _ in range(_MOST_CREDIT_PARAGRAPHS):
        end = len(body.rstrip())
        start = body.rfind("<p", 0, end)  # the last paragraph, if it is one
        if start < 0 or end - start > _LONGEST_CREDIT_PARAGRAPH:
            break
        match = _CREDIT_PARAGRAPH.fullmatch(body, start, end)
        if match is None:
            break
        text = _normal(html.unescape(_TAG.sub("", match.group(1))))
        if text not in own and classify_credit(text, agency) is CreditKind.FOREIGN:
            break  # another's credit: the rights check holds the story
        body = body[:start].rstrip()
        stripped = True
    if is_correction:
        body = _LEADING_CORRECTION.sub("", body, count=1)
    return body, stripped


def stored_forms(
    version: Version,
    agency: Agency,
    *,
    other_usage_terms: tuple[str, ...],
    credit_paragraph: bool,
) -> tuple[Version, ...]:
    """``version`` as it may have been stored, where our own output leaves a
    doubt: a body that ended with the agency's own credit paragraph (ingest
    keeps it, feeds replace it with theirs), the other readings of the usage
    terms (``other_usage_terms``), no hold (a published story held for
    another's credit was released by an editor), and image addresses as
    written before ninjs made them URIs."""
    bodies = [version.body]
    if credit_paragraph:
        paragraph = f"<p>{_escaped(agency.credit_line)}</p>"
        bodies += [f"{version.body}\n{paragraph}", f"{version.body}{paragraph}"]
    ours = one_line(agency.usage_terms)
    terms = [version.usage_terms]
    terms += [t for t in map(one_line, other_usage_terms) if t != ours]
    holds = [version.hold_reason, ""]
    images = [
        version.images,
        tuple(replace(i, href=_as_iri(i.href)) for i in version.images),
    ]
    candidates = (
        replace(version, body=body, usage_terms=term, hold_reason=hold, images=pics)
        for body in dict.fromkeys(bodies)
        for term in dict.fromkeys(terms)
        for hold in dict.fromkeys(holds)
        for pics in dict.fromkeys(images)
    )
    return tuple(c for c in candidates if c != version)


def _as_iri(href: str) -> str:
    """``href`` with the %-escapes our ninjs renderer writes for characters
    no URI may hold (non-ASCII, spaces, ``"<>\\^`{|}``) decoded again; any
    other escape (``%2F``, an escape that is no UTF-8) is kept as written."""
    if "%" not in href:
        return href

    def decoded(run: re.Match[str]) -> str:
        try:
            text = unquote_to_bytes(run.group()).decode("utf-8")
        except UnicodeDecodeError:
            return run.group()
        return "".join(
            c if not c.isascii() or c in _ENCODED_ASCII else quote(c, safe="")
            for c in text
        )

    return _ESCAPES.sub(decoded, href)


def split_usage_terms(
    usage_terms: str, agency: Agency
) -> tuple[str, str, tuple[str, ...]]:
    """ninjs has no credit-line property, so our renderer opens ``usageTerms``
    with the feed's credit line, the usage terms as the next sentence (see
    :func:`syndication.render.base.join_sentences`). ``(credit line, terms,
    other readings of the terms)``: apart again when the text opens with the
    agency's line or ends with the agency's terms, else no credit line and the
    whole text as the terms; the other readings are what follows each
    sentence that names the agency (a feed's own credit line, with the
    story's own terms after it)."""
    text = " ".join(usage_terms.split())
    line = " ".join(agency.credit_line.split())
    terms = " ".join(agency.usage_terms.split())
    others = tuple(
        text[end + 1 :]
        for end in _sentence_ends(text)
        if classify_credit(text[:end], agency) is not CreditKind.FOREIGN
    )
    if line and text.startswith(line):
        rest = text[len(line) :]
        if not rest:
            return line, "", others
        if rest.startswith(". ") or (rest.startswith(" ") and _ends_sentence(line)):
            return line, rest.removeprefix(".")[1:], others
    if terms and text.endswith(f" {terms}") and len(text) > len(terms) + 1:
        credit = text[: -len(terms) - 1]
        if credit.endswith(".") and not _ends_sentence(credit[:-1]):
            credit = credit[:-1]
        return credit, terms, others
    return "", text, others


def _sentence_ends(text: str) -> list[int]:
    """Where a space follows the end of a sentence in ``text``, within the
    longest credit line a feed may have (1,000 characters)."""
    return [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, MAX_CREDIT_LINE + 2)]


def _ends_sentence(text: str) -> bool:
    return _SENTENCE_END.search(text) is not None


def _normal(text: str) -> str:
    return " ".join(text.split())


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)
