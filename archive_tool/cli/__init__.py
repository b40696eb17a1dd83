"""The command line: a thin layer over archive_tool.archive.Archive."""

from __future__ import annotations

import sys

from archive_tool.cli import (  # noqa: F401  (each module registers its commands)
    audit,
    clients,
    custody,
    entries,
    permissions,
    search,
    service,
    staff,
)
from archive_tool.cli.app import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli.main(prog_name="archive-tool")
    sys.exit(0)  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    main()
