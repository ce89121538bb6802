"""The root command: version, configuration errors, the error edge, init."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from syndication.cli import cli


def test_version_names_the_libraries() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    for name in ("syndication 0.1.0", "lxml ", "libxml2 ", "boto3 ", "APScheduler "):
        assert name in result.output


def test_init_creates_the_store(config_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config_file), "init"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"store ready: sqlite:///{tmp_path / 'store.db'}\n3 feed definition(s) OK\n"
    )
    assert (tmp_path / "store.db").is_file()
    again = CliRunner().invoke(cli, ["--config", str(config_file), "init"])
    assert again.exit_code == 0


def test_config_error_is_exit_3_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[agency]\nname = 3\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "syndication", "--config", str(bad), "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    missing = ("url", "id_prefix", "credit_line", "copyright_holder")
    assert result.stderr == (
        "Error: 6 problems:\n"
        f"  {bad} [agency.name]: expected a string, got int 3\n"
        + "".join(
            f"  {bad} [agency.{key}]: missing required value\n" for key in missing
        )
        + f"  {bad} [agency.copyright_notice]: missing required value\n"
    )


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "syndication",
            "--debug",
            "--config",
            str(tmp_path / "missing.toml"),
            "init",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "ConfigError" in result.stderr


def test_unreachable_store_is_exit_1(tmp_path: Path) -> None:
    from conftest import write_config

    config = write_config(
        tmp_path, store_url=f"sqlite:///{tmp_path / 'no' / 'dir' / 'x.db'}"
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "init"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot open store sqlite:///")
