"""Initial schema: articles, versions, subjects, keywords, publish ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("guid", sa.String(512), primary_key=True),
        sa.Column("first_created", sa.BigInteger, nullable=False),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("latest_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "versions",
        sa.Column(
            "guid", sa.String(512), sa.ForeignKey("articles.guid"), primary_key=True
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("urgency", sa.Integer, nullable=False),
        sa.Column("provider", sa.String(256), nullable=False),
        sa.Column("embargo_until", sa.BigInteger, nullable=True),
        sa.Column("version_created", sa.BigInteger, nullable=False),
        sa.Column("is_correction", sa.Boolean, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_index("ix_versions_created", "versions", ["version_created", "guid"])
    op.create_index("ix_versions_guid_created", "versions", ["guid", "version_created"])
    op.create_index("ix_versions_lang_urgency", "versions", ["language", "urgency"])
    op.create_index("ix_versions_embargo", "versions", ["embargo_until"])
    for name, column, size in (
        ("version_subjects", "qcode", 64),
        ("version_keywords", "keyword", 128),
    ):
        op.create_table(
            name,
            sa.Column("guid", sa.String(512), primary_key=True),
            sa.Column("version", sa.Integer, primary_key=True),
            sa.Column(column, sa.String(size), primary_key=True),
            sa.ForeignKeyConstraint(
                ["guid", "version"], ["versions.guid", "versions.version"]
            ),
        )
    op.create_index("ix_subjects_qcode", "version_subjects", ["qcode"])
    op.create_index("ix_keywords_keyword", "version_keywords", ["keyword"])
    op.create_table(
        "publish_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("feed_id", sa.String(128), nullable=False),
        sa.Column("destination", sa.String(128), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("started", sa.BigInteger, nullable=False),
        sa.Column("finished", sa.BigInteger, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("written", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
    )
    op.create_index("ix_runs_feed", "publish_runs", ["feed_id", "run_id"])
    op.create_table(
        "published_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.Integer, sa.ForeignKey("publish_runs.run_id"), nullable=False
        ),
        sa.Column("feed_id", sa.String(128), nullable=False),
        sa.Column("destination", sa.String(128), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("etag", sa.String(128), nullable=False),
        sa.Column("written", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_documents_feed_key",
        "published_documents",
        ["feed_id", "destination", "key", "id"],
    )


def downgrade() -> None:
    for name in (
        "published_documents",
        "publish_runs",
        "version_keywords",
        "version_subjects",
        "versions",
        "articles",
    ):
        op.drop_table(name)
