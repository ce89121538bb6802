"""Text and time values as every renderer writes them.

XML 1.0 cannot carry most control characters (and lxml refuses them), so each
string a renderer writes passes through :func:`xml_text`, which removes them and
logs a warning naming the field. Times are written from data only, in UTC.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from email.utils import format_datetime

from syndication.articles.model import utc

log = logging.getLogger(__name__)

# C0 controls except tab, newline and carriage return; DEL and the C1 block;
# lone surrogates and the two non-characters XML forbids (XML 1.0 §2.2).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str, where: str = "") -> str:
    """``value`` without characters XML cannot carry; logs a warning when any
    were removed (``where`` names the feed, item and field)."""
    cleaned, count = _NOT_XML.subn("", value)
    if count:
        log.warning("%s: removed %d control character(s)", where or "text", count)
    return cleaned


def has_control_characters(value: str) -> bool:
    return _NOT_XML.search(value) is not None


def iso_time(moment: datetime) -> str:
    """RFC 3339 / xs:dateTime in UTC with a ``Z``: ``2026-06-17T00:01:00Z``."""
    return utc(moment).isoformat().replace("+00:00", "Z")


def atom_time(moment: datetime) -> str:
    """RFC 3339 in UTC as feedgen writes Atom dates (``+00:00``); RSS's
    ``atom:updated`` uses it too, so both formats state the same string."""
    return utc(moment).isoformat()


def rfc822_time(moment: datetime) -> str:
    """RFC 822 (as RSS 2.0 wants, four-digit year): ``Wed, 17 Jun 2026 00:01:00
    +0000``; independent of the process locale."""
    return format_datetime(utc(moment).replace(microsecond=0))
