"""The help of every command, rendered by click once per language when the catalogs
are compiled (tools/catalogs.py) and kept beside them, so that `archive-tool
--help` is printed without importing click, the commands or asking the service.

A help the table does not hold (an option after the command, a terminal narrower
than click's 80 columns) is rendered by click as before.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HELP = ("-h", "--help")
COLUMNS = 80  # click wraps help at min(terminal, 80) - 2 columns
FILE = "help.json"
PROG = "archive-tool"


def path(language: str) -> str:
    from archive_tool.i18n import LOCALE_DIR

    return os.path.join(LOCALE_DIR, language, FILE)


def wanted(argv: list[str]) -> str | None:
    """The command whose help argv asks for ("" for the program's, "client show" for
    a subcommand's), or None when argv asks for anything else."""
    from archive_tool.locate import split_globals

    rest = split_globals(argv)[1]
    if not rest or rest[-1] not in HELP or any(w.startswith("-") for w in rest[:-1]):
        return None
    return " ".join(rest[:-1])


def _wide_enough() -> bool:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns) >= COLUMNS
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns >= COLUMNS  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return True  # not a terminal: click too wraps at 80


def lookup(argv: list[str], language: str) -> str | None:
    """The stored help argv asks for, in this language; None when click must render it."""
    command = wanted(argv)
    if command is None or not _wide_enough():
        return None
    from archive_tool.lightjson import JSON

    try:
        with open(path(language), encoding="utf-8") as f:
            texts = JSON.loads(f.read().strip())
    except (OSError, ValueError):
        return None
    text = texts.get(command) if isinstance(texts, dict) else None
    return text if isinstance(text, str) else None


def render(language: str) -> dict[str, str]:
    """Every command's help as click shows it in this language, keyed by command path."""
    import contextlib
    import io

    import click

    from archive_tool import i18n
    from archive_tool.cli import load

    group = load()
    commands: list[list[str]] = [[]]

    def walk(g: Any, prefix: list[str]) -> None:
        for name, command in sorted(g.commands.items()):
            commands.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(group, [])
    texts: dict[str, str] = {}
    previous, os.environ["COLUMNS"] = os.environ.get("COLUMNS"), str(COLUMNS)
    i18n.use(language)
    try:
        for words in commands:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                group.main([*words, "--help"], prog_name=PROG, standalone_mode=False)
            texts[" ".join(words)] = out.getvalue()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return texts
