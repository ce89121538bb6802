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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syndication.articles.ingest.body import clean_body
from syndication.articles.ingest.guid import check_guid, mint_guid
from syndication.articles.ingest.json_precheck import Check, compile_check
from syndication.articles.ingest.limits import keyword_problems, normalize_version
from syndication.articles.ingest.rights import marked_credits
from syndication.articles.ingest.strict_json import (
    Nesting,
    field_path,
    join_field,
    load_object,
)
from syndication.articles.ingest.times import TIME_HINT, parse_time, time_problem
from syndication.articles.model import (
    Byline,
    Dateline,
    Distribution,
    Image,
    PubStatus,
    Role,
    Subject,
    Version,
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
# Containers inside containers: the format nests three deep (an article, its
# images, an image), so a document nested deeper than this is refused before
# any recursive walk (cleaning, jsonschema) could exhaust the stack.
MAX_DEPTH = 8
NESTING = Nesting(
    MAX_DEPTH, "the article format nests three (an article, its images, an image)"
)
_PATTERN_HINTS = {
    "time": TIME_HINT,
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
    document = load_object(text, path=path, nesting=NESTING, kind="one article object")
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
        body=clean_body(data["body"], path),
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


def _time(value: str | None) -> Any:
    return None if value is None else parse_time(value)


def _time_problems(data: Mapping[str, Any], path: str) -> list[InputProblem]:
    return [
        InputProblem(path, problem, None, name)
        for name in TIME_FIELDS
        if name in data and (problem := time_problem(data[name])) is not None
    ]


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
    where = field_path(error.path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        for name in error.validator_value:
            if name not in instance:
                yield InputProblem(
                    path, "missing required field", None, join_field(where, name)
                )
        return
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        for name in sorted(set(instance) - known):
            yield InputProblem(
                path,
                f"unknown field; expected one of {', '.join(sorted(known))}",
                None,
                join_field(where, name),
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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"
