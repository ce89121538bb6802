"""Fixtures for the renderer tests (the stories themselves are in render_kit)."""

from __future__ import annotations

from .render_kit import agency, edition, feed, versions

__all__ = ["agency", "edition", "feed", "versions"]
