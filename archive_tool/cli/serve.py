"""The archive service's requests: each one is the same command line, run inside the
service for the person the kernel names, with their files reached through their
own process."""

from __future__ import annotations

from pathlib import Path

from archive_tool import i18n
from archive_tool.archive import Shared
from archive_tool.cli.app import Caller, Session
from archive_tool.client import LOCAL_COMMANDS, command_of
from archive_tool.errors import ExitCode
from archive_tool.i18n import _
from archive_tool.locate import archive_language
from archive_tool.server import Connection, Handler, Request


def handler(root: Path, shared: Shared, service_user: str | None) -> Handler:
    def handle(request: Request, connection: Connection) -> int:
        from archive_tool.cli import load

        i18n.use(i18n.choose(archive_language(root), request.lang))
        if Path(request.root).resolve() != root:
            connection.write("stderr", _("error: {message}").format(message=_(
                "this archive service keeps {root}, not {asked}; check archive.yaml's"
                " service").format(root=root, asked=request.root)) + "\n")
            return ExitCode.USAGE
        command = command_of(request.argv)[1]
        if command in LOCAL_COMMANDS:
            connection.write("stderr", _("error: {message}").format(message=_(
                "'{command}' runs on the file server itself, not through the archive"
                " service").format(command=command)) + "\n")
            return ExitCode.USAGE
        peer = connection.peer
        system = peer.uid == 0 or peer.login == service_user
        session = Session(caller=Caller(root, peer.login, system, connection.files, shared))
        try:
            code = load().main(args=request.argv, prog_name="archive-tool",
                               standalone_mode=False, obj=session)
        finally:
            shared.index.release_pages()  # the service's memory stays its own
        return code if isinstance(code, int) else ExitCode.OK

    return handle
