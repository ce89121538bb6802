"""Progress output of publish: a progress bar on stderr only when stderr is a
terminal (a real pseudo-terminal here), plain lines otherwise; the summary always
goes to stdout."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_config

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FEED = """id = "{id}"
partner = "Partner {id}"
title = "Feed {id}"
description = "Stories for {id}"
link = "https://{id}.example/"
"""
# The shared item is written once, by the first feed that carries it.
SUMMARY = "3 feed(s) (3 published): 14 document(s) written, 4 skipped, 0 failed"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for feed_id in ("alpha", "beta", "gamma"):
        (feeds / f"{feed_id}.toml").write_text(
            FEED.format(id=feed_id), encoding="utf-8"
        )
    path = write_config(tmp_path, feeds_dir=feeds)
    store = open_store(load_settings(path).store_url)
    for n in range(2):
        store.append(
            Version(
                guid=f"urn:test:{n}",
                headline=f"Story {n}",
                body=f"<p>Body {n}.</p>",
                version_created=T0 + timedelta(minutes=n),
                first_created=T0 + timedelta(minutes=n),
                subjects=(Subject("medtop:06000000", "environment"),),
            )
        )
    store.close()
    return path


def command(config: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "syndication",
        "--config",
        str(config),
        "publish",
        "--at",
        "2026-11-27T12:00:00Z",
    ]


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


def test_progress_bar_on_a_terminal(config: Path) -> None:
    main, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            command(config),
            stdout=subprocess.PIPE,
            stderr=terminal,
            cwd=config.parent,
        )
        os.close(terminal)
        terminal = -1
        err = read_all(main).decode("utf-8")
        out, _ = process.communicate()
    finally:
        os.close(main)
        if terminal >= 0:
            os.close(terminal)
    assert process.returncode == 0, err
    assert "publishing" in err
    assert "100%" in err
    assert out.decode("utf-8").splitlines()[-1] == SUMMARY


def test_plain_lines_when_not_a_terminal(config: Path) -> None:
    done = subprocess.run(
        command(config), capture_output=True, text=True, cwd=config.parent
    )
    assert done.returncode == 0, done.stderr
    assert "publishing" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("alpha → local: published, 6 written, 0 skipped")
    assert lines[-1] == SUMMARY


def test_json_output_has_no_progress_bar_even_on_a_terminal(config: Path) -> None:
    main, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [*command(config), "--json"],
            stdout=subprocess.PIPE,
            stderr=terminal,
            cwd=config.parent,
        )
        os.close(terminal)
        terminal = -1
        err = read_all(main).decode("utf-8")
        out, _ = process.communicate()
    finally:
        os.close(main)
        if terminal >= 0:
            os.close(terminal)
    assert process.returncode == 0, err
    assert "publishing" not in err
    assert out.decode("utf-8").startswith("{")
