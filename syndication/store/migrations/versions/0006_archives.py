"""Archives (RFC 5005): when each version went into feeds, and what each
archive document of a feed was last made from.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The moment a version could first be in a feed: its creation, or the end
    # of its embargo when that is later (a kill goes out at once). An archive
    # period holds the versions whose moment falls in it.
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("shown_at", sa.BigInteger, nullable=True))
    op.execute(
        "UPDATE versions SET shown_at = CASE WHEN status <> 'canceled' "
        "AND embargo_until IS NOT NULL AND embargo_until > version_created "
        "THEN embargo_until ELSE version_created END"
    )
    # Archive spans are read by status (feeds' versions, kills) and moment.
    op.create_index("ix_versions_status_shown", "versions", ["status", "shown_at"])
    # Each archive folder's fingerprint as a run last rendered it (its items
    # are that run's edition_items under the folder's prefix), so a closed
    # period is rendered again only when what it holds changed.
    op.create_table(
        "archive_periods",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("feed_id", sa.String(128), nullable=False),
        sa.Column("destination", sa.String(128), nullable=False),
        sa.Column("folder", sa.String(1024), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["publish_runs.run_id"]),
    )
    op.create_index(
        "ix_archive_periods_folder", "archive_periods", ["destination", "folder", "id"]
    )
    op.create_index("ix_archive_periods_run", "archive_periods", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_archive_periods_run", table_name="archive_periods")
    op.drop_index("ix_archive_periods_folder", table_name="archive_periods")
    op.drop_table("archive_periods")
    op.drop_index("ix_versions_status_shown", table_name="versions")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("shown_at")
