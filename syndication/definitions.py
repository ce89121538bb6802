"""Definition files (config/syndication.toml, feeds/*.toml) → checked tables.

:func:`read_toml` reads a file only if it is a regular file of at most
:data:`MAX_FILE_BYTES`, in UTF-8 and TOML. :func:`check` validates the table
against a pydantic model (one per file kind, in config.py and feeds.py) and turns
every problem into a :class:`ConfigProblem` with the file and the dotted key, in
this project's words; values in messages are shortened, so a huge number or a
deeply nested array in a file can never break the report. The field types below
are the building blocks the models share.
"""

from __future__ import annotations

import codecs
import os
import re
import reprlib
import stat
import tomllib
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from syndication.errors import ConfigError, ConfigProblem
from syndication.gcpause import paused_gc

# A feed definition is a few hundred bytes, the site configuration a few KB.
MAX_FILE_BYTES = 1_000_000
# Lists in a definition (subjects, keywords, languages, providers).
MAX_LIST = 200

Model = TypeVar("Model", bound=BaseModel)
Check = TypeVar("Check", bound=Callable[..., Any])

# A validator → the limit it enforces, in words, for the configuration reference
# (config_reference.py): "at most 200 characters", "1 to 64".
# Weak: a validator made on the fly (inside another) leaves with its last use.
LIMITS: weakref.WeakKeyDictionary[Callable[..., Any], str] = weakref.WeakKeyDictionary()


def allows(words: str) -> Callable[[Check], Check]:
    """Record what the decorated validator allows, for the generated reference."""

    def record(check: Check) -> Check:
        LIMITS[check] = words
        return check

    return record


class Table(BaseModel):
    """A TOML table: exact TOML types (no "3" for 3, no 1 for true), no unknown
    keys, no NaN or infinity."""

    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, allow_inf_nan=False
    )


# -- reading ----------------------------------------------------------------------


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` (after symlinks) is a regular file; False if it is gone."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML document in ``path``. Raises ConfigError (file not found, not a
    regular file, too large, not UTF-8, not TOML) with the line when known."""
    raw = _read_bytes(path)
    if raw.startswith(codecs.BOM_UTF8):  # some editors write one; TOML has none
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            "cannot be decoded; save the file as UTF-8",
            path=path,
            line=line,
        ) from None
    try:
        with paused_gc():  # see syndication.gcpause
            return tomllib.loads(text)
    except RecursionError:
        raise ConfigError("invalid TOML: nested too deeply", path=path) from None
    except ValueError as exc:  # TOMLDecodeError, or an integer of 4,300+ digits
        message = str(exc).split("; use sys.set_int_max_str_digits")[0]
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        raise ConfigError(
            f"invalid TOML: {message}",
            path=path,
            line=int(match.group(1)) if match else None,
        ) from None


def _read_bytes(path: Path) -> bytes:
    try:
        # O_NONBLOCK: a FIFO put in place of the file must not hang the reader.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigError("file not found", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(
                "not a regular file (a folder, FIFO or device)", path=path
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise ConfigError(
                    f"larger than {MAX_FILE_BYTES:,} bytes; not a definition file",
                    path=path,
                )
        return b"".join(chunks)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None
    finally:
        os.close(fd)


# -- checking ---------------------------------------------------------------------


def check(
    model: type[Model],
    data: Mapping[str, Any],
    path: Path | str,
    *,
    prefix: Sequence[str] = (),
    context: Mapping[str, Any] | None = None,
) -> tuple[Model | None, list[ConfigProblem]]:
    """``data`` validated as ``model``: the value, or None and every problem
    (keys under ``prefix``)."""
    try:
        return model.model_validate(data, context=context), []
    except ValidationError as exc:
        problems = [
            ConfigProblem(
                str(path),
                _key([*prefix, *error["loc"]]),
                _message(model, error),
            )
            for error in exc.errors(include_url=False)
        ]
        return None, problems


def problem(message: str) -> PydanticCustomError:
    """An error a validator raises: ``message`` is shown as it is."""
    return PydanticCustomError("syndication", "{message}", {"message": message})


def small_number(text: str, digits: int) -> int | None:
    """``text`` as a whole number when it is 1 to ``digits`` ASCII digits, else
    None: ``str.isdigit`` takes '²', which ``int()`` refuses, and ``int()``
    refuses thousands of digits."""
    if 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def show(value: Any) -> str:
    """``value``'s type and a short rendering, safe for any TOML value."""
    return f"{type(value).__name__} {short(value)}"


def short(value: Any) -> str:
    """A short rendering of ``value`` (``repr`` cut down), safe for any TOML
    value: no depth, length or digit count can make it fail or grow."""
    return _SHORT.repr(value)


class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        digits = len(str(abs(x))) if x.bit_length() < 200 else None
        if digits is None or digits > 24:
            return f"<{int(x.bit_length() * 0.30103) + 1}-digit number>"
        return str(x)


_SHORT = _ShortRepr()
_SHORT.maxlevel = 2
_SHORT.maxstring = 60
_SHORT.maxlist = _SHORT.maxdict = 4
_SHORT.maxother = 60

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "finite_number": "a finite number",
}


def _key(loc: Sequence[str | int]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key = f"{key}.{part}" if key else str(part)
    return key


def _message(model: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind == "missing":
        return "missing required value"
    if kind == "extra_forbidden":
        table = _table_at(model, error["loc"][:-1])
        if table is None:
            return "unknown key"
        allowed = sorted(k for k, f in table.model_fields.items() if not f.exclude)
        word = getattr(table, "unknown_word", "key")
        return f"unknown {word}; expected one of {', '.join(allowed)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {show(value)}"
    if kind == "literal_error":
        return f"expected {context.get('expected', '')}, got {show(value)}"
    if kind == "string_too_long":
        return f"at most {context['max_length']} characters, got {len(value):,}"
    if kind == "too_long":
        return f"at most {context['max_length']} entries, got {len(value):,}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def _table_at(
    model: type[BaseModel], loc: Sequence[str | int]
) -> type[BaseModel] | None:
    """The model of the table at ``loc`` (for "unknown key" messages)."""
    annotation: Any = model
    in_mapping = False
    for part in loc:
        if isinstance(part, int):
            continue
        if in_mapping:  # the name in a table of named tables
            in_mapping = False
            continue
        table = next(_models_in(annotation), None)
        field = table.model_fields.get(part) if table else None
        if field is None:
            return None
        annotation = field.annotation
        in_mapping = any(
            get_origin(a) is dict for a in (annotation, *get_args(annotation))
        )
    return next(_models_in(annotation), None)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in get_args(annotation):
        yield from _models_in(argument)


# -- field types the models share --------------------------------------------------

# Characters XML 1.0 cannot carry (§2.2), which every feed document would refuse:
# C0 controls but tab, newline and carriage return; surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(max_length: int, *, required: bool = True) -> Callable[[str], str]:
    """A validator: a string of at most ``max_length`` characters that XML can
    carry; with ``required``, not blank."""

    @allows(f"at most {max_length:,} characters{'' if required else ', may be empty'}")
    def check_text(value: str) -> str:
        if len(value) > max_length:
            raise problem(f"at most {max_length} characters, got {len(value):,}")
        if _NOT_XML.search(value):
            raise problem("holds a control character that no feed document can carry")
        if required and not value.strip():
            raise problem("must not be empty")
        return value

    return check_text


N = TypeVar("N", int, float)


def between(low: N, high: N, message: str = "") -> Callable[[N], N]:
    """A validator: a number from ``low`` to ``high``; ``message`` (with {low},
    {high}, {value}) replaces the default "expected LOW to HIGH, got VALUE"."""

    @allows(f"{_number(low)} to {_number(high)}")
    def check_range(value: N) -> N:
        if not low <= value <= high:
            template = message or "expected {low} to {high}, got {value}"
            raise problem(template.format(low=low, high=high, value=_SHORT.repr(value)))
        return value

    return check_range


def _number(value: float) -> str:
    """``1,000``, ``3,600``, ``0.05``: for the reference."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


MASK = "***"
# Query parameters of a URL that hold secrets (libpq takes password=...).
_SECRET_NAMES = re.compile(r"pass|secret|token|key", re.IGNORECASE)


def mask_secrets(value: Any) -> Any:
    """``value`` with the password of a URL (``user:PASSWORD@host``) and secret
    query parameters (``?password=``) replaced by ``***``; anything else as it is."""
    if not isinstance(value, str) or "://" not in value:
        return value
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return value
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_NAMES.search(k) for k, _ in pairs):
            query = urlencode(
                [(k, MASK if _SECRET_NAMES.search(k) else v) for k, v in pairs],
                safe="*/:",
            )
    if netloc == parts.netloc and query == parts.query:
        return value
    return urlunsplit(parts._replace(netloc=netloc, query=query))


@allows("an absolute http(s) URL")
def http_url(value: str) -> str:
    """An absolute http(s) URL with a host (empty allowed: an optional setting)."""
    if not value:
        return value
    if len(value) > 2048 or _NOT_XML.search(value) or any(c.isspace() for c in value):
        raise problem(f"expected an absolute http(s) URL, got {_SHORT.repr(value)}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # a port outside 0-65535 raises ValueError
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise problem(f"expected an absolute http(s) URL, got {_SHORT.repr(value)}")
    return value


HttpUrl = Annotated[str, AfterValidator(http_url)]

# A folder name in a destination: what join_key (destinations/base.py) accepts
# without encoding, less "." and "..".
_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._~-]{0,63}$")


@allows("folder names of 1 to 64 letters, digits, - _ . ~ joined by /, 256 in all")
def key_path(value: str) -> str:
    """``a/b/c``: safe key segments of at most 64 characters, 256 in all (a
    leading or trailing ``/`` is dropped)."""
    if not value:
        return value
    if len(value) > 256:
        raise problem(f"at most 256 characters, got {len(value):,}")
    bad = [part for part in value.strip("/").split("/") if not _SEGMENT.match(part)]
    if bad:
        raise problem(
            f"unsafe folder name {_SHORT.repr(bad[0])}: each part between '/' "
            "must be 1 to 64 letters, digits, '-', '_', '.' or '~', not starting "
            "with '.' or '~'"
        )
    return value.strip("/")


KeyPath = Annotated[str, AfterValidator(key_path)]

_DURATION = re.compile(r"^\s*(\d{1,40})\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(
    text: str,
    path: Path | None = None,
    key: str = "",
    *,
    maximum: timedelta | None = None,
) -> timedelta:
    """``'90s'``, ``'15m'``, ``'2h'``, ``'3d'``, ``'1w'`` → timedelta, at most
    ``maximum``. Raises ConfigError."""
    try:
        return _duration(text, maximum)
    except PydanticCustomError as exc:
        raise ConfigError(exc.message(), path=path, key=key) from None


def duration(maximum: timedelta) -> Callable[[str], str]:
    """A validator: a duration string (see :func:`parse_duration`) of at most
    ``maximum``."""

    @allows(f"a duration ('90s', '15m', '2h', '3d', '1w') up to {_days(maximum)}")
    def check_duration(value: str) -> str:
        _duration(value, maximum)
        return value

    return check_duration


def _days(span: timedelta) -> str:
    days = span.total_seconds() / 86400
    return f"{days:g} days"


def resolve_path(base: Path, value: str) -> str:
    """``value`` (a file or folder) made absolute: a relative one against
    ``base`` (the configuration file's folder), an absolute one as it is. Only
    the text is joined (``..`` taken away), so any value works."""
    return value if Path(value).is_absolute() else os.path.normpath(base / value)


def _duration(text: str, maximum: timedelta | None) -> timedelta:
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise problem(
            f"expected a duration such as '15m', '2h' or '3d', got {_SHORT.repr(text)}"
        )
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    limit = maximum or timedelta(days=36_500)
    if seconds > limit.total_seconds():
        days = limit.total_seconds() / 86400
        raise problem(f"at most {days:g} days, got {text.strip()!r}")
    return timedelta(seconds=seconds)
