"""The last step of every input format: one-line fields normalised, and the
story checked against the article schema's limits.

JSON and wire copy end here alike, so whatever ingest accepts, both stores
(SQLite and PostgreSQL, whose columns have sizes) store and every renderer and
schema downstream accepts: IPTC's one-line types forbid tabs and line breaks,
a rights statement of spaces is no statement, and dates outside the schema's
years cannot be written in every format.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from syndication.articles.model import Byline, Dateline, Image, Subject, Version
from syndication.errors import InputError, InputProblem

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "check_limits",
    "keyword_problems",
    "normalize_version",
    "one_line",
]

# The years a story's times may name (the schema's $defs/time pattern says
# the same): every format writes them, and their conversion to UTC stays
# within what a datetime holds.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def one_line(text: str) -> str:
    """``text`` as one line: runs of whitespace (tabs, line breaks, no-break
    spaces) become one space, none at either end."""
    return " ".join(text.split())


# A % that begins no %-escape (two hex digits after it).
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def address(link: str) -> str:
    """A link or image address as stored: stripped, and a ``%`` that begins
    no escape written ``%25``, as browsers send it, so every format (ninjs
    writes URIs) can carry it and reading our own documents back gives the
    same address."""
    return _LONE_PERCENT.sub("%25", link.strip())


def normalize_version(version: Version) -> Version:
    """``version`` with every one-line field on one line; an optional part of
    the dateline left empty is absent, and so is a dateline without a place.
    The same version when nothing changes (the usual case: nothing is built
    again then)."""
    v = version
    normal: dict[str, Any] = {name: one_line(getattr(v, name)) for name in _ONE_LINE}
    normal["language"] = v.language.strip()
    normal["link"] = address(v.link)
    normal["ed_note"] = v.ed_note.strip()
    changed = {name: text for name, text in normal.items() if text != getattr(v, name)}
    bylines = [one_line(b.name) for b in v.bylines]
    if any(name != b.name for name, b in zip(bylines, v.bylines, strict=True)):
        changed["bylines"] = tuple(
            Byline(name, b.role) for name, b in zip(bylines, v.bylines, strict=True)
        )
    subjects = tuple(Subject(s.qcode.strip(), one_line(s.name)) for s in v.subjects)
    if subjects != v.subjects:
        changed["subjects"] = subjects
    keywords = tuple(one_line(k) for k in v.keywords)
    if keywords != v.keywords:
        changed["keywords"] = keywords
    images = tuple(
        Image(address(i.href), one_line(i.caption), one_line(i.credit), one_line(i.alt))
        for i in v.images
    )
    if images != v.images:
        changed["images"] = images
    if v.dateline is not None:
        d = v.dateline
        place = one_line(d.place)
        dateline = (
            Dateline(place, one_line(d.date), one_line(d.provider)) if place else None
        )
        if dateline != d:
            changed["dateline"] = dateline
    # replace() builds a whole frozen Version again: only when something changed.
    return replace(v, **changed) if changed else v


# Text fields stored on one line (besides those of bylines, dateline, subjects,
# keywords and images).
_ONE_LINE = (
    "headline",
    "slugline",
    "summary",
    "provider",
    "credit_line",
    "copyright_notice",
    "usage_terms",
    "hold_reason",
)


def check_limits(version: Version, *, path: str, schema_path: Path) -> None:
    """Raise :class:`InputError` listing every way ``version`` (normalised)
    falls outside the article schema: what a file of the JSON article format
    with its values would be refused for, and a keyword too long once
    lower-cased (the store keeps keywords in lower case). Times are left to
    each format, which checks them as written: the schema's years are those of
    the time given, and its conversion to UTC may cross into the next.

    Wire copy is checked here. A JSON file was checked against the schema as
    written, and normalising keeps it valid (it only takes whitespace out, and
    a field the schema wants non-blank keeps a character), so it needs only
    the keyword check (:func:`keyword_problems`)."""
    from syndication.articles.ingest.json_format import (
        TIME_FIELDS,
        article_check,
        article_schema,
        article_validator,
        schema_problems,
    )

    document = _document(version)
    problems: list[InputProblem] = []
    check = article_check(schema_path)
    if check is None or not check(document):
        problems += schema_problems(
            document, path, article_validator(schema_path), skip=set(TIME_FIELDS)
        )
    problems += keyword_problems(version.keywords, path, article_schema(schema_path))
    if problems:
        first = problems[0]
        raise InputError(first.message, path=path, field=first.field, problems=problems)


def keyword_problems(
    keywords: tuple[str, ...], path: str, schema: dict[str, Any]
) -> list[InputProblem]:
    """Keywords longer than the schema's limit once lower-cased: ``İ`` is one
    character and its lower case two."""
    limit = int(schema["properties"]["keywords"]["items"]["maxLength"])
    return [
        InputProblem(
            path,
            f"{keyword[:40]!r}… is longer than {limit} characters in lower case "
            "(the store keeps keywords in lower case)",
            None,
            f"keywords[{n}]",
        )
        for n, keyword in enumerate(keywords)
        if len(keyword) <= limit < len(keyword.lower())
    ]


def _document(version: Version) -> dict[str, Any]:
    """``version`` as a document of the JSON article format, what was left
    empty left out (built by hand: ``version_to_dict`` copies dataclasses with
    ``asdict``, which cost most of this check)."""
    v = version
    data: dict[str, Any] = {
        "guid": v.guid,
        "headline": v.headline,
        "body": v.body,
        "first_created": _time(v.first_created),
        "version_created": _time(v.version_created),
        "slugline": v.slugline,
        "summary": v.summary,
        "bylines": [{"name": b.name, "role": b.role.value} for b in v.bylines],
        "language": v.language,
        "subjects": [{"qcode": s.qcode, "name": s.name} for s in v.subjects],
        "keywords": list(v.keywords),
        "urgency": v.urgency,
        "status": v.status.value,
        "provider": v.provider,
        "credit_line": v.credit_line,
        "copyright_notice": v.copyright_notice,
        "usage_terms": v.usage_terms,
        "link": v.link,
        "images": [
            {"href": i.href, "caption": i.caption, "credit": i.credit, "alt": i.alt}
            for i in v.images
        ],
        "ed_note": v.ed_note,
        "is_correction": v.is_correction,
        "distribution": v.distribution.value,
        "hold_reason": v.hold_reason,
    }
    if v.dateline is not None:
        d = v.dateline
        data["dateline"] = {"place": d.place, "date": d.date, "provider": d.provider}
    if v.embargo_until is not None:
        data["embargo_until"] = _time(v.embargo_until)
    return {key: value for key, value in data.items() if value != ""}


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
