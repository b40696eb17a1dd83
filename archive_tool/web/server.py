"""The web page's HTTP server: waitress (a maintained, pure-Python WSGI server) in a
thread of the archive service, on 127.0.0.1 unless told otherwise. A reverse proxy
on the same machine (nginx, Apache) adds TLS for the office network; its
X-Forwarded-* headers are believed from 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from pathlib import Path
from typing import Any

from archive_tool.archive import Shared
from archive_tool.errors import Conflict, UsageError
from archive_tool.i18n import _

log = logging.getLogger("archive_tool.web")
DEFAULT_HOST = "127.0.0.1"
THREADS = 12
_ADDRESS = re.compile(r"(?:(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+)):)?"
                      r"(?P<port>\d{1,5})")


def parse_address(text: str) -> tuple[str, int]:
    """[HOST:]PORT (an IPv6 host in brackets) -> (host, port); the host is 127.0.0.1
    when not given."""
    m = _ADDRESS.fullmatch(text.strip())
    port = int(m.group("port")) if m else -1
    if not m or not 0 < port < 65536:
        raise UsageError(_("'{value}' is not a web address: give [HOST:]PORT, as 8080 or"
                           " 127.0.0.1:8080").format(value=text))
    return m.group("v6") or m.group("host") or DEFAULT_HOST, port


class WebServer:
    def __init__(self, root: Path, shared: Shared, address: str, *, threads: int = THREADS):
        from archive_tool.web.app import WebApp

        self.host, self.port = parse_address(address)
        self.app = WebApp(root, shared)
        self.threads = threads
        self.server: Any = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        from waitress.server import create_server

        try:
            self.server = create_server(
                self.app, host=self.host, port=self.port, threads=self.threads,
                ident="archive-tool", expose_tracebacks=False, channel_timeout=60,
                trusted_proxy="127.0.0.1", trusted_proxy_count=1,
                trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto",
                                       "x-forwarded-host"},
                clear_untrusted_proxy_headers=True)
        except OSError as e:
            raise Conflict(_("cannot serve the web page on {host}:{port}: {reason}; choose"
                             " another port with --web").format(
                host=self.host, port=self.port, reason=e.strerror or e)) from None
        self.thread = threading.Thread(target=self.server.run,
                                       name="web", daemon=True)
        self.thread.start()
        log.info(_("web page at {url}").format(url=self.url))

    def stop(self) -> None:
        """Finish the requests under way (a few seconds at most) and close."""
        server, self.server = self.server, None
        if server is None:
            return
        from waitress import wasyncore

        with contextlib.suppress(Exception):
            server.task_dispatcher.shutdown(timeout=5)
        with contextlib.suppress(Exception):
            wasyncore.close_all(server._map)
        if self.thread is not None:
            self.thread.join(5)
            self.thread = None
