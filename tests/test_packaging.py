"""What a built distribution holds: every package folder is listed in
pyproject.toml (it lists them, to map schemas/ into the package), the shipped
files are found through importlib.resources, and boto3 and psycopg are extras."""

from __future__ import annotations

import tomllib
from pathlib import Path

from conftest import REPO

from syndication import resources

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _package_folders() -> set[str]:
    folders = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "syndication").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    mapped = PYPROJECT["tool"]["setuptools"]["package-dir"]
    for package, folder in mapped.items():
        for sub in (REPO / folder).rglob("*"):
            if sub.is_dir() and sub.name != "__pycache__":
                folders.add(".".join([package, *sub.relative_to(REPO / folder).parts]))
        folders.add(package)
    return folders


def test_every_package_folder_is_listed() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed == _package_folders()


def test_schemas_stay_at_the_top_and_are_found_as_package_resources() -> None:
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {
        "syndication.schemas": "schemas"
    }
    found = resources.schemas_dir()
    assert found.resolve() == (REPO / "schemas").resolve()
    shipped = PYPROJECT["tool"]["setuptools"]["package-data"]
    for pattern_owner, patterns in shipped.items():
        if not pattern_owner.startswith("syndication.schemas"):
            continue
        folder = REPO / "schemas" / Path(*pattern_owner.split(".")[2:])
        assert all(list(folder.glob(pattern)) for pattern in patterns), pattern_owner
    every_file = {
        path.relative_to(REPO / "schemas").as_posix()
        for path in (REPO / "schemas").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert every_file == {
        "__init__.py",
        "article.schema.json",
        "atom.rng",
        "common.rng",
        "geojson.schema.json",
        "newsml-profile.rng",
        "opml.rng",
        "rss.rng",
        "rules/atom.sch",
        "rules/newsml.sch",
        "rules/rss.sch",
    }, "a new kind of schema file needs a package-data pattern in pyproject.toml"


def test_migrations_are_found_as_package_resources() -> None:
    assert (resources.migrations_dir() / "env.py").is_file()


def test_boto3_psycopg_and_celery_are_extras_and_the_test_extra_pulls_them() -> None:
    project = PYPROJECT["project"]
    core = " ".join(project["dependencies"])
    assert "boto3" not in core
    assert "psycopg" not in core
    assert "celery" not in core
    extras = project["optional-dependencies"]
    assert extras["s3"] == ["boto3>=1.34"]
    assert extras["postgres"] == ["psycopg[binary]>=3.1"]
    assert extras["queue"] == ["celery[redis]>=5.4,<6"]
    assert "syndication[s3,postgres,queue]" in extras["test"]


def test_license_file_matches_the_declared_license() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
