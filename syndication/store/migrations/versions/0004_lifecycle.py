"""Editorial lifecycle: syndication rights and holds on versions, withdrawals in
the ledger, and what each published edition carried.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Selections skip internal and held stories in SQL, so both are columns.
    with op.batch_alter_table("versions") as batch:
        batch.add_column(
            sa.Column(
                "distribution",
                sa.String(16),
                nullable=False,
                server_default="syndicate",
            )
        )
        batch.add_column(
            sa.Column("is_held", sa.Boolean, nullable=False, server_default=sa.false())
        )
    # A withdrawn document is a ledger row too: action "withdrawn", with why.
    with op.batch_alter_table("published_documents") as batch:
        batch.add_column(
            sa.Column("action", sa.String(16), nullable=False, server_default="put")
        )
        batch.add_column(sa.Column("note", sa.Text, nullable=False, server_default=""))
    # The key prefix a run wrote under (a feed's own, or a replay folder).
    with op.batch_alter_table("publish_runs") as batch:
        batch.add_column(
            sa.Column("prefix", sa.String(1024), nullable=False, server_default="")
        )
    # Which article versions each published edition carried, so a kill reaches
    # every feed that ever carried a story, and replays can be withdrawn.
    op.create_table(
        "edition_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("feed_id", sa.String(128), nullable=False),
        sa.Column("destination", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(1024), nullable=False),
        sa.Column("guid", sa.String(512), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["publish_runs.run_id"]),
    )
    op.create_index(
        "ix_edition_items_guid", "edition_items", ["guid", "feed_id", "destination"]
    )
    op.create_index(
        "ix_edition_items_prefix", "edition_items", ["destination", "prefix", "run_id"]
    )
    op.create_index("ix_runs_prefix", "publish_runs", ["destination", "prefix"])


def downgrade() -> None:
    op.drop_index("ix_runs_prefix", table_name="publish_runs")
    op.drop_index("ix_edition_items_prefix", table_name="edition_items")
    op.drop_index("ix_edition_items_guid", table_name="edition_items")
    op.drop_table("edition_items")
    with op.batch_alter_table("publish_runs") as batch:
        batch.drop_column("prefix")
    with op.batch_alter_table("published_documents") as batch:
        batch.drop_column("note")
        batch.drop_column("action")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("is_held")
        batch.drop_column("distribution")
