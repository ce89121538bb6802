"""Site configuration: config/syndication.toml → a frozen, typed :class:`Settings`.

Loaded once per process and checked by the :class:`SiteFile` model (pydantic,
see definitions.py), every ``[destinations.NAME]`` table by its type's model
whether a feed uses it or not: an unknown key, a wrong type, a value out of
range or a missing required value raises one :class:`ConfigError` listing every
problem with the file and the key.

Paths in the file (the SQLite file of ``[store] url``, ``[paths]``, the official
XSD, a local destination's folder) and their defaults are relative to the file's
folder, never to the working directory. A few settings an operator changes per
deployment come from the environment instead, when set (see config_env.py).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field

from syndication import resources
from syndication.config_env import (
    blamed,
    environment_overrides,
    merged_with,
    sqlite_file_url,
)
from syndication.config_queue import QueueConfig, QueueTable, queue_config
from syndication.definitions import (
    HttpUrl,
    Table,
    allows,
    between,
    check,
    duration,
    mask_secrets,
    parse_duration,
    problem,
    read_toml,
    resolve_path,
    short,
    small_number,
    text,
)
from syndication.errors import ConfigError, ConfigProblem
from syndication.periods import PeriodKind

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
    """A named destination: its type (``local``, ``s3``), that type's options
    (checked) and ``root``, where it writes (a folder, an endpoint and bucket and
    prefix), to tell when two feeds would write to the same place."""

    name: str
    type: str
    options: Mapping[str, Any]
    root: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchedulerConfig:
    """``verify_interval``: how often the scheduler checks every feed's
    destination against the ledger (None: never); ``verify_repair``: whether
    it repairs the drift it finds."""

    misfire_grace_seconds: int = 300
    embargo_poll_seconds: float = 1.0
    verify_interval: timedelta | None = timedelta(hours=24)
    verify_repair: bool = True
    # ``metrics_address``: where /healthz and /metrics are served ("" = off);
    # ``health_max_tick_age``: seconds without a scheduler tick before /healthz
    # says unhealthy.
    metrics_address: str = ""
    health_max_tick_age: float = 60.0


@dataclass(frozen=True)
class LedgerConfig:
    """``keep_unchanged``: how long summarised unchanged runs stay in the
    ledger (runs that wrote or failed stay for good)."""

    keep_unchanged: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class ArchiveConfig:
    """RFC 5005 archives of RSS and Atom feeds: ``period`` is how long each
    archive document's span is (None: no archives), ``periods`` how many
    closed periods stay linked and published."""

    period: PeriodKind | None = PeriodKind.DAILY
    periods: int = 7


@dataclass(frozen=True)
class Settings:
    agency: Agency
    store_url: str = DEFAULT_STORE_URL
    feeds_dir: Path = Path("feeds")
    schemas_dir: Path = field(default_factory=resources.schemas_dir)
    newsml_xsd: Path | None = None
    ninjs_schema: Path | None = None
    max_input_bytes: int = 5_000_000
    default_destination: str = "local"
    destinations: Mapping[str, DestinationConfig] = field(default_factory=dict)
    scheduler: SchedulerConfig = SchedulerConfig()
    ledger: LedgerConfig = LedgerConfig()
    archive: ArchiveConfig = ArchiveConfig()
    queue: QueueConfig = field(default_factory=QueueConfig)
    websub_hub: str = ""
    cache_control_index: str = DEFAULT_CACHE_INDEX
    cache_control_item: str = DEFAULT_CACHE_ITEM
    lock_timeout_seconds: float = 5.0
    upload_concurrency: int = 8
    publish_processes: int = 0
    browsable_feeds: bool = True
    log_level: str = "info"
    path: Path | None = None


# -- the file model ------------------------------------------------------------------
# Limits (README, Configuration): texts that go into documents are bounded and
# carry no control characters, URLs are absolute http(s), numbers have ranges.


@allows("sqlite:///FILE or postgresql://USER@HOST/DATABASE, at most 2,048 characters")
def _store_url(value: str) -> str:
    if len(value) > 2048 or not value.startswith(_STORE_SCHEMES):
        raise problem(
            "expected sqlite:///FILE or postgresql://USER@HOST/DATABASE, "
            f"got {short(mask_secrets(value))}"
        )
    return value


_STORE_SCHEMES = (
    "sqlite:",
    "sqlite+pysqlite:",
    "postgresql:",
    "postgresql+",
    "postgres:",
)


@allows("no immutable; max-age and s-maxage at most 86,400")
def _cache_control(value: str) -> str:
    try:
        return check_cache_control(value, key="")
    except ConfigError as exc:
        raise problem(exc.detail) from None


@allows("no spaces")
def _no_space(value: str) -> str:
    if any(c.isspace() for c in value):
        raise problem(f"must not hold spaces, got {short(value)}")
    return value


Label = Annotated[str, AfterValidator(text(200))]
LongText = Annotated[str, AfterValidator(text(2000))]
# A file or folder on this machine: no control characters (no NUL byte).
LocalPath = Annotated[str, AfterValidator(text(4096))]
CacheControl = Annotated[str, AfterValidator(text(200)), AfterValidator(_cache_control)]


class AgencyTable(Table):
    name: Label = Field(description="The agency's name, as feeds show it.")
    url: Annotated[HttpUrl, AfterValidator(text(2048))] = Field(
        description="The agency's site."
    )
    id_prefix: Annotated[str, AfterValidator(text(200)), AfterValidator(_no_space)] = (
        Field(
            description="Prefix of minted article ids: {id_prefix}:{yyyymmdd}:{slug}."
        )
    )
    credit_line: Annotated[str, AfterValidator(text(1000))] = Field(
        description="The canonical credit line every item carries (a feed may "
        "override it)."
    )
    copyright_holder: Label = Field(description="Who holds the rights.")
    copyright_notice: LongText = Field(description="The rights statement of items.")
    usage_terms: Annotated[str, AfterValidator(text(2000, required=False))] = Field(
        default="", description="Terms partners republish under."
    )


class StoreTable(Table):
    url: Annotated[str, AfterValidator(_store_url)] = Field(
        default=DEFAULT_STORE_URL,
        description="The article store and ledger. A relative SQLite file is "
        "relative to this file's folder. [env: SYNDICATION_STORE_URL]",
    )


class PathsTable(Table):
    feeds: LocalPath = Field(
        default="feeds",
        description="Folder of the feed definitions, relative to this file's folder.",
    )
    schemas: LocalPath | None = Field(
        default=None,
        description="Folder of our XML schemas and rules; default: the ones "
        "installed with syndication.",
    )


class ValidationTable(Table):
    newsml_official_xsd: Annotated[str, AfterValidator(text(4096, required=False))] = (
        Field(
            default="",
            description="IPTC's NewsML-G2_*-spec-All-Power.xsd (xml.xsd beside it), "
            "relative to this file's folder; when set, NewsML-G2 documents must pass "
            "it too.",
        )
    )
    ninjs_schema: Annotated[str, AfterValidator(text(4096, required=False))] = Field(
        default="",
        description="IPTC's ninjs 3.1 JSON Schema, relative to this file's folder; "
        "required by feeds with the ninjs format (every ninjs document must pass it).",
    )


class IngestTable(Table):
    max_bytes: Annotated[int, AfterValidator(between(1, 1_000_000_000))] = Field(
        default=5_000_000, description="Largest story file ingest reads, in bytes."
    )


class PublishTable(Table):
    default_destination: str = Field(
        default="local", description="The destination of feeds that name none."
    )
    websub_hub: HttpUrl = Field(
        default="", description="WebSub hub pinged when a feed index changes."
    )
    cache_control_index: CacheControl = Field(
        default=DEFAULT_CACHE_INDEX, description="Cache-Control of feed indexes."
    )
    cache_control_item: CacheControl = Field(
        default=DEFAULT_CACHE_ITEM, description="Cache-Control of item documents."
    )
    lock_timeout_seconds: Annotated[float, AfterValidator(between(0.0, 3600.0))] = (
        Field(default=5.0, description="How long a publish waits for its feed's lock.")
    )
    upload_concurrency: Annotated[
        int,
        AfterValidator(
            between(
                1, 64, "expected a number of parallel uploads from 1 to 64, got {value}"
            )
        ),
    ] = Field(default=8, description="Item documents uploaded at a time, per feed.")
    processes: Annotated[
        int,
        AfterValidator(
            between(
                0,
                256,
                "expected a number of worker processes from 0 to 256, got {value}",
            )
        ),
    ] = Field(
        default=0,
        description="Worker processes a publish of many feeds spreads them over: "
        "0, one per core when at least 16 feeds are rendered; 1, none (every feed "
        "in the publishing process).",
    )
    browsable_feeds: bool = Field(
        default=True,
        description="Send rss.xml and atom.xml as application/xml, which browsers "
        "show through feed.xsl; false: application/rss+xml and application/atom+xml "
        "(browsers then show the source).",
    )


class LoggingTable(Table):
    level: Literal["debug", "info", "warning", "error"] = Field(
        default="info",
        description="Least severe log events written to stderr (--debug and "
        "--quiet win). [env: SYNDICATION_LOG_LEVEL]",
    )


@allows('"off", or a duration up to 366 days')
def _verify_interval(value: str) -> str:
    """``"off"`` (no scheduled verification) or a duration up to 366 days."""
    return value if value.strip().lower() == "off" else duration(MAX_VERIFY)(value)


MAX_VERIFY = timedelta(days=366)


def metrics_address(value: str) -> tuple[str, int] | None:
    """``"HOST:PORT"`` (``"[::1]:PORT"`` for IPv6) as (host, port), or None
    for ``""`` (off). Raises ValueError saying what is wrong."""
    if not value:
        return None
    host, colon, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    number = small_number(port, 12) or 0
    if not colon or not host or not 1 <= number <= 65535:
        raise ValueError(
            f"expected HOST:PORT (port 1 to 65535) such as 127.0.0.1:9464, or "
            f'"" for off, got {short(value)}'
        )
    return host, int(port)


def _metrics_address(value: str) -> str:
    try:
        metrics_address(value)
    except ValueError as exc:
        raise problem(str(exc)) from None
    return value


class SchedulerTable(Table):
    misfire_grace_seconds: Annotated[int, AfterValidator(between(1, 604_800))] = Field(
        default=300, description="How late a missed scheduled run may still start."
    )
    embargo_poll_seconds: Annotated[float, AfterValidator(between(0.05, 3600.0))] = (
        Field(default=1.0, description="How often embargo ends are looked for.")
    )
    verify_interval: Annotated[str, AfterValidator(_verify_interval)] = Field(
        default="24h", description="How often every feed's destination is verified."
    )
    verify_repair: bool = Field(
        default=True, description="Whether scheduled verification repairs drift."
    )
    metrics_address: Annotated[
        str, AfterValidator(text(300, required=False)), AfterValidator(_metrics_address)
    ] = Field(
        default="",
        description="host:port where the scheduler serves /healthz and /metrics "
        "(empty: off).",
    )
    health_max_tick_age_seconds: Annotated[
        float, AfterValidator(between(1.0, 86_400.0))
    ] = Field(
        default=60.0,
        description="How old the scheduler's last tick may be before /healthz "
        "answers 503.",
    )


class LedgerTable(Table):
    keep_unchanged_days: Annotated[int, AfterValidator(between(1, 36_500))] = Field(
        default=30,
        description="Days an unchanged-run summary is kept; runs that wrote or "
        "failed are kept.",
    )


class ArchiveTable(Table):
    period: Literal["hourly", "daily", "weekly", "monthly", "off"] = Field(
        default="daily",
        description="Span of each RSS and Atom archive document (RFC 5005), in "
        "UTC; off: no archives.",
    )
    periods: Annotated[int, AfterValidator(between(1, 1000))] = Field(
        default=7,
        description="How many closed periods stay linked from the feed and "
        "published; older archives are withdrawn.",
    )


class SiteFile(Table):
    """config/syndication.toml, as written. ``[destinations.NAME]`` tables are
    checked by their type's own model (see destinations/registry.py)."""

    unknown_word: ClassVar[str] = "section"

    agency: AgencyTable
    store: StoreTable = StoreTable()
    paths: PathsTable = PathsTable()
    validation: ValidationTable = ValidationTable()
    ingest: IngestTable = IngestTable()
    publish: PublishTable = PublishTable()
    scheduler: SchedulerTable = SchedulerTable()
    logging: LoggingTable = LoggingTable()
    ledger: LedgerTable = LedgerTable()
    archive: ArchiveTable = ArchiveTable()
    queue: QueueTable = QueueTable()
    destinations: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class SiteConfig:
    """The configuration file checked, the environment applied and every path
    made absolute: what :class:`Settings` and ``config show`` are made from.

    ``written`` is the file's content as written; ``overrides`` maps each key
    the environment set to its variable."""

    path: Path
    written: Mapping[str, Any]
    site: SiteFile
    destinations: Mapping[str, DestinationConfig]
    overrides: Mapping[str, str] = field(default_factory=dict)


def find_config(explicit: Path | str | None = None) -> Path:
    """The config file to use: ``--config``, then $SYNDICATION_CONFIG, then
    ./config/syndication.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return DEFAULT_PATH


def load_settings(
    path: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read and check the site configuration, with the overrides set in
    ``environ`` (default: this process's environment). Raises
    :class:`ConfigError` with every problem of the file."""
    return settings_from_site(load_site(path, environ))


def load_site(
    path: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> SiteConfig:
    """The checked configuration (see :class:`SiteConfig`). Raises ConfigError."""
    config_path = find_config(path)
    try:
        data = read_toml(config_path)
    except ConfigError as exc:
        if exc.detail == "file not found":
            raise ConfigError(
                "configuration file not found; pass --config or set "
                f"${ENV_VAR} (see config/syndication.toml in the repository)",
                path=config_path,
            ) from None
        raise
    return check_site(data, config_path, os.environ if environ is None else environ)


def settings_from_mapping(
    data: Mapping[str, Any], path: Path, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from an already-parsed TOML document (no environment unless
    given). Raises :class:`ConfigError` with every problem."""
    return settings_from_site(check_site(data, path, environ or {}))


def check_site(
    data: Mapping[str, Any], path: Path, environ: Mapping[str, str]
) -> SiteConfig:
    """Check a parsed configuration with ``environ``'s overrides: the site
    model, then every ``[destinations.NAME]`` table (used by a feed or not),
    then the default destination and the store's driver; then make its paths
    absolute. Raises :class:`ConfigError` with every problem, a value from the
    environment blamed on its variable."""
    values, overrides, problems = environment_overrides(data, environ)
    merged = merged_with(data, values)
    site, found = check(SiteFile, merged, path)
    problems += blamed(found, overrides)
    base = _folder(path)
    raw_destinations = merged.get("destinations", {})
    destinations = _destinations(
        raw_destinations if isinstance(raw_destinations, dict) else {},
        path,
        base,
        problems,
        overrides,
    )
    if site is None:
        raise ConfigError.from_problems(problems)
    default_destination = site.publish.default_destination
    if default_destination not in destinations:
        problems.append(
            ConfigProblem(
                str(path),
                "publish.default_destination",
                f"names destination {short(default_destination)}, which is not "
                f"defined; defined: {', '.join(sorted(destinations))}",
            )
        )
    if _needs_psycopg(site.store.url):
        problems += blamed(
            [
                ConfigProblem(
                    str(path),
                    "store.url",
                    "a PostgreSQL store needs psycopg, which is not installed: "
                    "pip install 'syndication[postgres]'",
                )
            ],
            overrides,
        )
    if problems:
        raise ConfigError.from_problems(problems)
    return SiteConfig(
        path=path,
        written=data,
        site=_resolved(site, base, overrides),
        destinations=destinations,
        overrides=overrides,
    )


def settings_from_site(config: SiteConfig) -> Settings:
    """The frozen settings the pipeline reads."""
    site = config.site
    agency = site.agency
    return Settings(
        agency=Agency(
            name=agency.name,
            url=agency.url,
            id_prefix=agency.id_prefix,
            credit_line=" ".join(agency.credit_line.split()),
            copyright_holder=agency.copyright_holder,
            copyright_notice=agency.copyright_notice,
            usage_terms=agency.usage_terms,
        ),
        store_url=site.store.url,
        feeds_dir=Path(site.paths.feeds),
        schemas_dir=Path(site.paths.schemas)
        if site.paths.schemas
        else resources.schemas_dir(),
        newsml_xsd=Path(site.validation.newsml_official_xsd)
        if site.validation.newsml_official_xsd
        else None,
        ninjs_schema=Path(site.validation.ninjs_schema)
        if site.validation.ninjs_schema
        else None,
        max_input_bytes=site.ingest.max_bytes,
        default_destination=site.publish.default_destination,
        destinations=config.destinations,
        scheduler=SchedulerConfig(
            misfire_grace_seconds=site.scheduler.misfire_grace_seconds,
            embargo_poll_seconds=float(site.scheduler.embargo_poll_seconds),
            verify_interval=None
            if site.scheduler.verify_interval.strip().lower() == "off"
            else parse_duration(site.scheduler.verify_interval, maximum=MAX_VERIFY),
            verify_repair=site.scheduler.verify_repair,
            metrics_address=site.scheduler.metrics_address,
            health_max_tick_age=float(site.scheduler.health_max_tick_age_seconds),
        ),
        ledger=LedgerConfig(
            keep_unchanged=timedelta(days=site.ledger.keep_unchanged_days)
        ),
        archive=ArchiveConfig(
            period=None
            if site.archive.period == "off"
            else PeriodKind(site.archive.period),
            periods=site.archive.periods,
        ),
        queue=queue_config(site.queue),
        websub_hub=site.publish.websub_hub,
        cache_control_index=site.publish.cache_control_index,
        cache_control_item=site.publish.cache_control_item,
        lock_timeout_seconds=float(site.publish.lock_timeout_seconds),
        upload_concurrency=site.publish.upload_concurrency,
        publish_processes=site.publish.processes,
        browsable_feeds=site.publish.browsable_feeds,
        log_level=site.logging.level,
        path=config.path,
    )


# -- paths -------------------------------------------------------------------------


def _folder(path: Path) -> Path:
    """The configuration file's folder, absolute: its relative paths' base."""
    return Path(path).absolute().parent.resolve()


def _resolved(site: SiteFile, base: Path, overrides: Mapping[str, str]) -> SiteFile:
    """``site`` with every path absolute (the shipped schemas by default)."""
    store_base = Path.cwd() if "store.url" in overrides else base
    paths = site.paths
    xsd = site.validation.newsml_official_xsd
    ninjs = site.validation.ninjs_schema
    return site.model_copy(
        update={
            "store": site.store.model_copy(
                update={"url": sqlite_file_url(site.store.url, store_base)}
            ),
            "paths": paths.model_copy(
                update={
                    "feeds": resolve_path(base, paths.feeds),
                    "schemas": resolve_path(base, paths.schemas)
                    if paths.schemas is not None
                    else str(resources.schemas_dir()),
                }
            ),
            "validation": site.validation.model_copy(
                update={
                    "newsml_official_xsd": resolve_path(base, xsd) if xsd else "",
                    "ninjs_schema": resolve_path(base, ninjs) if ninjs else "",
                }
            ),
        }
    )


def _needs_psycopg(url: str) -> bool:
    """Whether ``url`` names PostgreSQL through psycopg, and psycopg is missing."""
    scheme = url.partition(":")[0].lower()
    return (
        scheme in {"postgresql", "postgres", "postgresql+psycopg"}
        and importlib.util.find_spec("psycopg") is None
    )


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
            count = small_number(seconds, 12)
            if count is None or count > MAX_CACHE_SECONDS:
                raise ConfigError(
                    f"{name.strip()} must be a whole number of seconds up to "
                    f"{MAX_CACHE_SECONDS} (a withdrawn document may be served "
                    f"from caches that long), got {seconds!r}",
                    path=path,
                    key=key,
                )
    return value


def _destinations(
    tables: Mapping[str, Any],
    path: Path,
    base: Path,
    problems: list[ConfigProblem],
    overrides: Mapping[str, str],
) -> dict[str, DestinationConfig]:
    """Each ``[destinations.NAME]`` checked by its type's model, its folders made
    absolute against ``base``; problems are added to ``problems``. The built-in
    ``local`` (folder ``public``) is there unless the file defines its own."""
    from syndication.destinations.registry import check_destination

    result = {
        "local": check_destination(
            "local", {"type": "local", "path": "public"}, path, base=base
        )[0]
    }
    for name, table in tables.items():
        config, found = check_destination(name, table, path, base=base)
        problems.extend(blamed(found, overrides))
        if config is not None:
            result[name] = config
    return {name: config for name, config in result.items() if config is not None}
