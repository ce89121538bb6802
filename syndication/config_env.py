"""Where the site configuration's values come from besides its file.

A few settings an operator changes per deployment are read from the environment
when set (and not empty), over the file: :data:`ENV_OVERRIDES`, and the
credentials profile of S3 destinations (:data:`S3_PROFILE_ENV` for all, or
``SYNDICATION_DESTINATION_<NAME>_PROFILE`` for one, which wins). A value from the
environment is checked by the same model as the file's, and its problems name
the variable. Relative paths in the file are relative to the file's folder; a
relative SQLite file in ``SYNDICATION_STORE_URL``, like any command-line value,
to the working directory (:func:`sqlite_file_url` makes either absolute).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from syndication.definitions import resolve_path
from syndication.errors import ConfigProblem

# Environment variable → the key it overrides.
ENV_OVERRIDES: Mapping[str, str] = {
    "SYNDICATION_STORE_URL": "store.url",
    "SYNDICATION_LOG_LEVEL": "logging.level",
    "SYNDICATION_QUEUE_BROKER": "queue.broker",
}
# The credentials profile of every S3 destination.
S3_PROFILE_ENV = "SYNDICATION_S3_PROFILE"
# One S3 destination's profile: its name upper-cased, "-" as "_".
_PROFILE_ENV = re.compile(r"^SYNDICATION_DESTINATION_([A-Z0-9_]+)_PROFILE$")


def environment_overrides(
    data: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[dict[tuple[str, ...], str], dict[str, str], list[ConfigProblem]]:
    """The values ``environ`` sets (key parts → value), the variable of each
    dotted key, and the problems of variables that name no destination."""
    values: dict[tuple[str, ...], str] = {}
    overrides: dict[str, str] = {}
    problems: list[ConfigProblem] = []
    for variable, key in ENV_OVERRIDES.items():
        value = environ.get(variable, "").strip()
        if value:
            values[tuple(key.split("."))] = (
                value.lower() if key == "logging.level" else value
            )
            overrides[key] = variable
    tables = data.get("destinations")
    s3_names = [
        name
        for name, table in (tables.items() if isinstance(tables, dict) else ())
        if isinstance(table, dict) and table.get("type") == "s3"
    ]
    own = {
        variable: match.group(1)
        for variable in sorted(environ)
        if (match := _PROFILE_ENV.match(variable)) and environ[variable].strip()
    }
    for variable, name_in_variable in [(S3_PROFILE_ENV, None), *own.items()]:
        profile = environ.get(variable, "").strip()
        if not profile:
            continue
        names = [
            name
            for name in s3_names
            if name_in_variable in {None, name.upper().replace("-", "_")}
        ]
        if name_in_variable is not None and not names:
            problems.append(
                ConfigProblem(
                    f"${variable}",
                    "",
                    "names no S3 destination of the configuration; defined: "
                    f"{', '.join(s3_names) or 'none'}",
                )
            )
        for name in names:
            values[("destinations", name, "profile")] = profile
            overrides[f"destinations.{name}.profile"] = variable
    return values, overrides, problems


def merged_with(
    data: Mapping[str, Any], values: Mapping[tuple[str, ...], str]
) -> dict[str, Any]:
    """``data`` with ``values`` set, copying only the tables on their way. A
    key whose table is not a table in the file is left for the model to
    report."""
    merged = dict(data)
    for keys, value in values.items():
        table = merged
        for part in keys[:-1]:
            inner = table.get(part, {})
            if not isinstance(inner, dict):
                break
            copied = dict(inner)
            table[part] = copied
            table = copied
        else:
            table[keys[-1]] = value
    return merged


def blamed(
    problems: list[ConfigProblem], overrides: Mapping[str, str]
) -> list[ConfigProblem]:
    """Problems of values the environment set, told as the variable's."""
    return [
        ConfigProblem(f"${overrides[p.key]}", p.key, p.message, p.line)
        if p.key in overrides
        else p
        for p in problems
    ]


def sqlite_file_url(url: str, base: Path) -> str:
    """``url`` with a relative SQLite file made absolute against ``base``
    (``sqlite:///syndication.db`` → ``sqlite:////srv/app/syndication.db``);
    other URLs, in-memory and ``file:`` URI databases as they are."""
    scheme, separator, rest = url.partition(":///")
    if not separator or not scheme.lower().startswith("sqlite"):
        return url
    database, question, query = rest.partition("?")
    if database in {"", ":memory:"} or database.startswith(("/", "file:")):
        return url
    return f"{scheme}:///{resolve_path(base, database)}{question}{query}"
