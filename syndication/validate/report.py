"""What the checker finds: one :class:`Problem` per thing wrong, gathered in a
:class:`GateReport` (kept free of lxml so callers can hold reports cheaply)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one document: its name (a document key, or a file
    path), the line when known, the rule id (``credit-line-matches``,
    ``rss-grammar``, ``no-doctype``…) and a plain message."""

    document: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.document if self.line is None else f"{self.document}:{self.line}"
        return f"{where}: [{self.rule}] {self.message}"

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "document": self.document,
            "line": self.line,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class GateReport:
    """The result of checking ``checked`` documents; ``ok`` when no problem was
    found."""

    problems: tuple[Problem, ...] = ()
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def invalid_documents(self) -> tuple[str, ...]:
        """Names of the documents with a problem, in the order found."""
        return tuple(dict.fromkeys(p.document for p in self.problems))

    def summary(self) -> str:
        """``3 document(s) valid`` or ``2 problem(s) in 1 of 3 document(s)``."""
        if self.ok:
            return f"{self.checked} document(s) valid"
        return (
            f"{len(self.problems)} problem(s) in {len(self.invalid_documents)} of "
            f"{self.checked} document(s)"
        )

    def __add__(self, other: GateReport) -> GateReport:
        return GateReport(self.problems + other.problems, self.checked + other.checked)


def source_line(node: object) -> int | None:
    """The line of an lxml element (None when unknown); lxml-stubs 0.5 type
    ``sourceline`` oddly, so every module asks here."""
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None
