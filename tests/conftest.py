"""Shared fixtures: temporary SQLite stores, the machine's PostgreSQL, a moto S3
server on 127.0.0.1, the sample stories from ../shared, and a fixed clock."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE_WIRE = SHARED / "samples" / "wire" / "trafficking-cambodia.txt"
OFFICIAL_XSD = SHARED / "schemas" / "newsml-g2" / "NewsML-G2_2.35-spec-All-Power.xsd"
NINJS_DIR = SHARED / "schemas" / "ninjs"
NINJS_SCHEMA = NINJS_DIR / "ninjs-schema_3.1.json"
PG_ENV = "SYNDICATION_TEST_POSTGRES_URL"
REDIS_ENV = "SYNDICATION_TEST_REDIS_URL"

# A fixed "now" for builds, so documents are byte-identical run to run.
AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def at() -> datetime:
    return AT


@pytest.fixture(scope="session")
def sample_wire() -> Path:
    if not SAMPLE_WIRE.is_file():
        pytest.skip(f"sample story not found at {SAMPLE_WIRE}")
    return SAMPLE_WIRE


@pytest.fixture(scope="session")
def official_xsd() -> Path:
    if not OFFICIAL_XSD.is_file():
        pytest.skip(f"official NewsML-G2 XSD not found at {OFFICIAL_XSD}")
    return OFFICIAL_XSD


@pytest.fixture(scope="session")
def ninjs_schema() -> Path:
    if not NINJS_SCHEMA.is_file():
        pytest.skip(f"IPTC's ninjs 3.1 schema not found at {NINJS_SCHEMA}")
    return NINJS_SCHEMA


def write_config(
    folder: Path,
    *,
    store_url: str | None = None,
    feeds_dir: Path | None = None,
    extra: str = "",
) -> Path:
    """Write a site configuration for tests into ``folder``; returns its path.

    The agency's credit line is the repository's configured one (config/), so
    tests check against exactly what operators ship.
    """
    import tomllib

    shipped = tomllib.loads((REPO / "config" / "syndication.toml").read_text("utf-8"))
    agency = shipped["agency"]
    store_url = store_url or f"sqlite:///{folder / 'store.db'}"
    feeds_dir = feeds_dir or (REPO / "feeds")
    lines = ["[agency]"]
    lines += [f"{key} = {_toml(value)}" for key, value in agency.items()]
    lines += [
        "",
        "[store]",
        f"url = {_toml(store_url)}",
        "",
        "[paths]",
        f"feeds = {_toml(str(feeds_dir))}",
        "",
        "[validation]",
        f"newsml_official_xsd = {_toml(str(OFFICIAL_XSD))}",
        f"ninjs_schema = {_toml(str(NINJS_SCHEMA))}",
        "",
        "[destinations.local]",
        'type = "local"',
        f"path = {_toml(str(folder / 'public'))}",
        "",
        extra,
    ]
    path = folder / "syndication.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _toml(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def settings(config_file: Path):  # type: ignore[no-untyped-def]
    from syndication.config import load_settings

    return load_settings(config_file)


# -- stores -------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"${PG_ENV} is not set; PostgreSQL tests need a server")
    from sqlalchemy import create_engine, text

    from syndication.store.sql import engine_url

    engine = create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        pytest.fail(
            f"${PG_ENV} is set to {url} but the server cannot be reached: {exc}"
        )
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_url(postgres_base_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    from sqlalchemy import create_engine, text

    from syndication.store.sql import engine_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(engine_url(postgres_base_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in postgres_base_url else "?"
    yield f"{postgres_base_url}{separator}options=-csearch_path%3D{schema}"
    with engine.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.external_service),
    ]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.external_service),
    ]
)
def new_store_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Makes URLs of new, empty stores of one backend: hypothesis tests give each
    example its own store (a fresh SQLite file, a fresh PostgreSQL schema)."""
    made: list[str] = []
    base_url = (
        str(request.getfixturevalue("postgres_base_url"))
        if request.param == "postgresql"
        else ""
    )

    def make() -> str:
        if base_url:
            url = new_schema_url(base_url)
        else:
            url = f"sqlite:///{tmp_path / f'store-{len(made)}.db'}"
        made.append(url)
        return url

    yield make
    if base_url:
        drop_schemas(base_url, made)


def new_schema_url(base_url: str) -> str:
    from sqlalchemy import create_engine, text

    from syndication.store.sql import engine_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(engine_url(base_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}"


def drop_schemas(base_url: str, urls: list[str]) -> None:
    from sqlalchemy import create_engine, text

    from syndication.store.sql import engine_url

    engine = create_engine(engine_url(base_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for url in urls:
            schema = url.rsplit("%3D", 1)[1]
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def store(store_url: str):  # type: ignore[no-untyped-def]
    from syndication.store import open_store

    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    from syndication.store import open_store

    opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


# -- Redis (the task queue's broker) ---------------------------------------------


@pytest.fixture(scope="session")
def redis_base_url() -> str:
    """The machine's Redis, from $SYNDICATION_TEST_REDIS_URL: skipped when
    unset, failing when set but unreachable (as PostgreSQL)."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"${REDIS_ENV} is not set; queue tests need a Redis server")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"${REDIS_ENV} is set to {url} but Redis cannot be reached: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture
def queue_name(redis_base_url: str) -> Iterator[str]:
    """A fresh ``[queue] name`` (its queues and key prefix in Redis); every key
    under it is deleted afterwards, so parallel tests never meet."""
    import redis

    name = f"syntest-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(redis_base_url)
    try:
        keys = list(client.scan_iter(match=f"{name}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# -- S3 -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """A real moto S3 server process on 127.0.0.1 (stoppable and restartable)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("moto_server")
        command = ([exe] if exe else [sys.executable, "-m", "moto.server"]) + [
            "-H",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urlopen(f"{self.endpoint_url}/moto-api/", timeout=1):
                    return
            except (URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto server did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def reset(self) -> None:
        from urllib.request import Request

        urlopen(
            Request(f"{self.endpoint_url}/moto-api/reset", method="POST"), timeout=5
        )


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for the moto server; never real ones."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(autouse=True)
def _reset_cli_logging() -> Iterator[None]:
    """The CLI gives the ``syndication`` logger its own stderr handler and stops
    propagation; undo that after each test so caplog sees later tests' logs."""
    import logging

    yield
    logger = logging.getLogger("syndication")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long runs (``SYNDICATION_LONG_RUN=1``: hundreds of sequences or
    files a test, minutes each) have no time limit; the default run keeps the
    300 s one (pyproject.toml) that turns a hang into a stack dump."""
    if os.environ.get("SYNDICATION_LONG_RUN") == "1":
        for item in items:
            item.add_marker(pytest.mark.timeout(0))
