"""Hypothesis strategies for ingest: stories from the article schema's space
(odd values included) in the JSON format and as wire copy, NewsML-G2 and ninjs
items, and the hostile files of the issue on hostile input, good and bad
mixed.

How many examples a fuzz test runs: a bounded number by default (CI), many
more with ``SYNDICATION_LONG_RUN=1`` (see the README's "Testing").
"""

from __future__ import annotations

import json
import os
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import strategies as st

LONG_RUN = os.environ.get("SYNDICATION_LONG_RUN", "") not in ("", "0")


def examples(default: int, long: int = 1000) -> int:
    """``default`` examples, or ``long`` with SYNDICATION_LONG_RUN=1."""
    return long if LONG_RUN else default


# Whitespace of every kind, controls, format characters, characters XML
# escapes or refuses, astral and combining characters, right-to-left text,
# and the letter whose lower case is two characters long.
WHITESPACE = (
    "\t\n\r\x0b\x0c \u00a0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000"
)
CONTROLS = "\x00\x01\x07\x08\x1b\x1c\x7f\x80\x85\x9f"
FORMAT = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u202e\ufeff"
MARKUP = "<>&\"';]/\\%~:."
OTHER = "\ufffd\ufffe\uffff\ufdd0\ue000\U0001f327\U0010fffd\u0301é\u0130ß\u05d0\u0627"
ODD = WHITESPACE + CONTROLS + FORMAT + MARKUP + OTHER

_PLAIN = st.characters(
    codec="utf-8", categories=("L", "N", "P", "S", "M"), exclude_characters="\\"
)
_CHAR = st.one_of(_PLAIN, _PLAIN, st.sampled_from(ODD))


def odd_text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text mostly of letters, often with odd characters, now and then only
    whitespace."""
    mixed = st.text(_CHAR, min_size=min_size, max_size=max_size)
    blank = st.text(st.sampled_from(WHITESPACE), min_size=max(min_size, 1), max_size=4)
    return st.one_of(mixed, mixed, mixed, mixed, blank)


def line(max_size: int = 40) -> st.SearchStrategy[str]:
    """A one-line field as a file may give it: words with odd whitespace."""
    word = st.text(_PLAIN.filter(lambda c: not c.isspace()), min_size=1, max_size=12)
    sep = st.text(st.sampled_from(WHITESPACE), min_size=1, max_size=3)
    built = st.builds(
        lambda words, seps, lead, tail: (
            lead
            + "".join(w + s for w, s in zip(words, seps, strict=False))
            + words[-1]
            + tail
        ),
        st.lists(word, min_size=1, max_size=5),
        st.lists(sep, min_size=5, max_size=5),
        st.sampled_from(["", " ", "\t", "\n "]),
        st.sampled_from(["", " ", "\r\n", "\u2028"]),
    )
    return st.one_of(built, built, built, odd_text(1, max_size)).map(
        lambda t: t[: max_size * 2]
    )


def at_most(limit: int) -> st.SearchStrategy[str]:
    """Up to ``limit`` characters, right at the limit often."""
    return st.one_of(
        line(40),
        st.text(st.sampled_from("aé\u0130 \t"), min_size=limit - 2, max_size=limit),
        st.text(_PLAIN, min_size=1, max_size=limit),
    )


ROLES = ["reporter", "editor", "contributor"]
TIME_FIELDS = ["first_created", "version_created", "embargo_until"]
# Not UTF-8, a truncated sequence, NUL, a byte order mark, an encoded surrogate.
ODD_BYTES = [b"\xff", b"\xc3", b"\x00", b"\xef\xbb\xbf", b"\xed\xa0\x80"]
YEARS = st.one_of(st.integers(1900, 2200), st.sampled_from([1900, 1970, 2026, 2200]))


@st.composite
def time_text(draw: st.DrawFn, near: int | None = None) -> str:
    """A valid time of the schema's years, any offset, seconds and fractions
    or not."""
    year = near if near is not None else draw(YEARS)
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"
    if draw(st.booleans()):
        text += f":{draw(st.integers(0, 59)):02d}"
        if draw(st.booleans()):
            text += "." + draw(st.text("0123456789", min_size=1, max_size=9))
    offset = draw(
        st.one_of(
            st.just("Z"),
            st.builds(
                "{}{:02d}:{:02d}".format,
                st.sampled_from("+-"),
                st.integers(0, 23),
                st.integers(0, 59),
            ),
        )
    )
    return text + offset


LANGUAGES = st.one_of(
    st.sampled_from(["en", "fr", "pt-BR", "zh-Hant-TW", "en\n"]),
    st.from_regex(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}", fullmatch=True),
)
QCODES = st.one_of(
    st.sampled_from(["medtop:06000000", "medtop:09000000", "subj:1"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}:[A-Za-z0-9_.-]{1,55}", fullmatch=True),
)
GUIDS = st.one_of(
    st.builds("urn:test:{}".format, st.integers(0, 10**9)),
    st.text(st.sampled_from("aé:-_.%~/ \u0130"), min_size=1, max_size=256),
    st.text(_PLAIN, min_size=1, max_size=256),
    st.just("é" * 106),
    st.just("a" * 256),
)
BODIES = st.one_of(
    st.sampled_from(
        [
            "<p>Plain paragraph.</p>",
            "Plain text.\n\nSecond paragraph.",
            "<p>A <a href='https://x.example/?a=1&b=2'>link</a> &amp; <em>x</em></p>",
            "<p>Please credit Reuters.</p><p>Story.</p>",
            "<p>x</p><script>alert(1)</script>",
        ]
    ),
    st.builds(lambda t: f"<p>{t}</p>", odd_text(1, 200)),
    st.builds("{} {}".format, line(60), odd_text(1, 200)),
    # Nested around the deepest a body may be (100).
    st.builds(
        lambda tag, n: f"<{tag}>" * n + "Deep.",
        st.sampled_from(["blockquote", "ul><li", "b", "div", "em><q", "ol><li><p"]),
        st.one_of(st.integers(1, 120), st.sampled_from([50, 51, 99, 100, 101])),
    ),
)

URLS = st.one_of(
    st.just("https://x.example/a.jpg"),
    st.builds("https://x.example/{}".format, st.text(_PLAIN, max_size=30)).map(
        lambda u: "".join(u.split())
    ),
)


@st.composite
def json_article(draw: st.DrawFn) -> dict[str, Any]:
    """An article document from the schema's space: every optional field now
    and then, one-line fields with odd whitespace, lengths near the limits."""
    created = draw(time_text())
    story: dict[str, Any] = {
        "headline": draw(at_most(500)),
        "body": draw(BODIES),
        "first_created": created,
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "guid": GUIDS,
        "slugline": at_most(200),
        "summary": line(80),
        "bylines": st.lists(
            st.fixed_dictionaries(
                {"name": line(30)},
                optional={"role": st.sampled_from(ROLES)},
            ),
            max_size=3,
        ),
        "dateline": st.fixed_dictionaries(
            {"place": line(30)}, optional={"date": line(12), "provider": at_most(120)}
        ),
        "language": LANGUAGES,
        "subjects": st.lists(
            st.fixed_dictionaries({"qcode": QCODES, "name": line(30)}), max_size=3
        ),
        "keywords": st.lists(at_most(128), max_size=3),
        "urgency": st.integers(1, 9),
        "status": st.sampled_from(["usable", "usable", "withheld"]),
        "embargo_until": time_text(),
        "version_created": st.just(created),
        "provider": at_most(256),
        "credit_line": line(60),
        "copyright_notice": st.one_of(line(60), st.sampled_from([" ", "\t\n"])),
        "usage_terms": st.one_of(line(60), st.sampled_from([" ", "\n"])),
        "link": URLS,
        "images": st.lists(
            st.fixed_dictionaries(
                {"href": URLS},
                optional={"caption": line(40), "credit": line(40), "alt": line(40)},
            ),
            max_size=2,
        ),
        "ed_note": line(60),
        "is_correction": st.booleans(),
        "distribution": st.sampled_from(["syndicate", "internal"]),
        "hold_reason": line(60),
    }
    names = draw(st.sets(st.sampled_from(sorted(optional))))
    for name in sorted(names):
        story[name] = draw(optional[name])
    return story


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov")


@st.composite
def wire_copy(draw: st.DrawFn) -> str:
    """Wire copy in the shape wire.py reads, its parts with odd characters."""
    words = st.text(_PLAIN.filter(lambda c: c not in "()\n"), min_size=1, max_size=20)
    headline = draw(words).strip() or "Headline"
    place = draw(st.text(st.sampled_from("ABCÉ\t ,"), min_size=1, max_size=20))
    month, day = draw(st.sampled_from(MONTHS)), draw(st.integers(1, 28))
    provider = draw(st.text(st.sampled_from("Wire\t Sé"), min_size=1, max_size=20))
    paragraphs = draw(st.lists(odd_text(1, 80), min_size=1, max_size=3))
    parts = [headline.replace("\n", " ")]
    if draw(st.booleans()):
        parts.append(draw(words))
    if draw(st.booleans()):
        parts.append(f"By {draw(words)} and {draw(words)}")
    parts.append(
        f"{place.strip() or 'X'}, {month} {day} ({provider.strip() or 'P'}) - "
    )
    parts[-1] += draw(words)
    parts += paragraphs
    if draw(st.booleans()):
        parts.append(f"(Reporting by {draw(words)}; Editing by {draw(words)})")
    return "\n\n".join(parts) + "\n"


# -- hostile files: the classes the issue found, and random damage ------------

GOOD = {"headline": "Good story", "body": "<p>Body.</p>"}


def _story(created: str = "2026-06-20T08:00:00Z", **fields: Any) -> dict[str, Any]:
    return {**GOOD, "first_created": created, **fields}


BAD_TIMES = st.sampled_from(
    [
        "2026-02-30T08:00:00Z",
        "2025-02-29T08:00:00Z",
        "2026-06-20T24:00:00Z",
        "2026-06-20T08:00:00+24:00",
        "2026-06-20T23:59:60Z",
        "\u0662\u0660\u0662\u0666-06-20T08:00:00Z",
        "2026-06-20T0\u0668:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:00-01:00",
        "0001-01-01T00:00:00Z",
        "1899-12-31T23:59:59Z",
        "2026-06-20T08:00:00Z\n",
        "2026-06-20",
        "2026-06-20T08:00:00",
    ]
)
LONG_FIELDS = st.sampled_from(
    [
        {"language": "en-" + "-".join(["abcdefgh"] * 10)},
        {"provider": "p" * 300},
        {"subjects": [{"qcode": "medtop:" + "1" * 80, "name": "x"}]},
        {"keywords": ["k" * 200]},
        {"keywords": ["\u0130" * 100]},
        {"guid": "u" * 257},
        {"guid": "a\u00a0b"},
        {"slugline": "s" * 201},
        {"headline": "h" * 501},
    ]
)


@st.composite
def hostile_json(draw: st.DrawFn) -> bytes:
    """A JSON file of one of the classes that ended in a traceback, or a good
    story damaged at random."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        story = _story(draw(BAD_TIMES))
    elif kind == 1:
        field = draw(st.sampled_from(TIME_FIELDS))
        story = _story(**{field: draw(BAD_TIMES)})
    elif kind == 2:
        story = _story(**draw(LONG_FIELDS))
    elif kind == 3:
        depth = draw(st.sampled_from([9, 50, 2000, 200_000]))
        opener = draw(st.sampled_from(["[", '{"a":']))
        closer = "]" if opener == "[" else "}"
        text = json.dumps(_story())[:-1] + ', "x": ' + opener * depth + closer * depth
        return (text + "}").encode()
    elif kind == 4:
        escape = draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud83d", "\\ude00x"]))
        where = draw(st.sampled_from(["headline", "body", "key"]))
        if where == "key":
            return ('{"' + escape + '": 1, "headline": "x"}').encode()
        text = json.dumps(_story()).replace('"Good story"', f'"Good {escape}"')
        if where == "body":
            text = text.replace('"<p>Body.</p>"', f'"<p>{escape}</p>"')
        return text.encode()
    elif kind == 5 and draw(st.booleans()):
        tag = draw(st.sampled_from(["<div>", "<blockquote>", "<b></p>", "<ul><li>"]))
        story = _story(body=tag * draw(st.sampled_from([101, 1001, 300_000])))
    elif kind == 5:
        digits = draw(st.sampled_from([4301, 10_000]))
        return (
            json.dumps(_story())[:-1] + ', "urgency": ' + "9" * digits + "}"
        ).encode()
    elif kind == 6:
        story = draw(json_article())
    else:
        raw = json.dumps(
            draw(json_article()), ensure_ascii=draw(st.booleans())
        ).encode()
        return _damage(draw, raw)
    return json.dumps(story, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def hostile_wire(draw: st.DrawFn) -> bytes:
    """Wire copy with odd bytes, huge lines, only a credits block, impossible
    dateline dates, or damaged at random."""
    kind = draw(st.integers(0, 5))
    text = draw(wire_copy())
    if kind == 0:
        day = draw(st.sampled_from(["Feb 30", "Feb 31", "Apr 31", "Jun 0", "Jun 99"]))
        text = f"Headline\n\nLIMA, {day} (Wire) - Text.\n"
    elif kind == 1:
        text = draw(
            st.sampled_from(
                [
                    "(Reporting by Ana Ruiz; Editing by Tom Ode)\n",
                    "(Reporting by A)\n\n(Editing by B)\n",
                    "Headline\n\nLIMA, Jun 2 (W) - (Reporting by A; Editing by B)\n",
                    "Headline\n\n(Reporting by A)\n",
                ]
            )
        )
    elif kind == 2:
        size = draw(st.sampled_from([10_000, 300_000]))
        where = draw(st.integers(0, 2))
        huge = draw(st.sampled_from(["x", "LIMA, ", "(", "By ", "é\t"])) * size
        parts = ["Headline", "LIMA, Jun 2 (Wire) - Text.", "More."]
        parts[where] = huge if where != 1 else parts[1] + huge
        text = "\n\n".join(parts) + "\n"
    elif kind == 3:
        raw = text.encode()
        odd = draw(st.sampled_from(ODD_BYTES))
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + odd + raw[at:]
    elif kind == 4:
        return _damage(draw, text.encode())
    return text.encode()


def _damage(draw: st.DrawFn, raw: bytes) -> bytes:
    """Cut, flip or insert bytes at random."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.integers(0, 2))
        if action == 0:
            raw = raw[:at]
        elif action == 1:
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at + 1 :]
        else:
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    return raw


# -- good files: accepted whatever else is in the batch -----------------------

_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1, max_size=8)


@st.composite
def good_json(draw: st.DrawFn, n: int) -> bytes:
    """A story every store takes: its own id, one-line fields with odd but
    allowed whitespace, a time anywhere in the schema's years."""
    story: dict[str, Any] = {
        "guid": f"urn:fuzz:good-{n}",
        "headline": f"Good {n}\t" + " ".join(draw(st.lists(_WORD, max_size=4))),
        "body": "<p>"
        + " ".join(draw(st.lists(_WORD, min_size=1, max_size=8)))
        + "</p>",
        "first_created": draw(time_text()),
    }
    if draw(st.booleans()):
        story["slugline"] = "GOOD\t" + draw(_WORD)
        story["keywords"] = [draw(_WORD) + "\n" + draw(_WORD)]
        story["copyright_notice"] = " \t"
    return json.dumps(story, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def good_wire(draw: st.DrawFn, n: int) -> bytes:
    """Wire copy every store takes (ingested with --date)."""
    month, day = draw(st.sampled_from(MONTHS)), draw(st.integers(1, 28))
    words = " ".join(draw(st.lists(_WORD, min_size=1, max_size=6)))
    return (
        f"Goodwire {n} {words}\n\nBy Ana Ruiz\n\n"
        f"LIMA,\tPeru, {month} {day} (Wire) - {words}.\n\n"
        f"More {words}. (Reporting by Ana Ruiz; Editing by Tom Ode)\n"
    ).encode()


# -- NewsML-G2 and ninjs --------------------------------------------------------

G2 = "http://iptc.org/std/nar/2006-10-01/"


def newsml_item(
    guid: str,
    headline: str,
    body: str,
    *,
    created: str = "2026-06-20T08:00:00Z",
    status: str = "usable",
    extra_meta: str = "",
    extra_content: str = "",
) -> str:
    """One text newsItem (no XML declaration: newsMessage items reuse it)."""
    return (
        f'<newsItem xmlns="{G2}" guid="{escape(guid, {chr(34): "&quot;"})}" '
        'version="1" standard="NewsML-G2" standardversion="2.35">'
        '<itemMeta><itemClass qcode="ninat:text"/>'
        f"<versionCreated>{escape(created)}</versionCreated>"
        f'<pubStatus qcode="stat:{status}"/>{extra_meta}</itemMeta>'
        f"<contentMeta><headline>{escape(headline)}</headline>{extra_content}"
        "</contentMeta><contentSet>"
        f'<inlineData contenttype="text/html">{escape(body)}</inlineData>'
        "</contentSet></newsItem>"
    )


def ninjs_item(guid: str, headline: str, body: str, **fields: Any) -> dict[str, Any]:
    return {
        "uri": guid,
        "type": "text",
        "versionCreated": "2026-06-20T08:00:00Z",
        "headlines": [{"role": "main", "value": headline}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": body}],
        **fields,
    }


@st.composite
def good_newsml(draw: st.DrawFn, n: int) -> bytes:
    """A NewsML-G2 item (or a newsMessage of two) every store takes."""
    words = " ".join(draw(st.lists(_WORD, min_size=1, max_size=6)))
    created = draw(time_text())
    first = newsml_item(
        f"urn:fuzz:newsml-{n}",
        f"Newsml {n}\t{words}",
        f"<p>{words}</p>",
        created=created,
    )
    if draw(st.booleans()):
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{first}'.encode()
    second = newsml_item(f"urn:fuzz:newsml-{n}-b", f"Second {words}", words)
    return (
        f'<newsMessage xmlns="{G2}"><header><sent>2026-06-20T08:00:00Z</sent>'
        f"</header><itemSet>{first}{second}</itemSet></newsMessage>"
    ).encode()


@st.composite
def good_ninjs(draw: st.DrawFn, n: int) -> bytes:
    """A ninjs item every store takes."""
    words = " ".join(draw(st.lists(_WORD, min_size=1, max_size=6)))
    item = ninjs_item(f"urn:fuzz:ninjs-{n}", f"Ninjs {n} {words}", f"<p>{words}</p>")
    item["versionCreated"] = draw(time_text())
    if draw(st.booleans()):
        item["subjects"] = [{"name": "labour", "literal": "medtop:09000000"}]
        item["by"] = "By " + draw(_WORD)
    return json.dumps(item, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def hostile_newsml(draw: st.DrawFn) -> bytes:
    """NewsML-G2 of the hostile classes (declarations, entities, a root of
    another kind, times that do not exist, fields past the limits, nesting past
    libxml2's, a body of only active content, a kill of an unknown article, a
    newsMessage with one bad item), or a good item damaged at random."""
    kind = draw(st.integers(0, 9))
    good = newsml_item("urn:fuzz:hostile", "Hostile", "<p>Body.</p>")
    if kind == 0:
        prolog = draw(
            st.sampled_from(
                [
                    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>',
                    '<!DOCTYPE newsItem SYSTEM "file:///etc/passwd">',
                    '<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/">]>',
                ]
            )
        )
        text = f'<?xml version="1.0"?>\n{prolog}\n' + good.replace("Body.", "&b;&e;")
    elif kind == 1:
        text = newsml_item("urn:fuzz:hostile", "Hostile", "x", created=draw(BAD_TIMES))
    elif kind == 2:
        field, value = draw(
            st.sampled_from(
                [
                    ("slugline", "s" * 201),
                    ("headline", "h" * 501),
                    ("keyword", "k" * 200),
                    ("urgency", "0"),
                    ("urgency", "9" * 5000),
                    ("language", "x"),
                ]
            )
        )
        element = (
            f'<language tag="{value}"/>'
            if field == "language"
            else f"<{field}>{value}</{field}>"
        )
        text = good.replace("<headline>", element + "<headline>")
        if field == "headline":
            text = newsml_item("urn:fuzz:hostile", value, "x")
    elif kind == 3:
        depth = draw(st.sampled_from([101, 300, 5000]))
        text = good.replace("<contentMeta>", "<contentMeta>" + "<a>" * depth)
    elif kind == 4:
        body = draw(
            st.sampled_from(
                [
                    "<script>x</script>",
                    "<div>" * 1001,
                    " ",
                    "<figure>" * 100_000,
                    '<p class="credit">Please credit Reuters</p>' * 50_000,
                    '<p class="credit a class="' * 100_000,
                ]
            )
        )
        text = newsml_item("urn:fuzz:hostile", "Hostile", body)
    elif kind == 5:
        guid = f"urn:fuzz:unknown-{draw(st.integers(0, 10**9))}"
        text = newsml_item(guid, "Gone", "", status="canceled")
    elif kind == 6:
        text = draw(
            st.sampled_from(
                [
                    "<rss><channel/></rss>",
                    "<newsItem guid='x'/>",
                    f'<newsItem xmlns="{G2}"><itemMeta><itemClass qcode="ninat:video"/>'
                    "</itemMeta></newsItem>",
                    f'<newsMessage xmlns="{G2}"><itemSet/></newsMessage>',
                    "<html><body><p>Hello<br></p></body></html>",
                ]
            )
        )
    elif kind == 7:
        bad = newsml_item("urn:fuzz:bad", "Bad", "x", created="2026-06-20T08:00:00")
        text = f'<newsMessage xmlns="{G2}"><itemSet>{good}{bad}</itemSet></newsMessage>'
    elif kind == 8:
        return _damage(draw, good.encode())
    else:
        odd = draw(st.sampled_from(ODD_BYTES))
        raw = good.encode()
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + odd + raw[at:]
    return text.encode()


@st.composite
def hostile_ninjs(draw: st.DrawFn) -> bytes:
    """ninjs of the hostile classes (a key twice, NaN, lone surrogates, nesting
    past the format's depth, times that do not exist, no headline, another
    type, a kill of an unknown article, fields past the limits), or a good item
    damaged at random."""
    kind = draw(st.integers(0, 8))
    good = ninjs_item("urn:fuzz:hostile-ninjs", "Hostile", "<p>Body.</p>")
    if kind == 0:
        text = json.dumps(good)[:-1] + ', "uri": "urn:again"}'
    elif kind == 1:
        text = json.dumps(good)[:-1] + ', "urgency": NaN}'
    elif kind == 2:
        text = json.dumps(good).replace('"Hostile"', '"\\ud800"')
    elif kind == 3:
        depth = draw(st.sampled_from([17, 2000, 200_000]))
        text = json.dumps(good)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    elif kind == 4:
        item = {**good, "versionCreated": draw(BAD_TIMES)}
        text = json.dumps(item)
    elif kind == 5:
        item = {k: v for k, v in good.items() if k != "headlines"}
        item["type"] = draw(st.sampled_from(["text", "picture", "composite"]))
        text = json.dumps(item)
    elif kind == 6:
        guid = f"urn:fuzz:unknown-ninjs-{draw(st.integers(0, 10**9))}"
        text = json.dumps(
            {
                "uri": guid,
                "pubStatus": "canceled",
                **{"versionCreated": "2026-06-20T08:00:00Z"},
            }
        )
    elif kind == 7 and draw(st.booleans()):
        body = draw(
            st.sampled_from(
                ["<figure" * 200_000, "<body" * 200_000, "<html><body>" * 100_000]
            )
        )
        text = json.dumps(ninjs_item("urn:fuzz:hostile-ninjs", "Hostile", body))
    elif kind == 7:
        field = draw(
            st.sampled_from(
                [
                    {"slugline": "s" * 201},
                    {"headlines": [{"value": "h" * 501}]},
                    {"urgency": 0},
                    {"urgency": "high"},
                    {"language": "en-" + "-".join(["abcdefgh"] * 10)},
                    {"uri": "u" * 257},
                ]
            )
        )
        text = json.dumps({**good, **field})
    else:
        return _damage(draw, json.dumps(good).encode())
    return text.encode()


@st.composite
def mixed_batch(draw: st.DrawFn) -> list[tuple[str, bytes, bool]]:
    """Files of one batch as (name, bytes, is it one of the good ones), in
    the order ingest reads them (sorted by name)."""
    files: list[tuple[str, bytes, bool]] = []
    kinds = ["good-json", "good-wire", "json", "wire"]
    kinds += ["good-newsml", "good-ninjs", "newsml", "ninjs"]
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(kinds))
        if kind == "good-newsml":
            files.append((f"{n:02d}-good.xml", draw(good_newsml(n)), True))
        elif kind == "good-ninjs":
            files.append((f"{n:02d}-good-ninjs.json", draw(good_ninjs(n)), True))
        elif kind == "newsml":
            files.append((f"{n:02d}-hostile.xml", draw(hostile_newsml()), False))
        elif kind == "ninjs":
            files.append((f"{n:02d}-hostile-ninjs.json", draw(hostile_ninjs()), False))
        elif kind == "good-json":
            files.append((f"{n:02d}-good.json", draw(good_json(n)), True))
        elif kind == "good-wire":
            files.append((f"{n:02d}-good.txt", draw(good_wire(n)), True))
        elif kind == "json":
            files.append((f"{n:02d}-hostile.json", draw(hostile_json()), False))
        else:
            files.append((f"{n:02d}-hostile.txt", draw(hostile_wire()), False))
    return files
