"""The gate remembers item documents found valid across runs: a verdict holds
at any later build time (the only rule that reads the build time asks that an
embargo has ended by it), never at an earlier one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import AT, REPO

from syndication.articles.model import Version
from syndication.config import load_settings
from syndication.credit import make_item
from syndication.feeds import load_feed
from syndication.render.base import Document, Edition
from syndication.render.registry import render_edition
from syndication.validate import gate
from syndication.validate.checker import Expectations

END = AT + timedelta(hours=1)


def embargoed_story() -> Version:
    return Version(
        guid="urn:test:verdicts:1",
        version=1,
        headline="Embargoed story",
        body="<p>Paragraph.</p>",
        version_created=AT - timedelta(hours=2),
        first_created=AT - timedelta(hours=2),
        language="en",
        embargo_until=END,
    )


def edition(at: object, fmt: str) -> Edition:
    feed = replace(load_feed(REPO / "feeds" / "partner-c-all.toml"), formats=(fmt,))
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    item = make_item(embargoed_story(), feed, agency)
    return Edition(feed=feed, agency=agency, at=at, items=(item,))  # type: ignore[arg-type]


class CountingGate(gate.Gate):
    """The real gate, counting the item documents it really checks."""

    checked_items: int = 0

    def _check_document(
        self, document: Document, expectations: Expectations
    ) -> gate.GateReport:
        if not document.is_index:
            self.checked_items += 1
        return super()._check_document(document, expectations)


def passed_after_the_embargo(
    fmt: str, ninjs_schema: Path
) -> tuple[CountingGate, list[Document], Edition]:
    """A gate that found the story's documents valid a minute after its
    embargo ended; those documents and their edition."""
    checker = CountingGate(REPO / "schemas", None, ninjs_schema)
    first = edition(END + timedelta(minutes=1), fmt)
    documents = render_edition(first)
    assert any(not d.is_index for d in documents)
    assert checker.check(documents, first).ok
    return checker, documents, first


@pytest.mark.parametrize("fmt", ["newsml", "ninjs"])
def test_an_item_found_valid_is_not_checked_again_at_a_later_build_time(
    fmt: str, ninjs_schema: Path
) -> None:
    checker, documents, first = passed_after_the_embargo(fmt, ninjs_schema)
    items = [d for d in documents if not d.is_index]
    assert checker.checked_items == len(items)
    later = replace(first, at=END + timedelta(days=1))
    assert checker.check(documents, later).ok
    assert checker.checked_items == len(items)


@pytest.mark.parametrize("fmt", ["newsml", "ninjs"])
def test_an_item_found_valid_later_is_checked_again_before_its_embargo_ends(
    fmt: str, ninjs_schema: Path
) -> None:
    checker, documents, late = passed_after_the_embargo(fmt, ninjs_schema)
    early = replace(late, at=END - timedelta(minutes=1))
    report = checker.check(documents, early)
    assert not report.ok
    item_keys = {d.key for d in documents if not d.is_index}
    assert any(
        p.rule == "embargo-passed" and p.document in item_keys for p in report.problems
    ), [str(p) for p in report.problems]
