"""Destination registry: a type name → its class and its options model, imported on
first use.

The site configuration checks every ``[destinations.NAME]`` table with its type's
options model (:func:`check_destination`) when it is loaded, whether a feed uses
the destination or not; :func:`open_destination` builds one from checked options.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syndication.definitions import check, resolve_path, short
from syndication.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from pydantic import BaseModel

    from syndication.config import DestinationConfig, Settings
    from syndication.destinations.base import Destination


@dataclass(frozen=True)
class _Kind:
    """A destination type: its class, its options model, and the packages it
    needs beyond the core with the extra that installs them."""

    cls: str
    options: str
    needs: tuple[str, ...] = ()
    extra: str = ""


_REGISTRY: dict[str, _Kind] = {
    "local": _Kind(
        "syndication.destinations.local:LocalDestination",
        "syndication.destinations.local:LocalOptions",
    ),
    "s3": _Kind(
        "syndication.destinations.s3:S3Destination",
        "syndication.destinations.s3:S3Options",
        needs=("boto3",),
        extra="s3",
    ),
}
# Destination names go into the ledger (String(128) columns) and messages.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_destination(
    name: str, table: Any, path: Path | str, *, base: Path | None = None
) -> tuple[DestinationConfig | None, list[ConfigProblem]]:
    """A ``[destinations.NAME]`` table checked: its config, or None and every
    problem (file and key). With ``base`` (the configuration file's folder), the
    folders its options model names in ``local_paths`` are made absolute
    against it, given or by default."""
    from syndication.config import DestinationConfig

    key = f"destinations.{name}"
    problems: list[ConfigProblem] = []
    if not _NAME.match(name):
        problems.append(
            ConfigProblem(
                str(path),
                f"destinations.{short(name)}",
                "destination names hold only letters, digits, '-' and '_' (at most 64)",
            )
        )
        return None, problems
    if not isinstance(table, dict):
        problems.append(ConfigProblem(str(path), key, "expected a table"))
        return None, problems
    kind = table.get("type")
    if not isinstance(kind, str):
        problems.append(
            ConfigProblem(
                str(path),
                f"{key}.type",
                "missing required value 'type' (local or s3)"
                if kind is None
                else f"expected a string (local or s3), got {short(kind)}",
            )
        )
        return None, problems
    if kind not in _REGISTRY:
        problems.append(
            ConfigProblem(
                str(path),
                f"{key}.type",
                f"unknown destination type {short(kind)}; "
                f"known: {', '.join(sorted(_REGISTRY))}",
            )
        )
        return None, problems
    options = {k: v for k, v in table.items() if k != "type"}
    model, problems = check(
        _load(_REGISTRY[kind].options), options, path, prefix=("destinations", name)
    )
    if model is None:
        return None, problems
    if base is not None:
        folders = {
            key: resolve_path(base, getattr(model, key))
            for key in getattr(model, "local_paths", ())
        }
        options.update(folders)
        model = model.model_copy(update=folders)
    root = tuple(model.root()) if hasattr(model, "root") else ()
    return DestinationConfig(name, kind, options, root), []


def destination_types() -> tuple[str, ...]:
    """The known destination types (``local``, ``s3``)."""
    return tuple(sorted(_REGISTRY))


def options_model(kind: str) -> type[BaseModel]:
    """The options model of destination type ``kind`` (a known one)."""
    model: type[BaseModel] = _load(_REGISTRY[kind].options)
    return model


def open_destination(config: DestinationConfig) -> Destination:
    """Build the destination a (checked) ``[destinations.NAME]`` table describes.
    Raises ConfigError for an unknown type or one whose extra is not installed."""
    if config.type not in _REGISTRY:
        raise ConfigError(
            f"unknown destination type {config.type!r}; "
            f"known: {', '.join(sorted(_REGISTRY))}",
            key=f"destinations.{config.name}.type",
        )
    kind = _REGISTRY[config.type]
    missing = [name for name in kind.needs if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"destination type {config.type!r} needs {', '.join(missing)}, which "
            f"is not installed: pip install 'syndication[{kind.extra}]'",
            key=f"destinations.{config.name}.type",
        )
    cls = _load(kind.cls)
    destination: Destination = cls.from_options(config.name, config.options)
    return destination


def destination_for(settings: Settings, name: str | None) -> Destination:
    """The named destination (or the site's default)."""
    chosen = name or settings.default_destination
    if chosen not in settings.destinations:
        raise ConfigError(
            f"no destination {chosen!r}; configured: "
            f"{', '.join(sorted(settings.destinations))}",
            path=settings.path,
            key="destinations",
        )
    return open_destination(settings.destinations[chosen])


def _load(path: str) -> Any:
    module_name, attribute = path.split(":")
    return getattr(importlib.import_module(module_name), attribute)
