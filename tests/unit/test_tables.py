"""The command tables: columns two spaces apart, as wide as their widest cell
(the header's included), numbers right-aligned where asked, no trailing space,
and a long value widens its column instead of pushing the row out of line."""

from __future__ import annotations

from syndication.cli.tables import table_text


def test_columns_fit_their_widest_cell_and_lines_end_without_spaces() -> None:
    text = table_text(
        ("ID", "V", "HEADLINE"),
        [("urn:a", "1", "Floods"), ("urn:long:id", "12", "")],
    )
    assert text.splitlines() == [
        "ID           V   HEADLINE",
        "urn:a        1   Floods",
        "urn:long:id  12",
    ]


def test_right_aligned_columns_and_an_unnamed_note_column() -> None:
    feed = "a-partner-feed-whose-id-is-longer-than-28-characters"
    text = table_text(
        ("RUN", "FEED", "WRITTEN", ""),
        [(7, feed, 5, ""), (1234, "b", 0, "destination down")],
        right=(0, 2),
    )
    lines = text.splitlines()
    assert lines == [
        f" RUN  {'FEED':<{len(feed)}}  WRITTEN",
        f"   7  {feed}        5",
        f"1234  {'b':<{len(feed)}}        0  destination down",
    ]


def test_text_that_looks_like_a_number_is_left_as_written() -> None:
    assert table_text(("V", "X"), [("1e5", "007"), ("2", "-")]).splitlines() == [
        "V    X",
        "1e5  007",
        "2    -",
    ]
