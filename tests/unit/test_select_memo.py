"""A long-running publisher carries each feed's selection from run to run
(syndication.select_memo) and asks the store only about the articles that
moved. Over random sequences of ingests (back-dated, dated ahead, under
embargo, created at the same moment as another), corrections, kills, holds
and clock moves, what the memo answers must be what the store selects from
scratch, for a full feed, a feed that is not full and a topic feed; and the
merge itself refuses what it cannot tell."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from syndication.articles.model import PubStatus, Subject, Version
from syndication.select_memo import SelectionMemos, merged
from syndication.store import open_store
from syndication.store.base import Carrier, RankedRef, Selection

LONG = os.environ.get("SYNDICATION_LONG_RUN") == "1"
DAY0 = datetime(2026, 10, 1, tzinfo=UTC)
TOPICS = ("medtop:06000000", "medtop:07000000")
SELECTIONS = {
    "full": Selection(limit=2),
    "roomy": Selection(limit=50),
    "topic": Selection(subjects=(TOPICS[0],), limit=1),
}
CARRIER = "local"


class Selections(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory(prefix="select-memo-")
        self.store = open_store(f"sqlite:///{Path(self.folder.name) / 'store.db'}")
        self.memos = SelectionMemos()
        self.now = DAY0 + timedelta(days=5)
        self.stories = 0
        self.moments: list[datetime] = []

    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()

    def guids(self) -> list[str]:
        return [f"urn:test:select:{n}" for n in range(self.stories)]

    @rule(
        topic=st.sampled_from(TOPICS),
        back=st.sampled_from([0, 0, 1, 30, 80]),
        ahead=st.sampled_from([0, 0, 0, 2]),
        embargo=st.sampled_from([None, None, None, 1, 40]),
        tie=st.booleans(),
    )
    def ingest(
        self, topic: str, back: int, ahead: int, embargo: int | None, tie: bool
    ) -> None:
        moment = self.now - timedelta(hours=back) + timedelta(hours=ahead)
        if tie and self.moments:
            moment = self.moments[-1]  # created at the same moment as another
        self.moments.append(moment)
        self.store.append(
            Version(
                guid=f"urn:test:select:{self.stories}",
                headline=f"Story {self.stories}",
                body=f"<p>Text {self.stories}.</p>",
                version_created=moment,
                first_created=moment,
                subjects=(Subject(topic, "topic"),),
                embargo_until=None
                if embargo is None
                else self.now + timedelta(hours=embargo),
            )
        )
        self.stories += 1

    @rule(
        data=st.data(),
        act=st.sampled_from(["kill", "correct", "hold"]),
        ahead=st.sampled_from([0, 0, 3]),
    )
    def change(self, data: st.DataObject, act: str, ahead: int) -> None:
        if not self.stories:
            return
        guid = data.draw(st.sampled_from(self.guids()))
        latest = self.store.get(guid)
        if latest.status is PubStatus.CANCELED:
            return
        moment = max(self.now, latest.version_created) + timedelta(
            minutes=1, hours=ahead
        )
        if act == "kill":
            new = replace(latest, status=PubStatus.CANCELED)
        elif act == "hold":
            new = replace(latest, hold_reason="legal review")
        else:
            new = replace(latest, body=f"<p>Corrected at {moment:%H%M}.</p>")
        self.store.append(replace(new, version=0, version_created=moment))

    @rule(hours=st.sampled_from([0.25, 1, 5, 26]))
    def time_passes(self, hours: float) -> None:
        self.now += timedelta(hours=hours)

    @invariant()
    def the_memo_selects_as_the_store(self) -> None:
        for feed_id, selection in SELECTIONS.items():
            carrier = Carrier(feed_id, CARRIER)
            changes = self.store.change_count()
            remembered = self.memos.refs(
                self.store,
                selection,
                self.now,
                carrier=carrier,
                prefix=feed_id,
                changes=changes,
            )
            fresh = self.store.select_refs(selection, self.now, carrier=carrier)
            assert remembered == fresh, feed_id


Selections.TestCase.settings = settings(
    max_examples=100 if LONG else 40,
    stateful_step_count=40 if LONG else 15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSelectionMemo = Selections.TestCase


def ref(hour: int, guid: str) -> RankedRef:
    return RankedRef(DAY0 + timedelta(hours=hour), guid, 1)


def test_a_new_story_goes_first_and_the_last_drops_out() -> None:
    old = [ref(9, "c"), ref(8, "b"), ref(7, "a")]
    assert merged(old, [ref(10, "d")], frozenset({"d"}), 3) == [
        ref(10, "d"),
        ref(9, "c"),
        ref(8, "b"),
    ]


def test_a_story_leaving_a_full_selection_needs_the_store() -> None:
    """What ranked below the last of a full selection was never read."""
    old = [ref(9, "c"), ref(8, "b"), ref(7, "a")]
    assert merged(old, [], frozenset({"c"}), 3) is None
    assert merged(old, [ref(6, "c")], frozenset({"c"}), 3) is None


def test_a_story_leaving_a_selection_with_room_is_simply_gone() -> None:
    old = [ref(9, "c"), ref(8, "b")]
    assert merged(old, [], frozenset({"c"}), 3) == [ref(8, "b")]


def test_a_tie_with_a_moved_story_is_left_to_the_store() -> None:
    """The store orders ties by its own collation; the merge never guesses."""
    old = [ref(9, "c"), ref(8, "b")]
    assert merged(old, [ref(8, "a")], frozenset({"a"}), 5) is None
    assert merged(old, [ref(5, "x"), ref(5, "y")], frozenset({"x", "y"}), 5) is None


@pytest.mark.parametrize("limit", [None, 3])
def test_no_limit_and_a_corrected_story_moving_up(limit: int | None) -> None:
    old = [ref(9, "c"), ref(8, "b")]
    assert merged(old, [ref(10, "b")], frozenset({"b"}), limit) == [
        ref(10, "b"),
        ref(9, "c"),
    ]
