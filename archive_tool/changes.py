"""The daemon's pure pieces: which unit of work a changed path belongs to, which files
are still being written or held open by an office program, and when to act.

Nothing here watches anything or touches the disk except `held_files` (one stat
per file); the daemon composes these with a watchdog observer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from archive_tool.config import ARCHIVE_FILE, CLIENTS_DIR, STAFF_FILE
from archive_tool.records import CLIENT_FOLDER, is_ignored

EVERYTHING = "*"  # the unit of work meaning every client (settings, roster, clients/)
NETWORK_FS = ("cifs", "smb3", "smbfs", "nfs", "nfs4", "ceph", "9p", "afs")
GROWING_SECONDS = 1.0  # a file changed this recently without a close event may be growing


def is_office_lock(name: str) -> bool:
    return (name.startswith(".~lock.") and name.endswith("#")) or name.startswith("~$")


def route(root: str, path: str) -> str | None:
    """The unit of work for a changed path: a client folder's name, EVERYTHING, or None
    for what the daemon ignores (.archive/, editors' temp and swap files...)."""
    if not path.startswith(root):
        return None
    parts = [p for p in path[len(root):].split("/") if p]
    if not parts:
        return EVERYTHING
    if parts[0] in (ARCHIVE_FILE, STAFF_FILE) and len(parts) == 1:
        return EVERYTHING
    if parts[0] != CLIENTS_DIR:
        return None
    if len(parts) == 1:
        return EVERYTHING
    if not CLIENT_FOLDER.match(parts[1]):
        return None
    name = parts[-1]
    if len(parts) > 2 and is_ignored(name) and not is_office_lock(name):
        return None
    return parts[1]


def held_by_locks(names: Iterable[str]) -> set[str]:
    """Names of a folder's files that an office program holds open: LibreOffice's
    `.~lock.NAME#` and Word's owner file `~$` + NAME without its first characters."""
    names = set(names)
    held = set()
    for name in names:
        if name.startswith(".~lock.") and name.endswith("#"):
            held.add(name[len(".~lock."):-1])
        elif name.startswith("~$") and len(name) > 2:
            tail = name[2:]
            held |= {n for n in names if n.endswith(tail) and n != name}
    return held


@dataclass
class _Pending:
    first: float
    last: float
    fast: bool


class Debouncer:
    """Collects changed units of work and says when each is due: after a short quiet
    period (shorter after a completed write), and at most max_delay after the first
    change. Thread-safe: the observer's thread marks, the worker waits and takes."""

    def __init__(self, quiet: float = 0.4, quiet_fast: float = 0.05, max_delay: float = 3.0,
                 clock: Callable[[], float] = time.monotonic):
        self.quiet = quiet
        self.quiet_fast = quiet_fast
        self.max_delay = max_delay
        self.clock = clock
        self._pending: dict[str, _Pending] = {}
        self._wake = threading.Condition()

    def mark(self, key: str, fast: bool = False, delay: float = 0.0) -> None:
        now = self.clock() + delay
        with self._wake:
            p = self._pending.get(key)
            if p is None:
                self._pending[key] = _Pending(now, now, fast)
            else:
                p.last = max(p.last, now)
                p.fast = fast
            self._wake.notify()

    def _deadline(self, p: _Pending) -> float:
        return min(p.last + (self.quiet_fast if p.fast else self.quiet), p.first + self.max_delay)

    def take_due(self) -> list[str]:
        now = self.clock()
        with self._wake:
            due = [k for k, p in self._pending.items() if self._deadline(p) <= now]
            for k in due:
                del self._pending[k]
            return sorted(due)

    def wait(self, timeout: float) -> None:
        """Sleep until the next unit is due, something new is marked, or timeout."""
        with self._wake:
            if self._pending:
                nearest = min(self._deadline(p) for p in self._pending.values())
                timeout = min(timeout, max(0.0, nearest - self.clock()))
            if timeout > 0:
                self._wake.wait(timeout)

    def wake(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def __len__(self) -> int:
        with self._wake:
            return len(self._pending)

    def oldest_age(self) -> float:
        now = self.clock()
        with self._wake:
            return max((max(0.0, now - p.first) for p in self._pending.values()), default=0.0)


def filesystem_type(path: Path, mountinfo: str | None = None) -> str:
    """The file system type of the mount holding path (from /proc/self/mountinfo)."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return ""
    best, kind = "", ""
    target = str(path.resolve())
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields = left.split()
        if len(fields) < 5 or not right:
            continue
        mount = fields[4].replace("\\040", " ")
        if (target == mount or target.startswith(mount.rstrip("/") + "/")) and len(mount) > len(
                best):
            best, kind = mount, right.split()[0]
    return kind


def needs_polling(fstype: str) -> bool:
    return fstype in NETWORK_FS or fstype.startswith(("nfs", "fuse"))
