"""A story's body as ingest stores it, whatever the input format: HTML
cleaned down to the allow-list (sanitize.py), or plain text as paragraphs.

A body that would take the HTML parser minutes (elements opened inside one
another by the thousand) is refused before it is parsed, one nested deeper than
every format can publish after it, and so is one with no text left. A body
given as a whole HTML document is read for what its ``<body>`` holds, and
figures can be taken out (their pictures come apart, as ninjs associations).
"""

from __future__ import annotations

import logging
import re

from syndication.articles.sanitize import (
    MAX_BODY_DEPTH,
    MAX_OPEN_ELEMENTS,
    element_depth,
    looks_like_html,
    open_elements,
    paragraphs_to_html,
    sanitize_html,
    split_paragraphs,
)
from syndication.errors import InputError

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]*>")
_BODY_OPEN = re.compile(r"<body\b", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_FIGURE_OPEN = re.compile(r"<figure\b", re.IGNORECASE)
_FIGURE_CLOSE = re.compile(r"</figure\s*>", re.IGNORECASE)


def clean_body(
    body: str,
    path: str,
    *,
    field: str = "body",
    line: int | None = None,
    is_html: bool | None = None,
) -> str:
    """``body`` as the sanitised HTML a story stores: HTML, or text without
    markup made paragraphs (unless ``is_html`` says it is HTML all the same);
    what the sanitiser removed is logged as a warning. Raises
    :class:`InputError` (naming ``field`` and ``line``) for a body nested too
    deep or with no text left."""
    if not (looks_like_html(body) if is_html is None else is_html):
        return paragraphs_to_html(split_paragraphs(body))
    # A fragment of fewer tags cannot open more elements or nest deeper, and
    # counting is cheaper than walking the tags.
    if body.count("<") > MAX_OPEN_ELEMENTS:
        opened = open_elements(body)
        if opened > MAX_OPEN_ELEMENTS:  # the parser would take minutes
            raise _too_deep(opened, path, field, line)
    sanitized = sanitize_html(body)
    if sanitized.html.count("<") > MAX_BODY_DEPTH:
        depth = element_depth(sanitized.html)
        if depth > MAX_BODY_DEPTH:
            raise _too_deep(depth, path, field, line)
    if sanitized.removed:
        log.warning(
            "%s: the sanitiser removed from the body: %s",
            path,
            ", ".join(sanitized.removed),
        )
    if not has_text(sanitized.html):
        raise InputError(
            "the body has no text left after sanitising",
            path=path,
            field=field,
            line=line,
        )
    return sanitized.html


def has_text(html: str) -> bool:
    """Whether an HTML fragment has any text outside its tags."""
    return bool(_TAG.sub("", html).strip())


def _too_deep(depth: int, path: str, field: str, line: int | None) -> InputError:
    return InputError(
        f"the body nests elements {depth} deep; at most {MAX_BODY_DEPTH} can be "
        "published in every format",
        path=path,
        field=field,
        line=line,
    )


def inside_body(value: str) -> str:
    """What the ``<body>`` of a whole HTML document holds; ``value`` itself
    when it has none. (Found tag by tag: one regular expression for the whole
    would take the square of a hostile body's length.)"""
    opened = _BODY_OPEN.search(value)
    start = value.find(">", opened.end()) + 1 if opened else 0
    if not start:
        return value
    closed = _BODY_CLOSE.search(value, start)
    return value[start : closed.start() if closed else len(value)]


def without_figures(value: str) -> tuple[str, int]:
    """``value`` without its ``<figure>…</figure>`` elements, and how many
    went (in one pass, as :func:`inside_body`)."""
    kept: list[str] = []
    position = removed = 0
    while opened := _FIGURE_OPEN.search(value, position):
        closed = _FIGURE_CLOSE.search(value, opened.end())
        if closed is None:
            break
        kept.append(value[position : opened.start()])
        position, removed = closed.end(), removed + 1
    kept.append(value[position:])
    return "".join(kept), removed
