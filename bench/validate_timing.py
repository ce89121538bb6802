"""Time the validation gate: the one-time compile cost of every schema, then the
check of a 100-item document of each format with schemas already compiled
(median of several runs), split into parse, grammar, official XSD, rules and
body rules, and the per-version NewsML-G2 item documents.

python -m bench.validate_timing [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _ms(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs

    from bench.workload import AT, generate_articles
    from syndication.config import load_settings
    from syndication.feeds import FeedDefinition
    from syndication.render.base import Document
    from syndication.render.registry import render_edition
    from syndication.select import build_edition
    from syndication.store import open_store
    from syndication.store.base import Selection
    from syndication.validate import bodies, checker, rules, schemas
    from syndication.validate.gate import Gate

    out = sys.stdout.write
    settings = load_settings(REPO / "config" / "syndication.toml")
    schemas_dir, xsd = settings.schemas_dir, settings.newsml_xsd
    if xsd is None or not xsd.is_file():
        xsd = REPO.parent / "shared/schemas/newsml-g2/NewsML-G2_2.35-spec-All-Power.xsd"
    xsd = xsd if xsd.is_file() else None

    # Compile cost (this process has compiled nothing yet).
    compile_ms: dict[str, float] = {}
    for fmt in ("rss", "atom", "newsml"):
        started = time.perf_counter()
        schemas.grammar(schemas_dir, fmt)
        compile_ms[f"{fmt} grammar"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        rules.compiled_rules(schemas_dir, fmt)
        compile_ms[f"{fmt} rules"] = (time.perf_counter() - started) * 1000
    if xsd is not None:
        started = time.perf_counter()
        schemas.official_xsd(xsd)
        compile_ms["official NewsML-G2 XSD"] = (time.perf_counter() - started) * 1000
    out("one-time compile (first use in a process):\n")
    for name, value in compile_ms.items():
        out(f"  {name:<24} {value:7.1f} ms\n")
    out(f"  {'total':<24} {sum(compile_ms.values()):7.1f} ms\n")

    with tempfile.TemporaryDirectory() as temp:
        store = open_store(f"sqlite:///{temp}/store.db")
        generate_articles(store, 300)
        feed = FeedDefinition(
            feed_id="timing",
            partner="Timing",
            title="Timing",
            description="100 items",
            link="https://timing.example/",
            selection=Selection(limit=100),
        )
        edition = build_edition(store, feed, settings.agency, AT + timedelta(days=3))
        store.close()
    documents = render_edition(edition, ["rss", "atom", "newsml"])
    gate = Gate(schemas_dir, xsd)
    out(
        f"\n{len(edition.items)}-item documents, schemas compiled (median of {runs}):\n"
    )

    def time_document(document: Document) -> None:
        report = gate.check([document], edition)
        assert report.ok, [str(p) for p in report.problems[:3]]
        fmt = document.format
        tree, _ = checker.parse(document.body, document.key)
        assert tree is not None
        parts: dict[str, Callable[[], object]] = {
            "parse": lambda: checker.parse(document.body, "x"),
            "grammar": lambda: schemas.grammar(schemas_dir, fmt).errors(tree),
            "rules": lambda: rules.compiled_rules(schemas_dir, fmt).problems(
                tree, "x", expected_credit="x", build_time=edition.at
            ),
            "bodies": lambda: [
                bodies.body_problems(e, "x", expected_credit="x", append_paragraph=True)
                for e in bodies.entries(tree.getroot(), fmt)
            ],
        }
        if fmt == "newsml" and xsd is not None:
            official = schemas.official_xsd(xsd)
            parts["official XSD"] = lambda: official.errors(tree)
        total = _ms(lambda: gate.check([document], edition), runs)
        split = ", ".join(f"{n} {_ms(f, runs):.1f}" for n, f in parts.items())
        out(
            f"  {document.key:<11} {len(document.body) / 1024:6.0f} KiB  "
            f"check {total:6.1f} ms  ({split} ms)\n"
        )

    for key in ("rss.xml", "atom.xml", "newsml.xml"):
        time_document(next(d for d in documents if d.key == key))
    items = [d for d in documents if not d.is_index]
    # A new gate each time: a gate remembers the item documents it found valid.
    total = _ms(lambda: Gate(schemas_dir, xsd).check(items, edition), runs)
    gate.check(items, edition)
    again = _ms(lambda: gate.check(items, edition), runs)
    out(
        f"  {len(items)} NewsML-G2 item documents: {total:.0f} ms "
        f"({total / max(1, len(items)):.2f} ms each); {again:.1f} ms when the "
        "gate has already found them valid (another feed carrying them)\n"
    )


if __name__ == "__main__":
    main()
