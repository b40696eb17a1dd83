"""Files of the archive: atomic writes, and reading and writing under the archive root
without ever following a symbolic link.

A path under the root is opened one component at a time, each folder with
O_NOFOLLOW relative to the one before it, so a link planted anywhere on the way
(a client folder, a subfolder, the file itself) is refused instead of followed.
A file is either the old one or the new one: it is written beside its place,
synced, then renamed onto it. New files and folders are created with modes 0666
and 0777 so that the umask or the folder's default ACL decide their permissions,
as they do for files people save there.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import unicodedata
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import suppress
from pathlib import Path, PurePath
from typing import BinaryIO, NoReturn

from archive_tool.errors import InvalidInput
from archive_tool.i18n import _

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# Folders on the way only need to be entered (search permission), not read.
_PATH_FLAGS = (_DIR_FLAGS & ~os.O_RDONLY) | getattr(os, "O_PATH", os.O_RDONLY)
FILE_MODE = 0o666
FOLDER_MODE = 0o777

Content = bytes | str | BinaryIO


class UnsafePath(InvalidInput, OSError):
    """A path inside the archive that is a symbolic link (never followed), or that is
    not a regular file where one is read. Also an OSError, so code that passes over
    unreadable files passes over these too."""

    def __init__(self, relpath: str, link: bool = True):
        super().__init__(
            (_("{path} is a symbolic link; the archive never follows links") if link
             else _("{path} is not a regular file; the archive reads only regular files"))
            .format(path=relpath))
        self.relpath = relpath
        self.link = link

    def __reduce__(self) -> tuple[type[UnsafePath], tuple[str, bool]]:
        return UnsafePath, (self.relpath, self.link)


# --- paths under the root, never through a link --------------------------------------

def _parts(relpath: str | PurePath) -> list[str]:
    text = relpath.as_posix() if isinstance(relpath, PurePath) else str(relpath)
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if text.startswith("/") or ".." in parts or "\x00" in text:
        raise InvalidInput(_("{path}: not a path inside the archive (no '..', no absolute"
                             " paths)").format(path=text))
    return parts


def _is_link(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _refuse_link(e: OSError, dir_fd: int, name: str, shown: str) -> NoReturn:
    """Turn the error of an O_NOFOLLOW open into UnsafePath when name is a link; give
    other errors the path relative to the root."""
    if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) and _is_link(dir_fd, name):
        raise UnsafePath(shown) from None
    raise OSError(e.errno, e.strerror, shown) from None


def _step(parent: int, name: str, shown: str, create: bool, flags: int) -> int:
    """The fd of folder name in parent, never through a link; made when create is set."""
    try:
        return os.open(name, flags, dir_fd=parent)
    except FileNotFoundError:
        if not create:
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), shown) from None
    except OSError as e:
        _refuse_link(e, parent, name, shown)
    with suppress(FileExistsError):
        os.mkdir(name, FOLDER_MODE, dir_fd=parent)
    return _step(parent, name, shown, False, flags)


def folder_fd(root: Path, relpath: str | PurePath = "", *, create: bool = False,
              readable: bool = True) -> int:
    """An fd (the caller closes it) of the folder at relpath under root ("" for root
    itself), opened component by component without following links: O_RDONLY, to
    list or sync it, or with readable=False an O_PATH fd, only to open, stat or
    make what is in it. With create, missing folders are made."""
    parts = _parts(relpath)
    last = _DIR_FLAGS if readable else _PATH_FLAGS
    fd = os.open(root, (_PATH_FLAGS if parts else last) & ~os.O_NOFOLLOW)
    try:
        for i, name in enumerate(parts, 1):
            nxt = _step(fd, name, "/".join(parts[:i]), create,
                        last if i == len(parts) else _PATH_FLAGS)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _split(relpath: str | PurePath) -> tuple[str, str]:
    parts = _parts(relpath)
    if not parts:
        raise InvalidInput(_("{path}: name a file inside the archive").format(path=relpath))
    return "/".join(parts[:-1]), parts[-1]


def open_in(root: Path, relpath: str | PurePath, flags: int = os.O_RDONLY,
            mode: int = FILE_MODE) -> int:
    """os.open of relpath under root (the caller closes the fd); no component, the last
    included, may be a symbolic link (UnsafePath)."""
    folder, name = _split(relpath)
    dir_fd = folder_fd(root, folder, readable=False)
    try:
        return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    except OSError as e:
        _refuse_link(e, dir_fd, name, "/".join(_parts(relpath)))
    finally:
        os.close(dir_fd)


def _regular(fd: int, shown: str) -> BinaryIO:
    """A binary file object over fd, which must be a regular file."""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafePath(shown, link=False)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def file_in(root: Path, relpath: str | PurePath) -> BinaryIO:
    """The regular file at relpath under root, open for binary reading, never through a
    link. A FIFO or device planted there is refused without blocking."""
    return _regular(open_in(root, relpath, os.O_RDONLY | os.O_NONBLOCK),
                    "/".join(_parts(relpath)))


def file_nofollow(path: Path) -> BinaryIO:
    """A regular file for binary reading; its last component may not be a link (for
    paths given from outside the archive, whose folders are the caller's own)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise UnsafePath(str(path)) from None
        raise
    return _regular(fd, str(path))


def read_in(root: Path, relpath: str | PurePath, max_bytes: int = -1) -> bytes:
    """The content of the regular file at relpath (at most max_bytes), never through
    a link."""
    with file_in(root, relpath) as f:
        return f.read(max_bytes)


def stat_in(root: Path, relpath: str | PurePath) -> os.stat_result:
    """The lstat of relpath under root: a link at the end is described, not followed;
    a link on the way is refused."""
    folder, name = _split(relpath)
    dir_fd = folder_fd(root, folder, readable=False)
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as e:
        raise OSError(e.errno, e.strerror, "/".join(_parts(relpath))) from None
    finally:
        os.close(dir_fd)


def list_in(root: Path, relpath: str | PurePath) -> dict[str, os.stat_result]:
    """The entries of the folder at relpath with their lstat, never through a link;
    empty when the folder does not exist."""
    try:
        fd = folder_fd(root, relpath)
    except FileNotFoundError:
        return {}
    try:
        with os.scandir(fd) as entries:
            found = {}
            for entry in entries:
                with suppress(FileNotFoundError):
                    found[entry.name] = entry.stat(follow_symlinks=False)
            return found
    finally:
        os.close(fd)


def walk_in(root: Path, relpath: str | PurePath,
            skip_folder: Callable[[str], bool] = lambda name: False,
            ) -> Iterator[tuple[str, os.stat_result]]:
    """(path relative to root, lstat) of everything but folders under the folder at
    relpath, recursively; links are listed, never entered. Folders whose name
    skip_folder accepts are not entered; folders that vanish or cannot be read are
    passed over."""
    base = "/".join(_parts(relpath))
    try:
        top = folder_fd(root, base)
    except OSError:
        return
    stack = [(top, base)]
    try:
        while stack:
            fd, rel = stack.pop()
            try:
                with os.scandir(fd) as entries:
                    for entry in entries:
                        path = f"{rel}/{entry.name}" if rel else entry.name
                        if entry.is_dir(follow_symlinks=False):
                            if skip_folder(entry.name):
                                continue
                            with suppress(OSError):
                                stack.append((os.open(entry.name, _DIR_FLAGS, dir_fd=fd),
                                              path))
                            continue
                        try:
                            yield path, entry.stat(follow_symlinks=False)
                        except FileNotFoundError:
                            continue
            except OSError:
                continue
            finally:
                os.close(fd)
    finally:
        for fd, _name in stack:
            os.close(fd)


# --- atomic writes ---------------------------------------------------------------

def _fill_with(data: Content) -> Callable[[BinaryIO], object]:
    if isinstance(data, str):
        blob = data.encode("utf-8")
        return lambda out: out.write(blob)
    if isinstance(data, bytes | bytearray | memoryview):
        return lambda out: out.write(data)
    return lambda out: shutil.copyfileobj(data, out, 1 << 20)


def _temp_in(dir_fd: int, name: str, mode: int = FILE_MODE) -> tuple[int, str]:
    """A new empty file beside name, mode 0666 before the umask or default ACL."""
    short = name.encode("utf-8")[:200].decode("utf-8", "ignore")
    while True:
        tmp = f".{short}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, mode, dir_fd=dir_fd)
        except FileExistsError:
            continue
        return fd, tmp


def _atomic_at(dir_fd: int, name: str, fill: Callable[[BinaryIO], object],
               exclusive: bool, mode: int = FILE_MODE) -> None:
    """Fill a temp file in the folder of dir_fd, sync it, then put it at name (with
    exclusive, only if nothing is there: FileExistsError otherwise). A link at name
    is replaced, never written through."""
    fd, tmp = _temp_in(dir_fd, name, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
        if exclusive:
            os.link(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
            os.unlink(tmp, dir_fd=dir_fd)
        else:
            os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        os.fsync(dir_fd)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


def write_in(root: Path, relpath: str | PurePath, data: Content, *, exclusive: bool,
             parents: bool = False, private: bool = False) -> None:
    """Write data (bytes, text as UTF-8, or a binary file object read to its end) at
    relpath under root, atomically and never through a link. With exclusive, refuse
    (FileExistsError) to replace what is there; with parents, make missing folders.
    private: created 0600, so a default ACL grants no one until the file's own ACL
    is set (a confidential entry)."""
    folder, name = _split(relpath)
    dir_fd = folder_fd(root, folder, create=parents)
    try:
        _atomic_at(dir_fd, name, _fill_with(data), exclusive, 0o600 if private else FILE_MODE)
    finally:
        os.close(dir_fd)


def copy_into(root: Path, relpath: str | PurePath, src: BinaryIO, exclusive: bool = True,
              *, parents: bool = False, private: bool = False) -> None:
    """Copy an open binary file to relpath under root, as write_in does."""
    write_in(root, relpath, src, exclusive=exclusive, parents=parents, private=private)


def _atomic(dest: Path, fill: Callable[[BinaryIO], object], exclusive: bool) -> None:
    dir_fd = os.open(dest.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _atomic_at(dir_fd, dest.name, fill, exclusive)
    finally:
        os.close(dir_fd)


def write_atomic(path: Path, data: bytes | str, *, exclusive: bool = False) -> None:
    """Write a file so that it is either the old one or the new one. With exclusive,
    refuse (FileExistsError) to replace an existing file. For paths under the archive
    root, write_in also refuses links on the way."""
    _atomic(path, _fill_with(data), exclusive)


def copy_atomic(src: Path, dest: Path, *, exclusive: bool = True) -> None:
    with src.open("rb") as inp:
        _atomic(dest, _fill_with(inp), exclusive)


# --- names -------------------------------------------------------------------------

def slug(text: str, limit: int = 40) -> str:
    """'Revisión de precios 2026' -> 'revision-de-precios-2026'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or "entry"


def free_name(folder: Path, stem: str, suffix: str,
              taken: AbstractSet[str] = frozenset()) -> str:
    """stem+suffix, or stem-2+suffix... the first name not used in folder (a link,
    even a broken one, counts as used) or taken."""
    n = 1
    while True:
        name = f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        if name not in taken and not os.path.lexists(folder / name):
            return name
        n += 1
