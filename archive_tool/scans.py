"""Scanned files waiting for OCR, and what OCR made of them, in .archive/state.db.

A file whose content has no text layer (an image-only PDF page, a TIFF, PNG or
JPEG) is indexed at once by its metadata and queued here by content hash. The
daemon reads the queue in the background (`drain`); once a file is read its text
goes to the catalog's text cache and the file is marked for the next pass, which
indexes it with its text. What OCR made of a content is kept across rebuilds, so
a scan is read once.
"""

from __future__ import annotations

import logging
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

from archive_tool import ocr
from archive_tool.files import read_in
from archive_tool.i18n import _, ngettext
from archive_tool.words import shown_number

log = logging.getLogger("archive_tool.scans")

SCHEMA = """
CREATE TABLE IF NOT EXISTS scans (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    state TEXT NOT NULL,
    text BLOB,
    chars INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0,
    read INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    failure TEXT,
    detail TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scans_state ON scans(state, at);
"""
WAITING, DONE, FAILED = "waiting", "done", "failed"


@dataclass(frozen=True)
class Untexted:
    """A catalogued file with no text: waiting for OCR, or OCR could not read it or
    found nothing."""

    path: str
    client_id: str
    state: str
    failure: str | None
    pages: int
    read: int

    def reason(self, unavailable: str | None = None) -> str:
        """Why the file has no text, in the person's language."""
        if self.state == WAITING:
            if unavailable:
                return _("scanned, not read: {why}").format(why=unavailable)
            return _("scanned, waiting for OCR")
        if self.state == FAILED:
            return {
                "timeout": _("scanned; OCR took too long and stopped"),
                "crashed": _("scanned; OCR stopped on this file (is it complete?)"),
                "unreadable": _("scanned; OCR could not open the file"),
                "too_large": _("scanned; too large for OCR"),
            }.get(self.failure or "", _("scanned; OCR failed"))
        if not self.read:
            return _("scanned; no page could be read")
        return ngettext("scanned; OCR found no text on its page",
                        "scanned; OCR found no text on its {n} pages", self.read).format(
                            n=self.read)


class ScanQueue:
    """The scans table, on the catalog's connection or (`open`) on one of its own: the
    daemon reads the queue from another thread than its passes."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._own = False
        db.executescript(SCHEMA)

    @classmethod
    def open(cls, db_path: Path) -> ScanQueue:
        db = sqlite3.connect(db_path, timeout=30, isolation_level=None,
                             check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        queue = cls(db)
        queue._own = True
        return queue

    def close(self) -> None:
        if self._own:
            self.db.close()

    def __enter__(self) -> ScanQueue:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def text(self, sha256: str) -> str | None:
        """What OCR read from this content, or None when it has not been read."""
        row = self.db.execute("SELECT text FROM scans WHERE sha256 = ? AND state = ?",
                              (sha256, DONE)).fetchone()
        return zlib.decompress(row[0]).decode("utf-8") if row and row[0] is not None else (
            "" if row else None)

    def want(self, items: Iterable[tuple[str, str]]) -> int:
        """Queue (sha256, path) contents not read yet; returns how many are new."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [(sha, path, WAITING, now) for sha, path in items]
        if not rows:
            return 0
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO scans (sha256, path, state, at)"
                            " VALUES (?, ?, ?, ?)", rows)
        return self.db.total_changes - before

    def waiting(self) -> list[tuple[str, str]]:
        """(sha256, a path with that content now) for each content to read, oldest
        first; contents no catalogued file has any more are dropped."""
        self.db.execute("DELETE FROM scans WHERE state = ? AND sha256 NOT IN"
                        " (SELECT sha256 FROM files)", (WAITING,))
        return list(self.db.execute(
            "SELECT s.sha256, (SELECT min(f.path) FROM files f WHERE f.sha256 = s.sha256)"
            " FROM scans s WHERE s.state = ? ORDER BY s.at, s.sha256", (WAITING,)))

    def count_waiting(self) -> int:
        return self.db.execute("SELECT count(*) FROM scans WHERE state = ? AND sha256 IN"
                               " (SELECT sha256 FROM files)", (WAITING,)).fetchone()[0]

    def finish(self, sha256: str, reading: ocr.Reading) -> list[str]:
        """Keep what OCR read, put it in the text cache and mark the files with this
        content for the next pass; returns their paths."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        text = reading.text.strip()
        state = FAILED if reading.failure else DONE
        blob = zlib.compress(reading.text.encode("utf-8"), 3)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "UPDATE scans SET state = ?, text = ?, chars = ?, pages = ?, read = ?,"
                " seconds = ?, failure = ?, detail = ?, at = ? WHERE sha256 = ?",
                (state, blob, len(text), reading.pages, reading.read,
                 round(reading.seconds, 3), reading.failure, reading.detail or None, now,
                 sha256))
            self.db.execute("INSERT OR REPLACE INTO texts (sha256, text, problem)"
                            " VALUES (?, ?, NULL)", (sha256, blob))
            paths = [r[0] for r in self.db.execute(
                "SELECT path FROM files WHERE sha256 = ?", (sha256,))]
            # A changed stat makes the next pass look at the folder; the fields hash,
            # that it rewrites the document (now with its text).
            self.db.execute("UPDATE files SET mtime_ns = -1, fields_hash = ''"
                            " WHERE sha256 = ?", (sha256,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return paths

    def untexted(self, under: Iterable[str] | None = None) -> list[Untexted]:
        """The catalogued files with no text (waiting, failed, or nothing read)."""
        rows = self.db.execute(
            "SELECT f.path, f.client_id, s.state, s.failure, s.pages, s.read FROM files f"
            " JOIN scans s ON s.sha256 = f.sha256 WHERE s.state != ? OR s.chars = 0"
            " ORDER BY f.path", (DONE,))
        found = [Untexted(*r) for r in rows]
        if under is None:
            return found
        prefixes = tuple(p.rstrip("/") + "/" for p in under)
        return [u for u in found if u.path.startswith(prefixes)]


def drain(root: Path, db_path: Path, stop: Callable[[], bool] = lambda: False,
          progress: Callable[[str, int, int], None] | None = None,
          lock: AbstractContextManager | None = None,
          ) -> Iterator[tuple[str, list[str]]]:
    """Read the waiting scans one by one; yields (sha256, paths of its files) after
    each, so each becomes searchable as soon as it is read. What is read is stored
    while holding `lock` (the daemon's writer: no pass in between). Nothing happens
    when OCR is not installed (the files stay listed as waiting)."""
    if ocr.unavailable():
        return
    with ScanQueue.open(db_path) as queue:
        jobs = queue.waiting()
        if not jobs:
            return
        with ocr.Reader() as reader:
            for i, (sha, path) in enumerate(jobs, 1):
                if stop():
                    return
                if path is None:
                    continue
                try:
                    data = read_in(root, path, ocr.MAX_BYTES + 1)
                except OSError as e:  # gone or unreadable now: the next pass sees it
                    log.warning(_("{path}: cannot read it for OCR ({reason})").format(
                        path=path, reason=e.strerror or e))
                    continue
                reading = reader.read(data, PurePath(path).suffix)
                if reading.failure:
                    log.warning(_("{path}: OCR failed ({reason})").format(
                        path=path, reason=reading.failure + (
                            f": {reading.detail}" if reading.detail else "")))
                else:
                    log.info(_("{path}: OCR read {read} of {pages} pages in {seconds} s")
                             .format(path=path, read=reading.read, pages=reading.pages,
                                     seconds=shown_number(reading.seconds)))
                with lock or nullcontext():
                    paths = queue.finish(sha, reading)
                yield sha, paths
                if progress:
                    progress("ocr", i, len(jobs))
