"""Regenerate sample_archive/: records, staff, and real PDF, DOCX, EML and TXT documents.

    pip install -e '.[samples]' && python tools/make_sample.py

The output is deterministic, so regenerating gives the committed files back.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from docx import Document
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent / "sample_archive"
FIXED = datetime(2026, 1, 1, tzinfo=UTC)

STAFF = [
    ("E-001", "Lucía Fernández Ortega", "lfernandez", "information", "admin", "active", None),
    ("E-002", "Javier Núñez Prieto", "jnunez", "information", "admin", "active", None),
    ("E-003", "Marta Gil Soler", "mgil", "information", "member", "active", None),
    ("E-010", "Carlos Ruiz Beltrán", "cruiz", "commercial", "member", "active", None),
    ("E-011", "Ana Torres Vidal", "atorres", "commercial", "member", "active", None),
    ("E-012", "Pablo Moreno Castillo", "pmoreno", "commercial", "member", "active", None),
    ("E-013", "Elena Sanz Romero", "esanz", "commercial", "member", "active", None),
    ("E-014", "Raúl Domínguez Pastor", "rdominguez", "commercial", "member", "departed",
     "2026-06-30"),
    ("E-020", "Teresa Molina Cano", "tmolina", "finance", "member", "active", None),
]

# id, slug, name, category, special_type, tier, important, status, since, tax_id, city,
# province, postal code, legal representative, contacts (staff, role), scope, capital
CLIENTS = [
    ("CL-0001", "suministros-levante", "Suministros Levante, S.L.", "supplier", None, "vip",
     True, "active", "2021-03-15", "B46123456", "Valencia", "Valencia", "46001",
     ("Vicente Martínez Llorca", "Administrador único"), [("E-010", "primary"),
                                                         ("E-011", "backup")],
     "Suministro de envases y embalajes industriales", 120000),
    ("CL-0002", "papeleria-iberica", "Papelería Ibérica, S.A.", "supplier", None, "standard",
     False, "active", "2023-02-01", "A28765432", "Madrid", "Madrid", "28014",
     ("Carmen López Ibáñez", "Consejera delegada"), [("E-012", "primary")],
     "Material de oficina y papelería", 60000),
    ("CL-0003", "transportes-ebro", "Transportes del Ebro, S.L.", "supplier", None,
     "standard", False, "inactive", "2023-05-10", "B50111222", "Zaragoza", "Zaragoza", "50002",
     ("Jorge Aznar Gracia", "Gerente"), [("E-013", "primary")],
     "Transporte de mercancías por carretera", 30000),
    ("CL-0004", "distribuciones-sur", "Distribuciones del Sur, S.A.", "distributor", None,
     "vip", True, "active", "2023-01-20", "A41555777", "Sevilla", "Sevilla", "41004",
     ("Rocío Jiménez Barrera", "Directora general"), [("E-011", "primary"),
                                                      ("E-012", "backup")],
     "Distribución mayorista en Andalucía", 250000),
    ("CL-0005", "comercial-cantabrica", "Comercial Cantábrica, S.L.", "distributor", None,
     "standard", False, "active", "2024-04-08", "B39444888", "Santander", "Cantabria", "39002",
     ("Íñigo Ruiz de la Peña", "Administrador"), [("E-010", "primary")],
     "Distribución en el norte peninsular", 45000),
    ("CL-0006", "bufete-navarro", "Navarro & Asociados Abogados, S.L.P.", "special", "lawyer",
     "standard", False, "active", "2023-09-01", "B46999111", "Valencia", "Valencia", "46004",
     ("Álvaro Navarro Peris", "Socio director"), [("E-002", "primary")],
     "Asesoría jurídica mercantil y laboral", 10000),
    ("CL-0007", "consultores-finanzas", "Asesores Financieros Mediterráneo, S.L.", "special",
     "financial_consultant", "standard", False, "active", "2024-02-12", "B03222333",
     "Alicante", "Alicante", "03001", ("Beatriz Sempere Climent", "Socia"),
     [("E-020", "primary")], "Consultoría financiera y fiscal", 15000),
    ("CL-0008", "agencia-creativa", "Agencia Creativa Mar Azul, S.L.", "special", "advertising",
     "standard", False, "active", "2025-03-03", "B12777666", "Castellón de la Plana",
     "Castellón", "12001", ("Nuria Ferrer Albiol", "Directora creativa"),
     [("E-013", "primary")], "Publicidad y campañas en medios", 20000),
    ("CL-0009", "comunicacion-plural", "Plural Comunicación y Relaciones Públicas, S.L.",
     "special", "public_relations", "standard", False, "prospect", "2026-09-15", "B08123987",
     "Barcelona", "Barcelona", "08010", ("Marc Puig Serra", "Director"),
     [("E-010", "primary")], "Relaciones públicas y comunicación corporativa", 12000),
    ("CL-0010", "banco-valencia-empresas", "Banco de Empresas del Turia, S.A.", "special",
     "bank", "vip", True, "active", "2022-06-01", "A46000555", "Valencia", "Valencia",
     "46002", ("Fernando Ortega Sanchis", "Director de oficina"),
     [("E-001", "primary"), ("E-020", "backup")], "Banca de empresas", 50000000),
    ("CL-0011", "seguros-atlantico", "Seguros Atlántico Mutua", "special", "insurance",
     "standard", False, "active", "2024-11-05", "V15333444", "A Coruña", "A Coruña", "15001",
     ("María Castro Varela", "Responsable de grandes cuentas"), [("E-012", "primary")],
     "Seguros de responsabilidad civil y mercancías", 9000000),
    ("CL-0012", "credito-pyme", "Crédito Pyme Financiación, E.F.C., S.A.", "special",
     "financial_assistance", "standard", False, "active", "2025-07-21", "A78999000", "Madrid",
     "Madrid", "28046", ("Luis Herrero Salas", "Director comercial"), [("E-011", "primary")],
     "Financiación de circulante y confirming", 5000000),
    ("CL-0013", "quimicas-del-mediterraneo", "Químicas del Mediterráneo, S.A.", "supplier",
     None, "standard", True, "active", "2026-02-10", "A12345678", "Tarragona", "Tarragona",
     "43004", ("Sergio Núñez Ferré", "Director de compras"),
     [("E-013", "primary"), ("E-010", "backup")], "Productos químicos para limpieza", 400000),
    ("CL-0014", "lopez-hermanos", "López Hermanos Distribución, S.L.", "distributor", None,
     "vip", False, "terminated", "2023-03-01", "B30111999", "Murcia", "Murcia", "30001",
     ("Antonio López Ruiz", "Administrador"), [("E-011", "primary"), ("E-010", "backup")],
     "Distribución alimentaria en Murcia", 90000),
]

# Clients whose reports/ hold annual reports and financial statements (year range).
REPORTS = {"CL-0001": range(2021, 2026), "CL-0002": range(2023, 2026),
           "CL-0003": range(2023, 2026), "CL-0004": range(2023, 2026),
           "CL-0005": range(2024, 2026), "CL-0006": range(2023, 2026),
           "CL-0007": range(2024, 2026), "CL-0008": range(2025, 2026),
           "CL-0010": range(2022, 2026), "CL-0011": range(2024, 2026),
           "CL-0012": range(2025, 2026), "CL-0014": range(2023, 2026)}


def q(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- documents -------------------------------------------------------------

def pdf(path: Path, title: str, paragraphs: list[str]) -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    width, height = A4
    y = height - 72
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, y, title)
    c.setFont("Helvetica", 10)
    y -= 28
    for para in paragraphs:
        for line in _wrap(para, 95):
            if y < 72:
                c.showPage()
                c.setFont("Helvetica", 10)
                y = height - 72
            c.drawString(72, y, line)
            y -= 14
        y -= 8
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


def fax_pdf(path: Path, lines: list[str]) -> None:
    """A scanned fax: the page is one image, with no text layer."""
    img = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(img)
    y = 80
    for line in lines:
        draw.text((70, y), line, fill=0)
        y += 28
    for i in range(0, 850, 7):  # scanner noise along the top edge
        draw.point((i, 20 + (i * 13) % 9), fill=90)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def docx(path: Path, title: str, paragraphs: list[str], table: list[list[str]]) -> None:
    d = Document()
    d.core_properties.created = FIXED.replace(tzinfo=None)
    d.core_properties.modified = FIXED.replace(tzinfo=None)
    d.core_properties.title = title
    d.add_heading(title, level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    t = d.add_table(rows=0, cols=len(table[0]))
    for row in table:
        cells = t.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(_fixed_zip_times(buf.getvalue()))


def _fixed_zip_times(data: bytes) -> bytes:
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            info.date_time = (2026, 1, 1, 0, 0, 0)
            dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def eml(path: Path, sender: str, to: str, subject: str, when: date, body: str,
        html: str) -> None:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(when.year, when.month, when.day, 10, 30,
                                           tzinfo=UTC))
    msg["Message-ID"] = f"<{path.stem}@sample.archive-tool>"
    msg.set_content(body)
    msg.add_alternative(html, subtype="html")
    msg.set_boundary(f"==sample-{path.stem}==")
    path.write_bytes(bytes(msg))


# --- records ---------------------------------------------------------------

def write_client(folder: Path, c: tuple) -> None:
    (cid, slug, name, category, stype, tier, important, status, since, tax_id, city, prov,
     cp, rep, contacts, scope, capital) = c
    lines = [
        "# yaml-language-server: $schema=../../templates/schema/client.schema.json\n",
        f"id: {cid}\n", f"name: {q(name)}\n", f"category: {category}\n",
    ]
    if stype:
        lines.append(f"special_type: {stype}\n")
    domain = slug.replace("-", "") + ".es"
    lines += [
        f"tier: {tier}\n", f"important: {str(important).lower()}\n", f"status: {status}\n",
        f"since: {since}\n", f"tax_id: {tax_id}\n",
        f"legal_representative:\n  name: {q(rep[0])}\n  position: {q(rep[1])}\n",
        "address:\n", f"  street: {q('Calle Mayor, ' + str(int(cid[3:]) * 7))}\n",
        f"  city: {q(city)}\n  province: {q(prov)}\n  postal_code: \"{cp}\"\n  country: ES\n",
        f"phone: \"+34 9{cp[:2]} {cid[3:]}0 {cp[2:]}\"\n",
        f"fax: \"+34 9{cp[:2]} {cid[3:]}1 {cp[2:]}\"\n",
        f"email: info@{domain}\n", f"website: www.{domain}\n",
        f"business_scope: {q(scope)}\n",
        f"registered_capital: {{amount: {capital}, currency: EUR}}\n",
        "contacts:\n",
    ]
    for sid, role in contacts:
        lines.append(f"  - {{staff: {sid}, role: {role}, since: {since}}}\n")
    lines += ["client_contacts:\n", f"  - name: {q(rep[0])}\n    position: {q(rep[1])}\n",
              f"    email: {rep[0].split()[0].lower().replace('í', 'i').replace('á', 'a')}"
              f"@{domain}\n"]
    if tier == "vip" or category == "special":
        lines.append("access:\n  departments: [finance]\n")
    lines += ["changes:\n", f"  - date: {since}\n    by: E-001\n"
              "    summary: \"Alta de la ficha de cliente tras el primer contacto\"\n"]
    lines += EXTRA_CHANGES.get(cid, [])
    (folder / "client.yaml").write_text("".join(lines), encoding="utf-8")


EXTRA_CHANGES = {
    "CL-0001": ["  - date: 2026-07-01\n    by: E-001\n    summary: \"Traspaso de contacto:"
                " Raúl Domínguez (E-014) causa baja; Ana Torres (E-011) pasa a suplente\"\n"],
    "CL-0004": ["  - date: 2026-07-01\n    by: E-001\n    summary: \"Traspaso de contacto:"
                " Raúl Domínguez (E-014) causa baja; Pablo Moreno (E-012) pasa a suplente\"\n"],
    "CL-0010": ["  - date: 2025-01-15\n    by: E-001\n    summary: \"Cliente VIP: trato"
                " preferente y dos contactos asignados\"\n"],
}


def entry(folder: Path, name: str, fields: dict) -> None:
    lines = ["# yaml-language-server: $schema=../../../templates/schema/entry.schema.json\n"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(q(v) if ' ' in v else v for v in value)}]\n")
        elif isinstance(value, bool):
            lines.append(f"{key}: {str(value).lower()}\n")
        elif key == "summary":
            lines.append(f"{key}: >\n  {value}\n")
        else:
            lines.append(f"{key}: {q(value) if isinstance(value, str) else value}\n")
    (folder / "correspondence" / name).write_text("".join(lines), encoding="utf-8")


def correspondence(root: Path) -> None:
    cl = {c[0]: root / "clients" / f"{c[0]}-{c[1]}" for c in CLIENTS}

    f = cl["CL-0001"] / "correspondence"
    pdf(f / "2026-03-04-revision-precios.pdf", "Revisión de precios 2026", [
        "Valencia, 4 de marzo de 2026.",
        "Estimados señores: les comunicamos la revisión de precios de envases y embalajes"
        " para el ejercicio 2026. Las tarifas de cajas de cartón ondulado aumentan un 3,5 %"
        " y las de palés retornables se mantienen sin cambios.",
        "Las nuevas condiciones entrarán en vigor el 1 de abril. Quedamos a su disposición"
        " para cualquier aclaración sobre la información facilitada.",
        "Atentamente, Vicente Martínez Llorca, Administrador único."])
    entry(f.parent, "2026-03-04-revision-precios.yaml", {
        "date": "2026-03-04", "kind": "letter", "direction": "in", "staff": ["E-010"],
        "counterpart": "Vicente Martínez Llorca", "subject": "Revisión de precios 2026",
        "summary": "Subida del 3,5 % en cajas de cartón desde el 1 de abril; palés sin cambios.",
        "attachments": ["2026-03-04-revision-precios.pdf"], "important": True})
    (f / "2026-09-18-llamada-plazos.txt").write_text(
        "Nota de llamada - 18/09/2026\n"
        "Llamada de larga distancia con Vicente Martínez (Suministros Levante).\n"
        "Confirma plazos de entrega de 10 días para pedidos de más de 20 palés.\n"
        "Pide previsión de consumo del cuarto trimestre antes del 15 de octubre.\n",
        encoding="utf-8")
    entry(f.parent, "2026-09-18-llamada-plazos.yaml", {
        "date": "2026-09-18", "kind": "call", "direction": "in", "staff": ["E-011"],
        "counterpart": "Vicente Martínez Llorca", "subject": "Plazos de entrega del cuarto"
        " trimestre", "summary": "Plazos de 10 días; piden previsión de consumo.",
        "attachments": ["2026-09-18-llamada-plazos.txt"]})
    entry(f.parent, "2026-10-30-informe-contacto.yaml", {
        "date": "2026-10-30", "kind": "contact_report", "staff": ["E-010", "E-011"],
        "subject": "Informe de contacto trimestral", "summary":
        "Relación estable; precios revisados aceptados; se estudia contrato marco para 2027."})

    f = cl["CL-0004"] / "correspondence"
    eml(f / "2026-05-12-pedido-campana.eml", "Rocío Jiménez <rjimenez@distribucionessur.es>",
        "Ana Torres <atorres@empresa.es>", "Pedido para la campaña de verano",
        date(2026, 5, 12),
        "Hola Ana:\n\nOs confirmamos el pedido para la campaña de verano: 1.200 unidades de"
        " la referencia 4410 y 800 de la 4420, con entrega en nuestro almacén de Dos"
        " Hermanas antes del 15 de junio.\n\nUn saludo,\nRocío Jiménez\n",
        "<html><body><p>Hola Ana:</p><p>Os confirmamos el <b>pedido para la campaña de"
        " verano</b>: 1.200 unidades de la referencia 4410 y 800 de la 4420, con entrega en"
        " nuestro almacén de Dos Hermanas antes del 15 de junio.</p><p>Un saludo,<br>Rocío"
        " Jiménez</p></body></html>")
    entry(f.parent, "2026-05-12-pedido-campana.yaml", {
        "date": "2026-05-12", "kind": "email", "direction": "in", "staff": ["E-011"],
        "counterpart": "Rocío Jiménez Barrera", "subject": "Pedido para la campaña de verano",
        "summary": "Pedido de 2.000 unidades con entrega antes del 15 de junio.",
        "attachments": ["2026-05-12-pedido-campana.eml"]})
    docx(f / "2026-07-09-acta-reunion.docx", "Acta de reunión con Distribuciones del Sur", [
        "Fecha: 9 de julio de 2026. Lugar: oficinas de Sevilla.",
        "Asistentes: Rocío Jiménez (Distribuciones del Sur), Ana Torres y Pablo Moreno.",
        "Se presenta a Pablo Moreno como nuevo contacto suplente tras la baja de Raúl"
        " Domínguez. Se revisa la previsión de ventas del segundo semestre y la ampliación"
        " de la red de distribución a Huelva y Cádiz."],
        [["Acuerdo", "Responsable", "Plazo"],
         ["Enviar catálogo actualizado", "Ana Torres", "2026-07-20"],
         ["Estudiar descuentos por volumen", "Pablo Moreno", "2026-09-01"]])
    entry(f.parent, "2026-07-09-acta-reunion.yaml", {
        "date": "2026-07-09", "kind": "meeting", "direction": "out",
        "staff": ["E-011", "E-012"], "counterpart": "Rocío Jiménez Barrera",
        "subject": "Reunión de traspaso y previsión de ventas",
        "summary": "Presentación del nuevo contacto suplente y ampliación a Huelva y Cádiz.",
        "attachments": ["2026-07-09-acta-reunion.docx"], "important": True})
    entry(f.parent, "2026-10-15-informe-contacto.yaml", {
        "date": "2026-10-15", "kind": "contact_report", "staff": ["E-011", "E-012"],
        "subject": "Informe de contacto del tercer trimestre", "summary":
        "Ventas un 8 % por encima de la previsión; interés en exclusividad para Cádiz."})
    entry(f.parent, "2026-07-02-aviso-cambio-contacto.yaml", {
        "date": "2026-07-02", "kind": "letter", "direction": "out", "staff": ["E-001"],
        "counterpart": "Rocío Jiménez Barrera", "subject": "Aviso de cambio de contacto",
        "summary": "Se comunica la baja de Raúl Domínguez y la asignación de Pablo Moreno."})

    f = cl["CL-0003"] / "correspondence"
    fax_pdf(f / "2026-02-20-fax-albaran.pdf", [
        "FAX - TRANSPORTES DEL EBRO, S.L.", "Fecha: 20/02/2026", "Asunto: albaran 7781",
        "Adjuntamos albaran firmado de la entrega del 18/02.", "Paginas: 1"])
    entry(f.parent, "2026-02-20-fax-albaran.yaml", {
        "date": "2026-02-20", "kind": "fax", "direction": "in", "staff": ["E-013"],
        "counterpart": "Jorge Aznar Gracia", "subject": "Albarán firmado de la entrega 7781",
        "summary": "Fax escaneado con el albarán firmado.",
        "attachments": ["2026-02-20-fax-albaran.pdf"]})

    f = cl["CL-0006"] / "correspondence"
    pdf(f / "2026-04-22-dictamen-contrato.pdf", "Dictamen sobre el contrato de distribución", [
        "Dictamen jurídico confidencial sobre la cláusula de exclusividad del contrato de"
        " distribución con Distribuciones del Sur, S.A.",
        "Conclusión: la cláusula es válida siempre que su duración no exceda de cinco años y"
        " se respete la normativa de defensa de la competencia."])
    entry(f.parent, "2026-04-22-dictamen-contrato.yaml", {
        "date": "2026-04-22", "kind": "letter", "direction": "in", "staff": ["E-002"],
        "counterpart": "Álvaro Navarro Peris", "subject": "Dictamen sobre la exclusividad",
        "summary": "Validez de la cláusula de exclusividad con límite de cinco años.",
        "attachments": ["2026-04-22-dictamen-contrato.pdf"], "confidential": True})

    f = cl["CL-0010"] / "correspondence"
    entry(f.parent, "2026-06-03-visita-oficina.yaml", {
        "date": "2026-06-03", "kind": "visit", "direction": "out", "staff": ["E-001", "E-020"],
        "counterpart": "Fernando Ortega Sanchis", "subject": "Visita a la oficina de empresas",
        "summary": "Renovación de la póliza de crédito y de la línea de confirming."})
    entry(f.parent, "2026-11-02-informe-contacto.yaml", {
        "date": "2026-11-02", "kind": "contact_report", "staff": ["E-001", "E-020"],
        "subject": "Informe de contacto: renovación de la póliza de crédito", "summary":
        "Póliza renovada por 500.000 euros; el banco pide los estados financieros de 2025."})
    entry(f.parent, "2026-11-10-nota-declaracion.yaml", {
        "date": "2026-11-10", "kind": "note", "staff": ["E-001"],
        "subject": "Declaración de titularidad real", "summary":
        "El banco solicita la declaración de titularidad real actualizada."})

    f = cl["CL-0013"] / "correspondence"
    entry(f.parent, "2026-10-20-informe-contacto.yaml", {
        "date": "2026-10-20", "kind": "contact_report", "staff": ["E-013", "E-010"],
        "counterpart": "Sergio Núñez Ferré", "subject": "Informe de contacto de octubre",
        "summary": "Primeras compras de prueba satisfactorias; se negocian precios anuales."})

    f = cl["CL-0011"] / "correspondence"
    pdf(f / "2026-08-01-renovacion-poliza.pdf", "Renovación de la póliza de mercancías", [
        "Les informamos de la renovación de la póliza de seguro de mercancías transportadas"
        " con efecto 1 de septiembre de 2026 y una prima anual de 4.250 euros."])
    entry(f.parent, "2026-08-01-renovacion-poliza.yaml", {
        "date": "2026-08-01", "kind": "letter", "direction": "in", "staff": ["E-012"],
        "counterpart": "María Castro Varela", "subject": "Renovación de la póliza de"
        " mercancías", "attachments": ["2026-08-01-renovacion-poliza.pdf"]})


def reports(root: Path) -> None:
    for c in CLIENTS:
        years = REPORTS.get(c[0], ())
        for year in years:
            folder = root / "clients" / f"{c[0]}-{c[1]}" / "reports" / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            n = int(c[0][3:])
            pdf(folder / "annual-report.pdf", f"Informe anual {year} - {c[2]}", [
                f"Informe anual de desempeño del ejercicio {year} de {c[2]}.",
                f"La cifra de negocio alcanzó {1_000_000 + n * 137_000 + year:,} euros."
                .replace(",", "."),
                f"Ámbito de actividad: {c[15]}. Valoración de la relación comercial con la"
                " empresa: satisfactoria."])
            pdf(folder / "financial-statements.pdf", f"Estados financieros {year} - {c[2]}", [
                f"Balance de situación y cuenta de pérdidas y ganancias del ejercicio {year}.",
                f"Capital social: {c[16]:,} EUR. Resultado del ejercicio positivo.".replace(
                    ",", "."),
                "Las cuentas anuales han sido auditadas sin salvedades."])


def main() -> None:
    clients = ROOT / "clients"
    shutil.rmtree(clients, ignore_errors=True)
    for c in CLIENTS:
        folder = clients / f"{c[0]}-{c[1]}"
        (folder / "correspondence").mkdir(parents=True)
        (folder / "reports").mkdir()
        write_client(folder, c)
    correspondence(ROOT)
    reports(ROOT)
    (ROOT / "archive.yaml").write_text(
        "# yaml-language-server: $schema=templates/schema/archive.schema.json\n"
        "name: \"Archivo de clientes (demostración)\"\nlanguage: es\n"
        "# Demo archive: every login is treated as an information admin.\ndemo: true\n"
        "policy:\n  important_min_contacts: 2\n  vip_min_contacts: 2\n"
        "  contact_report_every_days: 90\n  checkout_max_days: 14\n"
        "ignore: []\n", encoding="utf-8")
    lines = ["# yaml-language-server: $schema=templates/schema/staff.schema.json\nstaff:\n"]
    for sid, name, login, dept, role, status, left in STAFF:
        lines.append(f"  - id: {sid}\n    name: {q(name)}\n    login: {login}\n"
                     f"    department: {dept}\n    role: {role}\n    status: {status}\n"
                     f"    email: {login}@empresa.es\n    phone: \"+34 960 100 {sid[2:]}\"\n")
        if left:
            lines.append(f"    left_on: {left}\n")
    (ROOT / "staff.yaml").write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
