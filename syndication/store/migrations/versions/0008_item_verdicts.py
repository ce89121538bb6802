"""Item verdicts: the feed items the gate found valid, by their digest under
the rules' own digest, so a fresh process (a push) does not check again the
items an earlier one already passed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_verdicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rules", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_item_verdicts_item", "item_verdicts", ["rules", "item"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_item_verdicts_item", table_name="item_verdicts")
    op.drop_table("item_verdicts")
