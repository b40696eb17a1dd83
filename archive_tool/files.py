"""Atomic writes and copies: a file is either the old one or the new one."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic(dest: Path, fill: Callable[[BinaryIO], object], exclusive: bool) -> None:
    """Fill a temp file in dest's folder, fsync it, then rename it onto dest."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
        _install(Path(tmp), dest, exclusive)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str, *, exclusive: bool = False) -> None:
    """Write a file so that it is either the old one or the new one. With exclusive,
    refuse (FileExistsError) to replace an existing file."""
    blob = data.encode("utf-8") if isinstance(data, str) else data
    _atomic(path, lambda out: out.write(blob), exclusive)


def copy_atomic(src: Path, dest: Path, *, exclusive: bool = True) -> None:
    with src.open("rb") as inp:
        _atomic(dest, lambda out: shutil.copyfileobj(inp, out, 1 << 20), exclusive)


def _install(tmp: Path, dest: Path, exclusive: bool) -> None:
    if exclusive:
        os.link(tmp, dest)  # fails if dest exists
        tmp.unlink()
    else:
        tmp.replace(dest)
    _fsync_dir(dest.parent)


def slug(text: str, limit: int = 40) -> str:
    """'Revisión de precios 2026' -> 'revision-de-precios-2026'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or "entry"


def free_name(folder: Path, stem: str, suffix: str, taken: set[str] = frozenset()) -> str:
    """stem+suffix, or stem-2+suffix... the first name not used in folder or taken."""
    n = 1
    while True:
        name = f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        if name not in taken and not (folder / name).exists():
            return name
        n += 1
