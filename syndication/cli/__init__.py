"""The command line: the root group, lazy subcommands and the one error edge.

Subcommands are imported on first use so ``syndication --help`` stays fast. Every
:class:`SyndicationError` becomes a :class:`click.ClickException` here and only
here, with the exit code of its class (see EXIT CODES in the root help).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from syndication import __version__
from syndication.errors import SyndicationError

if TYPE_CHECKING:
    from syndication.config import Settings
    from syndication.store.base import Store

# command name → "module:attribute" under syndication.cli
COMMANDS: dict[str, str] = {
    "init": "ops:init",
    "ingest": "ingest:ingest",
    "articles": "articles:articles",
    "scheduler": "schedule:scheduler",
    "push": "schedule:push",
    "feeds": "feeds:feeds",
    "build": "publish:build",
    "publish": "publish:publish",
    "replay": "publish:replay",
    "url": "publish:url",
    "status": "ops:status",
    "history": "ops:history",
    "validate": "validate:validate",
    "verify": "verify:verify",
    "config": "config:config",
    "worker": "worker:worker",
}

EXIT_CODES = """\b
Exit codes:
  0  success
  1  runtime failure (store, destination, lock); drift left after verify
  2  usage error
  3  bad input (configuration, feed definition, story, unknown id)
  4  a document refused by validation"""


@dataclass
class AppContext:
    """What every command shares: where the configuration is, and how loud to be."""

    config_path: Path | None = None
    debug: bool = False
    # --debug or --quiet given: the configuration's log level does not apply.
    level_given: bool = False
    quiet: bool = False
    bad_feeds: int = 0
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from syndication.config import load_settings

            self._settings = load_settings(self.config_path)
            if not self.level_given:
                logging.getLogger("syndication").setLevel(
                    self._settings.log_level.upper()
                )
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            from syndication.store import open_store

            self._store = open_store(self.settings.store_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class SyndicationException(click.ClickException):
    """A library error shown to the user (runtime failure, exit 1)."""

    exit_code = 1

    def __init__(self, error: SyndicationError) -> None:
        super().__init__(str(error))


class BadInputException(SyndicationException):
    """Bad configuration, feed definition or story (exit 3)."""

    exit_code = 3


class RefusedException(SyndicationException):
    """A document refused by validation (exit 4)."""

    exit_code = 4


def _cli_exception(error: SyndicationError) -> SyndicationException:
    """The ClickException for a library error, by its class's exit code."""
    by_code: dict[int, type[SyndicationException]] = {
        3: BadInputException,
        4: RefusedException,
    }
    return by_code.get(error.exit_code, SyndicationException)(error)


class LazyGroup(click.Group):
    """A group whose subcommands are imported when first used."""

    def __init__(
        self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attribute = self.lazy[cmd_name].split(":")
            module = importlib.import_module(f"syndication.cli.{module_name}")
            command: click.Command = getattr(module, attribute)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SyndicationError as exc:
            app = ctx.find_object(AppContext)
            if app is not None and app.debug:
                raise
            raise _cli_exception(exc) from exc


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    from lxml import etree

    parts = [f"syndication {__version__}"]
    libxml = ".".join(str(n) for n in etree.LIBXML_VERSION)
    parts.append(f"lxml {etree.__version__} (libxml2 {libxml})")
    for package in ("feedgen", "boto3", "psycopg", "APScheduler", "SQLAlchemy"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:  # an optional piece not installed
            parts.append(f"{package} not installed")
    parts.append(f"Python {sys.version.split()[0]}")
    click.echo("\n".join(parts))
    ctx.exit()


@click.group(cls=LazyGroup, lazy=COMMANDS, epilog=EXIT_CODES)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SYNDICATION_CONFIG",
    help="Site configuration file.  [env: SYNDICATION_CONFIG; "
    "default: config/syndication.toml]",
)
@click.option("--debug", is_flag=True, help="Log debug detail and show tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Log warnings and errors only.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version (and library versions) and exit.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    envvar="SYNDICATION_LOG_FORMAT",
    show_default=True,
    help="Logs on stderr as plain lines, or one JSON object per event (feed, run "
    "id, outcome, timings).  [env: SYNDICATION_LOG_FORMAT]",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: Path | None,
    debug: bool,
    quiet: bool,
    log_format: str,
) -> None:
    """Publish wire stories as per-partner RSS, Atom, NewsML-G2 and ninjs feeds.

    Every item carries the agency's credit line and rights; every document is
    checked against schemas and credit rules before it leaves.

    Example: syndication ingest examples/stories && syndication publish
    """
    level = (
        logging.DEBUG
        if debug
        else logging.WARNING
        if quiet
        else _environment_level() or logging.INFO
    )
    _configure_logging(level, log_format)
    app = AppContext(
        config_path=config_path,
        debug=debug,
        level_given=debug or quiet,
        quiet=quiet,
    )
    ctx.obj = app
    ctx.call_on_close(app.close)


def _environment_level() -> int | None:
    """$SYNDICATION_LOG_LEVEL's level before the configuration is read (a bad
    value is reported when it is, naming the variable)."""
    name = os.environ.get("SYNDICATION_LOG_LEVEL", "").strip().lower()
    levels = {"debug": logging.DEBUG, "info": logging.INFO}
    levels |= {"warning": logging.WARNING, "error": logging.ERROR}
    return levels.get(name)


def _configure_logging(level: int, log_format: str = "text") -> None:
    root = logging.getLogger("syndication")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        # One object per event: the message, its level and logger, and every
        # field a call passes in ``extra`` (feed, run_id, outcome, elapsed_ms…).
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                },
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


pass_app = click.make_pass_decorator(AppContext)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="syndication")
