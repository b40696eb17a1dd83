"""Files shipped with the package: the JSON schemas and the sample archive."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Installed wheels carry data under _data/; a source checkout has it at the top."""
    installed = _PACKAGE / "_data" / name
    return installed if installed.exists() else _PACKAGE.parent / name


def schema_file(kind: str) -> Path:
    return data_path("schema") / f"{kind}.schema.json"
