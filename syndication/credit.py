"""Credit: the only place that decides an item's credit line, rights and credit
paragraph in a feed.

The credit line is the feed's own (``[credit] line``, a partner override or
translation) or else the agency's canonical one; it is never taken from the
story, so every item of a feed carries the same line. Copyright notice and usage
terms are the story's own when it has them, else the agency's. Unless the feed
opts out, the line is also the body's final paragraph, exactly once.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import fields, replace
from functools import lru_cache

from syndication.articles.model import Byline, Dateline, Image, Subject, Version
from syndication.config import Agency
from syndication.feeds import CreditPolicy, FeedDefinition
from syndication.memory import cache_entries
from syndication.render.base import Credit, Item
from syndication.render.text import has_control_characters, xml_text

log = logging.getLogger(__name__)

CREDIT_CLASS = "credit"
# Items remembered across feeds (a full publish of the benchmark's 200 feeds has
# about 7,200 distinct, 24,000 in all). The caches of items and of their
# rendered bytes are sized together to keep that publish under 300 MB.
ITEM_CACHE_SIZE = 3072
# A trailing credit paragraph as this module writes it (or as a partner pasted
# it back): removed before the feed's own is appended, so there is never a
# second one, nor one with another feed's line.
_TRAILING_CREDIT = re.compile(
    r'(?:\s*<p class="credit">(?:(?!</p>).)*</p>)+\s*\Z', re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")


def feed_credit(feed: FeedDefinition, agency: Agency) -> Credit:
    """The credit a feed states at feed level (channel copyright, Atom rights)."""
    return _policy_credit(feed.credit, agency)


def _policy_credit(policy: CreditPolicy, agency: Agency) -> Credit:
    line = " ".join(xml_text(policy.line or agency.credit_line).split())
    return Credit(
        line=line,
        copyright_holder=agency.copyright_holder,
        copyright_notice=agency.copyright_notice,
        usage_terms=agency.usage_terms,
        append_paragraph=policy.append_paragraph,
    )


@lru_cache(maxsize=8)
def _agency_credit(agency: Agency) -> Credit:
    return _policy_credit(CreditPolicy(), agency)


def credit_variant(credit: Credit, agency: Agency) -> str:
    """Which credit an item document carries, for its name in a shared items
    folder: '' for the agency's own (its line, the paragraph appended), else
    the first 8 hex digits of the SHA-256 of the line and the paragraph
    policy. An item document's bytes depend on its version, this and the
    agency only (the story's own rights are the version's), so two feeds with
    one variant share one document."""
    default = _agency_credit(agency)
    if (credit.line, credit.append_paragraph) == (
        default.line,
        default.append_paragraph,
    ):
        return ""
    mark = f"{credit.line}\n{int(credit.append_paragraph)}".encode()
    return hashlib.sha256(mark).hexdigest()[:8]


def credit_for(version: Version, feed: FeedDefinition, agency: Agency) -> Credit:
    """The credit ``version`` carries in ``feed``: the feed's credit line (else
    the agency's), the story's copyright notice and usage terms (else the
    agency's), and whether the credit paragraph ends the body."""
    return _version_credit(version, feed.credit, agency)


def _version_credit(version: Version, policy: CreditPolicy, agency: Agency) -> Credit:
    base = _policy_credit(policy, agency)
    return replace(
        base,
        copyright_notice=version.copyright_notice or base.copyright_notice,
        usage_terms=version.usage_terms or base.usage_terms,
    )


def credit_paragraph(credit: Credit) -> str:
    """``<p class="credit">…</p>`` holding the escaped credit line."""
    return f'<p class="{CREDIT_CLASS}">{html.escape(credit.line, quote=False)}</p>'


def credited_body(version: Version, credit: Credit, *, agency_line: str = "") -> str:
    """The story's body HTML followed by one credit paragraph (when
    ``credit.append_paragraph``). A credit paragraph already ending the body
    (``class="credit"``, or a plain paragraph saying the feed's line or
    ``agency_line``, as ingest keeps the agency's) is replaced, never repeated;
    control characters are removed."""
    body = xml_text(version.body, f"{version.guid} body").strip()
    body = _TRAILING_CREDIT.sub("", body).rstrip()
    body = _strip_credit_lines(body, {_normal(credit.line), _normal(agency_line)})
    if not credit.append_paragraph:
        return body
    paragraph = credit_paragraph(credit)
    return f"{body}\n{paragraph}" if body else paragraph


def _strip_credit_lines(body: str, lines: set[str]) -> str:
    """``body`` without the plain ``<p>`` paragraphs at its end whose text is
    one of ``lines`` (whitespace-normalised), nor such a line as bare text after
    the last element (an HTML body may end in text outside any paragraph,
    which the sanitiser keeps as it is)."""
    while True:
        if body.endswith("</p>"):
            start = body.rfind("<p>")
            if start < 0:
                break
            text = _normal(html.unescape(_TAG.sub("", body[start + 3 : -4])))
        else:
            start = body.rfind(">") + 1
            text = _normal(html.unescape(body[start:]))
        if not text or text not in lines:
            break
        body = body[:start].rstrip()
    return body


def _normal(text: str) -> str:
    return " ".join(text.split())


def make_item(version: Version, feed: FeedDefinition, agency: Agency) -> Item:
    """``version`` as ``feed`` carries it: text fields cleaned of control
    characters (logged), credit decided, body credited.

    Every feed with the same credit policy carries a version as the same item,
    so items are remembered (by content, not by id) for the next feed."""
    return _item(version, feed.credit, agency)


@lru_cache(maxsize=cache_entries(ITEM_CACHE_SIZE))
def _item(version: Version, policy: CreditPolicy, agency: Agency) -> Item:
    clean = clean_version(version)
    credit = _version_credit(clean, policy, agency)
    body = credited_body(clean, credit, agency_line=agency.credit_line)
    return Item(version=clean, credit=credit, body=body)


def clean_version(version: Version) -> Version:
    """``version`` with control characters removed from every text field; each
    field that had some is logged once as a warning."""
    changes: dict[str, object] = {}
    for field in fields(version):
        value = getattr(version, field.name)
        where = f"{version.guid} {field.name}"
        cleaned = _clean_value(value, where)
        if cleaned is not value:
            changes[field.name] = cleaned
    return replace(version, **changes) if changes else version  # type: ignore[arg-type]


def _clean_value(value: object, where: str) -> object:
    if isinstance(value, str):
        return xml_text(value, where) if has_control_characters(value) else value
    if isinstance(value, Byline | Dateline | Image | Subject):
        parts = {
            f.name: _clean_value(getattr(value, f.name), where) for f in fields(value)
        }
        if any(parts[name] is not getattr(value, name) for name in parts):
            return replace(value, **parts)  # type: ignore[arg-type]
        return value
    if isinstance(value, tuple):
        cleaned = tuple(_clean_value(v, where) for v in value)
        if any(a is not b for a, b in zip(cleaned, value, strict=True)):
            return cleaned
    return value
