"""A store-wide change counter, the moment and state key of each publish run,
and an index for selecting by status newest first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row: how many article versions have ever been stored. Every append
    # raises it in the same transaction, so an unchanged value means an
    # unchanged store (versions are append-only).
    state = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("changes", sa.BigInteger, nullable=False),
    )
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM versions")).scalar()
    op.bulk_insert(state, [{"id": 1, "changes": int(count or 0)}])
    with op.batch_alter_table("publish_runs") as batch:
        batch.add_column(
            sa.Column("state", sa.String(64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("edition_at", sa.BigInteger, nullable=True))
    op.create_index(
        "ix_versions_status_created", "versions", ["status", "version_created"]
    )


def downgrade() -> None:
    op.drop_index("ix_versions_status_created", table_name="versions")
    with op.batch_alter_table("publish_runs") as batch:
        batch.drop_column("edition_at")
        batch.drop_column("state")
    op.drop_table("store_state")
