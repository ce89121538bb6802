"""RSS and Atom documents assembled from remembered item bytes are byte for
byte the documents rendered whole, whatever items a feed shares with another,
in whatever order and company; a cut that is not as expected renders whole."""

from __future__ import annotations

from dataclasses import replace

from syndication.feeds import CreditPolicy
from syndication.render import atom, rss
from syndication.render.assemble import Assembler
from syndication.render.stylesheet import with_instruction
from syndication.store.base import Selection

from .render_kit import edition_of, make_feed


def variants(edition, feed, agency, versions):  # type: ignore[no-untyped-def]
    everything = list(versions.values())
    usable = [v for v in everything if v.status.value == "usable"]
    other_feed = make_feed(
        "partner-b",
        selection=Selection(languages=("fr",)),
        credit=CreditPolicy(line="Credit via partner B"),
    )
    return [
        edition,
        replace(edition, items=tuple(reversed(edition.items))),
        replace(edition, items=edition.items[:1], hub_url=""),
        replace(edition, canceled=()),
        edition_of(feed, agency, usable),
        edition_of(other_feed, agency, usable[:2]),
        edition_of(feed, agency, []),
    ]


def test_assembled_rss_and_atom_are_the_whole_renderings(  # type: ignore[no-untyped-def]
    edition, feed, agency, versions
):
    for variant in variants(edition, feed, agency, versions) * 2:  # then remembered
        assert rss.RssRenderer().render(variant)[0].body == rss.render_rss(variant)
        assert atom.AtomRenderer().render(variant)[0].body == atom.render_atom(variant)


def test_an_unexpected_cut_renders_the_document_whole(edition) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def render(edition, items):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        return rss._render(edition, items)

    wrong = Assembler(render, b"    <entry>", rss._insertion)  # not RSS's item
    body, pieces = wrong.render(edition)
    assert with_instruction(body) == rss.render_rss(edition)
    assert pieces is None  # rendered whole: no pieces to trust
    assert calls == [0, 2, 2]  # shell, the missing items, then whole
