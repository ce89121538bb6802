"""A counting, breakable HTTP proxy in front of the moto S3 server, on 127.0.0.1.

It records every request the publisher makes (method and path, in order) as the
server side sees them, and what the server answered; it can be told to fail PUTs
after a number of them, the way a store that goes away mid-publish would, to
fail, drop, delay or lose the answer of any request (``plan``), and answers 502
when the server behind it is not running.
"""

from __future__ import annotations

import http.client
import http.server
import threading
import time
from collections.abc import Callable
from typing import ClassVar


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: ClassVar[S3Proxy]

    def _forward(self) -> None:
        proxy = type(self).proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with proxy.lock:
            proxy.log.append((self.command, self.path))
            puts = sum(1 for method, _ in proxy.log if method == "PUT")
            failing = (
                self.command == "PUT"
                and proxy.fail_after is not None
                and puts > proxy.fail_after
            )
        action = proxy.plan(self.command, self.path) if proxy.plan else None
        if action is not None and action.startswith("delay:"):
            time.sleep(float(action.split(":", 1)[1]))
            action = None
        if action == "503":
            failing, proxy_failure = True, "503"
        elif action == "drop":
            failing, proxy_failure = True, "drop"
        else:
            proxy_failure = proxy.failure
        if failing and proxy_failure == "drop":
            # The server is gone: the connection closes with no answer.
            self.close_connection = True
            self.connection.close()
            return
        if failing:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        upstream = http.client.HTTPConnection(
            "127.0.0.1", proxy.upstream_port, timeout=30
        )
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = f"127.0.0.1:{proxy.upstream_port}"
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        except OSError:
            # The server behind is down: answer as a gateway in front of it would.
            upstream.close()
            with proxy.lock:
                proxy.answers.append((self.command, self.path, 502))
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with proxy.lock:
            proxy.answers.append((self.command, self.path, response.status))
        if action == "lost-ack":
            # The server did the work; its answer never reaches the client.
            upstream.close()
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()
        if self.command == "PUT" and proxy.after_put is not None:
            proxy.after_put(sum(1 for m, _, _ in proxy.answers if m == "PUT"))

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        return None


class S3Proxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.log: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.fail_after: int | None = None
        self.failure = "503"  # or "drop": close connections without answering
        # What the server behind answered (502: it was not there), in order.
        self.answers: list[tuple[str, str, int]] = []
        # Called after each PUT the server answered, with how many it has answered
        # (a test stops the server from here).
        self.after_put: Callable[[int], None] | None = None
        # Per request (method, path) → None (forward), "503", "drop" (close
        # without forwarding), "lost-ack" (forward, then close without
        # answering) or "delay:SECONDS" (then forward).
        self.plan: Callable[[str, str], str | None] | None = None
        handler = type("Handler", (_Handler,), {"proxy": self})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.endpoint_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def puts(self) -> list[str]:
        with self.lock:
            return [path for method, path in self.log if method == "PUT"]

    def clear(self) -> None:
        with self.lock:
            self.log.clear()
            self.answers.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
