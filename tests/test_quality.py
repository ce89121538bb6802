"""The project's own checks, so the one test command runs them all: ruff, the
format check, mypy (strict, on syndication/) and cog --check on the README."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_check() -> None:
    result = run("ruff", "check", "syndication", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run("ruff", "format", "--check", "syndication", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run("mypy", "syndication")
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_command_reference_is_current() -> None:
    if shutil.which("cog") is None and not _has_module("cogapp"):
        pytest.fail("cogapp is not installed (it is a test dependency)")
    result = run("cogapp", "--check", "README.md")
    assert result.returncode == 0, result.stdout + result.stderr


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
