"""Tables on stdout, for every command that prints rows (tabulate's plain format)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import click


def table_text(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    right: Collection[int] = (),
) -> str:
    """Columns two spaces apart, each as wide as its widest cell, the header's
    included; the columns numbered in ``right`` aligned right (their header
    too), the others left. No line ends in a space, so a last column whose
    header is "" holds notes only some rows have."""
    from tabulate import tabulate  # 50 ms to import: not for --help

    # The header goes in as a row: tabulate pads a header it is told about by
    # two more spaces than its widest cell needs.
    cells = [list(header), *([str(cell) for cell in row] for row in rows)]
    align = ["right" if n in right else "left" for n in range(len(header))]
    text = tabulate(cells, tablefmt="plain", disable_numparse=True, colalign=align)
    return "\n".join(line.rstrip() for line in text.splitlines())


def echo_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    right: Collection[int] = (),
) -> None:
    """Print :func:`table_text` to stdout."""
    click.echo(table_text(header, rows, right=right))
