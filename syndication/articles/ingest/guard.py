"""Re-ingest never undoes an editorial act.

Before a batch is stored, each story is set against its article's latest
version. Content equal to any earlier version is left to the store to recognise
(``match_history``: nothing is stored). A new version keeps the article's
distribution and embargo (an editor's decisions) unless the file states them,
and wire copy, which cannot state them, keeps its subjects and language unless
given, as a correction does. New content for a killed article is refused
unless the editor asks to revive it, and a revival is recorded in the version's
editor's note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from syndication.articles.model import PubStatus, Version
from syndication.errors import InputProblem, NotFound
from syndication.store.base import Store

REVIVAL = "Revived after kill"
# What an editor decides about an article, which a file that does not state it
# must not reset to the default.
EDITORIAL_FIELDS = frozenset({"distribution", "embargo_until"})


@dataclass(frozen=True)
class Guarded:
    """A story as it may be stored; ``revived`` when it brings a killed
    article back (``--revive``)."""

    version: Version
    revived: bool = False


def kept_fields(
    stated: frozenset[str], *, wire: bool, subjects_given: bool, language_given: bool
) -> frozenset[str]:
    """The fields a new version of an existing article takes from its latest
    version: the editorial ones the file does not state, and for wire copy the
    subjects and language unless ``--subject`` or ``--language`` gave them."""
    kept = set(EDITORIAL_FIELDS - stated)
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

    def decide(
        self, version: Version, *, path: str, keep: frozenset[str] = frozenset()
    ) -> Guarded | InputProblem:
        """The version to store for the story in ``path``, with the ``keep``
        fields (:func:`kept_fields`) of the article's latest version; or the
        problem of that file when it is new content for a killed article and
        revival was not asked for."""
        latest = self._latest.get(version.guid)
        if latest is None:
            self._remember(version, None)
            return Guarded(version)
        if keep:
            kept = {name: getattr(latest, name) for name in keep}
            given = replace(
                version,
                **{k: v for k, v in kept.items() if k not in EDITORIAL_FIELDS},
            )
            version = replace(given, **kept)
            if version != given and self._was_stored(given):
                # Without the latest version's embargo or distribution, the file
                # is an earlier version (stored before the editor embargoed it,
                # say): the store finds it and stores nothing, where that
                # embargo on the earlier text would revert a correction.
                return Guarded(given)
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
            try:
                stored = self._store.history(version.guid)
            except NotFound:  # killed earlier in this batch, never stored before
                stored = []
            self._stored[version.guid] = {v.content_hash() for v in stored}
        return version.content_hash() in self._stored[version.guid]


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
