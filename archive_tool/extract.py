"""Text from the documents of a client file: PDF, DOCX, ODT, EML, TXT/MD; scanned
pages (image-only PDF pages, TIFF, PNG, JPEG) are only recognised here, and read
later by OCR (scans.py).

Each extractor gets an open binary file and returns text. `extract_in` (a file
under the archive root, opened without following links) and `extract` (a file
given by path) wrap them with the limits (size, time, zip expansion) and turn
every failure into a recorded problem instead of an exception, so one bad file
never stops a run.
"""

from __future__ import annotations

import html
import os
import re
import signal
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_binary_file, policy
from html.parser import HTMLParser
from pathlib import Path, PurePath
from typing import BinaryIO

from archive_tool import ocr
from archive_tool.files import UnsafePath, file_in, file_nofollow
from archive_tool.i18n import _

MAX_FILE_BYTES = 200 * 2**20  # larger files are catalogued without text
MAX_TEXT_CHARS = 5 * 2**20  # text kept per file
MAX_UNZIPPED_BYTES = 100 * 2**20  # DOCX/ODT parts, against zip bombs
MAX_SECONDS = 60


@dataclass(frozen=True)
class Extracted:
    text: str
    problem: str | None = None
    scanned: bool = False  # pages without a text layer: OCR reads them later


class ExtractionError(Exception):
    pass


def _by_name(f: BinaryIO) -> str | bytes:
    """A name of the open file for libraries that read it in C (so the time limit's
    signal never lands in a Python callback of theirs): its /proc/self/fd entry, which
    is the open file itself, or else its content."""
    name = f"/proc/self/fd/{f.fileno()}"
    return name if Path(name).exists() else f.read()


def _pdf(f: BinaryIO) -> str | Extracted:
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    try:
        doc = pypdfium2.PdfDocument(_by_name(f))
    except pypdfium2.PdfiumError as e:
        message = str(e)
        if "password" in message.lower():
            raise ExtractionError(_("the PDF is encrypted; store an unprotected copy")) from e
        raise ExtractionError(_("not a readable PDF ({reason}); is it complete?").format(
            reason=message)) from e
    try:
        parts = []
        scanned = False
        for page in doc:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            parts.append(text)
            textpage.close()
            if not scanned and len(text.strip()) < ocr.TEXT_PAGE_CHARS:
                scanned = any(True for _ in page.get_objects(
                    filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1))
            page.close()
        return Extracted("\n".join(parts), scanned=scanned)
    finally:
        doc.close()


def _image(f: BinaryIO) -> Extracted:
    """A scanned page as a picture: no text until OCR reads it."""
    return Extracted("", scanned=True)


def _check_zip(f: BinaryIO, kind: str, parts: tuple[str, ...]) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError) as e:
        raise ExtractionError(_("not a readable {kind} (bad zip: {reason})").format(
            kind=kind, reason=e)) from e
    total = sum(i.file_size for i in z.infolist() if i.filename in parts or
                i.filename.startswith("word/"))
    if total > MAX_UNZIPPED_BYTES:
        z.close()
        raise ExtractionError(_("expands to {mb} MB (a zip bomb?); not read").format(
            mb=f"{total / 2**20:.0f}"))
    return z


def _docx(f: BinaryIO) -> str:
    import docx

    _check_zip(f, "DOCX", ("word/document.xml",)).close()
    f.seek(0)
    try:
        d = docx.Document(f)
    except Exception as e:  # python-docx raises several unrelated types
        raise ExtractionError(_("not a readable DOCX ({reason})").format(
            reason=f"{type(e).__name__}: {e}")) from e
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _odt(f: BinaryIO) -> str:
    with _check_zip(f, "ODT", ("content.xml",)) as z:
        try:
            xml = z.read("content.xml").decode("utf-8", "replace")
        except KeyError as e:
            raise ExtractionError(_("not an OpenDocument file (no content.xml)")) from e
    xml = re.sub(r"</text:(p|h)>|<text:line-break/>|<text:tab/>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _eml(f: BinaryIO) -> str:
    msg = message_from_binary_file(f, policy=policy.default)
    parts = [f"{h}: {msg[h]}" for h in ("From", "To", "Cc", "Date", "Subject") if msg[h]]
    plain_seen = False
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            body = part.get_content()
        except (LookupError, ValueError):
            payload = part.get_payload(decode=True)
            body = payload.decode("latin-1") if isinstance(payload, bytes) else ""

        if ctype == "text/plain":
            plain_seen = True
            parts.append(body)
        elif not plain_seen:
            parts.append(html_text(body))
    return "\n".join(parts)


def _text(f: BinaryIO) -> str | Extracted:
    raw = f.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        return Extracted(raw.decode("cp1252", "replace"),
                         _("line {line} is not UTF-8; read as Windows-1252: save it as"
                           " UTF-8").format(line=line))


EXTRACTORS: dict[str, Callable[[BinaryIO], str | Extracted]] = {
    ".pdf": _pdf, ".docx": _docx, ".odt": _odt, ".eml": _eml, ".txt": _text, ".md": _text,
    ".csv": _text, ".yaml": _text, ".yml": _text,
    **{suffix: _image for suffix in ocr.IMAGE_SUFFIXES}}


def can_extract(path: PurePath) -> bool:
    return path.suffix.lower() in EXTRACTORS


@contextmanager
def _time_limit(seconds: float):
    """Raise TimeoutError after seconds (main thread of a worker process only)."""
    def expire(signum, frame):
        raise TimeoutError

    try:
        old = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main thread: no limit
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def extract_in(root: Path, relpath: str, max_bytes: int = MAX_FILE_BYTES,
               max_seconds: float = MAX_SECONDS) -> Extracted:
    """The text of the file at relpath under root, opened without following links, or
    an empty text and the problem that prevented it."""
    if not can_extract(PurePath(relpath)):
        return Extracted("")
    return _extract(lambda: file_in(root, relpath), PurePath(relpath).suffix, max_bytes,
                    max_seconds)


def extract(path: Path, max_bytes: int = MAX_FILE_BYTES,
            max_seconds: float = MAX_SECONDS) -> Extracted:
    """The text of one file (its last component not a link), or an empty text and the
    problem that prevented it."""
    if not can_extract(path):
        return Extracted("")
    return _extract(lambda: file_nofollow(path), path.suffix, max_bytes, max_seconds)


def _extract(opener: Callable[[], BinaryIO], suffix: str, max_bytes: int,
             max_seconds: float) -> Extracted:
    extractor = EXTRACTORS[suffix.lower()]
    result: str | Extracted
    try:
        with opener() as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                return Extracted("", _("{mb} MB is over the {limit} MB extraction limit;"
                                       " catalogued without text").format(
                    mb=f"{size / 2**20:.0f}", limit=max_bytes // 2**20))
            with _time_limit(max_seconds):
                result = extractor(f)
    except ExtractionError as e:
        return Extracted("", str(e))
    except TimeoutError:
        return Extracted("", _("text extraction took over {seconds} s; skipped").format(
            seconds=f"{max_seconds:g}"))
    except MemoryError:
        return Extracted("", _("text extraction ran out of memory; skipped"))
    except UnsafePath as e:
        return Extracted("", str(e))
    except OSError as e:
        return Extracted("", _("cannot read the file: {reason}").format(
            reason=e.strerror or e))
    except Exception as e:  # a parser's own bug must not stop the run
        return Extracted("", _("cannot extract text ({reason})").format(
            reason=f"{type(e).__name__}: {e}"))
    text, problem, scanned = (result.text, result.problem, result.scanned) if isinstance(
        result, Extracted) else (result, None, False)
    text = text.replace("\x00", "")
    if len(text) > MAX_TEXT_CHARS:
        return Extracted(text[:MAX_TEXT_CHARS], _("text cut at {n} characters").format(
            n=MAX_TEXT_CHARS), scanned)
    return Extracted(text, problem, scanned)
