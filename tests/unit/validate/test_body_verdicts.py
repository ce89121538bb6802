"""Verdicts on escaped HTML bodies are remembered by the text's digest (the same
body recurs in every feed and format): a remembered safety verdict still names
each document and line, and the credit-paragraph verdict depends on the credit
line."""

from __future__ import annotations

from lxml import etree

from syndication.validate import bodies
from syndication.validate.safety import safety_problems

CONTENT = "http://purl.org/rss/1.0/modules/content/"


def rss(body: str, blank_lines: int = 0) -> etree._Element:
    item = (
        "<item><guid>urn:test:1</guid><description>Summary</description>"
        f"<content:encoded>{body}</content:encoded></item>"
    )
    text = (
        f'<rss xmlns:content="{CONTENT}"><channel>'
        + "\n" * blank_lines
        + item
        + "</channel></rss>"
    )
    return etree.fromstring(text)


def problems(
    root: etree._Element, name: str, credit: str
) -> list[tuple[str, int | None, str]]:
    [entry] = bodies.entries(root, "rss")
    found = bodies.body_problems(
        entry, name, expected_credit=credit, append_paragraph=True
    )
    return [(p.document, p.line, p.rule) for p in found]


def test_a_remembered_verdict_names_each_document_and_line() -> None:
    body = (
        "&lt;p&gt;Text&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"
        '&lt;p class="credit"&gt;Credit A&lt;/p&gt;'
    )

    def safety(root: etree._Element, name: str) -> list[tuple[str, int | None, str]]:
        return [
            (p.document, p.line, p.rule) for p in safety_problems(root, "rss", name)
        ]

    first = safety(rss(body), "feed-a/rss.xml")
    second = safety(rss(body, blank_lines=5), "feed-b/rss.xml")
    assert first == [("feed-a/rss.xml", 1, "no-script")]
    assert second == [("feed-b/rss.xml", 6, "no-script")]
    assert problems(rss(body), "feed-a/rss.xml", "Credit A") == []


def test_the_paragraph_verdict_follows_the_credit_line() -> None:
    body = '&lt;p&gt;Text&lt;/p&gt;&lt;p class="credit"&gt;Credit A&lt;/p&gt;'
    assert problems(rss(body), "a.xml", "Credit A") == []
    assert problems(rss(body), "b.xml", "Credit B") == [
        ("b.xml", 1, "credit-paragraph")
    ]
    assert problems(rss(body), "a.xml", "Credit A") == []
