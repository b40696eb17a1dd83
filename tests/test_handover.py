"""Hand-overs, intake of a leaver's files and the compliance review, end to end on a
copy of the sample archive."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TODAY, Run, archive, write

from archive_tool import compliance, handover
from archive_tool.archive import Archive
from archive_tool.checking import validate
from archive_tool.errors import AccessDenied
from archive_tool.finding import search

CL4 = "clients/CL-0004-distribuciones-sur"


def errors(a) -> list:
    return [p for p in validate(a) if p.is_error]


def new_problems(sample: Path) -> list:
    """Problems beyond the sample's own honest warnings."""
    return [p for p in validate(archive(sample)) if p.is_error or p.rule not in HONEST]


HONEST = {"reports-missing", "record-incomplete", "successor-no-contact", "no-recent-contact"}


def demo_off(sample: Path, me: str = "lfernandez") -> None:
    """Make the sample a real archive where the caller is one of its staff."""
    text = (sample / "archive.yaml").read_text().replace("demo: true", "demo: false")
    (sample / "archive.yaml").write_text(text)


def test_transfer_reassigns_keeps_comments_and_drafts_notices(sample):
    record = sample / CL4 / "client.yaml"
    record.write_text(record.read_text().replace(
        "\ncontacts:\n", "\n# Contactos revisados en julio\ncontacts:\n", 1))
    a = archive(sample)
    p = handover.transfer(a, handover.plan(a, "E-011", "E-013", ["CL-0004"]))
    text = record.read_text()
    assert "# Contactos revisados en julio" in text  # comments kept
    assert "{staff: E-013, role: primary, since: 2026-11-28}" in text
    assert "E-011" not in text.split("changes:")[0]
    assert text.index("contacts:") < text.index("client_contacts:")  # order kept
    assert "Contact hand-over: Ana Torres Vidal (E-011) hands the client to Elena Sanz" in text
    notice = sample / p.handovers[0].notice
    entry = notice.read_text()
    assert "draft: true" in entry and 'direction: "out"' in entry and "notice: true" in entry
    letter = (notice.parent / (notice.stem + ".txt")).read_text()
    assert "Distribuciones del Sur" in letter and "Rocío Jiménez Barrera" in letter
    assert "Elena Sanz Romero" in letter and "esanz@turiahogar.es" in letter
    assert "41703 Dos Hermanas" in letter  # the sample's template puts the address
    assert new_problems(sample) == []


def test_dry_run_changes_nothing(sample):
    before = {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()}
    result = Run(sample)("staff", "transfer", "E-011", "--to", "E-013", "--dry-run")
    assert result.exit_code == 0 and result.stdout.startswith("would hand 5 clients")
    after = {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()
             and ".archive" not in p.parts}
    assert {p: b for p, b in before.items() if ".archive" not in p.parts} == after


def test_depart_ends_access_and_lists_understaffed(sample):
    result = Run(sample)("--json", "staff", "depart", "E-010", "--successor", "E-012")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "E-010" not in (sample / "clients/CL-0013-quimicas-del-mediterraneo/client.yaml"
                           ).read_text().split("changes:")[0]
    staff = (sample / "staff.yaml").read_text()
    block = staff[staff.index("id: E-010"):staff.index("id: E-011")]
    assert "status: departed" in block and "left_on: 2026-11-28" in block
    # CL-0001 and CL-0004 had E-010, E-011 and E-012: now E-011 and E-012, two where
    # important clients need more than two.
    assert data["needs_another_contact"] == ["CL-0001", "CL-0004"]
    demo_off(sample)
    with pytest.raises(AccessDenied):
        archive(sample, login="cruiz").client("CL-0001")
    with pytest.raises(AccessDenied):
        search(archive(sample, login="cruiz"), "precios")
    audit = [r["action"] for r in archive(sample).audit.records()]
    assert audit.count("handover") >= 3 and "staff-depart" in audit


def test_depart_refuses_while_checkouts_are_held(sample, tmp_path):
    from archive_tool import custody
    custody.checkout(archive(sample, login="cruiz"), "CL-0001", ["client.yaml"],
                     tmp_path / "o", True, None, None)
    result = Run(sample)("staff", "depart", "E-010", "--successor", "E-012")
    assert result.exit_code == 5
    assert "still holds 1 check-out:" in result.stderr and "client.yaml" in result.stderr
    forced = Run(sample)("staff", "depart", "E-010", "--successor", "E-012",
                         "--force-return")
    assert forced.exit_code == 0
    assert "closed as not returned" in forced.stdout


def test_understaffed_vip_is_listed(sample):
    a = archive(sample)
    p = handover.transfer(a, handover.plan(a, "E-011", "E-010", ["CL-0001"]))
    assert [h.client_id for h in p.handovers if h.understaffed] == ["CL-0001"]


def test_draft_notice_overdue_then_sent(sample):
    a = archive(sample)
    p = handover.transfer(a, handover.plan(a, "E-011", "E-013", ["CL-0004"]))
    later = archive(sample)
    later.today = TODAY.replace(month=12, day=15)
    rules = [x.rule for x in validate(later)]
    assert "notice-draft" in rules
    name = Path(p.handovers[0].notice).name
    result = Run(sample)("log", "CL-0004", "--kind", "letter", "--direction", "out",
                         "--subject", "Aviso enviado", "--sends", name)
    assert result.exit_code == 0, result.stderr
    again = archive(sample)
    again.today = TODAY.replace(month=12, day=15)
    assert "notice-draft" not in [x.rule for x in validate(again)]
    assert "sent: 2026-11-28" in (sample / p.handovers[0].notice).read_text()


def test_import_files_documents_and_skips_duplicates(sample, tmp_path):
    drop = tmp_path / "carpeta de Ana"
    write(drop / "20260105 Escaneo fax.TXT", "fax escaneado\n")
    write(drop / "sub/2026-02-10_acta reunión (final).txt", "acta\n")
    write(drop / "~$borrador.docx", "temporal de Word\n")
    shutil.copy(sample / "clients/CL-0001-suministros-levante/correspondence/"
                "2026-09-18-llamada-plazos.txt", drop / "copia.txt")
    write(drop / "otra copia.txt", "fax escaneado\n")
    before = {p: p.read_bytes() for p in drop.rglob("*") if p.is_file()}
    dry = Run(sample)("--json", "import", str(drop), "--client", "CL-0001", "--dry-run")
    assert [i["entry"] for i in json.loads(dry.stdout)["items"]] == [None] * 4
    result = Run(sample)("--json", "import", str(drop), "--client", "CL-0001")
    items = json.loads(result.stdout)["items"]
    filed = {i["subject"]: i["date"] for i in items if i["entry"]}
    assert filed == {"Escaneo fax": "2026-01-05", "Acta reunión (final)": "2026-02-10"}
    skipped = sorted(i["source"] for i in items if i["duplicate_of"])
    assert [Path(s).name for s in skipped] == ["copia.txt", "otra copia.txt"]
    assert {p: p.read_bytes() for p in drop.rglob("*") if p.is_file()} == before
    assert new_problems(sample) == []


COMPLIANCE_CASES = [
    ("missing_fields", lambda s: _edit(s, "clients/CL-0002-papeleria-iberica/client.yaml",
                                       "tax_id: A28794204\n", "")),
    ("understaffed", lambda s: _edit(s, "clients/CL-0002-papeleria-iberica/client.yaml",
                                     "tier: standard", "tier: vip")),
    ("contacts_left", lambda s: _edit(s, "clients/CL-0002-papeleria-iberica/client.yaml",
                                      "staff: E-012", "staff: E-014")),
    ("contact_reports", lambda s: shutil.rmtree(
        s / "clients/CL-0013-quimicas-del-mediterraneo/correspondence")),
    ("reports_missing", lambda s: shutil.rmtree(
        s / "clients/CL-0002-papeleria-iberica/reports/2024")),
    ("vip", lambda s: _edit(s, "clients/CL-0002-papeleria-iberica/client.yaml",
                            "important: false", "important: true")),
    ("no_recent_contact", lambda s: shutil.rmtree(
        s / "clients/CL-0005-comercial-cantabrica/correspondence")),
    ("successors", lambda s: _edit(s, "clients/CL-0002-papeleria-iberica/client.yaml",
                                   "role: primary, since: 2023-02-01",
                                   "role: primary, since: 2026-10-01")),
    ("important_matters", lambda s: _edit(
        s, "clients/CL-0007-asesores-mediterraneo/correspondence/2026-06-17-plan-tesoreria.yaml",
        "kind: \"meeting\"", "kind: \"meeting\"\nimportant: true")),
]


def _edit(sample, rel, old, new):
    path = sample / rel
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))


@pytest.mark.parametrize(("key", "breaks"), COMPLIANCE_CASES, ids=[c[0] for c in COMPLIANCE_CASES])
def test_each_compliance_rule(sample, key, breaks):
    later = TODAY.replace(year=2027, month=1, day=10)  # no contact report overdue yet
    clean = compliance.review(Archive(sample, today=later))
    breaks(sample)
    broken = compliance.review(Archive(sample, today=later))
    assert broken["summary"][key] == clean["summary"][key] + 1


def test_compliance_formats(sample):
    run = Run(sample)
    for fmt in ("text", "md", "html", "json"):
        result = run("report", "compliance", "--format", fmt)
        assert result.exit_code == 0
    data = json.loads(run("--json", "report", "compliance").stdout)
    assert data["summary"]["clients"] == 14
    assert data["summary"]["clients_in_order"] == 8  # the honest warnings and two matters
    assert {k: v for k, v in data["summary"].items() if v and k not in (
        "clients", "clients_in_order")} == {
        "missing_fields": 1, "no_recent_contact": 1, "reports_missing": 1,
        "important_matters": 2, "successors": 1}
    assert {c["id"] for c in data["clients"]} >= {"CL-0001", "CL-0014"}
    confidential = {c["id"]: c["confidential_entries"] for c in data["clients"]}
    assert confidential["CL-0006"] == 1


def test_csv_register_opens_in_spreadsheets(sample):
    out = Run(sample)("client", "list", "--format", "csv", "--bom").stdout_bytes
    assert out.startswith("\ufeffid,name,".encode())
    assert b"\r\n" in out and b"2026-10-30" in out


def _chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_html_report_in_headless_chromium(sample, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    _edit(sample, "clients/CL-0002-papeleria-iberica/client.yaml", "tier: standard",
          "tier: vip")
    page = tmp_path / "informe.html"
    page.write_text(Run(sample)("report", "compliance", "--format", "html").stdout)
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<td class="n" id="sum-clients">14</td>' in dom.stdout
    assert '<td class="n" id="sum-understaffed">1</td>' in dom.stdout
    assert '<section id="CL-0002" class="issues">' in dom.stdout




def test_a_notice_template_with_an_unknown_placeholder_is_one_clear_error(sample):
    (sample / "templates/aviso-cambio-contacto.txt").write_text("Hola {nombre}\n")
    before = (sample / CL4 / "client.yaml").read_text()
    result = Run(sample)("staff", "transfer", "E-011", "--to", "E-013", "--client", "CL-0004")
    assert result.exit_code == 2
    assert (sample / CL4 / "client.yaml").read_text() == before  # nothing half done
    assert result.stderr.splitlines()[-1].startswith(
        "error: templates/aviso-cambio-contacto.txt: the notice template has a placeholder")
