"""The gate agrees with the validators partners use: Media RSS credit roles
from the EBU list, media:content with an address, and feed, item and self links
that are absolute http(s) URLs (the W3C Feed Validation Service's rules)."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from syndication.validate.gate import Gate, GateReport

BROKEN = REPO / "tests" / "data" / "broken"
SCHEMAS = REPO / "schemas"
RSS = (BROKEN / "rss-valid.xml").read_text("utf-8")
ATOM = (BROKEN / "atom-valid.xml").read_text("utf-8")
RSS_CREDIT = (
    '<media:credit role="publishing company">Credit: Example Wire</media:credit>'
)
ATOM_RIGHTS = "<rights>Credit: Example Wire</rights>"


def check(text: str) -> GateReport:
    return Gate(SCHEMAS).check_file(text.encode(), name="doc.xml")


def rules(text: str) -> list[str]:
    return sorted(p.rule for p in check(text).problems)


def rss_with(extra: str) -> str:
    return RSS.replace(RSS_CREDIT, f"{RSS_CREDIT}\n      {extra}", 1)


def atom_with(extra: str) -> str:
    return ATOM.replace(
        ATOM_RIGHTS,
        f'{ATOM_RIGHTS}\n    <media:content xmlns:media="http://search.yahoo.com/mrss/"'
        f' url="https://x.example/a.jpg">{extra}</media:content>',
        1,
    )


def test_the_valid_documents_pass() -> None:
    assert rules(RSS) == [] and rules(ATOM) == []


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ('<media:credit role="publishing company">X</media:credit>', []),
        ('<media:credit role="photographer" scheme="urn:ebu">X</media:credit>', []),
        ('<media:credit role="distributor">X</media:credit>', ["media-credit-role"]),
        ('<media:credit role="Photographer">X</media:credit>', ["media-credit-role"]),
        ('<media:credit role="owner" scheme="urn:yvs">X</media:credit>', []),
        (
            '<media:credit role="Owner" scheme="urn:yvs">X</media:credit>',
            ["media-credit-role"],
        ),
        ('<media:credit role="actor|author">X</media:credit>', ["media-credit-role"]),
        ("<media:credit>X</media:credit>", []),
    ],
)
def test_media_credit_roles_come_from_their_scheme(credit: str, expected: list) -> None:
    assert rules(rss_with(credit)) == expected
    assert rules(atom_with(credit)) == expected


def test_the_message_says_what_the_role_should_be() -> None:
    [problem] = check(
        rss_with('<media:credit role="distributor">X</media:credit>')
    ).problems
    assert problem.message == (
        'The media:credit role "distributor" is not one of the EBU role codes that '
        'scheme urn:ebu names (such as "publishing company" or "photographer").'
    )


def test_an_item_credited_as_distributor_carries_no_credit_line() -> None:
    text = RSS.replace('role="publishing company"', 'role="distributor"')
    assert rules(text) == ["credit-line-present", "media-credit-role"]


def test_rss_and_atom_rules_list_the_same_ebu_roles() -> None:
    def roles(name: str) -> set[str]:
        text = (SCHEMAS / "rules" / name).read_text("utf-8")
        block = text[
            text.index('name="ebu-roles"') : text.index(
                '"/>', text.index('name="ebu-roles"')
            )
        ]
        return {r for r in "".join(re.findall(r"'([^']*)'", block)).split("|") if r}

    assert roles("rss.sch") == roles("atom.sch")
    assert {"publishing company", "photographer"} <= roles("rss.sch")
    assert "distributor" not in roles("rss.sch")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('<media:content url="https://x.example/a.jpg" medium="image"/>', []),
        ('<media:content medium="image"/>', ["media-content-url"]),
        (
            '<media:content url="https://x.example/a.jpg" medium="picture"/>',
            ["rss-grammar"],
        ),
        (
            '<media:content url="https://x.example/a.jpg">'
            '<media:text type="rtf">x</media:text></media:content>',
            ["rss-grammar"],
        ),
    ],
)
def test_media_content(content: str, expected: list) -> None:
    assert sorted(set(rules(rss_with(content)))) == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<link>https://partner.example/</link>", "<link>not a url</link>"),
        ("<link>https://partner.example/</link>", "<link>/feeds/trf/</link>"),
        (
            "<link>https://wire.example/item/1</link>",
            "<link>//wire.example/item/1</link>",
        ),
        ("<link>https://wire.example/item/1</link>", "<link>item/1</link>"),
        ("<link>https://wire.example/item/1</link>", "<link>https:///item/1</link>"),
        (
            "<lastBuildDate>",
            '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" href="rss.xml"'
            ' rel="self"/>\n    <lastBuildDate>',
        ),
    ],
)
def test_rss_feed_item_and_self_links_are_absolute(old: str, new: str) -> None:
    text = RSS.replace(old, new, 1)
    assert text != RSS
    [problem] = check(text).problems
    assert problem.rule == "absolute-link"
    assert "is not an absolute http(s) URL" in problem.message


@pytest.mark.parametrize(
    "link",
    [
        '<link href="not a url" rel="alternate"/>',
        '<link href="/feeds/atom.xml" rel="self"/>',
        '<link href="" rel="alternate"/>',
    ],
)
def test_atom_feed_and_entry_links_are_absolute(link: str) -> None:
    feed = ATOM.replace("<author>", f"{link}\n  <author>", 1)
    entry = ATOM.replace(ATOM_RIGHTS, f"{ATOM_RIGHTS}\n    {link}", 1)
    assert rules(feed) == ["absolute-link"]
    assert rules(entry) == ["absolute-link"]


def test_links_with_surrounding_space_and_of_another_scheme() -> None:
    spaced = RSS.replace(
        "<link>https://wire.example/item/1</link>",
        "<link>\n        https://wire.example/item/1\n      </link>",
    )
    assert rules(spaced) == []
    # Another scheme is what a reader would run: that rule, not both.
    script = RSS.replace("https://wire.example/item/1", "javascript:alert(1)")
    assert rules(script) == ["url-scheme"]


def test_rights_as_two_sentences_still_begin_with_the_credit_line() -> None:
    text = RSS.replace(
        "Credit: Example Wire Copyright Example Wire.",
        "Credit: Example Wire. Copyright Example Wire.",
    )
    assert rules(text) == []
