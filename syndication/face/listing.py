"""What a destination's face lists: each feed with an index published there,
its formats, their subscription addresses and when each last changed (since
when it has held its current bytes: a forced rewrite of the same bytes is no
update).

The facts come from the feed definitions and the ledger: a feed is listed once
the ledger shows one of its indexes written at the destination (so no address
leads nowhere), with the formats it has written there. Addresses are absolute
under the destination's public base URL, else relative to the destination's
root, where the face is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from syndication.config import Agency
from syndication.destinations.base import Destination, join_key
from syndication.feeds import FeedDefinition
from syndication.publish import INDEX_FILES
from syndication.store.base import Store

# How people call each format.
LABELS = {
    "rss": "RSS 2.0",
    "atom": "Atom 1.0",
    "newsml": "IPTC NewsML-G2",
    "ninjs": "IPTC ninjs 3.1",
}


@dataclass(frozen=True)
class Subscription:
    """One format of a feed: its address and when its index last changed."""

    format: str
    url: str
    updated: datetime

    @property
    def label(self) -> str:
        return LABELS.get(self.format, self.format)


@dataclass(frozen=True)
class ListedFeed:
    """A feed as its destination's face shows it."""

    feed_id: str
    title: str
    description: str
    partner: str
    link: str
    subscriptions: tuple[Subscription, ...]

    @property
    def updated(self) -> datetime:
        """When any of its indexes last changed."""
        return max(s.updated for s in self.subscriptions)

    def subscription(self, *formats: str) -> Subscription | None:
        """The first of ``formats`` the feed has, in that order of preference."""
        by_format = {s.format: s for s in self.subscriptions}
        return next((by_format[f] for f in formats if f in by_format), None)


@dataclass(frozen=True)
class Listing:
    """A destination's feeds, by title then id; ``updated`` is the latest
    change among them (None for an empty listing)."""

    destination: str
    agency: Agency
    feeds: tuple[ListedFeed, ...]

    @property
    def updated(self) -> datetime | None:
        return max((f.updated for f in self.feeds), default=None)


def build_listing(
    target: Destination,
    feeds: Sequence[FeedDefinition],
    store: Store,
    agency: Agency,
) -> Listing:
    """The listing of ``target``'s ``feeds`` (one query per feed on the
    ledger). Raises StoreError."""
    keys = {
        feed.feed_id: [
            join_key(feed.prefix, INDEX_FILES[fmt])
            for fmt in feed.formats
            if fmt in INDEX_FILES
        ]
        for feed in feeds
    }
    written = store.held_since(target.name, keys)
    listed = []
    for feed in feeds:
        times = written.get(feed.feed_id, {})
        subscriptions = tuple(
            Subscription(fmt, _address(target, key), times[key])
            for fmt, key in zip(
                [f for f in feed.formats if f in INDEX_FILES],
                keys[feed.feed_id],
                strict=True,
            )
            if key in times
        )
        if subscriptions:
            listed.append(
                ListedFeed(
                    feed.feed_id,
                    feed.title,
                    feed.description,
                    feed.partner,
                    feed.link,
                    subscriptions,
                )
            )
    listed.sort(key=lambda f: (f.title.casefold(), f.feed_id))
    return Listing(target.name, agency, tuple(listed))


def _address(target: Destination, key: str) -> str:
    """The absolute public address of ``key``, or the key itself (relative to
    the destination's root) when the destination has no public base URL."""
    return target.url(key) if target.public_base_url else key
