"""Renderers: an :class:`~syndication.render.base.Edition` → documents, per format."""

from __future__ import annotations
