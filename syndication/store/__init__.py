"""The versioned article store and the publish ledger."""

from __future__ import annotations

from syndication.store.base import AppendResult, ArticleFilter, Selection, Store

__all__ = ["AppendResult", "ArticleFilter", "Selection", "Store", "open_store"]


def open_store(url: str) -> Store:
    """Open (creating or migrating the schema if needed) the store at ``url``."""
    from syndication.store.sql import SqlStore

    return SqlStore(url)
