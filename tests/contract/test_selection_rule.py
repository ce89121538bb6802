"""The selection rule, stated once (the store's query), checked against a model
of it written here, for generated selections and articles, on every backend.

For each example: select() returns the model's latest usable, released,
syndicated and matching versions, newest first, up to the limit;
matching_versions() (what the fast lane asks) names the versions whose own
fields match; and language_matches() (the one Python reading of the language
ranges, used for a feed's language) agrees with the query."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from syndication.articles.model import (
    Distribution,
    PubStatus,
    Subject,
    Version,
)
from syndication.select import language_matches
from syndication.store.base import Selection, version_matches

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=10)

TAGS = ["en", "en-GB", "EN-us-x-twain", "eng", "fr", "fr-CA", "pt-BR", "e-x"]
RANGES = ["en", "EN", "en-gb", "en-US", "e", "fr", "pt", "pt-br", "eng"]
QCODES = ["medtop:01000000", "medtop:06000000", "medtop:07000000"]
KEYWORDS = ["Floods", "floods", "FLOODS", "clinics", "Élan", "élan"]
PROVIDERS = ["Wire A", "Wire B", "wire a"]


@dataclass(frozen=True)
class Fields:
    """What one version of a generated article says."""

    language: str
    urgency: int
    provider: str
    qcodes: tuple[str, ...]
    keywords: tuple[str, ...]
    minutes: int  # after T0
    status: PubStatus
    distribution: Distribution
    held: bool
    embargo_minutes: int | None


FIELDS = st.builds(
    Fields,
    language=st.sampled_from(TAGS),
    urgency=st.integers(1, 9),
    provider=st.sampled_from(PROVIDERS),
    qcodes=st.lists(st.sampled_from(QCODES), max_size=2, unique=True).map(tuple),
    keywords=st.lists(st.sampled_from(KEYWORDS), max_size=2, unique=True).map(tuple),
    minutes=st.integers(0, 900),
    status=st.sampled_from([PubStatus.USABLE] * 4 + [PubStatus.CANCELED]),
    distribution=st.sampled_from([Distribution.SYNDICATE] * 4 + list(Distribution)),
    held=st.sampled_from([False, False, False, True]),
    embargo_minutes=st.none() | st.integers(0, 900),
)
ARTICLES = st.lists(st.lists(FIELDS, min_size=1, max_size=3), min_size=1, max_size=5)


def some(values: list[str], most: int) -> st.SearchStrategy[tuple[str, ...]]:
    """Often none (any), else a few: a selection of everything at once would
    mostly select nothing."""
    chosen = st.lists(st.sampled_from(values), min_size=1, max_size=most, unique=True)
    return st.just(()) | st.just(()) | chosen.map(tuple)


SELECTIONS = st.builds(
    Selection,
    subjects=some(QCODES, 2),
    keywords=some(KEYWORDS, 2),
    languages=some(RANGES, 3)
    | st.lists(st.sampled_from(RANGES), min_size=1).map(tuple),
    providers=some(PROVIDERS, 2),
    max_urgency=st.just(9) | st.integers(1, 9),
    window=st.none() | st.integers(1, 900).map(lambda m: timedelta(minutes=m)),
    limit=st.integers(1, 8),
)
_examples = itertools.count()


def version(guid: str, fields: Fields) -> Version:
    created = T0 + timedelta(minutes=fields.minutes)
    embargo = fields.embargo_minutes
    return Version(
        guid=guid,
        headline=f"Story {guid}",
        body="<p>Text.</p>",
        version_created=created,
        first_created=T0,
        language=fields.language,
        urgency=fields.urgency,
        provider=fields.provider,
        subjects=tuple(Subject(q, q) for q in fields.qcodes),
        keywords=fields.keywords,
        status=fields.status,
        distribution=fields.distribution,
        hold_reason="held for the test" if fields.held else "",
        embargo_until=None if embargo is None else T0 + timedelta(minutes=embargo),
        ed_note="Withdrawn" if fields.status is PubStatus.CANCELED else "",
    )


# -- the model: the rule as the README states it --------------------------------


def in_range(tag: str, ranges: tuple[str, ...]) -> bool:
    tag = tag.lower()
    return any(tag == r.lower() or tag.startswith(r.lower() + "-") for r in ranges)


def fields_match(v: Version, s: Selection, at: datetime | None) -> bool:
    return (
        v.urgency <= s.max_urgency
        and (s.window is None or at is None or v.version_created >= at - s.window)
        and (not s.languages or in_range(v.language, s.languages))
        and (not s.providers or v.provider in s.providers)
        and (not s.subjects or any(x.qcode in s.subjects for x in v.subjects))
        and (
            not s.keywords
            or bool({k.lower() for k in v.keywords} & {k.lower() for k in s.keywords})
        )
    )


def model_select(history: list[Version], s: Selection, at: datetime) -> list[str]:
    """Each article's latest version as of ``at`` (the highest number created
    by then), kept when feeds may carry it, it is out of embargo and matches."""
    latest: dict[str, Version] = {}
    for v in history:
        if v.version_created <= at and (
            v.guid not in latest or v.version > latest[v.guid].version
        ):
            latest[v.guid] = v
    carried = [
        v
        for v in latest.values()
        if v.is_syndicated and not v.is_embargoed(at) and fields_match(v, s, at)
    ]
    carried.sort(key=lambda v: (-v.version_created.timestamp(), v.guid))
    return [f"{v.guid}#{v.version}" for v in carried[: s.limit]]


# -- the test -----------------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(articles=ARTICLES, selection=SELECTIONS)
def test_the_store_selects_by_the_rule(store, articles, selection) -> None:  # type: ignore[no-untyped-def]
    prefix = f"urn:rule:{next(_examples)}"
    for n, versions in enumerate(articles):
        for fields in versions:
            store.append(version(f"{prefix}:{n}", fields))
    history = [v for n in range(len(articles)) for v in store.history(f"{prefix}:{n}")]
    # Only this example's articles: the store keeps the earlier examples'.
    got = [
        f"{v.guid}#{v.version}"
        for v in store.select(replace(selection, limit=1000), AT)
        if v.guid.startswith(f"{prefix}:")
    ][: selection.limit]
    assert got == model_select(history, selection, AT)
    event(f"selected {min(len(got), 2)}+" if got else "selected none")
    for n in range(len(articles)):
        guid = f"{prefix}:{n}"
        expected = [
            v.version
            for v in history
            if v.guid == guid and fields_match(v, selection, AT)
        ]
        assert store.matching_versions(guid, selection, AT) == expected
        # Without a moment, no window: what the fast lane asks first.
        windowless = [
            v.version
            for v in history
            if v.guid == guid and fields_match(v, selection, None)
        ]
        assert store.matching_versions(guid, selection, None) == windowless
        # The same rule in Python (what the quick check reads for all feeds).
        assert [
            v.version
            for v in history
            if v.guid == guid and version_matches(selection, v)
        ] == windowless
    if selection.languages:
        by_language = Selection(languages=selection.languages, limit=1000)
        selected = {v.guid for v in store.select(by_language, AT)}
        for v in store.select(Selection(limit=1000), AT):
            if v.guid.startswith(f"{prefix}:"):
                assert (v.guid in selected) == language_matches(
                    v.language, selection.languages
                )
