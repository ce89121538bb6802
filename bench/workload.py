"""Seeded synthetic workload: N articles and M partner feed definitions.

Articles have bodies of about 5 KB of HTML paragraphs, 1–4 IPTC Media Topic
subjects out of 50, three languages, an urgency mix, and some embargoed, killed
and corrected stories. Feeds select overlapping subject sets, up to 100 items
each, all three formats. Story files (JSON and wire copy) feed the ingest rate.
The same seed gives the same workload.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syndication.articles.model import (
    Byline,
    PubStatus,
    Role,
    Subject,
    Version,
    version_to_dict,
)
from syndication.store.base import Store

AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SUBJECTS = tuple(
    Subject(f"medtop:{20000000 + n * 37}", f"topic {n}") for n in range(50)
)
LANGUAGES = ("en", "fr", "es")
# The formats of every bench feed (the figures); ninjs may be added.
FORMATS = ("rss", "atom", "newsml")
WORDS = [
    "agency",
    "river",
    "council",
    "harvest",
    "border",
    "clinic",
    "school",
    "market",
    "drought",
    "coast",
    "village",
    "minister",
    "court",
    "report",
    "workers",
    "rights",
    "water",
    "shelter",
    "survey",
    "budget",
]


def paragraph(rng: random.Random, words: int = 80) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return f"<p>{text.capitalize()}.</p>"


def make_version(rng: random.Random, n: int) -> Version:
    created = AT - timedelta(minutes=n * 7 % 100_000, seconds=n % 60)
    subjects = tuple(
        sorted(rng.sample(SUBJECTS, rng.randint(1, 4)), key=lambda s: s.qcode)
    )
    body = "".join(paragraph(rng) for _ in range(10))  # about 5 KB
    embargo = AT + timedelta(hours=rng.randint(1, 48)) if rng.random() < 0.02 else None
    return Version(
        guid=f"urn:newsml:bench.example:{n:07d}",
        headline=f"Story {n}: {rng.choice(WORDS)} {rng.choice(WORDS)} & <update>",
        body=body,
        version_created=created,
        first_created=created,
        summary=paragraph(rng, 25)[3:-4],
        bylines=(
            Byline(f"Reporter {n % 97}", Role.REPORTER),
            Byline("Desk", Role.EDITOR),
        ),
        language=LANGUAGES[n % 3],
        subjects=subjects,
        urgency=rng.choice((1, 3, 4, 5, 5, 5, 6, 8)),
        embargo_until=embargo,
        provider="Bench Wire",
    )


def generate_articles(
    store: Store, count: int, seed: int = 1, batch: int = 1000
) -> int:
    """Append ``count`` articles plus some kills and corrections.

    Returns the number of versions written.
    """
    rng = random.Random(seed)
    written = 0
    pending: list[Version] = []
    for version in _versions(rng, count):
        pending.append(version)
        if len(pending) >= batch:
            written += sum(r.created for r in store.append_batch(pending))
            pending = []
    if pending:
        written += sum(r.created for r in store.append_batch(pending))
    return written


def _versions(rng: random.Random, count: int) -> Iterator[Version]:
    later: list[Version] = []
    for n in range(count):
        version = make_version(rng, n)
        yield version
        roll = rng.random()
        if roll < 0.01:
            later.append(
                replace(
                    version,
                    status=PubStatus.CANCELED,
                    ed_note="Withdrawn",
                    version_created=version.version_created + timedelta(minutes=5),
                )
            )
        elif roll < 0.04:
            later.append(
                replace(
                    version,
                    headline=version.headline + " (corrected)",
                    is_correction=True,
                    ed_note="Corrects a figure",
                    version_created=version.version_created + timedelta(minutes=3),
                )
            )
    yield from later


def write_feeds(
    folder: Path,
    count: int,
    seed: int = 1,
    limit: int = 100,
    formats: tuple[str, ...] = FORMATS,
) -> list[str]:
    """Write ``count`` feed definitions with overlapping selections, each in
    ``formats``; returns ids. The first N of a larger count are the same N."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for n in range(count):
        feed_id = f"bench-{n:04d}"
        subjects = sorted(s.qcode for s in rng.sample(SUBJECTS, rng.randint(1, 3)))
        languages = [LANGUAGES[n % 3]] if n % 4 else []
        override = (
            f'line = "Credit Bench Wire via partner {n}"\n' if n % 10 == 0 else ""
        )
        (folder / f"{feed_id}.toml").write_text(
            f'id = "{feed_id}"\n'
            f'partner = "Partner {n}"\n'
            f'title = "Bench feed {n}"\n'
            f'description = "Synthetic feed {n}"\n'
            f'link = "https://partner{n}.example/"\n'
            f"formats = {list(formats)!r}\n"
            f"limit = {limit}\n\n"
            "[selection]\n"
            f"subjects = {subjects!r}\n"
            f"languages = {languages!r}\n\n"
            f"[credit]\n{override}",
            encoding="utf-8",
        )
        ids.append(feed_id)
    return ids


def write_json_stories(folder: Path, count: int, seed: int = 5) -> None:
    """``count`` new stories as article-format JSON files (``syndication ingest``)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for n in range(count):
        data = version_to_dict(make_version(rng, 20_000_000 + n))
        data.pop("version")
        data = {k: v for k, v in data.items() if v not in (None, "", [], False)}
        (folder / f"{n:06d}.json").write_text(json.dumps(data), encoding="utf-8")


PLACES = ("GENEVA", "NAIROBI, Kenya", "LIMA", "DHAKA, Bangladesh", "DAKAR, Senegal")


def write_wire_stories(
    folder: Path, count: int, credit_line: str, seed: int = 6
) -> None:
    """``count`` new stories as plain wire copy (the shape wire.py parses): headline,
    standfirst, By line, dateline ``PLACE, Nov 28 (Bench Wire) - ...``, about 5 KB
    of paragraphs, and a credits block ending in ``credit_line``. Ingest them with
    ``--date 2026-11-28`` so the datelines get their year."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for n in range(count):
        version = make_version(rng, 30_000_000 + n)
        paragraphs = [p.removeprefix("<p>") for p in version.body.split("</p>") if p]
        reporter = version.bylines[0].name
        text = "\n\n".join(
            [
                f"Wire story {n}: {rng.choice(WORDS)} {rng.choice(WORDS)} report",
                version.summary,
                f"By {reporter}",
                f"{PLACES[n % len(PLACES)]}, Nov 28 (Bench Wire) - {paragraphs[0]}",
                *paragraphs[1:-1],
                f"{paragraphs[-1]} (Reporting by {reporter}, Editing by Desk. "
                f"{credit_line})",
            ]
        )
        (folder / f"{n:06d}.txt").write_text(text + "\n", encoding="utf-8")
