"""Text of the files the tool writes for people: client records and entries."""

from __future__ import annotations

import json
from datetime import date

SCHEMA_DIR = "templates/schema"


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def schema_line(kind: str, depth: int) -> str:
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_DIR}/{kind}.schema.json\n"


def client_record(client_id: str, name: str, category: str, special_type: str | None,
                  tier: str, important: bool, staff: list[str], today: date,
                  by: str | None) -> str:
    lines = [
        schema_line("client", 2),
        "# Ficha de cliente / Client record. Complete the commented fields;\n",
        "# every field is described in the schema (hover in your editor).\n",
        f"id: {client_id}\n",
        f"name: {_scalar(name)}\n",
        "# trade_name: \"\"\n",
        f"category: {category}\n",
    ]
    if special_type:
        lines.append(f"special_type: {special_type}\n")
    if important:
        tier = "vip"  # important clients are treated at VIP level (policy §7)
    lines += [
        f"tier: {tier}\n",
        f"important: {_scalar(important)}\n",
        "status: prospect\n",
        f"since: {today.isoformat()}\n",
        "# tax_id: B00000000\n",
        "# legal_representative: {name: \"\", position: \"\"}\n",
        "# address: {street: \"\", city: \"\", province: \"\", postal_code: \"46001\","
        " country: ES}\n",
        "# phone: \"+34 960 000 000\"\n",
        "# fax: \"+34 960 000 001\"\n",
        "# email: info@example.com\n",
        "# website: www.example.com\n",
        "# business_scope: \"\"\n",
        "# registered_capital: {amount: 3000, currency: EUR}\n",
    ]
    if staff:
        lines.append("contacts:\n")
        for i, sid in enumerate(staff):
            role = "primary" if i == 0 else "backup"
            lines.append(f"  - {{staff: {sid}, role: {role}, since: {today.isoformat()}}}\n")
    else:
        lines.append("contacts: []\n")
    lines += ["client_contacts: []\n", "changes:\n",
              f"  - date: {today.isoformat()}\n"]
    if by:
        lines.append(f"    by: {by}\n")
    lines.append(f"    summary: {_scalar('Alta del cliente / client file created')}\n")
    return "".join(lines)


def entry_record(fields: dict) -> str:
    lines = [schema_line("entry", 3)]
    for key, value in fields.items():
        if value is None or value == [] or value is False and key != "confidential":
            continue
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_scalar(v) for v in value)}]\n")
        elif key == "summary" and "\n" in str(value):
            body = "".join(f"  {ln}\n" for ln in str(value).splitlines())
            lines.append(f"{key}: |\n{body}")
        else:
            lines.append(f"{key}: {_scalar(value)}\n")
    return "".join(lines)


def archive_settings(name: str) -> str:
    return (schema_line("archive", 0)
            + f"name: {_scalar(name)}\nlanguage: es\ndemo: false\n"
            "policy:\n"
            "  information_department: [information, información]\n"
            "  important_min_contacts: 3\n"
            "  vip_min_contacts: 2\n"
            "  contact_report_every_days: 90\n"
            "  max_days_without_contact: 365\n"
            "  handover_contact_days: 14\n"
            "  reports_due: \"07-31\"\n"
            "  checkout_max_days: 14\n"
            "ignore: []\n")


def staff_roster(login: str) -> str:
    return (schema_line("staff", 0)
            + "staff:\n"
            f"  - id: E-001\n    name: {_scalar(login)}\n    login: {_scalar(login)}\n"
            "    department: information\n    role: admin\n    status: active\n")
