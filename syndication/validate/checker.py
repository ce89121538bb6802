"""Check one document: no DOCTYPE, well-formed, format, grammar, official XSD
(NewsML-G2), rules (Schematron), safety rules (every field) and body rules.

Our documents are judged by our grammars (for NewsML-G2 the profile of what we
emit) and every rule. Another publisher's NewsML-G2 (its items name another
provider) is judged as IPTC's partners judge it: by IPTC's official schema, the
safety rules and the rules for any publisher (see :class:`Judgement`).

A document whose prolog declares a DOCTYPE is refused before it is parsed, so no
entity is ever expanded and no DTD or entity is ever fetched; the parser itself
also has entity resolution, DTD loading and network access off (a DOCTYPE that
only shows after decoding, in UTF-16 say, is refused after that safe parse).
Every problem found is reported (document, line, rule id, plain message), not
just the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from lxml import etree

from syndication import resources
from syndication.errors import ConfigError
from syndication.validate import bodies, rules, schemas
from syndication.validate.history import history_problems
from syndication.validate.report import GateReport, Problem, source_line
from syndication.validate.safety import safety_problems
from syndication.validate.stylesheet import (
    check_stylesheet,
    instruction_problems,
    is_stylesheet,
)

ATOM = "{http://www.w3.org/2005/Atom}"
G2 = "{http://iptc.org/std/nar/2006-10-01/}"
FORMATS = ("rss", "atom", "newsml")
# The shipped schemas (the repository's schemas/ folder, installed inside the
# package; also the default of config's [paths] schemas).
DEFAULT_SCHEMAS_DIR = resources.schemas_dir()
_PROLOG_SKIP = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_DOCTYPE = re.compile(rb"<!\s*doctype", re.IGNORECASE)


class Judgement(Enum):
    """What a document is judged by.

    ``OURS``: our grammar of its format and every rule. ``ANY_PUBLISHER``
    (another publisher's NewsML-G2): IPTC's official XSD instead of our
    profile, the safety rules, and of the rules those that hold for any
    publisher (``rules/newsml.sch``, phase ``any-publisher``: credit lines
    agree with the expected one or each other, every item carries the expected
    one when given, no embargo still running); the credit paragraph only when
    asked for (``append_paragraph=True``).
    """

    OURS = "ours"
    ANY_PUBLISHER = "any-publisher"


@dataclass(frozen=True)
class Expectations:
    """What the feed being checked promises.

    ``credit_line``: the line every item must carry (None: the items must agree
    with each other). ``at``: the build time embargoes are checked against
    (None: the document's own — RSS lastBuildDate, Atom updated, NewsML-G2
    sent — else the time of checking). ``append_paragraph``: whether bodies end
    with the credit paragraph (None: unknown, so required, as it is by default).
    ``embargoes``: guid → embargo end of the items the edition was built from,
    so an embargoed item is caught even in formats that do not state embargoes.
    ``key``: the document's key in its feed's folder (our documents: the
    archive rules on its place apply); ``base_url``: the feed's public address
    ending with ``/`` ('' when its archive links are relative).
    """

    credit_line: str | None = None
    at: datetime | None = None
    append_paragraph: bool | None = None
    embargoes: Mapping[str, datetime] = field(default_factory=dict)
    key: str | None = None
    base_url: str = ""


def sniff(root: etree._Element) -> str | None:
    """``rss``, ``atom`` or ``newsml`` from the root element, else None."""
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == "rss":
        return "rss"
    if tag in (f"{ATOM}feed", f"{ATOM}entry"):
        return "atom"
    if tag in (f"{G2}newsMessage", f"{G2}newsItem"):
        return "newsml"
    return None


def declares_doctype(body: bytes) -> int | None:
    """The line of a DOCTYPE in the prolog of ``body``, else None. Only the
    prolog is read: a DOCTYPE may appear nowhere else (XML 1.0 §2.8)."""
    position = 3 if body.startswith(b"\xef\xbb\xbf") else 0
    while match := _PROLOG_SKIP.match(body, position):
        position = match.end()
    if _DOCTYPE.match(body, position):
        return body.count(b"\n", 0, position) + 1
    return None


def parse(body: bytes, name: str) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse safely; a document with a DOCTYPE is refused (rule ``no-doctype``),
    one that is not XML is reported (rule ``well-formed``)."""
    line = declares_doctype(body)
    if line is not None:
        return None, [_no_doctype(name, line)]
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        return None, [
            Problem(
                name,
                exc.lineno or None,
                "well-formed",
                f"not well-formed XML: {exc.msg}",
            )
        ]
    tree = root.getroottree()
    if getattr(tree.docinfo, "doctype", "") or tree.docinfo.internalDTD is not None:
        return None, [_no_doctype(name, 1)]
    return tree, []


def _no_doctype(name: str, line: int) -> Problem:
    return Problem(
        name,
        line,
        "no-doctype",
        "documents may not declare a DOCTYPE (DTDs and entities are refused unread)",
    )


def build_time(tree: etree._ElementTree, fmt: str) -> datetime | None:
    """The document's own build time: RSS lastBuildDate (else pubDate), Atom
    feed updated, NewsML-G2 newsMessage header/sent."""
    root = tree.getroot()
    if fmt == "rss":
        text = root.findtext("channel/lastBuildDate") or root.findtext(
            "channel/pubDate"
        )
    elif fmt == "atom":
        text = root.findtext(f"{ATOM}updated") if root.tag == f"{ATOM}feed" else None
    else:
        text = root.findtext(f"{G2}header/{G2}sent")
    return rules.parse_instant(text) if text else None


def provided_by(root: etree._Element, provider_uri: str) -> bool:
    """Whether every item of a NewsML-G2 document names ``provider_uri`` as its
    provider (``itemMeta/provider/@uri``, as our renderer writes the agency's
    URL); False for a document without items."""
    uris = [
        (provider.get("uri") or "").rstrip("/")
        for provider in root.iter(f"{G2}provider")
        if provider.getparent() is not None
        and provider.getparent().tag == f"{G2}itemMeta"  # type: ignore[union-attr]
    ]
    return bool(uris) and all(uri == provider_uri.rstrip("/") for uri in uris)


def check_tree(
    tree: etree._ElementTree,
    fmt: str,
    name: str,
    *,
    schemas_dir: Path,
    official_xsd: Path | None,
    expectations: Expectations,
    judgement: Judgement = Judgement.OURS,
) -> list[Problem]:
    """Grammar (ours, or for another publisher's NewsML-G2 IPTC's official
    XSD), rules, safety and body rules; every problem. Raises
    :class:`ConfigError` when another publisher's NewsML-G2 is to be judged
    and the official XSD is not configured."""
    ours = judgement is Judgement.OURS
    problems = []
    if ours:
        problems += [
            Problem(name, line, f"{fmt}-grammar", message)
            for line, message in schemas.grammar(schemas_dir, fmt).errors(tree)
        ]
    elif official_xsd is None:
        raise ConfigError(
            f"{name} is another publisher's NewsML-G2, judged by IPTC's official "
            "schema: set this key to the path of NewsML-G2_*-spec-All-Power.xsd "
            "(xml.xsd beside it)",
            key=schemas.XSD_KEY,
        )
    if fmt == "newsml" and official_xsd is not None:
        problems += [
            Problem(name, line, "newsml-official-xsd", message)
            for line, message in schemas.official_xsd(official_xsd).errors(tree)
        ]
    at = expectations.at or build_time(tree, fmt) or datetime.now(UTC)
    phase = None if ours else judgement.value
    problems += rules.compiled_rules(schemas_dir, fmt, phase).problems(
        tree,
        name,
        expected_credit=expectations.credit_line,
        build_time=at,
        judgement=judgement.value,
    )
    problems += safety_problems(tree.getroot(), fmt, name)
    if fmt in ("rss", "atom"):
        problems += instruction_problems(tree, fmt, name)
        problems += history_problems(
            tree.getroot(),
            fmt,
            name,
            key=expectations.key,
            base_url=expectations.base_url,
        )
    append_paragraph = expectations.append_paragraph
    if not ours and append_paragraph is None:
        append_paragraph = False  # another publisher's house style is its own
    for entry in bodies.entries(tree.getroot(), fmt):
        problems += bodies.body_problems(
            entry,
            name,
            expected_credit=expectations.credit_line,
            append_paragraph=append_paragraph,
        )
        embargo = expectations.embargoes.get(entry.guid)
        if embargo is not None and embargo > at:
            problems.append(
                Problem(
                    name,
                    source_line(entry.element),
                    "embargo-passed",
                    f"The item {entry.guid} is still under embargo (until "
                    f"{embargo.astimezone(UTC).isoformat()}) at the build time "
                    f"{at.astimezone(UTC).isoformat()}.",
                )
            )
    # The same fault may be found twice (the embargo from the document and from
    # the edition; a field judged as markup and inside it): report it once.
    unique = {(p.line, p.rule): p for p in reversed(problems)}
    return [p for p in problems if unique[(p.line, p.rule)] is p]


def check_bytes(
    body: bytes,
    *,
    name: str,
    expectations: Expectations | None = None,
    official_xsd: Path | None = None,
    schemas_dir: Path | None = None,
    fmt: str | None = None,
    publisher: str | None = None,
) -> GateReport:
    """Check one document of any supported format (sniffed; when ``fmt`` is
    given the document must be of that format) against the grammars and rules
    in ``schemas_dir`` (default: the project's ``schemas/``).

    ``publisher`` is our provider URI (the agency's URL): a NewsML-G2 document
    whose items name another provider is judged as another publisher's (see
    :class:`Judgement`; raises :class:`ConfigError` without ``official_xsd``).
    Without it every document is judged as ours."""
    schemas_dir = schemas_dir or DEFAULT_SCHEMAS_DIR
    tree, problems = parse(body, name)
    if tree is None:
        return GateReport(tuple(problems), 1)
    if fmt == "xsl" or (fmt is None and is_stylesheet(tree.getroot())):
        return check_stylesheet(tree, name)
    found = sniff(tree.getroot())
    if found is None:
        root = tree.getroot()
        problem = Problem(
            name,
            source_line(root),
            "format",
            f"not an RSS 2.0, Atom 1.0 or NewsML-G2 document (root element {root.tag})",
        )
        return GateReport((problem,), 1)
    if fmt is not None and found != fmt:
        problem = Problem(
            name, 1, "format", f"expected a {fmt} document, found {found}"
        )
        return GateReport((problem,), 1)
    judgement = Judgement.OURS
    if (
        found == "newsml"
        and publisher is not None
        and not provided_by(tree.getroot(), publisher)
    ):
        judgement = Judgement.ANY_PUBLISHER
    problems = check_tree(
        tree,
        found,
        name,
        schemas_dir=schemas_dir,
        official_xsd=official_xsd,
        expectations=expectations or Expectations(),
        judgement=judgement,
    )
    return GateReport(tuple(problems), 1)
