"""``python -m syndication``: the same as the ``syndication`` command."""

from __future__ import annotations

from syndication.cli import main

# Guarded: a publish's worker processes are spawned, and import this module
# again as ``__mp_main__``, which must not run the command a second time.
if __name__ == "__main__":
    main()
