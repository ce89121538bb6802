"""Compiled grammars, once per process, offline.

Every schema is read from a file with a parser that never touches the network,
never loads a DTD and never expands an entity. References between schema files
(RELAX NG ``include``/``externalRef``, XSD ``import``/``include``) are followed
only to local files under the project's ``schemas/`` folder or, for IPTC's
official NewsML-G2 XSD, the folder holding it (``xml.xsd`` lies beside it); any
other reference is refused with a :class:`ConfigError`. Compiled schemas are
cached by absolute path for the life of the process, so every Gate shares them,
and each is used under its own lock (lxml validators keep their error log on the
validator object, and the scheduler runs feeds in threads).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlparse

from lxml import etree

from syndication.errors import ConfigError
from syndication.validate.report import source_line

log = logging.getLogger(__name__)

GRAMMARS = {
    "rss": "rss.rng",
    "atom": "atom.rng",
    "newsml": "newsml-profile.rng",
    "opml": "opml.rng",
}
RNG_NS = "http://relaxng.org/ns/structure/1.0"
XSD_KEY = "validation.newsml_official_xsd"

T = TypeVar("T")
_cache: dict[tuple[str, str], Any] = {}
_cache_lock = threading.Lock()


@dataclass
class Compiled:
    """A compiled grammar or XSD with the lock its validation runs under."""

    validator: etree._Validator
    path: Path
    lock: threading.Lock = field(default_factory=threading.Lock)

    def errors(self, tree: etree._ElementTree) -> list[tuple[int | None, str]]:
        """``(line, message)`` for every violation; empty when ``tree`` is valid."""
        with self.lock:
            if self.validator.validate(tree):
                return []
            # _ErrorLog is iterable; lxml-stubs 0.5 do not say so.
            entries: list[Any] = list(self.validator.error_log)  # type: ignore[call-overload]
            return [(entry.line or None, entry.message.strip()) for entry in entries]


class ConfinedResolver(etree.Resolver):
    """Resolves references only to local files under the ``allowed`` folders;
    anything else is refused (and remembered, for the error message)."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__()
        self.allowed = [folder.resolve() for folder in allowed]
        self.refused: list[str] = []

    # lxml-stubs 0.5 declare resolve() without the context lxml passes.
    def resolve(  # type: ignore[override]
        self, system_url: str | None, public_id: str | None, context: Any
    ) -> Any:
        path = confined_path(system_url or "", self.allowed)
        if path is None:
            self.refused.append(system_url or repr(public_id))
            log.error("schema reference refused: %s", system_url or public_id)
            # Answer with a stub that cannot compile; the caller reports the
            # refusal (an exception raised here would be swallowed by libxml2).
            return self.resolve_string("<refused/>", context, base_url=None)
        # resolve_filename exists on lxml's Resolver; lxml-stubs 0.5 lack it.
        return self.resolve_filename(str(path), context)  # type: ignore[attr-defined]


def confined_path(url: str, allowed: list[Path]) -> Path | None:
    """The local file ``url`` names when it lies under an ``allowed`` folder."""
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file") or parsed.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parsed.path)).resolve()
    if any(path.is_relative_to(folder) for folder in allowed):
        return path
    return None


def schema_parser(resolver: ConfinedResolver) -> etree.XMLParser:
    """A parser for schema files: no network, no DTD, no entity expansion."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    parser.resolvers.add(resolver)
    return parser


def grammar(schemas_dir: Path, fmt: str) -> Compiled:
    """The RELAX NG grammar of ``fmt`` (``rss``, ``atom``, ``newsml``), compiled
    once. Raises :class:`ConfigError` when it is missing, refers outside
    ``schemas_dir`` or does not compile."""
    path = (schemas_dir / GRAMMARS[fmt]).resolve()

    def build() -> Compiled:
        allowed = [schemas_dir.resolve()]
        tree = _parse(path, allowed)
        # libxml2 loads RELAX NG includes itself, without asking lxml's
        # resolvers, so every reference is checked before compiling.
        _check_rng_references(path, tree, allowed, set())
        try:
            return Compiled(etree.RelaxNG(tree), path)
        except etree.RelaxNGParseError as exc:
            raise ConfigError(f"cannot compile grammar: {exc}", path=path) from exc

    return _cached("rng", path, build)


def official_xsd(path: Path) -> Compiled:
    """IPTC's official NewsML-G2 XSD, compiled once from its file, so the
    ``xml.xsd`` it imports is found beside it. Raises :class:`ConfigError`."""
    path = path.resolve()

    def build() -> Compiled:
        resolver = ConfinedResolver([path.parent])
        tree = _parse(path, [path.parent], resolver)
        try:
            return Compiled(etree.XMLSchema(tree), path)
        except etree.XMLSchemaParseError as exc:
            if resolver.refused:
                raise ConfigError(
                    "schema reference refused (outside the schema's folder or not "
                    f"a local file): {', '.join(resolver.refused)}",
                    path=path,
                    key=XSD_KEY,
                ) from exc
            raise ConfigError(
                f"cannot compile the official NewsML-G2 schema: {exc}",
                path=path,
                key=XSD_KEY,
            ) from exc

    if not path.is_file():
        raise ConfigError("official NewsML-G2 schema not found", path=path, key=XSD_KEY)
    return _cached("xsd", path, build)


def parse_schema_file(path: Path, allowed: list[Path]) -> etree._ElementTree:
    """Parse a schema file (RELAX NG, Schematron, XSD) safely."""
    return _parse(path.resolve(), allowed)


def _parse(
    path: Path, allowed: list[Path], resolver: ConfinedResolver | None = None
) -> etree._ElementTree:
    if not path.is_file():
        raise ConfigError("schema file not found", path=path)
    parser = schema_parser(resolver or ConfinedResolver(allowed))
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(
            f"schema file is not well-formed XML: {exc.msg}", path=path, line=exc.lineno
        ) from exc
    if getattr(tree.docinfo, "doctype", ""):
        raise ConfigError("schema files may not declare a DOCTYPE", path=path)
    return tree


def _check_rng_references(
    path: Path, tree: etree._ElementTree, allowed: list[Path], seen: set[Path]
) -> None:
    seen.add(path)
    for element in tree.iter(f"{{{RNG_NS}}}include", f"{{{RNG_NS}}}externalRef"):
        href = element.get("href", "")
        target = confined_path(urljoin(path.as_uri(), href), allowed)
        if target is None:
            raise ConfigError(
                f"schema reference refused (outside {allowed[0]} or not a local "
                f"file): {href}",
                path=path,
                line=source_line(element),
            )
        if target not in seen:
            _check_rng_references(target, _parse(target, allowed), allowed, seen)


def _cached(kind: str, path: Path, build: Callable[[], T]) -> T:
    key = (kind, str(path))
    with _cache_lock:
        if key not in _cache:
            _cache[key] = build()
            log.debug("compiled %s %s", kind, path)
        result: T = _cache[key]
        return result
