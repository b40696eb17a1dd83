"""Where the archive is and whether a service owns it, read without heavy imports.

The command line decides here, before importing the library, whether a command
goes to the archive service (design §7) or runs in-process.
"""

from __future__ import annotations

import errno
import os
import stat

from archive_tool.errors import AccessDenied, NotFound
from archive_tool.i18n import _

TYPE_CHECKING = False  # importing typing costs a tenth of a command's start

if TYPE_CHECKING:
    from collections.abc import Mapping

ARCHIVE_FILE = "archive.yaml"
ROOT_ENV = "ARCHIVE_TOOL_ROOT"
SOCKET_DIR = "/run/archive-tool"


class ServiceAddress:
    __slots__ = ("socket", "user")

    def __init__(self, user: str, socket: str):
        self.user = user
        self.socket = socket


def split_globals(argv: list[str]) -> tuple[str | None, list[str]]:
    """(the --archive value, the arguments after the global options -A PATH,
    --archive PATH and --json)."""
    archive, i = None, 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-A", "--archive"):
            archive = argv[i + 1] if i + 1 < len(argv) else None
            i += 2
            continue
        if arg.startswith("--archive="):
            archive = arg.split("=", 1)[1]
        elif arg.startswith("-A") and len(arg) > 2:
            archive = arg[2:]
        elif arg != "--json":
            return archive, argv[i:]
        i += 1
    return archive, []


def find_root(explicit: str | os.PathLike | None = None,
              environ: Mapping[str, str] = os.environ,
              cwd: str | os.PathLike | None = None) -> str:
    """The archive root, resolved: --archive, else $ARCHIVE_TOOL_ROOT, else the
    nearest folder upward from cwd holding archive.yaml. (Paths as strings: this
    runs before every command, and pathlib costs more than the rest of it.)"""
    root = nearest_root(explicit, environ, cwd)
    if root is not None:
        return root
    given = explicit or environ.get(ROOT_ENV)
    if given:
        raise NotFound(_("{root}: no {file} here; create an archive with 'archive-tool"
                         " init PATH'").format(root=_resolved(given), file=ARCHIVE_FILE))
    here = cwd if cwd is not None else current_folder()
    if here is None:
        raise NotFound(_("the current folder no longer exists; change to the archive's"
                         " folder or pass --archive PATH"))
    raise NotFound(_("no {file} in {here} or any folder above it; pass --archive PATH or"
                     " create one with 'archive-tool init PATH'").format(
                         file=ARCHIVE_FILE, here=_resolved(here)))


def nearest_root(explicit: str | os.PathLike | None = None,
                 environ: Mapping[str, str] = os.environ,
                 cwd: str | os.PathLike | None = None) -> str | None:
    """find_root's answer, or None where it says there is no archive (without
    wording why: outside any archive, --help need not load the catalogs)."""
    given = explicit or environ.get(ROOT_ENV)
    if given:
        root = _resolved(given)
        return root if _visible(root) else None
    here = cwd if cwd is not None else current_folder()
    if here is None:
        return None
    folder = _resolved(here)
    while True:
        if _visible(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def current_folder() -> str | None:
    """The current folder, or None when it has been removed."""
    try:
        return os.getcwd()
    except FileNotFoundError:
        return None


def _resolved(path: str | os.PathLike) -> str:
    return os.path.realpath(os.path.expanduser(os.fspath(path)))


def _visible(folder: str) -> bool:
    """The folder holds an archive.yaml (AccessDenied when it may not be looked in)."""
    try:
        return stat.S_ISREG(os.stat(os.path.join(folder, ARCHIVE_FILE)).st_mode)
    except PermissionError:
        raise AccessDenied(_("{folder}: you may not use this archive; ask the information"
                             " department for access").format(folder=folder)) from None
    except (OSError, ValueError):
        return False


def _scalar(text: str) -> str:
    text = text.split(" #", 1)[0].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _pair(text: str) -> tuple[str, str] | None:
    """`key: value` with a plain key, or None."""
    key, colon, value = text.partition(":")
    key = key.strip()
    if not colon or not key or not all(c.isascii() and (c.isalpha() or c == "_")
                                       for c in key):
        return None
    return key, value.strip()


def _top_value(line: str, key: str) -> str | None:
    """The value of a top-level `key:` line, or None when the line is another."""
    if not line.startswith(key):
        return None
    rest = line[len(key):].lstrip(" \t")
    return rest[1:] if rest.startswith(":") else None


def _read(root: str | os.PathLike) -> str:
    """archive.yaml's text, never through a link (as the library reads it)."""
    fd = os.open(os.path.join(root, ARCHIVE_FILE), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with open(fd, encoding="utf-8", errors="replace") as f:
        return f.read()


def service_address(root: str | os.PathLike) -> ServiceAddress | None:
    """The service named in archive.yaml (`service: {user, socket}`), or None.
    Reads the block or flow form that `setup` writes and people keep."""
    path = os.path.join(root, ARCHIVE_FILE)
    try:
        text = _read(root)
    except PermissionError:
        raise AccessDenied(_("{path}: you may not read this archive; ask the information"
                             " department for access").format(path=path)) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotFound(_("{path} is a symbolic link; the archive never follows links")
                           .format(path=path)) from None
        raise NotFound(f"{path}: {e.strerror or e}") from None
    lines = text.splitlines()
    for n, line in enumerate(lines):
        found = _top_value(line, "service")
        if found is None:
            continue
        values: dict[str, str] = {}
        rest = _scalar(found)
        if len(rest) >= 2 and rest[0] == "{" and rest[-1] == "}":
            for part in rest[1:-1].split(","):
                if pair := _pair(part):
                    values[pair[0]] = _scalar(pair[1])
        elif rest in ("", "~", "null"):
            for inner in lines[n + 1:]:
                if inner.strip() == "" or inner.lstrip().startswith("#"):
                    continue
                if not inner[:1].isspace():
                    break
                if pair := _pair(inner):
                    values[pair[0]] = _scalar(pair[1])
        user = values.get("user")
        if not user:
            return None
        return ServiceAddress(user, values.get("socket") or default_socket(text))
    return None


def archive_language(root: str | os.PathLike) -> str | None:
    """archive.yaml's `language`, or None when it cannot be read."""
    try:
        return _top_scalar(_read(root), "language")
    except OSError:
        return None


def _top_scalar(text: str, key: str) -> str | None:
    for line in text.splitlines():
        value = _top_value(line, key)
        if value is not None and value.strip():
            return _scalar(value)
    return None


def default_socket(archive_text: str) -> str:
    """/run/archive-tool/<slug of the archive's name>.sock"""
    return f"{SOCKET_DIR}/{name_slug(_top_scalar(archive_text, 'name') or 'archive')}.sock"


def name_slug(name: str) -> str:
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "archive"
