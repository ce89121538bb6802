"""The full publish against both baselines, every repeat a fresh process.

Each repeat of each figure starts from the same state: our publish from the
store as generated (ledger empty, the snapshot taken by :func:`snapshot`) to
an empty folder, each baseline to an empty folder of its own. The repeats
take turns (ours, same documents, three indexes; again), so a change in the
machine's load falls on all three alike; each figure is the median. A ratio
is the baseline's time over ours: above 1, we are faster.

After the last repeat the site holds our full publish: the tick with nothing
new and the one new story follow from there, each a fresh process too.
"""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path
from typing import Any

from bench.baseline_documents import document_keys
from bench.publish_once import run_once
from bench.site import Site

BASELINES = ("same-documents", "three-indexes")
SEED = "store.seed.db"


def snapshot(site: Site) -> Path:
    """Keep the store as generated (before any publish); returns the copy."""
    seed = site.folder / SEED
    shutil.copyfile(site.folder / "store.db", seed)
    return seed


def restore(site: Site) -> None:
    """The store as :func:`snapshot` kept it, and no published files."""
    for leftover in site.folder.glob("store.db-*"):  # SQLite's WAL files
        leftover.unlink()
    shutil.copyfile(site.folder / SEED, site.folder / "store.db")
    shutil.rmtree(site.public, ignore_errors=True)


def full_publish_figures(
    site: Site, repeat: int, baselines: tuple[str, ...] = BASELINES
) -> dict[str, Any]:
    """Our full publish and ``baselines``, ``repeat`` times each. Raises
    unless the same-documents baseline wrote exactly our keys."""
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in ("ours", *baselines)}
    for _ in range(repeat):
        for mode, done in runs.items():
            if mode == "ours":
                restore(site)
            else:
                shutil.rmtree(site.folder / f"baseline-{mode}", ignore_errors=True)
            done.append(run_once(site, mode))
    ours = runs.pop("ours")
    out: dict[str, Any] = {
        "full_publish_seconds": _median(ours, "seconds"),
        "full_publish_cpu_seconds": _median(ours, "cpu_seconds"),
        "full_publish_runs_seconds": [run["seconds"] for run in ours],
        "full_publish_documents": ours[-1]["documents"],
        "full_publish_items": ours[-1]["items"],
        "full_publish_exit_code": max(run["exit_code"] for run in ours),
        "peak_memory_mb": max(run["max_rss_mb"] for run in ours),
    }
    for mode, done in runs.items():
        name = "baseline_" + mode.replace("-", "_")
        out[f"{name}_seconds"] = _median(done, "seconds")
        out[f"{name}_cpu_seconds"] = _median(done, "cpu_seconds")
        out[f"{name}_documents"] = done[-1]["documents"]
        out[f"ratio_vs_{name}"] = round(
            out[f"{name}_seconds"] / out["full_publish_seconds"], 3
        )
        out[f"cpu_ratio_vs_{name}"] = round(
            out[f"{name}_cpu_seconds"] / out["full_publish_cpu_seconds"], 3
        )
    out["full_publish_bytes"] = _bytes(site.public)
    if "same-documents" in runs:
        _require_same_keys(site)
        out["baseline_same_documents_bytes"] = _bytes(
            site.folder / "baseline-same-documents"
        )
    return out


def _bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _require_same_keys(site: Site) -> None:
    ours = document_keys(site.public)
    theirs = document_keys(site.folder / "baseline-same-documents")
    if ours != theirs:
        raise RuntimeError(
            "the same-documents baseline wrote other documents than ours: "
            f"only ours {sorted(ours - theirs)[:5]}, "
            f"only the baseline's {sorted(theirs - ours)[:5]}"
        )


def stage_figures(site: Site) -> dict[str, Any]:
    """One more full publish from the generated store, with the stage timers
    (bench/stages.py); it leaves the site published, as the repeats do."""
    restore(site)
    profiled = run_once(site, "ours", stages=True)
    return {
        "stage_profile_seconds": profiled["seconds"],
        "stage_profile": profiled["stages"],
    }


def tick_figures(site: Site, name: str = "tick") -> dict[str, Any]:
    """On a published site: a publish of every feed with nothing new, in a
    fresh process (``cold``), then again in the same process (the figure: a
    scheduler's tick)."""
    tick = run_once(site, "tick")
    warm = tick["warm"]
    return {
        f"{name}_seconds": warm["seconds"],
        f"{name}_renders": warm["renders"],
        f"{name}_puts": warm["documents"],
        f"{name}_cold_seconds": tick["seconds"],
        f"{name}_cold_renders": tick["renders"],
        f"{name}_cold_puts": tick["documents"],
    }


def one_story_figures(site: Site) -> dict[str, Any]:
    """On a published site: one new story stored, then every feed published,
    in a fresh process (``cold``: ``syndication ingest`` then ``publish``),
    then a second story in the same process (``warm``: as the scheduler)."""
    one = run_once(site, "one-story")
    warm = one["warm"]
    return {
        "one_story_cold_seconds": one["seconds"],
        "one_story_warm_seconds": warm["seconds"],
        "one_story_feeds_rerendered": warm["renders"],
        "one_story_feeds_changed": warm["feeds_changed"],
        "one_story_puts": warm["documents"],
        "one_story_outcomes": warm["outcomes"],
        "one_story_cold_puts": one["documents"],
    }


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(float(statistics.median(run[key] for run in runs)), 3)
