"""Scanned faxes read by OCR: a fax the test makes (text rendered to an image, wrapped
in a PDF, as a fax machine sends it) is searchable by its metadata at once and by
its words once Tesseract has read it; status and validate list files with no text."""

import io
import json

import pytest
from conftest import Run, archive, write
from PIL import Image, ImageDraw, ImageFont

from archive_tool import ocr
from archive_tool.checking import validate
from archive_tool.extract import extract
from archive_tool.finding import search
from archive_tool.scans import ScanQueue
from archive_tool.statedir import CATALOG
from archive_tool.syncing import update_index
from archive_tool.views import status

pytestmark = pytest.mark.skipif(ocr.unavailable() is not None,
                                reason=f"{ocr.unavailable()} (.ci/run installs it)")

CL = "clients/CL-0001-levante"
LINES = ["FAX - Suministros Levante, S.L.", "Asunto: pedido de arandelas galvanizadas",
         "Confirmamos la entrega del lunes.", "Paginas: 1"]
ENTRY = ("date: 2026-03-04\nkind: fax\ndirection: in\nsubject: Fax recibido\n"
         "attachments: [{name}]\n")


def page(lines: list[str] = LINES, size: int = 30) -> Image.Image:
    """A page as a fax machine prints it: 200 dpi, black text on white."""
    img = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=size)
    for i, line in enumerate(lines):
        draw.text((120, 160 + i * 2 * size), line, fill=0, font=font)
    return img


def fax_pdf(pages: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=200, save_all=True, append_images=pages[1:])
    return out.getvalue()


def file_fax(root, name: str, data: bytes) -> str:
    folder = root / CL / "correspondence"
    write(folder / name, data)
    write(folder / f"2026-03-04-{name.rsplit('.', 1)[0]}.yaml", ENTRY.format(name=name))
    return f"{CL}/correspondence/{name}"


def found(a, query: str) -> list[str]:
    results, _ = search(a, query)
    return [m.path for h in results.hits for m in h.files]


def test_a_scanned_fax_is_found_by_its_words(root):
    path = file_fax(root, "fax-arandelas.pdf", fax_pdf([page()]))
    assert extract(root / path).scanned  # no text layer, one image
    a = archive(root)
    update_index(a)
    assert path in found(a, "arandelas galvanizadas")
    assert path in found(a, '"entrega del lunes"')
    with ScanQueue.open(root / ".archive" / CATALOG) as queue:
        assert queue.untexted() == []


@pytest.mark.parametrize("suffix", ["tif", "png", "jpg"])
def test_image_attachments_are_read(root, suffix):
    out = io.BytesIO()
    page(["Recibo de arandelas", "Firmado por el transportista"]).save(
        out, {"tif": "TIFF", "png": "PNG", "jpg": "JPEG"}[suffix])
    path = file_fax(root, f"recibo.{suffix}", out.getvalue())
    a = archive(root)
    update_index(a)
    assert path in found(a, "transportista")


def test_a_low_resolution_fax_is_enlarged_before_reading(root):
    small = page(size=30).resize((620, 877))  # about 75 dpi: what cheap scanners send
    path = file_fax(root, "fax-pequeno.pdf", fax_pdf([small]))
    a = archive(root)
    update_index(a)
    assert path in found(a, "arandelas")


def test_pages_past_the_limit_are_not_read(monkeypatch):
    import tesserocr

    monkeypatch.setattr(ocr, "MAX_PAGES", 1)
    data = fax_pdf([page(["Primera hoja: arandelas"]), page(["Segunda hoja: tornillos"])])
    api = tesserocr.PyTessBaseAPI(path=ocr.tessdata(), lang=ocr.LANGUAGE)
    try:
        reading = ocr.read_bytes(data, ".pdf", api)
    finally:
        api.End()
    assert (reading.pages, reading.read, reading.partial) == (2, 1, True)
    assert "arandelas" in reading.text.lower() and "tornillos" not in reading.text.lower()


def test_a_file_over_the_time_limit_is_stopped_and_the_next_one_read():
    data = fax_pdf([page()])
    with ocr.Reader(max_seconds=0.05) as slow:
        assert slow.read(data, ".pdf").failure == "timeout"
        slow.max_seconds = 120
        assert "arandelas" in slow.read(data, ".pdf").text.lower()


def test_a_file_that_is_not_an_image_fails_alone(root):
    path = file_fax(root, "roto.png", b"\x89PNG\r\n\x1a\nnot really")
    good = file_fax(root, "fax-bueno.pdf", fax_pdf([page()]))
    a = archive(root)
    update_index(a)
    assert good in found(a, "arandelas")
    with ScanQueue.open(root / ".archive" / CATALOG) as queue:
        untexted = queue.untexted()
    assert [(u.path, u.state, u.failure) for u in untexted] == [(path, "failed", "unreadable")]
    problems = [p for p in validate(archive(root)) if p.rule == "no-text"]
    assert [p.path for p in problems] == [path]
    assert "could not open" in problems[0].message


def test_without_ocr_files_wait_and_status_says_so(root, monkeypatch):
    monkeypatch.setattr(ocr, "_missing", lambda: "model")
    path = file_fax(root, "fax-arandelas.pdf", fax_pdf([page()]))
    a = archive(root)
    update_index(a)
    assert found(a, "arandelas") == []
    assert path in found(a, "fax")  # by its entry and name, at once
    shown = status(a)
    assert shown["no_text"] == [{"path": path, "state": "waiting",
                                 "reason": "scanned, not read: Tesseract's Spanish model is"
                                           " missing (apt-get install tesseract-ocr"
                                           " tesseract-ocr-spa)"}]
    text = Run(root)("status").stdout
    assert "no text:  1 file (1 waiting for OCR)" in text and path in text
    listed = json.loads(Run(root)("--json", "validate").stdout)["problems"]
    assert [p["path"] for p in listed if p["rule"] == "no-text"] == [path]
    monkeypatch.undo()  # OCR comes back: the next run reads what waited
    update_index(archive(root))
    assert path in found(archive(root), "arandelas")
    assert status(archive(root))["no_text"] == []


def test_ocr_is_kept_across_rebuilds(root):
    path = file_fax(root, "fax-arandelas.pdf", fax_pdf([page()]))
    a = archive(root)
    update_index(a)
    with ScanQueue.open(root / ".archive" / CATALOG) as queue:
        seconds = queue.db.execute("SELECT seconds FROM scans").fetchone()[0]
    update_index(a, rebuild=True)
    assert path in found(archive(root), "arandelas")
    with ScanQueue.open(root / ".archive" / CATALOG) as queue:
        assert queue.db.execute("SELECT seconds FROM scans").fetchone()[0] == seconds


def test_the_daemon_reads_scans_in_the_background(root):
    import signal
    import subprocess
    import sys
    import time

    from archive_tool.index.query import Visibility
    from archive_tool.index.query import search as query
    from archive_tool.index.store import SearchIndex

    def files(word: str) -> set[str]:
        index = SearchIndex(root / ".archive/index")
        if not index.current():
            return set()
        results = query(index, word, visibility=Visibility(all_confidential=True))
        return {m.path for h in results.hits for m in h.files}

    def wait_for(condition, what: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except (OSError, ValueError):  # the index between two commits
                pass
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    log = (root.parent / "daemon.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "archive_tool", "-A", str(root), "daemon",
                             "--quiet-period", "0.1"], stdout=log, stderr=log)
    try:
        wait_for(lambda: (root / ".archive/daemon.json").is_file(), "the daemon's start")
        path = file_fax(root, "fax-arandelas.pdf", fax_pdf([page()]))
        wait_for(lambda: path in files("fax"), "the fax indexed by its metadata", 30)
        wait_for(lambda: path in files("arandelas"), "the fax indexed by its words")
        wait_for(lambda: status(archive(root))["no_text"] == [], "no file without text")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        log.close()
    assert proc.returncode == 0
