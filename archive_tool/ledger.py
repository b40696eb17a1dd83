"""The check-out ledger: which files are out, with whom, until when, with what
content, and the edit locks (one person per file). The commands that move the
files are in custody.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkouts (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL,
    path TEXT NOT NULL,
    dest TEXT NOT NULL,
    staff TEXT,
    login TEXT NOT NULL,
    at TEXT NOT NULL,
    due TEXT NOT NULL,
    purpose TEXT,
    sha256 TEXT NOT NULL,
    edit INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    closed_at TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS checkouts_open ON checkouts(state, path);
CREATE UNIQUE INDEX IF NOT EXISTS one_edit_lock ON checkouts(path)
    WHERE state = 'open' AND edit = 1;
CREATE TABLE IF NOT EXISTS checkins (
    checkout_id INTEGER PRIMARY KEY,
    staged TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    login TEXT NOT NULL,
    note TEXT,
    forced INTEGER NOT NULL,
    at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Checkin:
    """A check-in under way: the new content is staged in .archive/ and complete; a
    restart finishes it (or, if the staged content is gone, leaves the check-out open)."""

    checkout_id: int
    staged: str
    sha256: str
    login: str
    note: str | None
    forced: bool
    at: str


@dataclass(frozen=True)
class Checkout:
    id: int
    client_id: str
    path: str
    dest: str
    staff: str | None
    login: str
    at: str
    due: str
    purpose: str | None
    sha256: str
    edit: bool
    state: str
    closed_at: str | None
    note: str | None

    def overdue(self, today: date) -> bool:
        return self.state == "open" and date.fromisoformat(self.due) < today

    def to_json(self) -> dict:
        return dict(self.__dict__)


class Ledger:
    """The record of check-outs, in the state database."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.db.executescript(SCHEMA)

    def open_edit(self, path: str) -> Checkout | None:
        row = self.db.execute("SELECT * FROM checkouts WHERE path = ? AND state = 'open'"
                              " AND edit = 1", (path,)).fetchone()
        return _row(row)

    def by_dest(self, dest: str) -> Checkout | None:
        row = self.db.execute("SELECT * FROM checkouts WHERE dest = ? AND state = 'open'"
                              " ORDER BY id DESC LIMIT 1", (dest,)).fetchone()
        return _row(row)

    def add(self, client_id: str, path: str, dest: str, staff: str | None, login: str,
            today: date, days: int, purpose: str | None, sha256: str,
            edit: bool) -> Checkout | None:
        """Record a check-out; None when another edit lock on path won the race."""
        now = datetime.now(UTC)
        due = (today + timedelta(days=days)).isoformat()
        try:
            cur = self.db.execute(
                "INSERT INTO checkouts (client_id, path, dest, staff, login, at, due, purpose,"
                " sha256, edit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (client_id, path, dest, staff, login, now.isoformat(timespec="seconds"), due,
                 purpose, sha256, int(edit)))
        except sqlite3.IntegrityError:
            return None
        return _row(self.db.execute("SELECT * FROM checkouts WHERE id = ?",
                                    (cur.lastrowid,)).fetchone())

    def close(self, checkout: Checkout, state: str, note: str | None = None) -> None:
        self.db.execute("UPDATE checkouts SET state = ?, closed_at = ?, note = ? WHERE id = ?",
                        (state, datetime.now(UTC).isoformat(timespec="seconds"), note,
                         checkout.id))

    def begin_checkin(self, checkout: Checkout, staged: str, sha256: str, login: str,
                      note: str | None, forced: bool) -> Checkin:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.execute("INSERT OR REPLACE INTO checkins VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (checkout.id, staged, sha256, login, note, int(forced), at))
        return Checkin(checkout.id, staged, sha256, login, note, forced, at)

    def checkins(self) -> list[Checkin]:
        return [Checkin(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6])
                for r in self.db.execute("SELECT * FROM checkins ORDER BY checkout_id")]

    def end_checkin(self, checkin: Checkin, checkout: Checkout | None, state: str) -> None:
        """Close the check-out (when given) and forget the check-in, in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if checkout is not None:
                self.db.execute("UPDATE checkouts SET state = ?, closed_at = ?, note = ?"
                                " WHERE id = ?", (state, now, checkin.note, checkout.id))
            self.db.execute("DELETE FROM checkins WHERE checkout_id = ?",
                            (checkin.checkout_id,))

    def get(self, checkout_id: int) -> Checkout | None:
        return _row(self.db.execute("SELECT * FROM checkouts WHERE id = ?",
                                    (checkout_id,)).fetchone())

    def open(self) -> list[Checkout]:
        return [c for r in self.db.execute(
            "SELECT * FROM checkouts WHERE state = 'open' ORDER BY due, id")
            if (c := _row(r)) is not None]


def _row(row) -> Checkout | None:
    if row is None:
        return None
    values = list(row)
    values[10] = bool(values[10])
    return Checkout(*values)


def inside(folder: Path, relative: str) -> Path:
    """folder/relative, refusing absolute paths, '..' and symbolic links on the way."""
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise ValueError(relative)
    path = folder
    for part in candidate.parts:
        path = path / part
        if path.is_symlink():
            raise ValueError(relative)
    return path
