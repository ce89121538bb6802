"""What the three formats say the same way: item links, the feed's time and
language, subject schemes, bylines, the body and how a correction is shown.
Every renderer takes these from here so RSS, Atom and NewsML-G2 never disagree.

Nothing a reader could run leaves here: links are absolute http(s) URLs or are
left out, and the body is cleaned with the ingest allow-list again
(:func:`syndication.articles.sanitize.sanitize_html`), so a version that reached
the store some other way is published clean instead of freezing its feeds.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote, urlsplit

from syndication.articles.model import Byline, Role, Subject, Version
from syndication.articles.sanitize import sanitize_html
from syndication.config import Agency
from syndication.credit import credited_body
from syndication.render.base import Edition, Item
from syndication.select import language_matches

log = logging.getLogger(__name__)

# QCode scheme alias → the IPTC scheme URI (RSS category domain, Atom scheme).
SCHEMES = {
    "medtop": "http://cv.iptc.org/newscodes/mediatopic/",
    "subj": "http://cv.iptc.org/newscodes/subjectcode/",
}
# IPTC's signal scheme (alias ``sig``): NewsML-G2 says ``sig:correction``; RSS
# and Atom mark a correction with a category of this scheme, term
# ``correction``, which the rules (schemas/rules/rss.sch, atom.sch) look for.
SIGNAL_SCHEME = "http://cv.iptc.org/newscodes/signal/"
CORRECTION = "correction"
CORRECTION_CLASS = "correction"
# Characters no URL may hold unencoded: spaces and controls (a browser drops or
# reinterprets them), double quotes, backticks and angle brackets (they end an
# attribute or tag where a reader writes the link unescaped), backslashes
# (browsers read them as slashes).
_NOT_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\"`<>\\]")


def web_url(value: str) -> str:
    """``value`` when it is an absolute http or https URL with a host (scheme in
    any case), else ''. Every link and image address a renderer writes passes
    through here: no other scheme reaches a reader."""
    if not value or _NOT_IN_URL.search(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:  # an invalid IPv6 host, a bad port
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return value


def feed_guid(edition: Edition) -> str:
    """The feed's stable id (Atom feed id, NewsML-G2 empty-feed package guid)."""
    return f"{edition.agency.id_prefix}:feed:{edition.feed.feed_id}"


def item_link(version: Version, agency: Agency) -> str:
    """The story's own link when it is an http(s) URL, else its address on the
    agency's site (a link of another scheme is logged and left out)."""
    link = web_url(version.link)
    if version.link and not link:
        log.warning(
            "item %s: link is not an http(s) URL; the agency's address is used",
            version.guid,
        )
    return link or f"{agency.url.rstrip('/')}/item/{quote(version.guid, safe=':')}"


def feed_link(edition: Edition) -> str:
    """The feed's link (RSS channel link, Atom alternate): the definition's,
    else, when that is not an http(s) URL (``feeds check`` reports it), the
    agency's site."""
    link = web_url(edition.feed.link)
    if not link:
        log.warning(
            "feed %s: link is not an http(s) URL; the agency's address is used",
            edition.feed.feed_id,
        )
    return link or edition.agency.url


def self_url(edition: Edition, fmt: str) -> str:
    """Where the document of format ``fmt`` is published (``edition.self_urls``,
    from the destination's public base URL); '' when that is not known: a self
    link is never guessed (from the partner's site, say), since a reader
    follows it to refresh the feed."""
    return edition.self_urls.get(fmt, "")


def newest_time(edition: Edition) -> datetime:
    """When the feed's content last changed (RSS lastBuildDate, Atom updated,
    NewsML-G2 sent): the newest version time among items and kills, or an item's
    embargo release if later (the item appeared then); the edition's time only
    when the feed is empty. Never the clock."""
    times = [i.version.version_created for i in (*edition.items, *edition.canceled)]
    times += [i.version.embargo_until for i in edition.items if i.version.embargo_until]
    return max(times) if times else edition.at


def feed_language(edition: Edition) -> str:
    """The feed's language (RSS channel ``language``, Atom feed ``xml:lang``),
    never one an item contradicts: the first language the feed selects that
    every item's language falls within (``en`` holds ``en-GB``, see
    :func:`syndication.select.language_matches`), else, for a feed selecting
    no language, the tag all its items share; '' when they differ (each item
    then states its own). An empty feed states its selected language only
    when it selects one."""
    selected = edition.feed.selection.languages
    tags = [item.version.language for item in edition.items]
    if selected:
        if not tags:
            return selected[0] if len(selected) == 1 else ""
        return next(
            (s for s in selected if all(language_matches(t, (s,)) for t in tags)), ""
        )
    return tags[0] if len({t.lower() for t in tags}) == 1 else ""


def subject_term(subject: Subject) -> tuple[str, str]:
    """``(scheme URI, code)`` for a known IPTC scheme (``medtop:20000418`` →
    mediatopic URI, ``20000418``); ``("", qcode)`` otherwise."""
    alias, _, code = subject.qcode.partition(":")
    scheme = SCHEMES.get(alias, "")
    return (scheme, code) if scheme and code else ("", subject.qcode)


def authors(version: Version) -> tuple[Byline, ...]:
    """Who wrote the story (reporter bylines)."""
    return tuple(b for b in version.bylines if b.role is Role.REPORTER)


def contributors(version: Version) -> tuple[Byline, ...]:
    """Everyone else credited: contributors and editors."""
    return tuple(b for b in version.bylines if b.role is not Role.REPORTER)


def by_text(version: Version) -> str:
    """A byline as printed: ``By A``, ``By A and B``, ``By A, B and C``; empty
    when no reporter is named."""
    names = [b.name for b in authors(version)]
    if not names:
        return ""
    if len(names) == 1:
        return f"By {names[0]}"
    return f"By {', '.join(names[:-1])} and {names[-1]}"


def correction_paragraph(version: Version) -> str:
    """``<p class="correction">Correction: {note}</p>``, the note escaped (just
    ``Correction`` when the version has no note)."""
    note = " ".join(version.ed_note.split())
    text = f"Correction: {note}" if note else "Correction"
    return f'<p class="{CORRECTION_CLASS}">{html.escape(text, quote=False)}</p>'


def credited_clean_body(item: Item, agency_line: str = "") -> str:
    """The credited body (what NewsML-G2 carries) with the story's own HTML
    cleaned by the ingest allow-list; the item's body itself when the story's
    HTML is clean already (any story that came through ingest). ``agency_line``
    is the agency's credit line, as :func:`syndication.credit.make_item` gives
    it to :func:`~syndication.credit.credited_body`."""
    version = item.version
    clean = sanitize_html(version.body)
    if not clean.removed and clean.html == version.body.strip():
        return item.body
    if clean.removed:
        log.warning(
            "item %s: body markup removed before publishing: %s",
            version.guid,
            ", ".join(clean.removed),
        )
    clean_version = replace(version, body=clean.html)
    return credited_body(clean_version, item.credit, agency_line=agency_line)


def shown_body(item: Item, agency_line: str = "") -> str:
    """The body RSS and Atom carry: the clean credited body, opened by the
    correction paragraph when the version is a correction (NewsML-G2 states a
    correction in its metadata instead: ``sig:correction`` and the edNote)."""
    body = credited_clean_body(item, agency_line)
    if not item.version.is_correction:
        return body
    paragraph = correction_paragraph(item.version)
    return f"{paragraph}\n{body}" if body else paragraph
