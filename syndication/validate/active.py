"""Active content: what a feed reader would run if it showed a field, judged the
way browsers parse HTML.

HTML is parsed by Lexbor (selectolax), an implementation of the WHATWG HTML
parsing algorithm, with scripting on as in a browser, twice: as a fragment
inside a ``div`` (a reader inserting the field into its page) and as a document
of its own (a reader showing it in a frame). Markup that comes alive in only
one of the two (``<frameset><img onerror>``, ``<body onload>``) is found either
way. Foreign content (``svg``, ``math``), raw-text and template elements are
refused outright: they are where parsers and sanitisers disagree (mutation XSS,
``<svg><style><img onerror>``), and no story needs them.

XML markup (Atom ``xhtml``, NewsML-G2 ``inlineXML``, an ``xhtml:body`` in RSS)
is walked as it is, namespaces included, and its XML serialisation is judged as
HTML too, as a reader that inserts it into a page would parse it (a processing
instruction is a bogus comment there, ending at its first ``>``).

A verdict is a tuple of findings ``(rule, what)``, remembered by the text's
SHA-256: the same body recurs in every feed and format that carries the story.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterable, Iterator

from cachetools import LRUCache, cached
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

# Rule ids, as reported to operators.
SCRIPT = "no-script"
ELEMENT = "no-active-element"
HANDLER = "no-event-handler"
SCHEME = "url-scheme"

Finding = tuple[str, str]

SVG = "http://www.w3.org/2000/svg"
MATHML = "http://www.w3.org/1998/Math/MathML"
XHTML = "http://www.w3.org/1999/xhtml"
# Elements that run, load or frame something, change how the page is read
# (base, meta refresh, forms), or hold raw text or foreign content that parses
# differently in another context (the mutation-XSS families).
ACTIVE_ELEMENTS = frozenset(
    {
        "iframe", "frame", "frameset", "object", "embed", "applet", "portal",
        "style", "base", "form", "noscript", "template", "xmp", "noembed",
        "noframes", "plaintext", "svg", "math",
    }
)  # fmt: skip
_ACTIVE_LINKS = frozenset(
    {"stylesheet", "import", "preload", "modulepreload", "prefetch", "prerender"}
)
# Attributes a browser follows or loads (not cite or longdesc, which it never
# fetches); each holds one URL, or several (srcset, ping).
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "data", "poster", "background",
        "lowsrc", "dynsrc", "codebase", "manifest", "icon", "srcset",
        "imagesrcset", "ping", "xlink:href",
    }
)  # fmt: skip
WEB_SCHEMES = frozenset({"http", "https"})
# A link a person follows may also write an e-mail (the body allow-list's
# schemes, syndication/articles/sanitize.py).
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
VERDICT_CACHE_SIZE = 100_000
# SHA-256 of the text (of "xml\0" and the serialisation, for markup) → verdict.
_VERDICTS: LRUCache[bytes, tuple[Finding, ...]] = LRUCache(VERDICT_CACHE_SIZE)
_VERDICTS_LOCK = threading.Lock()

# WHATWG URL parsing: leading and trailing C0 controls and spaces are removed,
# and tabs and newlines anywhere, before the scheme is read.
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_CSS_SCRIPT = ("expression(", "javascript:", "vbscript:", "-moz-binding", "behavior:")


def url_scheme(value: str) -> str:
    """The scheme a browser reads in ``value`` (lower case), '' for a relative
    reference."""
    value = _TAB_OR_NEWLINE.sub("", value.strip(_C0_AND_SPACE))
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else ""


def html_findings(source: str) -> tuple[Finding, ...]:
    """Active content in ``source`` read as HTML; empty when there is none.
    Text without ``<`` holds no element or attribute at all, so it is not parsed
    (an escaped one-line field costs nothing)."""
    if "<" not in source:
        return ()
    return _html_verdict(source)


def markup_findings(element: etree._Element) -> tuple[Finding, ...]:
    """Active content in an element of XML markup (and everything in it): the
    tree as it is, and its serialisation read as HTML."""
    serialized = etree.tostring(element, encoding="unicode", with_tail=False)
    return _markup_verdict(serialized, element)


def _html_key(source: str) -> bytes:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest()


def _markup_key(serialized: str, _element: etree._Element) -> bytes:
    return _html_key("xml\0" + serialized)


@cached(_VERDICTS, key=_html_key, lock=_VERDICTS_LOCK)
def _html_verdict(source: str) -> tuple[Finding, ...]:
    return tuple(_merge(_parsed_findings(source)))


@cached(_VERDICTS, key=_markup_key, lock=_VERDICTS_LOCK)
def _markup_verdict(serialized: str, element: etree._Element) -> tuple[Finding, ...]:
    return tuple(_merge([*_tree_findings(element), *_parsed_findings(serialized)]))


def tree_findings(element: etree._Element) -> tuple[Finding, ...]:
    """Active content in a tree as it is, without serializing it: for a tree a
    browser builds its page from directly (an XSLT result), not from text."""
    return tuple(_merge(_tree_findings(element)))


def element_findings(
    tag: str, attributes: Iterable[tuple[str, str]]
) -> Iterator[Finding]:
    """What is active about one element (``tag`` a local name; attributes as
    (name, value), names as written, ``xlink:href`` with its prefix)."""
    tag = tag.lower()
    pairs = [(name.lower(), value) for name, value in attributes]
    if tag == "script":
        yield SCRIPT, "a script element"
    elif tag in ACTIVE_ELEMENTS:
        yield ELEMENT, f"{_article(tag)} {tag} element"
    elif tag == "meta" and any(name == "http-equiv" for name, _ in pairs):
        yield ELEMENT, "a meta http-equiv element (refresh or other directives)"
    elif tag == "link" and _ACTIVE_LINKS & {
        rel.lower() for name, value in pairs if name == "rel" for rel in value.split()
    }:
        yield ELEMENT, "a link element that loads a stylesheet or document"
    for name, value in pairs:
        if name.startswith("on"):
            yield HANDLER, f"an event-handler attribute ({name} on {tag})"
        elif name == "srcdoc":
            yield ELEMENT, f"an srcdoc attribute (a document inside {tag})"
        elif name == "style" and _style_runs_script(value):
            yield SCRIPT, f"a style attribute that runs script or loads a URL ({tag})"
        elif name in URL_ATTRIBUTES:
            allowed = LINK_SCHEMES if tag in ("a", "area") else WEB_SCHEMES
            for url in _urls(name, value):
                scheme = url_scheme(url)
                if scheme and scheme not in allowed:
                    yield SCHEME, f"a {scheme}: URL ({name} on {tag})"


def _parsed_findings(source: str) -> Iterator[Finding]:
    for is_fragment in (True, False):
        parsed = LexborHTMLParser(source, is_fragment=is_fragment, scripting=True)
        root = parsed.root
        if root is None:
            continue
        # On a fragment's root, traverse() covers every top-level node.
        for node in root.traverse():
            tag = node.tag
            if not tag or tag.startswith(("-", "_", "!")):
                continue  # text, comment or doctype
            yield from element_findings(
                tag, ((name, value or "") for name, value in node.attributes.items())
            )


def _tree_findings(element: etree._Element) -> Iterator[Finding]:
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue  # comments and processing instructions: see the HTML view
        namespace, _, local = node.tag.rpartition("}")
        if namespace in ("{" + SVG, "{" + MATHML):
            yield ELEMENT, f"{_article(local)} {local} element (foreign content)"
        yield from element_findings(
            local,
            ((_attribute_name(str(name)), str(value)) for name, value in node.items()),
        )


def _attribute_name(name: str) -> str:
    namespace, _, local = name.rpartition("}")
    return f"xlink:{local}" if namespace == "{http://www.w3.org/1999/xlink" else local


def _urls(name: str, value: str) -> list[str]:
    if name in ("srcset", "imagesrcset"):
        return [c.split()[0] for c in value.split(",") if c.strip()]
    if name == "ping":
        return value.split()
    return [value]


@functools.lru_cache(maxsize=4096)
def _style_runs_script(css: str) -> bool:
    """Remembered: a page repeats its few style attributes on every item."""
    text = _CSS_COMMENT.sub("", css)
    text = _CSS_ESCAPE.sub(_css_unescape, text)
    compact = "".join(text.split()).lower()
    if any(marker in compact for marker in _CSS_SCRIPT):
        return True
    return any(
        url_scheme(url) not in ("", *WEB_SCHEMES) for url in _CSS_URL.findall(text)
    )


def _css_unescape(match: re.Match[str]) -> str:
    code, char = match.groups()
    if code is None:
        return char
    number = int(code, 16)
    return chr(number) if 0 < number < 0x110000 else "\ufffd"


def _merge(findings: Iterable[Finding]) -> Iterator[Finding]:
    """The first finding of each rule (a problem per rule and field)."""
    seen: set[str] = set()
    for rule, what in findings:
        if rule not in seen:
            seen.add(rule)
            yield rule, what


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeio" or word in ("svg", "xmp") else "a"
