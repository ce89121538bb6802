"""A real moto S3 server on 127.0.0.1 with the tests' counting proxy in front of
it, for the S3 figures (bench.s3_uploads, bench.latency, bench.publish_twice).

The proxy (tests/s3proxy.py) runs in a process of its own, so the publisher
being measured never shares a GIL with it; it counts every request as the
server side sees it. Run as ``python -m bench.moto_s3 UPSTREAM_PORT``, this
module is that proxy process: it prints its endpoint URL, then answers each
line on stdin with the requests seen since the last line (as JSON) and forgets
them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

TESTS = Path(__file__).resolve().parent.parent / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

# moto accepts any credentials; these keep the AWS chain from finding real ones.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class Requests:
    """What the server was asked between two :meth:`CountingProxy.take` calls."""

    methods: Counter[str]
    last_put_at: float | None  # time.time() when the last PUT was answered

    @property
    def puts(self) -> int:
        return self.methods["PUT"]


class CountingProxy:
    """tests/s3proxy.py's proxy in a child process, in front of ``upstream_port``."""

    def __init__(self, upstream_port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.moto_s3", str(upstream_port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=TESTS.parent,
        )
        self.endpoint_url = self._stdout().readline().strip()
        if not self.endpoint_url.startswith("http://127.0.0.1:"):
            self.close()
            raise RuntimeError("the counting proxy did not start")

    def take(self) -> Requests:
        """The requests seen since the last call (the proxy then forgets them)."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write("\n")
        stdin.flush()
        answer = json.loads(self._stdout().readline())
        return Requests(Counter(answer["methods"]), answer["last_put_at"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._stdout().close()

    def _stdout(self) -> IO[str]:
        assert self.process.stdout is not None
        return self.process.stdout


@dataclass(frozen=True)
class MotoS3:
    endpoint_url: str  # the server itself
    proxy: CountingProxy

    def create_bucket(self, bucket: str) -> None:
        self._client().create_bucket(Bucket=bucket)

    def object_count(self, bucket: str) -> int:
        pages = self._client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sum(page.get("KeyCount", 0) for page in pages)

    def destination(self, name: str, bucket: str) -> str:
        """A ``[destinations.NAME]`` TOML table for ``bucket``, through the proxy."""
        return (
            f'[destinations.{name}]\ntype = "s3"\nbucket = "{bucket}"\n'
            f'endpoint_url = "{self.proxy.endpoint_url}"\nregion = "us-east-1"\n'
        )

    def _client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url)


@contextmanager
def moto_s3() -> Iterator[MotoS3]:
    """A moto server and the counting proxy, both on 127.0.0.1 and stopped
    afterwards; sets moto's dummy credentials in this process's environment (so
    subprocesses inherit them)."""
    from conftest import MotoServer, free_port

    os.environ.update(CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    server = MotoServer(free_port())
    server.start()
    try:
        proxy = CountingProxy(server.port)
        try:
            yield MotoS3(server.endpoint_url, proxy)
        finally:
            proxy.close()
    finally:
        server.stop()


class _StampedAnswers(list[tuple[str, str, int]]):
    """The proxy's list of answers, noting when the last PUT was answered: the
    proxy appends under its lock as soon as the server has answered, before the
    client hears back, so no answer can be missed by a following take."""

    last_put_at: float | None = None

    def append(self, answer: tuple[str, str, int]) -> None:
        super().append(answer)
        if answer[0] == "PUT":
            self.last_put_at = time.time()


def _serve_proxy(upstream_port: int) -> None:
    from s3proxy import S3Proxy

    proxy = S3Proxy(upstream_port)
    answers = _StampedAnswers()
    proxy.answers = answers
    sys.stdout.write(proxy.endpoint_url + "\n")
    sys.stdout.flush()
    for _ in sys.stdin:
        with proxy.lock:
            methods = Counter(method for method, _ in proxy.log)
            answer = {"methods": methods, "last_put_at": answers.last_put_at}
            proxy.log.clear()
            answers.clear()
            answers.last_put_at = None
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    proxy.close()


if __name__ == "__main__":
    _serve_proxy(int(sys.argv[1]))
