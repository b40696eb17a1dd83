"""The client information policy (seed/000_f878738b94f90331.txt), clause by clause: each
test is named after the clause it holds and tries the rule both ways."""

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import CLIENT, TODAY, Run, archive, write

from archive_tool import grants, handover, permissions, reviews
from archive_tool.access import os_login
from archive_tool.archive import Archive
from archive_tool.checking import validate
from archive_tool.errors import AccessDenied, UsageError
from archive_tool.records import Roster
from archive_tool.rules import RULE_CLAUSES
from archive_tool.syncing import update_index

CL = "clients/CL-0001-levante"
RECORD = f"{CL}/client.yaml"


def rules(root: Path, rule: str | None = None, today: date = TODAY, login=None) -> list:
    found = validate(Archive(root, login=login, today=today))
    return [p for p in found if rule is None or p.rule == rule]


def set_client(root: Path, text: str) -> None:
    write(root / RECORD, text)


def edit(root: Path, old: str, new: str) -> None:
    path = root / RECORD
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def sync(root: Path) -> None:
    update_index(archive(root))


def log(root: Path, name: str, text: str) -> None:
    write(root / CL / "correspondence" / name, text)


# --- §1-§2 ---------------------------------------------------------------------------

def test_1_every_clause_has_a_rule_or_a_command():
    from archive_tool.cli import load

    cli = load()
    commands = {"§3.2": ("client", "list"), "§3.3.1": ("client", "new"),
                "§3.4.4": ("review",), "§3.5": ("staff", "depart"),
                "§3.6": ("client", "grant"), "§7.2": ("log",), "§7.4": ("staff", "transfer"),
                "§8": ("report", "compliance")}
    for clause, path in commands.items():
        group = cli
        for name in path:
            group = group.commands[name]
        assert group.callback is not None, clause
    held = set(RULE_CLAUSES.values()) | set(commands)
    assert {"§2", "§3.1", "§3.2", "§3.3.1", "§3.3.2", "§3.4.1", "§3.4.2", "§3.4.3", "§3.4.4",
            "§3.5", "§3.6", "§7.1", "§7.2", "§7.3", "§7.4", "§8"} <= held


def test_2_special_client_needs_its_kind(root):
    edit(root, "category: supplier", "category: special")
    assert [p.severity for p in rules(root, "special-type")] == ["error"]
    edit(root, "category: special", "category: special\nspecial_type: bank")
    assert rules(root, "special-type") == []


def test_2_supplier_has_no_special_kind(root):
    edit(root, "category: supplier", "category: supplier\nspecial_type: lawyer")
    assert [p.line for p in rules(root, "special-type")] == [4]
    edit(root, "category: supplier\nspecial_type: lawyer", "category: distributor")
    assert rules(root, "special-type") == []


# --- §3.1 the information department ---------------------------------------------------

@pytest.mark.parametrize("department", ["información", "Informacion", "INFORMATION"])
def test_3_1_information_department_in_spanish(root, department):
    staff = root / "staff.yaml"
    staff.write_text(staff.read_text().replace("department: information",
                                               f"department: {department}", 1))
    a = archive(root)
    assert a.user.is_admin and a.roster.get("E-001").is_info_admin
    assert rules(root, "no-information-admin") == []


def test_3_1_information_department_named_in_archive_yaml(root):
    write(root / "archive.yaml", "name: Test\ndemo: false\npolicy:\n"
          "  information_department: [sistemas de información]\n")
    assert not archive(root).user.is_admin  # 'information' is not its name here
    assert [p.rule for p in Roster.load(root, check=True).problems] == ["no-information-admin"]
    staff = root / "staff.yaml"
    staff.write_text(staff.read_text().replace("department: information",
                                               "department: Sistemas de Información", 1))
    assert archive(root).user.is_admin
    assert Roster.load(root, check=True).problems == []


def test_3_1_no_active_admin_is_a_warning(root):
    assert [p for p in Roster.load(root, check=True).problems] == []
    staff = root / "staff.yaml"
    staff.write_text(staff.read_text().replace("role: admin", "role: member", 1))
    found = Roster.load(root, check=True).problems
    assert [(p.path, p.rule, p.severity) for p in found] == [
        ("staff.yaml", "no-information-admin", "warning")]


# --- §3.2 the list of clients for review -------------------------------------------------

def test_3_2_client_list_and_compliance_review_for_the_department(root):
    write(root / "clients/CL-0002-otro/client.yaml",
          CLIENT.replace("CL-0001", "CL-0002").replace("B46123451", "B46123469")
          .replace("staff: E-010", "staff: E-011"))
    listed = json.loads(Run(root)("--json", "client", "list").stdout)["clients"]
    assert [c["id"] for c in listed] == ["CL-0001", "CL-0002"]
    review = json.loads(Run(root)("--json", "report", "compliance").stdout)
    assert review["summary"]["clients"] == 2 and review["summary"]["clients_in_order"] == 2
    as_member = [c.id for c in archive(root, login="cruiz").visible_clients()]
    assert as_member == ["CL-0001"]  # a member's list holds their clients only


# --- §3.3 the client file --------------------------------------------------------------

def test_3_3_1_file_opened_at_first_contact(root, run):
    result = run("client", "new", "--name", "Ferretería Ruzafa, S.L.", "--category",
                 "supplier")
    assert result.exit_code == 0, result.stderr
    record = next((root / "clients").glob("CL-0002-*/client.yaml")).read_text()
    assert "since: 2026-11-28" in record or f"since: {date.today()}" in record
    log(root, "2026-01-05-llamada.yaml", "date: 2026-01-05\nkind: call\nsubject: Primera"
        " llamada\n")
    found = rules(root, "since-after-contact")
    assert [(p.severity, p.line) for p in found] == [("warning", 7)]
    edit(root, "since: 2026-01-10", "since: 2026-01-05")
    assert rules(root, "since-after-contact") == []


@pytest.mark.parametrize(("tax_id", "valid"), [
    ("B46123451", True), ("A46103834", True), ("12345678Z", True), ("X1234567L", True),
    ("ESB46123451", True), ("Q2826000H", True), ("B-46.123.451", True),
    ("ABCDE", False), ("B46123456", False), ("12345678A", False), ("X1234567A", False),
    ("Q2826000A", False), ("4612345", False)])
def test_3_3_2_tax_id_with_its_check_character(root, tax_id, valid):
    edit(root, "tax_id: B46123451", f"tax_id: \"{tax_id}\"")
    found = rules(root, "tax-id-invalid")
    assert (found == []) is valid, found
    if not valid:
        assert found[0].severity == "error" and found[0].line == 8


def test_3_3_2_wrong_check_character_says_the_right_one(root):
    edit(root, "tax_id: B46123451", "tax_id: B46123456")
    assert "it would be B46123451" in rules(root, "tax-id-invalid")[0].message


def test_3_3_2_foreign_client_keeps_its_vat_number(root):
    edit(root, 'postal_code: "46001", country: ES', 'postal_code: "75008", country: FR')
    edit(root, "tax_id: B46123451", "tax_id: FR40303265045")
    assert rules(root, "tax-id-invalid") == []
    edit(root, "tax_id: FR40303265045", "tax_id: X1")
    assert rules(root, "tax-id-invalid") != []


@pytest.mark.parametrize(("province", "rule_severity"), [
    ("Valencia", None), ("València", None), ("VALENCIA", None),
    ("Madrid", "error"), ("Valencai", "warning")])
def test_3_3_2_postal_code_matches_the_province(root, province, rule_severity):
    edit(root, "city: Valencia,", f"city: Valencia, province: \"{province}\",")
    found = rules(root, "postal-code-province")
    assert [p.severity for p in found] == ([rule_severity] if rule_severity else [])


def test_3_3_2_postal_code_is_part_of_the_address(root):
    edit(root, ', postal_code: "46001"', "")
    found = rules(root, "record-incomplete")
    assert [p.message for p in found] == ["the client file lacks address.postal_code;"
                                          " complete it"]
    edit(root, "city: Valencia,", 'city: Valencia, postal_code: "46001",')
    assert rules(root, "record-incomplete") == []


@pytest.mark.parametrize(("number", "valid"), [
    ("+34 963 521 480", True), ("963521480", True), ("0034 600 123 456", True),
    ("+34 (96) 352-14-80", True), ("+33 1 42 68 53 00", True), ("711 222 333", True),
    ("123456", False), ("+34 960 0001 46001", False), ("96 352 14 8", False),
    ("+34 563 521 480", False)])
def test_3_3_2_phones_are_spanish_or_e164(root, number, valid):
    edit(root, 'phone: "+34 960 000 001"', f'phone: "{number}"')
    found = rules(root, "phone-invalid")
    assert (found == []) is valid, found


def test_3_3_2_incomplete_file_error_if_active_warning_if_prospect(root):
    edit(root, "business_scope: Envases y embalajes\n", "")
    assert [p.severity for p in rules(root, "record-incomplete")] == ["error"]
    edit(root, "status: active", "status: prospect")
    assert [p.severity for p in rules(root, "record-incomplete")] == ["warning"]
    edit(root, "status: prospect", "status: terminated")
    assert rules(root, "record-incomplete") == []


def test_3_3_2_incompleteness_is_configurable(root):
    edit(root, "business_scope: Envases y embalajes\n", "")
    write(root / "archive.yaml", "name: Test\ndemo: false\npolicy:\n"
          "  incomplete_record: {active: warning, prospect: off}\n")
    assert [p.severity for p in rules(root, "record-incomplete")] == ["warning"]
    edit(root, "status: active", "status: prospect")
    assert rules(root, "record-incomplete") == []


def test_3_3_2_share_capital_only_where_the_legal_form_has_it(root):
    edit(root, "registered_capital: {amount: 120000, currency: EUR}\n", "")
    assert "registered_capital" in rules(root, "record-incomplete")[0].message
    edit(root, "tax_id: B46123451", "tax_id: V15703424")  # a mutual insurer
    assert rules(root, "record-incomplete") == []


def test_3_3_2_client_show_shows_every_field(root, run):
    set_client(root, CLIENT + "client_contacts:\n  - {name: Amparo Soler, position: Compras,"
               " phone: \"+34 961 340 275\"}\naccess: {departments: [finance]}\n"
               "changes:\n  - {date: 2026-01-10, by: E-001, summary: Alta de la ficha}\n")
    out = run("client", "show", "CL-0001").stdout
    for shown in ("B46123451", "Vicente Martínez", "Calle Mayor 7", "46001", "+34 960 000 001",
                  "+34 960 000 002", "info@levante.es", "Envases y embalajes", "120,000 EUR",
                  "Amparo Soler", "finance", "Alta de la ficha"):
        assert shown in out, shown


# --- §3.4 keeping the file up to date --------------------------------------------------

@pytest.mark.parametrize(("old", "new", "field"), [
    ("status: active", "status: inactive", "status"),
    ('phone: "+34 960 000 001"', 'phone: "+34 961 000 001"', "phone"),
    ('fax: "+34 960 000 002"', 'fax: "+34 961 000 002"', "fax"),
    ("email: info@levante.es", "email: pedidos@levante.es", "email"),
    ("business_scope: Envases y embalajes", "business_scope: Palés", "business_scope"),
    ("tier: standard", "tier: vip", "tier"),
    ("name: Suministros Levante, S.L.", "name: Suministros Levante 2026, S.L.", "name"),
    ("registered_capital: {amount: 120000", "registered_capital: {amount: 150000",
     "registered_capital"),
])
def test_3_4_1_important_change_needs_a_note(root, old, new, field):
    sync(root)
    edit(root, old, new)
    sync(root)
    assert [p.message.split(" ")[0] for p in rules(root, "change-unnoted")] == [field]
    write(root / RECORD, (root / RECORD).read_text() + "changes:\n  - {date: 2026-11-28,"
          " by: E-001, summary: Cambio registrado}\n")
    sync(root)
    assert rules(root, "change-unnoted") == []


def test_3_4_1_status_change_needs_a_note(root):
    sync(root)
    edit(root, "status: active", "status: inactive")
    sync(root)
    assert [p.line for p in rules(root, "change-unnoted")] == [6]


def test_3_4_2_client_with_no_contact_for_too_long_is_flagged(root):
    edit(root, "since: 2026-01-10", "since: 2025-01-10")
    found = rules(root, "no-recent-contact")
    assert [p.severity for p in found] == ["warning"]
    log(root, "2026-02-01-nota.yaml", "date: 2026-02-01\nkind: note\nsubject: Nota interna\n")
    assert rules(root, "no-recent-contact") != []  # an internal note is no contact
    log(root, "2026-03-01-llamada.yaml", "date: 2026-03-01\nkind: call\nsubject: Pedido\n")
    assert rules(root, "no-recent-contact") == []
    write(root / "archive.yaml", "name: Test\ndemo: false\npolicy:\n"
          "  max_days_without_contact: 180\n")
    assert rules(root, "no-recent-contact") != []


@pytest.mark.parametrize(("annual", "financial"), [
    ("informe-anual-2024.pdf", "cuentas-anuales-2024.pdf"),
    ("Informe Anual 2024.pdf", "Cuentas_Anuales_2024.pdf"),
    ("annual-report.pdf", "financial-statements.pdf"),
    ("informe-de-gestión-2024.pdf", "estados-financieros-2024.pdf"),
    ("memoria-anual-2024.pdf", "balance-2024.pdf"),
])
def test_3_4_3_spanish_report_names_are_recognised(root, annual, financial):
    edit(root, "since: 2026-01-10", "since: 2024-05-01")
    for year in (2024, 2025):
        write(root / CL / f"reports/{year}" / annual.replace("2024", str(year)), b"%PDF-1.7\n")
    assert [p.message for p in rules(root, "reports-missing")] == [
        "no financial statements for 2024 (due by 2025-07-31): file them in reports/2024/",
        "no financial statements for 2025 (due by 2026-07-31): file them in reports/2025/"]
    for year in (2024, 2025):
        write(root / CL / f"reports/{year}" / financial.replace("2024", str(year)),
              b"%PDF-1.7\n")
    assert rules(root, "reports-missing") == []


@pytest.mark.parametrize("content", [b"", b"not a PDF at all"])
def test_3_4_3_empty_or_unreadable_report_does_not_count(root, content):
    edit(root, "since: 2026-01-10", "since: 2025-03-01")
    write(root / CL / "reports/2025/informe-anual-2025.pdf", b"%PDF-1.7\n")
    write(root / CL / "reports/2025/cuentas-anuales-2025.pdf", content)
    found = rules(root, "reports-missing")
    assert [p.message for p in found] == [
        "the financial statements for 2025 in reports/2025/ (cuentas-anuales-2025.pdf) are"
        " empty or cannot be read: file a readable copy"]
    write(root / CL / "reports/2025/cuentas-anuales-2025.pdf", b"%PDF-1.7 real\n")
    assert rules(root, "reports-missing") == []


def test_3_4_3_accounts_due_on_31_july_of_the_next_year(root):
    edit(root, "since: 2026-01-10", "since: 2025-03-01")
    assert rules(root, "reports-missing", today=date(2026, 7, 31)) == []
    assert len(rules(root, "reports-missing", today=date(2026, 8, 1))) == 2
    write(root / "archive.yaml", "name: Test\ndemo: false\npolicy:\n  reports_due: \"06-30\"\n")
    assert len(rules(root, "reports-missing", today=date(2026, 7, 1))) == 2


IMPORTANT = "date: 2026-10-02\nkind: meeting\nsubject: Cambio de accionistas\nimportant: true\n"


def test_3_4_4_important_matters_reach_the_department_until_reviewed(root, run):
    log(root, "2026-10-02-accionistas.yaml", IMPORTANT)
    entry = f"{CL}/correspondence/2026-10-02-accionistas.yaml"
    listed = json.loads(run("--json", "review").stdout)["matters"]
    assert [m["path"] for m in listed] == [entry]
    assert json.loads(run("--json", "status").stdout)["important_matters"] == 1
    review = json.loads(run("--json", "report", "compliance").stdout)
    assert review["summary"]["important_matters"] == 1
    with pytest.raises(AccessDenied):
        reviews.acknowledge(archive(root, login="cruiz"), [entry])
    done = run("review", entry, "--note", "Comunicado a dirección")
    assert done.exit_code == 0, done.stderr
    assert json.loads(run("--json", "review").stdout)["matters"] == []
    assert json.loads(run("--json", "status").stdout)["important_matters"] == 0
    audit = [r for r in archive(root).audit.records() if r["action"] == "review"
             and r["outcome"] == "ok"]
    assert [(r["path"], r["detail"]) for r in audit] == [(entry, "Comunicado a dirección")]
    assert run("review", entry).exit_code == 2  # already reviewed


def test_3_4_4_business_confidential_matters_are_excepted(root):
    log(root, "2026-10-02-accionistas.yaml", IMPORTANT + "confidential: true\n")
    assert reviews.pending(archive(root)) == []


# --- §3.5 staff who leave take nothing -------------------------------------------------

def test_3_5_departing_staff_hand_back_and_lose_access(root, tmp_path):
    from archive_tool import custody

    custody.checkout(archive(root, login="cruiz"), "CL-0001", ["client.yaml"],
                     tmp_path / "out", True, None, None)
    result = Run(root)("staff", "depart", "E-010", "--successor", "E-011")
    assert result.exit_code == 5
    assert Run(root)("staff", "depart", "E-010", "--successor", "E-011",
                     "--force-return").exit_code == 0
    with pytest.raises(AccessDenied):
        archive(root, login="cruiz").client("CL-0001")
    assert archive(root, login="atorres").client("CL-0001").id == "CL-0001"


def test_3_5_a_contact_who_left_is_an_error(root):
    edit(root, "staff: E-010", "staff: E-014")
    assert [p.severity for p in rules(root, "contact-left")] == ["error"]
    edit(root, "staff: E-014", "staff: E-011")
    assert rules(root, "contact-left") == []


# --- §3.6 no access without permission ---------------------------------------------------

def allowed(root: Path) -> set[str]:
    a = archive(root)
    plan = permissions.plan_archive(a.root, a.all_clients, a.roster, None)
    folder = next(f for f in plan.folders if f.client_id == "CL-0001")
    return set(folder.logins) | set(folder.skipped)


def test_3_6_direct_access_edit_is_an_error_audited_and_widens_nothing(root, run):
    sync(root)
    edit(root, "contacts:", "access: {staff: [E-012]}\ncontacts:")
    sync(root)
    found = rules(root, "grant-unconfirmed")
    assert [(p.severity, p.line) for p in found] == [("error", 16)]
    assert "'archive-tool client grant CL-0001 --staff E-012'" in found[0].message
    with pytest.raises(AccessDenied):
        archive(root, login="pmoreno").client("CL-0001")
    assert "pmoreno" not in allowed(root)  # nor on disk
    audit = [r for r in archive(root).audit.records() if r["action"] == "grant-unconfirmed"]
    assert len(audit) == 1 and "added staff E-012" in audit[0]["detail"]
    assert audit[0]["login"] is None  # a direct edit: the author is not known
    result = run("client", "grant", "CL-0001", "--staff", "E-012")
    assert result.exit_code == 0, result.stderr
    assert rules(root, "grant-unconfirmed") == []
    assert archive(root, login="pmoreno").client("CL-0001").id == "CL-0001"
    assert "pmoreno" in allowed(root)


def test_3_6_direct_contact_edit_widens_nothing_until_confirmed(root, run):
    sync(root)
    edit(root, "  - {staff: E-010, role: primary}", "  - {staff: E-010, role: primary}\n"
         "  - {staff: E-011, role: backup}")
    assert [p.rule for p in rules(root, "grant-unconfirmed")] == ["grant-unconfirmed"]
    with pytest.raises(AccessDenied):
        archive(root, login="atorres").client("CL-0001")
    assert run("client", "grant", "CL-0001", "--confirm").exit_code == 0
    assert archive(root, login="atorres").client("CL-0001").id == "CL-0001"
    assert rules(root) == []


def test_3_6_narrowing_takes_effect_at_once(root, run):
    edit(root, "contacts:", "access: {departments: [finance]}\ncontacts:")
    sync(root)
    assert archive(root, login="pmoreno").client("CL-0001").id == "CL-0001"
    edit(root, "access: {departments: [finance]}\n", "")
    with pytest.raises(AccessDenied):  # no pass in between
        archive(root, login="pmoreno").client("CL-0001")
    assert [p.rule for p in rules(root)] == ["grant-unconfirmed"]
    assert run("client", "revoke", "CL-0001", "--department", "finance").exit_code == 0
    assert rules(root) == []


def test_3_6_only_information_admins_grant_and_revoke(root):
    result = Run(root)  # as the admin: allowed
    assert result("client", "grant", "CL-0001", "--contact", "E-011").exit_code == 0
    with pytest.raises(AccessDenied):
        grants.grant(archive(root, login="cruiz"), "CL-0001", staff=["E-012"])
    with pytest.raises(AccessDenied):
        grants.revoke(archive(root, login="cruiz"), "CL-0001", contacts=["E-011"])
    with pytest.raises(UsageError):
        grants.grant(archive(root), "CL-0001", departments=["marketing"])  # nobody there


def test_3_6_an_admins_edit_through_the_service_is_confirmed(root):
    sync(root)
    edit(root, "contacts:", "access: {staff: [E-012]}\ncontacts:")
    a = archive(root)
    a.wrote(root / RECORD)  # the service wrote it for the admin: the author is known
    update_index(a)
    assert rules(root, "grant-unconfirmed") == []
    assert archive(root, login="pmoreno").client("CL-0001").id == "CL-0001"


# --- §7 managing clients -------------------------------------------------------------------

def test_7_1_important_clients_are_treated_as_vip(root, run):
    edit(root, "important: false", "important: true")
    assert [p.severity for p in rules(root, "important-not-vip")] == ["error"]
    edit(root, "tier: standard", "tier: vip")
    assert rules(root, "important-not-vip") == []
    run("client", "new", "--name", "Nueva, S.A.", "--category", "supplier", "--important")
    record = next((root / "clients").glob("CL-0002-*/client.yaml")).read_text()
    assert "tier: vip" in record


def test_7_2_letters_faxes_and_calls_are_filed_with_their_documents(root, run, tmp_path):
    fax = write(tmp_path / "fax.pdf", b"%PDF-1.4 fax\n")
    result = run("log", "CL-0001", "--kind", "fax", "--subject", "Pedido urgente", "--date",
                 "2026-11-02", "--file", str(fax))
    assert result.exit_code == 0, result.stderr
    assert rules(root) == []
    write(root / CL / "correspondence/carta-suelta.pdf", b"%PDF-1.4\n")
    assert [p.rule for p in rules(root)] == ["unlisted-file"]
    log(root, "2026-11-03-carta.yaml", "date: 2026-11-03\nkind: letter\nsubject: Carta\n"
        "attachments: [carta-suelta.pdf, perdida.pdf]\n")
    assert [p.rule for p in rules(root)] == ["attachment-missing"]


def test_7_3_important_client_has_more_than_two_contacts(root):
    edit(root, "important: false", "important: true")
    edit(root, "tier: standard", "tier: vip")
    edit(root, "  - {staff: E-010, role: primary}", "  - {staff: E-010, role: primary}\n"
         "  - {staff: E-011, role: backup}")
    found = rules(root, "contacts-min")
    assert [p.message for p in found] == [
        "important client with 2 active staff contacts; the policy asks for more than two,"
        " 3: add one with 'archive-tool client grant CL-0001 --contact E-...'"]
    write(root / RECORD, (root / RECORD).read_text() + "  - {staff: E-012, role: backup}\n")
    assert rules(root, "contacts-min") == []


def test_7_3_important_client_has_contact_reports(root):
    set_client(root, CLIENT.replace("important: false", "important: true")
               .replace("tier: standard", "tier: vip")
               .replace("since: 2026-01-10", "since: 2025-01-10")
               + "  - {staff: E-011, role: backup}\n  - {staff: E-012, role: backup}\n")
    assert [p.severity for p in rules(root, "contact-report-overdue")] == ["warning"]
    log(root, "2026-10-01-informe.yaml", "date: 2026-10-01\nkind: contact_report\n"
        "subject: Informe trimestral\n")
    assert rules(root, "contact-report-overdue") == []


def test_7_4_removing_a_contact_by_editing_needs_the_clients_notice(root, run):
    write(root / RECORD, (root / RECORD).read_text() + "  - {staff: E-011, role: backup}\n")
    sync(root)
    edit(root, "  - {staff: E-011, role: backup}\n", "")
    found = rules(root, "contact-removed")
    assert [p.severity for p in found] == ["error"]
    assert "'archive-tool client revoke CL-0001 --contact E-011'" in found[0].message
    result = run("--json", "client", "revoke", "CL-0001", "--contact", "E-011")
    assert result.exit_code == 0, result.stderr
    notice = json.loads(result.stdout)["notices"][0]
    assert "notice: true" in (root / notice).read_text()
    assert rules(root, "contact-removed") == []
    later = [p.rule for p in rules(root, today=date(2026, 12, 15))]
    assert "notice-draft" in later  # and it must be sent


def test_7_4_revoking_a_contact_through_the_tool_drafts_the_notice(root, run):
    run("client", "grant", "CL-0001", "--contact", "E-011")
    result = run("--json", "client", "revoke", "CL-0001", "--contact", "E-010")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["notices"]) == 1
    record = (root / RECORD).read_text()
    assert "E-010" not in record.split("changes:")[0]
    assert "{staff: E-011, role: primary" in record  # the backup becomes primary
    assert [p for p in rules(root) if p.is_error] == []


def test_7_4_successor_must_contact_the_client(root):
    a = archive(root)
    handover.transfer(a, handover.plan(a, "E-010", "E-011", ["CL-0001"]))
    assert rules(root, "successor-no-contact", today=date(2026, 12, 12)) == []
    found = rules(root, "successor-no-contact", today=date(2026, 12, 13))
    assert [p.severity for p in found] == ["warning"]
    assert "within 14 days" in found[0].message
    log(root, "2026-12-01-llamada.yaml", "date: 2026-12-01\nkind: call\nstaff: [E-011]\n"
        "subject: Presentación\n")
    assert rules(root, "successor-no-contact", today=date(2026, 12, 13)) == []


def test_7_4_a_transfer_is_confirmed_and_told_to_the_client(root):
    sync(root)
    a = archive(root)
    p = handover.transfer(a, handover.plan(a, "E-010", "E-011", ["CL-0001"]))
    assert (root / p.handovers[0].notice).is_file()
    assert [x for x in rules(root) if x.rule in ("grant-unconfirmed", "contact-removed")] \
        == []
    assert archive(root, login="atorres").client("CL-0001").id == "CL-0001"
    with pytest.raises(AccessDenied):
        archive(root, login="cruiz").client("CL-0001")


# --- §8 the department interprets and keeps the policy -------------------------------------

def test_8_only_the_information_department_writes_the_policy(root):
    staff = root / "staff.yaml"
    staff.write_text(staff.read_text().replace("department: information",
                                               "department: información", 1))
    a = archive(root)
    plan = permissions.plan_archive(a.root, a.all_clients, a.roster, None)
    assert os_login() in plan.writers  # archive.yaml and staff.yaml: its admins write
    staff.write_text(staff.read_text().replace("department: información",
                                               "department: comercial", 1))
    a = archive(root)
    plan = permissions.plan_archive(a.root, a.all_clients, a.roster, None)
    assert os_login() not in plan.writers
