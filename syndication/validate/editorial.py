"""Editorial rules the gate checks on the edition a feed's documents come from:
no item that must not be syndicated reaches a document.

Selections already leave out internal, held, withheld and embargoed versions;
this is the second line of defence, independent of the store's queries, so a
selection bug cannot publish them.
"""

from __future__ import annotations

from syndication.articles.model import Distribution, PubStatus
from syndication.render.base import Edition, Item
from syndication.validate.report import Problem

RULE = "not-for-syndication"


def edition_problems(edition: Edition, document: str) -> list[Problem]:
    """A problem (named after ``document``) for every item of ``edition`` that
    no feed may carry at the edition's moment."""
    problems = [
        Problem(document, None, RULE, f"{_name(item)} {why}; it must not be published")
        for item in edition.items
        if (why := _why_not(item, edition))
    ]
    problems += [
        Problem(document, None, RULE, f"{_name(item)} is not a kill notice")
        for item in edition.canceled
        if item.version.status is not PubStatus.CANCELED
    ]
    return problems


def _why_not(item: Item, edition: Edition) -> str:
    version = item.version
    if version.status is not PubStatus.USABLE:
        return f"is {version.status.value}"
    if version.distribution is not Distribution.SYNDICATE:
        return "is internal (distribution: internal)"
    if version.is_held:
        return f"is held from syndication ({version.hold_reason})"
    if version.is_embargoed(edition.at):
        return "is still under embargo"
    return ""


def _name(item: Item) -> str:
    return f"item {item.version.guid} version {item.version.version}"
