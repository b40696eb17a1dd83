"""The words of the index, folded but not stemmed: for prefix queries and suggestions.

Kept in a small SQLite file beside the index. It only grows until the next
rebuild; a word whose documents are gone merely expands to nothing, since
every use of it is checked against the index.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from fnmatch import translate
from pathlib import Path

MAX_WORD = 40


class Vocabulary:
    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self.lock = threading.RLock()  # the archive service searches from many threads

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY)"
                             " WITHOUT ROWID")
        return self._db

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def add(self, words: Iterable[str]) -> None:
        rows = [(w,) for w in words if len(w) <= MAX_WORD and not w.isdigit()]
        if rows:
            with self.lock:
                self._add(rows)

    def _add(self, rows: list[tuple[str]]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("INSERT OR IGNORE INTO words VALUES (?)", rows)
        self.db.execute("COMMIT")

    def matching(self, pattern: str, limit: int = 1000) -> list[str]:
        """Words fitting a prefix* or wild?card pattern (already folded)."""
        with self.lock:
            return self._matching(pattern, limit)

    def _matching(self, pattern: str, limit: int) -> list[str]:
        head = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
        if pattern == head + "*":
            cur = self.db.execute("SELECT word FROM words WHERE word >= ? AND word < ?"
                                  " LIMIT ?", (head, head + "\uffff", limit))
            return [r[0] for r in cur]
        rx = re.compile(translate(pattern))
        cur = self.db.execute("SELECT word FROM words WHERE word >= ? AND word < ?",
                              (head, head + "\uffff"))
        return [w for (w,) in cur if rx.match(w)][:limit]

    def similar(self, word: str, maxdist: int = 2, limit: int = 5) -> list[str]:
        """Words within maxdist edits of word sharing its first letter, closest first."""
        if not word:
            return []
        with self.lock:
            found = self.db.execute("SELECT word FROM words WHERE word >= ? AND word < ?"
                              " AND length(word) BETWEEN ? AND ?",
                              (word[0], word[0] + "\uffff", len(word) - maxdist,
                               len(word) + maxdist)).fetchall()
        scored = []
        for (candidate,) in found:
            d = _distance(word, candidate, maxdist)
            if 0 < d <= maxdist:
                scored.append((d, candidate))
        return [w for _, w in sorted(scored)[:limit]]


def _distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, giving up (cap + 1) once it must exceed cap."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]
