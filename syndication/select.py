"""Select: what one feed carries at one moment, as an :class:`Edition`.

The store does the choosing in one query each (latest usable, released version of
every matching article, newest first, up to the limit; and the articles killed
within the feed's window); this module adds each item's credit and the
publishing context (self URLs, WebSub hub) the renderers need. It also offers
:func:`language_matches`, the store's reading of which language tags a
selection's languages select (defined beside the rule in store/base.py), for
the feed's own language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from syndication.articles.model import utc
from syndication.config import Agency
from syndication.credit import make_item
from syndication.feeds import FeedDefinition
from syndication.render.base import Edition
from syndication.store.base import Carrier, Store, language_matches

__all__ = ["SelectedRefs", "build_edition", "language_matches"]

# A selection's ids: (usable, canceled), each a list of (guid, version).
SelectedRefs = tuple[Sequence[tuple[str, int]], Sequence[tuple[str, int]]]


def build_edition(
    store: Store,
    feed: FeedDefinition,
    agency: Agency,
    at: datetime,
    *,
    self_urls: Mapping[str, str] | None = None,
    hub_url: str = "",
    carrier: Carrier | None = None,
    refs: SelectedRefs | None = None,
) -> Edition:
    """The feed's edition as of ``at`` (timezone-aware; stored in UTC).

    ``self_urls`` maps a format (``rss``, ``atom``, ``newsml``) to the public URL
    of that document; ``hub_url`` is the WebSub hub announced in RSS and Atom;
    ``carrier`` names the feed at its destination, so a kill reaches it wherever
    the ledger shows it carried the story.
    ``refs`` is what :meth:`Store.select_refs` answered for the same
    selection, moment and carrier, when the caller has just asked: the
    versions are then loaded by id instead of selected again.
    Raises :class:`~syndication.errors.StoreError` when the store fails, and
    ValueError for a naive ``at``.
    """
    moment = utc(at)
    if refs is None:
        usable = store.select(feed.selection, moment)
        killed = store.select_canceled(feed.selection, moment, carrier=carrier)
    else:
        found = store.load_versions([*refs[0], *refs[1]])
        usable = [found[ref] for ref in refs[0] if ref in found]
        killed = [found[ref] for ref in refs[1] if ref in found]
    items = tuple(make_item(version, feed, agency) for version in usable)
    # A kill notice goes out at once: an embargo the killed story still had
    # (a kill stored without the editorial command) no longer applies to it.
    canceled = tuple(
        make_item(replace(version, embargo_until=None), feed, agency)
        for version in killed
    )
    return Edition(
        feed=feed,
        agency=agency,
        at=moment,
        items=items,
        canceled=canceled,
        self_urls=dict(sorted((self_urls or {}).items())),
        hub_url=hub_url,
    )
