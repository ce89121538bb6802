"""Renderer registry: a format name → the renderer class's import path.

Renderers are imported on first use (feedgen and lxml stay out of ``--help``).
Built-ins register like any later addition; an unknown name is a ConfigError
listing the known ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from syndication.errors import ConfigError
from syndication.render.base import Document, Edition, Renderer


@dataclass(frozen=True)
class RendererEntry:
    import_path: str  # "package.module:ClassName"
    install_hint: str = ""


_REGISTRY: dict[str, RendererEntry] = {}
_INSTANCES: dict[str, Renderer] = {}


def register_renderer(name: str, import_path: str, install_hint: str = "") -> None:
    """Make format ``name`` render with the class at ``import_path``."""
    _REGISTRY[name] = RendererEntry(import_path, install_hint)
    _INSTANCES.pop(name, None)


def known_formats() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def get_renderer(name: str) -> Renderer:
    """The renderer for format ``name``. Raises ConfigError for an unknown name,
    or when the renderer's module cannot be imported (with the install hint)."""
    if name in _INSTANCES:
        return _INSTANCES[name]
    entry = _REGISTRY.get(name)
    if entry is None:
        raise ConfigError(
            f"unknown format {name!r}; known formats: {', '.join(known_formats())}"
        )
    module_name, _, attribute = entry.import_path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f"; {entry.install_hint}" if entry.install_hint else ""
        raise ConfigError(
            f"format {name!r} needs {module_name}, which cannot be imported "
            f"({exc}){hint}"
        ) from exc
    renderer: Renderer = getattr(module, attribute)()
    _INSTANCES[name] = renderer
    return renderer


def render_edition(
    edition: Edition, formats: Sequence[str] | None = None
) -> list[Document]:
    """Render ``edition`` in ``formats`` (default: the feed's formats), in that
    order, then, when RSS or Atom is among them, the stylesheet their
    ``xml-stylesheet`` instruction names (see :mod:`syndication.render.stylesheet`).
    Pure: the same edition gives the same documents, byte for byte."""
    from syndication.render.stylesheet import STYLED_FORMATS, stylesheet_document

    chosen = edition.feed.formats if formats is None else tuple(formats)
    documents: list[Document] = []
    for name in chosen:
        documents.extend(get_renderer(name).render(edition))
    if any(name in STYLED_FORMATS for name in chosen):
        documents.append(stylesheet_document(edition))
    return documents


register_renderer("rss", "syndication.render.rss:RssRenderer", "pip install feedgen")
register_renderer("atom", "syndication.render.atom:AtomRenderer", "pip install feedgen")
register_renderer(
    "newsml", "syndication.render.newsml:NewsmlRenderer", "pip install lxml"
)
register_renderer("ninjs", "syndication.render.ninjs:NinjsRenderer")
