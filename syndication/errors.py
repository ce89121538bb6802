"""The one exception tree of syndication.

::

    SyndicationError        anything this package raises on purpose
    ├── ConfigError         config/syndication.toml or feeds/*.toml is wrong   (exit 3)
    ├── InputError          a story to ingest is wrong                         (exit 3)
    ├── StoreError          the article store failed                           (exit 1)
    │   └── NotFound        no such article or version                         (exit 1)
    ├── ValidationFailed    a rendered document broke a schema or a rule       (exit 4)
    ├── DestinationError    object storage or the local folder failed          (exit 1)
    ├── QueueError          the task queue's broker failed ([queue] broker)    (exit 1)
    └── LockHeld            another process is publishing the same feed        (exit 1)

Messages say where (file, line, key, feed, object key) and what to do next. Each
class builds its message from the facts given to its constructor, and keeps them as
attributes so callers (and the CLI's ``--json``) can use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SyndicationError(Exception):
    """Base of every error syndication raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration or feed-definition file: the file, the
    key (dotted, ``selection.window``; empty for the whole file) and, for a file
    that is not TOML, the line."""

    path: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = _where(self.path, self.line, self.key)
        return f"{where}: {self.message}" if where else self.message


class ConfigError(SyndicationError):
    """A configuration or feed-definition file is missing, malformed or wrong.

    ``problems`` lists every problem found in the file at once; ``path``, ``key``,
    ``line`` and ``detail`` describe the first."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        key: str | None = None,
        line: int | None = None,
        problems: Sequence[ConfigProblem] = (),
    ) -> None:
        if not problems:
            problems = (
                ConfigProblem(
                    str(path) if path is not None else "", key or "", message, line
                ),
            )
        first = problems[0]
        self.problems = tuple(problems)
        self.path = first.path or None
        self.key = first.key or None
        self.line = first.line
        self.detail = first.message
        lines = [str(problem) for problem in self.problems]
        if len(lines) > 1:
            lines = [f"{len(lines)} problems:", *(f"  {line}" for line in lines)]
        super().__init__("\n".join(lines))

    @classmethod
    def from_problems(cls, problems: Sequence[ConfigProblem]) -> ConfigError:
        """One error for every problem of a file (``problems`` must not be empty)."""
        return cls(problems[0].message, problems=problems)


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with one input file."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = _where(self.path, self.line, self.field)
        return f"{where}: {self.message}"


class InputError(SyndicationError):
    """A story (or a batch of stories) could not be ingested; nothing of it stored."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
        problems: Sequence[InputProblem] = (),
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.detail = message
        if not problems and self.path is not None:
            problems = (InputProblem(self.path, message, line, field),)
        self.problems = tuple(problems)
        where = _where(self.path, line, field)
        super().__init__(f"{where}: {message}" if where else message)

    @classmethod
    def from_problems(
        cls, problems: Sequence[InputProblem], *, path: Path | str
    ) -> InputError:
        """One error for every problem of a file, headed by the first (its line
        and field); ``problems`` must not be empty."""
        first = problems[0]
        return cls(
            first.message,
            path=path,
            line=first.line,
            field=first.field,
            problems=problems,
        )


class StoreError(SyndicationError):
    """The article store failed (connection, schema, transaction)."""


class NotFound(StoreError):
    """No article (or no such version of it) is in the store: an unknown id is
    bad input (exit 3), like an unknown feed."""

    exit_code = 3


class ValidationFailed(SyndicationError):
    """A rendered document did not pass the schemas and rules.

    ``report`` is the checker's result (a sequence of problems); the document was
    neither written nor uploaded.
    """

    exit_code = 4

    def __init__(self, message: str, *, report: Any = None) -> None:
        self.report = report
        super().__init__(message)


class DestinationError(SyndicationError):
    """A destination (local folder or object storage) refused or failed a request."""

    def __init__(
        self,
        message: str,
        *,
        destination: str | None = None,
        key: str | None = None,
        status: int | None = None,
    ) -> None:
        self.destination = destination
        self.key = key
        self.status = status
        parts = [p for p in (destination, key) if p]
        where = ":".join(parts)
        if status is not None:
            message = f"{message} (HTTP {status})"
        super().__init__(f"{where}: {message}" if where else message)


class QueueError(SyndicationError):
    """The task queue's broker (``[queue] broker``) could not be reached or
    refused a job; ``broker`` is its URL with any password masked."""

    def __init__(self, message: str, *, broker: str) -> None:
        self.broker = broker
        super().__init__(f"queue broker {broker}: {message}")


class LockHeld(SyndicationError):
    """Another process holds the lock this one needs (a feed's publish lock)."""

    def __init__(self, name: str, *, holder: str | None = None) -> None:
        self.name = name
        self.holder = holder
        extra = f" (held by {holder})" if holder else ""
        super().__init__(
            f"{name} is locked by another process{extra}; try again when it finishes"
        )


def _where(path: str | None, line: int | None, key: str | None) -> str:
    where = path or ""
    if line is not None:
        where = f"{where}:{line}" if where else f"line {line}"
    if key:
        where = f"{where} [{key}]" if where else f"[{key}]"
    return where
