"""The rules no grammar can state, as ISO Schematron (``schemas/rules/*.sch``).

Each rule file is compiled to XSLT here, once per process, through lxml's ISO
Schematron skeleton (abstract patterns expanded; no includes, so compiling
reads no other file). Schema-level ``<let>`` variables named in
:data:`PARAMETERS` (and, where a file declares it, ``judgement``: ``ours`` or
``any-publisher``) become stylesheet parameters, so the feed's expectations are
passed in at run time and never written into the document being checked. The
stylesheet runs with every XSLT file and network access denied, and with two
extension functions in the ``urn:syndication:rules`` namespace:

``syn:instant(date)``
    seconds since the epoch for an RFC 3339 or RFC 822 date that states its time
    zone, else NaN;
``syn:zoned(date)``
    true when the date parses and states its time zone;
``syn:html-class-count(html, class)``
    how many elements of escaped HTML (RSS ``content:encoded``, Atom ``html``
    content) have ``class`` among their classes;
``syn:html-opens-with-class(html, class)``
    true when the escaped HTML's first node is an element with ``class``.

Escaped HTML is parsed as the body rules parse it (lxml's HTML parser, no
network), once per distinct text: the same body recurs in every feed and format.

Assertion ids are the rule ids reported to operators. A rule file may declare
ISO Schematron phases; :func:`compiled_rules` compiles the phase asked for
(``rules/newsml.sch``: ``ours``, and ``any-publisher`` for another publisher's
documents), each once.
"""

from __future__ import annotations

import email.utils
import hashlib
import importlib
import math
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cachetools import LRUCache, cached
from lxml import etree

from syndication.errors import ConfigError
from syndication.validate import bodies, schemas
from syndication.validate.report import Problem, source_line

# lxml-stubs 0.5 have no isoschematron module.
isoschematron: Any = importlib.import_module("lxml.isoschematron")

RULES = {"rss": "rules/rss.sch", "atom": "rules/atom.sch", "newsml": "rules/newsml.sch"}
RULES_NS = "urn:syndication:rules"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
# Schema-level <let> names the checker sets: the feed's credit line ("" when
# not known: items must then agree with each other) and the build time in
# seconds since the epoch.
PARAMETERS = ("expected-credit", "build-time")
# Whose document it is, for the few rules that depend on it (rules/newsml.sch);
# only files that declare it get it.
JUDGEMENT = "judgement"
# Class summaries of escaped HTML remembered by the text's SHA-256.
CLASSES_CACHE_SIZE = 100_000
# The classes the rules ask about (syn:html-class-count and
# syn:html-opens-with-class answer for these alone).
_CLASSES_LOOKED_FOR = ("correction",)


@dataclass
class CompiledRules:
    """One rule file compiled to XSLT, with the lock it runs under."""

    stylesheet: etree.XSLT
    path: Path
    takes_judgement: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problems(
        self,
        tree: etree._ElementTree,
        name: str,
        *,
        expected_credit: str | None,
        build_time: datetime,
        judgement: str = "ours",
    ) -> list[Problem]:
        """Every failed assertion, as problems located at the asserted node."""
        parameters: dict[str, Any] = {
            "expected-credit": etree.XSLT.strparam(expected_credit or ""),
            "build-time": repr(build_time.timestamp()),
        }
        if self.takes_judgement:
            parameters[JUDGEMENT] = etree.XSLT.strparam(judgement)
        with self.lock:
            try:
                result = self.stylesheet(tree, **parameters)
            except etree.XSLTApplyError as exc:
                raise ConfigError(
                    f"rules failed to run: {exc}", path=self.path
                ) from exc
        problems = []
        for failed in result.getroot().iter(f"{{{SVRL_NS}}}failed-assert"):
            text = " ".join(failed.findtext(f"{{{SVRL_NS}}}text", "").split())
            line = _line(tree, failed.get("location", ""))
            problems.append(Problem(name, line, failed.get("id", "rule"), text))
        return problems


def compiled_rules(
    schemas_dir: Path, fmt: str, phase: str | None = None
) -> CompiledRules:
    """The rules of ``fmt`` (``rss``, ``atom``, ``newsml``), in ``phase`` (the
    default: every pattern), compiled once per process. Raises
    :class:`ConfigError` when the file is missing or wrong, or has no such
    phase."""
    path = (schemas_dir / RULES[fmt]).resolve()

    def build() -> CompiledRules:
        source = schemas.parse_schema_file(path, [schemas_dir.resolve()])
        if not isoschematron.schematron_schema_valid(source):
            raise ConfigError(
                "not an ISO Schematron schema: "
                f"{isoschematron.schematron_schema_valid.error_log.last_error}",
                path=path,
            )
        declared = {
            let.get("name")
            for let in source.getroot().iterchildren(
                f"{{{isoschematron.SCHEMATRON_NS}}}let"
            )
        }
        missing = [name for name in PARAMETERS if name not in declared]
        if missing:
            raise ConfigError(
                f"rules must declare schema-level <let> for {', '.join(missing)}",
                path=path,
            )
        phases = {
            element.get("id")
            for element in source.getroot().iterchildren(
                f"{{{isoschematron.SCHEMATRON_NS}}}phase"
            )
        }
        if phase is not None and phase not in phases:
            raise ConfigError(f"the rules have no phase {phase!r}", path=path)
        chosen = {} if phase is None else {"phase": etree.XSLT.strparam(phase)}
        try:
            expanded = isoschematron.iso_abstract_expand(source)
            xslt_tree = isoschematron.iso_svrl_for_xslt1(expanded, **chosen)
            for variable in xslt_tree.getroot().iterchildren(f"{{{XSL_NS}}}variable"):
                if variable.get("name") in (*PARAMETERS, JUDGEMENT):
                    variable.tag = f"{{{XSL_NS}}}param"
            stylesheet = etree.XSLT(
                xslt_tree,
                extensions={
                    (RULES_NS, "instant"): _instant,
                    (RULES_NS, "zoned"): _zoned,
                    (RULES_NS, "html-class-count"): _html_class_count,
                    (RULES_NS, "html-opens-with-class"): _html_opens_with_class,
                },
                # DENY_ALL exists in lxml; lxml-stubs 0.5 lack it.
                access_control=etree.XSLTAccessControl.DENY_ALL,  # type: ignore[attr-defined]
            )
        except (etree.XSLTParseError, etree.XSLTApplyError) as exc:
            raise ConfigError(f"cannot compile rules: {exc}", path=path) from exc
        return CompiledRules(stylesheet, path, JUDGEMENT in declared)

    return schemas._cached(f"sch:{phase or '#ALL'}", path, build)


def parse_instant(text: str) -> datetime | None:
    """An RFC 3339 (Atom, NewsML-G2) or RFC 822 (RSS) date with its zone; None
    when it does not parse or gives no zone (RFC 5322 §3.3: ``-0000`` means the
    zone is unknown)."""
    text = text.strip()
    if not text:
        return None
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment


def _string(value: Any) -> str:
    """The XPath string value of an extension function argument."""
    if isinstance(value, list):
        if not value:
            return ""
        value = value[0]
    if isinstance(value, etree._Element):
        return "".join(str(text) for text in value.itertext())
    return str(value)


def _instant(context: Any, value: Any) -> float:
    moment = parse_instant(_string(value))
    return moment.timestamp() if moment else math.nan


def _zoned(context: Any, value: Any) -> bool:
    return parse_instant(_string(value)) is not None


@dataclass(frozen=True)
class HtmlClasses:
    """The classes of escaped HTML: those of its first node when that is an
    element (empty when text comes first), and how many elements carry each."""

    first: frozenset[str]
    counts: dict[str, int]


_CLASSES: LRUCache[bytes, HtmlClasses] = LRUCache(CLASSES_CACHE_SIZE)
_NO_CLASSES = HtmlClasses(frozenset(), {})


def html_classes(source: str) -> HtmlClasses:
    """The class summary of escaped HTML, remembered by the text's digest."""
    if not any(name in source for name in _CLASSES_LOOKED_FOR) and "&#" not in source:
        # No class the rules ask about can be there, even spelt with character
        # references (HTML 4 names no ASCII letter): nothing to parse.
        return _NO_CLASSES
    return _parsed_classes(source)


def _digest(source: str) -> bytes:
    return hashlib.sha256(source.encode("utf-8")).digest()


@cached(_CLASSES, key=_digest, lock=threading.Lock())
def _parsed_classes(source: str) -> HtmlClasses:
    first: frozenset[str] = frozenset()
    counts: dict[str, int] = {}
    if source.strip():
        body = bodies.parse_html(source)
        opening = next((c for c in body if isinstance(c.tag, str)), None)
        if opening is not None and not (body.text or "").strip():
            first = frozenset((opening.get("class") or "").split())
        for element in body.iterdescendants():
            if isinstance(element.tag, str):
                for name in set((element.get("class") or "").split()):
                    counts[name] = counts.get(name, 0) + 1
    return HtmlClasses(first, counts)


def _html_class_count(context: Any, html: Any, name: Any) -> float:
    return float(html_classes(_string(html)).counts.get(_class(name), 0))


def _html_opens_with_class(context: Any, html: Any, name: Any) -> bool:
    return _class(name) in html_classes(_string(html)).first


def _class(name: Any) -> str:
    value = _string(name)
    if value not in _CLASSES_LOOKED_FOR:
        raise ConfigError(
            f"rules ask about class {value!r}; syn:html-class-count and "
            f"syn:html-opens-with-class know only {', '.join(_CLASSES_LOOKED_FOR)}"
        )
    return value


def _line(tree: etree._ElementTree, location: str) -> int | None:
    if not location:
        return None
    try:
        found = tree.xpath(location)
    except etree.XPathError:
        return None
    if isinstance(found, list) and found:
        node = found[0]
        if isinstance(node, etree._Element):
            return source_line(node)
        parent = getattr(node, "getparent", lambda: None)()
        if isinstance(parent, etree._Element):
            return source_line(parent)
    return None
