"""A small web site on the loopback interface, for the tests of the cookie banner and of `policyc audit`.

`LocalSite` serves a table of routes (path -> status, headers, body) from 127.0.0.1 on a free port,
and nothing else: the server binds to 127.0.0.1 only, and it stops itself after `lifetime` seconds
even if a test forgets to. Other host names (such as `tracker.test`) reach the same server only
through Chromium's `--host-resolver-rules`, which map them to 127.0.0.1: no test resolves or reaches
any other address.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css",
         ".json": "application/json"}


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)  # such as ("Set-Cookie", "sid=1; Path=/")
    status: int = 200


def page(html: str, *headers: tuple[str, str]) -> Route:
    return Route(html.encode("utf-8"), headers=list(headers))


def file_route(path: Path) -> Route:
    return Route(path.read_bytes(), TYPES.get(path.suffix, "application/octet-stream"))


class LocalSite:
    """`with LocalSite(routes) as site:` serves `routes` at `site.url(path)`; `site.requests` lists
    each request as `host path`, in order."""

    def __init__(self, routes: dict[str, Route], lifetime: float = 300) -> None:
        self.routes = routes
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(f"{self.headers.get('Host', '')} {self.path}")
                route = site.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route(b"not found", "text/plain", status=404)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in route.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.timer = threading.Timer(lifetime, self.server.shutdown)
        self.timer.daemon = True

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> LocalSite:
        self.thread.start()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
