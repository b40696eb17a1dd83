"""The root command group, the session object and the one place errors become exit codes."""

from __future__ import annotations

import errno
import json
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive_tool import i18n
from archive_tool.errors import ArchiveError, ExitCode
from archive_tool.i18n import N_, _
from archive_tool.printable import printable

if TYPE_CHECKING:
    from archive_tool.archive import Archive
    from archive_tool.outside import CallerFiles

i18n.translate_click()

DEMO_BANNER = N_("archive-tool: demo archive: every login is treated as an information"
                 " administrator")


@dataclass
class Caller:
    """A command run by the archive service for someone: who (the kernel said),
    their files, and what the service shares between requests."""

    root: Path
    login: str
    system: bool
    files: CallerFiles
    shared: Any


class Session:
    def __init__(self, archive_path: str | None = None, as_json: bool = False,
                 caller: Caller | None = None):
        self.archive_path = archive_path
        self.json = as_json
        self.caller = caller

    @cached_property
    def archive(self) -> Archive:
        from archive_tool.archive import Archive
        from archive_tool.config import find_root

        if self.caller is not None:
            c = self.caller
            return Archive(c.root, login=c.login, system=c.system, outside=c.files,
                           shared=c.shared)
        archive = Archive(find_root(self.archive_path))
        i18n.use(i18n.choose(archive.settings.language, os.environ.get(i18n.LANG_ENV)))
        if archive.settings.demo:
            click.echo(_(DEMO_BANNER), err=True)
        return archive

    def emit(self, data: dict, text: str | None = None) -> None:
        """One JSON document with --json, else the text form."""
        if self.json:
            text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # a name that is not UTF-8: escaped, still JSON
                text = json.dumps(data, indent=2, default=str)
            click.echo(text)
        elif text is not None:
            click.echo(printable(text))


pass_session = click.make_pass_decorator(Session)


class CallerPath(click.ParamType):
    """A path in the caller's own folders. Not looked at here: through the archive
    service only the caller's process may look at it (archive_tool.outside)."""

    name = "path"

    def convert(self, value, param, ctx) -> Path:
        return value if isinstance(value, Path) else Path(value)


CALLER_PATH = CallerPath()


class ArchiveGroup(click.Group):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        args = _json_first(list(sys.argv[1:] if args is None else args))
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except ArchiveError as e:
            code = _fail(str(e), e.exit_code)
        except click.exceptions.Exit as e:
            code = e.exit_code
        except click.ClickException as e:
            code = _fail(e.format_message(), ExitCode.USAGE)
        except (click.Abort, KeyboardInterrupt):
            code = _fail(_("interrupted; nothing was left half-done"), ExitCode.INTERRUPTED)
        except Exception as e:  # every other failure is one line too, never a traceback
            code = _fail(*failure(e))
            if os.environ.get("ARCHIVE_TOOL_TRACEBACK"):
                raise
        if standalone_mode:
            sys.exit(code)
        return code


def _json_first(args: list[str]) -> list[str]:
    """`--json` is accepted after the command as well as before it, as people type it."""
    if "--json" not in args:
        return args
    return ["--json", *(a for a in args if a != "--json")]


def failure(e: Exception) -> tuple[str, int]:
    """One line and an exit code for a failure no command expected: the file system,
    the state database, or a fault in the program."""
    import sqlite3

    if isinstance(e, OSError):
        where = f"{e.filename}: " if e.filename else ""
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            return _("{where}the disk is full; free some space and run the command again;"
                     " nothing was changed").format(where=where), ExitCode.FINDINGS
        if e.errno in (errno.EACCES, errno.EPERM):
            return _("{where}permission denied; check the folder's permissions").format(
                where=where), ExitCode.DENIED
        return _("{where}{reason}; nothing was changed").format(
            where=where, reason=e.strerror or e), ExitCode.FINDINGS
    if isinstance(e, sqlite3.OperationalError):
        text = str(e)
        if "locked" in text or "busy" in text:
            return _("the archive's state database is busy (another process holds it);"
                     " try again in a moment"), ExitCode.CONFLICT
        if "full" in text:
            return _("the disk is full; free some space and run the command again;"
                     " nothing was changed"), ExitCode.FINDINGS
        return _("the archive's state database cannot be used ({reason}); run"
                 " 'archive-tool status'").format(reason=text), ExitCode.FINDINGS
    if isinstance(e, sqlite3.DatabaseError):
        return _("the archive's state database is damaged ({reason}); the information"
                 " department can rebuild it with 'archive-tool index --rebuild'").format(
            reason=e), ExitCode.FINDINGS
    return _("the program failed ({kind}: {reason}); nothing was changed; set"
             " ARCHIVE_TOOL_TRACEBACK=1 to see where").format(
        kind=type(e).__name__, reason=e), ExitCode.FINDINGS


def _fail(message: str, code: int) -> int:
    click.echo(printable(_("error: {message}").format(message=message), keep=""), err=True)
    return int(code)


@click.group(cls=ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-A", "--archive", "archive_path", metavar="PATH",
              help="Archive root (else $ARCHIVE_TOOL_ROOT, else the nearest archive.yaml"
                   " upward).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.version_option(package_name="archive-tool", help=N_("Show the version and exit."))
@click.pass_context
def cli(ctx: click.Context, archive_path: str | None, as_json: bool) -> None:
    """Client files archive: records, correspondence, validation and search."""
    if isinstance(ctx.obj, Session):  # run by the archive service: its root, the caller
        ctx.obj.json = as_json
    else:
        ctx.obj = Session(archive_path, as_json)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return "\n".join(lines)
