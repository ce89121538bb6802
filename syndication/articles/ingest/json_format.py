"""The project's own JSON article format → a :class:`Version`.

One article object per file, described by schemas/article.schema.json (JSON
Schema draft 2020-12). Every problem in a file is reported, naming the line (for
malformed JSON) or the field; a time without a zone is an error, never guessed,
and so is a date that does not exist. Whatever JSON can say and no article can
(nesting past the format's depth, a lone surrogate escape, a number of thousands
of digits) is refused as such before the schema is consulted.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syndication.articles.ingest.guid import check_guid, mint_guid
from syndication.articles.ingest.json_precheck import Check, compile_check
from syndication.articles.ingest.limits import keyword_problems, normalize_version
from syndication.articles.ingest.rights import marked_credits
from syndication.articles.model import (
    Byline,
    Dateline,
    Distribution,
    Image,
    PubStatus,
    Role,
    Subject,
    Version,
    utc,
)
from syndication.articles.sanitize import (
    CONTROL_CHARACTERS,
    MAX_BODY_DEPTH,
    MAX_OPEN_ELEMENTS,
    element_depth,
    looks_like_html,
    open_elements,
    paragraphs_to_html,
    sanitize_html,
    split_paragraphs,
    strip_control_characters,
)
from syndication.errors import InputError, InputProblem

if TYPE_CHECKING:
    # jsonschema ships no type information and no stub package is a dependency.
    from jsonschema import (  # type: ignore[import-untyped]
        Draft202012Validator,
        ValidationError,
    )

log = logging.getLogger(__name__)

SCHEMA_FILE = "article.schema.json"
TIME_FIELDS = ("first_created", "version_created", "embargo_until")
# The schema's $defs/time pattern (kept equal to it by a test): years 1900 to
# 2200, every other part in its range; whether the day exists is checked apart.
_TIME = re.compile(
    r"^(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
# Containers inside containers: the format nests three deep (an article, its
# images, an image), so a document nested deeper than this is refused before
# any recursive walk (cleaning, jsonschema) could exhaust the stack.
MAX_DEPTH = 8
# A lone surrogate can only arrive escaped (the text itself is valid UTF-8).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TAG = re.compile(r"<[^>]*>")
# A control character reaches a decoded string as itself or escaped (RFC 8259 §7)
# as \b, \f or \u00XX in the C0 or C1 range; text with neither needs no cleaning
# pass. (An escaped backslash before "b" also matches: that only costs the pass.)
_CONTROL_ESCAPE = re.compile(r"\\(?:[bf]|u00(?:[01][0-9A-Fa-f]|7[Ff]|[89][0-9A-Fa-f]))")
_PATTERN_HINTS = {
    "time": "an ISO 8601 date and time with a time zone in the years 1900 to 2200, "
    "e.g. 2026-06-20T08:00:00Z",
    "guid": "an id of 1-256 printable characters without surrounding spaces",
    "url": "an http:// or https:// URL",
}


@functools.lru_cache(maxsize=4)
def article_schema(schema_path: Path) -> dict[str, Any]:
    """The article schema as read (once per path)."""
    schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
    return schema


@functools.lru_cache(maxsize=4)
def article_validator(schema_path: Path) -> Draft202012Validator:
    """The article schema, checked against its meta-schema and compiled.

    jsonschema is imported here, when the first document fails the fast check
    (:func:`article_check`): a batch of valid files never pays for loading it.
    """
    from jsonschema import Draft202012Validator

    schema = article_schema(schema_path)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@functools.lru_cache(maxsize=4)
def article_check(schema_path: Path) -> Check | None:
    """The article schema as a fast check that proves a document valid (see
    json_precheck), or None when the schema cannot be compiled to one."""
    return compile_check(article_schema(schema_path))


@dataclass(frozen=True)
class JsonStory:
    """A parsed article, the texts its body marked ``class="credit"`` (the
    sanitiser drops the class; the rights check reads them, ingest/rights.py)
    and the fields the document states (the others took their defaults)."""

    version: Version
    marked_credits: frozenset[str] = frozenset()
    stated: frozenset[str] = frozenset()


def parse_json(text: str, *, path: str, id_prefix: str, schema_path: Path) -> Version:
    """Parse one article. Raises :class:`InputError` listing every problem."""
    return read_json(
        text, path=path, id_prefix=id_prefix, schema_path=schema_path
    ).version


def read_json(text: str, *, path: str, id_prefix: str, schema_path: Path) -> JsonStory:
    """:func:`parse_json`, with the body's marked credit paragraphs."""
    try:
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
        raise InputError(
            f"JSON nested deeper than {MAX_DEPTH} levels; the article format nests "
            "three (an article, its images, an image)",
            path=path,
        ) from exc
    except ValueError as exc:  # an integer of more digits than Python converts
        raise InputError(
            "malformed JSON: a number of more digits than can be read (4300)",
            path=path,
        ) from exc
    if not isinstance(document, dict):
        raise InputError(
            f"expected one article object, got a JSON {type(document).__name__}",
            path=path,
        )
    _check_shape(document, text, path)
    if CONTROL_CHARACTERS.search(text) or _CONTROL_ESCAPE.search(text):
        document, removed = _clean_strings(document)
        if removed:
            log.warning(
                "%s: removed %d control character(s) from text fields", path, removed
            )
    problems = _time_problems(document, path)
    check = article_check(schema_path)
    # Most files are valid: only a document the fast check cannot prove valid
    # takes jsonschema's slower walk, which finds and describes every problem.
    if check is None or not check(document):
        problems += schema_problems(
            document, path, article_validator(schema_path), skip=set(TIME_FIELDS)
        )
    if problems:
        first = problems[0]
        raise InputError(first.message, path=path, field=first.field, problems=problems)
    version = _version(document, path, id_prefix)
    lowered = keyword_problems(version.keywords, path, article_schema(schema_path))
    if lowered:
        raise InputError(lowered[0].message, path=path, problems=lowered)
    return JsonStory(version, marked_credits(document["body"]), frozenset(document))


def _version(data: dict[str, Any], path: str, id_prefix: str) -> Version:
    first_created = _time(data["first_created"])
    version_created = _time(data.get("version_created")) or first_created
    if version_created < first_created:
        raise InputError(
            "version_created is earlier than first_created",
            path=path,
            field="version_created",
        )
    headline = " ".join(data["headline"].split())
    guid = data.get("guid")
    if guid is None:
        guid = mint_guid(id_prefix, first_created.date(), headline)
    check_guid(guid, path=path)
    dateline = data.get("dateline")
    version = Version(
        guid=guid,
        headline=headline,
        body=_body(data["body"], path),
        version_created=version_created,
        first_created=first_created,
        slugline=data.get("slugline", ""),
        summary=data.get("summary", ""),
        bylines=tuple(
            Byline(b["name"], Role(b.get("role", "reporter")))
            for b in data.get("bylines", ())
        ),
        dateline=Dateline(
            dateline["place"], dateline.get("date", ""), dateline.get("provider", "")
        )
        if dateline
        else None,
        language=data.get("language", "en"),
        subjects=tuple(
            Subject(s["qcode"], s["name"]) for s in data.get("subjects", ())
        ),
        keywords=tuple(data.get("keywords", ())),
        urgency=int(data.get("urgency", 5)),
        status=PubStatus(data.get("status", "usable")),
        embargo_until=_time(data.get("embargo_until")),
        provider=data.get("provider", ""),
        credit_line=data.get("credit_line", ""),
        copyright_notice=data.get("copyright_notice", ""),
        usage_terms=data.get("usage_terms", ""),
        link=data.get("link", ""),
        images=tuple(
            Image(
                i["href"], i.get("caption", ""), i.get("credit", ""), i.get("alt", "")
            )
            for i in data.get("images", ())
        ),
        ed_note=data.get("ed_note", ""),
        is_correction=bool(data.get("is_correction", False)),
        distribution=Distribution(data.get("distribution", "syndicate")),
        hold_reason=data.get("hold_reason", ""),
    )
    return normalize_version(version)


def _body(body: str, path: str) -> str:
    if not looks_like_html(body):
        return paragraphs_to_html(split_paragraphs(body))
    # A fragment of fewer tags cannot open more elements or nest deeper, and
    # counting is cheaper than walking the tags.
    if body.count("<") > MAX_OPEN_ELEMENTS:
        opened = open_elements(body)
        if opened > MAX_OPEN_ELEMENTS:  # the parser would take minutes
            raise _too_deep(opened, path)
    sanitized = sanitize_html(body)
    if sanitized.html.count("<") > MAX_BODY_DEPTH:
        depth = element_depth(sanitized.html)
        if depth > MAX_BODY_DEPTH:
            raise _too_deep(depth, path)
    if sanitized.removed:
        log.warning(
            "%s: the sanitiser removed from the body: %s",
            path,
            ", ".join(sanitized.removed),
        )
    if not _TAG.sub("", sanitized.html).strip():
        raise InputError(
            "the body has no text left after sanitising", path=path, field="body"
        )
    return sanitized.html


def _too_deep(depth: int, path: str) -> InputError:
    return InputError(
        f"the body nests elements {depth} deep; at most {MAX_BODY_DEPTH} can be "
        "published in every format",
        path=path,
        field="body",
    )


def _time(value: str | None) -> Any:
    return None if value is None else utc(datetime.fromisoformat(value))


def _time_problems(data: Mapping[str, Any], path: str) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for name in TIME_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str) and _TIME.fullmatch(value):
            try:
                # Within the pattern's years, the conversion to UTC cannot
                # leave datetime's range; only a day the month lacks fails.
                _time(value)
            except ValueError as exc:
                problems.append(
                    InputProblem(
                        path, f"{value!r} is not a date that exists ({exc})", None, name
                    )
                )
            continue
        message = f"{_short(value)} is not {_PATTERN_HINTS['time']}"
        if isinstance(value, str) and _is_naive_time(value):
            message = (
                f"naive time {value!r} has no time zone; "
                "add Z or an offset such as +02:00"
            )
        problems.append(InputProblem(path, message, None, name))
    return problems


def _is_naive_time(value: str) -> bool:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return len(value) > 10 and moment.tzinfo is None  # a time, not just a date


def schema_problems(
    data: dict[str, Any], path: str, validator: Draft202012Validator, skip: set[str]
) -> list[InputProblem]:
    """Every way ``data`` fails the schema, described and named by field (the
    top-level fields in ``skip`` are left to the caller)."""
    problems: list[InputProblem] = []
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path])
    for error in errors:
        if error.path and error.path[0] in skip and len(error.path) == 1:
            continue
        problems.extend(_describe(error, path, validator.schema.get("$defs", {})))
    # jsonschema reports "required" once per missing field, each naming them all.
    return list(dict.fromkeys(problems))


def _describe(
    error: ValidationError, path: str, definitions: Mapping[str, Any]
) -> Iterator[InputProblem]:
    where = _field(error.path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        for name in error.validator_value:
            if name not in instance:
                yield InputProblem(
                    path, "missing required field", None, _join(where, name)
                )
        return
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        for name in sorted(set(instance) - known):
            yield InputProblem(
                path,
                f"unknown field; expected one of {', '.join(sorted(known))}",
                None,
                _join(where, name),
            )
        return
    if error.validator == "pattern":
        hint = _pattern_hint(error, definitions)
        yield InputProblem(
            path, f"{_short(instance)} is not {hint}", None, where or None
        )
        return
    if error.validator in ("minLength", "maxLength"):
        limit = error.validator_value
        message = (
            f"{_short(instance)} is longer than {limit} characters"
            if error.validator == "maxLength"
            else "must not be empty"
        )
        yield InputProblem(path, message, None, where or None)
        return
    if error.validator in ("minimum", "maximum"):
        schema = error.schema
        yield InputProblem(
            path,
            f"{instance!r} is out of range {schema.get('minimum')} to "
            f"{schema.get('maximum')}",
            None,
            where or None,
        )
        return
    message = error.message
    if len(message) > 200:
        message = message[:200] + "…"
    yield InputProblem(path, message, None, where or None)


def _pattern_hint(error: ValidationError, definitions: Mapping[str, Any]) -> str:
    pattern = str(error.validator_value)
    for name, hint in _PATTERN_HINTS.items():
        if definitions.get(name, {}).get("pattern") == pattern:
            return hint
    if pattern == "\\S":
        return "non-blank text"
    if error.path and error.path[-1] == "language":
        return "a BCP 47 language tag such as en or pt-BR"
    if error.path and error.path[-1] == "qcode":
        return "a QCode such as medtop:14000000"
    return f"in the expected form (pattern {pattern})"


def _field(parts: Any) -> str:
    text = ""
    for part in parts:
        text = f"{text}[{part}]" if isinstance(part, int) else _join(text, str(part))
    return text


def _join(prefix: str, name: str) -> str:
    # A field name comes from the file: shown escaped unless plainly printable,
    # and cut when it is long.
    if not name.isprintable():
        name = name.encode("unicode_escape", "backslashreplace").decode("ascii")
    if len(name) > 60:
        name = name[:59] + "…"
    return f"{prefix}.{name}" if prefix else name


def _check_shape(document: dict[str, Any], text: str, path: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` and lone surrogates (no
    store or XML document can hold one), naming the field. Only a text with
    more than 64 brackets or a surrogate escape is walked."""
    # A document of fewer containers than this cannot nest deep enough to
    # exhaust the stack of the recursive walks after it (cleaning, jsonschema),
    # and one deeper than the format's three levels fails the schema anyway.
    deep = text.count("[") + text.count("{") > 64
    if not deep and not _SURROGATE_ESCAPE.search(text):
        return
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while pending:
        value, where = pending.pop()
        if len(where) >= MAX_DEPTH and isinstance(value, dict | list):
            raise InputError(
                f"JSON nested deeper than {MAX_DEPTH} levels; the article format "
                "nests three (an article, its images, an image)",
                path=path,
                field=_field(where[: MAX_DEPTH // 2]) + "…",
            )
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                raise InputError(
                    f"a lone surrogate escape \\u{ord(found.group()):04x} is not a "
                    "character (a pair \\ud83d\\ude00 is); fix the escape or "
                    "the program that wrote the file",
                    path=path,
                    field=_field(where) or None,
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    raise InputError(
                        "a lone surrogate escape in a field name",
                        path=path,
                        field=_field((*where, key)),
                    )
                pending.append((item, (*where, key)))
        elif isinstance(value, list):
            pending.extend((item, (*where, n)) for n, item in enumerate(value))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


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
