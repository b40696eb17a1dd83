"""One file of a client folder for the web page: the same rules as every command
(the client must be visible, a confidential entry's files only for whom may see
them, no link followed) and the read audited like `client show`."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from typing import BinaryIO

from archive_tool.archive import Archive
from archive_tool.errors import NotFound
from archive_tool.files import file_in
from archive_tool.i18n import _
from archive_tool.records import is_ignored

INLINE = {"application/pdf"}  # shown in the browser; every other file is downloaded


@dataclass
class Document:
    client_id: str
    path: str          # relative to the archive root
    name: str
    size: int
    mimetype: str
    stream: BinaryIO

    @property
    def inline(self) -> bool:
        return self.mimetype in INLINE


def open_document(archive: Archive, client_id: str, inner: str) -> Document:
    """The file at `inner` (a path inside the client's folder), open for reading.
    A file the caller may not see and one that does not exist look the same."""
    client = archive.client(client_id, "show")
    parts = inner.split("/")
    if not inner or any(p in ("", ".", "..") or "\x00" in p for p in parts) \
            or is_ignored(parts[-1], archive.settings.ignore):
        raise NotFound(_("{path}: no such file").format(path=f"{client.relpath}/{inner}"))
    path = f"{client.relpath}/{inner}"
    if path in archive.hidden_paths(client):
        archive.record("show", client=client.id, path=path, outcome="not-found",
                       detail="web")
        raise NotFound(_("{path}: no such file").format(path=path))
    try:
        stream = file_in(archive.root, path)
    except OSError:  # missing, a folder, a link, a device: nothing to show
        raise NotFound(_("{path}: no such file").format(path=path)) from None
    try:
        size = os.fstat(stream.fileno()).st_size
        archive.record("show", client=client.id, path=path, detail="web")
    except BaseException:
        stream.close()
        raise
    mimetype = mimetypes.guess_type(parts[-1])[0] or "application/octet-stream"
    return Document(client.id, path, parts[-1], size, mimetype, stream)
