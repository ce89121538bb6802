"""Site configuration: config/syndication.toml → a frozen, typed :class:`Settings`.

Loaded once per process and validated: an unknown key, a wrong type or a missing
required value raises :class:`ConfigError` naming the file, the key and what was
expected. Relative paths are resolved against the working directory.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from syndication.errors import ConfigError

ENV_VAR = "SYNDICATION_CONFIG"
DEFAULT_PATH = Path("config") / "syndication.toml"
DEFAULT_STORE_URL = "sqlite:///syndication.db"


# Cache-Control defaults. Every document may have to be withdrawn (a kill, a
# correction), so nothing is "immutable": an index is cached a minute, an item
# five minutes. After a withdrawal a cache may serve the old bytes that long at
# most; a CDN in front should be purged on kills for a faster guarantee.
DEFAULT_CACHE_INDEX = "public, max-age=60"
DEFAULT_CACHE_ITEM = "public, max-age=300"
MAX_CACHE_SECONDS = 86_400


@dataclass(frozen=True)
class Agency:
    """Who publishes: identity, the canonical credit line and the rights."""

    name: str
    url: str
    id_prefix: str
    credit_line: str
    copyright_holder: str
    copyright_notice: str
    usage_terms: str


@dataclass(frozen=True)
class DestinationConfig:
    """A named destination: its type (``local``, ``s3``) and that type's options."""

    name: str
    type: str
    options: Mapping[str, Any]


@dataclass(frozen=True)
class SchedulerConfig:
    """``verify_interval``: how often the scheduler checks every feed's
    destination against the ledger (None: never); ``verify_repair``: whether
    it repairs the drift it finds."""

    misfire_grace_seconds: int = 300
    embargo_poll_seconds: float = 1.0
    verify_interval: timedelta | None = timedelta(hours=24)
    verify_repair: bool = True


@dataclass(frozen=True)
class Settings:
    agency: Agency
    store_url: str = DEFAULT_STORE_URL
    feeds_dir: Path = Path("feeds")
    schemas_dir: Path = Path(__file__).resolve().parent.parent / "schemas"
    newsml_xsd: Path | None = None
    ninjs_schema: Path | None = None
    max_input_bytes: int = 5_000_000
    default_destination: str = "local"
    destinations: Mapping[str, DestinationConfig] = field(default_factory=dict)
    scheduler: SchedulerConfig = SchedulerConfig()
    websub_hub: str = ""
    cache_control_index: str = DEFAULT_CACHE_INDEX
    cache_control_item: str = DEFAULT_CACHE_ITEM
    lock_timeout_seconds: float = 5.0
    upload_concurrency: int = 8
    path: Path | None = None


# key → (type, required). A nested mapping is a table of such keys.
_Keys = dict[str, tuple[type, bool]]
_AGENCY_KEYS: _Keys = {
    "name": (str, True),
    "url": (str, True),
    "id_prefix": (str, True),
    "credit_line": (str, True),
    "copyright_holder": (str, True),
    "copyright_notice": (str, True),
    "usage_terms": (str, False),
}
_STORE_KEYS: _Keys = {"url": (str, False)}
_PATH_KEYS: _Keys = {"feeds": (str, False), "schemas": (str, False)}
_VALIDATION_KEYS: _Keys = {
    "newsml_official_xsd": (str, False),
    "ninjs_schema": (str, False),
}
_INGEST_KEYS: _Keys = {"max_bytes": (int, False)}
_PUBLISH_KEYS: _Keys = {
    "default_destination": (str, False),
    "websub_hub": (str, False),
    "cache_control_index": (str, False),
    "cache_control_item": (str, False),
    "lock_timeout_seconds": (float, False),
    "upload_concurrency": (int, False),
}
_SCHEDULER_KEYS: _Keys = {
    "misfire_grace_seconds": (int, False),
    "embargo_poll_seconds": (float, False),
    "verify_interval": (str, False),
    "verify_repair": (bool, False),
}
_TOP_KEYS: dict[str, _Keys | None] = {
    "agency": _AGENCY_KEYS,
    "store": _STORE_KEYS,
    "paths": _PATH_KEYS,
    "validation": _VALIDATION_KEYS,
    "ingest": _INGEST_KEYS,
    "publish": _PUBLISH_KEYS,
    "scheduler": _SCHEDULER_KEYS,
    "destinations": None,  # a table of named destination tables, checked below
}
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
}


def find_config(explicit: Path | str | None = None) -> Path:
    """The config file to use: ``--config``, then $SYNDICATION_CONFIG, then
    ./config/syndication.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return DEFAULT_PATH


def load_settings(path: Path | str | None = None) -> Settings:
    """Read and validate the site configuration. Raises :class:`ConfigError`."""
    config_path = find_config(path)
    try:
        raw = config_path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "configuration file not found; pass --config or set "
            f"${ENV_VAR} (see config/syndication.toml in the repository)",
            path=config_path,
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=config_path) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError("not UTF-8 text", path=config_path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=config_path) from exc
    return settings_from_mapping(data, config_path)


def settings_from_mapping(data: Mapping[str, Any], path: Path) -> Settings:
    """Validate an already-parsed TOML document."""
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(
                f"unknown section; expected one of {', '.join(sorted(_TOP_KEYS))}",
                path=path,
                key=key,
            )
    if "agency" not in data:
        raise ConfigError("missing required section [agency]", path=path, key="agency")
    tables: dict[str, dict[str, Any]] = {}
    for section, keys in _TOP_KEYS.items():
        if keys is None:
            continue
        tables[section] = _check_table(data.get(section, {}), keys, section, path)
    agency_table = tables["agency"]
    agency = Agency(
        name=agency_table["name"],
        url=agency_table["url"],
        id_prefix=agency_table["id_prefix"],
        credit_line=" ".join(agency_table["credit_line"].split()),
        copyright_holder=agency_table["copyright_holder"],
        copyright_notice=agency_table["copyright_notice"],
        usage_terms=agency_table.get("usage_terms", ""),
    )
    destinations = _destinations(data.get("destinations", {}), path)
    default_destination = tables["publish"].get("default_destination", "local")
    if default_destination not in destinations:
        raise ConfigError(
            f"names destination {default_destination!r}, which is not defined; "
            f"defined: {', '.join(sorted(destinations))}",
            path=path,
            key="publish.default_destination",
        )
    xsd = tables["validation"].get("newsml_official_xsd")
    ninjs = tables["validation"].get("ninjs_schema")
    scheduler = SchedulerConfig(
        misfire_grace_seconds=tables["scheduler"].get("misfire_grace_seconds", 300),
        embargo_poll_seconds=float(
            tables["scheduler"].get("embargo_poll_seconds", 1.0)
        ),
        verify_interval=_verify_interval(
            tables["scheduler"].get("verify_interval", "24h"), path
        ),
        verify_repair=tables["scheduler"].get("verify_repair", True),
    )
    concurrency = tables["publish"].get("upload_concurrency", 8)
    if not 1 <= concurrency <= 64:
        raise ConfigError(
            f"expected a number of parallel uploads from 1 to 64, got {concurrency}",
            path=path,
            key="publish.upload_concurrency",
        )
    return Settings(
        agency=agency,
        store_url=tables["store"].get("url", DEFAULT_STORE_URL),
        feeds_dir=Path(tables["paths"].get("feeds", "feeds")),
        schemas_dir=Path(tables["paths"]["schemas"])
        if "schemas" in tables["paths"]
        else Settings.__dataclass_fields__["schemas_dir"].default,  # type: ignore[arg-type]
        newsml_xsd=Path(xsd) if xsd else None,
        ninjs_schema=Path(ninjs) if ninjs else None,
        max_input_bytes=tables["ingest"].get("max_bytes", 5_000_000),
        default_destination=default_destination,
        destinations=destinations,
        scheduler=scheduler,
        websub_hub=tables["publish"].get("websub_hub", ""),
        cache_control_index=check_cache_control(
            tables["publish"].get("cache_control_index", DEFAULT_CACHE_INDEX),
            key="publish.cache_control_index",
            path=path,
        ),
        cache_control_item=check_cache_control(
            tables["publish"].get("cache_control_item", DEFAULT_CACHE_ITEM),
            key="publish.cache_control_item",
            path=path,
        ),
        lock_timeout_seconds=float(tables["publish"].get("lock_timeout_seconds", 5.0)),
        upload_concurrency=concurrency,
        path=path,
    )


def _verify_interval(text: str, path: Path) -> timedelta | None:
    """``"off"`` (no scheduled verification) or a duration such as ``"24h"``."""
    from syndication.feeds import parse_duration

    if text.strip().lower() == "off":
        return None
    return parse_duration(text, path, "scheduler.verify_interval")


def check_cache_control(value: str, *, key: str, path: Path | None = None) -> str:
    """``value`` if caches may be told it: every document the tool writes may
    have to be withdrawn (a kill, a correction), so none may be ``immutable``
    or cached longer than :data:`MAX_CACHE_SECONDS`. Raises ConfigError."""
    directives = [d.strip().lower() for d in value.split(",") if d.strip()]
    if "immutable" in directives:
        raise ConfigError(
            "'immutable' is not allowed: a kill or a correction must be able to "
            "withdraw every document; use max-age (default "
            f"{DEFAULT_CACHE_ITEM!r})",
            path=path,
            key=key,
        )
    for directive in directives:
        name, _, number = directive.partition("=")
        if name.strip() in {"max-age", "s-maxage"}:
            seconds = number.strip().strip('"')
            if not seconds.isdigit() or int(seconds) > MAX_CACHE_SECONDS:
                raise ConfigError(
                    f"{name.strip()} must be a whole number of seconds up to "
                    f"{MAX_CACHE_SECONDS} (a withdrawn document may be served "
                    f"from caches that long), got {seconds!r}",
                    path=path,
                    key=key,
                )
    return value


def _check_table(
    value: Any, keys: Mapping[str, tuple[type, bool]], section: str, path: Path
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError("expected a table", path=path, key=section)
    for key, item in value.items():
        if key not in keys:
            raise ConfigError(
                f"unknown key; expected one of {', '.join(sorted(keys))}",
                path=path,
                key=f"{section}.{key}",
            )
        expected, _ = keys[key]
        ok = isinstance(item, expected) and not (
            expected is int and isinstance(item, bool)
        )
        if expected is float and isinstance(item, int) and not isinstance(item, bool):
            ok = True
        if not ok:
            raise ConfigError(
                f"expected {_TYPE_NAMES[expected]}, got {type(item).__name__} {item!r}",
                path=path,
                key=f"{section}.{key}",
            )
        if expected is str and not item.strip() and keys[key][1]:
            raise ConfigError("must not be empty", path=path, key=f"{section}.{key}")
    for key, (_, required) in keys.items():
        if required and key not in value:
            raise ConfigError(
                "missing required value", path=path, key=f"{section}.{key}"
            )
    return dict(value)


def _destinations(value: Any, path: Path) -> dict[str, DestinationConfig]:
    if not isinstance(value, dict):
        raise ConfigError(
            "expected a table of destinations", path=path, key="destinations"
        )
    result: dict[str, DestinationConfig] = {
        "local": DestinationConfig("local", "local", {"path": "public"})
    }
    for name, table in value.items():
        key = f"destinations.{name}"
        if not isinstance(table, dict):
            raise ConfigError("expected a table", path=path, key=key)
        kind = table.get("type")
        if not isinstance(kind, str):
            raise ConfigError(
                "missing required value 'type' (local or s3)",
                path=path,
                key=f"{key}.type",
            )
        options = {k: v for k, v in table.items() if k != "type"}
        result[name] = DestinationConfig(name, kind, options)
    return result
