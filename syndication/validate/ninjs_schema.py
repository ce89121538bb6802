"""IPTC's ninjs 3.1 JSON Schema, compiled once per process, offline.

The schema is read from the file ``[validation] ninjs_schema`` names (kept
outside this repository). Its ``$ref``\\ s resolve only locally: to the schema
itself (its ``$id``) and, for ``places[].geoJSON``, to our RFC 7946 outline
``schemas/geojson.schema.json``, registered under the address the schema
names. Nothing is ever fetched: a reference to anything else is refused when
the schema compiles, with a :class:`ConfigError`.

The formats the schema uses are asserted, not just annotated (JSON Schema
2020-12 leaves that to the validator): ``date-time`` is RFC 3339 with its
offset, ``uri`` an RFC 3986 absolute URI.

Two validators are compiled from the same schema, registry and format checks.
jsonschema-rs (compiled to native code) decides whether a document is valid;
only a document it refuses is checked again by jsonschema, the reference
implementation, whose messages name each violation (the same messages as the
ingest of JSON files). The two give the same verdict (tests/unit/validate/
test_ninjs_schema_verdicts.py); a document that only jsonschema-rs refused
would pass, with nothing to report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syndication.errors import ConfigError
from syndication.render.ninjs import is_uri
from syndication.validate import schemas

if TYPE_CHECKING:
    import jsonschema_rs

SCHEMA_KEY = "validation.ninjs_schema"
GEOJSON = "geojson.schema.json"
# RFC 3339 §5.6 date-time: a full date, a time and an offset (Z or ±hh:mm).
_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:)(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


@dataclass(frozen=True)
class CompiledSchema:
    """A compiled JSON Schema: ``fast`` (jsonschema-rs) decides, ``validator``
    (jsonschema) explains a refusal. Neither keeps state between calls, so one
    is shared by every thread."""

    validator: Any  # a jsonschema Validator (a protocol jsonschema types loosely)
    path: Path
    fast: jsonschema_rs.Validator

    def errors(self, instance: object) -> list[tuple[str, str]]:
        """``(JSON path, message)`` of every violation, in document order of
        the paths; empty when ``instance`` is valid."""
        try:
            if self.fast.is_valid(instance):
                return []
        except ValueError:
            pass  # text jsonschema-rs cannot take (a lone surrogate): explained
        found = [
            (error.json_path, error.message)
            for error in self.validator.iter_errors(instance)
        ]
        # The same fault may be found by two subschemas (the root and
        # ninjsType both say "object"): report it once.
        return sorted(dict.fromkeys(found), key=lambda pair: _path_key(pair[0]))


def compiled_schema(path: Path, schemas_dir: Path) -> CompiledSchema:
    """The ninjs schema at ``path``, compiled once per process. Raises
    :class:`ConfigError` when it is missing, not a JSON Schema, or refers to
    anything that does not resolve locally."""
    path = path.resolve()

    def build() -> CompiledSchema:
        # Imported on first use (jsonschema ships no type information and no
        # stub package is a dependency).
        from jsonschema import validators  # type: ignore[import-untyped]
        from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]
        from referencing import Registry
        from referencing.exceptions import Unresolvable
        from referencing.jsonschema import DRAFT202012

        schema = _load(path)
        cls = validators.validator_for(schema, default=validators.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except SchemaError as exc:
            raise ConfigError(
                f"not a valid JSON Schema: {exc.message}", path=path, key=SCHEMA_KEY
            ) from exc
        root = DRAFT202012.create_resource(schema)
        base = (root.id() or path.as_uri()).rstrip("#")
        geojson = DRAFT202012.create_resource(_load(schemas_dir / GEOJSON))
        # A Registry retrieves nothing unless given a function that does.
        registry: Registry[Any] = Registry().with_resources(
            [(base, root), ((geojson.id() or "").rstrip("#"), geojson)]
        )
        resolver = registry.resolver(base_uri=base)
        for reference in sorted(set(_references(schema))):
            try:
                resolver.lookup(reference)
            except Unresolvable as exc:
                raise ConfigError(
                    f"schema reference {reference} does not resolve locally "
                    "(nothing is fetched)",
                    path=path,
                    key=SCHEMA_KEY,
                ) from exc
        validator = cls(schema, registry=registry, format_checker=format_checker())
        return CompiledSchema(validator, path, _fast_validator(schema, geojson, path))

    if not path.is_file():
        raise ConfigError("ninjs schema not found", path=path, key=SCHEMA_KEY)
    return schemas._cached("json", path, build)


def _fast_validator(
    schema: dict[str, Any], geojson: Any, path: Path
) -> jsonschema_rs.Validator:
    """jsonschema-rs's validator of ``schema`` with the same formats asserted
    and the GeoJSON outline registered; it retrieves nothing (every reference
    was found to resolve locally before). Raises :class:`ConfigError` when it
    cannot compile the schema."""
    import jsonschema_rs  # 95 ms to import: on first use, not for --help

    def refuse(uri: str) -> Any:
        raise ValueError(f"{uri} is not fetched")

    try:
        registry = jsonschema_rs.Registry(
            [((geojson.id() or "").rstrip("#"), geojson.contents)], retriever=refuse
        )
        return jsonschema_rs.validator_for(
            schema,
            formats={"date-time": is_date_time, "uri": _is_uri},
            validate_formats=True,
            ignore_unknown_formats=True,
            registry=registry,
            retriever=refuse,
        )
    except (ValueError, jsonschema_rs.ReferencingError) as exc:
        reason = str(exc).split("\n", 1)[0]
        raise ConfigError(
            f"schema does not compile: {reason}", path=path, key=SCHEMA_KEY
        ) from exc


def _load(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read schema: {exc.strerror or exc}", path=path
        ) from exc
    except ValueError as exc:
        raise ConfigError(f"schema file is not JSON: {exc}", path=path) from exc
    if not isinstance(loaded, dict):
        raise ConfigError("schema file is not a JSON object", path=path)
    return loaded


def _references(node: object) -> Iterator[str]:
    """Every ``$ref`` in the schema (its only kind of reference)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def is_date_time(value: object) -> bool:
    """RFC 3339 date-time with an offset (a leap second allowed)."""
    if not isinstance(value, str):
        return True  # formats apply to strings only
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    day, clock, second, fraction, zone = match.groups()
    second = "59" if second == "60" else second
    text = f"{day}T{clock}{second}{fraction or ''}{zone.upper()}"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or is_uri(value)


def format_checker() -> Any:
    """The formats asserted: ``date-time`` and ``uri`` (the schema's only
    ones), by the functions here, so no optional package decides them."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


def _path_key(path: str) -> list[tuple[int, int | str]]:
    """``$.associations[10].uri`` sorts after ``$.associations[9]``."""
    parts: list[tuple[int, int | str]] = []
    for token in re.findall(r"\[(\d+)\]|\.([^.\[]+)|\['([^']*)'\]", path):
        index, name, quoted = token
        parts.append((0, int(index)) if index else (1, name or quoted))
    return parts
