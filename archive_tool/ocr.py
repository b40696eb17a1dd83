"""Reading scanned pages: image-only PDF pages and image files (TIFF, PNG, JPEG, what
fax machines and scanners produce) with Tesseract's Spanish model.

Tesseract runs through tesserocr (its C++ API, the model loaded once) in a worker
process of its own, at low priority and on one core, so that a crash or a page
that never ends costs only that file: the worker is killed after MAX_SECONDS per
file and only the first MAX_PAGES pages of a file are read.
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path, PurePath
from typing import Any

from archive_tool.i18n import _

IMAGE_SUFFIXES = (".tif", ".tiff", ".png", ".jpg", ".jpeg")
LANGUAGE = "spa"
MAX_PAGES = 20
MAX_SECONDS = 180.0
MAX_BYTES = 100 * 2**20
TEXT_PAGE_CHARS = 20  # a PDF page with fewer characters of text is read as an image
DPI = 300
LOW_RES_PPI = 150  # scans below this are rendered at HIGH_DPI, which Tesseract reads better
HIGH_DPI = 400
MIN_IMAGE_WIDTH = 1700  # image files narrower than this (a page under 200 dpi) are enlarged
TARGET_WIDTH = 3300  # about an A4 page at 400 dpi
TESSDATA_DIRS = ("share/tesseract-ocr/*/tessdata", "share/tessdata")  # under /usr, /usr/local
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-spa"


@dataclass(frozen=True)
class Reading:
    """What OCR made of one file."""

    text: str
    pages: int = 0        # pages (or frames) in the file
    read: int = 0         # pages read by OCR
    seconds: float = 0.0
    failure: str | None = None  # one of FAILURES
    detail: str = ""      # what the library said, for the log

    @property
    def partial(self) -> bool:
        """Some pages were left unread (over MAX_PAGES)."""
        return self.read >= MAX_PAGES and self.pages > self.read


FAILURES = ("timeout", "crashed", "unreadable", "too_large")


def is_image(path: PurePath | str) -> bool:
    return PurePath(path).suffix.lower() in IMAGE_SUFFIXES


def tessdata() -> str | None:
    """The folder holding Tesseract's Spanish model, or None."""
    candidates = [Path(os.environ["TESSDATA_PREFIX"])] if os.environ.get(
        "TESSDATA_PREFIX") else []
    for base in (Path("/usr"), Path("/usr/local")):
        for pattern in TESSDATA_DIRS:
            candidates += sorted(base.glob(pattern), reverse=True)
    for folder in candidates:
        if (folder / f"{LANGUAGE}.traineddata").is_file():
            return str(folder)
    return None


@lru_cache(maxsize=1)
def _missing() -> str | None:
    if importlib.util.find_spec("tesserocr") is None or importlib.util.find_spec("PIL") is None:
        return "binding"
    if tessdata() is None:
        return "model"
    return None


def unavailable() -> str | None:
    """Why OCR cannot run here (in the person's language), or None when it can."""
    missing = _missing()
    if missing == "binding":
        return _("OCR is not installed ({hint})").format(hint=INSTALL_HINT)
    if missing == "model":
        return _("Tesseract's Spanish model is missing ({hint})").format(hint=INSTALL_HINT)
    return None


# --- in the worker process ---------------------------------------------------------

def _enlarged(image):
    from PIL import Image

    if image.mode not in ("L", "1"):
        image = image.convert("L")
    if image.width < MIN_IMAGE_WIDTH:
        factor = math.ceil(TARGET_WIDTH / max(1, image.width))
        image = image.convert("L").resize((image.width * factor, image.height * factor),
                                          Image.LANCZOS)
    return image


def _pdf_pages(data: bytes):
    """(page count, [(index, text layer or None, image to read or None)]) of a PDF:
    pages with text keep it; the first MAX_PAGES pages without are rendered."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    doc = pypdfium2.PdfDocument(data)
    try:
        count = len(doc)
        out = []
        rendered = 0
        for i in range(count):
            page = doc[i]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                if len(text.strip()) >= TEXT_PAGE_CHARS:
                    out.append((i, text, None))
                    continue
                if rendered >= MAX_PAGES:
                    out.append((i, text, None))
                    continue
                images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
                if not images:
                    out.append((i, text, None))
                    continue
                ppi = min((o.get_metadata().horizontal_dpi for o in images), default=DPI)
                dpi = HIGH_DPI if 0 < ppi < LOW_RES_PPI else DPI
                image = page.render(scale=dpi / 72, grayscale=True).to_pil()
                rendered += 1
                out.append((i, None, image))
            finally:
                page.close()
        return count, out
    finally:
        doc.close()


def _image_pages(data: bytes):
    from PIL import Image, ImageSequence

    image = Image.open(io.BytesIO(data))
    frames = []
    count = getattr(image, "n_frames", 1)
    for i, frame in enumerate(ImageSequence.Iterator(image)):
        if i >= MAX_PAGES:
            break
        frames.append((i, None, _enlarged(frame.copy())))
    return count, frames


def read_bytes(data: bytes, suffix: str, api) -> Reading:
    """OCR of one file's content with a ready tesserocr API (in the worker)."""
    start = time.monotonic()
    count, pages = (_pdf_pages(data) if suffix.lower() == ".pdf" else _image_pages(data))
    parts = []
    done = 0
    for _i, text, image in pages:
        if image is None:
            parts.append(text or "")
            continue
        api.SetImage(image)
        parts.append(api.GetUTF8Text())
        done += 1
    return Reading("\n".join(parts).replace("\x00", ""), count, done,
                   time.monotonic() - start)


def _serve(connection) -> None:
    """The worker: one file at a time, a tesserocr API kept between files."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core: the archive service keeps the other
    try:
        os.nice(10)
    except OSError:
        pass
    import tesserocr

    api = tesserocr.PyTessBaseAPI(path=tessdata(), lang=LANGUAGE)
    try:
        while True:
            try:
                job = connection.recv()
            except EOFError:
                return
            if job is None:
                return
            data, suffix = job
            try:
                reading = read_bytes(data, suffix, api)
            except Exception as e:  # a broken file: its problem, not the worker's end
                reading = Reading("", failure="unreadable", detail=f"{type(e).__name__}: {e}")
            connection.send(reading)
    finally:
        api.End()


# --- in the archive service ----------------------------------------------------------

class Reader:
    """The OCR worker process, started on first use and restarted after a file that
    took too long or crashed it. Use in a with block."""

    def __init__(self, max_seconds: float = MAX_SECONDS):
        self.max_seconds = max_seconds
        self._process: Any = None
        self._connection: Any = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        context = get_context("forkserver")
        mine, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), daemon=True,
                                  name="archive-tool-ocr")
        process.start()
        theirs.close()
        self._process, self._connection = process, mine

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.send(None)
            except OSError:
                pass
            self._connection.close()
        if self._process is not None:
            self._process.join(5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(5)
        self._process = self._connection = None

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def read(self, data: bytes, suffix: str) -> Reading:
        """The text of one file's content (PDF or image)."""
        if len(data) > MAX_BYTES:
            return Reading("", failure="too_large", detail=f"{len(data)} bytes")
        if self._process is None or not self._process.is_alive():
            self._start()
        assert self._connection is not None
        start = time.monotonic()
        try:
            self._connection.send((data, suffix))
            if self._connection.poll(self.max_seconds):
                reading = self._connection.recv()
                if isinstance(reading, Reading):
                    return reading
        except (EOFError, OSError):
            self._kill()
            return Reading("", seconds=time.monotonic() - start, failure="crashed")
        self._kill()
        return Reading("", seconds=time.monotonic() - start, failure="timeout",
                       detail=f"over {self.max_seconds:g} s")
