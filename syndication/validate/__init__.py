"""Validation: our grammars (schemas/*.rng), rules (schemas/rules/*.sch) and,
when configured, IPTC's official NewsML-G2 XSD — checked on every document
before it leaves (see gate.py)."""

from __future__ import annotations
