"""Alembic migrations of the store schema; :func:`upgrade` brings a database to head."""

from __future__ import annotations

from sqlalchemy import Connection

from syndication.resources import migrations_dir
from syndication.store.migrations.versions import HEAD_REVISION

__all__ = ["HEAD_REVISION", "current_revision", "upgrade"]


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> None:
    """Run every pending migration on ``connection`` (inside its transaction)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
