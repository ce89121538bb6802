"""Body sanitising for ingest: HTML through nh3's allow-list, plain text to ``<p>``.

Story bodies become a short list of block and inline elements (see
:data:`ALLOWED_TAGS`). Scripts, styles, iframes and other active content are
dropped with their content, event-handler and style attributes are dropped, and
only http, https and mailto links survive. What was removed is returned so the
caller can report it; control characters are stripped from every text field.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from selectolax.lexbor import LexborHTMLParser

ALLOWED_TAGS = frozenset(
    {
        "p",
        "a",
        "em",
        "strong",
        "b",
        "i",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "br",
        "q",
        "cite",
    }
)
ALLOWED_ATTRIBUTES = {"a": frozenset({"href"})}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "noscript",
        "template",
        "object",
        "embed",
        "svg",
        "math",
    }
)

# Deeper than this a body cannot be published: libxml2 refuses a document
# nested past 256 levels (NewsML-G2 wraps a body in about ten), and the rules'
# HTML parser loses the end of a body nested some 300 deep.
MAX_BODY_DEPTH = 100
# The HTML parser's time grows with the square of the number of elements left
# open (40,000 nested <div> take 8 s, a 5 MB file of them half an hour): a
# fragment that opens more than this many inside one another is refused unparsed.
MAX_OPEN_ELEMENTS = 1000
# Elements that hold nothing, and those whose end tag HTML lets the next one
# imply (an unclosed <p> before a <p> nests nothing).
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
    | {"param", "source", "track", "wbr"}
)
_IMPLIED_END = frozenset(
    {"p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead"}
    | {"tbody", "tfoot", "caption", "colgroup", "rb", "rt", "rp", "rtc"}
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
# C0 and C1 control characters except tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class SanitizedBody:
    """A sanitised body and what the sanitiser took out of it.

    ``removed`` holds human-readable items such as ``"<script> x1"`` or
    ``"onclick attribute on <a> x2"``, empty when nothing was removed.
    """

    html: str
    removed: tuple[str, ...] = ()


def sanitize_html(fragment: str) -> SanitizedBody:
    """Clean an HTML fragment down to :data:`ALLOWED_TAGS` (never raises)."""
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    ).strip()
    if cleaned == fragment.strip():
        # nh3 kept every element and attribute (the usual case): nothing to
        # report, and no need to parse the fragment twice to find out.
        return SanitizedBody(cleaned)
    before, after = _inventory(fragment), _inventory(cleaned)
    removed = before - after
    # Attributes of an element that was removed altogether go without saying.
    reported = [
        (item, n) for item, n in removed.items() if not item[1] or after[(item[0], "")]
    ]
    return SanitizedBody(
        cleaned, tuple(sorted(_describe(item, n) for item, n in reported))
    )


def open_elements(fragment: str) -> int:
    """How many elements ``fragment`` opens inside one another at most, by its
    tags alone (no parsing): end tags close, void elements and those whose end
    HTML implies are not counted. An estimate, cheap on any input, to refuse
    what would take the parser minutes (:data:`MAX_OPEN_ELEMENTS`)."""
    return _depth(fragment, _VOID | _IMPLIED_END)


def element_depth(html: str) -> int:
    """How deep a sanitised body's elements nest (its tags are balanced)."""
    return _depth(html, _VOID)


def _depth(html: str, uncounted: frozenset[str]) -> int:
    depth = deepest = 0
    for tag in _TAG.finditer(html):
        if tag[2].lower() in uncounted:
            continue
        if tag[1]:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def paragraphs_to_html(paragraphs: Sequence[str]) -> str:
    """Plain-text paragraphs as escaped ``<p>`` elements, one per line."""
    return "\n".join(
        f"<p>{html.escape(' '.join(p.split()), quote=False)}</p>"
        for p in paragraphs
        if p.strip()
    )


def split_paragraphs(text: str) -> list[str]:
    """Plain text → paragraphs: blank lines separate them, line breaks inside one
    paragraph are joined with a space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [
        " ".join(block.split()) for block in _BLANK_LINES.split(text) if block.strip()
    ]


def looks_like_html(text: str) -> bool:
    """True when ``text`` has markup: a tag, an end tag or a comment."""
    return re.search(r"<(?:[A-Za-z!/?])", text) is not None


def strip_control_characters(text: str) -> tuple[str, int]:
    """Remove control characters (not tab or newlines); returns the text and how
    many were removed."""
    cleaned, count = CONTROL_CHARACTERS.subn("", text)
    return cleaned, count


def body_text(body: str) -> list[str]:
    """A sanitised body's paragraphs as plain text (for terminals and search)."""
    parser = _Text()
    parser.feed(body)
    parser.close()
    return [p for p in (" ".join(c.split()) for c in parser.paragraphs) if p]


def _describe(item: tuple[str, str], count: int) -> str:
    tag, attribute = item
    if attribute == "href":
        return f"href on <{tag}> with a URL scheme that is not allowed x{count}"
    if attribute:
        return f"{attribute} attribute on <{tag}> x{count}"
    return f"<{tag}> x{count}"


def _inventory(fragment: str) -> Counter[tuple[str, str]]:
    """Count elements and (element, attribute) pairs in an HTML fragment, as
    a browser parses it (Lexbor, in time linear in the input: Python's
    html.parser takes quadratic time on unclosed attribute quotes, 26 minutes
    for a hostile 2.6 MB body)."""
    found: Counter[tuple[str, str]] = Counter()
    root = LexborHTMLParser(fragment, is_fragment=True).root
    if root is None:
        return found
    for node in root.traverse():
        tag = node.tag
        if not tag or tag.startswith(("-", "_", "!")):
            continue  # text, comment or doctype
        found[(tag, "")] += 1
        for name in node.attributes:
            found[(tag, name)] += 1
    return found


class _Text(HTMLParser):
    _BLOCKS = frozenset({"p", "blockquote", "li", "h2", "h3", "h4", "ul", "ol", "br"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = [""]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.paragraphs.append("")

    def handle_data(self, data: str) -> None:
        self.paragraphs[-1] += data
