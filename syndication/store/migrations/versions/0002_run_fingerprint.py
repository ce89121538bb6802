"""Publish runs remember the fingerprint of the edition they published.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publish_runs") as batch:
        batch.add_column(
            sa.Column("fingerprint", sa.String(64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("publish_runs") as batch:
        batch.drop_column("fingerprint")
