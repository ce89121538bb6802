"""``python -m syndication``: the same as the ``syndication`` command."""

from __future__ import annotations

from syndication.cli import main

main()
