"""Text and JSON views of articles for the article commands (stdout only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syndication.articles.editorial import Change
    from syndication.articles.ingest import StoredStory
    from syndication.articles.model import Version


def describe_change(change: Change) -> str:
    """One line: ``ID: version 1 → 2; status usable → canceled; note: …``."""
    before, after = change.before, change.after
    if not change.created:
        if change.action == "release":
            return f"{change.guid}: unchanged (version {before.version} is not held)"
        return f"{change.guid}: unchanged (version {before.version} already says this)"
    parts = [f"version {before.version} → {after.version}"]
    if before.status is not after.status:
        parts.append(f"status {before.status.value} → {after.status.value}")
    else:
        parts.append(f"status {after.status.value}")
    if before.embargo_until != after.embargo_until:
        parts.append(f"embargo {embargo_text(before)} → {embargo_text(after)}")
    if before.distribution is not after.distribution:
        parts.append(
            f"distribution {before.distribution.value} → {after.distribution.value}"
        )
    if before.hold_reason != after.hold_reason:
        parts.append(f"held {held_text(before)} → {held_text(after)}")
    if change.action == "correct":
        parts.append("marked as a correction")
        if before.headline != after.headline:
            parts.append(f"headline: {after.headline}")
    if change.action in ("kill", "correct") or (
        change.action == "release" and after.ed_note != before.ed_note
    ):
        parts.append(f"note: {after.ed_note}")
    return f"{change.guid}: " + "; ".join(parts)


def change_summary(version: Version) -> dict[str, Any]:
    return {
        "version": version.version,
        "status": version.status.value,
        "embargo_until": iso_time(version.embargo_until)
        if version.embargo_until
        else None,
        "is_correction": version.is_correction,
        "distribution": version.distribution.value,
        "hold_reason": version.hold_reason,
        "ed_note": version.ed_note,
        "headline": version.headline,
    }


def describe_version(v: Version, total: int) -> str:
    from syndication.articles.sanitize import body_text

    lines = [
        f"id:            {v.guid}",
        f"version:       {v.version} of {total}"
        + (" (correction)" if v.is_correction else ""),
        f"status:        {v.status.value}",
        f"embargo:       {embargo_text(v)}",
        f"distribution:  {v.distribution.value}",
        f"held:          {held_text(v)}",
        f"headline:      {v.headline}",
    ]
    optional = [
        ("slugline", v.slugline),
        ("summary", v.summary),
        ("bylines", ", ".join(f"{b.name} ({b.role.value})" for b in v.bylines)),
        ("dateline", str(v.dateline) if v.dateline else ""),
        ("language", v.language),
        ("subjects", ", ".join(f"{s.qcode} ({s.name})" for s in v.subjects)),
        ("keywords", ", ".join(v.keywords)),
        ("urgency", str(v.urgency)),
        ("created", iso_time(v.version_created)),
        ("first created", iso_time(v.first_created)),
        ("provider", v.provider),
        ("credit line", v.credit_line or "(site default)"),
        ("link", v.link),
        ("images", ", ".join(i.href for i in v.images)),
        ("note", v.ed_note),
    ]
    lines += [f"{name + ':':<14} {value}" for name, value in optional if value]
    lines += ["", "\n\n".join(body_text(v.body))]
    return "\n".join(lines)


def history_row(v: Version) -> tuple[str, ...]:
    return (
        str(v.version),
        iso_time(v.version_created),
        v.status.value,
        embargo_text(v),
        v.distribution.value,
        "yes" if v.is_held else "-",
        "yes" if v.is_correction else "-",
        clip(v.ed_note, 30) or "-",
        clip(v.headline, 50),
    )


def stored_line(story: StoredStory) -> str:
    """``PATH: new article ID (version 1)``, and the like; then the dateline's
    year source for wire copy."""
    text = f"{story.path}: {stored_outcome(story)}"
    return f"{text}; {story.year_source}" if story.year_source else text


def stored_outcome(story: StoredStory) -> str:
    """What ingesting one file did, in words (the path left out)."""
    if story.action == "unchanged":
        text = (
            f"unchanged {story.guid}: matches version {story.version}, nothing stored"
        )
        if story.previous is not None and story.previous != story.version:
            text += f" (latest is version {story.previous})"
        return text
    if story.action == "killed":
        return f"killed {story.guid} (version {story.version}; was {story.previous})"
    if story.action == "new article":
        text = f"new article {story.guid} (version {story.version})"
    else:
        text = f"new version {story.version} of {story.guid} (was {story.previous})"
    if story.revived:
        text += ", revived after kill"
    if story.hold_reason:
        text += f"; held: {story.hold_reason}"
    return text


def held_text(version: Version) -> str:
    """``no``, or ``yes: <why>`` for a version held from syndication."""
    return f"yes: {version.hold_reason}" if version.is_held else "no"


def embargo_text(version: Version) -> str:
    if version.embargo_until is None:
        return "none"
    word = "until" if version.embargo_until > now() else "ended"
    return f"{word} {iso_time(version.embargo_until)}"


def iso_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def now() -> datetime:
    return datetime.now(UTC)
