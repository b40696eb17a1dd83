"""Every command through the CLI: output, exit codes and the one-line errors."""

import json
import os

import pytest
from conftest import CLIENT, Run, write

from archive_tool.access import os_login

CL = "clients/CL-0001-levante"


def test_init_makes_caller_first_admin(tmp_path):
    result = Run(None)("init", str(tmp_path / "new"), "--name", "Archivo")
    assert result.exit_code == 0, result.output
    staff = (tmp_path / "new/staff.yaml").read_text()
    assert f'login: "{os_login()}"' in staff
    assert "department: information" in staff and "role: admin" in staff
    assert (tmp_path / "new/templates/schema/client.schema.json").is_file()
    validated = Run(tmp_path / "new")("validate")
    assert validated.exit_code == 0, validated.output


def test_init_refuses_existing_archive(tmp_path):
    Run(None)("init", str(tmp_path / "a"))
    result = Run(None)("init", str(tmp_path / "a"))
    assert result.exit_code == 5
    assert result.stderr.startswith("error: ") and "archive.yaml already exists" in result.stderr


def test_init_sample_copies_demo_archive(tmp_path):
    result = Run(None)("init", str(tmp_path / "demo"), "--sample")
    assert result.exit_code == 0
    assert "demo archive" in result.stderr
    assert len(list((tmp_path / "demo/clients").iterdir())) >= 12
    assert Run(tmp_path / "demo")("validate").exit_code == 0


def test_client_new_writes_template_and_prints_id(run, root):
    result = run("client", "new", "--name", "Banco Ñ, S.A.", "--category", "special",
                 "--special-type", "bank", "--tier", "vip", "--staff", "E-010", "--staff",
                 "E-011")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "CL-0002"
    record = next((root / "clients").glob("CL-0002-*/client.yaml")).read_text()
    assert record.startswith(
        "# yaml-language-server: $schema=../../templates/schema/client.schema.json\n")
    assert 'name: "Banco Ñ, S.A."' in record
    assert "{staff: E-010, role: primary" in record and "{staff: E-011, role: backup" in record
    assert run("validate", "CL-0002").exit_code == 0


def test_client_new_never_reuses_an_id(run, root):
    run("client", "new", "--name", "Uno", "--category", "supplier")
    import shutil
    shutil.rmtree(next((root / "clients").glob("CL-0002-*")))
    assert run("client", "new", "--name", "Dos", "--category", "supplier").stdout.strip() \
        == "CL-0003"


def test_client_new_special_needs_type(run):
    result = run("client", "new", "--name", "X", "--category", "special")
    assert result.exit_code == 2
    assert result.stderr == "error: --special-type is required for category special," \
        " and only then\n"


def test_client_new_unknown_staff_is_not_found(run, root):
    result = run("client", "new", "--name", "X", "--category", "supplier", "--staff", "E-999")
    assert result.exit_code == 4
    assert "E-999" in result.stderr
    assert not list((root / "clients").glob("CL-0002*"))


def test_client_list_formats(run):
    table = run("client", "list")
    assert table.exit_code == 0
    assert "CL-0001" in table.stdout and "Suministros Levante" in table.stdout
    data = json.loads(run("--json", "client", "list").stdout)
    row = data["clients"][0]
    assert {k: row[k] for k in ("id", "category", "tier", "status", "contacts")} == {
        "id": "CL-0001", "category": "supplier", "tier": "standard", "status": "active",
        "contacts": ["E-010"]}
    csv_out = run("client", "list", "--format", "csv", "--bom").stdout
    assert csv_out.startswith("\ufeffid,name,category")
    assert '"Suministros Levante, S.L."' in csv_out
    md = run("client", "list", "--format", "md").stdout
    assert md.splitlines()[0].startswith("| id | name |")


def test_client_list_filters(run):
    assert "CL-0001" not in run("client", "list", "--category", "distributor").stdout
    assert "CL-0001" in run("client", "list", "--staff", "E-010").stdout
    assert "CL-0001" not in run("client", "list", "--tier", "vip").stdout


def test_client_show(run):
    result = run("client", "show", "CL-0001")
    assert result.exit_code == 0
    assert "Suministros Levante" in result.stdout and "E-010" in result.stdout
    data = json.loads(run("--json", "client", "show", "CL-0001").stdout)
    assert data["record"]["tax_id"] == "B46123451"
    assert data["contacts"][0]["name"] == "Carlos Ruiz"


@pytest.mark.parametrize(("args", "code", "message"), [
    (("client", "show", "CL-0042"), 4,
     "error: client CL-0042 is not in this archive; see 'archive-tool client list'\n"),
    (("client", "show", "../../etc"), 2,
     "error: '../../etc' is not a client id (CL- and at least four digits)\n"),
    (("log", "CL-0042", "--kind", "call", "--subject", "Hola"), 4,
     "error: client CL-0042 is not in this archive; see 'archive-tool client list'\n"),
])
def test_error_lines_and_exit_codes(run, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert result.stderr == message


def test_usage_error_is_one_line_exit_2(run):
    result = run("client", "list", "--format", "xml")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_no_archive_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHIVE_TOOL_ROOT", raising=False)
    result = Run(None)("validate")
    assert result.exit_code == 4
    assert result.stderr.startswith("error: no archive.yaml in ")


def test_root_found_upward_and_from_env(root, tmp_path, monkeypatch):
    monkeypatch.chdir(root / CL)
    assert Run(None)("client", "show", "CL-0001").exit_code == 0
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARCHIVE_TOOL_ROOT", str(root))
    assert Run(None)("client", "show", "CL-0001").exit_code == 0


def test_log_with_attachment_round_trip(run, root, tmp_path):
    letter = write(tmp_path / "Carta precios.PDF", b"%PDF-1.4 fake\n")
    result = run("log", "CL-0001", "--kind", "letter", "--subject", "Revisión de precios",
                 "--date", "2026-03-04", "--direction", "in", "--file", str(letter),
                 "--summary", "Suben un 3 %")
    assert result.exit_code == 0, result.output
    folder = root / CL / "correspondence"
    entry = folder / "2026-03-04-revision-de-precios.yaml"
    assert result.stdout == f"logged {CL}/correspondence/{entry.name}\n"
    assert (folder / "Carta-precios.pdf").read_bytes() == letter.read_bytes()
    text = entry.read_text()
    assert "attachments: [\"Carta-precios.pdf\"]" in text
    assert run("validate").exit_code == 0
    shown = json.loads(run("--json", "client", "show", "CL-0001").stdout)
    assert shown["entries"][0]["subject"] == "Revisión de precios"


def test_log_twice_same_day_gets_distinct_names(run, root):
    for _ in range(2):
        assert run("log", "CL-0001", "--kind", "call", "--subject", "Llamada",
                   "--date", "2026-03-04").exit_code == 0
    names = sorted(p.name for p in (root / CL / "correspondence").iterdir())
    assert names == ["2026-03-04-llamada-2.yaml", "2026-03-04-llamada.yaml"]


def test_log_missing_file_changes_nothing(run, root, tmp_path):
    good = write(tmp_path / "a.pdf", b"%PDF")
    result = run("log", "CL-0001", "--kind", "letter", "--subject", "X", "--file", str(good),
                 "--file", str(tmp_path / "missing.pdf"))
    assert result.exit_code == 4
    assert result.stderr == f"error: {tmp_path / 'missing.pdf'}: no such file to attach\n"
    assert list((root / CL / "correspondence").iterdir()) == []


def test_validate_points_at_the_line(run, root):
    write(root / CL / "client.yaml", CLIENT.replace("category: supplier", "category: vendor"))
    result = run("validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        f"{CL}/client.yaml:3:11: error [schema-enum] category: 'vendor' is not allowed")
    data = json.loads(run("--json", "validate").stdout)
    assert data["ok"] is False
    assert data["problems"][0] | {"message": ""} == {
        "path": f"{CL}/client.yaml", "line": 3, "column": 11, "rule": "schema-enum",
        "severity": "error", "message": ""}


def test_validate_with_warnings_only_exits_0(run, root):
    write(root / CL / "correspondence/suelto.pdf", b"%PDF")
    result = run("validate")
    assert result.exit_code == 0
    assert "[unlisted-file]" in result.stdout


def test_unknown_login_is_refused(run, root):
    if os.geteuid() == 0:
        pytest.skip("root acts as the system; test_access runs an unknown real account")
    write(root / "staff.yaml", "staff:\n  - {id: E-001, name: Otra, login: someone-else,"
          " department: information, role: admin, status: active}\n")
    result = run("client", "list")
    assert result.exit_code == 3
    assert result.stderr == (f"error: login '{os_login()}' is not in this archive's staff.yaml;"
                             " ask the information department for access\n")


def test_root_not_in_staff_acts_as_the_system(run, root):
    """`sudo archive-tool permissions apply`: root is not staff but owns the machine."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    write(root / "staff.yaml", "staff:\n  - {id: E-001, name: Otra, login: someone-else,"
          " department: information, role: admin, status: active}\n")
    assert run("client", "list").exit_code == 0
    records = json.loads(run("--json", "audit").stdout)["records"]
    listed = [r for r in records if r["action"] == "list"]
    assert [(r["login"], r["staff"]) for r in listed] == [("root", None)]


def test_demo_archive_says_so_on_every_command(sample):
    result = Run(sample)("client", "list")
    assert result.exit_code == 0
    assert result.stderr.startswith("archive-tool: demo archive")


def test_broken_archive_yaml_is_named(run, root):
    write(root / "archive.yaml", "name: [x\n")
    result = run("client", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: archive.yaml:2:1: YAML syntax")


def test_python_dash_m_entry_point(root):
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(root), "client",
                           "show", "CL-0001"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Suministros Levante" in proc.stdout


def test_every_command_has_help():
    from archive_tool.cli import cli
    assert Run(None)("--help").exit_code == 0
    for name in cli.commands:
        assert Run(None)(name, "--help").exit_code == 0, name


