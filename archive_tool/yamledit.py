"""Edits of people's YAML files that keep their comments, order and quoting."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from archive_tool.files import read_in, write_in


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    y.representer.ignore_aliases = lambda *args: True  # archive files take no anchors
    return y


def edit(root: Path, relpath: str, change: Callable[[object], None]) -> str:
    """Load the file at relpath under root (never through a link), let change()
    modify the document in place, write it back atomically. Returns the new text."""
    y = _yaml()
    data = y.load(read_in(root, relpath).decode("utf-8"))
    change(data)
    out = io.StringIO()
    y.dump(data, out)
    write_in(root, relpath, out.getvalue(), exclusive=False)
    return out.getvalue()
