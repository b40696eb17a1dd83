"""The version store: every version of every file seen, kept by content hash.

Blobs live in .archive/versions/<first two hex digits>/<sha256>, written
atomically and never changed; the catalog of versions (path, number, hash,
size, time, source, who) is in the state database. A blob is checked against
its hash whenever it is read back. Files above the policy's size cap are not
kept (and reported once per content). Files of the archive are read, and
restored, relative to its root without following symbolic links.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO

from archive_tool.config import Policy
from archive_tool.errors import ArchiveError, ExitCode, NotFound
from archive_tool.files import copy_into, file_in, file_nofollow
from archive_tool.i18n import _

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    path TEXT NOT NULL,
    n INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    who TEXT,
    PRIMARY KEY (path, n)
);
CREATE INDEX IF NOT EXISTS versions_sha ON versions(sha256);
CREATE TABLE IF NOT EXISTS versions_not_kept (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (path, sha256)
);
"""


class CorruptBlob(ArchiveError):
    """A stored version whose content no longer matches its hash."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True)
class Version:
    path: str
    n: int
    sha256: str
    size: int
    at: str
    source: str
    who: str | None


@dataclass(frozen=True)
class NotKept:
    """A file the store left out: larger than the cap."""

    path: str
    size: int
    cap: int

    @property
    def message(self) -> str:
        return _("{path} not kept as a version: {size} bytes is over the cap of {cap} bytes"
                 " (policy.version_max_bytes)").format(path=self.path, size=self.size,
                                                       cap=self.cap)


@dataclass
class KeptMany:
    stored: int = 0
    not_kept: list[NotKept] = field(default_factory=list)


class _TooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


class VersionStore:
    def __init__(self, folder: Path, db: sqlite3.Connection, root: Path | None = None,
                 max_bytes: int = Policy.version_max_bytes):
        """folder holds the blobs; root is the archive's root (by default the folder
        two levels up: <root>/.archive/versions); files over max_bytes are not kept."""
        self.folder = folder
        self.db = db
        self.root = root if root is not None else folder.parent.parent
        self.max_bytes = max_bytes
        self.db.executescript(SCHEMA)

    def blob(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256

    def _open(self, source_file: Path, path: str) -> BinaryIO:
        """The file to keep: path under the root, never through a link, when that is
        where source_file is; else source_file itself (its last component no link)."""
        if Path(source_file).absolute() == (self.root / path).absolute():
            return file_in(self.root, path)
        return file_nofollow(source_file)

    def keep(self, source_file: Path, path: str, source: str, who: str | None,
             sha256: str | None = None) -> Version | NotKept:
        """Store the file's content as the next version of path, unless it is the
        latest already (sha256, when known, saves reading it). The blob is complete
        on disk before the catalog names it. A file over the cap is left out: the
        NotKept returned says so."""
        latest = self.latest(path)
        if sha256 and latest and latest.sha256 == sha256:
            return latest
        if sha256 and self.blob(sha256).is_file():
            sha, size = sha256, self.blob(sha256).stat().st_size
        else:
            try:
                sha, size = self._put(lambda: self._open(source_file, path))
            except _TooLarge as e:
                return self._not_kept(path, sha256, e.size)
        if latest and latest.sha256 == sha:
            return latest
        at = datetime.now(UTC).isoformat(timespec="seconds")
        n = (latest.n if latest else 0) + 1
        self.db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (path, n, sha, size, at, source, who))
        return Version(path, n, sha, size, at, source, who)

    def _not_kept(self, path: str, sha256: str | None, size: int) -> NotKept:
        if sha256:
            self.db.execute("INSERT OR REPLACE INTO versions_not_kept VALUES (?, ?, ?)",
                            (path, sha256, size))
        return NotKept(path, size, self.max_bytes)

    def missing(self, under: list[str] | None = None) -> list[tuple[str, str]]:
        """(path, sha256) of catalogued files whose content is not their latest version,
        but for contents already found to be over the cap."""
        sql = ("SELECT f.path, f.sha256 FROM files f LEFT JOIN versions v ON v.path = f.path"
               " AND v.n = (SELECT max(n) FROM versions w WHERE w.path = f.path)"
               " WHERE (v.sha256 IS NULL OR v.sha256 != f.sha256)"
               " AND NOT EXISTS (SELECT 1 FROM versions_not_kept x WHERE x.path = f.path"
               " AND x.sha256 = f.sha256 AND x.size > ?)")
        if under is None:
            return list(self.db.execute(sql, (self.max_bytes,)))
        out: list[tuple[str, str]] = []
        for folder in under:
            prefix = folder.rstrip("/") + "/"
            out += self.db.execute(sql + " AND f.path >= ? AND f.path < ?",
                                   (self.max_bytes, prefix, prefix + "\uffff"))
        return out

    def keep_many(self, items: list[tuple[Path, str, str, str | None]], source: str,
                  stop: Callable[[], bool] = lambda: False) -> KeptMany:
        """Store (file, path, expected sha256, who) in bulk: blobs first, one sync, then
        the catalog rows in one transaction. Stops early when asked; what is left is
        found by missing() next time. Files over the cap are left out and listed in
        the result's not_kept (each content once: missing() leaves it out after)."""
        rows = []
        result = KeptMany()
        for full, path, expected, who in items:
            if stop():
                break
            try:
                blob = self.blob(expected)
                if blob.is_file():
                    sha, size = expected, blob.stat().st_size
                else:
                    sha, size = self._put(partial(self._open, full, path), sync=False)
            except _TooLarge as e:
                result.not_kept.append(self._not_kept(path, expected, e.size))
                continue
            except OSError:
                continue  # gone, unreadable or a link now: the next pass sees it
            rows.append((path, sha, size, who))
        if not rows:
            return result
        os.sync()
        at = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for path, sha, size, who in rows:
                latest = self.latest(path)
                if latest and latest.sha256 == sha:
                    continue
                self.db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (path, (latest.n if latest else 0) + 1, sha, size, at, source,
                                 who))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        result.stored = len(rows)
        return result

    def _put(self, opener: Callable[[], BinaryIO], sync: bool = True) -> tuple[str, int]:
        """Copy the file into a blob named by its hash; _TooLarge (nothing written) when
        it is over the cap. Blobs are private to the store (mode 0600)."""
        with opener() as inp:
            size = os.fstat(inp.fileno()).st_size
            if size > self.max_bytes:
                raise _TooLarge(size)
            return self._copy_blob(inp, sync)

    def _copy_blob(self, inp: BinaryIO, sync: bool) -> tuple[str, int]:
        self.folder.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(prefix=".blob.", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := inp.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                    if size > self.max_bytes:  # it grew while being copied
                        raise _TooLarge(max(size, os.fstat(inp.fileno()).st_size))
                out.flush()
                if sync:
                    os.fsync(out.fileno())
            sha = h.hexdigest()
            target = self.blob(sha)
            if target.exists():
                Path(tmp).unlink()
            else:
                target.parent.mkdir(exist_ok=True)
                Path(tmp).replace(target)
            return sha, size
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def latest(self, path: str) -> Version | None:
        row = self.db.execute("SELECT * FROM versions WHERE path = ? ORDER BY n DESC LIMIT 1",
                              (path,)).fetchone()
        return Version(*row) if row else None

    def history(self, path: str) -> list[Version]:
        return [Version(*r) for r in self.db.execute(
            "SELECT * FROM versions WHERE path = ? ORDER BY n", (path,))]

    def under(self, prefix: str) -> list[Version]:
        prefix = prefix.rstrip("/") + "/"
        return [Version(*r) for r in self.db.execute(
            "SELECT * FROM versions WHERE path >= ? AND path < ? ORDER BY path, n",
            (prefix, prefix + "\uffff"))]

    def get(self, path: str, n: int | None = None) -> Version:
        versions = self.history(path)
        if not versions:
            raise NotFound(_("{path}: no stored versions; see 'archive-tool versions PATH'")
                           .format(path=path))
        if n is None:
            return versions[-1]
        for v in versions:
            if v.n == n:
                return v
        raise NotFound(_("{path}: no version {n}; it has versions 1 to {last}").format(
            path=path, n=n, last=versions[-1].n))

    def write_back(self, version: Version, relpath: str | None = None) -> None:
        """Put a version's content at relpath under the root (its own path by default),
        atomically, never through a link, making missing folders; the blob is checked
        against its hash first."""
        blob = self.read_checked(version)
        with blob.open("rb") as f:
            copy_into(self.root, relpath or version.path, f, exclusive=False, parents=True)

    def read_checked(self, version: Version) -> Path:
        """The blob of a version, after checking its content against its hash."""
        blob = self.blob(version.sha256)
        h = hashlib.sha256()
        try:
            with blob.open("rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
        except FileNotFoundError as e:
            raise CorruptBlob(_("version {n} of {path} is missing from the store ({blob});"
                                " restore .archive/versions from backup").format(
                                    n=version.n, path=version.path, blob=blob)) from e
        if h.hexdigest() != version.sha256:
            raise CorruptBlob(_("version {n} of {path} is damaged in the store ({blob}: its"
                                " content no longer matches its hash); restore"
                                " .archive/versions from backup or pick another version")
                              .format(n=version.n, path=version.path, blob=blob))
        return blob

    def size_bytes(self) -> int:
        total = 0
        if self.folder.is_dir():
            for sub in self.folder.iterdir():
                if sub.is_dir():
                    total += sum(f.stat().st_size for f in sub.iterdir())
        return total

    def gc(self, keep_days: int) -> tuple[int, int]:
        """Forget versions older than keep_days (never a file's latest) and delete
        blobs no version names. Returns (versions forgotten, blobs deleted)."""
        horizon = (datetime.now(UTC) - timedelta(days=keep_days)).isoformat(timespec="seconds")
        cur = self.db.execute(
            "DELETE FROM versions WHERE at < ? AND n < (SELECT max(n) FROM versions v"
            " WHERE v.path = versions.path)", (horizon,))
        forgotten = cur.rowcount
        named = {r[0] for r in self.db.execute("SELECT DISTINCT sha256 FROM versions")}
        deleted = 0
        if self.folder.is_dir():
            for sub in self.folder.iterdir():
                if not sub.is_dir():
                    continue
                for blob in sub.iterdir():
                    if blob.name not in named:
                        blob.unlink()
                        deleted += 1
        return forgotten, deleted
