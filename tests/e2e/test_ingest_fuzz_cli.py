"""Fuzzing ingest through the CLI: batches mixing good stories with hostile
files (the issue's classes: dates that do not exist, times whose UTC
overflows, JSON nested past the stack, lone surrogates, fields longer than the
PostgreSQL columns, odd bytes, huge lines, a wire story that is only a credits
block, impossible datelines; and random damage), JSON and wire copy, NewsML-G2
(declarations and entities, other roots, nesting past libxml2's limit, kills of
unknown articles, a newsMessage with one bad item) and ninjs, with FIFOs and
odd file names beside them.

Every batch: no traceback, exit code 0 or 3, one verdict per file, every good
file stored, a refused file stores nothing (versions counted before and after),
and SQLite and PostgreSQL give the same verdict per file. Each example gets new
stores. ``syndication ingest`` runs in-process (click's CliRunner) and, once, as
a subprocess. Bounded by default; SYNDICATION_LONG_RUN=1 runs many more batches
(README, "Testing").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, drop_schemas, new_schema_url, write_config
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ingest_strategies import examples, mixed_batch

from syndication.cli import cli
from syndication.store import open_store

Batch = list[tuple[str, bytes, bool]]
FUZZ = hypothesis_settings(
    max_examples=examples(40, 1000),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def write_batch(folder: Path, batch: Batch, *, fifo: bool) -> None:
    folder.mkdir(parents=True)
    for name, raw, _good in batch:
        (folder / name).write_bytes(raw)
    if fifo:
        os.mkfifo(folder / "50-fifo.json")  # skipped with a warning, never read


def ingest(config: Path, folder: Path) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "ingest",
            "--json",
            "--date",
            "2026-06-25",
            str(folder),
        ],
    )


def versions_in(store_url: str) -> int:
    store = open_store(store_url)
    try:
        return sum(1 for _ in store.iter_all())
    finally:
        store.close()


@dataclass(frozen=True)
class Site:
    """A configuration and its store, kept for all of a test's examples (a
    new PostgreSQL store per example costs a schema and its migrations): both
    backends see the same batches in the same order, so their verdicts must
    agree whatever the earlier batches stored."""

    config: Path
    store_url: str


def verdicts(site: Site, folder: Path, batch: Batch, *, fifo: bool) -> dict[str, str]:
    """Ingest ``batch``; check what every batch must hold and return each
    file's verdict (its action, or ``refused``)."""
    write_batch(folder, batch, fifo=fifo)
    before = versions_in(site.store_url)
    result = ingest(site.config, folder)
    assert result.exit_code in (0, 3), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    stored = {Path(s["path"]).name: s["action"] for s in report["stored"]}
    refused = {Path(p["path"]).name for p in report["problems"]}
    names = {name for name, _raw, _good in batch}
    assert stored.keys() | refused == names  # every file a verdict, no more
    assert not stored.keys() & refused  # and only one
    assert (result.exit_code == 3) == bool(refused)
    assert {n for n, _raw, good in batch if good} <= stored.keys()
    # A NewsML-G2 newsMessage stores several stories from one file.
    created = sum(s["action"] != "unchanged" for s in report["stored"])
    assert versions_in(site.store_url) - before == created  # refused: nothing stored
    if refused:
        assert f"{len(refused)} of {len(names)} file(s) could not be ingested" in (
            result.stderr
        )
    if fifo:
        assert "50-fifo.json: skipped: a FIFO (named pipe)" in result.stderr
    return {**stored, **dict.fromkeys(refused, "refused")}


@pytest.fixture
def sqlite_site(tmp_path: Path) -> Site:
    folder = tmp_path / "sqlite"
    folder.mkdir()
    url = f"sqlite:///{folder / 'store.db'}"
    return Site(write_config(folder, store_url=url), url)


@pytest.fixture
def postgresql_site(tmp_path: Path, postgres_base_url: str) -> Iterator[Site]:
    folder = tmp_path / "postgresql"
    folder.mkdir()
    url = new_schema_url(postgres_base_url)
    yield Site(write_config(folder, store_url=url), url)
    drop_schemas(postgres_base_url, [url])


@pytest.mark.slow
@FUZZ
@given(batch=mixed_batch(), fifo=st.booleans())
def test_hostile_batches_are_messages_and_good_files_are_stored(
    batch: Batch, fifo: bool, sqlite_site: Site, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("batch") / "in"
    found = verdicts(sqlite_site, folder, batch, fifo=fifo)
    for verdict in found.values():
        event(verdict)


@pytest.mark.slow
@pytest.mark.external_service
@FUZZ
@given(batch=mixed_batch())
def test_sqlite_and_postgresql_give_the_same_verdicts(
    batch: Batch, sqlite_site: Site, postgresql_site: Site, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("batch")
    on_sqlite = verdicts(sqlite_site, root / "sqlite", batch, fifo=False)
    on_postgresql = verdicts(postgresql_site, root / "postgresql", batch, fifo=False)
    assert on_postgresql == on_sqlite


# The classes, each once, for the subprocess run.
HOSTILE: dict[str, bytes] = {
    "feb-30.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "2026-02-30T08:00:00Z"}',
    "hour-24.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "2026-06-20T24:00:00Z"}',
    "offset-24.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "2026-06-20T08:00:00+24:00"}',
    "leap-second.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "2026-06-20T23:59:60Z"}',
    "arabic-digits.json": '{"headline": "x", "body": "y", '
    '"first_created": "\u0662\u0660\u0662\u0666-06-20T08:00:00Z"}'.encode(),
    "year-1.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "0001-01-01T00:00:00+01:00"}',
    "year-9999.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "9999-12-31T23:59:00-01:00"}',
    "deep.json": b'{"headline": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "surrogate.json": b'{"headline": "x\\ud800", "body": "y", '
    b'"first_created": "2026-06-20T08:00:00Z"}',
    "long-language.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "2026-06-20T08:00:00Z", "language": "en-'
    + b"-".join([b"abcdefgh"] * 10)
    + b'"}',
    "long-keyword.json": b'{"headline": "x", "body": "y", '
    b'"first_created": "2026-06-20T08:00:00Z", "keywords": ["'
    + "\u0130".encode() * 100
    + b'"]}',
    "odd-bytes.txt": b"Head\xffline\n\nLIMA, Jun 2 (W) - x\n",
    "only-credits.txt": b"(Reporting by Ana Ruiz; Editing by Tom Ode)\n",
    "feb-30.txt": b"Headline\n\nLIMA, Feb 30 (Wire) - Text.\n",
    os.fsdecode(b"name-\xff.json"): b"{",  # a name that is not UTF-8
}


# Odd but good: stored.
ACCEPTED: dict[str, bytes] = {
    "good.json": json.dumps(
        {
            "guid": "urn:fuzz:good",
            "headline": "Good\tstory",
            "body": "<p>Body.</p>",
            "first_created": "2026-06-20T08:00:00Z",
            "keywords": ["flood\nrisk"],
            "copyright_notice": " ",
        }
    ).encode(),
    "huge-line.txt": b"Huge\n\nLIMA, Jun 2 (W) - " + b"y" * 900_000 + b"\n",
}
COMMAND = [sys.executable, "-m", "syndication", "--config"]


def test_ingest_as_a_subprocess_names_every_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, raw in {**HOSTILE, **ACCEPTED}.items():
        (folder / name).write_bytes(raw)
    (folder / "loop-a.json").symlink_to(folder / "loop-b.json")
    (folder / "loop-b.json").symlink_to(folder / "loop-a.json")
    os.mkfifo(folder / "fifo.json")
    config = write_config(tmp_path)
    result = subprocess.run(
        [*COMMAND, str(config), "ingest", "--date", "2026-06-25", str(folder)],
        capture_output=True,
        cwd=REPO,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 3, stderr
    assert "Traceback" not in stdout + stderr
    assert f"{folder / 'good.json'}: new article urn:fuzz:good (version 1)" in stdout
    assert f"{folder / 'huge-line.txt'}: new article " in stdout
    assert "fifo.json: skipped: a FIFO (named pipe)" in stderr
    assert "loop-a.json: cannot read: Too many levels of symbolic links" in stderr
    bad, total = len(HOSTILE) + 2, len(HOSTILE) + 2 + len(ACCEPTED)
    assert f"{bad} of {total} file(s) could not be ingested" in stderr
    for name in HOSTILE:
        shown = name.replace("\udcff", "\\xff")  # as display_path shows it
        assert f"  {folder / shown}" in stderr, name
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        assert len([v.guid for v in store.iter_all()]) == len(ACCEPTED)
    finally:
        store.close()
