"""Which store change brought each version: feeds that no version stored since
their last run can touch are left as they are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The store's change count as the transaction that stored the version
    # left it (store_state.changes); versions stored before this revision
    # count as stored before any run that follows it.
    with op.batch_alter_table("versions") as batch:
        batch.add_column(
            sa.Column("stored_seq", sa.BigInteger, nullable=False, server_default="0")
        )
    op.create_index("ix_versions_stored_seq", "versions", ["stored_seq"])


def downgrade() -> None:
    op.drop_index("ix_versions_stored_seq", table_name="versions")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("stored_seq")
