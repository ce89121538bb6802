"""The article model: a stable id (guid) and numbered, immutable versions.

Every value here is frozen; every time is timezone-aware and normalised to UTC.
A :class:`Version` is what a story says at one moment; the store numbers versions
and never changes one once written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar


class PubStatus(StrEnum):
    """NewsML-G2 publishing status (IPTC ``stat:`` scheme)."""

    USABLE = "usable"
    WITHHELD = "withheld"
    CANCELED = "canceled"


class Distribution(StrEnum):
    """Whether a story may leave the agency: ``syndicate`` (the default) or
    ``internal`` (never selected for any feed)."""

    SYNDICATE = "syndicate"
    INTERNAL = "internal"


class Role(StrEnum):
    """What a credited person did for a story."""

    REPORTER = "reporter"
    EDITOR = "editor"
    CONTRIBUTOR = "contributor"


@dataclass(frozen=True)
class Byline:
    name: str
    role: Role = Role.REPORTER


@dataclass(frozen=True)
class Dateline:
    """A dateline as written: ``PHNOM PENH, June 20 (Thomson Reuters Foundation)``."""

    place: str
    date: str = ""
    provider: str = ""

    def __str__(self) -> str:
        text = self.place
        if self.date:
            text = f"{text}, {self.date}"
        if self.provider:
            text = f"{text} ({self.provider})"
        return text


@dataclass(frozen=True)
class Subject:
    """An IPTC Media Topic (``medtop:20000764``) with its label."""

    qcode: str
    name: str


@dataclass(frozen=True)
class Image:
    href: str
    caption: str = ""
    credit: str = ""
    alt: str = ""


_Frozen = TypeVar("_Frozen")


def hash_once(cls: type[_Frozen]) -> type[_Frozen]:
    """A frozen dataclass whose hash is computed once per object and kept
    with it: versions and items are keys of every render cache, and hashing
    one walks every field (its bylines, subjects and images too). The kept
    hash is left out of pickles and copies, since a string's hash differs
    from one process to the next."""
    compute = cls.__hash__

    def __hash__(self: Any) -> int:
        kept: int | None = self.__dict__.get("_hash")
        if kept is None:
            kept = compute(self)
            object.__setattr__(self, "_hash", kept)
        return kept

    def __getstate__(self: Any) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    cls.__hash__ = __hash__  # type: ignore[method-assign]
    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    return cls


@hash_once
@dataclass(frozen=True)
class Version:
    """One immutable version of an article.

    ``version`` is 0 until the store assigns the number. ``body`` is sanitised HTML
    (a sequence of ``<p>`` paragraphs and simple inline markup). ``credit_line``,
    ``copyright_notice`` and ``usage_terms`` are empty when the site defaults apply.
    """

    guid: str
    headline: str
    body: str
    version_created: datetime
    first_created: datetime
    version: int = 0
    slugline: str = ""
    summary: str = ""
    bylines: tuple[Byline, ...] = ()
    dateline: Dateline | None = None
    language: str = "en"
    subjects: tuple[Subject, ...] = ()
    keywords: tuple[str, ...] = ()
    urgency: int = 5
    status: PubStatus = PubStatus.USABLE
    embargo_until: datetime | None = None
    provider: str = ""
    credit_line: str = ""
    copyright_notice: str = ""
    usage_terms: str = ""
    link: str = ""
    images: tuple[Image, ...] = ()
    ed_note: str = ""
    is_correction: bool = False
    distribution: Distribution = Distribution.SYNDICATE
    hold_reason: str = ""

    def is_embargoed(self, at: datetime) -> bool:
        """True while the embargo has not passed at ``at``."""
        return self.embargo_until is not None and self.embargo_until > at

    @property
    def shown_at(self) -> datetime:
        """When this version could first be in a feed: its creation, or the
        end of its embargo when that is later; a kill goes out at once. The
        archive period a version belongs to (RFC 5005 archives)."""
        embargo = self.embargo_until
        if self.status is PubStatus.CANCELED or embargo is None:
            return self.version_created
        return max(embargo, self.version_created)

    @property
    def is_held(self) -> bool:
        """Held from syndication until an editor decides (``hold_reason``)."""
        return bool(self.hold_reason)

    @property
    def is_syndicated(self) -> bool:
        """Whether feeds may carry this version at all (usable, for syndication,
        not held); embargo is a matter of time and checked apart."""
        return (
            self.status is PubStatus.USABLE
            and self.distribution is Distribution.SYNDICATE
            and not self.is_held
        )

    @property
    def reporters(self) -> tuple[Byline, ...]:
        return tuple(b for b in self.bylines if b.role is not Role.EDITOR)

    @property
    def editors(self) -> tuple[Byline, ...]:
        return tuple(b for b in self.bylines if b.role is Role.EDITOR)

    def content_hash(self) -> str:
        """SHA-256 of what the story says, excluding version number and times of
        creation, so re-ingesting the same story is recognised as a no-op."""
        data = version_to_dict(self)
        for key in ("version", "version_created", "first_created"):
            data.pop(key, None)
        # Fields added after stories were stored count only when set, so a
        # story stored before them keeps its hash (re-ingest stays a no-op).
        for key, default in _LATER_DEFAULTS.items():
            if data.get(key) == default:
                data.pop(key, None)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def with_number(self, version: int, first_created: datetime) -> Version:
        return replace(self, version=version, first_created=first_created)

    def killed(self, reason: str, at: datetime) -> Version:
        """This version withdrawn at ``at``: status ``canceled`` with the reason
        as its editor's note, no longer a correction, and without an embargo (a
        kill takes effect at once: a story that was never released gets no
        notice, one that was must be withdrawn now)."""
        return replace(
            self,
            status=PubStatus.CANCELED,
            ed_note=reason,
            is_correction=False,
            embargo_until=None,
            version=0,
            version_created=utc(at),
        )


def utc(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"naive datetime {moment.isoformat()} (a time zone is required)"
        )
    return moment.astimezone(UTC)


def _time(value: datetime | None) -> str | None:
    return None if value is None else utc(value).isoformat().replace("+00:00", "Z")


def version_to_dict(version: Version) -> dict[str, Any]:
    """The JSON form of a version (schemas/article.schema.json)."""
    # A shallow copy (asdict's deep one costs a third of storing a story):
    # every field that holds more than a plain value is replaced below.
    data = {name: getattr(version, name) for name in _VERSION_FIELDS}
    data["status"] = version.status.value
    data["distribution"] = version.distribution.value
    data["bylines"] = [{"name": b.name, "role": b.role.value} for b in version.bylines]
    data["subjects"] = [{"qcode": s.qcode, "name": s.name} for s in version.subjects]
    data["keywords"] = list(version.keywords)
    data["images"] = [asdict(i) for i in version.images]
    data["dateline"] = asdict(version.dateline) if version.dateline else None
    data["version_created"] = _time(version.version_created)
    data["first_created"] = _time(version.first_created)
    data["embargo_until"] = _time(version.embargo_until)
    return data


_VERSION_FIELDS = tuple(f.name for f in fields(Version))
# Fields added in schema revision 0004, with the values that mean "not set".
_LATER_DEFAULTS: dict[str, Any] = {
    "distribution": Distribution.SYNDICATE.value,
    "hold_reason": "",
}


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    return utc(datetime.fromisoformat(value))


def version_from_dict(data: dict[str, Any]) -> Version:
    """Inverse of :func:`version_to_dict` for data the store wrote (trusted)."""
    dateline = data.get("dateline")
    version_created = _parse_time(data["version_created"])
    first_created = _parse_time(data["first_created"])
    assert version_created is not None and first_created is not None
    return Version(
        guid=data["guid"],
        version=int(data.get("version", 0)),
        headline=data["headline"],
        body=data["body"],
        version_created=version_created,
        first_created=first_created,
        slugline=data.get("slugline", ""),
        summary=data.get("summary", ""),
        bylines=tuple(
            Byline(b["name"], Role(b["role"])) for b in data.get("bylines", ())
        ),
        dateline=Dateline(**dateline) if dateline else None,
        language=data.get("language", "en"),
        subjects=tuple(
            Subject(s["qcode"], s["name"]) for s in data.get("subjects", ())
        ),
        keywords=tuple(data.get("keywords", ())),
        urgency=int(data.get("urgency", 5)),
        status=PubStatus(data.get("status", "usable")),
        embargo_until=_parse_time(data.get("embargo_until")),
        provider=data.get("provider", ""),
        credit_line=data.get("credit_line", ""),
        copyright_notice=data.get("copyright_notice", ""),
        usage_terms=data.get("usage_terms", ""),
        link=data.get("link", ""),
        images=tuple(Image(**i) for i in data.get("images", ())),
        ed_note=data.get("ed_note", ""),
        is_correction=bool(data.get("is_correction", False)),
        distribution=Distribution(data.get("distribution", "syndicate")),
        hold_reason=data.get("hold_reason", ""),
    )
