"""Editorial actions on stored articles: kill, correct, embargo and lift, release
a held story, and set its distribution.

Each action appends a new version built from the latest one; nothing is changed
in place. Feeds carry the change on their next build. Asking for what the latest
version already says is a no-op (``Change.created`` is False).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from syndication.articles.ingest import IngestOptions, read_story
from syndication.articles.ingest.guard import PARTLY_STATED, with_partly_stated
from syndication.articles.model import Distribution, PubStatus, Version, utc
from syndication.articles.sanitize import strip_control_characters
from syndication.config import Settings
from syndication.errors import InputError
from syndication.store.base import Store


@dataclass(frozen=True)
class Change:
    """An editorial action and its result: the latest version before and after.

    ``action`` is ``kill``, ``correct``, ``embargo``, ``lift``, ``release`` or
    ``distribution``. When ``created`` is False nothing was stored and ``after``
    is the latest version.
    """

    action: str
    guid: str
    before: Version
    after: Version
    created: bool


def kill_article(store: Store, guid: str, *, reason: str, now: datetime) -> Change:
    """Withdraw an article: a new version with status ``canceled`` and the reason
    as its editor's note. Raises NotFound, or InputError for an empty reason or
    an article already killed (the first kill's reason is never replaced)."""
    reason = _one_line(reason)
    if not reason:
        raise InputError("a kill needs a reason (it is sent to partners as the note)")
    latest = store.get(guid)
    if latest.status is PubStatus.CANCELED:
        raise InputError(
            f"article {guid!r} is already killed (version {latest.version}: "
            f"{latest.ed_note or 'no note'}); nothing stored"
        )
    # See Store.select_canceled for what a kill of a story never released does.
    return _append(store, latest, latest.killed(reason, now), now, "kill")


def correct_article(
    store: Store, guid: str, replacement: Version, *, note: str, now: datetime
) -> Change:
    """Store ``replacement`` as a correction of article ``guid``: marked
    ``is_correction`` with ``note`` as the editor's note, whatever id the
    replacement had. Raises NotFound, or InputError for an empty note."""
    note = _one_line(note)
    if not note:
        raise InputError("a correction needs a note saying what was corrected")
    latest = store.get(guid)
    _refuse_killed(latest, "corrected")
    corrected = replace(
        replacement,
        guid=guid,
        is_correction=True,
        ed_note=note,
        first_created=latest.first_created,
    )
    return _append(store, latest, corrected, now, "correct")


def correct_from_file(
    store: Store,
    settings: Settings,
    guid: str,
    path: Path,
    *,
    note: str,
    now: datetime,
    options: IngestOptions | None = None,
) -> Change:
    """Correct article ``guid`` with the one story in ``path`` (any format
    ingest reads; a file of several stories, or a kill, is an InputError).
    What a NewsML-G2 or ninjs file cannot state (its story link, say) is the
    latest version's.

    Wire copy states no language or subjects: unless ``options`` gives them, the
    latest version's are kept, and its dateline year defaults to the article's
    first-created date. An embargo on the latest version is kept unless the file
    sets its own (lift it with :func:`lift_embargo`), and so is the article's
    distribution. A JSON file that gives a
    different guid is an InputError. Raises NotFound before reading the file.
    """
    latest = store.get(guid)
    options = options or IngestOptions()
    options = replace(
        options,
        date=options.date or latest.first_created.date(),
        language=options.language or latest.language,
        subjects=options.subjects or latest.subjects,
    )
    story = read_story(path, settings=settings, options=options)
    if story.guid_given and story.version.guid != guid:
        raise InputError(
            f"the file is article {story.version.guid!r}, not {guid!r}; "
            "drop its guid or correct the article it names",
            path=str(path),
            field="guid",
        )
    replacement = with_partly_stated(story.version, latest, story.unstated)
    kept = story.unstated - PARTLY_STATED
    if kept:  # what a NewsML-G2 or ninjs file cannot state (ingest/items.py)
        replacement = replace(
            replacement, **{name: getattr(latest, name) for name in kept}
        )
    if replacement.embargo_until is None and latest.embargo_until is not None:
        replacement = replace(replacement, embargo_until=latest.embargo_until)
    if "distribution" not in story.stated:
        replacement = replace(replacement, distribution=latest.distribution)
    return correct_article(store, guid, replacement, note=note, now=now)


def embargo_article(
    store: Store, guid: str, *, until: datetime, now: datetime
) -> Change:
    """Hold an article until ``until`` (timezone-aware, must be after ``now``).
    Raises NotFound, InputError for a past time, ValueError for a naive one."""
    until = utc(until)
    if until <= utc(now):
        raise InputError(
            f"the embargo time {_iso(until)} is not in the future (now is {_iso(now)})"
        )
    latest = store.get(guid)
    _refuse_killed(latest, "embargoed")
    return _append(store, latest, replace(latest, embargo_until=until), now, "embargo")


def lift_embargo(store: Store, guid: str, *, now: datetime) -> Change:
    """Release an article now: a new version without an embargo. No-op when the
    latest version has none. Raises NotFound."""
    latest = store.get(guid)
    return _append(store, latest, replace(latest, embargo_until=None), now, "lift")


def _refuse_killed(latest: Version, action: str) -> None:
    """A killed story stays killed: only an explicit revival (ingest --revive)
    brings new content back."""
    if latest.status is PubStatus.CANCELED:
        raise InputError(
            f"article {latest.guid!r} was killed in version {latest.version} "
            f"({latest.ed_note or 'no note'}) and cannot be {action}; to publish "
            "it again, ingest the new text with --revive"
        )


def release_article(
    store: Store, guid: str, *, note: str = "", now: datetime
) -> Change:
    """Release a held article: a new version without ``hold_reason``; ``note``,
    when given, becomes its editor's note. No-op when the latest version is not
    held. Raises NotFound."""
    note = _one_line(note)
    latest = store.get(guid)
    if not latest.is_held:
        return Change("release", guid, latest, latest, False)
    released = replace(latest, hold_reason="", ed_note=note or latest.ed_note)
    return _append(store, latest, released, now, "release")


def set_distribution(
    store: Store, guid: str, distribution: Distribution, *, now: datetime
) -> Change:
    """Syndicate an article or keep it internal (never in any feed): a new
    version, or a no-op when the latest already says so. Raises NotFound."""
    latest = store.get(guid)
    changed = replace(latest, distribution=distribution)
    return _append(store, latest, changed, now, "distribution")


def _append(
    store: Store, before: Version, after: Version, now: datetime, action: str
) -> Change:
    candidate = replace(after, version=0, version_created=utc(now))
    if candidate.content_hash() == before.content_hash():
        return Change(action, before.guid, before, before, False)
    result = store.append(candidate)
    stored = store.get(before.guid, result.version)
    # created is False only when another writer stored the same content meanwhile.
    return Change(action, before.guid, before, stored, result.created)


def _one_line(note: str) -> str:
    """An editor's note as stored: on one line, without control characters
    (which no published document can carry, so ingesting one back would not
    find the note it was made from)."""
    return " ".join(strip_control_characters(note)[0].split())


def _iso(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")
