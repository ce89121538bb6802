"""Withdraw: which documents under a feed's prefix must no longer be public.

A kill, a correction, a new embargo, a hold or an "internal" decision changes
what partners may read. The indexes follow on the next edition; the documents
that stand on their own must be removed:

- an item document ``items/<id>/v<N>.xml`` (NewsML-G2) or ``v<N>.json``
  (ninjs), in a feed's folder or a destination's shared one (there with its
  credit variant, ``v<N>.<variant>.xml``; see shared_items.py), stays only
  while version N is what a feed may show of its article now (its latest
  version, released, for syndication, not held) or is the kill notice itself
  (a canceled item carries no text);
- a replay folder ``replay/<time>/`` stays only while every version the ledger
  says its edition carried may still be shown; otherwise it goes whole (a
  replay the ledger does not know goes too);
- an archive folder ``archive/<period>/`` likewise, by what the ledger says
  its documents were last rendered from (the publisher renders a period
  again before this is asked whenever what it holds changed, so this only
  removes an archive that could not be rendered again; one the ledger does
  not know is left to the publisher's archive step, see archive.py).

The decision is made from the store as of the real current time, never from a
past or future edition moment, so a replay of the past cannot bring back what
was withdrawn since.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syndication.articles.model import PubStatus, Version
from syndication.destinations.base import (
    decode_segment,
    encode_segment,
    join_key,
    segment_start,
)
from syndication.store.base import Store, VersionState

# NewsML-G2 (.xml) and ninjs (.json) item documents alike; in a destination's
# shared items folder, with the credit variant before the extension.
ITEM_KEY = re.compile(
    r"^items/([^/]+)/v([1-9][0-9]{0,9})(?:\.[0-9a-f]{8})?\.(?:xml|json)$"
)
REPLAY_FOLDER = "replay"
ARCHIVE_KEY = re.compile(r"^archive/([^/]+)/(?:rss|atom)\.xml$")
# Why an archive document of a period no longer kept is withdrawn.
STALE_ARCHIVE = "archive period no longer kept"


@dataclass(frozen=True)
class Withdrawal:
    """A key to remove from a destination, and why (kept in the ledger)."""

    key: str
    reason: str


def refusal(latest: Version | VersionState | None, number: int, at: datetime) -> str:
    """Why version ``number`` of an article whose latest version as of ``at`` is
    ``latest`` may not be public any more; "" when it may."""
    if latest is None:
        return "not in the store"
    if latest.status is PubStatus.CANCELED:
        if latest.version == number:
            return ""  # the kill notice itself: ids, dates and the note only
        return f"killed in version {latest.version}"
    if latest.is_embargoed(at):
        assert latest.embargo_until is not None
        until = latest.embargo_until.isoformat().replace("+00:00", "Z")
        return f"under embargo until {until} (version {latest.version})"
    if latest.status is not PubStatus.USABLE:
        return f"{latest.status.value} in version {latest.version}"
    if not latest.is_syndicated:
        why = latest.hold_reason or latest.distribution.value
        return f"not for syndication in version {latest.version}: {why}"
    if latest.version != number:
        return f"superseded by version {latest.version}"
    return ""


def plan_withdrawals(
    store: Store,
    destination: str,
    prefix: str,
    keys: Iterable[str],
    at: datetime,
    *,
    moved: Collection[str] | None = None,
    known: Collection[str] = frozenset(),
) -> list[Withdrawal]:
    """The documents among ``keys`` (full keys under ``prefix``) that must be
    withdrawn as of ``at`` (the real current time), sorted by key.

    With ``moved`` (the articles whose state may have changed since a run
    found the ``known`` keys fine), a replay or archive folder whose keys
    are all known and which holds none of them is not judged again."""
    found: dict[str, tuple[str, int]] = {}
    replays: dict[str, list[str]] = {}
    archives: dict[str, list[str]] = {}
    start = len(prefix) + 1 if prefix else 0
    for key in keys:
        relative = key[start:]
        parts = relative.split("/")
        if parts[0] == REPLAY_FOLDER and len(parts) > 2:
            replays.setdefault(join_key(prefix, REPLAY_FOLDER, parts[1]), []).append(
                key
            )
            continue
        archive = ARCHIVE_KEY.match(relative)
        if archive:
            folder = join_key(prefix, "archive", archive.group(1))
            archives.setdefault(folder, []).append(key)
            continue
        match = ITEM_KEY.match(relative)
        if match:
            found[key] = (match.group(1), int(match.group(2)))
    names = item_guids(store, [segment for segment, _ in found.values()])
    # A segment no stored article encodes to names an article not in the store.
    items = {
        key: (names.get(segment, ""), number)
        for key, (segment, number) in found.items()
    }
    contents = store.edition_contents(destination, list(replays)) if replays else {}
    archived = store.archive_contents(destination, list(archives)) if archives else {}
    if moved is not None:

        def settled(folder_keys: list[str], carried: set[tuple[str, int]]) -> bool:
            return all(key in known for key in folder_keys) and not any(
                guid in moved for guid, _ in carried
            )

        replays = {
            folder: folder_keys
            for folder, folder_keys in replays.items()
            if folder not in contents or not settled(folder_keys, contents[folder])
        }
        archives = {
            folder: folder_keys
            for folder, folder_keys in archives.items()
            if folder in archived and not settled(folder_keys, archived[folder])
        }
        contents = {f: c for f, c in contents.items() if f in replays}
        archived = {f: c for f, c in archived.items() if f in archives}
    guids = {guid for guid, _ in items.values() if guid}
    for carried in (*contents.values(), *archived.values()):
        guids.update(guid for guid, _ in carried)
    # Their latest versions without text (what decides is in columns), but
    # for the held ones, whose hold reason the note names.
    states = store.latest_states(sorted(guids), at) if guids else {}
    held = sorted(guid for guid, state in states.items() if state.is_held)
    latest: dict[str, Version | VersionState] = dict(states)
    if held:
        latest.update(store.latest_as_of(held, at))
    withdrawals = [
        Withdrawal(key, reason)
        for key, (guid, number) in items.items()
        if (reason := refusal(latest.get(guid), number, at))
    ]
    for folder, folder_keys in replays.items():
        reason = _replay_refusal(contents.get(folder), latest, at)
        if reason:
            withdrawals += [Withdrawal(key, reason) for key in folder_keys]
    for folder, folder_keys in archives.items():
        if folder not in archived:
            continue
        reason = _carried_refusal(archived[folder], latest, at, "archive")
        if reason:
            withdrawals += [Withdrawal(key, reason) for key in folder_keys]
    return sorted(withdrawals, key=lambda w: w.key)


def item_guids(store: Store, segments: Sequence[str]) -> dict[str, str]:
    """The article id each item key segment names. A plain segment decodes to
    its id; a long id's bounded segment (see
    :func:`~syndication.destinations.base.encode_segment`) is found among the
    stored ids that begin with the start it shows. A bounded segment no stored
    id encodes to is left out."""
    names: dict[str, str] = {}
    bounded: set[str] = set()
    for segment in segments:
        guid = decode_segment(segment)
        if guid is None:
            bounded.add(segment)
        else:
            names[segment] = guid
    if bounded:
        starts = sorted({segment_start(segment) for segment in bounded})
        for guid in store.guids_starting_with(starts):
            segment = encode_segment(guid)
            if segment in bounded:
                names[segment] = guid
    return names


def _replay_refusal(
    carried: set[tuple[str, int]] | None,
    latest: Mapping[str, Version | VersionState],
    at: datetime,
) -> str:
    if carried is None:
        return "replay folder with no edition in the ledger"
    return _carried_refusal(carried, latest, at, "replay")


def _carried_refusal(
    carried: set[tuple[str, int]],
    latest: Mapping[str, Version | VersionState],
    at: datetime,
    what: str,
) -> str:
    """Why a folder (``what``: replay, archive) that carried ``carried`` must
    go; "" when all of it may still be shown."""
    for guid, number in sorted(carried):
        reason = refusal(latest.get(guid), number, at)
        if reason:
            return f"{what} carried {guid} version {number}, now {reason}"
    return ""


@dataclass(frozen=True)
class Asked:
    """What a withdrawal asks about: ``keys``; with ``moved`` (None: all is
    asked), the articles that may have moved and the keys ``known`` fine."""

    keys: list[str]
    moved: frozenset[str] | None = None
    known: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Checked:
    keys: frozenset[str]
    changes: int
    at: datetime


class CheckedKeys:
    """What a long-running publisher knows was checked: for each feed at each
    destination and prefix, the keys found fine as of the last run's change
    count and moment (those withdrawn then are gone, those written then are
    the edition's own). A key's verdict can change only when its article gets
    a version stored since, or one whose creation passes (an embargo ending
    only makes more public), so the next run asks about those keys, keys it
    has not seen, and every replay and archive key (their folders are judged
    by what the ledger says they hold); safe across threads."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str, str], _Checked] = {}
        self._lock = threading.Lock()

    def to_check(
        self,
        store: Store,
        where: tuple[str, str, str],
        keys: Iterable[str],
        at: datetime,
    ) -> Asked:
        """The keys among ``keys`` (full keys under ``where``'s prefix) whose
        verdict may differ from the last run's, as of ``at``, with the
        articles that may have moved and the keys known fine (for
        :func:`plan_withdrawals`)."""
        with self._lock:
            known = self._known.get(where)
        if known is None:
            return Asked(list(keys))
        changed = store.changes_since(known.changes, known.at, at)
        moved = frozenset(guid for guid, _ in changed)
        segments = {encode_segment(guid) for guid in moved}
        prefix = where[2]
        start = len(prefix) + 1 if prefix else 0
        found = []
        for key in keys:
            match = ITEM_KEY.match(key[start:])
            if key not in known.keys or match is None or match.group(1) in segments:
                found.append(key)
        return Asked(found, moved, known.keys)

    def remember(
        self,
        where: tuple[str, str, str],
        keys: Iterable[str],
        changes: int,
        at: datetime,
    ) -> None:
        """``keys`` are fine as of change count ``changes`` and ``at``."""
        with self._lock:
            self._known[where] = _Checked(frozenset(keys), changes, at)
