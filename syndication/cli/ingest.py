"""The ``ingest`` command: files and folders of stories into the store. It
parses options, calls the library's batch ingest and prints what each file did
(stdout) while warnings go to stderr through logging."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from syndication.cli import AppContext, pass_app
from syndication.cli import article_options as opts
from syndication.cli import article_views as views
from syndication.cli.schedule import echo_push, push_to_dict

if TYPE_CHECKING:
    from syndication.articles.ingest import StoredStory
    from syndication.fastlane import PushReport

log = logging.getLogger(__name__)


@click.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@opts.wire_options
@click.option(
    "--revive",
    is_flag=True,
    help="Store new content for a killed article, bringing it back (the version's "
    "note says so), instead of refusing the file.",
)
@click.option(
    "--no-push",
    is_flag=True,
    help="Only store. By default a kill, correction, embargo or hold of a story "
    "already published is pushed to its feeds at once, as the articles commands do.",
)
@opts.json_option
@pass_app
def ingest(
    app: AppContext,
    paths: tuple[Path, ...],
    input_format: str,
    reference_date: datetime | None,
    subjects: tuple[str, ...],
    language: str | None,
    revive: bool,
    no_push: bool,
    as_json: bool,
) -> None:
    """Store stories from files or folders as new articles or new versions.

    Folders are read recursively in sorted order. Each file is IPTC NewsML-G2 (a
    newsItem, or a newsMessage of several), IPTC ninjs (1.x to 3.x), JSON in the
    article format (schemas/article.schema.json) or plain wire copy; each is stored
    on its own, so a bad file stores nothing while the good ones are kept. Content
    equal to any stored version of its article changes nothing; new content for a
    killed article is refused unless --revive. A NewsML-G2 or ninjs item whose
    pubStatus is canceled kills its article. Wire copy keeps the article's subjects
    and language unless given. A story carrying another's credit, or usage terms
    that forbid republication, is stored held from every feed until `articles
    release`. Every bad or refused file is reported and the exit code is 3. Wire
    datelines carry no year: it comes from --date or each file's date, as the
    output says. A new version that kills, corrects, embargoes or holds a story
    already published goes to the story's feeds at once (see push; exit 1 or 4
    as push's when a feed fails), unless --no-push.

    Example: syndication ingest examples/stories --date 2026-06-20
    """
    from syndication.articles.ingest import (
        StoredStory,
        batch_error,
        file_count,
        iter_ingest,
    )
    from syndication.articles.ingest.paths import collect_paths
    from syndication.cli.progress import progress, shows_progress
    from syndication.errors import InputProblem

    options = opts.ingest_options(
        input_format, reference_date, subjects, language, revive=revive
    )
    stored: list[StoredStory] = []
    problems: list[InputProblem] = []
    quiet = as_json or app.quiet
    total = 0
    if shows_progress(quiet=quiet):
        files, missing = collect_paths(paths)  # counted only for the bar
        total = len(files) + len(missing)
    done: set[str] = set()
    with progress(total, label="ingesting", unit="files", quiet=quiet) as bar:
        for outcome in iter_ingest(app.store, app.settings, paths, options):
            if outcome.path not in done:  # a file may have several problems
                done.add(outcome.path)
                bar.advance()
            if isinstance(outcome, StoredStory):
                stored.append(outcome)
                if not as_json:
                    bar.echo(views.stored_line(outcome))
            else:
                problems.append(outcome)
    counts = {
        a: sum(s.action == a for s in stored)
        for a in ("new article", "new version", "killed", "unchanged")
    }
    log.info(
        "%d file(s): %d new article(s), %d new version(s), %d killed, %d unchanged, "
        "%d held, %d bad",
        file_count(stored, problems),
        counts["new article"],
        counts["new version"],
        counts["killed"],
        counts["unchanged"],
        sum(bool(s.hold_reason) for s in stored),
        len({p.path for p in problems}),
    )
    pushed = [] if no_push else _push_urgent(app, stored, echo=not as_json)
    if as_json:
        document = {
            "stored": [_stored_to_dict(s) for s in stored],
            "pushed": [push_to_dict(report) for report in pushed],
            "problems": [
                {"path": p.path, "line": p.line, "field": p.field, "message": p.message}
                for p in problems
            ],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    error = batch_error(problems, file_count(stored, problems))
    if error is not None:
        raise error
    codes = {report.exit_code for report in pushed}
    for code in (1, 4):
        if code in codes:
            raise click.exceptions.Exit(code)


def _push_urgent(
    app: AppContext, stored: list[StoredStory], *, echo: bool
) -> list[PushReport]:
    """Push each story whose new version withdraws or corrects what feeds
    already carry (a kill, a correction, an embargo, a hold or a narrower
    distribution), so partners see it in seconds, not at the next tick."""
    from syndication.fastlane import push_article

    now = datetime.now(UTC)
    urgent: dict[str, None] = {}
    for story in stored:
        if not story.created or story.previous is None or story.guid in urgent:
            continue
        version = app.store.get(story.guid, story.version)
        if not (
            story.killed
            or version.is_correction
            or version.is_embargoed(now)
            or not version.is_syndicated
        ):
            continue
        if app.store.carriers(story.guid):
            urgent[story.guid] = None
    reports = []
    for guid in urgent:
        report = push_article(app.settings, app.store, guid, wait=True)
        if echo:
            echo_push(report, as_json=False)
        reports.append(report)
    return reports


def _stored_to_dict(story: StoredStory) -> dict[str, Any]:
    unchanged = not story.created
    return {
        "path": story.path,
        "guid": story.guid,
        "action": story.action,
        "version": story.version,
        "previous": story.previous,
        "matches": story.version if unchanged else None,
        "revived": story.revived,
        "held": story.hold_reason or None,
        "message": views.stored_outcome(story),
        "format": story.format.value,
        "year_source": story.year_source or None,
    }
