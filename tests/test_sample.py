"""sample_archive/ is valid, complete, looks like a real Spanish company's client files,
and its documents are real."""

import re
import shlex
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, archive

from archive_tool.checking import validate
from archive_tool.records import read_yaml
from archive_tool.spain import (
    has_share_capital,
    phone_ok,
    province_code,
    province_of_postal_code,
    tax_id_kind,
)

KIND_OF = {"client.yaml": "client", "staff.yaml": "staff", "archive.yaml": "archive"}
YAML_FILES = sorted(p for p in SAMPLE.rglob("*.yaml") if ".archive" not in p.parts)
# Titles the Registro Mercantil knows for who represents a company.
TITLES = ("administrador único", "administradora única", "administrador solidario",
          "administradora solidaria", "consejero delegado", "consejera delegada",
          "apoderado", "apoderada", "presidente del consejo de administración")
# The province's digits in a CIF: the old code, or one of the newer series.
CIF_PREFIX = {"46": ("46", "96", "97", "98"), "03": ("03", "53", "54"),
              "08": ("08", *map(str, range(58, 69))), "28": ("28", *map(str, range(78, 89)))}
# Prefixes of Spanish fixed lines by province (the national numbering plan).
PHONE_PREFIX = {"46": ("96",), "28": ("91",), "50": ("976",), "41": ("95",),
                "39": ("942",), "03": ("96",), "12": ("964",), "08": ("93",),
                "15": ("981",), "43": ("977",), "30": ("968",)}


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(SAMPLE)))
def test_every_sample_yaml_file_is_valid(path):
    kind = KIND_OF.get(path.name, "entry")
    loaded, problems = read_yaml(path, kind, str(path))
    assert loaded is not None and problems == []


def test_sample_validates_without_errors():
    found = validate(archive(SAMPLE))
    assert [p for p in found if p.is_error] == []


def test_sample_has_a_few_honest_warnings():
    """What the compliance review has to show: accounts that never came, a prospect's
    file still incomplete, a successor who has not called, a client nobody calls."""
    found = validate(archive(SAMPLE))
    assert sorted({(p.path.split("/")[1], p.rule) for p in found}) == [
        ("CL-0003-transportes-ebro", "reports-missing"),
        ("CL-0009-plural-comunicacion", "record-incomplete"),
        ("CL-0011-atlantico-mutua", "successor-no-contact"),
        ("CL-0012-credito-pyme", "no-recent-contact"),
    ]


def test_sample_covers_the_policy():
    a = archive(SAMPLE)
    clients = a.all_clients
    assert len(clients) >= 12
    data = [c.data for c in clients]
    assert {"supplier", "distributor", "special"} <= {d["category"] for d in data}
    assert {"lawyer", "financial_consultant", "advertising", "public_relations", "bank",
            "insurance", "financial_assistance"} <= {d.get("special_type") for d in data}
    assert sum(d["tier"] == "vip" for d in data) >= 3
    assert sum(d["important"] is True for d in data) >= 2
    admins = [m for m in a.roster.members.values() if m.is_info_admin]
    assert len(admins) >= 2 and {m.department for m in admins} == {"información"}
    departed = [m for m in a.roster.members.values() if m.status == "departed"]
    assert departed and not any(str(c.get("staff")) == departed[0].id
                                for d in data for c in d["contacts"])
    kinds = {e.kind for c in clients for e in c.entries}
    assert {"letter", "fax", "call", "email", "meeting", "visit", "contact_report",
            "note"} <= kinds
    suffixes = {Path(n).suffix for c in clients for e in c.entries for n in e.attachments}
    assert {".pdf", ".eml", ".txt", ".docx"} <= suffixes
    with_reports = [c for c in clients if {2023, 2024, 2025} <= set(c.reports(
        a.settings.policy))]
    assert len(with_reports) >= 3


def test_sample_companies_look_real():
    clients = archive(SAMPLE).all_clients
    provinces, domains = set(), set()
    for c in clients:
        d = c.data
        assert tax_id_kind(d["tax_id"]) == "CIF", c.id
        address = d["address"]
        code = province_of_postal_code(address["postal_code"])
        assert code == province_code(address["province"]), c.id
        assert d["tax_id"][1:3] in CIF_PREFIX.get(code, (code,)), c.id
        provinces.add(code)
        assert "Calle Mayor" not in address["street"]
        for number in (d["phone"], d.get("fax"), *(p["phone"] for p in d["client_contacts"])):
            if number:
                assert phone_ok(number), (c.id, number)
                digits = number.replace("+34", "").replace(" ", "")
                assert len(digits) == 9
        assert d["phone"].replace("+34 ", "").startswith(PHONE_PREFIX[code]), c.id
        domain = d["email"].split("@")[1]
        assert d["website"] == f"www.{domain}"
        letters = iter(re.sub(r"[^a-z]", "", _plain(d["name"]).split(",")[0]))
        assert all(ch in letters for ch in domain.removesuffix(".es")), (c.id, domain)
        domains.add(domain)
        rep = d["legal_representative"]
        assert rep["position"].lower() in TITLES, (c.id, rep)
        assert all(p["name"] != rep["name"] for p in d["client_contacts"]), c.id
        assert all(p["email"].endswith("@" + domain) for p in d["client_contacts"])
        if has_share_capital(d["tax_id"]) and d["status"] != "prospect":
            assert d["registered_capital"]["amount"] > 0, c.id
        else:
            assert "registered_capital" not in d, c.id  # a mutual insurer has none
    assert len(provinces) >= 8 and len(domains) == len(clients)


def _plain(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def test_sample_names_files_in_spanish_and_hands_over_with_a_letter():
    names = [p.name for p in SAMPLE.rglob("*") if p.is_file() and ".archive" not in p.parts]
    assert not [n for n in names if "annual-report" in n or "financial-statements" in n]
    assert sum(n.startswith("informe-anual-") for n in names) >= 20
    assert sum(n.startswith("cuentas-anuales-") for n in names) >= 20
    staff = (SAMPLE / "staff.yaml").read_text()
    assert "department: information" not in staff and "department: comercial" in staff
    notices = [e for c in archive(SAMPLE).all_clients for e in c.entries
               if e.data.get("notice") is True]
    assert len(notices) >= 2
    for e in notices:
        assert e.data["draft"] is False and e.data["sent"] and e.attachments
        assert (e.path.parent / e.attachments[0]).stat().st_size > 1000


def test_sample_schemas_for_editors_are_the_schemas():
    for source in (REPO / "schema").glob("*.schema.json"):
        assert (SAMPLE / "templates/schema" / source.name).read_text() == source.read_text()
    for path in YAML_FILES:
        first = path.read_text().splitlines()[0]
        target = first.split("$schema=")[1]
        assert (path.parent / target).is_file(), path


def test_sample_documents_are_real():
    import docx
    import pypdfium2

    texts, pages = {}, {}
    for p in sorted(SAMPLE.rglob("*.pdf")):
        doc = pypdfium2.PdfDocument(p)
        texts[p.name] = "".join(page.get_textpage().get_text_range() for page in doc)
        pages[p.name] = len(doc)
        doc.close()
    assert "Revisión de precios" in texts["2026-03-04-revision-precios.pdf"]
    assert texts["2026-02-20-fax-albaran.pdf"].strip() == ""  # the fax is only an image
    assert "Informe anual 2025" in texts["informe-anual-2025.pdf"]
    assert "Principales magnitudes" in texts["informe-anual-2025.pdf"]
    accounts = texts["cuentas-anuales-2025.pdf"]
    assert "Balance de situación" in accounts and "Resultado del ejercicio" in accounts
    assert min(n for name, n in pages.items() if name.startswith(("informe-anual",
                                                                  "cuentas-anuales"))) >= 3
    minutes = next(SAMPLE.rglob("*.docx"))
    assert "Acuerdo" in docx.Document(minutes).tables[0].cell(0, 0).text
    mail = message_from_bytes(next(SAMPLE.rglob("*.eml")).read_bytes(), policy=policy.default)
    assert mail["Subject"] == "Pedido para la campaña de verano"


def test_readme_first_command_runs_on_a_copy_of_the_sample(sample):
    readme = (REPO / "README.md").read_text()
    first = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    steps = [s.strip() for s in first.replace("\\\n", " ").split("&&")]
    tool_steps = [s for s in steps if s.startswith("archive-tool")]
    assert tool_steps, first
    for step in tool_steps:
        args = [str(sample) if a == "sample_archive" else a for a in shlex.split(step)[1:]]
        proc = subprocess.run([sys.executable, "-m", "archive_tool", *args],
                              capture_output=True, text=True, check=False, timeout=300)
        assert proc.returncode == 0, (step, proc.stderr)
