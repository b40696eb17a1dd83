"""The archive service's socket: who is asking (the kernel says, SO_PEERCRED), one
thread per connection, bounded messages and time, and the caller's files reached
back through the same connection.

What a request does is the handler's business (the command line's, injected
by whoever starts the server); this module only carries it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import pwd
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from archive_tool.errors import Conflict, ExitCode
from archive_tool.i18n import _
from archive_tool.outside import CallerFiles
from archive_tool.protocol import VERSION, Channel, ProtocolError

log = logging.getLogger("archive_tool.service")
REQUEST_SECONDS = 10.0    # to send the request once connected
ANSWER_SECONDS = 120.0    # for the caller's process to answer a file operation
MAX_ARGS = 1000
MAX_CLIENTS = 64
_PEERCRED = struct.Struct("3i")


@dataclass(frozen=True)
class Peer:
    pid: int
    uid: int
    gid: int

    @property
    def login(self) -> str:
        try:
            return pwd.getpwuid(self.uid).pw_name
        except KeyError:
            return f"uid {self.uid}"


@dataclass(frozen=True)
class Request:
    argv: list[str]
    root: str
    cwd: str
    lang: str | None
    tty: dict[str, bool]


class Connection:
    """One caller: its output streams and its files."""

    def __init__(self, channel: Channel, peer: Peer, tty: dict[str, bool]):
        self.channel = channel
        self.peer = peer
        self.tty = tty
        self.files = RemoteFiles(channel)

    def write(self, stream: str, text: str) -> None:
        if text:
            self.channel.send({"op": "out", "stream": stream, "text": text})


Handler = Callable[[Request, Connection], int]


class Server:
    def __init__(self, path: str, handler: Handler, *, root: Path):
        self.path = path
        self.handler = handler
        self.root = root
        self.sock: socket.socket | None = None
        self.slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        folder = Path(self.path).parent
        folder.mkdir(parents=True, exist_ok=True)
        self._remove_stale()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o111)
        try:
            sock.bind(self.path)  # who may connect: anyone; who they are: the kernel says
        finally:
            os.umask(old)
        sock.listen(128)
        self.sock = sock
        _route_output()
        self.thread = threading.Thread(target=self._accept, name="service-accept", daemon=True)
        self.thread.start()

    def _remove_stale(self) -> None:
        if not Path(self.path).exists():
            return
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(self.path)
        except OSError:
            Path(self.path).unlink()  # left by a service that died
            return
        finally:
            probe.close()
        raise Conflict(_("{path}: another archive service answers there; stop it first")
                       .format(path=self.path))

    def stop(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            Path(self.path).unlink(missing_ok=True)
            self.sock = None

    def _accept(self) -> None:
        while self.sock is not None:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self._serve, args=(conn,), name="service-request",
                             daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, self.slots:
            try:
                pid, uid, gid = _PEERCRED.unpack(conn.getsockopt(
                    socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))
                conn.settimeout(REQUEST_SECONDS)
                channel = Channel(conn)
                request = self._request(channel.receive())
                conn.settimeout(ANSWER_SECONDS)
                connection = Connection(channel, Peer(pid, uid, gid), request.tty)
                _local.connection = connection
                try:
                    code = self.handler(request, connection)
                except Exception:  # never a traceback for the caller, always one in the log
                    log.exception("request %s from uid %s failed", request.argv[:2], uid)
                    connection.write("stderr", "error: " + _(
                        "the archive service failed on this request; the information"
                        " department can see why in its log") + "\n")
                    code = ExitCode.FINDINGS
                finally:
                    _local.connection = None
                channel.send({"op": "exit", "code": int(code)})
            except (ProtocolError, OSError) as e:
                log.info(_("a connection ended early: {reason}").format(reason=e))

    def _request(self, message: dict[str, Any]) -> Request:
        if message.get("v") != VERSION or message.get("op") != "run":
            raise ProtocolError(f"unsupported request (version {message.get('v')!r})")
        argv = message.get("argv")
        if not isinstance(argv, list) or len(argv) > MAX_ARGS or not all(
                isinstance(a, str) for a in argv):
            raise ProtocolError("argv must be a list of strings")
        tty = message.get("tty") if isinstance(message.get("tty"), dict) else {}
        lang = message.get("lang")
        return Request(argv, str(message.get("root", "")), str(message.get("cwd", "/")),
                       lang if isinstance(lang, str) else None,
                       {k: bool(v) for k, v in (tty or {}).items()})


# --- the caller's files, through the connection ------------------------------------

class RemoteFiles(CallerFiles):
    """CallerFiles done by the caller's own process (archive_tool.client)."""

    def __init__(self, channel: Channel):
        self.channel = channel

    def _call(self, fn: str, path: str, **extra: Any) -> dict[str, Any]:
        self.channel.send({"op": "call", "fn": fn, "args": {"path": path, **extra}})
        return self._reply(path)

    def _reply(self, path: str) -> dict[str, Any]:
        reply = self.channel.receive()
        if not reply.get("ok"):
            raise OSError(int(reply.get("errno") or errno.EIO), str(reply.get("error")),
                          str(reply.get("path") or path))
        return reply

    def resolve(self, path: str) -> str:
        return str(self._call("resolve", path)["path"])

    def kind(self, path: str) -> str | None:
        kind = self._call("kind", path).get("kind")
        return None if kind is None else str(kind)

    def walk(self, folder: str) -> list[tuple[str, float]]:
        return [(str(p), float(t)) for p, t in self._call("walk", folder).get("files", [])]

    def open_read(self, path: str) -> contextlib.AbstractContextManager[BinaryIO]:
        self._call("read", path)
        return io.BufferedReader(_Incoming(self.channel.receive_bytes()))

    def show(self, path: str) -> bool:
        return bool(self._call("show", path).get("opened"))

    def write_new(self, path: str, chunks: Iterable[bytes], overwrite: bool = False) -> None:
        self.channel.send({"op": "call", "fn": "write",
                           "args": {"path": path, "overwrite": overwrite}})
        self.channel.send_bytes(iter(chunks))
        self._reply(path)


class _Incoming(io.RawIOBase):
    """A byte stream arriving in chunks; closing reads what is left of it."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.pending:
            self.pending = next(self.chunks, b"")
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            for _chunk in self.chunks:
                pass
        super().close()


# --- what a request thread prints goes to its caller --------------------------------

_local = threading.local()


class _ThreadStream(io.TextIOBase):
    """sys.stdout/sys.stderr for a process serving many callers: a request thread's
    output goes to its caller, every other thread's to the service's own stream."""

    def __init__(self, name: str, fallback):
        self.name_ = name
        self.fallback = fallback

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "strict"

    def _connection(self) -> Connection | None:
        return getattr(_local, "connection", None)

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("write() argument must be str")
        connection = self._connection()
        if connection is None:
            return self.fallback.write(text)
        connection.write(self.name_, text)
        return len(text)

    def flush(self) -> None:
        if self._connection() is None:
            self.fallback.flush()

    def isatty(self) -> bool:
        connection = self._connection()
        if connection is None:
            return self.fallback.isatty()
        return bool(connection.tty.get(self.name_))

    def fileno(self) -> int:
        if self._connection() is None:
            return self.fallback.fileno()
        raise io.UnsupportedOperation("a caller's stream has no file descriptor")


def _route_output() -> None:
    if not isinstance(sys.stdout, _ThreadStream):
        sys.stdout = _ThreadStream("stdout", sys.stdout)
    if not isinstance(sys.stderr, _ThreadStream):
        sys.stderr = _ThreadStream("stderr", sys.stderr)
