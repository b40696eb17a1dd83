"""Text from each file type, and a recorded problem (never an exception) for bad files."""

import io
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from archive_tool.extract import MAX_FILE_BYTES, extract

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import docx_bytes, pdf_bytes  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "sample_archive"


def test_pdf_text():
    e = extract(next(SAMPLE.rglob("2026-03-04-revision-precios.pdf")))
    assert e.problem is None and "Revisión de precios 2026" in e.text


def test_image_only_pdf_has_no_text_and_no_problem():
    e = extract(next(SAMPLE.rglob("2026-02-20-fax-albaran.pdf")))
    assert e.problem is None and e.text.strip() == ""


def test_docx_paragraphs_and_tables():
    e = extract(next(SAMPLE.rglob("*.docx")))
    assert "Acta de reunión" in e.text
    assert "Estudiar descuentos por volumen" in e.text  # a table cell


def test_eml_headers_and_text(tmp_path):
    e = extract(next(SAMPLE.rglob("*.eml")))
    assert "Subject: Pedido para la campaña de verano" in e.text
    assert "Dos Hermanas" in e.text


def test_eml_html_only(tmp_path):
    msg = EmailMessage()
    msg["Subject"] = "Solo HTML"
    msg.set_content("<html><body><p>Hola <b>Núñez</b></p><script>x()</script></body></html>",
                    subtype="html")
    path = tmp_path / "m.eml"
    path.write_bytes(bytes(msg))
    e = extract(path)
    assert "Hola Núñez" in e.text and "x()" not in e.text


def test_odt(tmp_path):
    path = tmp_path / "a.odt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("content.xml", "<office:document-content><text:p>Declaración"
                                  " anual</text:p></office:document-content>")
    assert extract(path).text.strip() == "Declaración anual"


def test_text_utf8_and_cp1252(tmp_path):
    good = tmp_path / "a.txt"
    good.write_text("Llamada con Núñez\n", encoding="utf-8")
    assert extract(good) == extract(good).__class__("Llamada con Núñez\n", None)
    bad = tmp_path / "b.txt"
    bad.write_bytes("línea uno\nNúñez\n".encode("cp1252"))
    e = extract(bad)
    assert "Núñez" in e.text
    assert e.problem.startswith("line 1 is not UTF-8")


def test_unknown_type_has_no_text(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff")
    assert extract(path).text == "" and extract(path).problem is None


BAD = {
    "corrupt.pdf": b"%PDF-1.4\nthis is not a pdf at all",
    "truncated.pdf": pdf_bytes(["Hola"])[:120],
    "empty.pdf": b"",
    "corrupt.docx": b"PK\x03\x04 not really a zip",
    "notzip.odt": b"hello",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_a_problem_not_an_exception(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD[name])
    e = extract(path)
    assert e.text == ""
    assert e.problem and "readable" in e.problem


def test_encrypted_pdf(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(72, 700, "Confidencial")
    c.showPage()
    c.save()
    path = tmp_path / "locked.pdf"
    path.write_bytes(buf.getvalue())
    e = extract(path)
    assert e.problem == "the PDF is encrypted; store an unprotected copy"


def test_docx_zip_bomb(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document>" + b" " * (150 * 2**20))
    assert path.stat().st_size < 2 * 2**20
    e = extract(path)
    assert e.problem.startswith("expands to 150 MB")


def test_two_gigabyte_file_is_not_read(tmp_path):
    path = tmp_path / "huge.pdf"
    with path.open("wb") as f:
        f.truncate(2 * 2**30)
    e = extract(path)
    assert e.text == ""
    assert e.problem == (f"2048 MB is over the {MAX_FILE_BYTES // 2**20} MB extraction limit;"
                         " catalogued without text")


def test_slow_extraction_is_cut(tmp_path, monkeypatch):
    import time

    from archive_tool import extract as mod

    def slow(path):
        while True:
            time.sleep(0.01)

    monkeypatch.setitem(mod.EXTRACTORS, ".txt", slow)
    path = tmp_path / "a.txt"
    path.write_text("x")
    e = extract(path, max_seconds=0.2)
    assert e.problem == "text extraction took over 0.2 s; skipped"


def test_generated_documents_are_readable(tmp_path):
    (tmp_path / "g.pdf").write_bytes(pdf_bytes(["Póliza de crédito"]))
    (tmp_path / "g.docx").write_bytes(docx_bytes(["Declaración anual"]))
    assert "Póliza de crédito" in extract(tmp_path / "g.pdf").text
    assert "Declaración anual" in extract(tmp_path / "g.docx").text
