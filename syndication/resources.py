"""Files shipped inside the package: the XML schemas and credit rules (the
repository's top-level ``schemas/`` folder, installed as ``syndication.schemas``)
and the Alembic migrations.

Both are found with :mod:`importlib.resources`, so a built wheel, an editable
install and a source checkout find them alike, from any working directory.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from syndication.errors import ConfigError

SCHEMAS_PACKAGE = "syndication.schemas"
MIGRATIONS_PACKAGE = "syndication.store.migrations"


@functools.cache
def schemas_dir() -> Path:
    """The folder of the shipped schemas and rules (default of ``[paths]
    schemas``). Raises ConfigError when the installation lacks them."""
    return _folder(SCHEMAS_PACKAGE, "XML schemas and rules")


@functools.cache
def migrations_dir() -> Path:
    """The folder of the shipped Alembic migrations (Alembic's script location)."""
    return _folder(MIGRATIONS_PACKAGE, "store migrations")


def _folder(package: str, what: str) -> Path:
    try:
        found = resources.files(package)
    except ModuleNotFoundError:
        raise ConfigError(
            f"the {what} ({package}) are not installed with syndication; "
            "reinstall it (pip install syndication, or pip install -e . in a "
            "checkout)"
        ) from None
    # lxml and Alembic read files by path: a zipped install cannot serve them.
    if not isinstance(found, Path) or not found.is_dir():
        raise ConfigError(
            f"the {what} ({package}) are not in a folder ({found}); install "
            "syndication unzipped"
        )
    return found
