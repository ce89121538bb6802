"""The last step of every input format: one-line fields normalised, and the
story checked against the article schema's limits.

JSON and wire copy end here alike, so whatever ingest accepts, both stores
(SQLite and PostgreSQL, whose columns have sizes) store and every renderer and
schema downstream accepts: IPTC's one-line types forbid tabs and line breaks,
a rights statement of spaces is no statement, and dates outside the schema's
years cannot be written in every format.
"""

from __future__ import annotations

from dataclasses import replace
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


def normalize_version(version: Version) -> Version:
    """``version`` with every one-line field on one line; an optional part of
    the dateline left empty is absent, and so is a dateline without a place."""
    dateline = version.dateline
    if dateline is not None:
        place = one_line(dateline.place)
        dateline = (
            Dateline(place, one_line(dateline.date), one_line(dateline.provider))
            if place
            else None
        )
    return replace(
        version,
        headline=one_line(version.headline),
        slugline=one_line(version.slugline),
        summary=one_line(version.summary),
        bylines=tuple(Byline(one_line(b.name), b.role) for b in version.bylines),
        dateline=dateline,
        language=version.language.strip(),
        subjects=tuple(
            Subject(s.qcode.strip(), one_line(s.name)) for s in version.subjects
        ),
        keywords=tuple(one_line(k) for k in version.keywords),
        provider=one_line(version.provider),
        credit_line=one_line(version.credit_line),
        copyright_notice=one_line(version.copyright_notice),
        usage_terms=one_line(version.usage_terms),
        link=version.link.strip(),
        images=tuple(
            Image(
                i.href.strip(), one_line(i.caption), one_line(i.credit), one_line(i.alt)
            )
            for i in version.images
        ),
        ed_note=version.ed_note.strip(),
        hold_reason=one_line(version.hold_reason),
    )


def check_limits(version: Version, *, path: str, schema_path: Path) -> None:
    """Raise :class:`InputError` listing every way ``version`` (normalised)
    falls outside the article schema: what a file of the JSON article format
    with its values would be refused for, and a keyword too long once
    lower-cased (the store keeps keywords in lower case). Times are left to
    each format, which checks them as written: the schema's years are those of
    the time given, and its conversion to UTC may cross into the next."""
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
    """``version`` as a document of the JSON article format (what was left
    empty left out; times as the store writes them)."""
    from syndication.articles.model import version_to_dict

    data = version_to_dict(version)
    del data["version"]
    return {key: value for key, value in data.items() if value not in (None, "")}
