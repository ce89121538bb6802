"""Compiled schemas, once per process, offline.

Every schema is compiled from a file path with a parser that never touches the
network, never loads a DTD and resolves includes and imports only inside the
project's schemas/ folder and the folder of the configured official XSD; any
other reference is refused. Compiled objects are cached by path for the life of
the process, so every Gate shares them.
"""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

from syndication.errors import ConfigError

log = logging.getLogger(__name__)

# lxml-stubs 0.5 have no isoschematron module.
isoschematron: Any = importlib.import_module("lxml.isoschematron")

GRAMMARS = {"rss": "rss.rng", "atom": "atom.rng", "newsml": "newsml-profile.rng"}
RULES = {"rss": "rules/rss.sch", "atom": "rules/atom.sch", "newsml": "rules/newsml.sch"}

_cache: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


class ConfinedResolver(etree.Resolver):
    """Resolves schema includes/imports only to files under ``allowed`` folders."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__()
        self.allowed = [folder.resolve() for folder in allowed]

    # lxml-stubs 0.5 omit the ``context`` argument lxml passes.
    def resolve(  # type: ignore[override]
        self, system_url: str | None, public_id: str | None, context: Any
    ) -> Any:
        parsed = urlparse(system_url or "")
        if parsed.scheme not in ("", "file"):
            log.error("schema reference refused (not a local file): %s", system_url)
            return self.resolve_string("<refused-reference/>", context, base_url=None)
        path = Path(unquote(parsed.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            log.error("schema reference refused (outside the schema folders): %s", path)
            return self.resolve_string("<refused-reference/>", context, base_url=None)
        # resolve_filename exists on lxml's Resolver; lxml-stubs 0.5 lack it.
        return self.resolve_filename(str(path), context)  # type: ignore[attr-defined]


def schema_parser(allowed: list[Path]) -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    parser.resolvers.add(ConfinedResolver(allowed))
    return parser


def _load(path: Path, allowed: list[Path]) -> Any:
    if not path.is_file():
        raise ConfigError(f"schema file not found: {path}")
    try:
        return etree.parse(str(path), schema_parser(allowed))
    except etree.XMLSyntaxError as exc:
        raise ConfigError(
            f"schema file is not well-formed XML: {exc}", path=path
        ) from exc


def _cached(kind: str, path: Path, build: Any) -> Any:
    key = (kind, str(path.resolve()))
    with _lock:
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]


def grammar(schemas_dir: Path, fmt: str) -> etree.RelaxNG:
    """The RELAX NG grammar of ``fmt``, compiled once."""
    path = schemas_dir / GRAMMARS[fmt]

    def build() -> etree.RelaxNG:
        try:
            return etree.RelaxNG(_load(path, [schemas_dir]))
        except etree.RelaxNGParseError as exc:
            raise ConfigError(f"cannot compile grammar: {exc}", path=path) from exc

    result: etree.RelaxNG = _cached("rng", path, build)
    return result


def rules(schemas_dir: Path, fmt: str) -> Any:
    """The Schematron rules of ``fmt``, compiled to XSLT once."""
    path = schemas_dir / RULES[fmt]

    def build() -> Any:
        try:
            return isoschematron.Schematron(
                _load(path, [schemas_dir]), store_report=True
            )
        except (etree.SchematronParseError, etree.XSLTParseError) as exc:
            raise ConfigError(f"cannot compile rules: {exc}", path=path) from exc

    return _cached("sch", path, build)


def official_xsd(path: Path) -> etree.XMLSchema:
    """IPTC's official NewsML-G2 XSD (xml.xsd beside it), compiled once."""

    def build() -> etree.XMLSchema:
        try:
            return etree.XMLSchema(_load(path, [path.parent]))
        except etree.XMLSchemaParseError as exc:
            raise ConfigError(
                f"cannot compile the official NewsML-G2 schema: {exc}",
                path=path,
                key="validation.newsml_official_xsd",
            ) from exc

    if not path.is_file():
        raise ConfigError(
            "official NewsML-G2 schema not found",
            path=path,
            key="validation.newsml_official_xsd",
        )
    result: etree.XMLSchema = _cached("xsd", path, build)
    return result
