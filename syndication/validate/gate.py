"""The gate: every document of a feed is checked before anything is written.

A feed whose documents are not all valid is not written at all (publish.py);
:meth:`Gate.require` raises :class:`ValidationFailed` carrying the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from syndication.config import Settings
from syndication.errors import ConfigError, ValidationFailed
from syndication.render.base import Document, Edition
from syndication.validate.checker import (
    Expectations,
    GateReport,
    Problem,
    check_bytes,
)

__all__ = ["Expectations", "Gate", "GateReport", "Problem", "expectations_for"]


def expectations_for(edition: Edition) -> Expectations:
    """What the edition's documents must say: the feed's credit line, the credit
    paragraph its bodies end with (or none), and the build time."""
    from syndication.credit import credit_paragraph, feed_credit

    credit = feed_credit(edition.feed, edition.agency)
    paragraph = credit_paragraph(credit) if credit.append_paragraph else ""
    return Expectations(credit_line=credit.line, paragraph=paragraph, at=edition.at)


class Gate:
    """Checks rendered documents against our grammars and rules (and IPTC's
    official NewsML-G2 XSD when configured). Schemas compile once per process."""

    def __init__(self, schemas_dir: Path, official_xsd: Path | None = None) -> None:
        """Raises :class:`ConfigError` when a schema file is missing."""
        if official_xsd is not None and not official_xsd.is_file():
            raise ConfigError(
                "official NewsML-G2 schema not found; fix the path or remove the key",
                path=official_xsd,
                key="validation.newsml_official_xsd",
            )
        if not (schemas_dir / "rules").is_dir():
            raise ConfigError(
                "schemas folder not found", path=schemas_dir, key="paths.schemas"
            )
        self.schemas_dir = schemas_dir
        self.official_xsd = official_xsd

    @classmethod
    def from_settings(cls, settings: Settings) -> Gate:
        return cls(settings.schemas_dir, settings.newsml_xsd)

    def check(self, documents: Sequence[Document], edition: Edition) -> GateReport:
        """Every problem in every document; ``report.ok`` when there is none."""
        expectations = expectations_for(edition)
        report = GateReport()
        for document in documents:
            report = report + check_bytes(
                document.body,
                name=f"{document.feed_id}/{document.key}",
                schemas_dir=self.schemas_dir,
                official_xsd=self.official_xsd,
                expectations=expectations,
                fmt=document.format,
            )
        return report

    def require(self, documents: Sequence[Document], edition: Edition) -> None:
        """Raise :class:`ValidationFailed` unless every document is valid."""
        report = self.check(documents, edition)
        if not report.ok:
            raise ValidationFailed(
                f"feed {edition.feed.feed_id}: {report.summary()}", report=report
            )
