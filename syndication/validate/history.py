"""The gate's rules for RFC 5005 archived feeds in RSS and Atom (see
:mod:`syndication.render.history`).

For any document:

- ``archive-prev-single``: at most one ``prev-archive`` link (RFC 5005 §4: a
  reader follows the one);
- ``archive-current``: a document marked ``fh:archive`` links ``current``,
  once (the subscription document it belongs to).

For our own documents, whose key in the feed's folder the publisher knows:

- ``archive-marked``: a document under ``archive/<period>/`` is marked
  ``fh:archive``; a subscription document (``rss.xml``, ``atom.xml``) is not
  (a reader would stop there and never poll it again);
- ``archive-link``: ``current`` leads to the subscription document of the same
  format, and ``prev-archive`` to the same format's archive of an earlier
  period, both inside the feed's own folder: a relative link resolved
  against the document's key, an absolute one under the feed's public
  address (:attr:`Expectations.base_url`).
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from syndication.periods import parse_ident
from syndication.validate.report import Problem, source_line

FH = "http://purl.org/syndication/history/1.0"
ATOM = "http://www.w3.org/2005/Atom"
SINGLE = "archive-prev-single"
CURRENT = "archive-current"
MARKED = "archive-marked"
LINK = "archive-link"
_ARCHIVE_KEY = re.compile(r"archive/([^/]+)/([^/]+)")
_LINKS = {
    "rss": etree.XPath("/rss/channel/atom:link", namespaces={"atom": ATOM}),
    "atom": etree.XPath("/atom:feed/atom:link", namespaces={"atom": ATOM}),
}
_MARKERS = {
    "rss": etree.XPath("/rss/channel/fh:archive", namespaces={"fh": FH}),
    "atom": etree.XPath("/atom:feed/fh:archive", namespaces={"fh": FH, "atom": ATOM}),
}


def history_problems(
    root: etree._Element,
    fmt: str,
    name: str,
    *,
    key: str | None = None,
    base_url: str = "",
) -> list[Problem]:
    """The archive rules' problems of an RSS or Atom document; ``key`` is its
    key in the feed's folder when it is one of ours (then the rules on its
    place apply too), ``base_url`` the feed's public address ending with
    ``/`` ('' when its links are relative)."""
    if fmt not in _LINKS:
        return []
    links = _elements(_LINKS[fmt](root))
    markers = _elements(_MARKERS[fmt](root))
    prev = [link for link in links if link.get("rel") == "prev-archive"]
    current = [link for link in links if link.get("rel") == "current"]
    problems: list[Problem] = []
    if len(prev) > 1:
        problems.append(
            Problem(
                name,
                source_line(prev[1]),
                SINGLE,
                f"{len(prev)} prev-archive links; a feed document has at most one.",
            )
        )
    if markers and len(current) != 1:
        problems.append(
            Problem(
                name,
                source_line(markers[0]),
                CURRENT,
                "An archive document (fh:archive) links current to its feed "
                f"document exactly once; found {len(current)}.",
            )
        )
    if key is None:
        return problems
    own = _ARCHIVE_KEY.fullmatch(key)
    if own and not markers:
        problems.append(
            Problem(name, None, MARKED, "An archive document must carry fh:archive.")
        )
    if not own and markers:
        problems.append(
            Problem(
                name,
                source_line(markers[0]),
                MARKED,
                "A feed's subscription document must not carry fh:archive (a "
                "reader would take it for an archive and stop polling it).",
            )
        )
    file_name = posixpath.basename(key)
    for link in current:
        target = _target(link.get("href") or "", key, base_url)
        if target != file_name:
            problems.append(_link_problem(name, link, f"the feed's {file_name}"))
    for link in prev:
        target = _target(link.get("href") or "", key, base_url)
        found = _ARCHIVE_KEY.fullmatch(target or "")
        period = parse_ident(found.group(1)) if found else None
        earlier = own is None or (found is not None and found.group(1) < own.group(1))
        if (
            found is None
            or period is None
            or found.group(2) != file_name
            or not earlier
        ):
            problems.append(
                _link_problem(
                    name, link, f"an earlier period's archive/<period>/{file_name}"
                )
            )
    return problems


def _target(href: str, key: str, base_url: str) -> str | None:
    """Where ``href`` in the document at ``key`` leads, as a key in the feed's
    folder; None when it leads outside it (or is absolute without a public
    address to be under)."""
    href = href.strip()
    if base_url and href.startswith(base_url):
        relative = href[len(base_url) :]
        return relative if _inside(relative) else None
    if "://" in href or href.startswith(("/", "?", "#")) or ":" in href.split("/")[0]:
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(key), href))
    return resolved if _inside(resolved) else None


def _inside(path: str) -> bool:
    return (
        bool(path)
        and path != "."
        and not path.startswith(("../", "/"))
        and (path != "..")
    )


def _link_problem(name: str, link: etree._Element, wanted: str) -> Problem:
    rel = link.get("rel")
    href = " ".join((link.get("href") or "").split())
    return Problem(
        name,
        source_line(link),
        LINK,
        f'The {rel} link "{href}" does not lead to {wanted} inside the feed\'s '
        "own folder.",
    )


def _elements(found: object) -> list[etree._Element]:
    if not isinstance(found, list):
        return []
    return [node for node in found if isinstance(node, etree._Element)]
