"""The caller's own files, outside the archive: what `log --file`, `import` and
`checkin` read and what `checkout --to` and `restore --to` write.

In-process these are plain file operations. Through the archive service the
service asks the command-line process to do them, so they happen as the person
who typed the command, with their permissions (design §7).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

TYPE_CHECKING = False  # typing costs a tenth of a command's start

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Iterable
    from typing import BinaryIO

MAX_WALK = 100_000


class CallerFiles:
    """The caller's files: what every implementation offers."""

    def resolve(self, path: str) -> str:
        """The absolute path, as the caller's working folder makes it."""
        raise NotImplementedError

    def kind(self, path: str) -> str | None:
        """'file', 'dir', 'link', 'other', or None when nothing is there."""
        raise NotImplementedError

    def walk(self, folder: str) -> list[tuple[str, float]]:
        """(absolute path, mtime) of the regular files under folder, links skipped."""
        raise NotImplementedError

    def open_read(self, path: str) -> contextlib.AbstractContextManager[BinaryIO]:
        raise NotImplementedError

    def write_new(self, path: str, chunks: Iterable[bytes], overwrite: bool = False) -> None:
        """Write a new file (its folders made as needed); refuse to overwrite one unless
        told to, and then replace it whole."""
        raise NotImplementedError

    def show(self, path: str) -> bool:
        """Open a file with the desktop's viewer when the caller is on a desktop;
        whether it was."""
        return False


class LocalFiles(CallerFiles):
    def show(self, path: str) -> bool:
        import shutil
        import subprocess
        import sys

        desktop = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or (
            sys.platform == "darwin")
        opener = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
        if not desktop or not opener:
            return False
        import threading

        viewer = subprocess.Popen([opener, path], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        threading.Thread(target=viewer.wait, daemon=True).start()  # reaped when it ends
        return True

    """The caller's files in this process, as this process's account."""

    def resolve(self, path: str) -> str:
        return str(Path(path).expanduser().resolve())

    def kind(self, path: str) -> str | None:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            return "file" if Path(path).is_file() else "link"
        if stat.S_ISREG(mode):
            return "file"
        return "dir" if stat.S_ISDIR(mode) else "other"

    def walk(self, folder: str) -> list[tuple[str, float]]:
        found: list[tuple[str, float]] = []
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                st = full.lstat()
                if stat.S_ISREG(st.st_mode):
                    found.append((str(full), st.st_mtime))
                    if len(found) >= MAX_WALK:
                        return found
        return found

    def open_read(self, path: str) -> contextlib.AbstractContextManager[BinaryIO]:
        return Path(path).open("rb")

    def write_new(self, path: str, chunks: Iterable[bytes], overwrite: bool = False) -> None:
        dest = Path(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            try:
                if overwrite:
                    tmp.replace(dest)
                else:
                    os.link(tmp, dest)
            except FileExistsError:
                raise FileExistsError(errno.EEXIST, "already exists", str(dest)) from None
        finally:
            tmp.unlink(missing_ok=True)
