"""The command line as a client of the archive service.

Decides, before anything heavy is imported, whether a command goes to the
service named in archive.yaml; if so, sends the arguments over the service's
socket, prints what it answers, does the file operations it asks for (as the
person who typed the command) and exits with its exit code.
"""

from __future__ import annotations

import _socket  # socket.py's enums and selectors cost more than the request
import errno
import os
import sys

from archive_tool.errors import AccessDenied, ArchiveError, ExitCode
from archive_tool.i18n import _
from archive_tool.locate import (
    ServiceAddress,
    current_folder,
    find_root,
    service_address,
    split_globals,
)
from archive_tool.protocol import VERSION, Channel, ProtocolError, read_chunks

TYPE_CHECKING = False  # typing and pathlib would cost more than the rest of a request
if TYPE_CHECKING:
    from archive_tool.outside import LocalFiles

LOCAL_COMMANDS = ("init", "setup", "daemon")
HELP = ("-h", "--help")
CONNECT_SECONDS = 5.0
ANSWER_SECONDS = 3600.0  # a long command (index --rebuild) keeps the connection quiet


def command_of(argv: list[str]) -> tuple[str | None, str | None]:
    """(the --archive value, the command name; None for an option this router does not
    know, such as --version: click decides)."""
    archive, rest = split_globals(argv)
    return archive, rest[0] if rest and not rest[0].startswith("-") else None


def forward(argv: list[str], root: str | None = None) -> int | None:
    """The exit code of the command run by the service, or None to run it here. Help
    the stored texts do not hold comes from the service too when it answers (it has
    every command loaded), and from this process when it does not. root: the
    archive's, when the caller found it already."""
    archive, command = command_of(argv)
    asks_help = any(a in HELP for a in argv)
    if command in LOCAL_COMMANDS or (command is None and not asks_help):
        return None
    try:
        root = root or find_root(archive)
        address = service_address(root)
    except AccessDenied as e:
        return None if asks_help else _fail(str(e), e.exit_code)
    except ArchiveError:
        return None  # the in-process path says the same, in its words
    if address is None:
        return None
    return run(address, root, argv, optional=asks_help)


def _fail(message: str, code: int) -> int:
    sys.stderr.write(_("error: {message}").format(message=message) + "\n")
    return int(code)


def _not_answering(address: ServiceAddress, why: str) -> int:
    return _fail(_("the archive service is not answering ({socket}: {reason}); ask the"
                   " information department to start it (systemctl start archive-tool)"
                   ).format(socket=address.socket, reason=why), ExitCode.UNAVAILABLE)


def run(address: ServiceAddress, root: str | os.PathLike, argv: list[str],
        optional: bool = False) -> int | None:
    """The command's exit code; None when an optional request finds no service."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(CONNECT_SECONDS)
    try:
        sock.connect(address.socket)
    except OSError as e:
        sock.close()
        return None if optional else _not_answering(address, e.strerror or str(e))
    sock.settimeout(ANSWER_SECONDS)
    channel = Channel(sock)
    try:
        channel.send({"v": VERSION, "op": "run", "argv": argv, "root": os.fspath(root),
                      "cwd": current_folder() or "/",  # a removed one: nothing is relative
                      "lang": os.environ.get("ARCHIVE_TOOL_LANG"),
                      "tty": {"stdout": sys.stdout.isatty(), "stderr": sys.stderr.isatty()}})
        return _converse(channel)
    except (ProtocolError, OSError) as e:
        return _not_answering(address, str(e))
    except KeyboardInterrupt:
        return _fail(_("interrupted; the archive service finishes or undoes what it was"
                       " doing"), ExitCode.INTERRUPTED)
    finally:
        sock.close()


def _converse(channel: Channel) -> int:
    files: LocalFiles | None = None
    while True:
        message = channel.receive()
        op = message.get("op")
        if op == "out":
            stream = sys.stderr if message.get("stream") == "stderr" else sys.stdout
            stream.write(str(message.get("text", "")))
            stream.flush()
        elif op == "call":
            if files is None:
                from archive_tool.outside import LocalFiles

                files = LocalFiles()
            _call(channel, files, str(message.get("fn")), message.get("args") or {})
        elif op == "exit":
            return int(message.get("code", ExitCode.FINDINGS))
        else:
            raise ProtocolError(_("unexpected message {name}").format(name=repr(op)))


def _call(channel: Channel, files: LocalFiles, fn: str, args: dict) -> None:
    """Do one file operation the service asked for, as this process's account."""
    path = str(args.get("path", ""))
    if fn == "write":
        chunks = channel.receive_bytes()
        try:
            files.write_new(path, chunks, overwrite=args.get("overwrite") is True)
        except OSError as e:
            for _chunk in chunks:  # what is left of the stream, if anything
                pass
            channel.send(_error(e, path))
            return
        channel.send({"op": "reply", "ok": True})
        return
    reply: dict[str, object] = {}
    try:
        if fn == "resolve":
            reply = {"path": files.resolve(path)}
        elif fn == "kind":
            reply = {"kind": files.kind(path)}
        elif fn == "walk":
            reply = {"files": files.walk(path)}
        elif fn == "show":
            reply = {"opened": files.show(path)}
        elif fn == "read":
            f = files.open_read(path)
        else:
            raise OSError(errno.ENOSYS, _("unknown operation {name}").format(name=fn))
    except OSError as e:
        channel.send(_error(e, path))
        return
    if fn != "read":
        channel.send({"op": "reply", "ok": True, **reply})
        return
    with f:
        channel.send({"op": "reply", "ok": True})
        channel.send_bytes(read_chunks(f))


def _error(e: OSError, path: str) -> dict:
    return {"op": "reply", "ok": False, "errno": e.errno or errno.EIO,
            "error": e.strerror or str(e), "path": e.filename or path}
