"""Plain wire copy → a :class:`Version`.

The shape (paragraphs separated by blank lines)::

    Headline
    Optional standfirst
    By Name[, Name] [and Name]
    PLACE, Mon D (Provider) - first paragraph text   (en dash, em dash or hyphen)
    Body paragraphs …
    Last paragraph. (Reporting by X, Editing by Y. Agency credit sentence)

The trailing parenthesised credits block may also stand alone as the last
paragraph, and its parts may be separated by semicolons. It becomes structured
bylines and the credit line and is removed from the body. It ends the story:
whatever follows it (a partner page's comment form or donation box, pasted
along with the story) is cut, with a warning. Wire copy has no year,
no language and no subjects: the caller supplies them (``--date``/file time,
``--language``, ``--subject``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from syndication.articles.ingest.guid import mint_guid
from syndication.articles.ingest.limits import FIRST_YEAR, LAST_YEAR, normalize_version
from syndication.articles.ingest.rights import describe_difference
from syndication.articles.model import Byline, Dateline, Role, Subject, Version
from syndication.articles.sanitize import paragraphs_to_html
from syndication.errors import InputError

log = logging.getLogger(__name__)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# The place may hold commas ("GUWAHATI, India"); the month name anchors the date.
_DATELINE = re.compile(
    r"^(?P<place>[^()\n]{1,80}?),\s+"
    rf"(?P<date>(?P<month>(?i:{_MONTH_NAMES}))\.?\s+(?P<day>[0-9]{{1,2}}))\s+"
    r"\((?P<provider>[^()\n]{1,120})\)\s*[\u2013\u2014-]\s*(?P<text>\S.*)$",
    re.DOTALL,
)
_BY_LINE = re.compile(r"^By\s+(?P<names>\S.*)$", re.DOTALL)
_ROLE_WORDS = r"(?:Additional reporting|Reporting|Writing|Editing)"
# The opening of a credits block: "(Reporting by", "(Editing by", ...
_CREDITS_START = re.compile(rf"\((?={_ROLE_WORDS}\s+by\b)")
# One "Role by names" clause, ended by the next clause or by a sentence break
# (a full stop not after a lone initial, or a semicolon) or by the end.
_CLAUSE = re.compile(
    rf"\s*(?P<role>{_ROLE_WORDS})\s+by\s+(?P<names>.+?)"
    rf"(?:[,;]\s*(?={_ROLE_WORDS}\s+by\b)|(?<!\s[A-Z])\.(?:\s+|$)|;\s*|$)",
    re.DOTALL,
)
_ROLES = {
    "reporting": Role.REPORTER,
    "writing": Role.REPORTER,
    "additional reporting": Role.CONTRIBUTOR,
    "editing": Role.EDITOR,
}
_NAME_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


@dataclass(frozen=True)
class WireOptions:
    """What wire copy does not say: the year of its dateline, language, subjects.

    ``reference_date`` is ``--date`` or the file's modification date;
    ``date_source`` says which, for the report.
    """

    reference_date: date
    date_source: str
    language: str = "en"
    subjects: tuple[Subject, ...] = ()


@dataclass(frozen=True)
class WireStory:
    """Parsed wire copy and the credit sentence of its credits block ("" when
    it has none), which the rights check reads (ingest/rights.py)."""

    version: Version
    credit_sentence: str = ""


@dataclass(frozen=True)
class Credits:
    """What a trailing credits block said."""

    bylines: tuple[Byline, ...]
    credit_sentence: str


def parse_wire(
    text: str,
    *,
    path: str,
    id_prefix: str,
    credit_line: str,
    options: WireOptions,
) -> Version:
    """Parse wire copy. Raises :class:`InputError` naming ``path`` and the line.

    ``first_created`` and ``version_created`` are the dateline's date at 00:00
    UTC; the stored credit line is always ``credit_line`` (the configured one),
    with a warning when the credits block's sentence differs from it.
    The guid is minted as ``{id_prefix}:{yyyymmdd}:{slug of headline}``.
    """
    story = read_wire(
        text, path=path, id_prefix=id_prefix, credit_line=credit_line, options=options
    )
    _check_credit_sentence(story.credit_sentence, credit_line, path)
    return story.version


def read_wire(
    text: str,
    *,
    path: str,
    id_prefix: str,
    credit_line: str,
    options: WireOptions,
) -> WireStory:
    """:func:`parse_wire`, leaving the credit sentence to the caller."""
    blocks = _blocks(text)
    if not blocks:
        raise InputError("no text to ingest", path=path)
    headline_line, headline = blocks[0]
    if len(headline) > 300:
        raise InputError(
            "the first paragraph is not a headline (over 300 characters); wire copy "
            "starts with the headline on its own line",
            path=path,
            line=headline_line,
        )
    dateline_index = next(
        (i for i, (_, block) in enumerate(blocks) if i > 0 and _DATELINE.match(block)),
        None,
    )
    if dateline_index is None:
        raise InputError(
            "no dateline paragraph found; expected 'PLACE, Mon D (Provider) - text' "
            "after the headline, standfirst and By line",
            path=path,
        )
    summary_parts: list[str] = []
    bylines: list[Byline] = []
    for line, block in blocks[1:dateline_index]:
        by = _BY_LINE.match(block)
        if by:
            bylines += [Byline(n, Role.REPORTER) for n in _names(by["names"])]
        elif summary_parts:
            raise InputError(
                "more than one paragraph between the headline and the dateline; "
                "expected an optional standfirst and a By line",
                path=path,
                line=line,
            )
        else:
            summary_parts.append(block)
    dateline_line, dateline_block = blocks[dateline_index]
    match = _DATELINE.match(dateline_block)
    assert match is not None
    created = _dateline_date(match, options.reference_date, path, dateline_line)
    paragraphs = [match["text"]] + [block for _, block in blocks[dateline_index + 1 :]]
    paragraphs, credits = _split_credits(paragraphs, path)
    if credits is not None:
        for byline in credits.bylines:
            if not any(_same(byline, b) for b in bylines):
                bylines.append(byline)
    moment = datetime(created.year, created.month, created.day, tzinfo=UTC)
    dateline = Dateline(
        place=match["place"].strip(),
        date=" ".join(match["date"].split()),
        provider=match["provider"].strip(),
    )
    version = Version(
        guid=mint_guid(id_prefix, created, headline),
        headline=headline,
        body=paragraphs_to_html(paragraphs),
        version_created=moment,
        first_created=moment,
        summary=" ".join(summary_parts),
        bylines=tuple(bylines),
        dateline=dateline,
        language=options.language,
        subjects=options.subjects,
        provider=dateline.provider,
        credit_line=credit_line,
    )
    return WireStory(
        normalize_version(version), credits.credit_sentence if credits else ""
    )


def parse_credits(inner: str) -> Credits:
    """The inside of a credits block: role clauses, then the credit sentence."""
    bylines: list[Byline] = []
    position = 0
    while True:
        clause = _CLAUSE.match(inner, position)
        if clause is None:
            break
        role = _ROLES[clause["role"].lower()]
        for name in _names(clause["names"]):
            byline = Byline(name, role)
            if not any(_same(byline, b) for b in bylines):
                bylines.append(byline)
        position = clause.end()
    return Credits(tuple(bylines), " ".join(inner[position:].split()))


def _check_credit_sentence(given: str, configured: str, path: str) -> None:
    if not given or given == configured:
        return
    log.warning(
        "%s: the credit sentence differs from the configured credit line (%s); "
        "the configured credit line is stored",
        path,
        describe_difference(configured, given),
    )


def _split_credits(
    paragraphs: list[str], path: str
) -> tuple[list[str], Credits | None]:
    """Take the credits block off the paragraph it closes (or drop that
    paragraph when it is only the credits block). The block ends the story:
    paragraphs after it (a partner page's comment form, a donation box) are cut,
    with a warning saying how many."""
    found = next(
        (
            (index, text, starts)
            for index, text in enumerate(p.rstrip() for p in paragraphs)
            if text.endswith(")")
            and (starts := [m.start() for m in _CREDITS_START.finditer(text)])
        ),
        None,
    )
    if found is None:
        return paragraphs, None
    index, text, starts = found
    cut = paragraphs[index + 1 :]
    if cut:
        log.warning(
            "%s: the credits block ends the story; %d paragraph(s) after it were "
            'cut, from "%s"',
            path,
            len(cut),
            _clip(cut[0], 60),
        )
    start = starts[-1]
    credits = parse_credits(text[start + 1 : -1])
    remainder = text[:start].rstrip()
    body = [*paragraphs[:index], remainder] if remainder else paragraphs[:index]
    if not body:
        raise InputError("the story has no body text besides its credits", path=path)
    return body, credits


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _dateline_date(match: re.Match[str], reference: date, path: str, line: int) -> date:
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        raise InputError(
            f"unknown month {match['month']!r} in the dateline", path=path, line=line
        )
    day = int(match["day"])
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        # A dateline more than a month after the reference date belongs to the
        # year before (a late-December story ingested in January).
        if (candidate - reference).days <= 31:
            if not FIRST_YEAR <= candidate.year <= LAST_YEAR:
                raise InputError(
                    f"the dateline {match['date']!r} falls in {candidate.year} (the "
                    f"year comes from {reference.isoformat()}), outside the years "
                    f"{FIRST_YEAR} to {LAST_YEAR}; give --date",
                    path=path,
                    line=line,
                )
            return candidate
    raise InputError(
        f"the dateline date {match['date']!r} is not a day of {reference.year} or "
        f"{reference.year - 1} (the year comes from {reference.isoformat()})",
        path=path,
        line=line,
    )


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs with the line number each starts on; inner line breaks joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped:
            if not current:
                start = number
            current.append(stripped)
        elif current:
            blocks.append((start, " ".join(current)))
            current = []
    if current:
        blocks.append((start, " ".join(current)))
    return blocks


def _names(text: str) -> list[str]:
    return [
        n.strip() for n in _NAME_SEPARATORS.split(text.strip().rstrip(".")) if n.strip()
    ]


def _same(a: Byline, b: Byline) -> bool:
    return a.role is b.role and a.name.casefold() == b.name.casefold()
