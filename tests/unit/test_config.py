"""Site configuration: loaded once, validated, errors name file and key."""

from __future__ import annotations

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
    assert settings.store_url == "sqlite:///syndication.db"
    assert settings.destinations["local"].options["path"] == "public"


def test_environment_variable_names_the_file(tmp_path: Path, monkeypatch) -> None:
    path = write_config(tmp_path)
    monkeypatch.setenv("SYNDICATION_CONFIG", str(path))
    assert load_settings().store_url == f"sqlite:///{tmp_path / 'store.db'}"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "[stor]\nurl = 'x'",
            r"\[stor\]: unknown section; expected one of agency, destinations",
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
