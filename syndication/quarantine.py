"""Quarantine: one bad story never freezes a feed.

When a feed's documents fail the gate, each item is rendered and checked alone
(in an edition of the same feed that carries only it). An item whose documents
fail on their own is quarantined: the feed is published without it, and the
failure is recorded in the ledger and shown by ``status`` and ``history``. When
every item passes alone and the feed still fails, the envelope is broken; when
every item fails, the fault is the feed's or the renderer's, not a story's
(with a single item there is no telling). Either way the whole feed is refused
as before (nothing written), rather than an empty feed replacing the partner's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from syndication.render.base import Document, Edition, Item
from syndication.validate.report import GateReport, Problem

# Prefix of a run's error text when it published with items quarantined; an
# unchanged run that follows carries the text on, so status keeps showing it.
QUARANTINE_NOTE = "quarantined"

Render = Callable[[Edition], list[Document]]
Check = Callable[[Sequence[Document], Edition], GateReport]


@dataclass(frozen=True)
class QuarantinedItem:
    """An article version left out of a feed, and what its documents failed."""

    guid: str
    version: int
    problems: tuple[Problem, ...]

    def __str__(self) -> str:
        first = str(self.problems[0]) if self.problems else "refused"
        more = len(self.problems) - 1
        extra = f" (+{more} more)" if more > 0 else ""
        return f"{self.guid} v{self.version}: {first}{extra}"


def isolate(
    edition: Edition, render: Render, check: Check
) -> tuple[Edition, tuple[QuarantinedItem, ...]]:
    """``edition`` without the items whose documents fail the gate on their
    own, and those items. Kills are checked the same way (a kill notice carries
    no story text, so in practice it always passes)."""
    bad: list[QuarantinedItem] = []
    keep_items: list[Item] = []
    keep_canceled: list[Item] = []
    for item in edition.items:
        problems = _alone(edition, render, check, items=(item,), canceled=())
        if problems:
            bad.append(_quarantined(item, problems))
        else:
            keep_items.append(item)
    for item in edition.canceled:
        problems = _alone(edition, render, check, items=(), canceled=(item,))
        if problems:
            bad.append(_quarantined(item, problems))
        else:
            keep_canceled.append(item)
    if not bad or (not keep_items and not keep_canceled):
        # Nothing to blame on one story, or every story fails alike: that is a
        # fault of the feed or the renderer, not of a story, and publishing an
        # empty feed over the partner's would be worse than publishing nothing.
        return edition, ()
    return (
        replace(edition, items=tuple(keep_items), canceled=tuple(keep_canceled)),
        tuple(bad),
    )


def note(quarantined: Sequence[QuarantinedItem]) -> str:
    """The run's error text: ``quarantined 2 item(s): guid v3: …; guid v1: …``."""
    return f"{QUARANTINE_NOTE} {len(quarantined)} item(s): " + "; ".join(
        str(q) for q in quarantined
    )


def _alone(
    edition: Edition,
    render: Render,
    check: Check,
    *,
    items: tuple[Item, ...],
    canceled: tuple[Item, ...],
) -> tuple[Problem, ...]:
    single = replace(edition, items=items, canceled=canceled)
    return check(render(single), single).problems


def _quarantined(item: Item, problems: tuple[Problem, ...]) -> QuarantinedItem:
    return QuarantinedItem(item.version.guid, item.version.version, problems)
