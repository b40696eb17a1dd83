"""Regenerate sample_archive/: the client files of a Valencian maker of household
cleaning products, Industrias Turia Hogar, S.A., with real PDF, DOCX, EML and TXT
documents: letters, a scanned fax, meeting minutes, an order by e-mail, a
hand-over's notice letters, and each year's annual report and annual accounts.

    pip install -e '.[samples]' && python tools/make_sample.py

The companies are invented but built as real ones are: CIFs with their check
digit and the province's old prefix, addresses in real streets with the postal code
of their province, nine-digit phones with the province's prefix, domains that match
the company's name, legal representatives with the titles the Registro Mercantil
uses. A few things are honestly out of order, for the compliance review to show.
The output is deterministic, so regenerating gives the committed files back.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import zipfile
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from docx import Document
from PIL import Image, ImageDraw
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from archive_tool.spain import cif_check_characters

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "sample_archive"
FIXED = datetime(2026, 1, 1, tzinfo=UTC)

OWNER = {"name": "Industrias Turia Hogar, S.A.", "cif": "A4638271",
         "street": "Calle Juan de la Cierva, 14 (Parque Tecnológico)",
         "city": "Paterna", "postal_code": "46980", "province": "Valencia",
         "phone": "+34 961 402 300", "domain": "turiahogar.es"}

STAFF = [
    ("E-001", "Lucía Fernández Ortega", "lfernandez", "información", "admin", "active", None,
     "301"),
    ("E-002", "Javier Núñez Prieto", "jnunez", "información", "admin", "active", None, "302"),
    ("E-003", "Marta Gil Soler", "mgil", "información", "member", "active", None, "303"),
    ("E-010", "Carlos Ruiz Beltrán", "cruiz", "comercial", "member", "active", None, "310"),
    ("E-011", "Ana Torres Vidal", "atorres", "comercial", "member", "active", None, "311"),
    ("E-012", "Pablo Moreno Castillo", "pmoreno", "comercial", "member", "active", None,
     "312"),
    ("E-013", "Elena Sanz Romero", "esanz", "comercial", "member", "active", None, "313"),
    ("E-014", "Raúl Domínguez Pastor", "rdominguez", "comercial", "member", "departed",
     "2026-06-30", "314"),
    ("E-020", "Teresa Molina Cano", "tmolina", "administración", "member", "active", None,
     "320"),
]
NAMES = {s[0]: s[1] for s in STAFF}


def cif(head: str) -> str:
    """A CIF from its first eight characters and the right check character."""
    return head + cif_check_characters(head)[0]


OWNER["cif"] = cif(OWNER["cif"])

# family: how the company's accounts look (trade, services, bank, credit, insurance).
CLIENTS = [
    dict(id="CL-0001", slug="suministros-levante", name="Suministros Levante, S.L.",
         category="supplier", tier="vip", important=True, status="active",
         since="2021-03-15", cif=cif("B4671839"),
         street="Calle Ciudad de Sevilla, 23 (Polígono Fuente del Jarro)", city="Paterna",
         province="Valencia", postal_code="46988", phone="+34 961 340 275",
         fax="+34 961 340 276", domain="suministroslevante.es",
         rep=("Vicente Martínez Llorca", "Administrador único"),
         people=[("Amparo Soler Ribes", "Jefa de administración de ventas",
                  "+34 961 340 275", "asoler"),
                 ("Josep Climent Ferrer", "Responsable de logística", "+34 661 482 193",
                  "jcliment")],
         contacts=[("E-010", "primary", "2021-03-15"), ("E-011", "backup", "2026-07-01"),
                   ("E-012", "backup", "2024-01-10")],
         scope="Fabricación y suministro de envases, cajas de cartón ondulado y palés",
         capital=120000, family="trade", revenue=6_800_000, staff=54, years=(2021, 2025)),
    dict(id="CL-0002", slug="papeleria-iberica", name="Papelería Ibérica, S.A.",
         category="supplier", tier="standard", important=False, status="active",
         since="2023-02-01", cif=cif("A2879420"), street="Calle de Alcalá, 254",
         city="Madrid", province="Madrid", postal_code="28027", phone="+34 914 032 518",
         fax="+34 914 032 519", domain="papeleriaiberica.es",
         rep=("Carmen López Ibáñez", "Consejera delegada"),
         people=[("Rubén Gallego Moya", "Jefe de ventas de empresa", "+34 914 032 530",
                  "rgallego")],
         contacts=[("E-012", "primary", "2023-02-01")],
         scope="Comercio al por mayor de papelería, material de oficina y consumibles",
         capital=600000, family="trade", revenue=14_500_000, staff=88, years=(2023, 2025)),
    dict(id="CL-0003", slug="transportes-ebro", name="Transportes del Ebro, S.L.",
         category="supplier", tier="standard", important=False, status="inactive",
         since="2023-05-10", cif=cif("B5028417"),
         street="Calle Río Cinca, 12 (Polígono Industrial Cogullada)", city="Zaragoza",
         province="Zaragoza", postal_code="50014", phone="+34 976 470 318",
         fax="+34 976 470 319", domain="transportesdelebro.es",
         rep=("Jorge Aznar Gracia", "Administrador único"),
         people=[("Pilar Lasheras Royo", "Jefa de tráfico", "+34 976 470 325", "plasheras")],
         contacts=[("E-013", "primary", "2023-05-10")],
         scope="Transporte de mercancías por carretera, grupaje y almacenaje",
         capital=30000, family="trade", revenue=3_900_000, staff=41,
         years=(2023, 2024)),  # the 2025 accounts never came: an honest warning
    dict(id="CL-0004", slug="distribuciones-sur", name="Distribuciones del Sur, S.A.",
         category="distributor", tier="vip", important=True, status="active",
         since="2023-01-20", cif=cif("A4161538"),
         street="Avenida de Andalucía, 58 (Polígono La Isla)", city="Dos Hermanas",
         province="Sevilla", postal_code="41703", phone="+34 954 931 620",
         fax="+34 954 931 621", domain="distribucionessur.es",
         rep=("Rocío Jiménez Barrera", "Consejera delegada"),
         people=[("Manuel Ortiz Cabello", "Jefe de compras", "+34 954 931 634", "mortiz")],
         contacts=[("E-011", "primary", "2023-01-20"), ("E-012", "backup", "2026-07-01"),
                   ("E-010", "backup", "2023-01-20")],
         scope="Distribución mayorista de droguería y perfumería en Andalucía occidental",
         capital=250000, family="trade", revenue=21_300_000, staff=112,
         years=(2023, 2025)),
    dict(id="CL-0005", slug="comercial-cantabrica", name="Comercial Cantábrica, S.L.",
         category="distributor", tier="standard", important=False, status="active",
         since="2024-04-08", cif=cif("B3951872"), street="Calle Marqués de la Hermida, 41",
         city="Santander", province="Cantabria", postal_code="39009",
         phone="+34 942 338 104", fax="+34 942 338 105", domain="comercialcantabrica.es",
         rep=("Íñigo Ruiz de la Peña Solar", "Administrador solidario"),
         people=[("Begoña Gutiérrez Cobo", "Responsable de compras", "+34 942 338 110",
                  "bgutierrez")],
         contacts=[("E-010", "primary", "2024-04-08")],
         scope="Distribución de productos de limpieza e higiene en Cantabria y Asturias",
         capital=45000, family="trade", revenue=4_200_000, staff=23, years=(2024, 2025)),
    dict(id="CL-0006", slug="navarro-asociados", name="Navarro & Asociados Abogados, S.L.P.",
         category="special", special_type="lawyer", tier="standard", important=False,
         status="active", since="2023-09-01", cif=cif("B9861734"),
         street="Gran Vía Marqués del Turia, 49, 3.º", city="Valencia", province="Valencia",
         postal_code="46005", phone="+34 963 944 210", fax="+34 963 944 211",
         domain="navarroasociados.es", rep=("Álvaro Navarro Peris", "Administrador solidario"),
         people=[("Lucía Peris Gimeno", "Abogada asociada", "+34 963 944 216", "lperis")],
         contacts=[("E-002", "primary", "2023-09-01")],
         scope="Asesoramiento jurídico mercantil, contractual y laboral de empresas",
         capital=10000, family="services", revenue=1_350_000, staff=14, years=(2023, 2025)),
    dict(id="CL-0007", slug="asesores-mediterraneo",
         name="Asesores Financieros Mediterráneo, S.L.", category="special",
         special_type="financial_consultant", tier="standard", important=False,
         status="active", since="2024-02-12", cif=cif("B5437260"),
         street="Avenida Maisonnave, 28, 5.º", city="Alicante", province="Alicante",
         postal_code="03003", phone="+34 965 120 437", fax="+34 965 120 438",
         domain="asesoresmediterraneo.es",
         rep=("Beatriz Sempere Climent", "Administradora única"),
         people=[("Raúl Pastor Mira", "Consultor sénior", "+34 965 120 440", "rpastor")],
         contacts=[("E-020", "primary", "2024-02-12")],
         scope="Consultoría financiera, fiscal y de tesorería para empresas",
         capital=15000, family="services", revenue=860_000, staff=9, years=(2024, 2025)),
    dict(id="CL-0008", slug="mar-azul-publicidad", name="Mar Azul Publicidad, S.L.",
         category="special", special_type="advertising", tier="standard", important=False,
         status="active", since="2025-03-03", cif=cif("B1268305"), street="Calle Enmedio, 17",
         city="Castellón de la Plana", province="Castellón", postal_code="12001",
         phone="+34 964 228 315", fax="+34 964 228 316", domain="marazulpublicidad.es",
         rep=("Nuria Ferrer Albiol", "Administradora única"),
         people=[("Jordi Vilar Monfort", "Director de cuentas", "+34 964 228 322",
                  "jvilar")],
         contacts=[("E-013", "primary", "2025-03-03")],
         scope="Publicidad, diseño gráfico y planificación de medios",
         capital=20000, family="services", revenue=1_120_000, staff=16, years=(2025, 2025)),
    dict(id="CL-0009", slug="plural-comunicacion",
         name="Plural Comunicación y Relaciones Públicas, S.L.", category="special",
         special_type="public_relations", tier="standard", important=False,
         status="prospect", since="2026-09-15", cif=cif("B6692841"),
         street="Carrer de Balmes, 184, 2.º 1.ª", city="Barcelona", province="Barcelona",
         postal_code="08006", phone="+34 932 187 460", fax=None,
         domain="pluralcomunicacion.es", rep=("Marc Puig Serra", "Administrador único"),
         people=[("Laia Soler Vendrell", "Directora de comunicación corporativa",
                  "+34 932 187 468", "lsoler")],
         contacts=[("E-010", "primary", "2026-09-15")],
         scope="Relaciones públicas y comunicación corporativa",
         capital=None, family="services", revenue=0, staff=0, years=None),
    dict(id="CL-0010", slug="banco-turia", name="Banco de Empresas del Turia, S.A.",
         category="special", special_type="bank", tier="vip", important=True,
         status="active", since="2022-06-01", cif=cif("A4600839"),
         street="Calle del Pintor Sorolla, 21", city="Valencia", province="Valencia",
         postal_code="46002", phone="+34 963 106 500", fax="+34 963 106 501",
         domain="bancoturia.es", rep=("Ignacio Bellver Roig", "Consejero delegado"),
         people=[("Fernando Ortega Sanchis", "Director de la oficina de empresas de Valencia",
                  "+34 963 106 540", "fortega")],
         contacts=[("E-001", "primary", "2022-06-01"), ("E-020", "backup", "2022-06-01"),
                   ("E-002", "backup", "2022-06-01")],
         scope="Banca de empresas: financiación, avales, confirming y gestión de cobros",
         capital=50_000_000, family="bank", revenue=2_150_000_000, staff=610,
         years=(2022, 2025)),
    dict(id="CL-0011", slug="atlantico-mutua", name="Atlántico Mutua de Seguros a Prima Fija",
         category="special", special_type="insurance", tier="standard", important=False,
         status="active", since="2024-11-05", cif=cif("V1570342"), street="Rúa Real, 36",
         city="A Coruña", province="A Coruña", postal_code="15003",
         phone="+34 981 217 540", fax="+34 981 217 541", domain="atlanticomutua.es",
         rep=("Xosé Manuel Varela Iglesias", "Presidente del consejo de administración"),
         people=[("María Castro Varela", "Responsable de grandes cuentas",
                  "+34 981 217 563", "mcastro")],
         contacts=[("E-013", "primary", "2026-11-05")],
         scope="Seguros de responsabilidad civil, daños y mercancías transportadas",
         capital=None, family="insurance", revenue=96_000_000, staff=240,
         years=(2024, 2025)),
    dict(id="CL-0012", slug="credito-pyme", name="Crédito Pyme Financiación, E.F.C., S.A.",
         category="special", special_type="financial_assistance", tier="standard",
         important=False, status="active", since="2025-07-21", cif=cif("A8573026"),
         street="Paseo de la Castellana, 141, planta 9", city="Madrid", province="Madrid",
         postal_code="28046", phone="+34 915 720 860", fax="+34 915 720 861",
         domain="creditopyme.es", rep=("Luis Herrero Salas", "Apoderado"),
         people=[("Sonia Vega Marín", "Gestora de cuentas de empresa", "+34 915 720 874",
                  "svega")],
         contacts=[("E-011", "primary", "2025-07-21")],
         scope="Financiación de circulante, factoring y confirming para pymes",
         capital=5_000_000, family="credit", revenue=310_000_000, staff=72,
         years=(2025, 2025)),
    dict(id="CL-0013", slug="quimicas-del-mediterraneo", name="Químicas del Mediterráneo, S.A.",
         category="supplier", tier="vip", important=True, status="active",
         since="2026-02-10", cif=cif("A4308152"),
         street="Calle del Ferro, 9 (Polígono Industrial Riu Clar)", city="Tarragona",
         province="Tarragona", postal_code="43006", phone="+34 977 550 612",
         fax="+34 977 550 613", domain="quimicasdelmediterraneo.es",
         rep=("Sergio Núñez Ferré", "Consejero delegado"),
         people=[("Montserrat Vidal Pons", "Directora comercial", "+34 977 550 630",
                  "mvidal")],
         contacts=[("E-013", "primary", "2026-02-10"), ("E-010", "backup", "2026-02-10"),
                   ("E-011", "backup", "2026-02-10")],
         scope="Fabricación de tensioactivos y materias primas para detergentes",
         capital=400000, family="trade", revenue=38_000_000, staff=146, years=None),
    dict(id="CL-0014", slug="lopez-hermanos", name="López Hermanos Distribución, S.L.",
         category="distributor", tier="vip", important=False, status="terminated",
         since="2023-03-01", cif=cif("B3047291"), street="Avenida Juan Carlos I, 59",
         city="Murcia", province="Murcia", postal_code="30009", phone="+34 968 274 130",
         fax="+34 968 274 131", domain="lopezhermanos.es",
         rep=("Antonio López Ruiz", "Administrador solidario"),
         people=[("Carmen López Sánchez", "Jefa de compras", "+34 968 274 137", "clopez")],
         contacts=[("E-011", "primary", "2023-03-01"), ("E-010", "backup", "2023-03-01")],
         scope="Distribución de droguería y alimentación en la Región de Murcia",
         capital=90000, family="trade", revenue=9_700_000, staff=48, years=(2023, 2025)),
]
BY_ID = {c["id"]: c for c in CLIENTS}

# Change notes after the one that opened each file.
EXTRA_CHANGES = {
    "CL-0001": [("2024-01-10", "E-001", "Cliente importante: se asigna a Pablo Moreno (E-012)"
                 " como tercer contacto"),
                ("2026-07-01", "E-001", "Traspaso de contacto: Raúl Domínguez (E-014) causa"
                 " baja; Ana Torres (E-011) pasa a suplente. Aviso enviado el 02/07/2026")],
    "CL-0004": [("2026-07-01", "E-001", "Traspaso de contacto: Raúl Domínguez (E-014) causa"
                 " baja; Pablo Moreno (E-012) pasa a suplente. Aviso enviado el 02/07/2026")],
    "CL-0010": [("2025-01-15", "E-001", "Cliente VIP e importante: trato preferente y tres"
                 " contactos asignados")],
    "CL-0011": [("2026-11-05", "E-001", "Traspaso de contacto: Pablo Moreno Castillo (E-012)"
                 " pasa el cliente a Elena Sanz Romero (E-013) por reparto de cartera")],
    "CL-0013": [("2026-03-02", "E-001", "Cliente VIP e importante: proveedor estratégico de"
                 " tensioactivos; tres contactos asignados")],
    "CL-0014": [("2026-03-31", "E-001", "Baja del cliente: fin de la relación comercial al"
                 " vencer el contrato de distribución")],
}


def q(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def euros(value: float, decimals: int = 0) -> str:
    """1234567.8 -> '1.234.568' (Spanish thousands and decimal marks)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(value: float) -> str:
    return f"{euros(value * 100, 1)} %"


MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")


def long_date(d: date) -> str:
    return f"{d.day} de {MONTHS[d.month - 1]} de {d.year}"


# --- records ---------------------------------------------------------------------------

def write_client(folder: Path, c: dict) -> None:
    lines = [
        "# yaml-language-server: $schema=../../templates/schema/client.schema.json\n",
        f"id: {c['id']}\n", f"name: {q(c['name'])}\n", f"category: {c['category']}\n",
    ]
    if c.get("special_type"):
        lines.append(f"special_type: {c['special_type']}\n")
    lines += [
        f"tier: {c['tier']}\n", f"important: {str(c['important']).lower()}\n",
        f"status: {c['status']}\n", f"since: {c['since']}\n", f"tax_id: {c['cif']}\n",
        f"legal_representative:\n  name: {q(c['rep'][0])}\n  position: {q(c['rep'][1])}\n",
        "address:\n", f"  street: {q(c['street'])}\n", f"  city: {q(c['city'])}\n",
        f"  province: {q(c['province'])}\n", f"  postal_code: \"{c['postal_code']}\"\n",
        "  country: ES\n", f"phone: \"{c['phone']}\"\n",
    ]
    if c["fax"]:
        lines.append(f"fax: \"{c['fax']}\"\n")
    lines += [f"email: info@{c['domain']}\n", f"website: www.{c['domain']}\n",
              f"business_scope: {q(c['scope'])}\n"]
    if c["capital"]:
        lines.append(f"registered_capital: {{amount: {c['capital']}, currency: EUR}}\n")
    lines.append("contacts:\n")
    for sid, role, since in c["contacts"]:
        lines.append(f"  - {{staff: {sid}, role: {role}, since: {since}}}\n")
    lines.append("client_contacts:\n")
    for name, position, phone, user in c["people"]:
        lines += [f"  - name: {q(name)}\n", f"    position: {q(position)}\n",
                  f"    phone: \"{phone}\"\n", f"    email: {user}@{c['domain']}\n"]
    if c["tier"] == "vip" or c["category"] == "special":
        lines.append("access:\n  departments: [administración]\n")
    lines += ["changes:\n", f"  - date: {c['since']}\n    by: E-001\n"
              "    summary: \"Alta de la ficha de cliente tras el primer contacto\"\n"]
    for when, by, summary in EXTRA_CHANGES.get(c["id"], []):
        lines.append(f"  - date: {when}\n    by: {by}\n    summary: {q(summary)}\n")
    (folder / "client.yaml").write_text("".join(lines), encoding="utf-8")


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


def write_staff(root: Path) -> None:
    lines = ["# yaml-language-server: $schema=templates/schema/staff.schema.json\nstaff:\n"]
    for sid, name, login, dept, role, status, left, ext in STAFF:
        lines.append(f"  - id: {sid}\n    name: {q(name)}\n    login: {login}\n"
                     f"    department: {dept}\n    role: {role}\n    status: {status}\n"
                     f"    email: {login}@{OWNER['domain']}\n"
                     f"    phone: \"+34 961 402 {ext}\"\n")
        if left:
            lines.append(f"    left_on: {left}\n")
    (root / "staff.yaml").write_text("".join(lines), encoding="utf-8")


def write_settings(root: Path) -> None:
    (root / "archive.yaml").write_text(
        "# yaml-language-server: $schema=templates/schema/archive.schema.json\n"
        "name: \"Archivo de clientes de Industrias Turia Hogar (demostración)\"\n"
        "language: es\n"
        "# Demo archive: every login is treated as an information admin.\ndemo: true\n"
        "policy:\n"
        "  information_department: [información]\n"
        "  important_min_contacts: 3\n  vip_min_contacts: 2\n"
        "  contact_report_every_days: 90\n  max_days_without_contact: 365\n"
        "  handover_contact_days: 14\n  reports_due: \"07-31\"\n"
        "  checkout_max_days: 14\n  notice_draft_max_days: 7\n"
        "ignore: []\n", encoding="utf-8")


NOTICE_TEMPLATE = """\
Paterna, {date}

{client_name}
A la atención de {representative}
{street}
{postal_code} {city}

Asunto: cambio de su persona de contacto

Estimados señores:

Les comunicamos que, a partir de hoy, su persona de contacto en Industrias Turia
Hogar, S.A. pasa a ser {new_contact}, en sustitución de {old_contact}.

Pueden dirigirse a {new_contact} en el teléfono {new_phone} o en la dirección
de correo {new_email} para cualquier asunto.

Agradecemos su confianza y quedamos a su disposición.

Atentamente,

Departamento de Información
Industrias Turia Hogar, S.A.
"""


def write_templates(root: Path) -> None:
    """The notice letter the hand-over commands fill in, and the schemas the records'
    yaml-language-server lines point to (the same as schema/)."""
    folder = root / "templates"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "schema").mkdir(parents=True)
    (folder / "aviso-cambio-contacto.txt").write_text(NOTICE_TEMPLATE, encoding="utf-8")
    for source in sorted((REPO / "schema").glob("*.schema.json")):
        shutil.copyfile(source, folder / "schema" / source.name)


# --- documents -----------------------------------------------------------------------

STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontName="Helvetica", fontSize=10,
                      leading=13.5, spaceAfter=6)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, textColor=colors.grey)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontName="Helvetica-Bold", fontSize=16,
                    spaceAfter=10)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontName="Helvetica-Bold", fontSize=12,
                    spaceBefore=10, spaceAfter=6)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5, spaceAfter=0)


def _build(path: Path, title: str, author: str, story: list, footer: str) -> None:
    def page(canv, doc) -> None:
        canv.saveState()
        canv.setFont("Helvetica", 7.5)
        canv.setFillColor(colors.grey)
        canv.drawString(2 * cm, 1.2 * cm, footer)
        canv.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Página {doc.page}")
        canv.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, author=author, invariant=1,
                            leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm)
    doc.build(story, onFirstPage=page, onLaterPages=page)
    path.write_bytes(buf.getvalue())


def table(rows: list[list[str]], widths: list[float], total_rows: tuple[int, ...] = (),
          numeric_from: int = 1, text_columns: tuple[int, ...] = ()) -> Table:
    """Labels (the first columns) wrap; figures are right-aligned."""
    data = [[Paragraph(str(v), CELL) if j < numeric_from else str(v)
             for j, v in enumerate(row)] for row in rows]
    t = Table(data, colWidths=[w * cm for w in widths], repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
             ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe6ee")),
             ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#4a5d73")),
             ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.HexColor("#4a5d73")),
             ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    style += [("ALIGN", (j, 0), (j, -1), "LEFT") for j in text_columns]
    for r in total_rows:
        style += [("FONT", (0, r), (-1, r), "Helvetica-Bold", 8.5),
                  ("LINEABOVE", (0, r), (-1, r), 0.4, colors.grey)]
    t.setStyle(TableStyle(style))
    return t


def letter_pdf(path: Path, sender: dict, recipient: list[str], place_date: str,
               subject: str, paragraphs: list[str], signature: list[str]) -> None:
    """A business letter on the sender's letterhead."""
    story: list = [
        Paragraph(f"<b>{sender['name']}</b>", BODY),
        Paragraph(f"{sender['street']} · {sender['postal_code']} {sender['city']}"
                  f" ({sender['province']}) · CIF {sender['cif']} · Tel. {sender['phone']}",
                  SMALL),
        Spacer(1, 1.2 * cm),
        *[Paragraph(line, BODY) for line in recipient],
        Spacer(1, 0.8 * cm),
        Paragraph(place_date, BODY),
        Spacer(1, 0.4 * cm),
        Paragraph(f"<b>Asunto:</b> {subject}", BODY),
        Spacer(1, 0.3 * cm),
        *[Paragraph(p, BODY) for p in paragraphs],
        Spacer(1, 0.8 * cm),
        *[Paragraph(line, BODY) for line in signature],
    ]
    _build(path, subject, sender["name"], story,
           f"{sender['name']} · Inscrita en el Registro Mercantil de {sender['province']}")


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


def docx(path: Path, title: str, paragraphs: list[str], rows: list[list[str]]) -> None:
    d = Document()
    d.core_properties.created = FIXED.replace(tzinfo=None)
    d.core_properties.modified = FIXED.replace(tzinfo=None)
    d.core_properties.title = title
    d.core_properties.author = "Ana Torres Vidal"
    d.add_heading(title, level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    t = d.add_table(rows=0, cols=len(rows[0]))
    t.style = "Table Grid"
    for row in rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(_fixed_zip_times(buf.getvalue()))


def _fixed_zip_times(data: bytes) -> bytes:
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


def company(c: dict) -> dict:
    return {"name": c["name"], "street": c["street"], "postal_code": c["postal_code"],
            "city": c["city"], "province": c["province"], "cif": c["cif"],
            "phone": c["phone"]}


def to_owner(person: str) -> list[str]:
    return [OWNER["name"], f"A la atención de {person}", OWNER["street"],
            f"{OWNER['postal_code']} {OWNER['city']} ({OWNER['province']})"]


def to_client(c: dict, person: str) -> list[str]:
    return [c["name"], f"A la atención de {person}", c["street"],
            f"{c['postal_code']} {c['city']} ({c['province']})"]


def notice(c: dict, leaver: str, successor: str, sent: str, name: str) -> None:
    """The sent notice of a change of contact (policy §7): the letter and its entry."""
    folder = ROOT / "clients" / f"{c['id']}-{c['slug']}" / "correspondence"
    when = date.fromisoformat(sent)
    member = next(s for s in STAFF if s[0] == successor)
    letter_pdf(folder / f"{name}.pdf", company_owner(), to_client(c, c["rep"][0]),
               f"Paterna, {long_date(when)}", "Cambio de su persona de contacto", [
                   "Estimados señores:",
                   f"Les comunicamos que, a partir de hoy, su persona de contacto en"
                   f" {OWNER['name']} pasa a ser {NAMES[successor]}, en sustitución de"
                   f" {NAMES[leaver]}.",
                   f"Pueden dirigirse a {NAMES[successor]} en el teléfono +34 961 402"
                   f" {member[7]} o en la dirección {member[2]}@{OWNER['domain']} para"
                   " cualquier asunto relacionado con sus pedidos, entregas y facturación.",
                   "Agradecemos su confianza y quedamos a su disposición."],
               ["Atentamente,", "", "Lucía Fernández Ortega",
                "Departamento de Información"])
    entry(folder.parent, f"{name}.yaml", {
        "date": sent, "kind": "letter", "direction": "out", "staff": ["E-001"],
        "counterpart": c["rep"][0], "subject": "Aviso de cambio de persona de contacto",
        "summary": f"{NAMES[successor]} sustituye a {NAMES[leaver]} como persona de contacto.",
        "attachments": [f"{name}.pdf"], "notice": True, "draft": False, "sent": sent})


def company_owner() -> dict:
    return {k: OWNER[k] for k in ("name", "street", "postal_code", "city", "province",
                                  "cif", "phone")}


def correspondence(root: Path) -> None:
    cl = {c["id"]: root / "clients" / f"{c['id']}-{c['slug']}" for c in CLIENTS}
    c = BY_ID["CL-0001"]
    f = cl["CL-0001"] / "correspondence"
    letter_pdf(f / "2026-03-04-revision-precios.pdf", company(c), to_owner("Carlos Ruiz"
               " Beltrán, Departamento Comercial"), "Paterna, 4 de marzo de 2026",
               "Revisión de precios 2026", [
                   "Estimados señores:",
                   "Les comunicamos la revisión de precios de envases y embalajes para el"
                   " ejercicio 2026. Las tarifas de cajas de cartón ondulado aumentan un 3,5 %"
                   " por la subida del papel reciclado, y las de palés retornables se"
                   " mantienen sin cambios.",
                   "Las nuevas condiciones entrarán en vigor el 1 de abril. Los pedidos"
                   " confirmados antes de esa fecha se servirán a los precios actuales."
                   " Quedamos a su disposición para cualquier aclaración sobre la"
                   " información facilitada."],
               ["Atentamente,", "", "Vicente Martínez Llorca", "Administrador único"])
    entry(f.parent, "2026-03-04-revision-precios.yaml", {
        "date": "2026-03-04", "kind": "letter", "direction": "in", "staff": ["E-010"],
        "counterpart": "Vicente Martínez Llorca", "subject": "Revisión de precios 2026",
        "summary": "Subida del 3,5 % en cajas de cartón desde el 1 de abril; palés sin cambios.",
        "attachments": ["2026-03-04-revision-precios.pdf"], "important": True})
    notice(c, "E-014", "E-011", "2026-07-02", "2026-07-02-aviso-cambio-contacto")
    entry(f.parent, "2026-07-06-presentacion-contacto.yaml", {
        "date": "2026-07-06", "kind": "call", "direction": "out", "staff": ["E-011"],
        "counterpart": "Amparo Soler Ribes",
        "subject": "Presentación como nueva persona de contacto",
        "summary": "Ana Torres se presenta; se repasan los pedidos abiertos de julio."})
    (f / "2026-09-18-llamada-plazos.txt").write_text(
        "Nota de llamada - 18/09/2026\n"
        "Llamada de larga distancia con Josep Climent (Suministros Levante), desde Paterna.\n"
        "Confirma plazos de entrega de 10 días para pedidos de más de 20 palés.\n"
        "Pide previsión de consumo del cuarto trimestre antes del 15 de octubre.\n",
        encoding="utf-8")
    entry(f.parent, "2026-09-18-llamada-plazos.yaml", {
        "date": "2026-09-18", "kind": "call", "direction": "in", "staff": ["E-011"],
        "counterpart": "Josep Climent Ferrer", "subject": "Plazos de entrega del cuarto"
        " trimestre", "summary": "Plazos de 10 días; piden previsión de consumo.",
        "attachments": ["2026-09-18-llamada-plazos.txt"]})
    entry(f.parent, "2026-10-30-informe-contacto.yaml", {
        "date": "2026-10-30", "kind": "contact_report", "staff": ["E-010", "E-011", "E-012"],
        "subject": "Informe de contacto trimestral", "summary":
        "Relación estable; precios revisados aceptados; se estudia contrato marco para 2027."})

    c = BY_ID["CL-0002"]
    entry(cl["CL-0002"], "2026-05-20-pedido-material-oficina.yaml", {
        "date": "2026-05-20", "kind": "email", "direction": "out", "staff": ["E-012"],
        "counterpart": "Rubén Gallego Moya",
        "subject": "Pedido de material de oficina del segundo semestre",
        "summary": "Pedido anual de papel, sobres y tóner con entrega escalonada."})

    f = cl["CL-0003"] / "correspondence"
    fax_pdf(f / "2026-02-20-fax-albaran.pdf", [
        "FAX - TRANSPORTES DEL EBRO, S.L.", "Fecha: 20/02/2026", "Asunto: albaran 7781",
        "Adjuntamos albaran firmado de la entrega del 18/02.", "Paginas: 1"])
    entry(f.parent, "2026-02-20-fax-albaran.yaml", {
        "date": "2026-02-20", "kind": "fax", "direction": "in", "staff": ["E-013"],
        "counterpart": "Pilar Lasheras Royo", "subject": "Albarán firmado de la entrega 7781",
        "summary": "Fax escaneado con el albarán firmado.",
        "attachments": ["2026-02-20-fax-albaran.pdf"]})

    c = BY_ID["CL-0004"]
    f = cl["CL-0004"] / "correspondence"
    eml(f / "2026-05-12-pedido-campana.eml",
        "Manuel Ortiz <mortiz@distribucionessur.es>", "Ana Torres <atorres@turiahogar.es>",
        "Pedido para la campaña de verano", date(2026, 5, 12),
        "Hola Ana:\n\nOs confirmamos el pedido para la campaña de verano: 1.200 cajas de la"
        " referencia 4410 (friegasuelos 1,5 l) y 800 de la 4420 (lavavajillas 750 ml), con"
        " entrega en nuestro almacén de Dos Hermanas antes del 15 de junio.\n\nUn saludo,\n"
        "Manuel Ortiz\nJefe de compras\nDistribuciones del Sur, S.A.\n",
        "<html><body><p>Hola Ana:</p><p>Os confirmamos el <b>pedido para la campaña de"
        " verano</b>: 1.200 cajas de la referencia 4410 (friegasuelos 1,5 l) y 800 de la 4420"
        " (lavavajillas 750 ml), con entrega en nuestro almacén de Dos Hermanas antes del 15"
        " de junio.</p><p>Un saludo,<br>Manuel Ortiz<br>Jefe de compras</p></body></html>")
    entry(f.parent, "2026-05-12-pedido-campana.yaml", {
        "date": "2026-05-12", "kind": "email", "direction": "in", "staff": ["E-011"],
        "counterpart": "Manuel Ortiz Cabello", "subject": "Pedido para la campaña de verano",
        "summary": "Pedido de 2.000 cajas con entrega antes del 15 de junio.",
        "attachments": ["2026-05-12-pedido-campana.eml"]})
    notice(c, "E-014", "E-012", "2026-07-02", "2026-07-02-aviso-cambio-contacto")
    docx(f / "2026-07-09-acta-reunion.docx", "Acta de reunión con Distribuciones del Sur", [
        "Fecha: 9 de julio de 2026. Lugar: oficinas de Distribuciones del Sur, Dos Hermanas"
        " (Sevilla).",
        "Asistentes: Manuel Ortiz Cabello (jefe de compras de Distribuciones del Sur), Ana"
        " Torres Vidal y Pablo Moreno Castillo (Industrias Turia Hogar).",
        "Se presenta a Pablo Moreno como nuevo contacto suplente tras la baja de Raúl"
        " Domínguez. Se revisa la previsión de ventas del segundo semestre y la ampliación"
        " de la red de distribución a Huelva y Cádiz."],
        [["Acuerdo", "Responsable", "Plazo"],
         ["Enviar catálogo actualizado", "Ana Torres", "20/07/2026"],
         ["Estudiar descuentos por volumen", "Pablo Moreno", "01/09/2026"],
         ["Propuesta de rutas para Huelva y Cádiz", "Manuel Ortiz", "15/09/2026"]])
    entry(f.parent, "2026-07-09-acta-reunion.yaml", {
        "date": "2026-07-09", "kind": "meeting", "direction": "out",
        "staff": ["E-011", "E-012"], "counterpart": "Manuel Ortiz Cabello",
        "subject": "Reunión de traspaso y previsión de ventas",
        "summary": "Presentación del nuevo contacto suplente y ampliación a Huelva y Cádiz.",
        "attachments": ["2026-07-09-acta-reunion.docx"], "important": True})
    entry(f.parent, "2026-10-15-informe-contacto.yaml", {
        "date": "2026-10-15", "kind": "contact_report", "staff": ["E-011", "E-012", "E-010"],
        "subject": "Informe de contacto del tercer trimestre", "summary":
        "Ventas un 8 % por encima de la previsión; interés en ser distribuidor único en Cádiz."})

    entry(cl["CL-0005"], "2026-09-09-prevision-invierno.yaml", {
        "date": "2026-09-09", "kind": "call", "direction": "in", "staff": ["E-010"],
        "counterpart": "Begoña Gutiérrez Cobo", "subject": "Previsión de pedidos de invierno",
        "summary": "Esperan un 10 % más de volumen en lejías y desengrasantes."})

    f = cl["CL-0006"] / "correspondence"
    letter_pdf(f / "2026-04-22-dictamen-contrato.pdf", company(BY_ID["CL-0006"]),
               to_owner("Javier Núñez Prieto"), "Valencia, 22 de abril de 2026",
               "Dictamen sobre el contrato de distribución (confidencial)", [
                   "Muy señores nuestros:",
                   "Nos solicitan dictamen sobre la cláusula de exclusividad del contrato de"
                   " distribución con Distribuciones del Sur, S.A. para las provincias de"
                   " Sevilla, Huelva y Cádiz.",
                   "Conclusión: la cláusula es válida siempre que su duración no exceda de"
                   " cinco años y que no impida las ventas pasivas a clientes de otros"
                   " territorios, conforme al Reglamento (UE) 2022/720 de acuerdos verticales.",
                   "Recomendamos fijar objetivos mínimos anuales y una causa de resolución"
                   " anticipada si no se alcanzan dos años consecutivos."],
               ["Atentamente,", "", "Álvaro Navarro Peris", "Abogado"])
    entry(f.parent, "2026-04-22-dictamen-contrato.yaml", {
        "date": "2026-04-22", "kind": "letter", "direction": "in", "staff": ["E-002"],
        "counterpart": "Álvaro Navarro Peris", "subject": "Dictamen sobre la exclusividad",
        "summary": "Validez de la cláusula de exclusividad con límite de cinco años.",
        "attachments": ["2026-04-22-dictamen-contrato.pdf"], "confidential": True})

    entry(cl["CL-0007"], "2026-06-17-plan-tesoreria.yaml", {
        "date": "2026-06-17", "kind": "meeting", "direction": "out", "staff": ["E-020"],
        "counterpart": "Raúl Pastor Mira", "subject": "Revisión del plan de tesorería",
        "summary": "Se ajusta el calendario de pagos a proveedores del segundo semestre."})

    entry(cl["CL-0008"], "2026-10-06-propuesta-navidad.yaml", {
        "date": "2026-10-06", "kind": "email", "direction": "in", "staff": ["E-013"],
        "counterpart": "Jordi Vilar Monfort", "subject": "Propuesta creativa para Navidad",
        "summary": "Tres conceptos de anuncio para televisión autonómica y redes sociales."})

    entry(cl["CL-0009"], "2026-09-15-primera-visita.yaml", {
        "date": "2026-09-15", "kind": "visit", "direction": "out", "staff": ["E-010"],
        "counterpart": "Laia Soler Vendrell", "subject": "Primera visita de presentación",
        "summary": "Interés en llevar la comunicación del lanzamiento de la gama ecológica."})

    f = cl["CL-0010"] / "correspondence"
    entry(f.parent, "2026-06-03-visita-oficina.yaml", {
        "date": "2026-06-03", "kind": "visit", "direction": "out", "staff": ["E-001", "E-020"],
        "counterpart": "Fernando Ortega Sanchis", "subject": "Visita a la oficina de empresas",
        "summary": "Renovación de la póliza de crédito y de la línea de confirming."})
    entry(f.parent, "2026-11-02-informe-contacto.yaml", {
        "date": "2026-11-02", "kind": "contact_report", "staff": ["E-001", "E-020", "E-002"],
        "subject": "Informe de contacto: renovación de la póliza de crédito", "summary":
        "Póliza renovada por 500.000 euros; el banco pide las cuentas anuales de 2025."})
    entry(f.parent, "2026-11-10-nota-declaracion.yaml", {
        "date": "2026-11-10", "kind": "note", "staff": ["E-001"],
        "subject": "Declaración de titularidad real", "summary":
        "El banco solicita la declaración de titularidad real actualizada."})

    c = BY_ID["CL-0011"]
    f = cl["CL-0011"] / "correspondence"
    letter_pdf(f / "2026-08-01-renovacion-poliza.pdf", company(c),
               to_owner("Pablo Moreno Castillo"), "A Coruña, 1 de agosto de 2026",
               "Renovación de la póliza de mercancías", [
                   "Estimado mutualista:",
                   "Le comunicamos la renovación de la póliza de seguro de mercancías"
                   " transportadas n.º 15-MT-204871 con efecto 1 de septiembre de 2026 y una"
                   " prima anual de 4.250 euros, sin variación de coberturas ni franquicias.",
                   "Si desea modificar los capitales asegurados, le rogamos nos lo indique"
                   " antes del 25 de agosto."],
               ["Atentamente,", "", "María Castro Varela", "Responsable de grandes cuentas"])
    entry(f.parent, "2026-08-01-renovacion-poliza.yaml", {
        "date": "2026-08-01", "kind": "letter", "direction": "in", "staff": ["E-012"],
        "counterpart": "María Castro Varela", "subject": "Renovación de la póliza de"
        " mercancías", "attachments": ["2026-08-01-renovacion-poliza.pdf"]})
    # Handed to Elena Sanz, who has not called them yet: an honest warning.
    notice(c, "E-012", "E-013", "2026-11-06", "2026-11-06-aviso-cambio-contacto")

    f = cl["CL-0013"] / "correspondence"
    entry(f.parent, "2026-10-20-informe-contacto.yaml", {
        "date": "2026-10-20", "kind": "contact_report", "staff": ["E-013", "E-010", "E-011"],
        "counterpart": "Montserrat Vidal Pons", "subject": "Informe de contacto de octubre",
        "summary": "Primeras compras de prueba satisfactorias; se negocian precios anuales."})


# --- yearly reports and accounts ----------------------------------------------------------

def figures(c: dict, year: int) -> dict:
    """The year's figures of a client, consistent from year to year and within the year."""
    rng = random.Random(f"{c['id']}-{year}")
    growth = random.Random(c["id"]).uniform(0.02, 0.08)
    revenue = c["revenue"] * (1 + growth) ** (year - 2025) * rng.uniform(0.97, 1.03)
    staff = max(3, round(c["staff"] * (1 + growth / 2) ** (year - 2025)))
    margin = {"trade": 0.045, "services": 0.09, "bank": 0.011, "credit": 0.018,
              "insurance": 0.05}[c["family"]] * rng.uniform(0.8, 1.2)
    return {"year": year, "revenue": revenue, "staff": staff, "margin": margin,
            "profit_before_tax": revenue * margin, "rng": rng}


def _rows(items: list[tuple[str, float | None]], year: int) -> list[list[str]]:
    return [["Concepto", f"{year} (euros)"]] + [
        [label, "" if value is None else euros(value)] for label, value in items]


def trade_accounts(c: dict, f: dict) -> tuple[list, list, dict]:
    r, rng = f["revenue"], f["rng"]
    services = c["family"] == "services"
    purchases = r * (0.08 if services else rng.uniform(0.55, 0.68))
    personnel = r * (0.55 if services else rng.uniform(0.12, 0.18))
    ebit_target = f["profit_before_tax"] * 1.08
    amort = r * (0.015 if services else 0.03)
    other = r - purchases - personnel - amort - ebit_target
    ebit = r - purchases - personnel - other - amort
    fin_in, fin_out = r * 0.001, r * 0.009
    before_tax = ebit + fin_in - fin_out
    tax = before_tax * 0.25
    result = before_tax - tax
    pyg = [("1. Importe neto de la cifra de negocios", r), ("4. Aprovisionamientos", -purchases),
           ("6. Gastos de personal", -personnel), ("7. Otros gastos de explotación", -other),
           ("8. Amortización del inmovilizado", -amort),
           ("A.1) Resultado de explotación", ebit), ("13. Ingresos financieros", fin_in),
           ("14. Gastos financieros", -fin_out),
           ("A.2) Resultado financiero", fin_in - fin_out),
           ("A.3) Resultado antes de impuestos", before_tax),
           ("17. Impuesto sobre beneficios", -tax), ("A.5) Resultado del ejercicio", result)]
    capital = c["capital"] or 0
    intangible, material = r * 0.01, r * (0.06 if services else 0.22)
    financial = r * 0.015
    stock = 0 if services else r * rng.uniform(0.06, 0.1)
    debtors = r * rng.uniform(0.15, 0.22)
    long_debt, short_debt, creditors = r * 0.1, r * 0.04, r * (0.04 if services else 0.13)
    reserves = r * rng.uniform(0.18, 0.3)
    cash = capital + reserves + result + long_debt + short_debt + creditors - (
        intangible + material + financial + stock + debtors)
    if cash < r * 0.02:
        reserves += r * 0.02 - cash
        cash = r * 0.02
    fixed = intangible + material + financial
    current = stock + debtors + cash
    equity = capital + reserves + result
    balance = [("A) ACTIVO NO CORRIENTE", fixed), ("I. Inmovilizado intangible", intangible),
               ("II. Inmovilizado material", material),
               ("V. Inversiones financieras a largo plazo", financial),
               ("B) ACTIVO CORRIENTE", current), ("II. Existencias", stock),
               ("III. Deudores comerciales y otras cuentas a cobrar", debtors),
               ("VII. Efectivo y otros activos líquidos equivalentes", cash),
               ("TOTAL ACTIVO (A + B)", fixed + current),
               ("A) PATRIMONIO NETO", equity), ("I. Capital escriturado", capital),
               ("III. Reservas", reserves), ("VII. Resultado del ejercicio", result),
               ("B) PASIVO NO CORRIENTE", long_debt),
               ("II. Deudas a largo plazo con entidades de crédito", long_debt),
               ("C) PASIVO CORRIENTE", short_debt + creditors),
               ("III. Deudas a corto plazo", short_debt),
               ("V. Acreedores comerciales y otras cuentas a pagar", creditors),
               ("TOTAL PATRIMONIO NETO Y PASIVO (A + B + C)",
                equity + long_debt + short_debt + creditors)]
    return pyg, balance, {"result": result, "equity": equity, "fixed": material,
                          "amort": amort, "first": ("Cifra de negocios", r)}


def bank_accounts(c: dict, f: dict) -> tuple[list, list, dict]:
    assets, rng = f["revenue"], f["rng"]  # a bank's size is its balance sheet
    interest_in, interest_out = assets * 0.031, assets * 0.012
    fees_in, fees_out = assets * 0.006, assets * 0.001
    gross = interest_in - interest_out + fees_in - fees_out
    admin = gross * rng.uniform(0.5, 0.58)
    amort = gross * 0.04
    impairment = gross * 0.08
    before_tax = gross - admin - amort - impairment
    tax = before_tax * 0.3
    result = before_tax - tax
    funding = "Depósitos de la clientela" if c["family"] == "bank" else \
        "Deudas con entidades de crédito"
    pyg = [("Ingresos por intereses", interest_in), ("Gastos por intereses", -interest_out),
           ("A) MARGEN DE INTERESES", interest_in - interest_out),
           ("Ingresos por comisiones", fees_in), ("Gastos por comisiones", -fees_out),
           ("B) MARGEN BRUTO", gross), ("Gastos de administración", -admin),
           ("Amortización", -amort), ("Deterioro de activos financieros", -impairment),
           ("C) RESULTADO ANTES DE IMPUESTOS", before_tax),
           ("Gastos por impuesto sobre beneficios", -tax),
           ("D) RESULTADO DEL EJERCICIO", result)]
    capital = c["capital"]
    reserves = assets * 0.055
    equity = capital + reserves + result
    loans, securities, tangible = assets * 0.72, assets * 0.16, assets * 0.012
    cash = assets - loans - securities - tangible - assets * 0.02
    deposits = assets * 0.81
    banks = assets - equity - deposits - assets * 0.03
    balance = [("Efectivo, saldos en bancos centrales y otros depósitos a la vista", cash),
               ("Activos financieros a coste amortizado: préstamos y anticipos", loans),
               ("Activos financieros a coste amortizado: valores representativos de deuda",
                securities),
               ("Activos tangibles", tangible), ("Otros activos", assets * 0.02),
               ("TOTAL ACTIVO", assets), (funding, deposits),
               ("Depósitos y financiación de otras entidades", banks),
               ("Provisiones y otros pasivos", assets * 0.03), ("Capital", capital),
               ("Reservas", reserves), ("Resultado del ejercicio", result),
               ("TOTAL PASIVO Y PATRIMONIO NETO", assets)]
    return pyg, balance, {"result": result, "equity": equity, "fixed": tangible,
                          "amort": amort, "first": ("Margen bruto", gross)}


def insurance_accounts(c: dict, f: dict) -> tuple[list, list, dict]:
    premiums, rng = f["revenue"], f["rng"]
    claims = premiums * rng.uniform(0.6, 0.66)
    expenses = premiums * 0.24
    income = premiums * 0.035
    technical = premiums + income - claims - expenses - premiums * 0.01
    financial = premiums * 0.004
    before_tax = technical + financial
    tax = before_tax * 0.25
    result = before_tax - tax
    pyg = [("I.1. Primas imputadas al ejercicio, netas de reaseguro", premiums),
           ("I.3. Ingresos del inmovilizado material y de las inversiones", income),
           ("I.5. Siniestralidad del ejercicio, neta de reaseguro", -claims),
           ("I.7. Gastos de explotación netos", -expenses),
           ("I.8. Otros gastos técnicos", -premiums * 0.01),
           ("I.10. Resultado de la cuenta técnica", technical),
           ("III.1. Ingresos financieros de la cuenta no técnica", financial),
           ("III.5. Resultado antes de impuestos", before_tax),
           ("III.6. Impuesto sobre beneficios", -tax),
           ("III.9. Resultado del ejercicio", result)]
    fund = premiums * 0.09  # a mutual insurer has a fondo mutual, not share capital
    reserves = premiums * 0.31
    equity = fund + reserves + result
    provisions = premiums * 1.05
    debts = premiums * 0.12
    total = equity + provisions + debts
    investments, realty, receivables = total * 0.68, total * 0.09, total * 0.11
    cash = total - investments - realty - receivables
    balance = [("A-1) Efectivo y otros activos líquidos equivalentes", cash),
               ("A-5) Inversiones financieras", investments),
               ("A-7) Inversiones inmobiliarias", realty),
               ("A-9) Créditos por operaciones de seguro directo", receivables),
               ("TOTAL ACTIVO", total), ("A-5) Provisiones técnicas", provisions),
               ("A-3) Deudas", debts), ("B-1) Fondo mutual", fund), ("B-3) Reservas", reserves),
               ("B-7) Resultado del ejercicio", result),
               ("TOTAL PATRIMONIO NETO Y PASIVO", total)]
    return pyg, balance, {"result": result, "equity": equity, "fixed": realty,
                          "amort": premiums * 0.004, "first": ("Primas imputadas", premiums)}


def accounts(c: dict, year: int) -> tuple[list, list, dict]:
    f = figures(c, year)
    family = c["family"]
    if family in ("bank", "credit"):
        return bank_accounts(c, f)
    if family == "insurance":
        return insurance_accounts(c, f)
    return trade_accounts(c, f)


def _bold_rows(items: list[tuple[str, float | None]]) -> tuple[int, ...]:
    return tuple(i + 1 for i, (label, _) in enumerate(items)
                 if label[:2] in ("A)", "B)", "C)", "D)", "A.") or label.isupper()
                 or label.startswith(("TOTAL", "I.10", "III.9")))


def accounts_pdf(path: Path, c: dict, year: int) -> None:
    pyg, balance, k = accounts(c, year)
    f = figures(c, year)
    formulated = date(year + 1, 3, 27 + (len(c["id"]) + year) % 3)
    filed = date(year + 1, 7, 10 + int(c["id"][3:]) % 15)
    audited = c["family"] in ("bank", "credit", "insurance") or f["revenue"] > 5_700_000
    story: list = [
        Paragraph(c["name"], H1),
        Paragraph(f"Cuentas anuales del ejercicio {year}", H2),
        Paragraph(f"CIF {c['cif']} · Domicilio social: {c['street']}, {c['postal_code']}"
                  f" {c['city']} ({c['province']})", SMALL),
        Paragraph(f"Cifras en euros. Ejercicio cerrado el 31 de diciembre de {year}.", SMALL),
        Spacer(1, 0.4 * cm),
        Paragraph("1. Balance de situación", H2),
        table(_rows(balance, year), [12, 4], _bold_rows(balance)),
        PageBreak(),
        Paragraph("2. Cuenta de pérdidas y ganancias", H2),
        table(_rows(pyg, year), [12, 4], _bold_rows(pyg)),
        Spacer(1, 0.3 * cm),
        Paragraph("3. Memoria", H2),
        Paragraph(f"<b>3.1 Actividad de la empresa.</b> {c['name']} tiene como objeto social"
                  f" {c['scope'][0].lower() + c['scope'][1:]}. Su domicilio está en"
                  f" {c['city']} ({c['province']}).", BODY),
        Paragraph("<b>3.2 Bases de presentación.</b> Las cuentas anuales se han formulado a"
                  " partir de los registros contables de la sociedad, conforme a"
                  f" {FRAMEWORK[c['family']]}, y muestran la imagen fiel del patrimonio, de la"
                  " situación financiera y de los resultados del ejercicio.", BODY),
    ]
    result = k["result"]
    legal = max(0.0, min(result * 0.1, (c["capital"] or 0) * 0.2))
    dividend = result * 0.3 if c["family"] != "insurance" else 0.0
    story += [
        Paragraph("<b>3.3 Aplicación del resultado.</b> El órgano de administración propone"
                  " la siguiente aplicación del resultado del ejercicio:", BODY),
        table([["Base de reparto", "Euros"], ["Pérdidas y ganancias", euros(result)],
               ["Aplicación", ""], ["A reserva legal", euros(legal)],
               ["A reservas voluntarias", euros(result - legal - dividend)],
               ["A dividendos", euros(dividend)], ["Total aplicado", euros(result)]],
              [12, 4], (6,)),
        Spacer(1, 0.3 * cm),
        Paragraph("<b>3.4 Inmovilizado.</b> Movimientos del ejercicio del inmovilizado"
                  " material (o, en su caso, de los activos tangibles):", BODY),
        table([["Concepto", "Euros"], ["Saldo inicial", euros(k["fixed"] * 0.96)],
               ["Entradas", euros(k["fixed"] * 0.04 + k["amort"])],
               ["Dotación a la amortización", euros(-k["amort"])],
               ["Saldo final", euros(k["fixed"])]], [12, 4], (4,)),
        Spacer(1, 0.3 * cm),
    ]
    n = f["staff"]
    split = [max(1, round(n * s)) for s in (0.06, 0.14, 0.22)]
    split.append(max(0, n - sum(split)))
    rows = [["Categoría", "Hombres", "Mujeres", "Total"]]
    for label, total in zip(("Dirección", "Administración", "Comercial",
                             "Técnicos y producción"), split, strict=True):
        women = round(total * (0.45 if label != "Técnicos y producción" else 0.3))
        rows.append([label, str(total - women), str(women), str(total)])
    rows.append(["Total", "", "", str(n)])
    story += [KeepTogether([
                  Paragraph("<b>3.5 Plantilla media.</b> Número medio de personas empleadas"
                            " en el ejercicio, por categorías:", BODY),
                  table(rows, [8, 2.5, 2.5, 3], (len(rows) - 1,))]),
              Spacer(1, 0.3 * cm),
              Paragraph("<b>3.6 Hechos posteriores al cierre.</b> No se han producido hechos"
                        " posteriores que afecten de forma significativa a estas cuentas.",
                        BODY),
              Paragraph("<b>3.7 Auditoría.</b> " + (
                  f"Las cuentas anuales del ejercicio {year} han sido auditadas; la opinión"
                  " de los auditores es favorable, sin salvedades." if audited else
                  "La sociedad no está obligada a someter sus cuentas a auditoría."), BODY),
              Spacer(1, 0.5 * cm),
              Paragraph(f"Formuladas por el órgano de administración en {c['city']}, el"
                        f" {long_date(formulated)}. Depositadas en el Registro Mercantil de"
                        f" {c['province']} el {long_date(filed)}.", SMALL),
              Spacer(1, 0.6 * cm),
              Paragraph(f"{c['rep'][0]}<br/>{c['rep'][1]}", BODY)]
    _build(path, f"Cuentas anuales {year} - {c['name']}", c["name"], story,
           f"{c['name']} · Cuentas anuales {year}")


FRAMEWORK = {
    "trade": "el Plan General de Contabilidad y las normas que lo desarrollan",
    "services": "el Plan General de Contabilidad de Pequeñas y Medianas Empresas",
    "bank": "la Circular 4/2017 del Banco de España y sus modificaciones",
    "credit": "la Circular 4/2019 del Banco de España para establecimientos financieros"
              " de crédito",
    "insurance": "el Plan de Contabilidad de las Entidades Aseguradoras y Reaseguradoras",
}
OUTLOOK = {
    "trade": ["La demanda se mantuvo firme en el canal de droguería y en las grandes"
              " superficies, con una ligera recuperación de los márgenes en el segundo"
              " semestre.",
              "El coste de las materias primas y del transporte se moderó respecto del"
              " ejercicio anterior, lo que permitió mantener las tarifas a los clientes"
              " principales."],
    "services": ["La cartera de clientes creció por recomendación, con más encargos"
                 " recurrentes y menos proyectos puntuales.",
                 "La plantilla se reforzó con perfiles especializados y se renovaron las"
                 " herramientas de trabajo en la nube."],
    "bank": ["El margen de intereses siguió beneficiándose de los tipos de interés, aunque"
             " con una tendencia a la baja en el último trimestre.",
             "La morosidad se mantuvo por debajo de la media del sector y la ratio de"
             " solvencia superó con holgura los requisitos regulatorios."],
    "credit": ["La financiación de circulante a pymes creció en número de operaciones, con"
               " importes medios más bajos y plazos más cortos.",
               "El coste de la financiación mayorista se estabilizó en la segunda mitad del"
               " año."],
    "insurance": ["Las primas crecieron en los ramos de responsabilidad civil y de"
                  " transporte, y la siniestralidad se mantuvo en línea con lo previsto.",
                  "La mutua reforzó su fondo mutual y su margen de solvencia con los"
                  " resultados del ejercicio."],
}
LINES = {
    "trade": ("Gran distribución", "Droguerías y perfumerías", "Hostelería y colectividades",
              "Exportación"),
    "services": ("Empresas industriales", "Comercio y distribución", "Administraciones"
                 " públicas", "Otros clientes"),
    "bank": ("Préstamos a empresas", "Préstamos hipotecarios", "Confirming y factoring",
             "Avales y garantías"),
    "credit": ("Factoring", "Confirming", "Préstamos de circulante", "Otras operaciones"),
    "insurance": ("Responsabilidad civil", "Transporte de mercancías", "Daños materiales",
                  "Otros ramos"),
}
INVESTMENTS = ("Maquinaria e instalaciones", "Equipos informáticos y programas",
               "Vehículos", "Mejoras en las instalaciones")
NOTES = ("—", "—", "—", "Revisión de tarifa", "—", "Entrega parcial", "—", "Cierre por"
         " vacaciones (15 días)", "—", "—", "Pedido extraordinario", "—")


def annual_report_pdf(path: Path, c: dict, year: int) -> None:
    """The yearly performance report (informe anual de gestión) of one client."""
    this, last = figures(c, year), figures(c, year - 1)
    _, _, k = accounts(c, year)
    _, _, k0 = accounts(c, year - 1)
    first_label, first = k["first"]
    first0 = k0["first"][1]

    def change(a: float, b: float) -> str:
        return percent(a / b - 1) if b else "—"

    rows = [["Magnitud", str(year - 1), str(year), "Variación"],
            [first_label, euros(first0), euros(first), change(first, first0)],
            ["Resultado del ejercicio", euros(k0["result"]), euros(k["result"]),
             change(k["result"], k0["result"])],
            ["Patrimonio neto", euros(k0["equity"]), euros(k["equity"]),
             change(k["equity"], k0["equity"])],
            ["Plantilla media (personas)", str(last["staff"]), str(this["staff"]),
             change(this["staff"], last["staff"])]]
    rng = random.Random(f"{c['id']}-{year}-quarters")
    weights = [rng.uniform(0.22, 0.28) for _ in range(4)]
    total = sum(weights)
    quarters = [["Trimestre", f"{first_label} (euros)", "Peso en el año"]]
    for i, w in enumerate(weights):
        quarters.append([f"{i + 1}.º trimestre", euros(first * w / total), percent(w / total)])
    quarters.append(["Total", euros(first), "100,0 %"])
    trade = c["family"] in ("trade", "services")
    base = {"trade": first * 0.012, "services": first * 0.004, "bank": first * 0.004,
            "credit": first * 0.01, "insurance": 4250.0}[c["family"]] / 12
    months = [["Mes", "Operaciones", "Importe (euros)", "Observaciones"]]
    volume = 0.0
    for i, name in enumerate(MONTHS):
        amount = base * rng.uniform(0.7, 1.3) * (0.5 if i == 7 else 1)
        volume += amount
        months.append([name.capitalize(), str(rng.randint(3, 14) if i != 7 else 2),
                       euros(amount), NOTES[i] if trade else "—"])
    months.append(["Total", "", euros(volume), ""])
    outlook = OUTLOOK[c["family"]]
    shares = [rng.uniform(0.5, 1.5) for _ in LINES[c["family"]]]
    markets = [["Línea de negocio", str(year - 1), str(year)]]
    before = [s * rng.uniform(0.9, 1.1) for s in shares]
    for name, now, then in zip(LINES[c["family"]], shares, before, strict=True):
        markets.append([name, percent(then / sum(before)), percent(now / sum(shares))])
    markets.append(["Total", "100,0 %", "100,0 %"])
    spend = [k["fixed"] * rng.uniform(0.005, 0.02) for _ in INVESTMENTS]
    invested = sum(spend)
    investments = [["Partida", "Importe (euros)"]] + [
        [name, euros(amount)] for name, amount in zip(INVESTMENTS, spend, strict=True)]
    investments.append(["Total", euros(invested)])
    relation = (f"Con {OWNER['name']} el volumen de operaciones del ejercicio fue de"
                f" {euros(volume)} euros, repartido a lo largo del año como muestra la tabla;"
                " la relación se valora como satisfactoria por ambas partes.")
    story: list = [
        Paragraph(c["name"], H1),
        Paragraph(f"Informe anual {year}", H2),
        Paragraph(f"Informe de gestión y de actividad del ejercicio {year}", BODY),
        Paragraph(f"CIF {c['cif']} · {c['street']}, {c['postal_code']} {c['city']}"
                  f" ({c['province']}) · www.{c['domain']}", SMALL),
        Spacer(1, 0.4 * cm),
        Paragraph("1. Carta de la administración", H2),
        Paragraph(f"El ejercicio {year} ha sido para {c['name']} un año de consolidación."
                  f" {outlook[0]}", BODY),
        Paragraph(f"{outlook[1]} Agradecemos a nuestros clientes, proveedores y a todo el"
                  " equipo humano su compromiso durante el año.", BODY),
        Paragraph(f"{c['rep'][0]}, {c['rep'][1].lower()}", BODY),
        Paragraph("2. Principales magnitudes", H2),
        table(rows, [7, 3.2, 3.2, 2.6]),
        Spacer(1, 0.3 * cm),
        Paragraph("3. Evolución de la actividad por trimestres", H2),
        Paragraph(f"La actividad de {c['scope'][0].lower() + c['scope'][1:]} se distribuyó"
                  " a lo largo del año con la estacionalidad habitual del sector.", BODY),
        table(quarters, [5, 6, 5], (5,)),
        PageBreak(),
        Paragraph(f"4. Relación comercial con {OWNER['name']}", H2),
        Paragraph(relation, BODY),
        table(months, [3.5, 3, 4, 5.5], (13,), text_columns=(3,)),
        Spacer(1, 0.3 * cm),
        Paragraph("5. Mercados y líneas de negocio", H2),
        Paragraph("Peso de cada línea de negocio en la actividad del ejercicio:", BODY),
        table(markets, [10, 3, 3], (len(markets) - 1,)),
        Paragraph("6. Inversiones del ejercicio", H2),
        Paragraph(f"Las inversiones del ejercicio sumaron {euros(invested)} euros, financiadas"
                  " con recursos propios:", BODY),
        table(investments, [10, 6], (len(investments) - 1,)),
        Paragraph("7. Personas", H2),
        Paragraph(f"La plantilla media fue de {this['staff']} personas. Se impartieron"
                  f" {euros(this['staff'] * 14)} horas de formación en seguridad, calidad y"
                  " herramientas digitales, y se mantuvo el plan de igualdad vigente.", BODY),
        Paragraph("8. Medio ambiente y calidad", H2),
        Paragraph("La sociedad mantiene sus certificaciones de gestión de la calidad y"
                  " ambiental, y ha reducido el consumo de energía por unidad de actividad"
                  " respecto del año anterior.", BODY),
        Paragraph("9. Riesgos e incertidumbres", H2),
        Paragraph("Los principales riesgos son la evolución de la demanda, la concentración"
                  " de clientes, los tipos de interés y el coste de la energía; la sociedad"
                  " los revisa trimestralmente.", BODY),
        Paragraph(f"10. Perspectivas para {year + 1}", H2),
        Paragraph(f"Para {year + 1} se prevé un crecimiento moderado de la actividad y la"
                  " continuidad de las inversiones previstas, sin cambios significativos en"
                  " la estructura financiera.", BODY),
    ]
    _build(path, f"Informe anual {year} - {c['name']}", c["name"], story,
           f"{c['name']} · Informe anual {year}")


def reports(root: Path) -> None:
    for c in CLIENTS:
        if not c["years"]:
            continue
        first, last = c["years"]
        for year in range(first, last + 1):
            folder = root / "clients" / f"{c['id']}-{c['slug']}" / "reports" / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            annual_report_pdf(folder / f"informe-anual-{year}.pdf", c, year)
            accounts_pdf(folder / f"cuentas-anuales-{year}.pdf", c, year)


def main() -> None:
    clients = ROOT / "clients"
    shutil.rmtree(clients, ignore_errors=True)
    for c in CLIENTS:
        folder = clients / f"{c['id']}-{c['slug']}"
        (folder / "correspondence").mkdir(parents=True)
        (folder / "reports").mkdir()
        write_client(folder, c)
    correspondence(ROOT)
    reports(ROOT)
    write_settings(ROOT)
    write_staff(ROOT)
    write_templates(ROOT)


if __name__ == "__main__":
    main()
