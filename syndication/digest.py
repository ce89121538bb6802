"""One digest for what a document or a run is made from: the SHA-256 of a
mapping written as canonical JSON (keys sorted, text as is). Fingerprints
of editions, runs and archive periods, and what an archive plan was made
from, are all this function of their parts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def json_digest(parts: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``parts`` as canonical JSON."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
