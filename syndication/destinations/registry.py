"""Destination registry: a type name → its class, imported on first use."""

from __future__ import annotations

import importlib
from pathlib import Path

from syndication.config import DestinationConfig, Settings
from syndication.destinations.base import Destination
from syndication.errors import ConfigError

# type → (import path, what to install if it is missing)
_REGISTRY: dict[str, tuple[str, str]] = {
    "local": ("syndication.destinations.local:LocalDestination", ""),
    "s3": ("syndication.destinations.s3:S3Destination", "pip install boto3"),
}


def open_destination(config: DestinationConfig) -> Destination:
    """Build the destination a ``[destinations.NAME]`` table describes."""
    if config.type not in _REGISTRY:
        raise ConfigError(
            f"unknown destination type {config.type!r}; "
            f"known: {', '.join(sorted(_REGISTRY))}",
            key=f"destinations.{config.name}.type",
        )
    path, hint = _REGISTRY[config.type]
    module_name, attribute = path.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"destination type {config.type!r} needs a missing package ({hint}): {exc}",
            key=f"destinations.{config.name}.type",
        ) from exc
    cls = getattr(module, attribute)
    if config.type == "local":
        options = dict(config.options)
        unknown = set(options) - {"path", "public_base_url"}
        if unknown:
            raise ConfigError(
                "unknown option; expected path or public_base_url",
                key=f"destinations.{config.name}.{sorted(unknown)[0]}",
            )
        destination: Destination = cls(
            config.name,
            Path(str(options.get("path", "public"))),
            str(options.get("public_base_url", "")),
        )
        return destination
    built: Destination = cls(config.name, config.options)
    return built


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
