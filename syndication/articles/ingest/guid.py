"""Article ids: minting stable guids and refusing unsafe ones.

A minted guid is ``{agency.id_prefix}:{yyyymmdd}:{slug of headline}``, so the same
story ingested again gets the same id and becomes a no-op or a new version.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

from syndication.errors import InputError

MAX_GUID_LENGTH = 256
_SLUG_LENGTH = 80
_DROPPED = re.compile(r"[\u2019'`.]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(headline: str) -> str:
    """ASCII slug of a headline (``U.S. sees Cambodia's ...`` becomes
    ``us-sees-cambodias-...``), at most 80 characters, cut at a word boundary.
    A headline with no Latin letters or digits gets ``h`` plus a short hash of
    itself, so its slug is still stable."""
    ascii_text = (
        unicodedata.normalize("NFKD", headline)
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = _NOT_SLUG.sub("-", _DROPPED.sub("", ascii_text.lower())).strip("-")
    if len(slug) > _SLUG_LENGTH:
        cut = slug[: _SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:_SLUG_LENGTH]
    if not slug:
        slug = "h" + hashlib.sha256(headline.encode("utf-8")).hexdigest()[:12]
    return slug


def mint_guid(id_prefix: str, day: date, headline: str) -> str:
    """The stable id of a story that does not give its own."""
    return f"{id_prefix}:{day:%Y%m%d}:{slugify(headline)}"


def check_guid(
    guid: str, *, path: str | None = None, field: str | None = "guid"
) -> str:
    """Return ``guid`` if it is a safe id: 1 to 256 printable characters, no control
    characters and no surrounding spaces. Raises :class:`InputError` otherwise."""
    problem = guid_problem(guid)
    if problem:
        raise InputError(problem, path=path, field=field)
    return guid


def guid_problem(guid: str) -> str | None:
    """Why ``guid`` is not a safe id, or None."""
    if not guid:
        return "an article id must not be empty"
    if len(guid) > MAX_GUID_LENGTH:
        return (
            f"an article id is at most {MAX_GUID_LENGTH} characters (got {len(guid)})"
        )
    if not guid.isprintable():
        return (
            f"an article id must be printable text without control characters: {guid!r}"
        )
    if guid != guid.strip():
        return f"an article id must not start or end with spaces: {guid!r}"
    return None
