"""SQLAlchemy Core tables of the store (schema revision 0008, see migrations/).

Article versions are append-only rows in ``versions``; ``articles`` is an index of
heads (latest version number and hash per guid) kept in the same transaction, so
"latest version" never needs a scan. The full version lives as canonical JSON in
``versions.document``; the other columns exist to be filtered and sorted on.
Times are stored as integer microseconds since the epoch, UTC, so SQLite and
PostgreSQL compare and sort them the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UtcMicros(TypeDecorator[datetime]):
    """An aware datetime stored as integer microseconds since the epoch (UTC)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"a timezone-aware datetime is required, got {value!r}")
        return to_micros(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else from_micros(int(value))


def to_micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("guid", String(512), primary_key=True),
    Column("first_created", UtcMicros, nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("latest_hash", String(64), nullable=False),
)

versions = Table(
    "versions",
    metadata,
    Column("guid", String(512), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("headline", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("language", String(35), nullable=False),
    Column("urgency", Integer, nullable=False),
    Column("provider", String(256), nullable=False),
    Column("embargo_until", UtcMicros, nullable=True),
    Column("version_created", UtcMicros, nullable=False),
    Column("is_correction", Boolean, nullable=False),
    Column("document", Text, nullable=False),
    # Revision 0004: selections skip internal and held stories.
    Column(
        "distribution",
        String(16),
        nullable=False,
        default="syndicate",
        server_default="syndicate",
    ),
    Column("is_held", Boolean, nullable=False, default=False, server_default=false()),
    # Revision 0006: when the version could first be in a feed (see
    # store.archives.shown_at); archive periods hold the versions shown in them.
    Column("shown_at", UtcMicros, nullable=True),
    # Revision 0007: the store's change count (store_state.changes) as the
    # transaction that stored the version left it; 0 before the revision.
    Column("stored_seq", BigInteger, nullable=False, default=0, server_default="0"),
    ForeignKeyConstraint(["guid"], ["articles.guid"]),
)
Index("ix_versions_created", versions.c.version_created, versions.c.guid)
Index("ix_versions_guid_created", versions.c.guid, versions.c.version_created)
Index("ix_versions_lang_urgency", versions.c.language, versions.c.urgency)
Index("ix_versions_embargo", versions.c.embargo_until)
# Revision 0003: selections walk one status newest first and stop at the limit.
Index("ix_versions_status_created", versions.c.status, versions.c.version_created)
# Revision 0006: archive spans are read by status and moment in feeds.
Index("ix_versions_status_shown", versions.c.status, versions.c.shown_at)
# Revision 0007: the versions stored after a given change.
Index("ix_versions_stored_seq", versions.c.stored_seq)

version_subjects = Table(
    "version_subjects",
    metadata,
    Column("guid", String(512), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("qcode", String(64), primary_key=True),
    ForeignKeyConstraint(["guid", "version"], ["versions.guid", "versions.version"]),
)
Index("ix_subjects_qcode", version_subjects.c.qcode)

version_keywords = Table(
    "version_keywords",
    metadata,
    Column("guid", String(512), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("keyword", String(128), primary_key=True),
    ForeignKeyConstraint(["guid", "version"], ["versions.guid", "versions.version"]),
)
Index("ix_keywords_keyword", version_keywords.c.keyword)

# Revision 0003: one row (id 1) counting every article version ever stored.
store_state = Table(
    "store_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("changes", BigInteger, nullable=False),
)

publish_runs = Table(
    "publish_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("feed_id", String(128), nullable=False),
    Column("destination", String(128), nullable=False),
    Column("trigger", String(32), nullable=False),
    Column("started", UtcMicros, nullable=False),
    Column("finished", UtcMicros, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("written", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("items", Integer, nullable=False, default=0),
    Column("error", Text, nullable=False, default=""),
    # Revision 0002: what the run published (see publish.edition_fingerprint).
    Column("fingerprint", String(64), nullable=False, default="", server_default=""),
    # Revision 0003: the store's change count and the feed's settings it was
    # built from (publish.state_key) and the moment of the edition, so a tick
    # can tell "nothing changed" without selecting (see publish.py).
    Column("state", String(64), nullable=False, default="", server_default=""),
    Column("edition_at", UtcMicros, nullable=True),
    # Revision 0004: the key prefix the run wrote under (the feed's, or a replay's).
    Column("prefix", String(1024), nullable=False, default="", server_default=""),
    # Revision 0005: how many runs the row stands for. An unchanged run like the
    # feed's latest (same edition, trigger and prefix) is folded into that row:
    # ``started`` stays the first run's, ``finished`` becomes the last run's.
    Column("repeats", Integer, nullable=False, default=1, server_default="1"),
)
Index("ix_runs_feed", publish_runs.c.feed_id, publish_runs.c.run_id)
Index("ix_runs_prefix", publish_runs.c.destination, publish_runs.c.prefix)

published_documents = Table(
    "published_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("feed_id", String(128), nullable=False),
    Column("destination", String(128), nullable=False),
    Column("key", String(1024), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("etag", String(128), nullable=False),
    Column("written", UtcMicros, nullable=False),
    # Revision 0004: "put", or "withdrawn" (deleted; ``note`` says why).
    Column("action", String(16), nullable=False, default="put", server_default="put"),
    Column("note", Text, nullable=False, default="", server_default=""),
    ForeignKeyConstraint(["run_id"], ["publish_runs.run_id"]),
)
Index(
    "ix_documents_feed_key",
    published_documents.c.feed_id,
    published_documents.c.destination,
    published_documents.c.key,
    published_documents.c.id,
)
# Revision 0005: a run's documents (folding and pruning runs; the foreign key).
Index("ix_documents_run", published_documents.c.run_id)

# Revision 0004: the article versions each published edition carried.
edition_items = Table(
    "edition_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("feed_id", String(128), nullable=False),
    Column("destination", String(128), nullable=False),
    Column("prefix", String(1024), nullable=False),
    Column("guid", String(512), nullable=False),
    Column("version", Integer, nullable=False),
    ForeignKeyConstraint(["run_id"], ["publish_runs.run_id"]),
)
Index(
    "ix_edition_items_guid",
    edition_items.c.guid,
    edition_items.c.feed_id,
    edition_items.c.destination,
)
Index(
    "ix_edition_items_prefix",
    edition_items.c.destination,
    edition_items.c.prefix,
    edition_items.c.run_id,
)
Index("ix_edition_items_run", edition_items.c.run_id)

# Revision 0006: what each archive folder of a feed (``<prefix>/archive/<period>``)
# was last rendered from: its fingerprint, and the run whose edition_items under
# the folder's prefix are its items and kills.
archive_periods = Table(
    "archive_periods",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("feed_id", String(128), nullable=False),
    Column("destination", String(128), nullable=False),
    Column("folder", String(1024), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    ForeignKeyConstraint(["run_id"], ["publish_runs.run_id"]),
)
Index(
    "ix_archive_periods_folder",
    archive_periods.c.destination,
    archive_periods.c.folder,
    archive_periods.c.id,
)
Index("ix_archive_periods_run", archive_periods.c.run_id)

# Revision 0008: the feed items the gate found valid (a digest of the item's
# bytes and setting, see validate/verdicts.py), under the digest of the rules
# that judged them.
item_verdicts = Table(
    "item_verdicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rules", String(64), nullable=False),
    Column("item", String(64), nullable=False),
)
Index("ix_item_verdicts_item", item_verdicts.c.rules, item_verdicts.c.item, unique=True)
