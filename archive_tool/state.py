"""The catalog in .archive/state.db: every indexed file and the text taken from it."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    fields_hash TEXT NOT NULL,
    problem TEXT
);
CREATE INDEX IF NOT EXISTS files_client ON files(client_id);
CREATE TABLE IF NOT EXISTS texts (sha256 TEXT PRIMARY KEY, text BLOB NOT NULL,
                                  problem TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass(frozen=True)
class FileRow:
    path: str
    client_id: str
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    fields_hash: str
    problem: str | None = None

    def same_stat(self, size: int, mtime_ns: int, inode: int) -> bool:
        return (self.size, self.mtime_ns, self.inode) == (size, mtime_ns, inode)


class Catalog:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def rows(self) -> dict[str, FileRow]:
        cur = self.db.execute("SELECT path, client_id, size, mtime_ns, inode, sha256,"
                              " fields_hash, problem FROM files")
        return {r[0]: FileRow(*r) for r in cur}

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM files").fetchone()[0]

    def problems(self) -> list[tuple[str, str]]:
        return list(self.db.execute(
            "SELECT path, problem FROM files WHERE problem IS NOT NULL ORDER BY path"))

    def known_texts(self, hashes: Iterable[str]) -> set[str]:
        found = set()
        hashes = list(hashes)
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(
                f"SELECT sha256 FROM texts WHERE sha256 IN ({marks})", chunk))
        return found

    def text(self, sha256: str) -> tuple[str, str | None]:
        row = self.db.execute("SELECT text, problem FROM texts WHERE sha256 = ?",
                              (sha256,)).fetchone()
        return (zlib.decompress(row[0]).decode("utf-8"), row[1]) if row else ("", None)

    def put_texts(self, texts: dict[str, tuple[str, str | None]]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)",
                           [(h, zlib.compress(t.encode("utf-8"), 3), p)
                            for h, (t, p) in texts.items()])

    def apply(self, upserts: Iterable[FileRow], deletes: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in deletes])
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(r.path, r.client_id, r.size, r.mtime_ns, r.inode, r.sha256,
                             r.fields_hash, r.problem) for r in upserts])
            db.execute("DELETE FROM texts WHERE sha256 NOT IN (SELECT sha256 FROM files)")

    def clear(self) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM files")
            db.execute("DELETE FROM texts")

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
