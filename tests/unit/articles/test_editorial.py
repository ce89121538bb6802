"""Editorial actions append versions: kill, correct, embargo, lift."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from conftest import REPO

from syndication.articles.editorial import (
    correct_article,
    correct_from_file,
    embargo_article,
    kill_article,
    lift_embargo,
)
from syndication.articles.model import PubStatus, Subject, Version
from syndication.errors import InputError, NotFound

T0 = datetime(2026, 6, 20, 8, tzinfo=UTC)
NOW = datetime(2026, 6, 21, 9, tzinfo=UTC)


def original(**fields: object) -> Version:
    base = Version(
        guid="urn:test:1",
        headline="Rains return",
        body="<p>Text.</p>",
        version_created=T0,
        first_created=T0,
        language="es",
        subjects=(Subject("medtop:06000000", "environment"),),
    )
    return replace(base, **fields)


def test_kill_appends_a_canceled_version(store) -> None:
    store.append(original())
    change = kill_article(store, "urn:test:1", reason="  Legal   advice ", now=NOW)
    assert (change.action, change.created) == ("kill", True)
    assert (change.before.version, change.after.version) == (1, 2)
    assert change.after.status is PubStatus.CANCELED
    assert change.after.ed_note == "Legal advice"
    assert change.after.version_created == NOW
    assert change.after.first_created == T0
    assert store.get("urn:test:1", 1).status is PubStatus.USABLE  # never changed
    with pytest.raises(InputError, match=r"already killed \(version 2: Legal advice\)"):
        kill_article(store, "urn:test:1", reason="Other", now=NOW)
    assert len(store.history("urn:test:1")) == 2


def test_kill_needs_a_reason_and_an_article(store) -> None:
    with pytest.raises(InputError, match="a kill needs a reason"):
        kill_article(store, "urn:test:1", reason=" ", now=NOW)
    with pytest.raises(NotFound, match="no article with id 'urn:test:1'"):
        kill_article(store, "urn:test:1", reason="x", now=NOW)


def test_correct_marks_the_correction(store) -> None:
    store.append(original())
    fixed = original(guid="urn:other", body="<p>Fixed text.</p>", first_created=NOW)
    change = correct_article(store, "urn:test:1", fixed, note="Fixes a name", now=NOW)
    after = change.after
    assert (after.guid, after.version, after.body) == (
        "urn:test:1",
        2,
        "<p>Fixed text.</p>",
    )
    assert after.is_correction and after.ed_note == "Fixes a name"
    assert after.first_created == T0


def test_kill_after_a_correction_is_not_a_correction(store) -> None:
    store.append(original(is_correction=True, ed_note="earlier fix"))
    change = kill_article(store, "urn:test:1", reason="Withdrawn", now=NOW)
    assert not change.after.is_correction


def test_correct_from_a_wire_file_keeps_language_subjects_and_embargo(
    store, settings, tmp_path
) -> None:
    until = NOW + timedelta(days=1)
    store.append(original(embargo_until=until))
    story = tmp_path / "fixed.txt"
    story.write_text(
        "Rains return, heavier\n\nBy Ana Ruiz\n\nLIMA, June 20 (Agency) - Fixed.\n",
        encoding="utf-8",
    )
    change = correct_from_file(
        store, settings, "urn:test:1", story, note="Corrects the headline", now=NOW
    )
    after = change.after
    assert (after.headline, after.body) == ("Rains return, heavier", "<p>Fixed.</p>")
    assert after.language == "es"
    assert after.subjects == (Subject("medtop:06000000", "environment"),)
    assert after.embargo_until == until
    assert after.first_created == T0


def test_correct_from_a_json_file_naming_another_article(store, settings) -> None:
    store.append(original())
    story = REPO / "examples" / "stories" / "sahel-heat-night-planting.json"
    # The file's minted guid is not "given": its story becomes urn:test:1's.
    change = correct_from_file(store, settings, "urn:test:1", story, note="n", now=NOW)
    assert change.after.guid == "urn:test:1"
    assert (
        change.after.headline == "Heatwave pushes Sahel farmers to plant by torchlight"
    )
    assert change.after.language == "en"  # JSON states its own language


def test_correct_refuses_a_file_with_another_explicit_guid(
    store, settings, tmp_path
) -> None:
    store.append(original())
    story = tmp_path / "other.json"
    story.write_text(
        '{"guid": "urn:test:2", "headline": "h", "body": "b", '
        '"first_created": "2026-06-20T08:00:00Z"}',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        correct_from_file(store, settings, "urn:test:1", story, note="n", now=NOW)
    assert str(caught.value) == (
        f"{story} [guid]: the file is article 'urn:test:2', not 'urn:test:1'; "
        "drop its guid or correct the article it names"
    )
    assert len(store.history("urn:test:1")) == 1


def test_embargo_and_lift(store) -> None:
    store.append(original())
    until = datetime(2026, 6, 22, 8, tzinfo=UTC)
    held = embargo_article(store, "urn:test:1", until=until, now=NOW)
    assert (held.action, held.after.version, held.after.embargo_until) == (
        "embargo",
        2,
        until,
    )
    lifted = lift_embargo(store, "urn:test:1", now=NOW)
    assert (lifted.after.version, lifted.after.embargo_until) == (3, None)
    again = lift_embargo(store, "urn:test:1", now=NOW)
    assert (again.created, again.after.version) == (False, 3)


def test_embargo_must_be_in_the_future(store) -> None:
    store.append(original())
    with pytest.raises(InputError) as caught:
        embargo_article(store, "urn:test:1", until=NOW - timedelta(hours=1), now=NOW)
    assert str(caught.value) == (
        "the embargo time 2026-06-21T08:00:00Z is not in the future "
        "(now is 2026-06-21T09:00:00Z)"
    )
    assert len(store.history("urn:test:1")) == 1
