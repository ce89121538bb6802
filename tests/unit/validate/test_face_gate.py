"""The gate's rules for the browser face: the stylesheet (xsl-compiles,
xsl-escaping, xsl-self-contained), the instruction in a feed (stylesheet-link,
url-scheme), the page the stylesheet makes (browser-page and the HTML safety
rules), index.html (html-doctype, well-formed, format, safety) and feeds.opml
(opml-grammar, url-scheme, safety, no-doctype). Each rule is shown to refuse
and our own documents to pass."""

from __future__ import annotations

from lxml import etree

from syndication.render.base import Document
from syndication.render.stylesheet import stylesheet_bytes
from syndication.validate.checker import DEFAULT_SCHEMAS_DIR
from syndication.validate.gate import Gate
from syndication.validate.stylesheet import page_problems

GATE = Gate(DEFAULT_SCHEMAS_DIR)
XSL_OPEN = (
    b'<?xml version="1.0"?>\n'
    b'<xsl:stylesheet version="1.0" '
    b'xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n'
)
RSS = (
    "<?xml version='1.0' encoding='UTF-8'?>\n{instruction}"
    '<rss version="2.0"><channel><title>{title}</title>'
    "<link>https://example.org/</link><description>d</description>"
    "</channel></rss>\n"
)
PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
    "<title>Feeds</title></head><body>{body}</body></html>\n"
)
OPML = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<opml version="2.0"><head><title>Feeds</title>'
    "<dateCreated>Fri, 27 Nov 2026 13:00:00 +0000</dateCreated></head>"
    "<body>{outlines}</body></opml>\n"
)
OUTLINE = '<outline type="rss" text="{text}" xmlUrl="{url}" htmlUrl="{site}"/>'


def rules(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {p.rule for p in report.problems}


def check(body: bytes, fmt: str | None = None):  # type: ignore[no-untyped-def]
    if fmt in ("html", "opml"):
        return GATE.check_face([Document("", f"face.{fmt}", fmt, "", body)])
    return GATE.check_file(body, name="doc")


# -- the stylesheet ----------------------------------------------------------


def test_the_shipped_stylesheet_passes():
    report = check(stylesheet_bytes())
    assert report.ok, report.problems
    assert report.checked == 1


def test_turning_escaping_off_is_refused():
    body = XSL_OPEN + (
        b'<xsl:template match="/"><xsl:value-of select="rss/channel/title" '
        b'disable-output-escaping="yes"/></xsl:template></xsl:stylesheet>'
    )
    assert rules(check(body)) == {"xsl-escaping"}


def test_a_stylesheet_that_loads_anything_is_refused():
    imports = XSL_OPEN + b'<xsl:import href="other.xsl"/></xsl:stylesheet>'
    assert "xsl-self-contained" in rules(check(imports))
    document = XSL_OPEN + (
        b'<xsl:template match="/"><xsl:copy-of select="document(\'/etc/passwd\')"/>'
        b"</xsl:template></xsl:stylesheet>"
    )
    assert rules(check(document)) == {"xsl-self-contained"}
    extension = (
        b'<?xml version="1.0"?>\n<xsl:stylesheet version="1.0" '
        b'xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
        b'xmlns:exsl="http://exslt.org/common" extension-element-prefixes="exsl">'
        b'<xsl:template match="/"><exsl:document href="out.html"/></xsl:template>'
        b"</xsl:stylesheet>"
    )
    assert "xsl-self-contained" in rules(check(extension))


def test_a_stylesheet_that_does_not_compile_is_refused():
    body = XSL_OPEN + b"<xsl:template><xsl:nonsense/></xsl:template></xsl:stylesheet>"
    assert "xsl-compiles" in rules(check(body))


def test_a_stylesheet_with_a_doctype_is_refused_unread():
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + XSL_OPEN.split(b"\n", 1)[1]
        + b"</xsl:stylesheet>"
    )
    assert rules(check(body)) == {"no-doctype"}


# -- the instruction and the page --------------------------------------------


def rss(title: str = "Feed", instruction: str = "") -> bytes:
    return RSS.format(title=title, instruction=instruction).encode()


def test_our_instruction_passes_and_any_feed_may_have_none():
    ours = '<?xml-stylesheet type="text/xsl" href="feed.xsl"?>\n'
    assert check(rss(instruction=ours)).ok
    assert check(rss()).ok
    elsewhere = '<?xml-stylesheet type="text/xsl" href="https://cdn.example/f.xsl"?>'
    assert check(rss(instruction=elsewhere)).ok


def test_an_instruction_of_another_scheme_or_without_href_is_refused():
    script = '<?xml-stylesheet type="text/xsl" href="javascript:alert(1)"?>\n'
    assert rules(check(rss(instruction=script))) == {"url-scheme"}
    data = '<?xml-stylesheet type="text/xsl" href=" data:text/xsl,x"?>\n'
    assert rules(check(rss(instruction=data))) == {"url-scheme"}
    bare = '<?xml-stylesheet type="text/xsl"?>\n'
    assert rules(check(rss(instruction=bare))) == {"stylesheet-link"}


def test_the_page_is_judged_as_html():
    # The shipped stylesheet writes every feed value as text, so no feed makes
    # its page run anything. A stylesheet that copied the feed's elements, or
    # filled an href without checking its scheme, would; the page rules catch
    # it. (One that turned escaping off is refused as xsl-escaping.)
    hostile = etree.fromstring(
        RSS.format(instruction="", title="t")
        .replace(
            "<link>https://example.org/</link>",
            "<link>javascript:alert(1)</link><script>alert(1)</script>",
        )
        .encode()
    ).getroottree()
    assert page_problems(hostile, "rss.xml") == []
    careless = etree.XSLT(
        etree.fromstring(
            XSL_OPEN
            + b'<xsl:output method="html"/><xsl:template match="/"><html><body>'
            b'<a href="{rss/channel/link}">site</a>'
            b"<xsl:copy-of select=\"rss/channel/*[local-name() = 'script']\"/>"
            b"</body></html></xsl:template></xsl:stylesheet>"
        )
    )
    found = page_problems(hostile, "rss.xml", transform=careless)
    assert {p.rule for p in found} == {"no-script", "url-scheme"}
    assert all("browser page (feed.xsl)" in str(p) for p in found)


# -- index.html --------------------------------------------------------------


def page(body: str) -> bytes:
    return PAGE.format(body=body).encode()


def test_a_plain_page_passes():
    body = (
        '<p><a href="partner-a/rss.xml">RSS</a> <a href="https://x.example/">x</a></p>'
    )
    assert check(page(body), "html").ok


def test_a_page_without_doctype_or_well_formedness_is_refused():
    assert rules(check(page("<p>x</p>")[len(b"<!DOCTYPE html>") :], "html")) == {
        "html-doctype"
    }
    assert rules(check(page("<p>x<br></p>"), "html")) == {"well-formed"}
    assert rules(check(b"<!DOCTYPE html>\n<div></div>", "html")) == {"format"}


def test_active_content_in_a_page_is_refused():
    assert rules(check(page("<script>alert(1)</script>"), "html")) == {"no-script"}
    assert rules(check(page('<p onclick="alert(1)">x</p>'), "html")) == {
        "no-event-handler"
    }
    assert rules(check(page('<a href="javascript:alert(1)">x</a>'), "html")) == {
        "url-scheme"
    }
    assert rules(check(page("<style>p{}</style>"), "html")) == {"no-active-element"}


# -- feeds.opml --------------------------------------------------------------


def opml(*outlines: str) -> bytes:
    return OPML.format(outlines="".join(outlines)).encode()


def outline(text="Feed", url="a/rss.xml", site="https://a.example/") -> str:  # type: ignore[no-untyped-def]
    return OUTLINE.format(text=text, url=url, site=site)


def test_a_subscription_list_passes():
    assert check(opml(outline(), outline(url="https://x.example/b.xml")), "opml").ok


def test_an_opml_list_outside_the_grammar_is_refused():
    assert rules(check(opml(), "opml")) == {"opml-grammar"}  # no outline
    missing = '<outline type="rss" text="Feed"/>'
    assert rules(check(opml(missing), "opml")) == {"opml-grammar"}
    old = opml(outline()).replace(b'version="2.0"', b'version="1.0"')
    assert rules(check(old, "opml")) == {"opml-grammar"}


def test_links_and_texts_of_an_opml_list_are_judged():
    assert rules(check(opml(outline(url="javascript:alert(1)")), "opml")) == {
        "url-scheme"
    }
    assert rules(check(opml(outline(site="vbscript:x")), "opml")) == {"url-scheme"}
    hostile = "&lt;img src=x onerror=alert(1)&gt;"
    assert rules(check(opml(outline(text=hostile)), "opml")) == {"no-event-handler"}
    doctype = opml(outline()).replace(b"<opml", b"<!DOCTYPE opml>\n<opml", 1)
    assert rules(check(doctype, "opml")) == {"no-doctype"}


def test_validate_sniffs_the_face_documents():
    assert GATE.check_file(page("<p>x</p>"), name="index.html").ok
    assert rules(GATE.check_file(page("<script></script>"), name="i.html")) == {
        "no-script"
    }
    assert GATE.check_file(opml(outline()), name="feeds.opml").ok
