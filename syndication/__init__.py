"""syndication: wire-service syndication feed publisher.

Stored articles → per-partner RSS 2.0, Atom 1.0 and IPTC NewsML-G2 feeds, each item
carrying the agency's credit line and rights, checked against schemas and credit
rules before anything is uploaded.
"""

from __future__ import annotations

__version__ = "0.1.0"
