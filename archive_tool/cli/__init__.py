"""The command line: a thin layer over the library. A command on an archive kept
by the archive service goes to the service (archive_tool.client) before anything
heavy is imported; every other command runs here."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs a tenth of a command's start
if TYPE_CHECKING:
    from typing import Any

__all__ = ["cli", "main"]


def load() -> Any:
    """The click group with every command registered."""
    from archive_tool.cli import (  # noqa: F401  (each module registers its commands)
        audit,
        clients,
        custody,
        daemon,
        entries,
        permissions,
        search,
        staff,
    )
    from archive_tool.cli.app import cli

    return cli


def _speak(argv: list[str]) -> str | None:
    """The person's language from the first line on: ARCHIVE_TOOL_LANG, else the
    language of the archive the command names, else Spanish. Returns that archive's
    root, or None when there is none to be found (the command then says why)."""
    import os

    from archive_tool import i18n, locate
    from archive_tool.errors import ArchiveError

    try:
        root = locate.nearest_root(locate.split_globals(argv)[0])
    except (ArchiveError, OSError):  # an unreadable archive, a folder that is gone
        root = None
    language = locate.archive_language(root) if root else None
    i18n.use(i18n.choose(language, os.environ.get(i18n.LANG_ENV)))
    return root


def __getattr__(name: str) -> Any:
    if name == "cli":
        return load()
    raise AttributeError(name)


def main() -> None:
    root = _speak(sys.argv[1:])
    from archive_tool import i18n
    from archive_tool.cli.helptexts import lookup

    text = lookup(sys.argv[1:], i18n.language())
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        sys.exit(0)
    from archive_tool.client import forward

    code = forward(sys.argv[1:], root)
    if code is None:
        load().main(prog_name="archive-tool")
        code = 0  # pragma: no cover
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
