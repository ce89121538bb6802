"""Migration scripts; HEAD_REVISION names the newest so opening a store can skip
Alembic entirely when the database is already current."""

from __future__ import annotations

HEAD_REVISION = "0008"
