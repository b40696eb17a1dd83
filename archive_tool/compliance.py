"""The compliance review: every policy rule per client, for the information
department to hand to a manager (policy §3.2, §3.3, §3.5, §7)."""

from __future__ import annotations

import html
import json

from archive_tool.archive import Archive
from archive_tool.checking import Findings
from archive_tool.statedir import CATALOG

# Report sections: (key, title, the validation rules that feed it)
SECTIONS = (
    ("missing_fields", "Ficha incompleta / incomplete record",
     ("record-incomplete", "schema-required", "record-missing")),
    ("understaffed", "Faltan contactos / under-staffed", ("contacts-min",)),
    ("contacts_left", "Contactos que se fueron / contacts who left",
     ("contact-left", "contact-unknown")),
    ("contact_reports", "Informes de contacto atrasados / overdue contact reports",
     ("contact-report-overdue",)),
    ("reports_missing", "Informes anuales o estados financieros / missing yearly reports",
     ("reports-missing",)),
    ("notices", "Avisos sin enviar / notices not sent", ("notice-draft",)),
    ("other_errors", "Otros errores / other errors", ()),
)
RULE_SECTION = {rule: key for key, _, rules in SECTIONS for rule in rules}


def review(archive: Archive) -> dict:
    """Per visible client: its findings by section, last contact, overdue check-outs,
    number of confidential entries; and the totals."""
    overdue = [c for c in archive.ledger.open() if c.overdue(archive.today)] \
        if (archive.state_dir / CATALOG).is_file() else []
    clients = []
    checker = Findings(archive)
    for c in archive.visible_clients():
        findings: dict[str, list[str]] = {key: [] for key, _, _ in SECTIONS}
        for p in checker.visible(c):
            key = RULE_SECTION.get(p.rule) or ("other_errors" if p.is_error else None)
            if key:
                findings[key].append(p.message)
        last = archive.last_contact(c)
        clients.append({
            "id": c.id, "name": c.name, "category": c.data.get("category"),
            "tier": c.data.get("tier", "standard"), "important": c.data.get("important") is True,
            "status": c.data.get("status"),
            "last_contact": last.isoformat() if last else None,
            "confidential_entries": sum(e.confidential for e in c.entries),
            "overdue_checkouts": [f"{o.path} ({o.login}, due {o.due})" for o in overdue
                                  if o.client_id == c.id],
            "findings": findings,
        })
    summary = {key: sum(1 for c in clients if c["findings"][key]) for key, _, _ in SECTIONS}
    summary["overdue_checkouts"] = sum(1 for c in clients if c["overdue_checkouts"])
    summary["clients"] = len(clients)
    summary["clients_in_order"] = sum(
        1 for c in clients if not any(c["findings"].values()) and not c["overdue_checkouts"])
    archive.record("report", detail=f"compliance review of {len(clients)} clients")
    return {"archive": archive.settings.name, "date": archive.today.isoformat(),
            "summary": summary, "clients": clients}


TITLES = {key: title for key, title, _ in SECTIONS} | {
    "overdue_checkouts": "Préstamos vencidos / overdue check-outs"}


def as_text(r: dict) -> str:
    s = r["summary"]
    lines = [f"Compliance review: {r['archive']} ({r['date']})",
             f"{s['clients']} clients, {s['clients_in_order']} in order"]
    lines += [f"  {TITLES[k]}: {s[k]}" for k in TITLES]
    for c in r["clients"]:
        lines.append(f"\n{c['id']}  {c['name']}  [{c['category']}, {c['tier']},"
                     f" {c['status']}] last contact {c['last_contact'] or 'never'},"
                     f" {c['confidential_entries']} confidential entries")
        for key, messages in [*c["findings"].items(),
                              ("overdue_checkouts", c["overdue_checkouts"])]:
            for m in messages:
                lines.append(f"  {TITLES[key]}: {m}")
    return "\n".join(lines)


def as_markdown(r: dict) -> str:
    s = r["summary"]
    out = [f"# Compliance review: {r['archive']}", "", f"Date: {r['date']}", "",
           "| check | clients |", "|---|---|", f"| clients | {s['clients']} |",
           f"| in order | {s['clients_in_order']} |"]
    out += [f"| {TITLES[k]} | {s[k]} |" for k in TITLES]
    for c in r["clients"]:
        out += ["", f"## {c['id']} {c['name']}", "",
                f"{c['category']}, {c['tier']}, {c['status']}; last contact"
                f" {c['last_contact'] or 'never'}; {c['confidential_entries']} confidential"
                " entries", ""]
        items = [f"- **{TITLES[k]}**: {m}" for k, ms in [
            *c["findings"].items(), ("overdue_checkouts", c["overdue_checkouts"])] for m in ms]
        out += items or ["- in order"]
    return "\n".join(out) + "\n"


def as_html(r: dict) -> str:
    """One self-contained page: a summary table and a section per client."""
    e = html.escape
    s = r["summary"]
    rows = "".join(f'<tr><td>{e(TITLES[k])}</td><td class="n" id="sum-{k}">{s[k]}</td></tr>'
                   for k in TITLES)
    sections = []
    for c in r["clients"]:
        items = "".join(f"<li><b>{e(TITLES[k])}</b>: {e(m)}</li>" for k, ms in [
            *c["findings"].items(), ("overdue_checkouts", c["overdue_checkouts"])] for m in ms)
        state = "ok" if not items else "issues"
        sections.append(
            f'<section id="{e(c["id"])}" class="{state}"><h2>{e(c["id"])} {e(c["name"])}</h2>'
            f'<p>{e(c["category"] or "")}, {e(c["tier"])}, {e(c["status"] or "")};'
            f' last contact {e(c["last_contact"] or "never")};'
            f' {c["confidential_entries"]} confidential entries</p>'
            f'<ul>{items or "<li>in order</li>"}</ul></section>')
    return f"""<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8">
<title>Compliance review: {e(r['archive'])} {e(r['date'])}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #999; padding: .3em .8em; }}
td.n {{ text-align: right; }} section.issues h2 {{ color: #a00; }}
section.ok h2 {{ color: #070; }}
</style></head><body>
<h1>Compliance review: {e(r['archive'])}</h1>
<p>Date: {e(r['date'])}</p>
<table id="summary"><tr><th>check</th><th>clients</th></tr>
<tr><td>clients</td><td class="n" id="sum-clients">{s['clients']}</td></tr>
<tr><td>in order</td><td class="n" id="sum-in-order">{s['clients_in_order']}</td></tr>
{rows}</table>
{''.join(sections)}
</body></html>
"""


FORMATS = {"text": as_text, "md": as_markdown, "html": as_html,
           "json": lambda r: json.dumps(r, ensure_ascii=False, indent=2)}
