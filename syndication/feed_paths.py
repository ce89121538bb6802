"""Where each feed writes, and which feeds would overwrite each other.

A feed writes under its folder (``[destination] path``, else its id) at its
destination: its indexes, ``items/``, ``replay/`` and ``archive/``. Two feeds
must never share a folder, and one feed's folder may lie inside another's only
where the outer feed writes nothing of its own: a folder ``a/items`` or
``a/replay/x`` would be
taken for feed ``a``'s items or replays and withdrawn by its publishes, and
``a/rss.xml`` cannot be a folder and a file at once. Other nesting (``a/b``) is
allowed: publishing, withdrawing and verifying leave a folder inside a feed's
folder to its own feed. Places are compared as the destination's own location
(a local folder, an S3 endpoint, bucket and prefix) plus the folder, without
regard to case (a folder on macOS or Windows would merge ``A`` and ``a``), so
two destination names for one bucket are one place. Feeds sharing an id share a
ledger and are refused too. Every feed involved is refused, naming the others;
the check is linear in the number of feeds (a dictionary of places, each looked
up with its few parent folders).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from syndication.errors import ConfigProblem

if TYPE_CHECKING:
    from syndication.feeds import FeedDefinition

# Others named in one message; the rest are counted.
_NAMED = 3
# What a feed writes in its own folder (publish.INDEX_FILES, withdraw.ITEM_KEY
# and REPLAY_FOLDER, the stylesheet of render.stylesheet, the archives'
# render.base.ARCHIVE_FOLDER; tests/unit/test_feeds.py checks they agree):
# another feed's folder may not start with one of these inside it.
OWN_NAMES = frozenset(
    {
        "rss.xml",
        "atom.xml",
        "newsml.xml",
        "ninjs.json",
        "feed.xsl",
        "items",
        "replay",
        "archive",
    }
)

# What a destination's face writes at its root (face.page and face.opml;
# tests/unit/test_feeds.py checks they agree): no feed's folder may be one.
FACE_NAMES = frozenset({"index.html", "feeds.opml"})
# The shared items folder at a destination's root (shared_items.SHARED_FOLDER;
# reserved whatever the destination's item_documents, so switching it to
# shared never meets a feed there).
SHARED_NAMES = frozenset({"items"})

Place = tuple[str, ...]


def feed_place(
    feed: FeedDefinition,
    destinations: Sequence[str] | Mapping[str, Any],
    default_destination: str,
) -> Place:
    """The feed's folder as a comparable path: destination root, then folders."""
    name = feed.destination or default_destination
    config = destinations.get(name) if isinstance(destinations, Mapping) else None
    root: Place = tuple(getattr(config, "root", ()) or ("destination", name))
    return root + tuple(part.casefold() for part in feed.prefix.split("/"))


def find_collisions(
    feeds: Sequence[FeedDefinition],
    destinations: Sequence[str] | Mapping[str, Any],
    default_destination: str,
) -> dict[str, tuple[ConfigProblem, ...]]:
    """feed id → the problems of each feed that shares its id or its folder with
    another feed, or whose folder lies in another's items, replays or indexes (or
    holds another's so); the others are fine."""
    by_id: dict[str, list[FeedDefinition]] = defaultdict(list)
    by_place: dict[Place, list[FeedDefinition]] = defaultdict(list)
    for feed in feeds:
        by_id[feed.feed_id].append(feed)
        place = feed_place(feed, destinations, default_destination)
        by_place[place].append(feed)

    found: dict[str, list[ConfigProblem]] = defaultdict(list)
    for feed_id, group in by_id.items():
        if len(group) > 1:
            for feed in group:
                found[feed_id].append(
                    _problem(
                        feed,
                        "id",
                        f"feed id {feed_id!r} is also used by",
                        [group],
                        "feed ids must be unique",
                        own=True,
                    )
                )

    # Per feed, the groups of feeds (one group per place) it collides with; a
    # group is shared, never copied, so a thousand feeds in one folder stay linear.
    same: dict[int, list[list[FeedDefinition]]] = defaultdict(list)
    inner: dict[int, list[list[FeedDefinition]]] = defaultdict(list)
    outer: dict[int, list[list[FeedDefinition]]] = defaultdict(list)
    for place, group in by_place.items():
        if len(group) > 1:
            for feed in group:
                same[id(feed)].append(group)
        for end in range(1, len(place)):
            around = by_place.get(place[:end])
            if around and place[end] in OWN_NAMES:
                for feed in group:
                    outer[id(feed)].append(around)
                for feed in around:
                    inner[id(feed)].append(group)

    for feed in feeds:
        key = "destination.path" if feed.path else "id"
        name = feed.destination or default_destination
        where = f"folder {feed.prefix!r} at destination {name!r}"
        top = feed.prefix.split("/")[0].casefold()
        if top in FACE_NAMES:
            found[feed.feed_id].append(
                ConfigProblem(
                    str(feed.source),
                    key,
                    f"{where} would take the name of the destination's {top} "
                    "(its list of feeds); choose another [destination] path",
                )
            )
        if top in SHARED_NAMES:
            found[feed.feed_id].append(
                ConfigProblem(
                    str(feed.source),
                    key,
                    f"{where} would take the name of the destination's shared "
                    "items folder (items/); choose another [destination] path",
                )
            )
        for what, groups, own in (
            (f"{where} is also the folder of", same.get(id(feed)), True),
            (f"{where} is inside the folder of", outer.get(id(feed)), False),
            (f"{where} holds the folder of", inner.get(id(feed)), False),
        ):
            if groups:
                found[feed.feed_id].append(
                    _problem(feed, key, what, groups, _APART, own=own)
                )
    return {feed_id: tuple(problems) for feed_id, problems in found.items()}


_APART = (
    "a publish rewrites and withdraws its indexes, items/, replay/ and archive/ "
    "in its folder, so give each feed a [destination] path of its own, not "
    "inside another's items/, replay/, archive/ or index names"
)


def _problem(
    feed: FeedDefinition,
    key: str,
    what: str,
    groups: Iterable[Sequence[FeedDefinition]],
    hint: str,
    *,
    own: bool = False,
) -> ConfigProblem:
    """Name the first few others in ``groups`` (never ``feed``, which is in
    them when ``own``), count the rest by the groups' sizes, so a thousand
    feeds in one folder stay linear."""
    named: list[FeedDefinition] = []
    count = 0
    for group in groups:
        count += len(group) - (1 if own else 0)
        for other in group:
            if len(named) == _NAMED:
                break
            if other is not feed:
                named.append(other)
    names = ", ".join(f"feed {o.feed_id!r} ({o.source})" for o in named)
    more = f" and {count - len(named)} more" if count > len(named) else ""
    return ConfigProblem(str(feed.source), key, f"{what} {names}{more}; {hint}")
