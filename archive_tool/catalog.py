"""The database in .archive/state.db: the catalog of indexed files and the text taken
from them, the last seen client records and their change journal, the grants an
admin confirmed, the important matters an admin reviewed, and the latest validation
result per client."""

from __future__ import annotations

import json
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
CREATE INDEX IF NOT EXISTS files_sha ON files(sha256);
CREATE TABLE IF NOT EXISTS texts (sha256 TEXT PRIMARY KEY, text BLOB NOT NULL,
                                  problem TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS records (client_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL,
    at TEXT NOT NULL,
    path TEXT NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT,
    owner TEXT,
    noted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_client ON journal(client_id, id);
CREATE TABLE IF NOT EXISTS grants (client_id TEXT PRIMARY KEY, confirmed TEXT NOT NULL,
                                   at TEXT NOT NULL, by TEXT);
CREATE TABLE IF NOT EXISTS reviews (path TEXT PRIMARY KEY, client_id TEXT NOT NULL,
                                    at TEXT NOT NULL, by TEXT, note TEXT);
CREATE TABLE IF NOT EXISTS validation (
    client_id TEXT PRIMARY KEY,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    problems TEXT NOT NULL,
    at TEXT NOT NULL
);
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
    TIMEOUT = 30.0  # seconds to wait for another process's write before saying so

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=self.TIMEOUT, isolation_level=None)
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

    def rows(self, under: Iterable[str] | None = None) -> dict[str, FileRow]:
        """Every catalogued file, or those under the given folders."""
        select = ("SELECT path, client_id, size, mtime_ns, inode, sha256, fields_hash,"
                  " problem FROM files")
        if under is None:
            return {r[0]: FileRow(*r) for r in self.db.execute(select)}
        out: dict[str, FileRow] = {}
        for folder in under:
            prefix = folder.rstrip("/") + "/"
            cur = self.db.execute(select + " WHERE path >= ? AND path < ?",
                                  (prefix, prefix + "\uffff"))
            out.update((r[0], FileRow(*r)) for r in cur)
        return out

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM files").fetchone()[0]

    def problems(self) -> list[tuple[str, str]]:
        return list(self.db.execute(
            "SELECT path, problem FROM files WHERE problem IS NOT NULL ORDER BY path"))

    def known_texts(self, hashes: Iterable[str]) -> set[str]:
        found: set[str] = set()
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

    def apply(self, upserts: Iterable[FileRow], deletes: Iterable[str],
              everything: bool = False) -> None:
        """Write the rows and forget the text of contents no file has any more. With
        everything, the rows replace all the catalogued files."""
        upserts = list(upserts)
        paths = [(p,) for p in deletes] + [(r.path,) for r in upserts]
        with self.transaction() as db:
            if everything:
                db.execute("DELETE FROM files")
            old = {r[0] for p in paths for r in db.execute(
                "SELECT sha256 FROM files WHERE path = ?", p)}
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in deletes])
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(r.path, r.client_id, r.size, r.mtime_ns, r.inode, r.sha256,
                             r.fields_hash, r.problem) for r in upserts])
            if everything:
                db.execute("DELETE FROM texts WHERE NOT EXISTS"
                           " (SELECT 1 FROM files WHERE files.sha256 = texts.sha256)")
            else:
                db.executemany("DELETE FROM texts WHERE sha256 = ? AND NOT EXISTS"
                               " (SELECT 1 FROM files WHERE files.sha256 = texts.sha256)",
                               [(h,) for h in old])

    # --- records and their journal ------------------------------------------

    def record(self, client_id: str) -> dict | None:
        row = self.db.execute("SELECT data FROM records WHERE client_id = ?",
                              (client_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def save_record(self, client_id: str, data: dict, changes: list[tuple],
                    noted: bool = False) -> None:
        """Keep the record as last seen, with its journal lines
        (at, path, field, old, new, owner, noted), in one transaction; noted marks
        earlier unexplained changes as explained."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO records VALUES (?, ?)",
                       (client_id, json.dumps(data, ensure_ascii=False, sort_keys=True)))
            db.executemany("INSERT INTO journal (client_id, at, path, field, old, new, owner,"
                           " noted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(client_id, *c) for c in changes])
            if noted:
                db.execute("UPDATE journal SET noted = 1 WHERE client_id = ?", (client_id,))

    def records(self) -> dict[str, dict]:
        return {cid: json.loads(data) for cid, data in self.db.execute(
            "SELECT client_id, data FROM records")}

    def journal(self, client_id: str) -> list[dict]:
        cur = self.db.execute("SELECT at, path, field, old, new, owner, noted FROM journal"
                              " WHERE client_id = ? ORDER BY id", (client_id,))
        return [{"at": r[0], "path": r[1], "field": r[2], "old": json.loads(r[3]),
                 "new": json.loads(r[4]), "owner": r[5], "noted": bool(r[6])} for r in cur]

    def unnoted(self) -> dict[str, list[tuple[str, str]]]:
        """(field, when) of important changes made without a note, per client."""
        out: dict[str, list[tuple[str, str]]] = {}
        for cid, field, at in self.db.execute(
                "SELECT client_id, field, at FROM journal WHERE noted = 0 ORDER BY id"):
            out.setdefault(cid, []).append((field, at))
        return out

    # --- grants an admin confirmed, important matters an admin reviewed -------------

    def confirmed_grants(self) -> dict[str, dict]:
        """Per client, the grants (contacts, staff, departments) an admin last confirmed."""
        return {cid: json.loads(data) for cid, data in self.db.execute(
            "SELECT client_id, confirmed FROM grants")}

    def grants_state(self) -> tuple:
        """Every confirmed grant as stored: equal as long as none changed."""
        return tuple(self.db.execute("SELECT client_id, confirmed FROM grants"
                                     " ORDER BY client_id"))

    def confirmed_grants_of(self, client_id: str) -> dict | None:
        row = self.db.execute("SELECT confirmed FROM grants WHERE client_id = ?",
                              (client_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def confirm_grants(self, client_id: str, grants: dict, at: str, by: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO grants VALUES (?, ?, ?, ?)",
                        (client_id, json.dumps(grants, sort_keys=True), at, by))

    def reviewed(self) -> dict[str, dict]:
        """Entries an admin has reviewed: path -> {client_id, at, by, note}."""
        return {r[0]: {"client_id": r[1], "at": r[2], "by": r[3], "note": r[4]}
                for r in self.db.execute("SELECT path, client_id, at, by, note FROM reviews")}

    def review(self, path: str, client_id: str, at: str, by: str | None,
               note: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?)",
                        (path, client_id, at, by, note))

    # --- validation results ----------------------------------------------------

    def save_validation(self, results: dict[str, list[dict]], at: str) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO validation VALUES (?, ?, ?, ?, ?)", [
                (cid, sum(p["severity"] == "error" for p in problems),
                 sum(p["severity"] != "error" for p in problems),
                 json.dumps(problems, ensure_ascii=False), at)
                for cid, problems in results.items()])

    def forget_validation(self, keep: set[str]) -> None:
        rows = [r[0] for r in self.db.execute("SELECT client_id FROM validation")]
        gone = [(cid,) for cid in rows if cid not in keep]
        if gone:
            with self.transaction() as db:
                db.executemany("DELETE FROM validation WHERE client_id = ?", gone)

    def validation(self) -> dict[str, list[dict]]:
        return {cid: json.loads(problems) for cid, problems in self.db.execute(
            "SELECT client_id, problems FROM validation ORDER BY client_id")}

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
