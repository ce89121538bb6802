"""Destination registry: a type name → its class and its options model, imported on
first use.

The site configuration checks every ``[destinations.NAME]`` table with its type's
options model (:func:`check_destination`) when it is loaded, whether a feed uses
the destination or not; :func:`open_destination` builds one from checked options.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syndication.definitions import check, short
from syndication.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from syndication.config import DestinationConfig, Settings
    from syndication.destinations.base import Destination

# type → (class, options model, what to install if the class's package is missing)
_REGISTRY: dict[str, tuple[str, str, str]] = {
    "local": (
        "syndication.destinations.local:LocalDestination",
        "syndication.destinations.local:LocalOptions",
        "",
    ),
    "s3": (
        "syndication.destinations.s3:S3Destination",
        "syndication.destinations.s3:S3Options",
        "pip install boto3",
    ),
}
# Destination names go into the ledger (String(128) columns) and messages.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_destination(
    name: str, table: Any, path: Path | str
) -> tuple[DestinationConfig | None, list[ConfigProblem]]:
    """A ``[destinations.NAME]`` table checked: its config, or None and every
    problem (file and key)."""
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
        _load(_REGISTRY[kind][1]), options, path, prefix=("destinations", name)
    )
    if model is None:
        return None, problems
    root = tuple(model.root()) if hasattr(model, "root") else ()
    return DestinationConfig(name, kind, options, root), []


def open_destination(config: DestinationConfig) -> Destination:
    """Build the destination a (checked) ``[destinations.NAME]`` table describes."""
    if config.type not in _REGISTRY:
        raise ConfigError(
            f"unknown destination type {config.type!r}; "
            f"known: {', '.join(sorted(_REGISTRY))}",
            key=f"destinations.{config.name}.type",
        )
    path, _, hint = _REGISTRY[config.type]
    try:
        cls = _load(path)
    except ImportError as exc:
        raise ConfigError(
            f"destination type {config.type!r} needs a missing package ({hint}): {exc}",
            key=f"destinations.{config.name}.type",
        ) from exc
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
