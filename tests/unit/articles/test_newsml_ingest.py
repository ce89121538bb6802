"""NewsML-G2 ingest (ingest/newsml.py, items.py): real-shaped items written for
this project and IPTC's own examples (read in place from ../shared), what each
element becomes, kills and corrections through the store, and hostile XML."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import REPO, SHARED

from syndication.articles.ingest import (
    IngestOptions,
    InputFormat,
    ingest_paths,
    parse_stories,
)
from syndication.articles.model import Byline, Dateline, Image, PubStatus, Role, Subject
from syndication.errors import InputError

DATA = REPO / "tests" / "data" / "ingest" / "newsml"
IPTC = SHARED / "schemas" / "newsml-g2"
ITEM = DATA / "text-item.xml"
MESSAGE = DATA / "news-message.xml"
ITEM_ID = "urn:newsml:pacificwire.example:20260620:fiji-reef-survey"
OPTIONS = IngestOptions()


def parse(raw: bytes | str, settings, name: str = "item.xml", **options):  # type: ignore[no-untyped-def]
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return parse_stories(
        raw,
        path=name,
        settings=settings,
        options=IngestOptions(**options),
        file_date=date(2026, 6, 25),
    )


def problems(raw: bytes | str, settings, **options) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        parse(raw, settings, **options)
    return [str(p) for p in caught.value.problems]


def item_text(**replacements: str) -> str:
    text = ITEM.read_text("utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_a_text_item_becomes_a_version(settings, caplog) -> None:
    caplog.set_level(logging.WARNING)
    (story,) = parse(ITEM.read_bytes(), settings)
    v = story.version
    assert story.format is InputFormat.NEWSML
    assert (story.guid_given, story.is_kill) == (True, False)
    assert v.guid == ITEM_ID
    assert v.headline == "Half of Fiji's surveyed reefs bleached after marine heatwave"
    assert v.summary == (
        "A government survey found bleaching at 71 of 140 reef sites, the worst "
        "since records began."
    )
    assert v.slugline == "FIJI-REEF/SURVEY"
    assert v.version_created == datetime(2026, 6, 19, 22, 15, tzinfo=UTC)
    assert v.first_created == datetime(2026, 6, 19, 20, 0, tzinfo=UTC)
    assert v.urgency == 3
    assert v.language == "en"
    assert v.bylines == (
        Byline("Mere Tuilagi", Role.REPORTER),
        Byline("Jone Ravai", Role.REPORTER),
        Byline("Anna Holt", Role.EDITOR),
    )
    assert v.dateline == Dateline("SUVA", "June 20", "Pacific Wire")
    assert v.subjects == (
        Subject("medtop:06000000", "environment"),  # the item's language
        Subject("medtop:20000418", "climate change"),
    )
    assert v.keywords == ("coral", "ocean warming")
    assert v.provider == "Pacific Wire"
    assert v.ed_note == "Updates with the ministry's comment."
    assert (v.status, v.is_correction, v.embargo_until) == (
        PubStatus.USABLE,
        False,
        None,
    )
    # A third party's credit line and rights are kept as data.
    assert v.credit_line == "Pacific Wire"
    assert v.copyright_notice == "Copyright 2026 Pacific Wire. All rights reserved."
    assert v.usage_terms == "Republication permitted to subscribers."
    assert v.images == (
        Image(
            "https://pacificwire.example/photos/reef-0620.jpg",
            "Bleached coral off Beqa Island, June 12.",
            "",
            "A diver over white coral",
        ),
    )
    assert v.body.startswith("<p>Half of the coral reefs surveyed")
    assert "<figure" not in v.body and "<script" not in v.body
    assert "onclick" not in v.body and "alert" not in v.body
    assert '<a href="https://fisheries.example/reef-survey">the full report</a>' in (
        v.body
    )
    warnings = [r.getMessage() for r in caplog.records]
    assert any(
        "subjects left out" in w and "event:reef-survey-2026" in w for w in warnings
    )
    assert any("the sanitiser removed from the body" in w for w in warnings)
    assert any(
        "the credit_line differs from the configured credit line" in w for w in warnings
    )
    # The format cannot state the story's link, nor the order of bylines of
    # different roles; our agency is not its provider.
    assert story.unstated == {
        "link",
        "byline order",
        "note spacing",
        "uncarried images",
    }


def test_a_news_message_gives_each_text_item_and_skips_the_rest(
    settings, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    strike, ferry = parse(MESSAGE.read_bytes(), settings, name="message.xml")
    assert strike.version.guid.endswith(":port-strike")
    assert strike.version.body == (
        "<p>Dock workers walked out at three ports on Sunday.</p>\n"
        "<p>Unions said talks had failed &amp; no new date was set.</p>"
    )
    assert strike.version.language == "en-GB"  # from the item's xml:lang
    assert strike.version.provider == "Harbour News Agency"  # its literal
    assert strike.version.urgency == 2
    assert strike.version.first_created == strike.version.version_created
    assert ferry.version.body == (
        "<p>Ferry operators said crossings would run every two hours.</p>\n"
        "<p>Passengers were told to check before travelling &lt;not markup&gt;.</p>"
    )
    assert ferry.version.first_created == datetime(2026, 6, 20, 18, 0, tzinfo=UTC)
    assert any(
        "message.xml:32: skipped a newsItem (picture)" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize(
    "name",
    [
        "LISTING_1_A_NewsML-G2_News_Item.xml",
        "LISTING_2_NewsML-G2_Text_Document.xml",
        "LISTING_22_Sports_story_in_NewsML-G2NITF.xml",
    ],
)
def test_iptc_s_text_examples_are_ingested(name: str, settings) -> None:
    path = IPTC / name
    if not path.is_file():
        pytest.skip(f"IPTC's example not found at {path}")
    (story,) = parse(path.read_bytes(), settings, name=name)
    assert story.version.headline
    assert story.version.body.startswith("<p>")


def test_iptc_s_examples_keep_what_the_model_can_hold(settings) -> None:
    path = IPTC / "LISTING_2_NewsML-G2_Text_Document.xml"
    if not path.is_file():
        pytest.skip(f"IPTC's example not found at {path}")
    (story,) = parse(path.read_bytes(), settings)
    v = story.version
    assert v.dateline == Dateline("New York, NY")
    assert v.language == "en-US"
    assert [s.qcode for s in v.subjects] == [
        "medtop:04000000",
        "medtop:20000350",
        "medtop:20000379",
    ]
    assert v.body.count("<p>") == 2  # the NITF body.content, not its head
    assert v.headline == 'Fed to halt QE to avert "bubble"'
    # Its infoSource (AP) is no credit line; its provider has only a URI.
    assert (v.credit_line, v.provider) == ("", "http://www.acmenews.com/about/")


def test_an_item_without_body_text_gets_its_headline(settings, caplog) -> None:
    caplog.set_level(logging.WARNING)
    text = item_text(**{"<description": "<foo", "</description>": "</foo>"})
    start, end = text.index("<contentSet>"), text.index("</contentSet>")
    text = text[:start] + "<contentSet><inlineXML/>" + text[end:]
    text = text.replace("<foo role", "<description role").replace(
        "</foo>", "</description>"
    )
    (story,) = parse(text, settings)
    assert story.version.body == (
        "<p>A government survey found bleaching at 71 of 140 reef sites, the worst "
        "since records began.</p>"
    )
    assert "the item has no body text; its summary is its body" in caplog.text


def test_embargo_correction_and_withheld(settings) -> None:
    text = item_text(
        **{
            '<pubStatus qcode="stat:usable"/>': "<embargoed>2026-06-22T00:00:00Z"
            '</embargoed><pubStatus qcode="stat:withheld"/>',
            "<edNote>Updates with the ministry's comment.</edNote>": "<edNote>"
            'Corrects the number of sites.</edNote><signal qcode="sig:correction"/>',
        }
    )
    (story,) = parse(text, settings)
    v = story.version
    assert v.embargo_until == datetime(2026, 6, 22, tzinfo=UTC)
    assert v.status is PubStatus.WITHHELD
    assert (v.is_correction, v.ed_note) == (True, "Corrects the number of sites.")
    assert story.stated == {"embargo_until"}


def test_our_agency_as_provider_and_credit_say_nothing_of_the_story(settings) -> None:
    agency = settings.agency
    text = item_text(
        **{
            "<creditline>Pacific Wire</creditline>": "<creditline>"
            f"{agency.credit_line}</creditline>",
            '<provider uri="https://pacificwire.example/">': "<provider "
            f'uri="{agency.url}">',
            "<copyrightNotice>Copyright 2026 Pacific Wire. All rights reserved."
            "</copyrightNotice>": f"<copyrightNotice>{agency.copyright_notice}"
            "</copyrightNotice>",
            "<usageTerms>Republication permitted to subscribers.</usageTerms>": ""
            f"<usageTerms>{agency.usage_terms}</usageTerms>",
        }
    )
    (story,) = parse(text, settings)
    v = story.version
    assert (v.credit_line, v.copyright_notice, v.usage_terms) == ("", "", "")
    assert story.unstated == {
        "credit_line",
        "copyright_notice",
        "usage_terms",
        "provider",
        "link",
        "byline order",
        "note spacing",
        "uncarried images",
    }


def test_a_canceled_item_is_a_kill(settings) -> None:
    text = item_text(
        **{
            "stat:usable": "stat:canceled",
            "Updates with the ministry's comment.": "Withdrawn: legal advice.",
        }
    )
    (story,) = parse(text, settings)
    assert story.is_kill
    assert (story.version.guid, story.version.ed_note) == (
        ITEM_ID,
        "Withdrawn: legal advice.",
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_kill_correct_and_unchanged_through_the_store(
    store, settings, tmp_path
) -> None:
    first = ingest_paths(store, settings, [ITEM, MESSAGE], OPTIONS)
    assert [s.action for s in first.stored] == ["new article"] * 3
    again = ingest_paths(store, settings, [ITEM], OPTIONS)
    assert [(s.action, s.version) for s in again.stored] == [("unchanged", 1)]
    corrected = write(
        tmp_path,
        "corrected.xml",
        item_text(
            **{
                "Half of the coral reefs": "Nearly half of the coral reefs",
                "<edNote>Updates with the ministry's comment.</edNote>": "<edNote>"
                'Corrects the share.</edNote><signal qcode="sig:correction"/>',
            }
        ),
    )
    (fixed,) = ingest_paths(store, settings, [corrected], OPTIONS).stored
    assert (fixed.action, fixed.version) == ("new version", 2)
    assert store.get(ITEM_ID).is_correction
    canceled = write(
        tmp_path,
        "canceled.xml",
        item_text(
            **{
                "stat:usable": "stat:canceled",
                "Updates with the ministry's comment.": "Legal advice.",
            }
        ),
    )
    (killed,) = ingest_paths(store, settings, [canceled], OPTIONS).stored
    assert (killed.action, killed.version, killed.previous) == ("killed", 3, 2)
    latest = store.get(ITEM_ID)
    assert (latest.status, latest.ed_note, latest.is_correction) == (
        PubStatus.CANCELED,
        "Legal advice.",
        False,
    )
    assert latest.headline == store.get(ITEM_ID, 2).headline  # the kill keeps the text
    (twice,) = ingest_paths(store, settings, [canceled], OPTIONS).stored
    assert (twice.action, twice.version) == ("unchanged", 3)
    (same,) = ingest_paths(store, settings, [corrected], OPTIONS).stored
    assert (same.action, same.version) == ("unchanged", 2)
    changed = write(tmp_path, "changed.xml", item_text(**{"Half of": "Most of"}))
    (refused,) = ingest_paths(store, settings, [changed], OPTIONS).problems
    assert "was killed in version 3 (Legal advice.)" in refused.message


def test_a_kill_of_an_unknown_article_is_that_file_s_problem(
    store, settings, tmp_path
) -> None:
    canceled = write(
        tmp_path, "canceled.xml", item_text(**{"stat:usable": "stat:canceled"})
    )
    report = ingest_paths(store, settings, [canceled, MESSAGE], OPTIONS)
    (problem,) = report.problems
    assert (problem.path, problem.message) == (
        str(canceled),
        f"the item cancels article {ITEM_ID}, which is not in the store: there is "
        "nothing to kill; nothing was stored",
    )
    assert [s.path for s in report.stored] == [str(MESSAGE)] * 2


def test_a_message_with_one_bad_item_stores_none_of_it(
    store, settings, tmp_path
) -> None:
    text = MESSAGE.read_text("utf-8").replace(
        "<versionCreated>2026-06-21T05:50:00Z</versionCreated>",
        "<versionCreated>2026-06-21T05:50:00</versionCreated>",
    )
    bad = write(tmp_path, "message.xml", text)
    report = ingest_paths(store, settings, [bad, ITEM], OPTIONS)
    (problem,) = report.problems
    assert str(problem) == (
        f"{bad}:47 [versionCreated]: naive time '2026-06-21T05:50:00' has no time "
        "zone; add Z or an offset such as +02:00"
    )
    assert [s.guid for s in report.stored] == [ITEM_ID]


def test_a_message_whose_kill_is_refused_stores_none_of_it(
    store, settings, tmp_path
) -> None:
    text = MESSAGE.read_text("utf-8").replace(
        '<pubStatus qcode="stat:usable"/>\n      </itemMeta>\n      <contentMeta>\n'
        "        <headline>Ferries",
        '<pubStatus qcode="stat:canceled"/>\n      </itemMeta>\n      <contentMeta>\n'
        "        <headline>Ferries",
    )
    assert "stat:canceled" in text
    bad = write(tmp_path, "message.xml", text)
    report = ingest_paths(store, settings, [bad], OPTIONS)
    assert len(report.problems) == 1 and not report.stored
    assert (
        store.latest_many(["urn:newsml:harbournews.example:20260621:port-strike"]) == {}
    )


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            '<?xml version="1.0"?>\n<story><p>x</p></story>',
            "this looks like XML or HTML but is not NewsML-G2: its root element is "
            "<story>, not a newsItem or newsMessage of "
            "http://iptc.org/std/nar/2006-10-01/",
            2,
        ),
        (
            "<newsItem guid='x'><itemMeta/></newsItem>",
            "this looks like XML or HTML but is not NewsML-G2: its root element is "
            "<newsItem>, not a newsItem or newsMessage of "
            "http://iptc.org/std/nar/2006-10-01/",
            1,
        ),
        (
            "<html><body><p>Hello<br></p></body></html>",
            "this looks like XML or HTML but is not well-formed XML (Opening and "
            "ending tag mismatch: br line 1 and p",
            1,
        ),
        (
            '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x">\n'
            '<itemMeta><itemClass qcode="ninat:picture"/></itemMeta></newsItem>',
            "a NewsML-G2 newsItem of class picture; ingest takes text items "
            "(ninat:text)",
            1,
        ),
        (
            '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>'
            '<packageItem guid="p"/></itemSet></newsMessage>',
            "the newsMessage holds no text newsItem (1 other item(s) skipped); "
            "nothing to ingest",
            1,
        ),
    ],
    ids=["other-root", "no-namespace", "html", "picture", "package-only"],
)
def test_what_is_not_a_newsml_text_item_is_refused(
    text: str, message: str, line: int, settings
) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, settings)
    (problem,) = caught.value.problems
    assert problem.message.startswith(message)
    assert problem.line == line


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;">]>\n<newsItem>&lol2;</newsItem>',
        '<?xml version="1.0"?>\n<!DOCTYPE newsItem SYSTEM "file:///etc/passwd">\n'
        "<newsItem/>",
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM '
        '"http://127.0.0.1:9/x">]>\n<newsItem>&e;</newsItem>',
    ],
    ids=["billion-laughs", "external-dtd", "external-entity"],
)
def test_dtds_and_entities_are_refused_unread(text: str, settings) -> None:
    assert problems(text, settings) == [
        "item.xml:2: DOCTYPE and ENTITY declarations are refused (DTDs and entities "
        "are never read); ingest takes NewsML-G2, ninjs, the JSON article format or "
        "plain wire copy"
    ]


def test_an_undeclared_entity_is_not_well_formed(settings) -> None:
    text = item_text(**{"<slugline>FIJI-REEF/SURVEY": "<slugline>&secret;"})
    (message,) = problems(text, settings)
    assert "Entity 'secret' not defined" in message
    assert message.startswith("item.xml:55: this looks like XML or HTML but is not")


def test_nesting_past_libxml2_s_limit_is_refused_with_its_line(settings) -> None:
    deep = "<div>" * 300 + "x" + "</div>" * 300
    text = item_text(**{'<p>"We have never': deep + '<p>"We have never'})
    (message,) = problems(text, settings)
    assert "not well-formed XML" in message


def test_limits_name_the_newsml_element_and_its_line(settings) -> None:
    text = item_text(**{"<slugline>FIJI-REEF/SURVEY": "<slugline>" + "S" * 201})
    assert problems(text, settings) == [
        f"item.xml:55 [slugline]: '{'S' * 78}… is longer than 200 characters"
    ]


def test_explicit_formats_refuse_the_other_kind(settings) -> None:
    (message,) = problems(ITEM.read_bytes(), settings, format=InputFormat.JSON)
    assert "this looks like XML or HTML, not json" in message
    with pytest.raises(InputError, match="not well-formed XML"):
        parse(b'{"headline": "x"}', settings, format=InputFormat.NEWSML)


def test_articles_correct_takes_one_newsml_item(store, settings, tmp_path) -> None:
    from syndication.articles.editorial import correct_from_file

    first = write(
        tmp_path,
        "first.json",
        json.dumps(
            {
                "guid": ITEM_ID,
                "headline": "Reefs bleached",
                "body": "<p>First text.</p>",
                "first_created": "2026-06-19T20:00:00Z",
                "link": "https://pacificwire.example/reefs",
            }
        ),
    )
    assert ingest_paths(store, settings, [first], OPTIONS).ok
    now = datetime(2026, 6, 21, tzinfo=UTC)
    change = correct_from_file(store, settings, ITEM_ID, ITEM, note="Survey", now=now)
    after = change.after
    assert (after.version, after.is_correction, after.ed_note) == (2, True, "Survey")
    assert after.headline.startswith("Half of Fiji's surveyed reefs")
    assert after.link == "https://pacificwire.example/reefs"  # NewsML-G2 has none
    with pytest.raises(
        InputError, match="the file holds 2 stories; give a file of one"
    ):
        correct_from_file(store, settings, ITEM_ID, MESSAGE, note="x", now=now)


@pytest.mark.parametrize(
    ("urgency", "shown"),
    [
        ("9" * 5000, f"'{'9' * 36}..."),  # int() refuses over 4,300 digits
        ("\u00b2", "'\u00b2'"),  # a digit to str.isdigit, not to int()
        ("\u0663", "'\u0663'"),  # an Arabic-Indic three: ASCII digits only
        ("0", "0"),
    ],
    ids=["5000-digits", "superscript-two", "arabic-indic-three", "zero"],
)
def test_an_urgency_that_is_no_small_ascii_number_is_that_file_s_problem(
    urgency: str, shown: str, settings
) -> None:
    text = item_text(**{"<urgency>3</urgency>": f"<urgency>{urgency}</urgency>"})
    [problem] = problems(text, settings)
    assert problem.endswith(
        f"[urgency]: {shown} is not an urgency from 1 (most urgent) to 9"
    ), problem
