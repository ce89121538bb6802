"""Site configuration: loaded once, validated, errors name file and key."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import REPO, write_config

from syndication.config import load_settings
from syndication.errors import ConfigError


def test_shipped_config_loads() -> None:
    settings = load_settings(REPO / "config" / "syndication.toml")
    assert settings.agency.name
    assert "that covers that covers" not in settings.agency.credit_line
    # Relative to config/, they name what the quickstart always used: the
    # repository's syndication.db, feeds/ and public/.
    assert settings.store_url == f"sqlite:///{REPO / 'syndication.db'}"
    assert settings.feeds_dir == REPO / "feeds"
    assert settings.destinations["local"].options["path"] == str(REPO / "public")


def test_environment_variable_names_the_file(tmp_path: Path, monkeypatch) -> None:
    path = write_config(tmp_path)
    monkeypatch.setenv("SYNDICATION_CONFIG", str(path))
    assert load_settings().store_url == f"sqlite:///{tmp_path / 'store.db'}"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "[stor]\nurl = 'x'",
            r"\[stor\]: unknown section; expected one of agency, archive, destinations",
        ),
        (
            "[ingest]\nmax_byte = 3",
            r"\[ingest.max_byte\]: unknown key; expected one of max_bytes",
        ),
        (
            "[ingest]\nmax_bytes = '3'",
            r"\[ingest.max_bytes\]: expected an integer, got str '3'",
        ),
        ("[publish]\ndefault_destination = 'nowhere'", r"names destination 'nowhere'"),
        (
            "[destinations.x]\npath = 'p'",
            r"\[destinations.x.type\]: missing required value",
        ),
        (
            "[scheduler]\nverify_interval = 'daily'",
            r"\[scheduler.verify_interval\]: expected a duration such as '15m'",
        ),
        (
            "[scheduler]\nverify_repair = 'yes'",
            r"\[scheduler.verify_repair\]: expected true or false, got str 'yes'",
        ),
    ],
)
def test_bad_values_name_file_and_key(tmp_path: Path, extra: str, message: str) -> None:
    path = write_config(tmp_path, extra=extra)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path)
    assert str(info.value).startswith(str(path))


def test_missing_required_agency_value(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[agency]\nname = "A"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[agency.url\]: missing required value"):
        load_settings(path)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[agency\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(bad)


# -- every problem at once, unused destinations too ---------------------------------


def test_an_unused_s3_destination_is_checked_with_every_problem(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        extra='[destinations.spare]\ntype = "s3"\nprefix = "wire/../other"\n'
        'aws_secret_access_key = "AKIA…"\nendpoint_url = "file:///etc"\n'
        "max_attempts = 1" + "0" * 40 + "\nbogus = 1\n",
    )
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert [(p.key, p.message) for p in raised.value.problems] == [
        ("destinations.spare.bucket", "missing required value"),
        (
            "destinations.spare.prefix",
            "unsafe folder name '..': each part between '/' must be 1 to 64 letters, "
            "digits, '-', '_', '.' or '~', not starting with '.' or '~'",
        ),
        (
            "destinations.spare.endpoint_url",
            "expected an absolute http(s) URL, got 'file:///etc'",
        ),
        ("destinations.spare.max_attempts", "expected 1 to 20, got <41-digit number>"),
        (
            "destinations.spare.aws_secret_access_key",
            "credentials never go in the configuration file; use the standard AWS "
            "chain (environment, ~/.aws, instance role) or 'profile'",
        ),
        (
            "destinations.spare.bogus",
            "unknown key; expected one of addressing_style, bucket, "
            "cache_control_index, cache_control_item, conditional_writes, "
            "connect_timeout, endpoint_url, item_documents, "
            "max_attempts, prefix, profile, public_base_url, read_timeout, region, "
            "request_checksum_calculation, response_checksum_validation",
        ),
    ]
    assert {p.path for p in raised.value.problems} == {str(path)}


@pytest.mark.parametrize(
    ("extra", "key", "message"),
    [
        (
            '[destinations.x]\ntype = "ftp"',
            "destinations.x.type",
            "unknown destination type 'ftp'; known: local, s3",
        ),
        (
            "[destinations.x]\ntype = 3",
            "destinations.x.type",
            "expected a string (local or s3), got 3",
        ),
        ("[destinations]\nx = 3", "destinations.x", "expected a table"),
        (
            '[destinations."a b"]\ntype = "local"',
            "destinations.'a b'",
            "destination names hold only",
        ),
        (
            '[destinations.x]\ntype = "local"\npath = "a\\u0000b"',
            "destinations.x.path",
            "control character",
        ),
        (
            '[destinations.x]\ntype = "local"\npublic_base_url = "javascript:x"',
            "destinations.x.public_base_url",
            "absolute http(s) URL",
        ),
        (
            '[destinations.x]\ntype = "s3"\nbucket = "b"\nregion = "../x"',
            "destinations.x.region",
            "expected a region",
        ),
        (
            '[destinations.x]\ntype = "s3"\nbucket = "b"\naddressing_style = "x"',
            "destinations.x.addressing_style",
            "expected 'auto', 'virtual' or 'path', got str 'x'",
        ),
        (
            '[destinations.x]\ntype = "s3"\nbucket = "b"\n'
            'cache_control_item = "immutable"',
            "destinations.x.cache_control_item",
            "'immutable' is not allowed",
        ),
        (
            "[publish]\nlock_timeout_seconds = nan",
            "publish.lock_timeout_seconds",
            "expected a finite number, got float nan",
        ),
        (
            "[publish]\nlock_timeout_seconds = inf",
            "publish.lock_timeout_seconds",
            "expected a finite number",
        ),
        (
            "[scheduler]\nmisfire_grace_seconds = 0",
            "scheduler.misfire_grace_seconds",
            "expected 1 to 604800, got 0",
        ),
        (
            "[scheduler]\nembargo_poll_seconds = 0.0",
            "scheduler.embargo_poll_seconds",
            "expected 0.05 to 3600.0",
        ),
        (
            "[scheduler]\nmetrics_address = '127.0.0.1'",
            "scheduler.metrics_address",
            "expected HOST:PORT (port 1 to 65535) such as 127.0.0.1:9464",
        ),
        (
            "[scheduler]\nmetrics_address = ':9464'",
            "scheduler.metrics_address",
            "expected HOST:PORT",
        ),
        (
            "[scheduler]\nmetrics_address = '127.0.0.1:70000'",
            "scheduler.metrics_address",
            "got '127.0.0.1:70000'",
        ),
        (
            # A digit to str.isdigit, which int() refuses.
            "[scheduler]\nmetrics_address = '127.0.0.1:\u00b2'",
            "scheduler.metrics_address",
            "expected HOST:PORT",
        ),
        (
            '[destinations.x]\ntype = "s3"\nbucket = "b"\n'
            'cache_control_item = "public, max-age=\u00b2"',
            "destinations.x.cache_control_item",
            "must be a whole number of seconds",
        ),
        (
            "[scheduler]\nhealth_max_tick_age_seconds = 0.5",
            "scheduler.health_max_tick_age_seconds",
            "expected 1.0 to 86400.0, got 0.5",
        ),
        (
            "[ledger]\nkeep_unchanged_days = 0",
            "ledger.keep_unchanged_days",
            "expected 1 to 36500, got 0",
        ),
        (
            "[ingest]\nmax_bytes = -1",
            "ingest.max_bytes",
            "expected 1 to 1000000000, got -1",
        ),
        ('[publish]\nwebsub_hub = "hub"', "publish.websub_hub", "absolute http(s) URL"),
        (
            "[publish]\nupload_concurrency = 65",
            "publish.upload_concurrency",
            "parallel uploads from 1 to 64, got 65",
        ),
    ],
)
def test_hostile_site_values_name_file_and_key(
    tmp_path: Path, extra: str, key: str, message: str
) -> None:
    path = write_config(tmp_path, extra=extra)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert [p.key for p in raised.value.problems] == [key]
    assert message in raised.value.problems[0].message


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b'[agency]\nname = "caf\xe9"\n'), "not UTF-8 text"),
        (lambda p: p.mkdir(), "not a regular file"),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.write_bytes(b"x" * 1_000_001), "larger than 1,000,000 bytes"),
    ],
)
def test_a_configuration_that_cannot_be_read(tmp_path: Path, make, message) -> None:
    path = tmp_path / "site.toml"
    make(path)
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings(path)
    assert raised.value.path == str(path)


def test_two_destination_names_for_one_place_share_a_root(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        extra=f'[destinations.mirror]\ntype = "local"\npath = "{tmp_path}/./PUBLIC"\n'
        '[destinations.a]\ntype = "s3"\nbucket = "feeds"\nprefix = "/wire/"\n'
        '[destinations.b]\ntype = "s3"\nbucket = "Feeds"\nprefix = "wire"\n',
    )
    settings = load_settings(path)
    roots = {name: d.root for name, d in settings.destinations.items()}
    assert roots["local"] == roots["mirror"]  # compared without case
    assert roots["a"] == roots["b"] == ("s3", "aws", "feeds", "wire")


def test_a_store_url_of_no_known_kind_and_a_section_of_the_wrong_shape(
    tmp_path: Path,
) -> None:
    path = write_config(tmp_path, store_url="mysql://x")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert str(raised.value) == (
        f"{path} [store.url]: expected sqlite:///FILE or "
        "postgresql://USER@HOST/DATABASE, got 'mysql://x'"
    )
    path.write_text("agency = []\n", "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert str(raised.value) == f"{path} [agency]: expected a table, got list []"


@pytest.mark.parametrize(
    ("extra", "interval", "repair"),
    [
        ("", timedelta(hours=24), True),
        ("[scheduler]\nverify_interval = '6h'", timedelta(hours=6), True),
        ("[scheduler]\nverify_interval = 'off'\nverify_repair = false", None, False),
    ],
)
def test_scheduled_verification_is_daily_with_repair_by_default(
    tmp_path: Path, extra: str, interval: timedelta | None, repair: bool
) -> None:
    scheduler = load_settings(write_config(tmp_path, extra=extra)).scheduler
    assert (scheduler.verify_interval, scheduler.verify_repair) == (interval, repair)


@pytest.mark.parametrize(
    ("extra", "address", "tick_age", "keep"),
    [
        ("", "", 60.0, timedelta(days=30)),
        (
            "[scheduler]\nmetrics_address = '127.0.0.1:9464'\n"
            "health_max_tick_age_seconds = 15\n[ledger]\nkeep_unchanged_days = 7",
            "127.0.0.1:9464",
            15.0,
            timedelta(days=7),
        ),
        ("[scheduler]\nmetrics_address = '[::1]:9464'", "[::1]:9464", 60.0, None),
    ],
)
def test_metrics_are_off_and_summaries_kept_30_days_by_default(
    tmp_path: Path,
    extra: str,
    address: str,
    tick_age: float,
    keep: timedelta | None,
) -> None:
    from syndication.config import metrics_address

    settings = load_settings(write_config(tmp_path, extra=extra))
    assert settings.scheduler.metrics_address == address
    assert settings.scheduler.health_max_tick_age == tick_age
    assert settings.ledger.keep_unchanged == (keep or timedelta(days=30))
    assert metrics_address("") is None
    assert metrics_address("[::1]:9464") == ("::1", 9464)


def test_the_queue_is_off_by_default_and_set_by_file_or_environment(
    tmp_path: Path,
) -> None:
    path = write_config(tmp_path)
    assert load_settings(path, environ={}).queue.is_enabled is False
    settings = load_settings(
        path, environ={"SYNDICATION_QUEUE_BROKER": "redis://:secret@10.0.0.5:6379/2"}
    )
    assert settings.queue.broker == "redis://:secret@10.0.0.5:6379/2"
    assert settings.queue.is_enabled is True
    assert (settings.queue.name, settings.queue.visibility_timeout) == (
        "syndication",
        3600,
    )
    path = write_config(
        tmp_path,
        extra='[queue]\nbroker = "rediss://q.example:6380/0"\nname = "site-a"\n'
        "visibility_timeout_seconds = 30\nresult_timeout_seconds = 2.5\n",
    )
    queue = load_settings(path, environ={}).queue
    assert (queue.broker, queue.name) == ("rediss://q.example:6380/0", "site-a")
    assert (queue.visibility_timeout, queue.result_timeout) == (30, 2.5)


def test_a_bad_queue_section_names_every_key_and_hides_the_password(
    tmp_path: Path,
) -> None:
    path = write_config(
        tmp_path,
        extra='[queue]\nbroker = "amqp://guest:guest@127.0.0.1//"\nname = "a b"\n'
        "visibility_timeout_seconds = 0\n",
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert str(info.value).splitlines() == [
        "3 problems:",
        f'  {path} [queue.broker]: expected "" (no queue) or '
        "redis://HOST:PORT/DB, got 'amqp://guest:***@127.0.0.1//'",
        f"  {path} [queue.name]: expected 1–64 letters, digits, '.', '-' and '_', "
        "got 'a b'",
        f"  {path} [queue.visibility_timeout_seconds]: expected 1 to 86400, got 0",
    ]
