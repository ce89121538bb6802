"""Check one ninjs (JSON) document: strict JSON, IPTC's ninjs 3.1 schema, our
rules where they apply, and the safety rules on every field.

A document is one news object, or a feed index: a ``composite`` whose
``associations`` are the items (see :mod:`syndication.render.ninjs`). The rules
apply to each item, kills included:

- ``rights-present``: ``copyrightHolder`` and ``copyrightNotice``;
- ``credit-line-present`` / ``credit-line-matches``: ``usageTerms`` begins with
  the feed's credit line (a file from elsewhere: with the text of its body's
  credit paragraph, when it has one);
- ``item-headline``, ``item-date``: a headline (a kill excepted) and
  ``versionCreated``; the schema's ``date-time`` format requires the offset;
- ``credit-paragraph``: the HTML body ends with the credit paragraph, as in
  every format (unless the feed opts out);
- ``correction-paragraph`` / ``correction-unmarked``: an item marked as a
  correction (the IPTC signal ``correction`` as a genre) opens its HTML body
  with exactly one ``<p class="correction">``, and no other item has one;
- ``canceled-no-text``: a kill carries no headline, summary, body, byline,
  slugline, place, subjects or associations;
- ``embargo-passed``: no ``embargoedUntil`` after the build time.

Safety (:mod:`syndication.validate.active`, as for the XML formats): every
``value`` whose ``contentType`` is HTML, or is not stated (a reader may take it
for HTML), is parsed as browsers parse HTML; an XML-typed value is judged as
markup; every ``href`` and ``linkedRights`` is http(s).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from syndication.errors import ConfigError
from syndication.gcpause import paused_gc
from syndication.validate import active
from syndication.validate.checker import Expectations, declares_doctype
from syndication.validate.ninjs_rules import content_kind, item_problems
from syndication.validate.ninjs_schema import SCHEMA_KEY, compiled_schema
from syndication.validate.report import GateReport, Problem
from syndication.validate.rules import parse_instant
from syndication.validate.safety import link_scheme

_LINK_KEYS = ("href", "linkedRights")
# Arrays and objects nest a few levels in a story (an index's image is at 5);
# far deeper documents are refused before any check walks them.
MAX_DEPTH = 200
# The arrays whose objects' value has a contentType.
_TEXT_KEYS = frozenset({"headlines", "descriptions", "bodies"})


def looks_like_json(body: bytes) -> bool:
    """Whether ``body`` is a JSON object or array (after a BOM and spaces):
    XML starts with ``<``."""
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def check_ninjs(
    body: bytes,
    *,
    name: str,
    schema_path: Path | None,
    schemas_dir: Path,
    expectations: Expectations,
) -> GateReport:
    """Every problem of the ninjs document ``body`` (named ``name``). Raises
    :class:`ConfigError` when no schema is configured or it cannot compile."""
    if schema_path is None:
        raise ConfigError(
            "checking a ninjs document needs IPTC's ninjs 3.1 JSON Schema; set "
            "[validation] ninjs_schema to its path",
            key=SCHEMA_KEY,
        )
    schema = compiled_schema(schema_path, schemas_dir)
    document, problem = parse_json(body, name)
    if problem is not None:
        return GateReport((problem,), 1)
    problems = [
        Problem(name, None, "ninjs-schema", f"{path}: {message}")
        for path, message in schema.errors(document)
    ]
    if isinstance(document, dict):
        at = expectations.at or _build_time(document) or datetime.now(UTC)
        for path, item in entries(document):
            problems += item_problems(item, path, name, expectations, at)
    problems += safety_problems(document, name)
    return GateReport(tuple(problems), 1)


def parse_json(body: bytes, name: str) -> tuple[object, Problem | None]:
    """Strict JSON in UTF-8: no NaN or Infinity, no key twice in an object,
    at most :data:`MAX_DEPTH` levels of arrays and objects."""
    try:
        text = body.decode("utf-8")
        with paused_gc():  # see syndication.gcpause
            document = json.loads(
                text.removeprefix("\ufeff"),
                object_pairs_hook=_unique_keys,
                parse_constant=_no_constant,
            )
    except UnicodeDecodeError as exc:
        return None, Problem(name, None, "well-formed", f"not UTF-8: {exc.reason}")
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        message = getattr(exc, "msg", str(exc))
        return None, Problem(name, line, "well-formed", f"not JSON: {message}")
    except RecursionError:  # deeper than Python's parser goes
        return None, _too_deep(name)
    if _deeper_than(document, MAX_DEPTH):
        return None, _too_deep(name)
    return document, None


def _too_deep(name: str) -> Problem:
    message = f"not JSON we check: nested more than {MAX_DEPTH} levels deep"
    return Problem(name, None, "well-formed", message)


def _deeper_than(document: object, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (measured
    without recursion, so the checks that walk the document never run out of
    stack)."""
    level: list[tuple[object, int]] = [(document, 1)]
    while level:
        node, depth = level.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            level.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            level.extend((value, depth + 1) for value in node)
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _no_constant(value: str) -> object:
    raise ValueError(f"{value} is not a JSON number")


def entries(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The items of a document with their JSON paths: the associations of a
    composite (a feed index; none when the feed is empty), else the object
    itself."""
    if document.get("type") != "composite":
        return [("$", document)]
    associations = document.get("associations")
    return [
        (f"$.associations[{n}]", item)
        for n, item in enumerate(associations if isinstance(associations, list) else ())
        if isinstance(item, dict)
    ]


def _build_time(document: dict[str, Any]) -> datetime | None:
    """A feed index's own build time: its versionCreated (a single item has
    none: its versionCreated is the story's)."""
    if document.get("type") != "composite":
        return None
    stated = document.get("versionCreated")
    return parse_instant(stated) if isinstance(stated, str) else None


def safety_problems(document: object, name: str) -> list[Problem]:
    """Active content in any HTML or XML value, and links of other schemes
    than http(s), anywhere in the document."""
    problems: list[Problem] = []
    for steps, rule, what in _unsafe(document, []):
        problems.append(Problem(name, None, rule, f"{_json_path(steps)}{what}"))
    return problems


def _unsafe(
    node: object, steps: list[str | int]
) -> Iterator[tuple[list[str | int], str, str]]:
    """``(steps to the field, rule, what)`` of each unsafe field under
    ``node``. Paths are built only for what is found: an index has thousands
    of objects."""
    if isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, dict | list):
                yield from _unsafe(value, [*steps, index])
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _TEXT_KEYS and isinstance(value, list):
            for index, field in enumerate(value):
                text = field.get("value") if isinstance(field, dict) else None
                kind = content_kind(field) if isinstance(text, str) else "text"
                if isinstance(text, str) and kind in ("html", "unknown", "xml"):
                    for rule, what in _findings(text, kind):
                        where = [*steps, key, index, "value"]
                        yield where, rule, f" contains {what}."
        elif key in _LINK_KEYS and isinstance(value, str):
            scheme = link_scheme(value)
            if scheme:
                message = f" is a {scheme}: URL; links must be http or https."
                yield [*steps, key], active.SCHEME, message
        if isinstance(value, dict | list):
            yield from _unsafe(value, [*steps, key])


def _json_path(steps: list[str | int]) -> str:
    """``$.bodies[0].value`` from its steps."""
    return "$" + "".join(
        f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps
    )


def _findings(value: str, kind: str) -> tuple[active.Finding, ...]:
    if kind != "xml":
        return active.html_findings(value)
    if declares_doctype(value.encode("utf-8")) is not None:
        return ((active.ELEMENT, "a DOCTYPE (DTDs and entities are refused)"),)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(value.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return active.html_findings(value)  # not XML: judged as a reader would
    if root.getroottree().docinfo.internalDTD is not None:
        return ((active.ELEMENT, "a DOCTYPE (DTDs and entities are refused)"),)
    return active.markup_findings(root)
