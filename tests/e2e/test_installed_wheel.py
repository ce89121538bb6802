"""The built wheel, installed in a fresh virtual environment outside the
repository, runs the main job from another folder with a configuration in a
third: paths relative to the configuration file, the shipped schemas and
migrations found inside the package, nothing written to the working folder.

Offline: the wheel is built with this environment's setuptools (no build
isolation) and installed without dependencies; the new environment reads those
from this one through a .pth file (its own site-packages comes first, so
``syndication`` is the installed wheel's)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import OFFICIAL_XSD, REPO

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in")


def run(*command: str | Path, cwd: Path | None = None, env=None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of a clean copy of the sources (no stale build/ folder)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("syndication", "schemas"):
        shutil.copytree(REPO / folder, source / folder, ignore=ignore)
    dist = tmp_path / "dist"
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--no-index", "--quiet", "--wheel-dir", dist, source,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("syndication-*.whl")
    return wheel


def install(wheel: Path, venv: Path) -> Path:
    """A new environment with ``wheel`` installed; returns its bin folder."""
    made = run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    installed = run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
        "--no-index", "--quiet", wheel,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv / "bin"


def test_the_installed_wheel_runs_the_main_job_from_any_folder(
    tmp_path: Path, sample_wire: Path
) -> None:
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "syndication/schemas/article.schema.json",
        "syndication/schemas/rules/newsml.sch",
        "syndication/store/migrations/versions/0001_initial.py",
        "syndication/py.typed",
    ):
        assert name in names
    assert any(name.endswith("licenses/LICENSE") for name in names)
    bin_folder = install(wheel, tmp_path / "venv")

    conf = tmp_path / "conf"
    shutil.copytree(REPO / "feeds", conf / "feeds")
    shipped = (REPO / "config" / "syndication.toml").read_text(encoding="utf-8")
    xsd = os.path.relpath(OFFICIAL_XSD, conf) if OFFICIAL_XSD.is_file() else ""
    (conf / "syndication.toml").write_text(
        shipped[: shipped.index("[store]")]
        + '[store]\nurl = "sqlite:///../data/syndication.db"\n'
        + f'[paths]\nfeeds = "feeds"\n[validation]\nnewsml_official_xsd = "{xsd}"\n'
        + '[destinations.local]\ntype = "local"\npath = "../public"\n',
        encoding="utf-8",
    )
    (tmp_path / "data").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATION_")}
    env.pop("PYTHONPATH", None)
    env["SYNDICATION_CONFIG"] = str(conf / "syndication.toml")

    def syndication(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
        return run(bin_folder / "syndication", *arguments, cwd=work, env=env)

    where = run(
        bin_folder / "python",
        "-c",
        "import syndication, syndication.resources as r; "
        "print(syndication.__file__); print(r.schemas_dir())",
        cwd=work,
        env=env,
    )
    module, schemas = where.stdout.split()
    assert module.startswith(str(tmp_path / "venv")), where.stdout
    assert schemas.startswith(str(tmp_path / "venv")), where.stdout

    public = tmp_path / "public"
    documents = [public / "partner-a" / "rss.xml", public / "partner-b" / "atom.xml"]
    steps = [
        ("init",),
        ("ingest", REPO / "examples" / "stories"),  # JSON and wire copy
        ("ingest", sample_wire.parent),
        ("publish",),
        ("validate", *documents),
        ("validate", "--feed", "partner-c-all"),
        ("status",),
        ("config", "show"),
    ]  # fmt: skip
    for step in steps:
        result = syndication(*step)
        assert result.returncode == 0, (step, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, step

    assert list(work.iterdir()) == []
    assert (tmp_path / "data" / "syndication.db").is_file()
    assert (public / "partner-c" / "newsml.xml").is_file()
