"""The face of a destination for people: ``index.html``, a page listing every
feed published there with its formats, subscription addresses and last update,
and ``feeds.opml``, the same list for feed readers to import (OPML 2.0).

Both are made from the feed definitions and the ledger (never the clock, so the
same ledger gives the same bytes), checked by the gate like any document, and
written at the destination's root after the feeds, only when their bytes
changed. ``listing`` gathers the facts, ``page`` and ``opml`` render them,
``publish`` checks and writes them.
"""
