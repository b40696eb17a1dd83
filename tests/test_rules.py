"""Each policy rule: caught at the right line when broken, silent when kept."""

from pathlib import Path

import pytest
from conftest import CLIENT, archive, write

from archive_tool.checking import validate

CL = "clients/CL-0001-levante"


def problems(root: Path, rule: str | None = None):
    found = validate(archive(root))
    return [p for p in found if rule is None or p.rule == rule]


def set_client(root: Path, text: str) -> None:
    write(root / CL / "client.yaml", text)


def test_clean_archive_has_no_problems(root):
    assert problems(root) == []


INVALID_RECORDS = [
    # (name, replace this, with this, rule, line)
    ("unknown category", "category: supplier", "category: vendor", "schema-enum", 3),
    ("bad date", "since: 2026-01-10", "since: 10/01/2026", "schema-format", 7),
    ("missing name", "name: Suministros Levante, S.L.\n", "", "schema-required", 1),
    ("unknown field", "tier: standard", "tier: standard\ncolour: red",
     "schema-additionalProperties", 5),
    ("bad id form", "id: CL-0001", "id: CL-1", "schema-pattern", 1),
    ("bad postal code", 'postal_code: "46001"', "postal_code: '99999'", "schema-pattern", 10),
    ("wrong type", "important: false", "important: maybe", "schema-type", 5),
    ("bad email", "email: info@levante.es", "email: nobody", "schema-pattern", 13),
    ("bad staff id", "staff: E-010", "staff: 10", "schema-type", 17),
    ("id differs", "id: CL-0001", "id: CL-0002", "id-mismatch", 1),
    ("special without type", "category: supplier", "category: special", "special-type", 3),
    ("supplier with type", "category: supplier", "category: supplier\nspecial_type: bank",
     "special-type", 4),
    ("important short of contacts", "important: false", "important: true", "contacts-min",
     16),
    ("vip short of contacts", "tier: standard", "tier: vip", "contacts-min", 16),
    ("departed contact", "staff: E-010", "staff: E-014", "contact-left", 17),
    ("unknown contact", "staff: E-010", "staff: E-999", "contact-unknown", 17),
    ("no primary", "role: primary", "role: backup", "primary-contact", 16),
    ("two primaries", "  - {staff: E-010, role: primary}",
     "  - {staff: E-010, role: primary}\n  - {staff: E-011, role: primary}", "primary-contact",
     16),
    ("duplicate key", "tier: standard", "tier: standard\ntier: vip", "duplicate-key", 5),
]


@pytest.mark.parametrize(("old", "new", "rule", "line"), [r[1:] for r in INVALID_RECORDS],
                         ids=[r[0] for r in INVALID_RECORDS])
def test_invalid_record_caught_by_rule_at_line(root, old, new, rule, line):
    assert old in CLIENT
    set_client(root, CLIENT.replace(old, new))
    found = problems(root)
    assert (rule, line) in [(p.rule, p.line) for p in found], found
    match = next(p for p in found if p.rule == rule)
    assert match.path == f"{CL}/client.yaml"
    assert match.severity == "error"


def test_important_vip_client_with_three_active_contacts_is_fine(root):
    set_client(root, CLIENT.replace("important: false", "important: true")
               .replace("tier: standard", "tier: vip")
               + "  - {staff: E-011, role: backup}\n"
               + "  - {staff: E-012, role: backup}\n")
    assert problems(root, "contacts-min") == []


def test_departed_contact_does_not_count_towards_minimum(root):
    set_client(root, CLIENT.replace("important: false", "important: true")
               .replace("tier: standard", "tier: vip")
               + "  - {staff: E-014, role: backup}\n")
    assert sorted(p.rule for p in problems(root) if p.is_error) == ["contact-left", "contacts-min"]


def test_duplicate_client_id_and_tax_id(root):
    write(root / "clients/CL-0001-copia/client.yaml", CLIENT)
    dup = problems(root, "duplicate-id")
    assert {p.path for p in dup} == {f"{CL}/client.yaml", "clients/CL-0001-copia/client.yaml"}
    write(root / "clients/CL-0002-otro/client.yaml",
          CLIENT.replace("CL-0001", "CL-0002").replace("B46123451", "b-46123451"))
    assert "clients/CL-0002-otro/client.yaml" in {p.path for p in problems(
        root, "duplicate-tax-id")}


def test_distinct_tax_ids_are_fine(root):
    write(root / "clients/CL-0002-otro/client.yaml",
          CLIENT.replace("CL-0001", "CL-0002").replace("B46123451", "B46123469"))
    assert problems(root, "duplicate-tax-id") == []


ENTRY = """\
date: 2026-03-04
kind: letter
direction: in
staff: [E-010]
subject: Revisión de precios
attachments: [carta.pdf]
"""


def entry_problems(root, text, name="2026-03-04-precios.yaml", files=("carta.pdf",)):
    folder = root / CL / "correspondence"
    write(folder / name, text)
    for f in files:
        write(folder / f, b"%PDF-1.4\n")
    return problems(root)


def test_good_entry_has_no_problems(root):
    assert entry_problems(root, ENTRY) == []


def test_missing_attachment(root):
    found = entry_problems(root, ENTRY, files=())
    assert [(p.rule, p.line, p.path) for p in found] == [
        ("attachment-missing", 6, f"{CL}/correspondence/2026-03-04-precios.yaml")]


def test_unlisted_file_is_a_warning(root):
    found = entry_problems(root, ENTRY, files=("carta.pdf", "suelto.pdf"))
    assert [(p.rule, p.severity, p.path) for p in found] == [
        ("unlisted-file", "warning", f"{CL}/correspondence/suelto.pdf")]


def test_editor_temp_files_are_not_unlisted(root):
    found = entry_problems(root, ENTRY, files=("carta.pdf", ".~lock.carta.pdf#",
                                                "~$carta.docx", ".carta.yaml.swp"))
    assert found == []


def test_unknown_entry_staff(root):
    found = entry_problems(root, ENTRY.replace("[E-010]", "[E-010, E-777]"))
    assert [(p.rule, p.line, p.column) for p in found] == [("entry-staff-unknown", 4, 16)]


def test_future_entry(root):
    found = entry_problems(root, ENTRY.replace("2026-03-04", "2027-01-01"),
                           name="2027-01-01-x.yaml")
    assert [(p.rule, p.line) for p in found] == [("future-date", 1)]


def test_entry_name_must_start_with_date(root):
    found = entry_problems(root, ENTRY, name="precios.yaml")
    assert [p.rule for p in found] == ["entry-name"]


def test_entry_schema_error(root):
    found = entry_problems(root, ENTRY.replace("kind: letter", "kind: telegram"))
    assert [(p.rule, p.line) for p in found] == [("schema-enum", 2)]


def test_missing_reports_for_closed_years_warn(root):
    set_client(root, CLIENT.replace("since: 2026-01-10", "since: 2024-05-01"))
    found = problems(root, "reports-missing")
    assert len(found) == 4  # 2024 and 2025, annual and financial
    assert all(p.severity == "warning" for p in found)
    for year in (2024, 2025):
        write(root / CL / f"reports/{year}/annual-report.pdf", b"%PDF")
        write(root / CL / f"reports/{year}/estados-financieros-{year}.pdf", b"%PDF")
    assert problems(root, "reports-missing") == []


def test_current_year_needs_no_reports(root):
    assert problems(root, "reports-missing") == []


def test_important_client_needs_recent_contact_report(root):
    set_client(root, CLIENT.replace("important: false", "important: true")
               .replace("since: 2026-01-10", "since: 2025-01-10")
               + "  - {staff: E-011, role: backup}\n")
    found = problems(root, "contact-report-overdue")
    assert [(p.severity, p.line) for p in found] == [("warning", 5)]
    write(root / CL / "correspondence/2026-10-01-informe.yaml",
          "date: 2026-10-01\nkind: contact_report\nsubject: Informe trimestral\n")
    assert problems(root, "contact-report-overdue") == []


def test_broken_record_does_not_hide_other_clients(root):
    set_client(root, "name: [unclosed\n")
    write(root / "clients/CL-0002-otro/client.yaml",
          CLIENT.replace("CL-0001", "CL-0002").replace("B46123451", "B46123469")
          .replace("category: supplier", "category: nope"))
    found = problems(root)
    assert {p.path for p in found} == {f"{CL}/client.yaml", "clients/CL-0002-otro/client.yaml"}


def test_folder_without_record_and_stray_folder(root):
    (root / "clients/CL-0005").mkdir()
    (root / "clients/misc").mkdir()
    rules = {(p.rule, p.path) for p in problems(root)}
    assert ("record-missing", "clients/CL-0005/client.yaml") in rules
    assert ("folder-name", "clients/misc") in rules


def test_staff_roster_problems(root):
    staff = (root / "staff.yaml").read_text()
    write(root / "staff.yaml", staff + "  - {id: E-010, name: Otro, login: otro,"
          " department: commercial, role: member, status: active}\n")
    assert [p.rule for p in problems(root) if p.path == "staff.yaml"] == ["staff-duplicate"]


def test_symlink_in_client_folder_is_an_error(root, tmp_path):
    outside = write(tmp_path / "secreto.txt", "fuera del archivo\n")
    (root / CL / "correspondence/enlace.txt").symlink_to(outside)
    found = problems(root, "symlink")
    assert [(p.path, p.severity) for p in found] == [
        (f"{CL}/correspondence/enlace.txt", "error")]


def test_incomplete_record_of_an_active_client_is_an_error(root):
    set_client(root, CLIENT.replace('fax: "+34 960 000 002"\n', "").replace(
        "business_scope: Envases y embalajes\n", ""))
    found = problems(root, "record-incomplete")
    assert [(p.severity, p.message) for p in found] == [
        ("error", "the client file lacks fax, business_scope; complete it")]
    set_client(root, CLIENT.replace("status: active", "status: prospect").replace(
        'fax: "+34 960 000 002"\n', ""))
    assert [p.severity for p in problems(root, "record-incomplete")] == ["warning"]
