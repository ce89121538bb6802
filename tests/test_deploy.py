"""The Dockerfile and compose.yaml stay in step with the project: what they copy
and mount exists, and the compose deployment's configuration loads with the
environment compose gives it (PostgreSQL store, MinIO destination)."""

from __future__ import annotations

import re

import yaml
from conftest import REPO

from syndication.config import load_settings
from syndication.feeds import load_site_feeds

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _substituted(value: str) -> str:
    """Compose's ${NAME:-default}, with the defaults."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_the_image_builds_the_wheel_and_installs_the_extras() -> None:
    stages = DOCKERFILE.count("\nFROM ")
    assert stages == 2
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.MULTILINE):
        for name in source.split():
            assert (REPO / name).exists(), name
    assert "pip wheel" in DOCKERFILE
    assert '"${wheel}[s3,postgres,queue]"' in DOCKERFILE
    assert "ENV " in DOCKERFILE
    assert "SYNDICATION_CONFIG=/etc/syndication/syndication.toml" in DOCKERFILE


def test_compose_runs_the_scheduler_on_postgresql_and_minio() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "minio", "minio-bucket", "syndication"}
    app = services["syndication"]
    assert app["command"] == ["scheduler"]
    assert app["build"] == "."
    for volume in app["volumes"]:
        host = volume.split(":")[0]
        assert (REPO / host).is_dir(), volume
    assert "./deploy:/etc/syndication:ro" in app["volumes"]
    assert app["environment"]["SYNDICATION_CONFIG"] == (
        "/etc/syndication/syndication.toml"
    )
    assert set(app["depends_on"]) == {"postgres", "minio-bucket"}


def test_the_compose_configuration_loads_with_the_compose_environment() -> None:
    environment = {
        key: _substituted(str(value))
        for key, value in COMPOSE["services"]["syndication"]["environment"].items()
    }
    settings = load_settings(REPO / "deploy" / "syndication.toml", environ=environment)
    assert settings.store_url == (
        "postgresql://syndication:change-me@postgres:5432/syndication"
    )
    assert settings.default_destination == "minio"
    minio = settings.destinations["minio"]
    assert minio.type == "s3"
    assert minio.options["endpoint_url"] == "http://minio:9000"
    assert settings.feeds_dir == REPO / "deploy" / "feeds"
    feeds = load_site_feeds(settings)
    assert list(feeds.feeds) == ["wire-all"]
    assert feeds.problems == ()
    assert feeds.feeds["wire-all"].destination in {"", "minio"}
