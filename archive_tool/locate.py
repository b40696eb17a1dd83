"""Where the archive is and whether a service owns it, read without heavy imports.

The command line decides here, before importing the library, whether a command
goes to the archive service (design §7) or runs in-process.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from archive_tool.errors import AccessDenied, NotFound
from archive_tool.i18n import _

TYPE_CHECKING = False  # importing typing costs a tenth of a command's start

if TYPE_CHECKING:
    from collections.abc import Mapping

ARCHIVE_FILE = "archive.yaml"
ROOT_ENV = "ARCHIVE_TOOL_ROOT"
SOCKET_DIR = "/run/archive-tool"

_TOP_KEY = re.compile(r"^service\s*:(.*)$")
_FLOW = re.compile(r"^\{(.*)\}$")
_PAIR = re.compile(r"^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")


class ServiceAddress:
    __slots__ = ("socket", "user")

    def __init__(self, user: str, socket: str):
        self.user = user
        self.socket = socket


def find_root(explicit: str | os.PathLike | None = None,
              environ: Mapping[str, str] = os.environ,
              cwd: Path | None = None) -> Path:
    """The archive root: --archive, else $ARCHIVE_TOOL_ROOT, else the nearest
    folder upward from cwd holding archive.yaml."""
    given = explicit or environ.get(ROOT_ENV)
    if given:
        root = Path(given).expanduser().resolve()
        if not _visible(root / ARCHIVE_FILE):
            raise NotFound(_("{root}: no {file} here; create an archive with 'archive-tool"
                             " init PATH'").format(root=root, file=ARCHIVE_FILE))
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _visible(folder / ARCHIVE_FILE):
            return folder
    raise NotFound(_("no {file} in {here} or any folder above it; pass --archive PATH or"
                     " create one with 'archive-tool init PATH'").format(
                         file=ARCHIVE_FILE, here=here))


def _visible(path: Path) -> bool:
    try:
        return path.is_file()
    except PermissionError:
        raise AccessDenied(_("{folder}: you may not use this archive; ask the information"
                             " department for access").format(folder=path.parent)) from None


def _scalar(text: str) -> str:
    text = text.split(" #", 1)[0].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def service_address(root: Path) -> ServiceAddress | None:
    """The service named in archive.yaml (`service: {user, socket}`), or None.
    Reads the block or flow form that `setup` writes and people keep."""
    try:
        text = (root / ARCHIVE_FILE).read_text(encoding="utf-8", errors="replace")
    except PermissionError:
        raise AccessDenied(_("{path}: you may not read this archive; ask the information"
                             " department for access").format(path=root / ARCHIVE_FILE)
                           ) from None
    except OSError as e:
        raise NotFound(f"{root / ARCHIVE_FILE}: {e.strerror or e}") from None
    lines = text.splitlines()
    for n, line in enumerate(lines):
        m = _TOP_KEY.match(line)
        if not m:
            continue
        values: dict[str, str] = {}
        rest = _scalar(m.group(1))
        if flow := _FLOW.match(rest):
            for part in flow.group(1).split(","):
                if pair := _PAIR.match(part):
                    values[pair.group(1)] = _scalar(pair.group(2))
        elif rest in ("", "~", "null"):
            for inner in lines[n + 1:]:
                if inner.strip() == "" or inner.lstrip().startswith("#"):
                    continue
                if not inner[:1].isspace():
                    break
                if pair := _PAIR.match(inner):
                    values[pair.group(1)] = _scalar(pair.group(2))
        user = values.get("user")
        if not user:
            return None
        return ServiceAddress(user, values.get("socket") or default_socket(text))
    return None


def archive_language(root: Path) -> str | None:
    """archive.yaml's `language`, or None when it cannot be read."""
    try:
        text = (root / ARCHIVE_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r"^language\s*:\s*(.+)$", text, re.MULTILINE)
    return _scalar(m.group(1)) if m else None


def default_socket(archive_text: str) -> str:
    """/run/archive-tool/<slug of the archive's name>.sock"""
    m = re.search(r"^name\s*:\s*(.+)$", archive_text, re.MULTILINE)
    return f"{SOCKET_DIR}/{name_slug(_scalar(m.group(1)) if m else 'archive')}.sock"


def name_slug(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "archive"
