"""The gate: every document of a feed is checked before anything is written.

publish.py calls :meth:`Gate.check` (or :meth:`Gate.require`) with a feed's
rendered documents and the edition they came from; a feed whose documents are
not all valid is not written at all. :func:`check_file` checks any RSS, Atom,
NewsML-G2 or ninjs file, ours or another publisher's, and the browser face's
stylesheet, page and OPML list (the ``validate`` command). ninjs documents
(JSON) go to :mod:`syndication.validate.ninjs`, a destination's face to
:mod:`syndication.validate.face`, the others to
:mod:`syndication.validate.checker`.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from cachetools import LRUCache

from syndication.config import Settings
from syndication.errors import ConfigError, InputError, ValidationFailed
from syndication.render.base import Document, Edition
from syndication.validate import feed_items
from syndication.validate.checker import DEFAULT_SCHEMAS_DIR, Expectations, check_bytes
from syndication.validate.face import HTML_FORMAT, OPML_FORMAT, check_face, sniff_face
from syndication.validate.ninjs import check_ninjs, looks_like_json
from syndication.validate.report import GateReport, Problem
from syndication.validate.verdicts import StoredVerdicts, VerdictStore, rules_digest

NINJS = "ninjs"
# A destination's face (index.html, feeds.opml): see syndication/validate/face.py.
FACE_FORMATS = (HTML_FORMAT, OPML_FORMAT)
# Valid item documents remembered (a digest and the expectations each).
PASSED_CACHE_SIZE = 100_000

__all__ = [
    "Expectations",
    "Gate",
    "GateReport",
    "Problem",
    "check_bytes",
    "check_file",
    "expectations_for",
]


def expectations_for(edition: Edition) -> Expectations:
    """What the edition's documents must say: the feed's credit line, whether
    bodies end with the credit paragraph, the build time, and the embargo of
    every item it was built from."""
    from syndication.credit import feed_credit

    credit = feed_credit(edition.feed, edition.agency)
    embargoes = {
        item.version.guid: item.version.embargo_until
        for item in (*edition.items, *edition.canceled)
        if item.version.embargo_until is not None
    }
    return Expectations(
        credit_line=credit.line,
        append_paragraph=credit.append_paragraph,
        at=edition.at,
        embargoes=embargoes,
        base_url=edition.history.base_url if edition.history else "",
    )


class Gate:
    """Checks rendered documents against our grammars and rules (and IPTC's
    official NewsML-G2 XSD when configured; ninjs documents against IPTC's
    ninjs 3.1 JSON Schema). Schemas compile on first use, once per process,
    shared by every Gate."""

    def __init__(
        self,
        schemas_dir: Path,
        official_xsd: Path | None = None,
        ninjs_schema: Path | None = None,
        *,
        publisher: str | None = None,
        verdicts: VerdictStore | None = None,
    ) -> None:
        """``publisher`` is our provider URI (the agency's URL): files of
        NewsML-G2 naming another provider are judged as another publisher's,
        by the official XSD (see :class:`~syndication.validate.checker.Judgement`).
        ``ninjs_schema`` is IPTC's ninjs 3.1 JSON Schema, which every ninjs
        document is checked against. Raises :class:`ConfigError` when a folder
        or file is missing."""
        if official_xsd is not None and not official_xsd.is_file():
            raise ConfigError(
                "official NewsML-G2 schema not found; fix the path or remove the key",
                path=official_xsd,
                key="validation.newsml_official_xsd",
            )
        if ninjs_schema is not None and not ninjs_schema.is_file():
            raise ConfigError(
                "ninjs schema not found; fix the path or remove the key",
                path=ninjs_schema,
                key="validation.ninjs_schema",
            )
        if not (schemas_dir / "rules").is_dir():
            raise ConfigError(
                "schemas folder not found (it holds rss.rng, atom.rng, "
                "newsml-profile.rng and rules/)",
                path=schemas_dir,
                key="paths.schemas",
            )
        self.schemas_dir = schemas_dir
        self.official_xsd = official_xsd
        self.ninjs_schema = ninjs_schema
        self.publisher = publisher
        # Item documents found valid: key → the earliest build time they
        # passed at (see :meth:`check`); the scheduler checks feeds on several
        # threads: used under the lock.
        self._passed: LRUCache[tuple[object, ...], datetime] = LRUCache(
            PASSED_CACHE_SIZE
        )
        self._passed_lock = threading.Lock()
        # Kept in the store too, when it is given (see verdicts.py).
        kept = (
            None
            if verdicts is None
            else StoredVerdicts(
                verdicts, rules_digest(schemas_dir, official_xsd, ninjs_schema)
            )
        )
        self._items = feed_items.ItemsOnce(verdicts=kept)

    @classmethod
    def from_settings(
        cls, settings: Settings, verdicts: VerdictStore | None = None
    ) -> Gate:
        """The gate of a site: ``[paths] schemas``, ``[validation]
        newsml_official_xsd``, ``[validation] ninjs_schema`` and the agency
        (whose NewsML-G2 is ours); with ``verdicts`` (the site's store), the
        items found valid are kept there for later processes."""
        return cls(
            settings.schemas_dir,
            settings.newsml_xsd,
            settings.ninjs_schema,
            publisher=settings.agency.url,
            verdicts=verdicts,
        )

    def check(
        self,
        documents: Sequence[Document],
        edition: Edition,
        *,
        held: Collection[str] = frozenset(),
    ) -> GateReport:
        """Every problem in every document (named by key); ``report.ok`` when
        there is none. Raises :class:`ConfigError` if a schema cannot compile.

        ``held`` names (by SHA-256) item documents the destination already
        holds byte for byte at their key: they passed this gate when they were
        written and are not written again, so they are not checked again (a
        fresh process, a push, does not re-check the hundred items a feed
        already carries). Indexes are always checked."""
        from syndication.validate.editorial import edition_problems

        expectations = expectations_for(edition)
        first = documents[0].key if documents else edition.feed.feed_id
        report = GateReport(tuple(edition_problems(edition, first)))
        at = expectations.at
        for document in documents:
            if not document.is_index and document.sha256 in held:
                report = report + GateReport((), 1)
                continue
            # An item document (one version, immutable) found valid under the
            # same expectations is not checked again: feeds share items, and
            # the next run finds it again. The build time is left out of the
            # key: the only rules that read it (an embargo has ended by it)
            # hold at any later time once they held, so an item that passed
            # at some time passes at every later one.
            key = (
                None
                if document.is_index or at is None
                else (
                    document.sha256,
                    document.format,
                    document.key if document.is_archive else "",
                    expectations.credit_line,
                    expectations.append_paragraph,
                    expectations.base_url,
                )
            )
            if key is not None and at is not None:
                with self._passed_lock:
                    since = self._passed.get(key)
                if since is not None and since <= at:
                    report = report + GateReport((), 1)
                    continue
            result = self._check_document(document, expectations)
            if key is not None and at is not None and result.ok:
                with self._passed_lock:
                    since = self._passed.get(key)
                    self._passed[key] = at if since is None else min(since, at)
            report = report + result
        return report

    def _check_document(
        self, document: Document, expectations: Expectations
    ) -> GateReport:
        """One rendered document; an RSS, Atom or NewsML-G2 index without the
        items already found valid in the same setting (see
        :mod:`syndication.validate.feed_items`)."""
        own = replace(expectations, key=document.key)

        def checked(body: bytes) -> GateReport:
            return self._check(body, document.key, own, document.format)

        if document.format not in feed_items.FORMATS:
            return checked(document.body)
        setting = (expectations.credit_line, expectations.append_paragraph)
        return self._items.check(
            document.body, document.format, setting, checked, document.pieces
        )

    def check_face(self, documents: Sequence[Document]) -> GateReport:
        """Every problem in a destination's face documents (``index.html``,
        ``feeds.opml``; see :mod:`syndication.validate.face`)."""
        report = GateReport()
        for document in documents:
            report = report + check_face(
                document.body, document.key, document.format, self.schemas_dir
            )
        return report

    def require(self, documents: Sequence[Document], edition: Edition) -> None:
        """Raise :class:`ValidationFailed` (carrying the report) unless every
        document is valid."""
        report = self.check(documents, edition)
        if not report.ok:
            raise ValidationFailed(
                f"feed {edition.feed.feed_id}: {report.summary()}; nothing written",
                report=report,
            )

    def check_file(
        self,
        path_or_bytes: Path | str | bytes,
        *,
        expected_credit_line: str | None = None,
        at: datetime | None = None,
        append_paragraph: bool | None = None,
        name: str | None = None,
    ) -> GateReport:
        """Check one file (format sniffed: ninjs when it is JSON, else RSS, Atom
        or NewsML-G2), ours or another publisher's. Without
        ``expected_credit_line`` the items must all carry the same credit line
        (ours: a non-empty one); without ``at`` the document's own build time
        is used; ``append_paragraph=False`` skips the credit paragraph rule
        (another publisher's NewsML-G2 is held to it only when it is True).
        Raises :class:`InputError` when the file cannot be read, and
        :class:`ConfigError` for another publisher's NewsML-G2 without the
        official XSD."""
        if isinstance(path_or_bytes, bytes):
            body = path_or_bytes
            label = name or "<bytes>"
        else:
            path = Path(path_or_bytes)
            label = name or str(path)
            try:
                body = path.read_bytes()
            except OSError as exc:
                raise InputError(
                    f"cannot read: {exc.strerror or exc}", path=path
                ) from exc
        expectations = Expectations(
            credit_line=expected_credit_line, append_paragraph=append_paragraph, at=at
        )
        return self._check(body, label, expectations, publisher=self.publisher)

    def _check(
        self,
        body: bytes,
        name: str,
        expectations: Expectations,
        fmt: str | None = None,
        publisher: str | None = None,
    ) -> GateReport:
        """One document: ninjs when ``fmt`` says so or, unstated, when it is
        JSON; else XML of the format sniffed (``fmt`` when given), judged as
        another publisher's when ``publisher`` is given and it names another
        (rendered documents are ours: no ``publisher``)."""
        face = fmt if fmt in FACE_FORMATS else (sniff_face(body) if not fmt else None)
        if face is not None:
            return check_face(body, name, face, self.schemas_dir)
        if fmt == NINJS or (fmt is None and looks_like_json(body)):
            return check_ninjs(
                body,
                name=name,
                schema_path=self.ninjs_schema,
                schemas_dir=self.schemas_dir,
                expectations=expectations,
            )
        return check_bytes(
            body,
            name=name,
            schemas_dir=self.schemas_dir,
            official_xsd=self.official_xsd,
            expectations=expectations,
            fmt=fmt,
            publisher=publisher,
        )


def check_file(
    path_or_bytes: Path | str | bytes,
    *,
    expected_credit_line: str | None = None,
    at: datetime | None = None,
    append_paragraph: bool | None = None,
    name: str | None = None,
    gate: Gate | None = None,
) -> GateReport:
    """:meth:`Gate.check_file` with ``gate``, by default one on the project's
    own ``schemas/`` without the official XSD."""
    gate = gate or Gate(DEFAULT_SCHEMAS_DIR)
    return gate.check_file(
        path_or_bytes,
        expected_credit_line=expected_credit_line,
        at=at,
        append_paragraph=append_paragraph,
        name=name,
    )
