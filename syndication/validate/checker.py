"""Check one document: well-formed, no DOCTYPE, grammar, official XSD, rules.

The document is parsed with entity resolution, DTD loading and network access off;
a document that declares a DOCTYPE is refused before it is parsed at all, so no
entity is ever expanded or fetched. Every problem found is reported (document,
line, rule id, plain message), not just the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

from syndication.validate import schemas

CHECK_NS = "urn:syndication:check"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_ATOM = "{http://www.w3.org/2005/Atom}"
_G2 = "{http://iptc.org/std/nar/2006-10-01/}"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one document."""

    document: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.document if self.line is None else f"{self.document}:{self.line}"
        return f"{where}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class GateReport:
    """The result of checking documents: ``ok`` when no problem was found."""

    problems: tuple[Problem, ...] = ()
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return f"{self.checked} document(s) valid"
        documents = len({p.document for p in self.problems})
        return (
            f"{len(self.problems)} problem(s) in {documents} of {self.checked} "
            "document(s)"
        )

    def __add__(self, other: GateReport) -> GateReport:
        return GateReport(self.problems + other.problems, self.checked + other.checked)


@dataclass(frozen=True)
class Expectations:
    """What the feed being checked promises: its credit line, the body's final
    paragraph (``None`` = unknown, ``""`` = the feed opts out) and the build time."""

    credit_line: str | None = None
    paragraph: str | None = None
    at: datetime | None = None


def sniff(root: Any) -> str | None:
    """``rss``, ``atom`` or ``newsml`` from the root element, else None."""
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == "rss":
        return "rss"
    if tag in (f"{_ATOM}feed", f"{_ATOM}entry"):
        return "atom"
    if tag in (f"{_G2}newsMessage", f"{_G2}newsItem"):
        return "newsml"
    return None


def parse(body: bytes, name: str) -> tuple[Any, list[Problem]]:
    """Parse safely; a DOCTYPE or ENTITY declaration is refused unparsed."""
    match = _DOCTYPE.search(body[:65536])
    if match:
        line = body[: match.start()].count(b"\n") + 1
        return None, [
            Problem(
                name,
                line,
                "no-doctype",
                "documents may not declare a DOCTYPE or entities; refused unparsed",
            )
        ]
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    try:
        tree = etree.fromstring(body, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        error_line: int | None = exc.lineno or None
        return None, [
            Problem(name, error_line, "well-formed", f"not well-formed XML: {exc.msg}")
        ]
    if getattr(tree.docinfo, "doctype", ""):
        return None, [
            Problem(name, 1, "no-doctype", "documents may not declare a DOCTYPE")
        ]
    return tree, []


def check_tree(
    tree: Any,
    fmt: str,
    name: str,
    *,
    schemas_dir: Path,
    official_xsd: Path | None,
    expectations: Expectations,
) -> list[Problem]:
    """Grammar, official XSD (NewsML-G2) and rules; every problem found."""
    problems: list[Problem] = []
    grammar = schemas.grammar(schemas_dir, fmt)
    if not grammar.validate(tree):
        problems += _log_problems(grammar.error_log, name, f"{fmt}-grammar")
    if fmt == "newsml" and official_xsd is not None:
        xsd = schemas.official_xsd(official_xsd)
        if not xsd.validate(tree):
            problems += _log_problems(xsd.error_log, name, "newsml-official-xsd")
    problems += _rule_problems(tree, fmt, name, schemas_dir, expectations)
    return problems


def check_bytes(
    body: bytes,
    *,
    name: str,
    schemas_dir: Path,
    official_xsd: Path | None = None,
    expectations: Expectations | None = None,
    fmt: str | None = None,
) -> GateReport:
    """Check one document of any supported format (sniffed when ``fmt`` is None)."""
    tree, problems = parse(body, name)
    if tree is None:
        return GateReport(tuple(problems), 1)
    found = sniff(tree.getroot())
    if found is None:
        tag = tree.getroot().tag
        return GateReport(
            (
                Problem(
                    name, 1, "format", f"not RSS 2.0, Atom or NewsML-G2 (root {tag})"
                ),
            ),
            1,
        )
    if fmt is not None and found != fmt:
        return GateReport(
            (Problem(name, 1, "format", f"expected a {fmt} document, found {found}"),),
            1,
        )
    problems = check_tree(
        tree,
        found,
        name,
        schemas_dir=schemas_dir,
        official_xsd=official_xsd,
        expectations=expectations or Expectations(),
    )
    return GateReport(tuple(problems), 1)


def _log_problems(error_log: Any, name: str, rule: str) -> list[Problem]:
    return [
        Problem(name, entry.line or None, rule, entry.message.strip())
        for entry in error_log
    ]


def _rule_problems(
    tree: Any, fmt: str, name: str, schemas_dir: Path, expectations: Expectations
) -> list[Problem]:
    root = tree.getroot()
    if expectations.credit_line is not None:
        root.set(f"{{{CHECK_NS}}}credit", expectations.credit_line)
    if expectations.paragraph is not None:
        root.set(f"{{{CHECK_NS}}}paragraph", expectations.paragraph or "none")
    if expectations.at is not None:
        root.set(f"{{{CHECK_NS}}}at", expectations.at.strftime("%Y%m%d%H%M%S"))
    rules = schemas.rules(schemas_dir, fmt)
    rules.validate(tree)
    report = rules.validation_report
    problems = []
    for failed in report.iter(f"{{{SVRL_NS}}}failed-assert"):
        location = failed.get("location", "")
        line = None
        try:
            found = tree.xpath(location)
            if found and hasattr(found[0], "sourceline"):
                line = found[0].sourceline
        except etree.XPathError:
            line = None
        text = " ".join(failed.findtext(f"{{{SVRL_NS}}}text", "").split())
        problems.append(Problem(name, line, failed.get("id", "rule"), text))
    return problems
