"""Destinations: where published documents go (a local folder, S3)."""

from __future__ import annotations
