"""syndication validate on another publisher's feeds carrying the vectors of
tests/data/xss/vectors.json as they were written, in every field a reader takes
for HTML and in every link: each document is refused (exit 4) with a safety
rule; the same documents with harmless text, and links that are http(s) (or
relative, except the feed, item and self links a reader follows, which must be
absolute), pass (exit 0)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from syndication.cli import cli

BROKEN = REPO / "tests" / "data" / "broken"
CORPUS = json.loads((REPO / "tests/data/xss/vectors.json").read_text("utf-8"))
HTML_VECTORS = [v["vector"] for v in CORPUS["html"]]
REFUSED_LINKS = [v["vector"] for v in CORPUS["url"] if v["refused"]]
ALLOWED_LINKS = [v["vector"] for v in CORPUS["url"] if not v["refused"]]
SAFETY_RULES = {"no-script", "no-active-element", "no-event-handler", "url-scheme"}
RSS = (BROKEN / "rss-valid.xml").read_text("utf-8")
ATOM = (BROKEN / "atom-valid.xml").read_text("utf-8")
# The first paragraph of the body, as both documents escape it.
BODY = "&lt;p&gt;Body.&lt;/p&gt;"
ATOM_TITLE = "<title>Floods displace thousands</title>"
MEDIA = (
    '<media:content url="https://wire.example/a.jpg" medium="image">{}</media:content>'
)


def xml(text: str) -> str:
    """The vector as another publisher writes it into an XML element: its HTML
    source, escaped once for XML (tabs and newlines kept as they are)."""
    return html.escape(text, quote=False)


def attribute(url: str) -> str:
    """A URL as an XML attribute value that the parser gives back as it is (a
    tab or newline written plainly would become a space)."""
    escaped = html.escape(url)
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def href(url: str) -> str:
    """A link in HTML as another publisher writes it: the URL in an href as it
    is (a character reference in it is the point: the HTML parser decodes it)."""
    quoted = url.replace('"', "&quot;")
    return f'<p><a href="{quoted}">Body</a>.</p>'


def rss_item(extra: str) -> str:
    return RSS.replace("      <guid ", f"      {extra}\n      <guid ", 1)


# Where another publisher's HTML goes: each takes the HTML source.
HTML_PLACES: dict[str, Callable[[str], str]] = {
    "rss item title": lambda v: RSS.replace(
        "<title>Floods displace thousands</title>", f"<title>{xml(v)}</title>"
    ),
    "rss channel title": lambda v: RSS.replace(
        "<title>Test feed</title>", f"<title>{xml(v)}</title>"
    ),
    "rss item description": lambda v: rss_item(f"<description>{xml(v)}</description>"),
    "rss content:encoded": lambda v: RSS.replace(BODY, xml(v), 1),
    "rss media:description html": lambda v: rss_item(
        MEDIA.format(f'<media:description type="html">{xml(v)}</media:description>')
    ),
    "atom content html": lambda v: ATOM.replace(BODY, xml(v), 1),
    "atom summary html": lambda v: ATOM.replace(
        ATOM_TITLE, f'{ATOM_TITLE}\n    <summary type="html">{xml(v)}</summary>', 1
    ),
    "atom title html": lambda v: ATOM.replace(
        ATOM_TITLE, f'<title type="html">{xml(v)}</title>', 1
    ),
}
# The links a reader follows to the feed and its stories.
READER_LINKS = {"rss item link", "rss channel link", "atom entry link"}
# Where another publisher's links go: each takes the URL itself.
LINK_PLACES: dict[str, Callable[[str], str]] = {
    "rss item link": lambda u: RSS.replace(
        "https://wire.example/item/1", html.escape(u), 1
    ),
    "rss channel link": lambda u: RSS.replace(
        "https://partner.example/", html.escape(u), 1
    ),
    "rss enclosure": lambda u: rss_item(
        f'<enclosure url="{attribute(u)}" type="image/jpeg" length="1"/>'
    ),
    "rss media:content": lambda u: rss_item(
        f'<media:content url="{attribute(u)}" medium="image"/>'
    ),
    "rss a href in the body": lambda u: RSS.replace(BODY, xml(href(u)), 1),
    "atom entry link": lambda u: ATOM.replace(
        ATOM_TITLE, f'{ATOM_TITLE}\n    <link href="{attribute(u)}"/>', 1
    ),
    "atom a href in the content": lambda u: ATOM.replace(BODY, xml(href(u)), 1),
}


def validate(config: Path, folder: Path, documents: list[str]) -> tuple[int, dict]:
    folder.mkdir()
    paths = []
    for n, text in enumerate(documents):
        path = folder / f"{n:03d}.xml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    result = CliRunner().invoke(
        cli, ["--config", str(config), "validate", "--json", *paths]
    )
    return result.exit_code, json.loads(result.stdout)


def refused(report: dict) -> dict[str, set[str]]:
    rules: dict[str, set[str]] = {}
    for problem in report["problems"]:
        rules.setdefault(Path(problem["document"]).name, set()).add(problem["rule"])
    return rules


@pytest.mark.parametrize("place", sorted(HTML_PLACES))
def test_every_vector_in_an_html_field_is_refused(
    config_file: Path, tmp_path: Path, place: str
) -> None:
    documents = [HTML_PLACES[place](v) for v in HTML_VECTORS]
    exit_code, report = validate(config_file, tmp_path / "hostile", documents)
    assert exit_code == 4
    found = refused(report)
    missed = [
        HTML_VECTORS[n]
        for n in range(len(documents))
        if not found.get(f"{n:03d}.xml", set()) & SAFETY_RULES
    ]
    assert missed == []
    # Refused for what the vector is (a vector that swallows the rest of a
    # body also hides its credit paragraph).
    assert set().union(*found.values()) <= SAFETY_RULES | {"credit-paragraph"}
    # The same field with words and harmless markup is valid.
    harmless = [HTML_PLACES[place]("Floods & <em>rain</em> displace thousands")]
    exit_code, report = validate(config_file, tmp_path / "harmless", harmless)
    assert (exit_code, report["problems"]) == (0, [])


@pytest.mark.parametrize("place", sorted(LINK_PLACES))
def test_every_link_of_another_scheme_is_refused(
    config_file: Path, tmp_path: Path, place: str
) -> None:
    # A link in a body may also write an e-mail (the body allow-list's schemes).
    in_body = place.endswith(("the body", "the content"))
    hostile = [u for u in REFUSED_LINKS if not (in_body and u.startswith("mailto:"))]
    documents = [LINK_PLACES[place](u) for u in hostile]
    exit_code, report = validate(config_file, tmp_path / "hostile", documents)
    assert exit_code == 4
    found = refused(report)
    missed = [hostile[n] for n in range(len(documents)) if f"{n:03d}.xml" not in found]
    assert missed == []
    assert set().union(*found.values()) == {"url-scheme"}
    # Relative and http(s) links, odd characters and all, are links; but a
    # reader follows the feed and item links as they are: absolute only.
    links = ALLOWED_LINKS + [u for u in REFUSED_LINKS if u not in hostile]
    if place in READER_LINKS:
        relative = [u for u in links if not u.startswith(("http:", "https:"))]
        assert relative
        documents = [LINK_PLACES[place](u) for u in relative]
        exit_code, report = validate(config_file, tmp_path / "relative", documents)
        assert exit_code == 4
        found = refused(report)
        assert len(found) == len(relative)
        assert set().union(*found.values()) == {"absolute-link"}
        links = [u for u in links if u not in relative]
    allowed = [LINK_PLACES[place](u) for u in links]
    exit_code, report = validate(config_file, tmp_path / "allowed", allowed)
    assert (exit_code, report["problems"]) == (0, [])


def test_a_refusal_names_the_field_and_what_a_reader_would_run(
    config_file: Path, tmp_path: Path
) -> None:
    documents = [
        HTML_PLACES["rss item title"]("<svg><style><img src=x onerror=alert(1)>"),
        LINK_PLACES["rss item link"]("java\tscript:alert(1)"),
        HTML_PLACES["atom summary html"](
            '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'
        ),
    ]
    exit_code, report = validate(config_file, tmp_path / "named", documents)
    assert exit_code == 4
    assert [
        (Path(p["document"]).name, p["line"], p["rule"], p["message"])
        for p in report["problems"]
    ] == [
        ("000.xml", 9, "no-active-element", "The title contains an svg element."),
        (
            "000.xml",
            9,
            "no-event-handler",
            "The title contains an event-handler attribute (onerror on img).",
        ),
        (
            "001.xml",
            10,
            "url-scheme",
            "The link is a javascript: URL; links must be http or https.",
        ),
        (
            "002.xml",
            11,
            "no-active-element",
            "The summary contains a noscript element.",
        ),
        (
            "002.xml",
            11,
            "no-event-handler",
            "The summary contains an event-handler attribute (onerror on img).",
        ),
    ]
