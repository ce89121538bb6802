"""Strict JSON for ingest: one object per file, read as no story can be harmed.

The JSON article format and ninjs are read here. A key given twice, ``NaN`` and
``Infinity``, a number of thousands of digits, nesting past the format's depth
and a lone surrogate escape are refused, naming the line or field, before any
recursive walk (cleaning, a schema) could exhaust the stack; control characters
are taken out of every string (with a warning).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from syndication.articles.sanitize import CONTROL_CHARACTERS, strip_control_characters
from syndication.errors import InputError
from syndication.gcpause import paused_gc

log = logging.getLogger(__name__)

# A lone surrogate can only arrive escaped (the text itself is valid UTF-8).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A control character reaches a decoded string as itself or escaped (RFC 8259 §7)
# as \b, \f or \u00XX in the C0 or C1 range; text with neither needs no cleaning
# pass. (An escaped backslash before "b" also matches: that only costs the pass.)
CONTROL_ESCAPE = re.compile(r"\\(?:[bf]|u00(?:[01][0-9A-Fa-f]|7[Ff]|[89][0-9A-Fa-f]))")


@dataclass(frozen=True)
class Nesting:
    """How deep a format's documents may nest (containers in containers) and
    how the refusal explains it: ``the article format nests three (…)``."""

    depth: int
    explanation: str

    def refusal(self) -> str:
        return f"JSON nested deeper than {self.depth} levels; {self.explanation}"


def load_object(text: str, *, path: str, nesting: Nesting, kind: str) -> dict[str, Any]:
    """The one JSON object ``text`` holds (``kind`` names it in messages:
    ``one article object``), its strings cleaned of control characters.
    Raises :class:`InputError` naming the line or field."""
    try:
        with paused_gc():  # see syndication.gcpause
            document = json.loads(
                text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants
            )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg} (column {exc.colno})",
            path=path,
            line=exc.lineno,
        ) from exc
    except _JsonProblem as exc:
        raise InputError(exc.message, path=path, field=exc.field) from exc
    except RecursionError as exc:
        raise InputError(nesting.refusal(), path=path) from exc
    except ValueError as exc:  # an integer of more digits than Python converts
        raise InputError(
            "malformed JSON: a number of more digits than can be read (4300)",
            path=path,
        ) from exc
    if not isinstance(document, dict):
        raise InputError(
            f"expected {kind}, got a JSON {type(document).__name__}", path=path
        )
    _check_shape(document, text, path, nesting)
    if CONTROL_CHARACTERS.search(text) or CONTROL_ESCAPE.search(text):
        cleaned, removed = _clean_strings(document)
        if removed:
            log.warning(
                "%s: removed %d control character(s) from text fields", path, removed
            )
        return dict(cleaned)
    return document


def field_path(parts: Iterable[Any]) -> str:
    """``images[0].href`` from its steps."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text = f"{text}[{part}]"
        else:
            text = join_field(text, str(part))
    return text


def join_field(prefix: str, name: str) -> str:
    """``prefix.name``; a name from the file is shown escaped unless plainly
    printable, and cut when it is long."""
    if not name.isprintable():
        name = name.encode("unicode_escape", "backslashreplace").decode("ascii")
    if len(name) > 60:
        name = name[:59] + "…"
    return f"{prefix}.{name}" if prefix else name


def _check_shape(
    document: dict[str, Any], text: str, path: str, nesting: Nesting
) -> None:
    """Refuse nesting deeper than ``nesting.depth`` and lone surrogates (no
    store or XML document can hold one), naming the field. Only a text with
    more than 64 brackets or a surrogate escape is walked."""
    # A document of fewer containers than this cannot nest deep enough to
    # exhaust the stack of the recursive walks after it (cleaning, jsonschema).
    deep = text.count("[") + text.count("{") > 64
    if not deep and not _SURROGATE_ESCAPE.search(text):
        return
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while pending:
        value, where = pending.pop()
        if len(where) >= nesting.depth and isinstance(value, dict | list):
            raise InputError(
                nesting.refusal(),
                path=path,
                field=field_path(where[: nesting.depth // 2]) + "…",
            )
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                raise InputError(
                    f"a lone surrogate escape \\u{ord(found.group()):04x} is not a "
                    "character (a pair \\ud83d\\ude00 is); fix the escape or "
                    "the program that wrote the file",
                    path=path,
                    field=field_path(where) or None,
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    raise InputError(
                        "a lone surrogate escape in a field name",
                        path=path,
                        field=field_path((*where, key)),
                    )
                pending.append((item, (*where, key)))
        elif isinstance(value, list):
            pending.extend((item, (*where, n)) for n, item in enumerate(value))


def _clean_strings(value: Any) -> tuple[Any, int]:
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, list):
        cleaned = [_clean_strings(v) for v in value]
        return [c for c, _ in cleaned], sum(n for _, n in cleaned)
    if isinstance(value, dict):
        total = 0
        result = {}
        for key, item in value.items():
            result[key], count = _clean_strings(item)
            total += count
        return result, total
    return value, 0


class _JsonProblem(ValueError):
    """Raised from json.loads hooks (duplicate fields, NaN and Infinity)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonProblem("duplicate field", key)
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise _JsonProblem(f"malformed JSON: {name} is not a JSON number")
