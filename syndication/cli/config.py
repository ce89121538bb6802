"""Configuration commands: config show."""

from __future__ import annotations

import json

import click

from syndication.cli import AppContext, pass_app
from syndication.cli.article_options import json_option


@click.group()
def config() -> None:
    """Show the site configuration as the commands see it.

    Example: syndication config show
    """


@config.command()
@json_option
@pass_app
def show(app: AppContext, as_json: bool) -> None:
    """Print the effective configuration and where each value comes from.

    Every key of every section and destination, defaults included, with its
    source: the file, the environment (naming the variable) or the default.
    Paths are shown absolute, as resolved against the configuration file's
    folder, with the value as written beside them. Passwords in URLs are
    masked. Environment variables that override the file:
    SYNDICATION_STORE_URL, SYNDICATION_LOG_LEVEL, SYNDICATION_S3_PROFILE (every
    S3 destination) and SYNDICATION_DESTINATION_<NAME>_PROFILE (one).

    Example: SYNDICATION_LOG_LEVEL=debug syndication config show --json
    """
    from syndication.config import load_site
    from syndication.config_report import config_json, effective_config, format_config

    site = load_site(app.config_path)
    values = effective_config(site)
    path = str(site.path.absolute())
    if as_json:
        click.echo(json.dumps(config_json(values, path), indent=2, ensure_ascii=False))
    else:
        click.echo(format_config(values, path))
