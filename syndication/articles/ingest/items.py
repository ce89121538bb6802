"""What NewsML-G2 and ninjs share: one news item's fields → a parsed story.

Both readers (newsml.py, ninjs.py) pull an :class:`ItemFields` out of their
format; here it becomes a :class:`Version` the way the JSON article format
does: times with a zone in the schema's years, the body through the sanitiser,
one-line fields normalised, the schema's limits (a problem named as the format
names the field, with its line where known), then the rights check.

A canceled item (pubStatus ``canceled``) becomes a kill of the article (see
guard.py); a correction signal makes a correction version. What the format
cannot state, and what our own feeds put in the items they publish (credit
and rights, the credit paragraph: item_credit.py), is left to the article's
latest version (``ParsedStory.unstated``), so our published documents come
back as the stories they were made from.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from syndication.articles.ingest.body import clean_body
from syndication.articles.ingest.guard import DATELINE_DETAILS, UNCARRIED_IMAGES
from syndication.articles.ingest.guid import check_guid
from syndication.articles.ingest.item_credit import (
    settle_rights,
    stored_forms,
    without_feed_paragraphs,
)
from syndication.articles.ingest.limits import check_limits, normalize_version, one_line
from syndication.articles.ingest.parsed import InputFormat, ParsedStory
from syndication.articles.ingest.rights import (
    check_rights,
    marked_credits,
)
from syndication.articles.ingest.times import parse_time, utc_time_problem
from syndication.articles.model import (
    Byline,
    Dateline,
    Image,
    PubStatus,
    Subject,
    Version,
)
from syndication.config import Agency
from syndication.definitions import small_number
from syndication.errors import InputError, InputProblem

log = logging.getLogger(__name__)

# What the schema allows of a subject, an image address (the schema's limits):
# a third party's vocabulary or picture we cannot carry is left out, with a
# warning, rather than refusing the story.
_QCODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_.-]+$")
_MAX_QCODE = 64
_URL = re.compile(r"^https?://\S+$")
_MAX_URL = 2000
# A dateline's text without a located place: the place, then a date after a
# comma or a provider in brackets.
_DATELINE = re.compile(r"(?P<place>[^,(]*[^,(\s])(?P<rest>\s*[,(].*)?")
# A time's offset in ISO 8601's basic form, after the seconds: +0000.
_BASIC_OFFSET = re.compile(
    r"(T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?[+-][0-9]{2})([0-9]{2})$"
)
# Why a canceled item without a note was killed (a kill's note is sent on).
DEFAULT_KILL_REASON = "Withdrawn by the provider (pubStatus canceled)"


@dataclass(frozen=True)
class ItemFields:
    """One news item as its format gives it, texts as written.

    ``body`` is HTML when ``body_is_html``, else plain text ('' when the item
    has none); times are the strings given (None when absent). ``keywords`` is
    None when the format cannot state them. ``credit`` is the item's credit
    line. ``unstated`` names what else the item cannot state (see
    guard.kept_fields): the provider (ninjs has none; a NewsML-G2 item of ours
    names the agency), the order of bylines of different roles (NewsML-G2
    lists creators before contributors), the line breaks of a note (NewsML-G2
    writes it on one line).
    ``other_usage_terms`` are other readings of ``usage_terms`` (ninjs: what
    follows each sentence that may be a feed's credit line). ``names`` maps
    article fields to the format's names for messages, and ``lines`` to the
    line they were read from (NewsML-G2); ``line`` is the item's own."""

    fmt: InputFormat
    guid: str
    status: PubStatus
    first_created: str | None
    version_created: str | None
    headline: str = ""
    body: str = ""
    body_is_html: bool = True
    embargo: str | None = None
    summary: str = ""
    slugline: str = ""
    bylines: tuple[Byline, ...] = ()
    dateline: str = ""
    located: str = ""
    language: str = ""
    urgency: object = None
    subjects: tuple[Subject, ...] = ()
    keywords: tuple[str, ...] | None = ()
    images: tuple[Image, ...] = ()
    ed_note: str = ""
    is_correction: bool = False
    provider: str = ""
    unstated: frozenset[str] = frozenset()
    credit: str = ""
    copyright_holder: str = ""
    copyright_notice: str = ""
    usage_terms: str = ""
    other_usage_terms: tuple[str, ...] = ()
    line: int | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)


def item_story(
    item: ItemFields, *, path: str, agency: Agency, schema_path: Path
) -> ParsedStory:
    """The story (or the kill) ``item`` is. Raises :class:`InputError` naming
    the item's field (as its format calls it) and line."""
    check_guid(item.guid, path=path, field=item.names.get("guid", "guid"))
    version_created, first_created, embargo = _times(item, path)
    if item.status is PubStatus.CANCELED:
        reason = one_line(item.ed_note) or DEFAULT_KILL_REASON
        kill = Version(
            guid=item.guid,
            headline="",
            body="",
            version_created=version_created,
            first_created=first_created,
            status=PubStatus.CANCELED,
            ed_note=reason,
        )
        return ParsedStory(path, kill, item.fmt, True, is_kill=True)
    rights = settle_rights(
        credit=item.credit,
        holder=item.copyright_holder,
        notice=item.copyright_notice,
        terms=item.usage_terms,
        agency=agency,
        path=path,
    )
    unstated = set(rights.unstated)
    body, stripped = item.body, False
    if item.body_is_html:
        body, stripped = without_feed_paragraphs(
            body, credit=item.credit, is_correction=item.is_correction, agency=agency
        )
    headline = one_line(item.headline)
    if not headline:
        raise _problem(item, path, "the item has no headline", "headline")
    is_html = item.body_is_html
    if not body.strip():
        body, is_html = _stand_in_body(item, path), True
    cleaned = clean_body(
        body,
        path,
        field=item.names.get("body", "body"),
        line=item.lines.get("body", item.line),
        is_html=is_html,
    )
    version = Version(
        guid=item.guid,
        headline=headline,
        body=cleaned,
        version_created=version_created,
        first_created=first_created,
        slugline=item.slugline,
        summary=item.summary,
        bylines=tuple(b for b in item.bylines if one_line(b.name)),
        dateline=_dateline(item),
        language=one_line(item.language) or "en",
        subjects=_subjects(item, path),
        keywords=item.keywords or (),
        urgency=_urgency(item, path),
        status=item.status,
        embargo_until=embargo,
        provider=item.provider,
        credit_line=rights.credit_line,
        copyright_notice=rights.copyright_notice,
        usage_terms=rights.usage_terms,
        images=_images(item, path),
        ed_note=item.ed_note.strip(),
        is_correction=item.is_correction,
    )
    version = normalize_version(version)
    try:
        check_limits(version, path=path, schema_path=schema_path)
    except InputError as exc:
        problems = [_renamed(p, item) for p in exc.problems]
        raise InputError.from_problems(problems, path=path) from exc
    version = check_rights(
        version, path=path, agency=agency, marked=marked_credits(body)
    )
    unstated |= item.unstated
    if item.keywords is None:
        unstated.add("keywords")
    if item.located and not item.dateline:
        unstated.add(DATELINE_DETAILS)
    unstated.add("link")  # neither format carries the story's link
    unstated.add(UNCARRIED_IMAGES)
    return ParsedStory(
        path,
        version,
        item.fmt,
        True,
        stated=frozenset({"embargo_until"} if embargo else ()),
        unstated=frozenset(unstated),
        alternates=stored_forms(
            version,
            agency,
            other_usage_terms=item.other_usage_terms,
            credit_paragraph=stripped,
        ),
    )


def _times(item: ItemFields, path: str) -> tuple[datetime, datetime, datetime | None]:
    """``(version created, first created, embargo)``: the first created time
    defaults to the version's, and the version's to the first."""
    given = {
        "version_created": _colon_offset(item.version_created),
        "first_created": _colon_offset(item.first_created),
        "embargo_until": _colon_offset(item.embargo),
    }
    problems = [
        _problem_of(item, path, problem, name)
        for name, value in given.items()
        if value is not None
        and (problem := utc_time_problem(value.strip())) is not None
    ]
    if item.version_created is None and item.first_created is None:
        problems.append(
            _problem_of(
                item, path, "the item gives no time it was created", "version_created"
            )
        )
    if problems:
        raise InputError(problems[0].message, path=path, problems=problems)
    times = {n: parse_time(v.strip()) for n, v in given.items() if v is not None}
    version_created = times.get("version_created") or times["first_created"]
    first_created = times.get("first_created") or version_created
    if version_created < first_created:
        # A store may hold such a version (one dated before its article was):
        # its documents say so, and must come back.
        log.warning(
            "%s: the item's version was created before its first version; it is "
            "dated from its version",
            path,
        )
        first_created = version_created
    return version_created, first_created, times.get("embargo_until")


def _colon_offset(value: str | None) -> str | None:
    """A time with its offset written ``+hhmm`` (ISO 8601's basic form, as
    Superdesk writes it) as ``+hh:mm``."""
    if value is None:
        return None
    value = value.strip()
    return _BASIC_OFFSET.sub(r"\1:\2", value)


def _stand_in_body(item: ItemFields, path: str) -> str:
    """The body of an item without body text (a flash, a placeholder): its
    summary, else its headline, as one paragraph, with a warning."""
    what = "summary" if one_line(item.summary) else "headline"
    text = item.summary if what == "summary" else item.headline
    log.warning("%s: the item has no body text; its %s is its body", path, what)
    return f"<p>{_escaped(one_line(text))}</p>"


def _dateline(item: ItemFields) -> Dateline | None:
    """The dateline from the item's ``located`` place and its dateline text,
    ``PLACE, date (provider)`` as the renderers write it (the place is the
    text's first part when ``located`` does not give it)."""
    place, text = one_line(item.located), one_line(item.dateline)
    if not text:
        return Dateline(place) if place else None
    if place and text.startswith(place):
        rest = text[len(place) :]
    else:
        found = _DATELINE.fullmatch(text)
        place, rest = (found["place"], found["rest"]) if found else (text, "")
    rest = rest.strip().rstrip("-\u2013\u2014 ")
    provider = ""
    if rest.endswith(")") and "(" in rest:
        opened = rest.rfind("(")
        provider, rest = rest[opened + 1 : -1], rest[:opened]
    date = rest.strip().removeprefix(",").strip()
    return Dateline(place.strip(), date, provider.strip())


def _subjects(item: ItemFields, path: str) -> tuple[Subject, ...]:
    kept, left = [], []
    for subject in item.subjects:
        qcode, name = subject.qcode.strip(), one_line(subject.name)
        if _QCODE.fullmatch(qcode) and len(qcode) <= _MAX_QCODE and name:
            kept.append(Subject(qcode, name))
        else:
            left.append(qcode or name or "?")
    if left:
        log.warning(
            "%s: subjects left out (a subject needs a QCode such as medtop:06000000 "
            "and a name): %s",
            path,
            ", ".join(left),
        )
    return tuple(kept)


def _images(item: ItemFields, path: str) -> tuple[Image, ...]:
    kept = tuple(
        i for i in item.images if _URL.fullmatch(i.href) and len(i.href) <= _MAX_URL
    )
    if len(kept) < len(item.images):
        log.warning(
            "%s: %d image(s) left out (an image needs an http(s) address)",
            path,
            len(item.images) - len(kept),
        )
    return kept


def _urgency(item: ItemFields, path: str) -> int:
    value = item.urgency
    if value is None:
        return 5
    number = small_number(value.strip(), 9) if isinstance(value, str) else None
    if number is not None:
        value = number
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9:
        return value
    shown = repr(value)
    if len(shown) > 40:
        shown = f"{shown[:37]}..."
    raise _problem(
        item, path, f"{shown} is not an urgency from 1 (most urgent) to 9", "urgency"
    )


def _renamed(problem: InputProblem, item: ItemFields) -> InputProblem:
    """A problem of the article schema named as the item's format names it."""
    name = problem.field or ""
    root = re.match(r"[a-z_]*", name)
    key = root.group() if root else ""
    shown = item.names.get(key, key) + name[len(key) :] if key else problem.field
    return InputProblem(
        problem.path, problem.message, item.lines.get(key, item.line), shown or None
    )


def _problem_of(item: ItemFields, path: str, message: str, name: str) -> InputProblem:
    return InputProblem(
        path, message, item.lines.get(name, item.line), item.names.get(name, name)
    )


def _problem(item: ItemFields, path: str, message: str, name: str) -> InputError:
    problem = _problem_of(item, path, message, name)
    return InputError(message, path=path, line=problem.line, field=problem.field)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)
