"""Progress bars for the long commands (ingest, publish, verify): one helper
decides whether a bar shows, and hands back a do-nothing one when it must not.

A bar shows on stderr only when stderr is a terminal, never with ``-q`` or
``--json``, and only for two steps or more. It says how many steps are done,
the rate and the time left. Lines a command prints to stdout while the bar
runs go through :meth:`Progress.echo`, which clears the bar's line first when
both go to the same terminal, and log lines on stderr are written above the
bar, so no two ever share a line.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click


class Progress:
    """A running bar (or none): :meth:`advance` after each step, :meth:`echo`
    for a result line on stdout."""

    def __init__(self, total: int = 0, unit: str = "") -> None:
        self._bar: Any = None
        self._total = total
        self._unit = unit
        self._done = 0
        self._started = time.monotonic()
        self._clears = False

    @property
    def is_shown(self) -> bool:
        return self._bar is not None

    def show(self, bar: Any) -> None:
        self._bar = bar
        self._clears = _is_terminal(sys.stdout)

    def advance(self, steps: int = 1) -> None:
        self._done += steps
        if self._bar is not None and steps:
            self._bar.update(steps)

    def status(self, _item: object = None) -> str:
        """``344.1 files/s, 0:00:03 left`` once a step is done: the rate so
        far, and the time left at that rate (the bar's last column)."""
        elapsed = time.monotonic() - self._started
        if not self._done or elapsed <= 0:
            return ""
        rate = self._done / elapsed
        left = int(max(0, self._total - self._done) / rate)
        return (
            f"{rate:.1f} {self._unit}/s, "
            f"{left // 3600}:{left % 3600 // 60:02d}:{left % 60:02d} left"
        )

    def echo(self, line: str) -> None:
        if self._clears:
            _clear_line()
        click.echo(line)
        if self._clears:
            self.redraw()

    def redraw(self) -> None:
        """Draw the bar again on its (cleared) line."""
        if self._bar is not None:
            sys.stderr.write("\r" + self._bar.format_progress_line())
            sys.stderr.flush()


def shows_progress(*, quiet: bool) -> bool:
    """Whether a progress bar would show: stderr is a terminal and the command
    was not asked to be quiet (``-q``, ``--json``)."""
    return not quiet and _is_terminal(sys.stderr)


@contextmanager
def progress(total: int, *, label: str, unit: str, quiet: bool) -> Iterator[Progress]:
    """A bar of ``total`` steps (``unit``: "feeds", "files") on stderr when
    :func:`shows_progress` and ``total`` >= 2; a do-nothing :class:`Progress`
    otherwise."""
    state = Progress(total, unit)
    if total < 2 or not shows_progress(quiet=quiet):
        yield state
        return
    with (
        click.progressbar(
            length=total,
            label=label,
            file=sys.stderr,
            show_pos=True,
            show_percent=True,
            # Our own estimate: click's averages a few late steps, which a
            # slow first step (opening the store) throws off for a while.
            show_eta=False,
            item_show_func=state.status,
        ) as bar,
        _logs_above(state),
    ):
        state.show(bar)
        yield state


@contextmanager
def _logs_above(state: Progress) -> Iterator[None]:
    """While the bar shows, each log line on stderr clears the bar's line
    first and draws the bar again after, so log lines scroll above it."""
    handlers = [
        handler
        for handler in logging.getLogger("syndication").handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr
    ]
    for handler in handlers:
        handler.setStream(_AboveBar(sys.stderr, state))
    try:
        yield
    finally:
        for handler in handlers:
            handler.setStream(sys.stderr)


class _AboveBar:
    """A stream for a log handler: clears the bar's line before a line of log
    and redraws the bar after it."""

    def __init__(self, stream: Any, state: Progress) -> None:
        self._stream = stream
        self._state = state

    def write(self, text: str) -> int:
        _clear_line()
        written = int(self._stream.write(text))
        if text.endswith("\n"):
            self._state.redraw()
        return written

    def flush(self) -> None:
        self._stream.flush()


def _clear_line() -> None:
    # Carriage return and "erase line" (ECMA-48 EL): the bar's line is empty.
    sys.stderr.write("\r\x1b[K")


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no such method, or the stream is closed
        return False
