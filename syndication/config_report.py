"""The site configuration described, from its models: the effective value of
every key with where it came from (``syndication config show``), and the
reference of every key for the README (type, default, limits, description).

Secrets never show: the configuration holds none (a credential in it is an
error), but a store URL or another address may carry a password, masked here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from syndication.config import SiteConfig, SiteFile
from syndication.definitions import LIMITS, check, mask_secrets
from syndication.destinations.registry import destination_types, options_model


class Source(Enum):
    """Where a value comes from."""

    FILE = "file"
    ENVIRONMENT = "environment"
    DEFAULT = "default"


@dataclass(frozen=True)
class ConfigValue:
    """One key's effective value (secrets masked; paths absolute), its source,
    the environment variable that set it, and the value as written in the file
    when that differs (a relative path)."""

    key: str
    value: Any
    source: Source
    variable: str | None = None
    written: Any = None


def effective_config(config: SiteConfig) -> tuple[ConfigValue, ...]:
    """Every key of the configuration, sections in the models' order, then each
    destination (the built-in ``local`` too, when the file has none)."""
    values: list[ConfigValue] = []
    for section, model in _sections():
        table = getattr(config.site, section)
        values += _table_values(
            section, model, table, _written(config.written, section), config
        )
    written_destinations = _written(config.written, "destinations")
    for name, destination in sorted(config.destinations.items()):
        model = options_model(destination.type)
        checked, _ = check(model, destination.options, config.path)
        written = _written(written_destinations, name)
        prefix = f"destinations.{name}"
        values.append(
            ConfigValue(
                f"{prefix}.type",
                destination.type,
                Source.FILE if "type" in written else Source.DEFAULT,
            )
        )
        if checked is not None:
            values += _table_values(prefix, model, checked, written, config)
    return tuple(values)


def _table_values(
    prefix: str,
    model: type[BaseModel],
    table: BaseModel,
    written: dict[str, Any],
    config: SiteConfig,
) -> Iterator[ConfigValue]:
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        key = f"{prefix}.{name}"
        value = mask_secrets(getattr(table, name))
        variable = config.overrides.get(key)
        if variable is not None:
            yield ConfigValue(key, value, Source.ENVIRONMENT, variable)
        elif name in written:
            as_written = mask_secrets(written[name])
            yield ConfigValue(
                key,
                value,
                Source.FILE,
                written=None if as_written == value else as_written,
            )
        else:
            yield ConfigValue(key, value, Source.DEFAULT)


def _written(tables: Any, name: str) -> dict[str, Any]:
    table = tables.get(name) if isinstance(tables, dict) else None
    return table if isinstance(table, dict) else {}


def format_config(values: tuple[ConfigValue, ...], path: str) -> str:
    """The effective configuration as TOML-like text, each value's source as a
    comment (not a file to load: secrets are masked)."""
    lines = [f"# {path}"]
    section = ""
    for value in values:
        table, _, name = value.key.rpartition(".")
        if table != section:
            section = table
            lines += ["", f"[{table}]"]
        where = value.source.value
        if value.variable:
            where += f" ${value.variable}"
        if value.written is not None:
            where += f", written {_toml(value.written)}"
        lines.append(f"{name} = {_toml(value.value)}  # {where}")
    return "\n".join(lines)


def config_json(values: tuple[ConfigValue, ...], path: str) -> dict[str, Any]:
    """The effective configuration for ``--json``: ``file`` and, by dotted key,
    ``value``, ``source``, ``variable`` and ``written``."""
    return {
        "file": path,
        "values": {
            value.key: {
                "value": value.value,
                "source": value.source.value,
                "variable": value.variable,
                "written": value.written,
            }
            for value in values
        },
    }


def _toml(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


# -- the reference -----------------------------------------------------------------


def config_reference() -> str:
    """Markdown tables of every key of the site configuration and of each
    destination type: key, type, default, limits, description."""
    lines: list[str] = []
    for section, model in _sections():
        lines += _reference_table(f"**`[{section}]`**", model)
    for kind in destination_types():
        title = f'**`[destinations.NAME]` with `type = "{kind}"`**'
        lines += _reference_table(title, options_model(kind))
    return "\n".join(lines)


def _reference_table(title: str, model: type[BaseModel]) -> list[str]:
    lines = [
        title,
        "",
        "| key | type | default | limits | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        cells = [
            f"`{name}`",
            _type_name(info.annotation),
            _default(info),
            "; ".join(_limits(info)),
            (info.description or "").replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _sections() -> Iterator[tuple[str, type[BaseModel]]]:
    for name, info in SiteFile.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            yield name, model


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in get_args(annotation))
    if origin in {Union, _UnionType}:
        names = [_type_name(a) for a in get_args(annotation) if a is not type(None)]
        return " or ".join(names)
    if hasattr(annotation, "__metadata__"):  # Annotated
        return _type_name(get_args(annotation)[0])
    return _TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


_UnionType = type(int | None)
_TYPE_NAMES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
}


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    default = info.default
    if default is PydanticUndefined or default is None:
        return "not set"
    return f"`{_toml(default)}`"


def _limits(info: FieldInfo) -> Iterator[str]:
    yield from _limits_of(info.metadata)
    yield from _limits_in(info.annotation)


def _limits_in(annotation: Any) -> Iterator[str]:
    if hasattr(annotation, "__metadata__"):
        yield from _limits_of(annotation.__metadata__)
    for argument in get_args(annotation):
        yield from _limits_in(argument)


def _limits_of(metadata: Any) -> Iterator[str]:
    for item in metadata:
        if isinstance(item, AfterValidator) and item.func in LIMITS:
            yield LIMITS[item.func]
