"""The archive service's wire format: small JSON messages and byte chunks over a
Unix stream socket. No pickle: a peer can send nothing but data.

A frame is one type byte (`J` for a JSON object, `B` for bytes), a 4-byte
big-endian length and the payload. A stream of bytes is a run of `B` frames
ended by an empty one.

Conversation (one request per connection):
  client  -> {"v": 1, "op": "run", "argv": [...], "root": ..., "cwd": ..., "tty": {...}}
  service -> {"op": "out", "stream": "stdout"|"stderr", "text": ...}      any number
  service -> {"op": "call", "fn": ..., "args": {...}} [+ bytes]          the caller's files
  client  -> {"op": "reply", "ok": true, ...} [+ bytes]  or  {"ok": false, "errno", "error"}
  service -> {"op": "exit", "code": n}
"""

from __future__ import annotations

import struct

from archive_tool.i18n import _
from archive_tool.lightjson import JSON

TYPE_CHECKING = False  # importing typing costs a tenth of a command's start
if TYPE_CHECKING:
    import _socket
    import socket
    from collections.abc import Iterator
    from typing import Any

VERSION = 1
MAX_JSON = 1 << 20
MAX_CHUNK = 1 << 20
CHUNK = 1 << 18
_HEAD = struct.Struct(">cI")


class ProtocolError(Exception):
    """The peer sent something that is not this protocol, or went away."""


class Channel:
    def __init__(self, sock: socket.socket | _socket.socket):
        self.sock = sock

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            try:
                part = self.sock.recv(n - len(buf))
            except TimeoutError:
                raise ProtocolError(_("the other side stopped answering")) from None
            if not part:
                raise ProtocolError(_("the other side closed the connection"))
            buf += part
        return bytes(buf)

    def _frame(self) -> tuple[bytes, bytes]:
        kind, size = _HEAD.unpack(self._recv_exact(_HEAD.size))
        if kind not in (b"J", b"B"):
            raise ProtocolError(_("unknown frame type {kind}").format(kind=repr(kind)))
        if size > (MAX_JSON if kind == b"J" else MAX_CHUNK):
            raise ProtocolError(_("a frame of {size} bytes is over the limit").format(size=size))
        return kind, self._recv_exact(size)

    def send(self, message: dict[str, Any]) -> None:
        blob = JSON.dumps(message).encode()
        if len(blob) > MAX_JSON:
            raise ProtocolError(_("a message over the size limit"))
        self.sock.sendall(_HEAD.pack(b"J", len(blob)) + blob)

    def receive(self) -> dict[str, Any]:
        kind, payload = self._frame()
        if kind != b"J":
            raise ProtocolError(_("expected a message, got bytes"))
        try:
            message = JSON.loads(payload.decode())
        except ValueError:  # UnicodeDecodeError too
            raise ProtocolError(_("a message that is not JSON")) from None
        if not isinstance(message, dict):
            raise ProtocolError(_("a message that is not a JSON object"))
        return message

    def send_bytes(self, chunks: Iterator[bytes]) -> None:
        for chunk in chunks:
            for start in range(0, len(chunk), MAX_CHUNK):
                part = chunk[start:start + MAX_CHUNK]
                self.sock.sendall(_HEAD.pack(b"B", len(part)) + part)
        self.sock.sendall(_HEAD.pack(b"B", 0))

    def receive_bytes(self) -> Iterator[bytes]:
        """The chunks of one byte stream, up to its empty end frame."""
        while True:
            kind, payload = self._frame()
            if kind != b"B":
                raise ProtocolError(_("expected bytes, got a message"))
            if not payload:
                return
            yield payload


def read_chunks(f, size: int = CHUNK) -> Iterator[bytes]:
    while chunk := f.read(size):
        yield chunk
