"""Fuzzing the definition files: feed files and site configurations made of valid
TOML with random types, nesting, huge numbers and odd strings for every key (and
some files that are not TOML at all). Whatever the file, the only error is a
ConfigError naming the file (and the key, once the file is TOML), `feeds check`
exits 0 or 3, and a good feed beside a bad one is still loaded."""

from __future__ import annotations

import json
import math
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import write_config
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from syndication.cli import cli
from syndication.config import load_settings
from syndication.errors import ConfigError
from syndication.feeds import load_feeds

# Examples per test; the figure in the report is the sum over this module.
EXAMPLES = 250

GOOD_FEED: dict[str, Any] = {
    "id": "zz-anchor",
    "partner": "Anchor partner",
    "title": "Anchor",
    "description": "The feed beside the fuzzed one",
    "link": "https://anchor.example/",
    "destination": {"path": "zz-anchor-folder"},
}
FUZZED_FEED: dict[str, Any] = {
    "id": "fuzzed",
    "partner": "P",
    "title": "T",
    "description": "D",
    "link": "https://fuzzed.example/",
    "formats": ["rss", "atom"],
    "limit": 10,
    "selection": {
        "subjects": ["medtop:06000000"],
        "keywords": ["k"],
        "languages": ["en"],
        "providers": ["p"],
        "max_urgency": 5,
        "window": "7d",
    },
    "credit": {"line": "Credit", "append_paragraph": True},
    "destination": {"name": "local", "path": "fuzzed"},
    "schedule": {"interval": "15m", "timezone": "UTC"},
}
SITE_KEYS = {
    "agency": ["name", "url", "id_prefix", "credit_line", "copyright_holder"],
    "store": ["url"],
    "paths": ["feeds", "schemas"],
    "validation": ["newsml_official_xsd"],
    "ingest": ["max_bytes"],
    "publish": [
        "default_destination",
        "websub_hub",
        "cache_control_index",
        "cache_control_item",
        "lock_timeout_seconds",
        "upload_concurrency",
    ],
    "scheduler": ["misfire_grace_seconds", "embargo_poll_seconds"],
    "destinations.s3": ["type", "bucket", "prefix", "endpoint_url", "region"],
    "destinations.local": ["type", "path", "public_base_url"],
}

# -- TOML values -----------------------------------------------------------------

odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "..",
            "../../etc",
            "a/../b",
            "/abs",
            "javascript:alert(1)",
            "not a url",
            "http://",
            "https://x.example:99999/",
            "medtop:",
            ":x",
            "\u0000",
            "\u202e",
            "rss",
            "7d",
            "0s",
            "99999999999999999999999d",
            "61 * * * *",
            "*/0 * * * *",
            "Mars/Olympus",
            "local",
            "s3",
            "x" * 5000,
            "ü" * 300,
        ]
    ),
)
huge_int = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([0, -1, 1, 2**63, -(2**63) - 1, 10**4000]),
)
scalar = st.one_of(
    odd_text,
    huge_int,
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.times(),
)
toml_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)
deep_value = st.one_of(st.integers(min_value=1, max_value=20), st.just(4000)).map(
    lambda depth: _Raw("[" * depth + "]" * depth)
)
any_value = st.one_of(*[toml_value] * 9, deep_value)


class _Raw(str):
    """TOML text written as it is."""


def to_toml(value: Any) -> str:
    """A TOML literal for ``value`` (an inline table for a mapping)."""
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _Raw("9" * 5000) if abs(value) > 10**1000 else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(to_toml(v) for v in value) + "]"
    return (
        "{" + ", ".join(f"{_string(k)} = {to_toml(v)}" for k, v in value.items()) + "}"
    )


def _string(text: str) -> str:
    """A TOML basic string; a lone surrogate becomes an escape TOML refuses
    (invalid TOML is a case too)."""
    escaped = "".join(
        f"\\u{ord(c):04x}"
        if ord(c) < 0x20 or c in '"\\\x7f' or 0xD800 <= ord(c) < 0xE000
        else c
        for c in text
    )
    return f'"{escaped}"'


def document(table: dict[str, Any]) -> str:
    return "".join(f"{_string(k)} = {to_toml(v)}\n" for k, v in table.items())


@st.composite
def feed_documents(draw: st.DrawFn) -> bytes:
    """A feed file: the good one with some keys (top level or in a table)
    replaced, removed or added, or now and then bytes that are not TOML."""
    if draw(st.integers(0, 19)) == 0:
        return draw(
            st.one_of(st.binary(max_size=60), st.sampled_from([b"a = [", b"\xff"]))
        )
    table = json.loads(json.dumps(FUZZED_FEED))
    for _ in range(draw(st.integers(1, 4))):
        section = draw(
            st.sampled_from(
                [None, *[k for k, v in table.items() if isinstance(v, dict)]]
            )
        )
        target = table if section is None else table[section]
        key = draw(
            st.one_of(
                st.sampled_from(sorted(target) or ["x"]),
                st.text(min_size=1, max_size=6),
            )
        )
        if draw(st.integers(0, 5)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(any_value)
    return document(table).encode("utf-8", "surrogatepass")


def _assert_problem(problem: Any, path: Path) -> None:
    assert problem.path == str(path)
    assert problem.message
    parsed = not problem.message.startswith(("invalid TOML", "not UTF-8"))
    assert problem.key or not parsed, problem


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=feed_documents())
def test_any_feed_file_is_a_feed_or_problems_with_file_and_key(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "anchor.toml").write_text(document(GOOD_FEED), "utf-8")
        fuzzed = root / "fuzzed.toml"
        fuzzed.write_bytes(content)
        feed_set = load_feeds(root, ["local"])  # never raises
        mine = [p for p in feed_set.problems if p.path == str(fuzzed)]
        for problem in mine:
            _assert_problem(problem, fuzzed)
        loaded = [f for f in feed_set.feeds.values() if f.source == fuzzed]
        assert bool(loaded) != bool(mine)  # loaded, or refused with a reason
        event(
            "loaded"
            if loaded
            else f"refused at [{mine[0].key.split('[')[0]}]"
            + ("" if mine[0].key else mine[0].message[:24])
        )
        if "zz-anchor" not in feed_set.feeds:  # the fuzzed feed took its id or folder
            assert all(
                p.path == str(fuzzed) or str(fuzzed) in p.message
                for p in feed_set.problems
            )


@settings(
    max_examples=EXAMPLES // 5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=feed_documents())
def test_feeds_check_exits_0_or_3_without_a_traceback(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        feeds = root / "feeds"
        feeds.mkdir()
        (feeds / "anchor.toml").write_text(document(GOOD_FEED), "utf-8")
        (feeds / "fuzzed.toml").write_bytes(content)
        config = write_config(root, feeds_dir=feeds)
        result = CliRunner().invoke(cli, ["--config", str(config), "feeds", "check"])
        assert result.exit_code in (0, 3), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        listed = CliRunner().invoke(cli, ["--config", str(config), "feeds", "list"])
        assert listed.exit_code == 0
        if result.exit_code == 0:
            assert "fuzzed" in listed.stdout


@st.composite
def site_documents(draw: st.DrawFn) -> tuple[str, str, str]:
    """(section, key, TOML value) to put into an otherwise good configuration."""
    section = draw(st.sampled_from(sorted(SITE_KEYS)))
    key = draw(
        st.one_of(st.sampled_from(SITE_KEYS[section]), st.text(min_size=1, max_size=6))
    )
    return section, key, to_toml(draw(any_value))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(change=site_documents())
def test_any_site_configuration_is_settings_or_problems_with_file_and_key(
    change: tuple[str, str, str],
) -> None:
    section, key, value = change
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = write_config(root)
        text = path.read_text("utf-8")
        line = f"{_string(key)} = {value}\n"
        header = f"[{section}]\n"
        if header in text:
            lines = text.split(header, 1)
            # Drop the key's good value so the new one is not a duplicate.
            rest = "".join(
                ln
                for ln in lines[1].splitlines(keepends=True)
                if ln.split("=")[0].strip() != key
            )
            text = lines[0] + header + line + rest
        else:
            extra = (
                'type = "s3"\nbucket = "b"\n' if section == "destinations.s3" else ""
            )
            if key in ("type", "bucket"):
                extra = "".join(
                    ln
                    for ln in extra.splitlines(keepends=True)
                    if not ln.startswith(key)
                )
            text += f"\n{header}{extra}{line}"
        path.write_text(text, "utf-8", errors="surrogatepass")
        try:
            load_settings(path)
        except ConfigError as error:
            for problem in error.problems:
                _assert_problem(problem, path)
            event(f"refused at [{error.problems[0].key.split('[')[0]}]")
        else:
            event("loaded")
