"""A fast yes-or-no check of an article against its JSON Schema.

jsonschema's full walk costs about half of parsing a valid file. This compiles
the schema once into plain predicates that can only *prove* a document valid: a
document they do not accept goes through jsonschema as before, which finds and
describes every problem, so messages never change. Only the keywords the article
schema uses are compiled; a schema with any other keyword compiles to None and
every document takes the full path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never affect validity (JSON Schema 2020-12 meta-data vocabulary,
# and format, an annotation unless a validator is told to assert it).
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "format"}
)
# Stricter than JSON Schema where it is cheaper (an integer-valued float, say, is
# not accepted here): a refusal only means jsonschema decides.
_TYPES: dict[str, Check] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}


class _Unsupported(Exception):
    """The schema uses something this module does not compile."""


def compile_check(schema: Mapping[str, Any]) -> Check | None:
    """A predicate that returns True only for documents ``schema`` accepts, or
    None when ``schema`` uses a keyword not compiled here. The schema itself is
    not checked: whatever is not understood here compiles to None, and jsonschema
    checks the schema before its first use."""
    root = dict(schema)
    root.pop("$schema", None)
    root.pop("$id", None)
    definitions = root.pop("$defs", {})
    if not isinstance(definitions, dict):
        return None
    try:
        return _Compiler(definitions).compile(root)
    except _Unsupported:
        return None


class _Compiler:
    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self.definitions = definitions
        self.resolving: set[str] = set()

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda _v: True
        if not isinstance(schema, dict):
            raise _Unsupported(schema)
        checks = [
            self._keyword(name, value, schema)
            for name, value in schema.items()
            if name not in _ANNOTATIONS
        ]
        return _all_of(checks)

    def _keyword(self, name: str, value: Any, schema: Mapping[str, Any]) -> Check:
        if name == "$ref":
            return self._reference(value)
        if name == "type" and isinstance(value, str) and value in _TYPES:
            return _TYPES[value]
        if name == "enum" and _strings(value):
            allowed = frozenset(value)
            return lambda v: type(v) is str and v in allowed
        if name == "properties" and isinstance(value, dict):
            return self._properties(value)
        if name == "additionalProperties" and value is False:
            known = frozenset(schema.get("properties", ()))
            return lambda v: type(v) is not dict or known.issuperset(v)
        if name == "required" and _strings(value):
            needed = tuple(value)
            return lambda v: type(v) is not dict or all(n in v for n in needed)
        if name == "items":
            item = self.compile(value)
            return lambda v: type(v) is not list or all(item(i) for i in v)
        return _scalar(name, value)

    def _properties(self, value: Mapping[str, Any]) -> Check:
        properties = {key: self.compile(sub) for key, sub in value.items()}

        def check(v: Any) -> bool:
            if type(v) is dict:
                for key, item in v.items():
                    if key in properties and not properties[key](item):
                        return False
            return True

        return check

    def _reference(self, ref: Any) -> Check:
        prefix = "#/$defs/"
        if not isinstance(ref, str) or not ref.startswith(prefix):
            raise _Unsupported(ref)
        name = ref.removeprefix(prefix)
        # Recursive definitions are not worth compiling.
        if name not in self.definitions or name in self.resolving:
            raise _Unsupported(ref)
        self.resolving.add(name)
        try:
            return self.compile(self.definitions[name])
        finally:
            self.resolving.discard(name)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(type(item) is str for item in value)


def _all_of(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(one(v) for one in checks)


def _scalar(name: str, value: Any) -> Check:
    """Keywords on strings and numbers (they pass any other kind of value)."""
    if name == "pattern" and isinstance(value, str):
        # jsonschema uses re.search with the pattern as written, so do we.
        try:
            search = re.compile(value).search
        except re.error as exc:
            raise _Unsupported(value) from exc
        return lambda v: type(v) is not str or search(v) is not None
    if name in ("minLength", "maxLength") and type(value) is int:
        if name == "minLength":
            return lambda v: type(v) is not str or len(v) >= value
        return lambda v: type(v) is not str or len(v) <= value
    if name in ("minimum", "maximum") and type(value) in (int, float):
        if name == "minimum":
            return lambda v: type(v) not in (int, float) or v >= value
        return lambda v: type(v) not in (int, float) or v <= value
    raise _Unsupported(name)
