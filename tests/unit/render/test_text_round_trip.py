"""Property: any text in a one-line field, markup characters and all, reads back
as written in every format (RSS and Atom through feedparser, NewsML-G2 through
lxml), and the documents pass the gate."""

from __future__ import annotations

from dataclasses import replace

import feedparser
from conftest import OFFICIAL_XSD, REPO
from html_oracle import html_text, shown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from syndication.articles.model import Byline, Dateline, Image, Role, Subject
from syndication.config import load_settings
from syndication.render.registry import render_edition
from syndication.validate.gate import Gate

from .render_kit import LABOUR, edition_of, make_feed, story

G2 = {"g": "http://iptc.org/std/nar/2006-10-01/"}
MEDIA = {"media": "http://search.yahoo.com/mrss/"}
FRAGMENTS = (
    "<script>", "</title>", "<b>", "</p>", "<img src=x onerror=alert(1)>",
    "&amp;", "&lt;", "&#60;", "&#x3c;", "&", "]]>", "<![CDATA[", "<!--", "-->",
    "<?x?>", '"', "'", "javascript:", "&nbsp;", "“quoted”", "é", "東京",
)  # fmt: skip
# No '@': feedparser reads "name (a@b.example)" in an author as an address.
ALPHABET = "abcXYZ019 <>&\"';=/!?#:-.,()[]{}%*+|~^`$\\"
TEXT = (
    st.lists(
        st.one_of(
            st.text(alphabet=ALPHABET, min_size=1, max_size=6),
            st.sampled_from(FRAGMENTS),
        ),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda text: text.strip() != "")
)
FIELDS = (
    "headline", "summary", "byline", "caption", "credit", "slugline",
    "dateline", "keyword", "subject",
)  # fmt: skip
GATE = Gate(REPO / "schemas", OFFICIAL_XSD if OFFICIAL_XSD.is_file() else None)
AGENCY = load_settings(REPO / "config" / "syndication.toml").agency


def words(text: str) -> str:
    return " ".join(text.split())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.fixed_dictionaries(dict.fromkeys(FIELDS, TEXT)))
def test_one_line_fields_read_back_as_written(text: dict[str, str]) -> None:
    version = replace(
        story("round-trip"),
        headline=text["headline"],
        summary=text["summary"],
        bylines=(Byline(text["byline"]), Byline(text["byline"], Role.CONTRIBUTOR)),
        images=(
            Image("https://news.example.org/a.jpg", text["caption"], text["credit"]),
        ),
        slugline=text["slugline"],
        dateline=Dateline(text["dateline"], "June 17"),
        keywords=(text["keyword"],),
        subjects=(LABOUR, Subject("medtop:20000418", text["subject"])),
    )
    edition = edition_of(make_feed(), AGENCY, [version])
    documents = {d.key: d for d in render_edition(edition, ["rss", "atom", "newsml"])}
    assert GATE.check(list(documents.values()), edition).ok
    expected = {field: words(value) for field, value in text.items()}

    rss = feedparser.parse(documents["rss.xml"].body)
    assert not rss.bozo, rss.bozo_exception
    [item] = rss.entries
    read = {
        "headline": shown(item.title_detail),
        "summary": html_text(item.summary),  # every RSS description is HTML
        "byline": words(item.author),
        "credit": words(item.media_credit[1]["content"]),
    }
    assert read == {key: expected[key] for key in read}
    assert words(item.contributors[0]["name"]) == expected["byline"]
    caption = etree.fromstring(documents["rss.xml"].body).find(
        ".//media:description", MEDIA
    )
    assert caption is not None and caption.get("type") == "html"
    assert html_text(caption.text or "") == expected["caption"]

    atom = feedparser.parse(documents["atom.xml"].body)
    assert not atom.bozo, atom.bozo_exception
    [entry] = atom.entries
    read = {
        "headline": shown(entry.title_detail),
        # feedparser overwrites summary_detail with a media:description (the
        # caption), in Atom as in RSS; summary itself is the entry's (text).
        "summary": words(entry.summary),
        "byline": words(entry.author),
        "subject": words(entry.tags[1]["label"]),
    }
    assert read == {key: expected[key] for key in read}

    [item_key] = [key for key in documents if key.startswith("items/")]
    news_item = etree.fromstring(documents[item_key].body)

    def g2(path: str) -> str:
        return words("".join(news_item.xpath(f"{path}//text()", namespaces=G2)))

    read = {
        "headline": g2("g:contentMeta/g:headline"),
        "summary": g2("g:contentMeta/g:description"),
        "byline": g2("g:contentMeta/g:creator/g:name"),
        "slugline": g2("g:contentMeta/g:slugline"),
        "dateline": g2("g:contentMeta/g:located/g:name"),
        "keyword": g2("g:contentMeta/g:keyword"),
        "subject": g2("g:contentMeta/g:subject[2]/g:name"),
    }
    assert read == {key: expected[key] for key in read}
