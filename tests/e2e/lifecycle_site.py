"""A site for editorial-lifecycle tests: a store (SQLite or PostgreSQL), a
destination (a folder or the moto S3 server) and three feeds, driven through
the CLI the way editors and operators drive it, with a reader of every
document at the destination."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from conftest import write_config

from syndication.cli import cli

# Stories are dated a few days before the real now: the CLI publishes as of now.
DAY = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
LABOUR = "medtop:09000000"
ENVIRONMENT = "medtop:06000000"

FEEDS = {
    "all": "",
    "labour": f'[selection]\nsubjects = ["{LABOUR}"]\n',
    "urgent": "[selection]\nmax_urgency = 3\n",
}


@dataclass
class Site:
    """One configured site; ``destination`` is ``local`` or ``s3``."""

    root: Path
    config: Path
    destination: str
    store_url: str
    bucket: str = ""
    endpoint: str = ""
    runner: CliRunner = field(default_factory=CliRunner)

    def run(self, *args: str) -> Result:
        return self.runner.invoke(cli, ["--config", str(self.config), *args])

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result

    def ingest(self, **story: Any) -> Result:
        folder = self.root / f"in-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        path = folder / "story.json"
        path.write_text(json.dumps(story, ensure_ascii=False), encoding="utf-8")
        return self.run("ingest", str(path))

    def documents(self) -> dict[str, bytes]:
        """Every document at the destination, by key."""
        if self.destination == "local":
            public = self.root / "public"
            return {
                p.relative_to(public).as_posix(): p.read_bytes()
                for p in sorted(public.rglob("*"))
                if p.is_file()
            }
        client = self.s3()
        found: dict[str, bytes] = {}
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket
        ):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                found[key] = client.get_object(Bucket=self.bucket, Key=key)[
                    "Body"
                ].read()
        return found

    def feed_documents(self) -> dict[str, bytes]:
        """Every document but the destination's face (index.html and
        feeds.opml at its root), whose dates follow the ledger's writes: a
        repair or a forced publish writes again, so they change."""
        return {
            key: body
            for key, body in self.documents().items()
            if key.rpartition("/")[2] not in ("index.html", "feeds.opml")
        }

    def holding(self, text: str) -> list[str]:
        """Keys of the documents whose bytes contain ``text`` (UTF-8 or as an
        XML character reference would not hide it: markers are plain ASCII)."""
        needle = text.encode()
        return [key for key, body in self.documents().items() if needle in body]

    def feed_document(self, feed: str, name: str) -> bytes:
        for key, body in self.documents().items():
            if key.endswith(f"{feed}/{name}") and "/replay/" not in key:
                return body
        raise AssertionError(f"no {feed}/{name} at the destination")

    def s3(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1")

    def objects(self) -> Iterator[dict[str, Any]]:
        client = self.s3()
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket
        ):
            yield from page.get("Contents", [])


def make_site(
    root: Path,
    store_url: str,
    destination: str,
    endpoint: str = "",
    formats: tuple[str, ...] = ("rss", "atom", "newsml"),
    item_documents: str = "",
) -> Site:
    feeds = root / "feeds"
    feeds.mkdir()
    for feed_id, selection in FEEDS.items():
        (feeds / f"{feed_id}.toml").write_text(
            f'id = "{feed_id}"\n'
            f'partner = "Partner {feed_id}"\n'
            f'title = "Feed {feed_id}"\n'
            f'description = "Stories for {feed_id}"\n'
            f'link = "https://{feed_id}.example/"\n'
            f"formats = {json.dumps(list(formats))}\n"
            f"{selection}\n"
            '[destination]\nname = "dest"\n',
            encoding="utf-8",
        )
    bucket = ""
    if destination == "local":
        extra = f'[destinations.dest]\ntype = "local"\npath = "{root / "public"}"\n'
    else:
        bucket = f"feeds-{uuid.uuid4().hex[:10]}"
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1"
        ).create_bucket(Bucket=bucket)
        extra = (
            "[destinations.dest]\n"
            'type = "s3"\n'
            f'bucket = "{bucket}"\n'
            'prefix = "wire"\n'
            'region = "us-east-1"\n'
            f'endpoint_url = "{endpoint}"\n'
            "max_attempts = 2\n"
        )
    if item_documents:
        extra += f'item_documents = "{item_documents}"\n'
    config = write_config(root, store_url=store_url, feeds_dir=feeds, extra=extra)
    return Site(root, config, destination, store_url, bucket, endpoint)


def story(n: int, **fields: Any) -> dict[str, Any]:
    """A JSON story whose headline, summary and body carry markers that must
    vanish from every document once the story is withdrawn."""
    created = (DAY + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
    data: dict[str, Any] = {
        "guid": f"urn:test:story-{n}",
        "headline": f"Headline marker {n}",
        "summary": f"Summary marker {n}",
        "body": f"<p>Body marker {n} first paragraph.</p><p>More text {n}.</p>",
        "first_created": created,
        "subjects": [{"qcode": LABOUR, "name": "labour"}],
        "urgency": 3,
    }
    data.update(fields)
    return data


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# The destinations a lifecycle site is built on, as fixture parameters.
DESTINATIONS = [
    pytest.param("local", id="local"),
    pytest.param("s3", id="s3", marks=pytest.mark.external_service),
]


def site_for(
    request: pytest.FixtureRequest, tmp_path: Path, store_url: str, **options: Any
) -> Site:
    """The site of a fixture parametrised over :data:`DESTINATIONS`."""
    endpoint = ""
    if request.param == "s3":
        request.getfixturevalue("s3_env")
        endpoint = request.getfixturevalue("moto_server").endpoint_url
    return make_site(tmp_path, store_url, request.param, endpoint, **options)
