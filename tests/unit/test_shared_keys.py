"""Where shared item documents stand (shared_items.py) and which credit
variant names them (credit.credit_variant)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from syndication.config import Agency
from syndication.credit import credit_variant
from syndication.render.base import Credit, Document
from syndication.shared_items import full_key, placed, shared_key
from syndication.withdraw import ITEM_KEY

AGENCY = Agency(
    name="Agency",
    url="https://agency.example",
    id_prefix="urn:agency",
    credit_line="Please credit the Agency.",
    copyright_holder="Agency",
    copyright_notice="Copyright Agency.",
    usage_terms="Partners only.",
)


def credit(line: str = "Please credit the Agency.", append: bool = True) -> Credit:
    return Credit(line, "Agency", "Copyright Agency.", "Partners only.", append)


def item(key: str = "items/urn~3Aa/v2.xml", variant: str = "") -> Document:
    return Document(
        feed_id="feed",
        key=key,
        format="newsml",
        content_type="application/xml",
        body=b"<newsItem/>",
        is_index=False,
        variant=variant,
    )


def test_the_agencys_own_credit_has_no_variant() -> None:
    assert credit_variant(credit(), AGENCY) == ""
    # The story's own rights are the version's, not the feed's: no variant.
    story_rights = replace(credit(), copyright_notice="Copyright Someone.")
    assert credit_variant(story_rights, AGENCY) == ""


def test_a_feeds_own_line_or_paragraph_policy_is_a_variant_of_its_own() -> None:
    line = credit_variant(credit("Credit: Partner desk"), AGENCY)
    no_paragraph = credit_variant(credit(append=False), AGENCY)
    both = credit_variant(credit("Credit: Partner desk", append=False), AGENCY)
    assert len({line, no_paragraph, both}) == 3
    assert all(len(v) == 8 and int(v, 16) >= 0 for v in (line, no_paragraph, both))
    assert credit_variant(credit("Credit: Partner desk"), AGENCY) == line


@pytest.mark.parametrize(
    ("key", "variant", "expected"),
    [
        ("items/urn~3Aa/v2.xml", "", "items/urn~3Aa/v2.xml"),
        ("items/urn~3Aa/v2.xml", "0badf00d", "items/urn~3Aa/v2.0badf00d.xml"),
        ("items/urn~3Aa/v12.json", "0badf00d", "items/urn~3Aa/v12.0badf00d.json"),
    ],
)
def test_a_shared_key_carries_the_variant_and_is_an_item_key(
    key: str, variant: str, expected: str
) -> None:
    assert shared_key(item(key, variant)) == expected
    match = ITEM_KEY.match(expected)
    assert match is not None and match.group(1) == "urn~3Aa"


def test_only_item_documents_move_to_the_shared_folder() -> None:
    index = replace(item("newsml.xml"), is_index=True)
    archive = replace(item("archive/2026-12/rss.xml"), is_archive=True)
    stylesheet = item("feed.xsl")
    documents = [item(variant="0badf00d"), stylesheet, archive, index]
    assert placed(documents, False) == documents
    moved = placed(documents, True)
    assert [d.shared for d in moved] == [True, False, False, False]
    assert [full_key("partner/a", d) for d in moved] == [
        "items/urn~3Aa/v2.0badf00d.xml",
        "partner/a/feed.xsl",
        "partner/a/archive/2026-12/rss.xml",
        "partner/a/newsml.xml",
    ]
    assert moved[0].sha256 == documents[0].sha256
    assert placed(moved, True) == moved, "placing twice changes nothing"


def test_a_variant_that_is_not_eight_hex_digits_is_no_item_key() -> None:
    assert ITEM_KEY.match("items/a/v2.0badf00.xml") is None
    assert ITEM_KEY.match("items/a/v2.0BADF00D.xml") is None
    assert ITEM_KEY.match("items/a/v2.0badf00d.html") is None


def test_shared_writes_one_writer_the_others_wait_and_take_over_a_failure() -> None:
    import threading
    import time

    from syndication.shared_items import SharedWrites

    writes = SharedWrites()
    doc = replace(item(), shared=True)
    other_bytes = replace(doc, body=b"<newsItem>other</newsItem>")
    own = replace(item("items/urn~3Ab/v1.xml"), shared=False)
    listed = time.monotonic()
    mine, theirs = writes.claim("dest", [doc, own], listed)
    assert (mine, theirs) == ([doc, own], [])
    # A second run side by side: waits for the same bytes, never for others.
    second, waiting = writes.claim("dest", [doc], listed)
    assert second == [] and [d for d, _ in waiting] == [doc]
    assert writes.claim("dest", [other_bytes], listed)[0] == [other_bytes]
    assert writes.claim("elsewhere", [doc], listed)[0] == [doc]
    failed: list[list[Document]] = []
    waiter = threading.Thread(target=lambda: failed.append(writes.wait(waiting)))
    waiter.start()
    writes.release("dest", mine, written=set())  # the first run's write failed
    waiter.join(timeout=5)
    assert failed == [[doc]], "the waiting run writes it itself"
    # Written: a run that listed before it finished takes it as found; one
    # that listed after finds it (or its absence) in its own listing.
    mine, _ = writes.claim("dest", [doc], listed)
    writes.release("dest", mine, written={doc.key})
    late, found = writes.claim("dest", [doc], listed)
    assert late == [] and writes.wait(found) == []
    after = time.monotonic()
    assert writes.claim("dest", [doc], after)[0] == [doc]
