"""One daemon per archive: an flock on .archive/daemon.lock holding its pid."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from archive_tool.errors import Conflict
from archive_tool.i18n import _
from archive_tool.statedir import DAEMON_LOCK

LOCK_FILE = DAEMON_LOCK


class DaemonLock:
    def __init__(self, state_dir: Path):
        self.path = state_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = self.holder()
            where = self.path.parent.parent
            raise Conflict((_("a daemon is already running for {archive} (pid {pid}); stop it"
                              " first") if pid else
                            _("a daemon is already running for {archive}; stop it first"))
                           .format(pid=pid, archive=where)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def holder(self) -> int | None:
        """The pid of the daemon holding the lock (-1 if unreadable), None if none."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                return int(self.path.read_text().strip() or 0) or -1
            except (OSError, ValueError):
                return -1
        finally:
            os.close(fd)
        return None
