"""Operator commands: init (and, with publishing, status and history)."""

from __future__ import annotations

import click

from syndication.cli import AppContext, pass_app


@click.command()
@pass_app
def init(app: AppContext) -> None:
    """Create the store (or bring its schema up to date).

    Safe to run again: an existing, current store is left as it is. Other
    commands do this themselves on first use; init makes it explicit.

    Example: syndication --config config/syndication.toml init
    """
    store = app.store
    click.echo(f"store ready: {_display(store.url)}")


def _display(url: str) -> str:
    from syndication.store.sql import _safe_url

    return _safe_url(url)
