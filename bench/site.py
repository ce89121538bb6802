"""A bench site: a seeded SQLite store, feed definitions and a configuration
in one folder, laid out so a child process finds it all from the folder.

    folder/syndication.toml  folder/feeds/  folder/store.db  folder/public/
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.workload import AT, FORMATS, generate_articles, write_feeds

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Site:
    folder: Path
    config: Path
    feeds_dir: Path
    store_url: str

    @classmethod
    def in_folder(cls, folder: Path) -> Site:
        """The site :func:`make_site` made in ``folder``."""
        return cls(
            folder,
            folder / "syndication.toml",
            folder / "feeds",
            f"sqlite:///{folder / 'store.db'}",
        )

    @property
    def public(self) -> Path:
        """The local destination's folder."""
        return self.folder / "public"

    def feed_definitions(self) -> list[Any]:
        from syndication.feeds import load_feeds

        return list(load_feeds(self.feeds_dir).feeds.values())


def make_site(
    folder: Path,
    articles: int,
    feeds: int,
    formats: tuple[str, ...] = FORMATS,
    store_copy: Path | None = None,
    item_documents: str = "",
) -> Site:
    """A site with a seeded store and feed definitions under ``folder``; with
    ``store_copy``, a copy of that store file instead of a new one; with
    ``item_documents``, that option of its destination (else the default)."""
    from syndication.store import open_store

    site = Site.in_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_feeds(site.feeds_dir, feeds, formats=formats)
    shipped = (REPO / "config" / "syndication.toml").read_text("utf-8")
    agency = shipped.split("[store]")[0]
    site.config.write_text(
        agency
        + f'[store]\nurl = "{site.store_url}"\n\n[paths]\nfeeds = "{site.feeds_dir}"\n'
        f'\n[destinations.local]\ntype = "local"\npath = "{site.public}"\n'
        + (f'item_documents = "{item_documents}"\n' if item_documents else "")
        + _validation(shipped),
        encoding="utf-8",
    )
    if store_copy is not None:
        shutil.copyfile(store_copy, folder / "store.db")
        return site
    store = open_store(site.store_url)
    try:
        generate_articles(store, articles)
    finally:
        store.close()
    return site


def _validation(shipped: str) -> str:
    """The shipped configuration's official NewsML-G2 XSD and ninjs JSON Schema
    (paths relative to config/, the file's folder) as an absolute
    ``[validation]`` table, so the bench validates as the product does; a
    file not on this machine is left out."""
    import tomllib

    table = tomllib.loads(shipped).get("validation", {})
    lines = []
    for key in ("newsml_official_xsd", "ninjs_schema"):
        value = table.get(key)
        path = (REPO / "config" / value).resolve() if value else None
        if path is not None and path.is_file():
            lines.append(f'{key} = "{path}"\n')
    return "\n[validation]\n" + "".join(lines) if lines else ""


def publisher_for(site: Site, render_counter: list[int] | None = None) -> Any:
    """A publisher of ``site`` whose clock stands at the bench moment; each
    edition rendered adds one to ``render_counter[0]``."""
    from syndication.config import load_settings
    from syndication.publish import Publisher
    from syndication.render.registry import render_edition
    from syndication.store import open_store

    settings = load_settings(site.config)
    store = open_store(site.store_url)

    def render(edition: Any) -> Any:
        if render_counter is not None:
            render_counter[0] += 1
        return render_edition(edition)

    return Publisher(settings, store, render=render, clock=lambda: AT)
