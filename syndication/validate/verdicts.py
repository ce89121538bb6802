"""Item verdicts kept in the store, so a fresh process trusts what an earlier
one found valid.

The gate checks an index without the items it already found valid (see
:mod:`syndication.validate.feed_items`); in one process it remembers them in
memory. A push or a cold publish is a fresh process: it would check again,
under the same rules, every item of every index it touches. Here each verdict
is also written to the store, as the digest of the item's key (its bytes'
SHA-256, the document's format and root element, the feed's credit setting)
under the digest of the rules that judged it (:func:`rules_digest`: the code
version, every file of the schemas folder, the official NewsML-G2 XSD's
folder, the ninjs JSON Schema and the validation code itself). Any change to
the rules changes that digest, so an earlier verdict is never asked again
(and the next write drops it). Only verdicts of items found valid are kept;
an index is still checked whole (its envelope, and at least one item for
NewsML-G2), and any item not found valid under these very rules is checked.

The store is a shortcut here, never a judge: a store error while reading or
writing verdicts is logged and the items are checked as if none were kept.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

Key = tuple[object, ...]


class VerdictStore(Protocol):
    """What :class:`StoredVerdicts` needs of a store."""

    def known_verdicts(self, rules: str, items: Sequence[str]) -> set[str]: ...

    def record_verdicts(self, rules: str, items: Sequence[str]) -> None: ...


class StoredVerdicts:
    """The verdicts of one site's gate in its store, under ``rules``."""

    def __init__(self, store: VerdictStore, rules: str) -> None:
        self.store = store
        self.rules = rules

    def known(self, keys: Collection[Key]) -> set[Key]:
        """Those of ``keys`` found valid under these rules."""
        names = {_name(key): key for key in keys}
        try:
            found = self.store.known_verdicts(self.rules, sorted(names))
        except Exception as exc:  # a shortcut: never a reason to fail
            log.warning("item verdicts not read from the store: %s", exc)
            return set()
        return {names[name] for name in found if name in names}

    def record(self, keys: Collection[Key]) -> None:
        """``keys`` were found valid under these rules."""
        if not keys:
            return
        try:
            self.store.record_verdicts(self.rules, sorted({_name(k) for k in keys}))
        except Exception as exc:  # a shortcut: never a reason to fail
            log.warning("item verdicts not written to the store: %s", exc)


def _name(key: Key) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()


def rules_digest(
    schemas_dir: Path, official_xsd: Path | None, ninjs_schema: Path | None
) -> str:
    """The digest of everything a verdict depends on besides the item and
    its setting: the code version, the schemas folder's files, the official
    XSD's folder (its imports sit beside it), the ninjs schema, and the
    validation code."""
    from syndication import __version__

    digest = hashlib.sha256(__version__.encode())
    code = Path(__file__).parent
    folders = [schemas_dir, code]
    if official_xsd is not None:
        folders.append(official_xsd.parent)
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix in (".pyc",):
                continue
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes())
    if ninjs_schema is not None:
        digest.update(ninjs_schema.read_bytes())
    return digest.hexdigest()
