"""Edits of people's YAML files that keep their comments, order and quoting."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from archive_tool.files import write_atomic


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    y.representer.ignore_aliases = lambda *args: True  # archive files take no anchors
    return y


def edit(path: Path, change: Callable[[object], None]) -> str:
    """Load path, let change() modify the document in place, write it back atomically.
    Returns the new text."""
    y = _yaml()
    data = y.load(path.read_text(encoding="utf-8"))
    change(data)
    out = io.StringIO()
    y.dump(data, out)
    write_atomic(path, out.getvalue())
    return out.getvalue()

