"""Generate a realistic archive of N clients for tests and benchmarks.

    python bench/generate.py DEST --clients 200 [--seed 1]

Each client gets a record, correspondence entries with PDF, DOCX, EML and TXT
attachments and yearly reports; the text is Spanish-like, with accents,
plurals and names, drawn from a fixed vocabulary so runs are repeatable.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import zipfile
from datetime import date, timedelta
from email.message import EmailMessage
from itertools import accumulate
from pathlib import Path

WORDS = """
acuerdo acuerdos albarán albaranes almacén almacenes análisis anual anuales auditoría
balance balances banco cambio cambios camión camiones capital cartera carta cartas
catálogo cliente clientes comercial compra compras comunicación comunicaciones condición
condiciones confirmación contrato contratos crédito créditos cuenta cuentas declaración
declaraciones descuento descuentos distribución empresa empresas entrega entregas envío
envíos estado estrategia exportación exportaciones factura facturas financiación gestión
gestiones importe informe informes información inversión mercado mercancía mercancías
negociación operación operaciones pago pagos pedido pedidos plazo plazos póliza pólizas
precio precios presupuesto producción producto productos propuesta proveedor proveedores
reclamación reclamaciones relación relaciones renovación reunión reuniones revisión riesgo
seguro seguros servicio servicios situación sociedad solicitud suministro tarifa tarifas
transporte valoración venta ventas visita
""".split()
NAMES = ("Núñez Martínez García López Sánchez Pérez Gómez Fernández Jiménez Muñoz Álvarez"
         " Romero Ibáñez Peña Castaño Ordóñez").split()
CITIES = [("Valencia", "46001"), ("Madrid", "28001"), ("Sevilla", "41001"),
          ("Zaragoza", "50001"), ("Bilbao", "48001"), ("Málaga", "29001"),
          ("A Coruña", "15001"), ("Logroño", "26001")]
KINDS = ["letter", "fax", "call", "email", "meeting", "visit", "contact_report", "note"]
SPECIAL = ["lawyer", "financial_consultant", "advertising", "public_relations", "bank",
           "insurance", "financial_assistance"]


FUNCTION_WORDS = ("de la que el en y a los se del las un por con no una su para es al lo"
                  " como más pero sus le ya o este sí porque esta entre cuando muy sin sobre"
                  " también me hasta hay donde quien desde todo nos durante todos uno les ni"
                  " contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro"
                  " otras otra él tanto esa estos mucho quienes nada muchos cual poco ella"
                  " estar estas algunas algo nosotros").split()
SYLLABLES = ("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo"
             " lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su"
             " ta te ti to tu va ve vi vo za zo ción mién dad tor ral gía rio").split()


def _vocabulary(seed: int = 3, synthetic: int = 4000) -> tuple[list[str], list[float]]:
    """Words in rank order with Zipf weights: function words first, then the domain
    words and names spread among made-up Spanish-like words, as real text is."""
    rng = random.Random(seed)
    made = set()
    while len(made) < synthetic:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    made_words = sorted(made)
    rng.shuffle(made_words)
    domain = [*WORDS, *NAMES]
    ranked = list(FUNCTION_WORDS)
    step = max(1, 600 // len(domain))
    for i, word in enumerate(domain):  # domain words between ranks ~100 and ~700
        ranked.extend(made_words[i * step:(i + 1) * step])
        ranked.append(word)
    ranked.extend(made_words[len(domain) * step:])
    weights = [1 / (rank + 1) ** 1.07 for rank in range(len(ranked))]
    return ranked, list(accumulate(weights))


VOCABULARY, CUMULATIVE = _vocabulary()


def sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=n)
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), rng.choice(NAMES))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(6, 16)) for _ in range(sentences))


def pdf_bytes(lines: list[str]) -> bytes:
    """A small valid one-page PDF with a text layer (no dependencies)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    ops = ["BT /F1 10 Tf 14 TL 50 800 Td"]
    for line in lines:
        ops.append(f"({esc(line)}) '")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252", "replace")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources"
            b" << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
            b" /Encoding /WinAnsiEncoding >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
            + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
              "%%EOF\n".encode())
    return out.getvalue()


def wrap(text: str, width: int = 90) -> list[str]:
    lines, line = [], ""
    for w in text.split():
        if len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return [*lines, line]


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A minimal valid DOCX (WordprocessingML) without python-docx."""
    from xml.sax.saxutils import escape
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>"
                   for p in paragraphs)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
           f'main"><w:body>{body}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels"'
                   ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/><Override'
                   ' PartName="/word/document.xml" ContentType="application/vnd.openxml'
                   'formats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
                   'schemas.openxmlformats.org/package/2006/relationships"><Relationship'
                   ' Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/>'
                   '</Relationships>')
        z.writestr("word/document.xml", doc)
    return out.getvalue()


def eml_bytes(subject: str, body: str, when: date) -> bytes:
    msg = EmailMessage()
    msg["From"] = "cliente@example.es"
    msg["To"] = "comercial@empresa.es"
    msg["Subject"] = subject
    msg["Date"] = when.strftime("%a, %d %b %Y 10:00:00 +0000")
    msg.set_content(body)
    return bytes(msg)


def q(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def generate(dest: Path, clients: int, seed: int = 1, entries_per_client: int = 20,
             years: int = 3, today: date = date(2026, 11, 1)) -> int:
    """Write the archive; returns the number of files under clients/."""
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "archive.yaml").write_text("name: Bench\ndemo: true\n", encoding="utf-8")
    staff = [f"E-{i:03d}" for i in range(1, 21)]
    lines = ["staff:\n"]
    for i, sid in enumerate(staff):
        dept = "information" if i < 2 else "commercial"
        role = "admin" if i < 2 else "member"
        lines.append(f"  - {{id: {sid}, name: Persona {i}, login: user{i}, department: {dept},"
                     f" role: {role}, status: active}}\n")
    (dest / "staff.yaml").write_text("".join(lines), encoding="utf-8")
    count = 0
    for n in range(1, clients + 1):
        cid = f"CL-{n:04d}"
        folder = dest / "clients" / f"{cid}-cliente-{n}"
        corr = folder / "correspondence"
        corr.mkdir(parents=True)
        category = rng.choice(["supplier", "distributor", "special"])
        city, cp = rng.choice(CITIES)
        owner = rng.sample(staff[2:], 2)
        name = f"{rng.choice(NAMES)} {rng.choice(WORDS)} {n}, S.L."
        record = [f"id: {cid}\n", f"name: {q(name)}\n", f"category: {category}\n"]
        if category == "special":
            record.append(f"special_type: {rng.choice(SPECIAL)}\n")
        record += [f"tier: {'vip' if n % 10 == 0 else 'standard'}\n",
                   "important: false\nstatus: active\n",
                   f"since: {today.year - years}-01-15\n",
                   f"tax_id: B{n:08d}\n",
                   f"address: {{city: {q(city)}, postal_code: {q(cp)}, country: ES}}\n",
                   f"business_scope: {q(sentence(rng, 8))}\n",
                   "contacts:\n", f"  - {{staff: {owner[0]}, role: primary}}\n",
                   f"  - {{staff: {owner[1]}, role: backup}}\n"]
        (folder / "client.yaml").write_text("".join(record), encoding="utf-8")
        count += 1
        for e in range(entries_per_client):
            when = today - timedelta(days=rng.randint(1, 365 * years))
            kind = KINDS[e % len(KINDS)]
            subject = sentence(rng, rng.randint(3, 7)).rstrip(".")
            stem = f"{when.isoformat()}-e{e:03d}"
            body = paragraph(rng, rng.randint(4, 30))
            attachment = None
            fmt = rng.random()
            if kind in ("letter", "fax") or fmt < 0.2:
                attachment = f"{stem}.pdf"
                (corr / attachment).write_bytes(pdf_bytes(wrap(body)))
            elif kind == "email" or fmt < 0.35:
                attachment = f"{stem}.eml"
                (corr / attachment).write_bytes(eml_bytes(subject, body, when))
            elif kind == "meeting" or fmt < 0.5:
                attachment = f"{stem}.docx"
                (corr / attachment).write_bytes(docx_bytes(wrap(body, 400)))
            elif kind == "call" or fmt < 0.8:
                attachment = f"{stem}.txt"
                (corr / attachment).write_text(body + "\n", encoding="utf-8")
            entry = [f"date: {when.isoformat()}\n", f"kind: {kind}\n", "direction: in\n",
                     f"staff: [{owner[0]}]\n", f"subject: {q(subject)}\n",
                     f"summary: {q(sentence(rng, 10))}\n"]
            if attachment:
                entry.append(f"attachments: [{attachment}]\n")
                count += 1
            (corr / f"{stem}.yaml").write_text("".join(entry), encoding="utf-8")
            count += 1
        for year in range(today.year - years, today.year):
            rep = folder / "reports" / str(year)
            rep.mkdir(parents=True)
            (rep / "annual-report.pdf").write_bytes(pdf_bytes(
                wrap(f"Informe anual {year}. " + paragraph(rng, 12))))
            (rep / "financial-statements.pdf").write_bytes(pdf_bytes(
                wrap(f"Estados financieros {year}. " + paragraph(rng, 8))))
            count += 2
    return count


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--entries", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    n = generate(args.dest, args.clients, args.seed, args.entries)
    sys.stdout.write(f"{n} files in {args.dest}\n")


if __name__ == "__main__":
    main()
