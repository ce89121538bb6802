"""The safety rules judge HTML as browsers parse it (Lexbor, the WHATWG
algorithm, scripting on), in every field of every format: what a reader would
run is refused, text that merely mentions markup is not."""

from __future__ import annotations

import pytest
from conftest import REPO

from syndication.validate import active
from syndication.validate.gate import check_file

BROKEN = REPO / "tests" / "data" / "broken"
RSS = (BROKEN / "rss-valid.xml").read_text("utf-8")
ATOM = (BROKEN / "atom-valid.xml").read_text("utf-8")
NEWSML = (BROKEN / "newsml-valid.xml").read_text("utf-8")


def rules(html: str) -> set[str]:
    return {rule for rule, _ in active.html_findings(html)}


def document_rules(text: str) -> set[str]:
    return {p.rule for p in check_file(text.encode(), name="d.xml").problems}


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Inserted into a page, <body> and <frameset> are ignored, but the img
        # after a frameset lives; shown as a page, the body's handler runs.
        (
            "<frameset><img src=x onerror=alert(1)>",
            {"no-active-element", "no-event-handler"},
        ),
        ("<body onload=alert(1)>", {"no-event-handler"}),
        ("<html onmouseover=alert(1)>", {"no-event-handler"}),
        # Scripting on: noscript is raw text, so the img after it is live.
        (
            '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
            {"no-active-element", "no-event-handler"},
        ),
        (
            "<svg><style><img src=x onerror=alert(1)>",
            {"no-active-element", "no-event-handler"},
        ),
        ("<math><mi>x</mi></math>", {"no-active-element"}),
        ("<template><img src=x onerror=alert(1)></template>", {"no-active-element"}),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', {"url-scheme"}),
        ('<a href=" &#14; JAVASCRIPT:alert(1)">x</a>', {"url-scheme"}),
        (
            '<img srcset="https://ok.example/a.jpg 1x, data:image/png,x 2x">',
            {"url-scheme"},
        ),
        (
            "<div style=\"background:url('java\\73 cript:alert(1)')\">x</div>",
            {"no-script"},
        ),
        (
            '<meta http-equiv="refresh" content="0;url=https://x.example/">',
            {"no-active-element"},
        ),
        ("<link rel=stylesheet href=https://x.example/x.css>", {"no-active-element"}),
        ("<!--><img src=x onerror=alert(1)>-->", {"no-event-handler"}),
        # What a story may hold.
        ('<p>A <a href="https://ok.example/?a=1&amp;b=2">link</a>.</p>', set()),
        (
            '<p><a href="mailto:desk@example.org">Write</a> <a href="/x">me</a></p>',
            set(),
        ),
        ('<p><a href="//ok.example/">protocol-relative</a></p>', set()),
        (
            '<p style="color: red; background: url(https://ok.example/a.png)">x</p>',
            set(),
        ),
        ("<p>How a &lt;script&gt; tag in an ad leaked data</p>", set()),
        (
            '<meta charset="utf-8"><link rel="canonical" href="https://ok.example/">',
            set(),
        ),
        ("<title><img src=x onerror=alert(1)></title>", set()),  # RCDATA: text
        ("<img src=https://ok.example/a.jpg alt='<script>'>", set()),
    ],
)
def test_html_is_judged_as_a_browser_parses_it(html: str, expected: set[str]) -> None:
    assert rules(html) == expected


def test_text_without_a_tag_is_not_parsed() -> None:
    active._VERDICTS.clear()
    assert active.html_findings("How a &lt;script&gt; tag &amp; more") == ()
    assert active._VERDICTS == {}
    first = active.html_findings("<script>x()</script>")
    assert active.html_findings("<script>x()</script>") is first


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("javascript:alert(1)", "javascript"),
        (" \x0b\tJaVaScRiPt:alert(1)", "javascript"),
        ("java\tscr\nipt:alert(1)", "javascript"),
        ("data:text/html,x", "data"),
        ("https://ok.example/", "https"),
        ("//ok.example/x", ""),
        ("/path:with:colons", ""),
        ("java script:alert(1)", ""),  # a space: no scheme, a relative path
    ],
)
def test_url_schemes_are_read_as_browsers_read_them(url: str, scheme: str) -> None:
    assert active.url_scheme(url) == scheme


def test_plain_text_fields_may_mention_markup() -> None:
    script = "How a &lt;script&gt; tag in an ad leaked data"
    # Atom text constructs are text; NewsML-G2 text elements are text; Dublin
    # Core and Media RSS credits are text.
    assert check_file(
        ATOM.replace(
            "<title>Floods displace thousands</title>", f"<title>{script}</title>"
        ).encode()
    ).ok
    assert check_file(NEWSML.replace("Floods displace thousands", script).encode()).ok
    assert check_file(
        RSS.replace(
            "<dc:rights>", f"<dc:creator>{script}</dc:creator>\n      <dc:rights>"
        ).encode()
    ).ok
    # The same words as an html text construct are markup.
    typed = ATOM.replace(
        "<title>Floods displace thousands</title>",
        f'<title type="html">{script}</title>',
    )
    assert document_rules(typed) == {"no-script"}


def test_xml_markup_is_judged_as_a_tree_and_as_a_reader_reparses_it() -> None:
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml">{}'
        '<p class="credit">Credit: Example Wire</p></div>'
    )

    def atom_xhtml(inner: str) -> str:
        content = f'<content type="xhtml">{div.format(inner)}</content>'
        start = ATOM.index('<content type="html">')
        end = ATOM.index("</content>") + len("</content>")
        return ATOM[:start] + content + ATOM[end:]

    assert check_file(atom_xhtml("<p>Fine &amp; <em>dandy</em>.</p>").encode()).ok
    # A processing instruction is a bogus comment to HTML, ended by its first
    # '>': the img after it comes alive when a reader inserts the markup.
    trick = "<p><?x ><img src=x onerror=alert(1)>?></p>"
    assert document_rules(atom_xhtml(trick)) == {"no-event-handler"}
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><a xmlns:l="http://www.w3.org/'
        '1999/xlink" l:href="javascript:alert(1)"/></svg>'
    )
    assert document_rules(atom_xhtml(svg)) == {"no-active-element", "url-scheme"}
    # No namespace inside xhtml content: a reader still inserts it as HTML.
    bare = '<p xmlns=""><img src="x" onerror="alert(1)"/></p>'
    assert document_rules(atom_xhtml(bare)) == {"no-event-handler"}
    # NewsML-G2 inlineXML.
    body = "<p>Body.</p>"
    assert body in NEWSML
    script = '<p>Body.</p><script type="text/javascript">x()</script>'
    assert document_rules(NEWSML.replace(body, script)) == {"no-script"}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "<link>https://partner.example/</link>",
            "<link>mailto:desk@example.org</link>",
        ),
        (
            '<guid isPermaLink="false">urn:x:1</guid>',
            '<guid isPermaLink="true">javascript:alert(1)</guid>',
        ),
        (
            "<title>Test feed</title>",
            "<title>Test feed</title>\n    <image><url>data:image/png,x</url>"
            "<title>t</title><link>https://partner.example/</link></image>",
        ),
    ],
)
def test_links_of_another_scheme_are_refused_wherever_they_are(
    before: str, after: str
) -> None:
    assert before in RSS
    assert document_rules(RSS.replace(before, after, 1)) == {"url-scheme"}


def test_an_atom_base_of_another_scheme_is_refused() -> None:
    entry = ATOM.replace("<entry>", '<entry xml:base="javascript:alert(1)//">', 1)
    assert document_rules(entry) == {"url-scheme"}


def test_an_identifier_guid_is_not_a_link() -> None:
    guid = '<guid isPermaLink="false">urn:x:1</guid>'
    assert check_file(
        RSS.replace(guid, "<guid>tag:example.org,2026:1</guid>").encode()
    ).ok
