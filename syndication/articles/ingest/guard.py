"""Re-ingest never undoes an editorial act.

Before a batch is stored, each story is set against its article's latest
version. Content equal to any earlier version is left to the store to recognise
(``match_history``: nothing is stored). A new version keeps the article's
distribution and embargo (an editor's decisions) unless the file states them,
and wire copy, which cannot state them, keeps its subjects and language unless
given, as a correction does; so does NewsML-G2 and ninjs for what those
formats cannot state (items.py). New content for a killed article is refused
unless the editor asks to revive it, and a revival is recorded in the version's
editor's note. A NewsML-G2 or ninjs item canceled by its provider kills the
article, as ``articles kill`` does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from syndication.articles.model import PubStatus, Version, utc
from syndication.errors import InputProblem, NotFound
from syndication.render.fields import web_url
from syndication.store.base import Store

REVIVAL = "Revived after kill"
# What an editor decides about an article, which a file that does not state it
# must not reset to the default.
EDITORIAL_FIELDS = frozenset({"distribution", "embargo_until"})
# The date and provider of the article's dateline, which a format stating only
# the place (ninjs ``located``, a NewsML-G2 item without ``dateline``) cannot
# give: kept when the place is the article's.
DATELINE_DETAILS = "dateline details"
# The order of bylines of different roles, which a format listing them by role
# (NewsML-G2: creators, then contributors) cannot give: the article's order is
# kept when the bylines are the same.
BYLINE_ORDER = "byline order"
# The spacing of the editor's note (line breaks, tabs), which a format writing
# it on one line (NewsML-G2) cannot give: the article's note is kept when it
# has the same words.
NOTE_SPACING = "note spacing"
# The images no feed carries (an address that is not a plain http(s) URL: see
# render/fields.web_url), which a published document cannot give: the
# article's are kept when those it carries are the item's.
UNCARRIED_IMAGES = "uncarried images"
PARTLY_STATED = frozenset(
    {DATELINE_DETAILS, BYLINE_ORDER, NOTE_SPACING, UNCARRIED_IMAGES}
)


@dataclass(frozen=True)
class Guarded:
    """A story as it may be stored; ``revived`` when it brings a killed
    article back (``--revive``)."""

    version: Version
    revived: bool = False


@dataclass(frozen=True)
class Checkpoint:
    """The guard's knowledge of a batch at one moment (see
    :meth:`ReingestGuard.checkpoint`)."""

    latest: dict[str, Version]
    decided: dict[str, list[Version]]


def kept_fields(
    stated: frozenset[str],
    *,
    wire: bool,
    subjects_given: bool,
    language_given: bool,
    unstated: frozenset[str] = frozenset(),
) -> frozenset[str]:
    """The fields a new version of an existing article takes from its latest
    version: the editorial ones the file does not state, those its format
    cannot state (``unstated``), and for wire copy the subjects and language
    unless ``--subject`` or ``--language`` gave them."""
    kept = set(EDITORIAL_FIELDS - stated) | unstated
    if wire and not subjects_given:
        kept.add("subjects")
    if wire and not language_given:
        kept.add("language")
    return frozenset(kept)


class ReingestGuard:
    """Decides, in file order, what each story of one batch may store (the
    batch's articles are read from ``store`` once). Stories decided earlier in
    the batch count as the latest version of their article for the ones after.
    """

    def __init__(
        self, store: Store, guids: Iterable[str], *, revive: bool = False
    ) -> None:
        self._store = store
        self._revive = revive
        self._latest: dict[str, Version] = dict(store.latest_many(sorted(set(guids))))
        self._decided: dict[str, list[Version]] = {}  # earlier in this batch
        self._stored: dict[str, set[str]] = {}  # content hashes, read on demand
        self._history: dict[str, list[Version]] = {}  # read on demand

    def decide(
        self,
        version: Version,
        *,
        path: str,
        keep: frozenset[str] = frozenset(),
        alternates: tuple[Version, ...] = (),
        match_older: bool = False,
    ) -> Guarded | InputProblem:
        """The version to store for the story in ``path``, with the ``keep``
        fields (:func:`kept_fields`) of the article's latest version; or the
        problem of that file when it is new content for a killed article and
        revival was not asked for. Of ``version`` and its ``alternates`` (the
        same story as it may have been stored), one whose content is stored is
        taken; with ``match_older``, also one that repeats an earlier version
        with that version's ``keep`` fields (a published document of it)."""
        latest = self._latest.get(version.guid)
        if latest is None:
            self._remember(version, None)
            return Guarded(version)
        parsed, asked = version, keep
        version = with_partly_stated(version, latest, keep)
        if alternates:
            forms = tuple(with_partly_stated(a, latest, keep) for a in alternates)
            version = self._stored_form(version, latest, keep, forms)
        keep = keep - PARTLY_STATED
        if keep:
            given, version = _kept(version, latest, keep)
            if version != given and self._was_stored(given):
                # Without the latest version's embargo or distribution, the file
                # is an earlier version (stored before the editor embargoed it,
                # say): the store finds it and stores nothing, where that
                # embargo on the earlier text would revert a correction.
                return Guarded(given)
        if match_older and asked and not self._is_stored(version, latest):
            older = self._older_form(parsed, alternates, asked)
            if older is not None:
                return Guarded(older)  # the store finds it and stores nothing
        version = _as_revived(version, latest)
        if latest.status is not PubStatus.CANCELED or (
            version.status is PubStatus.CANCELED
        ):
            # Nothing to refuse: the store tells new content from old.
            self._remember(version, latest)
            return Guarded(version)
        if self._is_stored(version, latest):
            return Guarded(version)
        if not self._revive:
            return InputProblem(path, _refusal(latest))
        version = replace(version, ed_note=revival_note(latest, version.ed_note))
        self._remember(version, latest)
        return Guarded(version, revived=True)

    def kill(
        self, guid: str, *, reason: str, at: datetime, path: str
    ) -> Guarded | InputProblem:
        """The kill of article ``guid`` (its latest version, or the one decided
        last in this batch) for reason ``reason``, at ``at`` or, if later, when
        that version was created; the latest itself when it is killed already
        (the store then stores nothing); or the problem of ``path`` when the
        article is unknown."""
        decided = self._decided.get(guid)
        current = decided[-1] if decided else self._latest.get(guid)
        if current is None:
            return InputProblem(
                path,
                f"the item cancels article {guid}, which is not in the store: "
                "there is nothing to kill; nothing was stored",
            )
        if current.status is PubStatus.CANCELED:
            return Guarded(current)
        killed = current.killed(reason, max(utc(at), current.version_created))
        self._remember(killed, self._latest.get(guid))
        return Guarded(killed)

    def checkpoint(self) -> Checkpoint:
        """What the guard knows of the batch so far, for :meth:`rollback`: a
        file of several stories that is refused must leave no trace."""
        return Checkpoint(
            dict(self._latest), {g: list(v) for g, v in self._decided.items()}
        )

    def rollback(self, checkpoint: Checkpoint) -> None:
        """Forget every decision made since ``checkpoint`` was taken."""
        self._latest = dict(checkpoint.latest)
        self._decided = {g: list(v) for g, v in checkpoint.decided.items()}

    def _stored_form(
        self,
        version: Version,
        latest: Version,
        keep: frozenset[str],
        alternates: tuple[Version, ...],
    ) -> Version:
        """``version``, or the first of ``alternates`` whose content (with or
        without the ``keep`` fields) is stored when its own is not."""
        plain = keep - PARTLY_STATED
        for candidate in (version, *alternates):
            if any(self._is_stored(v, latest) for v in _kept(candidate, latest, plain)):
                return candidate
        return version

    def _remember(self, version: Version, latest: Version | None) -> None:
        """Count ``version`` in for the batch's later stories. Only a change of
        status (a kill or a revival) changes what they are checked against: the
        latest keeps its number for messages, and its fields were kept."""
        if latest is None or version.status is not latest.status:
            self._latest[version.guid] = version
        self._decided.setdefault(version.guid, []).append(version)

    def _is_stored(self, version: Version, latest: Version) -> bool:
        """Whether the store will find the content of a killed article's story
        already stored (or stored earlier in the batch): a refusal must not hit
        a story that matches an earlier version."""
        content_hash = version.content_hash()
        if content_hash == latest.content_hash():
            return True
        decided = self._decided.get(version.guid, ())
        if any(content_hash == v.content_hash() for v in decided):
            return True
        return self._was_stored(version)

    def _was_stored(self, version: Version) -> bool:
        """Whether the store holds ``version``'s content as any version (its
        article's history is read once a batch, and only when asked)."""
        if version.guid not in self._stored:
            history = self._history_of(version.guid)
            self._stored[version.guid] = {v.content_hash() for v in history}
        return version.content_hash() in self._stored[version.guid]

    def _history_of(self, guid: str) -> list[Version]:
        if guid not in self._history:
            try:
                self._history[guid] = self._store.history(guid)
            except NotFound:  # killed earlier in this batch, never stored before
                self._history[guid] = []
        return self._history[guid]

    def _older_form(
        self, version: Version, alternates: tuple[Version, ...], keep: frozenset[str]
    ) -> Version | None:
        """``version`` (or one of its ``alternates``) with the ``keep`` fields
        of the stored version, newest first, whose content it then is; None
        when it repeats none. (Headlines are compared first: most stored
        versions differ in them, and comparing costs less than hashing.)"""
        plain = keep - PARTLY_STATED
        for stored in reversed(self._history_of(version.guid)):
            for candidate in (version, *alternates):
                if candidate.headline != stored.headline:
                    continue
                form = with_partly_stated(candidate, stored, keep)
                form = replace(form, **{n: getattr(stored, n) for n in plain})
                if form.content_hash() == stored.content_hash():
                    return form
        return None


def _kept(
    version: Version, latest: Version, keep: frozenset[str]
) -> tuple[Version, Version]:
    """``version`` with the ``keep`` fields of ``latest``: without the
    editorial ones, then with them."""
    kept = {name: getattr(latest, name) for name in keep}
    given = replace(
        version, **{k: v for k, v in kept.items() if k not in EDITORIAL_FIELDS}
    )
    return given, replace(given, **kept)


def with_partly_stated(
    version: Version, latest: Version, keep: Iterable[str]
) -> Version:
    """``version`` with what its format states only in part taken from
    ``latest`` when ``keep`` names it: the date and provider of a dateline of
    the same place (:data:`DATELINE_DETAILS`), the order of the same bylines
    (:data:`BYLINE_ORDER`), the spacing of a note of the same words
    (:data:`NOTE_SPACING`), the images no feed carries beside the same others
    (:data:`UNCARRIED_IMAGES`)."""
    if DATELINE_DETAILS in keep:
        version = _with_dateline_details(version, latest)
    if BYLINE_ORDER in keep:
        version = _with_byline_order(version, latest)
    if (
        NOTE_SPACING in keep
        and version.ed_note != latest.ed_note
        and version.ed_note.split() == latest.ed_note.split()
    ):
        version = replace(version, ed_note=latest.ed_note)
    if (
        UNCARRIED_IMAGES in keep
        and version.images != latest.images
        and tuple(i for i in latest.images if web_url(i.href)) == version.images
    ):
        version = replace(version, images=latest.images)
    return version


def _with_dateline_details(version: Version, latest: Version) -> Version:
    """``version`` with the date and provider of ``latest``'s dateline when
    both name the same place."""
    mine, theirs = version.dateline, latest.dateline
    if mine is None or theirs is None or mine.place != theirs.place:
        return version
    return replace(version, dateline=theirs)


def _with_byline_order(version: Version, latest: Version) -> Version:
    """``version`` with ``latest``'s bylines when they are the same ones in
    another order."""
    if version.bylines == latest.bylines or Counter(version.bylines) != Counter(
        latest.bylines
    ):
        return version
    return replace(version, bylines=latest.bylines)


def revival_note(killed: Version, note: str = "") -> str:
    """``Revived after kill: <the kill's reason>``, then the story's own note."""
    reason = killed.ed_note or f"version {killed.version}"
    revival = f"{REVIVAL}: {reason}"
    return f"{revival} — {note}" if note else revival


def _as_revived(version: Version, latest: Version) -> Version:
    """The same story as a revived latest version, whose note the revival
    extended, carries that note: so re-ingesting it again stores nothing."""
    if not latest.ed_note.startswith(REVIVAL) or not latest.ed_note.endswith(
        version.ed_note
    ):
        return version
    candidate = replace(version, ed_note=latest.ed_note)
    return candidate if candidate.content_hash() == latest.content_hash() else version


def _refusal(killed: Version) -> str:
    when = f"in version {killed.version}" if killed.version else "earlier in this batch"
    reason = f" ({killed.ed_note})" if killed.ed_note else ""
    return (
        f"article {killed.guid} was killed {when}{reason} and this file has new "
        "content for it; nothing was stored. To publish the story again, ingest "
        "the file with --revive; to keep it killed, leave the file out"
    )
