"""Benchmarks for syndication (see bench/README section in the project README)."""

from __future__ import annotations
