"""An independent judge of HTML for the tests: html5lib (pure Python, the WHATWG
algorithm) parses a field as a browser would, and a short list says what a reader
would run. The gate uses another parser (Lexbor) and its own lists, so a test
that both agree on is a test of each against the other.

Also: what a person sees of an HTML field (its text), and of a feedparser detail.
"""

from __future__ import annotations

import re
from typing import Any

import html5lib
from lxml import etree

HTML = "http://www.w3.org/1999/xhtml"
SVG = "http://www.w3.org/2000/svg"
MATHML = "http://www.w3.org/1998/Math/MathML"
XLINK = "http://www.w3.org/1999/xlink"
ACTIVE = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed",
        "applet", "base", "form", "meta", "link", "noscript", "template", "xmp",
        "noembed", "noframes", "plaintext", "portal",
    }
)  # fmt: skip
URLS = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "srcset"}
)
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def scheme_of(url: str) -> str:
    """The scheme a browser reads (controls and spaces around, tabs and newlines
    inside are ignored)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    match = _SCHEME.match(url.lower())
    return match.group(1) if match else ""


def _judge_tree(root: Any) -> list[str]:
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, _, tag = element.tag.rpartition("}")
        namespace = namespace.lstrip("{")
        tag = tag.lower()
        if namespace in (SVG, MATHML):
            found.append(f"foreign {tag}")
        elif tag in ACTIVE:
            found.append(tag)
        for name, value in element.attrib.items():
            attribute = name.rpartition("}")[2].lower()
            if attribute.startswith("on"):
                found.append(f"{attribute} on {tag}")
            if attribute == "srcdoc":
                found.append(f"srcdoc on {tag}")
            css = re.sub(r"/\*.*?\*/", "", value, flags=re.S)
            if attribute == "style" and re.search(
                r"expression|javascript:|url\(|behavior", css, re.I
            ):
                found.append(f"style on {tag}")
            if attribute in URLS or name == f"{{{XLINK}}}href":
                urls = value.split(",") if attribute == "srcset" else [value]
                for url in urls:
                    scheme = scheme_of(url.strip().split(" ")[0] if url.strip() else "")
                    if scheme not in ("", "http", "https", "mailto"):
                        found.append(f"{scheme}: in {attribute} on {tag}")
    return found


def active_in_html(source: str) -> list[str]:
    """What a reader would run in ``source`` read as HTML: inserted into a page
    (a fragment in a div) or shown as a document of its own."""
    fragment = html5lib.parseFragment(source, container="div", treebuilder="etree")
    document = html5lib.parse(source, treebuilder="etree")
    return _judge_tree(fragment) + _judge_tree(document)


def active_in_markup(element: etree._Element) -> list[str]:
    """What a reader would run in XML markup: the tree as it is and its
    serialisation read as HTML."""
    return _judge_tree(element) + active_in_html(
        etree.tostring(element, encoding="unicode", with_tail=False)
    )


def html_text(source: str) -> str:
    """The words a browser shows for an HTML field (whitespace collapsed)."""
    fragment = html5lib.parseFragment(source, container="div", treebuilder="etree")
    return " ".join("".join(fragment.itertext()).split())


def shown(detail: Any) -> str:
    """What a reader shows of a feedparser text detail: HTML as its text, plain
    text as it is (whitespace collapsed)."""
    if detail.type in ("text/html", "application/xhtml+xml"):
        return html_text(detail.value)
    return " ".join(detail.value.split())
