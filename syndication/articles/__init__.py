"""Articles: the model (frozen values), body sanitising and ingest of stories."""

from __future__ import annotations
