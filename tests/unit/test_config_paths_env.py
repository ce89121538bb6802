"""Paths in the configuration are relative to its file; the environment
overrides the store URL, S3 profiles and the log level; a backend whose extra is
not installed is a configuration error naming the extra."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from syndication.cli import cli
from syndication.config import load_settings
from syndication.destinations.registry import destination_for
from syndication.errors import ConfigError
from syndication.resources import schemas_dir

AGENCY = (REPO / "config" / "syndication.toml").read_text(encoding="utf-8")
AGENCY = AGENCY[AGENCY.index("[agency]") : AGENCY.index("[store]")]


def site(folder: Path, body: str = "") -> Path:
    """A configuration file in ``folder`` with the shipped agency and ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "syndication.toml"
    path.write_text(AGENCY + body, encoding="utf-8")
    return path


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder: not the configuration's."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


# -- paths relative to the file ------------------------------------------------------


def test_written_paths_are_relative_to_the_files_folder(
    tmp_path: Path, elsewhere: Path
) -> None:
    path = site(
        tmp_path / "etc",
        '[store]\nurl = "sqlite:///../var/s.db"\n'
        '[paths]\nfeeds = "feeds"\nschemas = "/opt/schemas"\n'
        '[validation]\nnewsml_official_xsd = "xsd/g2.xsd"\n'
        '[destinations.local]\ntype = "local"\npath = "../www"\n'
        '[destinations.archive]\ntype = "local"\npath = "/srv/archive"\n',
    )
    settings = load_settings(path)
    assert settings.store_url == f"sqlite:///{tmp_path / 'var' / 's.db'}"
    assert settings.feeds_dir == tmp_path / "etc" / "feeds"
    assert settings.schemas_dir == Path("/opt/schemas")
    assert settings.newsml_xsd == tmp_path / "etc" / "xsd" / "g2.xsd"
    destinations = settings.destinations
    assert destinations["local"].options["path"] == str(tmp_path / "www")
    assert destinations["archive"].options["path"] == "/srv/archive"
    assert destinations["local"].root[-1] == "www"


def test_defaults_are_relative_to_the_files_folder_too(
    tmp_path: Path, elsewhere: Path
) -> None:
    settings = load_settings(site(tmp_path / "etc"))
    assert settings.store_url == f"sqlite:///{tmp_path / 'etc' / 'syndication.db'}"
    assert settings.feeds_dir == tmp_path / "etc" / "feeds"
    assert settings.destinations["local"].options["path"] == str(
        tmp_path / "etc" / "public"
    )
    assert settings.schemas_dir == schemas_dir()
    assert settings.newsml_xsd is None


def test_a_relative_config_path_is_taken_from_the_working_folder(
    tmp_path: Path, elsewhere: Path
) -> None:
    site(elsewhere / "conf")
    settings = load_settings("conf/syndication.toml")
    assert settings.feeds_dir == elsewhere / "conf" / "feeds"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:////abs/s.db",
        "sqlite:///file:s.db?mode=ro&uri=true",
        "postgresql://u@h/db",
    ],
)
def test_other_store_urls_are_left_as_they_are(
    tmp_path: Path, elsewhere: Path, url: str
) -> None:
    assert load_settings(site(tmp_path, f'[store]\nurl = "{url}"\n')).store_url == url


def test_a_query_stays_on_a_resolved_sqlite_url(
    tmp_path: Path, elsewhere: Path
) -> None:
    path = site(tmp_path, '[store]\nurl = "sqlite:///s.db?timeout=5"\n')
    assert load_settings(path).store_url == f"sqlite:///{tmp_path / 's.db'}?timeout=5"


def test_commands_from_another_folder_write_nothing_there(
    tmp_path: Path, elsewhere: Path
) -> None:
    path = site(
        tmp_path / "etc",
        f'[paths]\nfeeds = "{REPO / "feeds"}"\n'
        '[destinations.local]\ntype = "local"\npath = "out"\n',
    )
    stories = str(REPO / "examples" / "stories")
    for command in (["init"], ["ingest", stories], ["publish"], ["status"]):
        result = CliRunner().invoke(cli, ["--config", str(path), *command])
        assert result.exit_code == 0, (command, result.output)
    assert list(elsewhere.iterdir()) == []
    assert (tmp_path / "etc" / "syndication.db").is_file()
    assert (tmp_path / "etc" / "out" / "partner-a" / "rss.xml").is_file()


# -- the environment ------------------------------------------------------------------


def test_store_url_from_the_environment(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = site(tmp_path, '[store]\nurl = "sqlite:///file.db"\n')
    monkeypatch.setenv("SYNDICATION_STORE_URL", "sqlite:///env.db")
    # A command-line-like value: relative to the working folder.
    assert load_settings(path).store_url == f"sqlite:///{elsewhere / 'env.db'}"
    assert load_settings(path, environ={}).store_url == (
        f"sqlite:///{tmp_path / 'file.db'}"
    )
    monkeypatch.setenv("SYNDICATION_STORE_URL", "  ")  # empty: not set
    assert load_settings(path).store_url == f"sqlite:///{tmp_path / 'file.db'}"


def test_a_bad_value_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    path = site(tmp_path)
    with pytest.raises(ConfigError) as raised:
        load_settings(
            path,
            environ={
                "SYNDICATION_STORE_URL": "mysql://u:hunter2@h/db",
                "SYNDICATION_LOG_LEVEL": "LOUD",
            },
        )
    assert str(raised.value) == (
        "2 problems:\n"
        "  $SYNDICATION_STORE_URL [store.url]: expected sqlite:///FILE or "
        "postgresql://USER@HOST/DATABASE, got 'mysql://u:***@h/db'\n"
        "  $SYNDICATION_LOG_LEVEL [logging.level]: expected 'debug', 'info', "
        "'warning' or 'error', got str 'loud'"
    )


def test_log_level_from_the_file_and_the_environment(tmp_path: Path) -> None:
    path = site(tmp_path, '[logging]\nlevel = "warning"\n')
    assert load_settings(path, environ={}).log_level == "warning"
    environ = {"SYNDICATION_LOG_LEVEL": "DEBUG"}
    assert load_settings(path, environ=environ).log_level == "debug"
    assert load_settings(site(tmp_path / "d"), environ={}).log_level == "info"


@pytest.mark.parametrize(
    ("options", "env", "level"),
    [
        ([], {}, logging.WARNING),  # the file's
        ([], {"SYNDICATION_LOG_LEVEL": "error"}, logging.ERROR),
        (["--debug"], {"SYNDICATION_LOG_LEVEL": "error"}, logging.DEBUG),
        (["--quiet"], {"SYNDICATION_LOG_LEVEL": "debug"}, logging.WARNING),
    ],
)
def test_the_cli_logs_at_the_configured_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options, env, level
) -> None:
    monkeypatch.delenv("SYNDICATION_LOG_LEVEL", raising=False)
    path = site(
        tmp_path, f'[logging]\nlevel = "warning"\n[paths]\nfeeds = "{REPO / "feeds"}"\n'
    )
    result = CliRunner().invoke(
        cli, [*options, "--config", str(path), "feeds", "list"], env=env
    )
    assert result.exit_code == 0, result.output
    assert logging.getLogger("syndication").level == level


S3_TABLES = (
    '[destinations.minio]\ntype = "s3"\nbucket = "b"\nprofile = "from-file"\n'
    '[destinations.aws-east]\ntype = "s3"\nbucket = "c"\n'
)


def test_s3_profile_for_every_s3_destination_and_for_one(tmp_path: Path) -> None:
    path = site(tmp_path, S3_TABLES)

    def profiles(environ: dict[str, str]) -> dict[str, object]:
        destinations = load_settings(path, environ=environ).destinations
        return {
            name: config.options.get("profile")
            for name, config in destinations.items()
            if config.type == "s3"
        }

    assert profiles({}) == {"minio": "from-file", "aws-east": None}
    assert profiles({"SYNDICATION_S3_PROFILE": "ops"}) == {
        "minio": "ops",
        "aws-east": "ops",
    }
    assert profiles(
        {
            "SYNDICATION_S3_PROFILE": "ops",
            "SYNDICATION_DESTINATION_AWS_EAST_PROFILE": "east",
        }
    ) == {"minio": "ops", "aws-east": "east"}


def test_a_profile_variable_naming_no_s3_destination_is_an_error(
    tmp_path: Path,
) -> None:
    path = site(tmp_path, S3_TABLES)
    with pytest.raises(ConfigError) as raised:
        load_settings(path, environ={"SYNDICATION_DESTINATION_LOCAL_PROFILE": "x"})
    assert str(raised.value) == (
        "$SYNDICATION_DESTINATION_LOCAL_PROFILE: names no S3 destination of the "
        "configuration; defined: minio, aws-east"
    )


# -- extras ---------------------------------------------------------------------------


def test_s3_without_boto3_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(site(tmp_path, S3_TABLES), environ={})
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if not installed
    with pytest.raises(ConfigError) as raised:
        destination_for(settings, "minio")
    assert str(raised.value) == (
        "[destinations.minio.type]: destination type 's3' needs boto3, which is "
        "not installed: pip install 'syndication[s3]'"
    )
    assert raised.value.exit_code == 3
    destination_for(settings, "local").close()  # the core needs nothing more


def test_postgresql_without_psycopg_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = site(tmp_path, '[store]\nurl = "postgresql://feeds@db/feeds"\n')
    monkeypatch.setitem(sys.modules, "psycopg", None)
    message = (
        "[store.url]: a PostgreSQL store needs psycopg, which is not installed: "
        "pip install 'syndication[postgres]'"
    )
    result = CliRunner().invoke(cli, ["--config", str(path), "status"], env={})
    assert result.exit_code == 3
    assert result.output == f"Error: {path} {message}\n"
    environ = {"SYNDICATION_STORE_URL": "postgresql://feeds@db/feeds"}
    with pytest.raises(ConfigError, match=r"^\$SYNDICATION_STORE_URL \[store.url\]"):
        load_settings(site(tmp_path / "e"), environ=environ)
