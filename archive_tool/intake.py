"""import: file a folder of documents (a leaver's folder, a scanner's output) into a
client's correspondence, one entry per document; the folder itself is left as it is."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from archive_tool import filing
from archive_tool.archive import Archive
from archive_tool.errors import NotFound
from archive_tool.i18n import _
from archive_tool.protocol import read_chunks
from archive_tool.reconcile import scan, sha256_in
from archive_tool.records import is_ignored

DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


@dataclass
class Item:
    source: Path  # as the caller's process names it
    when: date
    subject: str
    duplicate_of: str | None = None
    entry: str | None = None


def date_of(path: Path, mtime: float) -> date:
    """The date in the file name (2026-03-04, 20260304, 2026_03_04), else its mtime."""
    m = DATE_IN_NAME.search(path.name)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    return datetime.fromtimestamp(mtime).date()


def _digest(inp: BinaryIO) -> str:
    h = hashlib.sha256()
    for chunk in read_chunks(inp):
        h.update(chunk)
    return h.hexdigest()


def subject_of(path: Path) -> str:
    stem = DATE_IN_NAME.sub("", path.stem)
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) if words else path.name


def plan(archive: Archive, folder: Path, client_id: str) -> list[Item]:
    client = archive.client(client_id, "import")
    if archive.outside.kind(str(folder)) != "dir":
        raise NotFound(_("{folder}: no such folder to import").format(folder=folder))
    have: dict[str, str] = {}
    for rel in scan(archive.root, client.folder, ()):
        try:
            have.setdefault(sha256_in(archive.root, rel), rel)
        except OSError:
            continue
    items: list[Item] = []
    seen: dict[str, str] = {}
    for name, mtime in archive.outside.walk(str(folder)):
        path = Path(name)
        if is_ignored(path.name):
            continue
        with archive.outside.open_read(name) as inp:
            sha = _digest(inp)
        item = Item(path, min(date_of(path, mtime), archive.today), subject_of(path))
        item.duplicate_of = have.get(sha) or seen.get(sha)
        seen.setdefault(sha, str(path))
        items.append(item)
    return items


def run(archive: Archive, folder: Path, client_id: str, kind: str = "note",
        dry_run: bool = False) -> list[Item]:
    items = plan(archive, folder, client_id)
    if dry_run:
        return items
    for item in items:
        if item.duplicate_of:
            continue
        entry = filing.log(archive, client_id, kind, item.subject, when=item.when,
                            files=[item.source], direction="in",
                            summary=_("Imported from {name}").format(
                                name=item.source.name))
        item.entry = entry.relative_to(archive.root).as_posix()
    archive.record("import", client=client_id,
                   detail=f"{sum(1 for i in items if i.entry)} filed,"
                          f" {sum(1 for i in items if i.duplicate_of)} duplicates skipped"
                          f" from {folder}")
    return items
