"""config show: the effective configuration, each value's source, secrets
masked; and the README's configuration reference, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from syndication.cli import cli
from syndication.config import SiteFile
from syndication.config_report import config_reference
from syndication.definitions import mask_secrets
from syndication.destinations.registry import destination_types, options_model

AGENCY = (REPO / "config" / "syndication.toml").read_text(encoding="utf-8")
AGENCY = AGENCY[AGENCY.index("[agency]") : AGENCY.index("[store]")]
BODY = (
    '[store]\nurl = "sqlite:///data/s.db"\n'
    "[ingest]\nmax_bytes = 1000\n"
    '[destinations.minio]\ntype = "s3"\nbucket = "feeds"\n'
    'endpoint_url = "http://127.0.0.1:9000"\n'
)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "syndication.toml"
    path.parent.mkdir()
    path.write_text(AGENCY + BODY, encoding="utf-8")
    return path


def show(path: Path, *options: str, env: dict[str, str] | None = None):
    environ = {
        "SYNDICATION_STORE_URL": "",
        "SYNDICATION_LOG_LEVEL": "",
        "SYNDICATION_S3_PROFILE": "",
    }
    return CliRunner().invoke(
        cli,
        ["--config", str(path), "config", "show", *options],
        env=environ | (env or {}),
    )


def test_show_prints_every_key_with_its_source(config_path: Path) -> None:
    result = show(config_path, env={"SYNDICATION_S3_PROFILE": "ops"})
    assert result.exit_code == 0, result.output
    etc = config_path.parent
    lines = result.stdout.splitlines()
    assert lines[0] == f"# {config_path}"
    for line in (
        "[store]",
        f'url = "sqlite:///{etc / "data" / "s.db"}"  # file, written '
        '"sqlite:///data/s.db"',
        "max_bytes = 1000  # file",
        "upload_concurrency = 8  # default",
        'level = "info"  # default',
        f'feeds = "{etc / "feeds"}"  # default',
        "[destinations.local]",
        'type = "local"  # default',
        f'path = "{etc / "public"}"  # default',
        "[destinations.minio]",
        'profile = "ops"  # environment $SYNDICATION_S3_PROFILE',
        "region = (not set)  # default",
    ):
        assert line in lines, line


def test_show_masks_a_password_and_names_the_variable(config_path: Path) -> None:
    url = "postgresql://feeds:hunter2@db:5432/feeds?sslmode=require&password=x"
    result = show(config_path, env={"SYNDICATION_STORE_URL": url})
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert (
        'url = "postgresql://feeds:***@db:5432/feeds?sslmode=require&password=***"'
        "  # environment $SYNDICATION_STORE_URL"
    ) in result.stdout.splitlines()


def test_show_json(config_path: Path) -> None:
    result = show(config_path, "--json", env={"SYNDICATION_LOG_LEVEL": "WARNING"})
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["file"] == str(config_path)
    values = document["values"]
    assert values["logging.level"] == {
        "value": "warning",
        "source": "environment",
        "variable": "SYNDICATION_LOG_LEVEL",
        "written": None,
    }
    assert values["ingest.max_bytes"]["source"] == "file"
    assert values["publish.websub_hub"] == {
        "value": "",
        "source": "default",
        "variable": None,
        "written": None,
    }
    assert values["destinations.minio.bucket"]["value"] == "feeds"
    assert "destinations.minio.aws_secret_access_key" not in values
    keys = {
        f"{section}.{key}"
        for section, field in SiteFile.model_fields.items()
        if section != "destinations"
        for key in field.annotation.model_fields  # type: ignore[union-attr]
    }
    assert keys <= set(values)


def test_show_reports_a_bad_configuration(config_path: Path) -> None:
    result = show(config_path, env={"SYNDICATION_STORE_URL": "nowhere"})
    assert result.exit_code == 3
    assert result.output.startswith("Error: $SYNDICATION_STORE_URL [store.url]:")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("postgresql://u:p@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h/db?password=p&x=1", "postgresql://h/db?password=***&x=1"),
        ("https://user:tok@hub.example/", "https://user:***@hub.example/"),
        ("sqlite:////srv/s.db", "sqlite:////srv/s.db"),
        ("not a url", "not a url"),
        (5, 5),
    ],
)
def test_mask_secrets(value: object, masked: object) -> None:
    assert mask_secrets(value) == masked


def test_every_key_has_a_description_for_the_reference() -> None:
    models = [
        field.annotation
        for name, field in SiteFile.model_fields.items()
        if name != "destinations"
    ]
    models += [options_model(kind) for kind in destination_types()]
    for model in models:
        for key, field in model.model_fields.items():  # type: ignore[union-attr]
            if not field.exclude:
                assert field.description, f"{model.__name__}.{key} has no description"


def test_the_reference_is_the_readmes() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert config_reference() in readme
    for heading in ("**`[store]`**", '**`[destinations.NAME]` with `type = "s3"`**'):
        assert heading in readme
