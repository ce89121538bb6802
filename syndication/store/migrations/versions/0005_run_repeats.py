"""Unchanged runs summarised: a run row counts the runs it stands for, and
documents and edition items are found by run (to fold and prune runs).

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every row recorded so far stands for one run.
    with op.batch_alter_table("publish_runs") as batch:
        batch.add_column(
            sa.Column("repeats", sa.Integer, nullable=False, server_default="1")
        )
    # Folding an unchanged run into the row before it, and pruning old
    # summaries, ask "does any document or edition item name this run?"; the
    # foreign keys ask the same when a run row is deleted.
    op.create_index("ix_documents_run", "published_documents", ["run_id"])
    op.create_index("ix_edition_items_run", "edition_items", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_edition_items_run", table_name="edition_items")
    op.drop_index("ix_documents_run", table_name="published_documents")
    with op.batch_alter_table("publish_runs") as batch:
        batch.drop_column("repeats")
