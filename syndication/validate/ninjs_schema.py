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
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from syndication.errors import ConfigError
from syndication.render.ninjs import is_uri
from syndication.validate import schemas

SCHEMA_KEY = "validation.ninjs_schema"
# Where ninjs 3.x says what one element of ``associations`` is.
ASSOCIATION_ITEMS = "/$defs/ninjsType/properties/associations/items"
# Verdicts on associations remembered (about 100 bytes each when valid).
ITEM_CACHE_SIZE = 100_000
GEOJSON = "geojson.schema.json"
# RFC 3339 §5.6 date-time: a full date, a time and an offset (Z or ±hh:mm).
_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:)(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


@dataclass(frozen=True)
class CompiledSchema:
    """A compiled JSON Schema. jsonschema validators keep no state between
    calls, so one is shared by every thread.

    ``item_validator`` checks one element of a root ``associations`` array
    (the schema's own ``items`` of it, by reference). A feed index holds every
    item of the feed again, so its associations are checked one by one and
    each verdict is remembered by the element's digest; the rest of the
    document is checked with an empty array. The result is the same as
    checking the whole document at once (see the tests), at a fraction of the
    cost for an index whose items are known."""

    validator: Any  # a jsonschema Validator (a protocol jsonschema types loosely)
    path: Path
    item_validator: Any = None

    def errors(self, instance: object) -> list[tuple[str, str]]:
        """``(JSON path, message)`` of every violation, in document order of
        the paths; empty when ``instance`` is valid."""
        items = instance.get("associations") if isinstance(instance, dict) else None
        if self.item_validator is None or not isinstance(items, list) or not items:
            found = _run(self.validator, instance)
        else:
            found = _run(self.validator, {**instance, "associations": []})  # type: ignore[dict-item]
            for n, item in enumerate(items):
                found += [
                    (f"$.associations[{n}]{path[1:]}", message)
                    for path, message in self._item_errors(item)
                ]
        # The same fault may be found by two subschemas (the root and
        # ninjsType both say "object"): report it once.
        return sorted(dict.fromkeys(found), key=lambda pair: _path_key(pair[0]))

    def _item_errors(self, item: object) -> list[tuple[str, str]]:
        text = json.dumps(item, sort_keys=True, ensure_ascii=False)
        key = (
            str(self.path),
            hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest(),
        )
        known = _ITEM_VERDICTS.get(key)
        if known is None:
            known = tuple(_run(self.item_validator, item))
            if len(_ITEM_VERDICTS) >= ITEM_CACHE_SIZE:
                _ITEM_VERDICTS.clear()
            _ITEM_VERDICTS[key] = known
        return list(known)


def _run(validator: Any, instance: object) -> list[tuple[str, str]]:
    return [
        (error.json_path, error.message) for error in validator.iter_errors(instance)
    ]


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
        checker = format_checker()
        validator = cls(schema, registry=registry, format_checker=checker)
        item_validator = None
        if _associations_items(schema):
            pointer = f"{base}#{ASSOCIATION_ITEMS}"
            item_validator = cls(
                {"$ref": pointer}, registry=registry, format_checker=checker
            )
        return CompiledSchema(validator, path, item_validator)

    if not path.is_file():
        raise ConfigError("ninjs schema not found", path=path, key=SCHEMA_KEY)
    return schemas._cached("json", path, build)


def _associations_items(schema: dict[str, Any]) -> bool:
    """Whether the root is ninjsType by reference and ninjsType states what an
    association is (ninjs 3.x): only then may associations be checked apart."""
    node: Any = schema
    for step in ASSOCIATION_ITEMS.strip("/").split("/"):
        node = node.get(step) if isinstance(node, dict) else None
    return schema.get("$ref") == "#/$defs/ninjsType" and isinstance(node, dict)


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


_ITEM_VERDICTS: dict[tuple[str, bytes], tuple[tuple[str, str], ...]] = {}


def _path_key(path: str) -> list[tuple[int, int | str]]:
    """``$.associations[10].uri`` sorts after ``$.associations[9]``."""
    parts: list[tuple[int, int | str]] = []
    for token in re.findall(r"\[(\d+)\]|\.([^.\[]+)|\['([^']*)'\]", path):
        index, name, quoted = token
        parts.append((0, int(index)) if index else (1, name or quoted))
    return parts
