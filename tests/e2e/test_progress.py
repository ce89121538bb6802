"""Progress bars of ingest and verify (and publish's -q): on stderr only when it
is a terminal (a real pseudo-terminal here), never with -q or --json; the
results on stdout never share a line with the bar."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_config

STORY = {
    "headline": "Story {n} about clinics",
    "body": "<p>Doors opened at dawn in town {n}.</p>",
    "language": "en",
    "subjects": [{"qcode": "medtop:07000000", "name": "health"}],
    "first_created": "2026-06-16T16:00:00Z",
    "provider": "Test Desk",
}
FEED = """id = "{id}"
partner = "Partner {id}"
title = "Feed {id}"
description = "Stories for {id}"
link = "https://{id}.example/"
"""
FILES = 30


@pytest.fixture
def site(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for feed_id in ("alpha", "beta", "gamma"):
        (feeds / f"{feed_id}.toml").write_text(
            FEED.format(id=feed_id), encoding="utf-8"
        )
    stories = tmp_path / "stories"
    stories.mkdir()
    for n in range(FILES):
        story = {
            key: value.format(n=n) if isinstance(value, str) else value
            for key, value in STORY.items()
        }
        (stories / f"s{n:02d}.json").write_text(json.dumps(story), encoding="utf-8")
    (stories / "bad.json").write_text("{not json", encoding="utf-8")
    return write_config(tmp_path, feeds_dir=feeds)


def command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "syndication", "--config", str(config), *args]


def read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def on_terminal(
    config: Path, *args: str, stdout_too: bool = False
) -> tuple[int, str, str]:
    """Run with stderr (and with ``stdout_too`` stdout) on a pseudo-terminal:
    (exit code, the terminal's bytes, stdout when piped)."""
    main, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            command(config, *args),
            stdout=terminal if stdout_too else subprocess.PIPE,
            stderr=terminal,
            cwd=config.parent,
        )
        os.close(terminal)
        terminal = -1
        seen = read_all(main).decode("utf-8")
        out, _ = process.communicate()
    finally:
        os.close(main)
        if terminal >= 0:
            os.close(terminal)
    return process.returncode, seen, (out or b"").decode("utf-8")


def test_ingest_shows_files_done_rate_and_time_left_on_a_terminal(site: Path) -> None:
    stories = str(site.parent / "stories")
    code, terminal, out = on_terminal(site, "ingest", stories)
    assert code == 3, terminal  # the bad file
    assert "ingesting" in terminal
    assert f"{FILES + 1}/{FILES + 1}" in terminal
    assert "100%" in terminal
    assert " files/s, 0:00:" in terminal and " left" in terminal
    assert len(out.splitlines()) == FILES  # one line per stored file


def test_result_lines_and_logs_never_share_the_bar_s_line(site: Path) -> None:
    stories = str(site.parent / "stories")
    code, terminal, _ = on_terminal(site, "ingest", stories, stdout_too=True)
    assert code == 3, terminal
    # What each line of the terminal shows last: after its last carriage
    # return (the terminal ends lines with one too), with the bar's line erased.
    shown = [
        line.rstrip("\r").rsplit("\r", 1)[-1].removeprefix("\x1b[K")
        for line in terminal.split("\n")
    ]
    stored = [line for line in shown if ": new article urn:" in line]
    assert len(stored) == FILES
    assert all(line.startswith(stories) for line in stored), stored
    logged = [line for line in shown if " INFO syndication." in line]
    assert logged and all(line.startswith("20") for line in logged), logged
    done = f"{FILES + 1}/{FILES + 1}"
    assert [line for line in shown if line.startswith("ingesting") and done in line]


@pytest.mark.parametrize(
    "args",
    [
        ("-q", "ingest", "{stories}"),
        ("ingest", "{stories}", "--json"),
        ("-q", "verify"),
        ("verify", "--json"),
        ("-q", "publish"),
    ],
)
def test_no_bar_with_quiet_or_json(site: Path, args: tuple[str, ...]) -> None:
    stories = str(site.parent / "stories")
    code, terminal, _ = on_terminal(site, *(a.format(stories=stories) for a in args))
    assert code in (0, 3), terminal
    for label in ("ingesting", "verifying", "publishing"):
        assert label not in terminal


def test_verify_shows_feeds_done_on_a_terminal_only(site: Path) -> None:
    stories = str(site.parent / "stories")
    subprocess.run(command(site, "ingest", stories), capture_output=True, check=False)
    published = subprocess.run(
        command(site, "publish"), capture_output=True, text=True, check=False
    )
    assert published.returncode == 0, published.stderr
    code, terminal, out = on_terminal(site, "verify")
    assert code == 0, terminal
    assert "verifying" in terminal and "3/3" in terminal and " feeds/s" in terminal
    assert out.splitlines()[-1].startswith("3 feed(s)")
    piped = subprocess.run(
        command(site, "verify"), capture_output=True, text=True, check=False
    )
    assert piped.returncode == 0
    assert "verifying" not in piped.stderr
