"""The audit log: who read or changed what, when, from where, with what outcome.

JSON Lines in .archive/audit.jsonl. Each record carries the hash of the one
before it and its own, so editing, removing or reordering any line breaks the
chain at that line. Appends hold an exclusive lock on the file, are written in
one write() and fsynced: the daemon and many CLI calls never interleave.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

AUDIT_FILE = "audit.jsonl"
HEAD_FILE = "audit.head"  # the last record's seq and hash: a cut at the end shows
GENESIS = "0" * 64
TAIL_BYTES = 1 << 16


def _digest(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    blob = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    message: str


class AuditLog:
    def __init__(self, state_dir: Path):
        self.path = state_dir / AUDIT_FILE
        self.head = state_dir / HEAD_FILE

    def append(self, action: str, *, staff: str | None, login: str, outcome: str = "ok",
               client: str | None = None, path: str | None = None, query: str | None = None,
               detail: str | None = None) -> dict:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o664)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            seq, prev = self._last(fd)
            record = {"seq": seq + 1, "at": datetime.now(UTC).isoformat(timespec="microseconds"),
                      "staff": staff, "login": login, "action": action, "client": client,
                      "path": path, "query": query, "outcome": outcome, "detail": detail,
                      "host": socket.gethostname(), "pid": os.getpid(), "prev": prev}
            record["hash"] = _digest(record)
            line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
            tmp = self.head.with_name(f".{HEAD_FILE}.{os.getpid()}")
            tmp.write_text(f"{record['seq']} {record['hash']}\n")
            tmp.replace(self.head)
            return record
        finally:
            os.close(fd)  # closing releases the lock

    @staticmethod
    def _last(fd: int) -> tuple[int, str]:
        size = os.fstat(fd).st_size
        if size == 0:
            return 0, GENESIS
        start = max(0, size - TAIL_BYTES)
        tail = os.pread(fd, size - start, start).rstrip(b"\n")
        last = tail.rsplit(b"\n", 1)[-1]
        try:
            record = json.loads(last)
            return int(record["seq"]), str(record["hash"])
        except (ValueError, KeyError, TypeError):
            # A damaged last line: keep appending; verify names the damage.
            return size, hashlib.sha256(last).hexdigest()

    def records(self) -> Iterator[dict]:
        try:
            f = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        with f:
            for line in f:
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError:
                        yield {"unreadable": line.rstrip("\n")}

    def verify(self) -> Verdict:
        """Walk the chain; name the first record that was edited, removed or moved."""
        prev, seq, n = GENESIS, 0, 0
        for n, record in enumerate(self.records(), 1):
            where = f"{self.path.name} line {n}"
            if "unreadable" in record:
                return Verdict(False, n, f"{where} is not a valid record (edited?)")
            if record.get("hash") != _digest(record):
                return Verdict(False, n, f"{where} (record {record.get('seq')}) was edited:"
                                         " its hash does not match its content")
            if record.get("prev") != prev:
                if record.get("seq", 0) > seq + 1:
                    gone = (f"record {seq + 1} was" if record["seq"] == seq + 2
                            else f"records {seq + 1} to {record['seq'] - 1} were")
                    return Verdict(False, n, f"{where}: {gone} removed before it")
                return Verdict(False, n, f"{where} (record {record.get('seq')}) is out of"
                                         f" order: it does not follow record {seq}")
            prev, seq = record["hash"], record["seq"]
        try:
            head_seq, head_hash = self.head.read_text().split()
        except (OSError, ValueError):
            head_seq, head_hash = str(seq), prev
        if int(head_seq) != seq or head_hash != prev:
            return Verdict(False, n, f"{self.path.name} ends at record {seq} but record"
                                     f" {head_seq} was written: records were cut from the end")
        return Verdict(True, n, f"{n} records, chain intact")
