"""Where a full publish spends its time, stage by stage.

:func:`install` wraps the functions of each stage with a timer, in the bench
process only (the product carries no instrumentation). Each wrapped call's
time counts once, for the innermost stage running: a Schematron check inside
the gate counts as Schematron, not as the gate. Only the publishing thread is
timed, so the stages add up to at most the publish's own time; the uploads'
threads are inside the ``write`` stage, which waits for them. What no stage
claims (fingerprints, sorting, the feed lock, the publisher's own steps) is
``other``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

# The stages in report order; render and validate stages by format and kind.
STAGES = (
    "select",
    "credit",
    "render rss",
    "render atom",
    "render newsml",
    "render ninjs",
    "render stylesheet",
    "serialise",
    "validate: parse",
    "validate: grammar (RELAX NG)",
    "validate: official XSD",
    "validate: Schematron",
    "validate: field safety",
    "validate: HTML bodies",
    "validate: JSON schema",
    "validate: ninjs rules",
    "validate: stylesheet view",
    "validate: schema look-up and compile",
    "validate: other",
    "write",
    "ledger",
    "withdraw",
    "face",
    "other",
)
# Store methods that read a feed's selection; every other one is the ledger.
SELECT_METHODS = {
    "select",
    "select_canceled",
    "select_refs",
    "select_ranked",
    "moved_since",
    "latest_as_of",
}


class StageClock:
    """Seconds per stage, exclusive of the stages running inside each."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._stack: list[tuple[str, float]] = []
        self._thread = threading.get_ident()

    def wrap(
        self,
        stage: str,
        function: Callable[..., Any],
        only_inside: str = "",
    ) -> Callable[..., Any]:
        """``function`` timed as ``stage``; with ``only_inside``, only when the
        stage running is one whose name starts with it (else its time stays
        with that stage)."""

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != self._thread or (
                only_inside
                and not (self._stack and self._stack[-1][0].startswith(only_inside))
            ):
                return function(*args, **kwargs)
            self._enter(stage)
            try:
                return function(*args, **kwargs)
            finally:
                self._leave()

        return timed

    def _enter(self, stage: str) -> None:
        now = time.perf_counter()
        if self._stack:
            outer, since = self._stack[-1]
            self.seconds[outer] += now - since
        self._stack.append((stage, now))

    def _leave(self) -> None:
        now = time.perf_counter()
        stage, since = self._stack.pop()
        self.seconds[stage] += now - since
        if self._stack:
            self._stack[-1] = (self._stack[-1][0], now)

    def profile(self, total: float) -> dict[str, dict[str, float]]:
        """Each stage's seconds and share of ``total`` (the publish's own
        time), ``other`` taking what no stage claimed; stages that took no
        time are left out."""
        seconds = dict(self.seconds)
        seconds["other"] = max(0.0, total - sum(seconds.values()))
        return {
            stage: {
                "seconds": round(seconds[stage], 3),
                "share": round(seconds[stage] / total, 3) if total else 0.0,
            }
            for stage in STAGES
            if seconds.get(stage, 0.0) > 0.0005
        }


def install(clock: StageClock) -> None:
    """Wrap every stage's functions with ``clock`` (for this process)."""
    _install_pipeline(clock)
    _install_validation(clock)
    _install_store(clock)


def _patch(
    clock: StageClock, owner: Any, name: str, stage: str, inside: str = ""
) -> None:
    setattr(owner, name, clock.wrap(stage, getattr(owner, name), inside))


def _install_pipeline(clock: StageClock) -> None:
    from lxml import etree

    from syndication import publish, select
    from syndication.destinations.local import LocalDestination
    from syndication.render import atom, newsml, ninjs, rss, stylesheet

    _patch(clock, select, "build_edition", "select")
    _patch(clock, publish, "shown_now", "select")
    _patch(clock, select, "make_item", "credit")
    for module, renderer in (
        (rss, rss.RssRenderer),
        (atom, atom.AtomRenderer),
        (newsml, newsml.NewsmlRenderer),
        (ninjs, ninjs.NinjsRenderer),
    ):
        _patch(clock, renderer, "render", f"render {module.__name__.rsplit('.')[-1]}")
    _patch(clock, stylesheet, "stylesheet_document", "render stylesheet")
    # Serialising is lxml's tostring (feedgen's too) and ninjs' json, when a
    # renderer calls them (the gate's own calls stay with the gate).
    _patch(clock, etree, "tostring", "serialise", "render")
    _patch(clock, ninjs, "serialize", "serialise", "render")
    _patch(clock, publish.Publisher, "_upload", "write")
    for name in ("list", "missing", "sync"):
        _patch(clock, LocalDestination, name, "write")
    _patch(clock, publish.Publisher, "_withdraw", "withdraw")
    _patch(clock, publish.Publisher, "refresh_faces", "face")


def _install_validation(clock: StageClock) -> None:
    from syndication.validate import (
        bodies,
        checker,
        editorial,
        gate,
        ninjs,
        ninjs_schema,
        rules,
        schemas,
    )

    _patch(clock, gate.Gate, "check", "validate: other")
    _patch(clock, editorial, "edition_problems", "validate: other")
    _patch(clock, checker, "parse", "validate: parse")
    _patch(clock, ninjs, "parse_json", "validate: parse")
    errors = schemas.Compiled.errors

    def compiled_errors(compiled: Any, tree: Any) -> Any:
        kind = (
            "official XSD" if compiled.path.suffix == ".xsd" else "grammar (RELAX NG)"
        )
        return clock.wrap(f"validate: {kind}", errors)(compiled, tree)

    # One method serves both kinds; the compiled file's suffix says which.
    schemas.Compiled.errors = compiled_errors  # type: ignore[method-assign, assignment]
    _patch(clock, rules.CompiledRules, "problems", "validate: Schematron")
    _patch(clock, checker, "safety_problems", "validate: field safety")
    _patch(clock, ninjs, "safety_problems", "validate: field safety")
    _patch(clock, bodies, "entries", "validate: HTML bodies")
    _patch(clock, bodies, "body_problems", "validate: HTML bodies")
    _patch(clock, ninjs_schema.CompiledSchema, "errors", "validate: JSON schema")
    _patch(clock, ninjs, "item_problems", "validate: ninjs rules")
    _patch(clock, checker, "instruction_problems", "validate: stylesheet view")
    _patch(clock, checker, "check_stylesheet", "validate: stylesheet view")
    # Found by path on every check, compiled on the first.
    compile_stage = "validate: schema look-up and compile"
    _patch(clock, schemas, "grammar", compile_stage)
    _patch(clock, schemas, "official_xsd", compile_stage)
    _patch(clock, rules, "compiled_rules", compile_stage)
    _patch(clock, ninjs, "compiled_schema", compile_stage)


def _install_store(clock: StageClock) -> None:
    from syndication.store.sql import SqlStore

    for name, member in list(vars(SqlStore).items()):
        if name.startswith("_") or not callable(member) or name == "close":
            continue
        stage = "select" if name in SELECT_METHODS else "ledger"
        _patch(clock, SqlStore, name, stage)
