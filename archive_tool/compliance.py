"""The compliance review: every clause of the policy per client, for the information
department to hand to a manager (policy §3.2: a list of clients for review)."""

from __future__ import annotations

import html
import json

from archive_tool.archive import Archive
from archive_tool.checking import Findings
from archive_tool.i18n import N_, _, language
from archive_tool.reviews import matters_of, reviewed
from archive_tool.statedir import CATALOG
from archive_tool.words import shown, shown_date

# Report sections: (key, clause of the policy, title, the validation rules that feed it).
SECTIONS = (
    ("missing_fields", "§3.3", N_("Incomplete or wrong client file"),
     ("record-incomplete", "schema-required", "record-missing", "tax-id-invalid",
      "duplicate-tax-id", "postal-code-province", "phone-invalid", "since-after-contact")),
    ("changes_unnoted", "§3.4.1", N_("Important changes without a note"),
     ("change-unnoted",)),
    ("no_recent_contact", "§3.4.2", N_("No contact logged for too long"),
     ("no-recent-contact",)),
    ("reports_missing", "§3.4.3", N_("Missing annual reports or financial statements"),
     ("reports-missing",)),
    ("important_matters", "§3.4.4", N_("Important matters awaiting the information"
                                       " department"), ()),
    ("contacts_left", "§3.5", N_("Contacts who have left"),
     ("contact-left", "contact-unknown")),
    ("access", "§3.6", N_("Access changed outside the information department"),
     ("grant-unconfirmed",)),
    ("vip", "§7", N_("Important clients not treated as VIP"), ("important-not-vip",)),
    ("understaffed", "§7", N_("Too few company contacts"),
     ("contacts-min", "primary-contact")),
    ("contact_reports", "§7", N_("Overdue contact reports"), ("contact-report-overdue",)),
    ("notices", "§7", N_("Clients not yet told of a change of contact"),
     ("notice-draft", "contact-removed")),
    ("successors", "§7", N_("Successors who have not contacted the client"),
     ("successor-no-contact",)),
    ("other_errors", "", N_("Other errors"), ()),
    ("other_warnings", "", N_("Other warnings"), ()),
)
RULE_SECTION = {rule: key for key, _clause, _title, rules in SECTIONS for rule in rules}
OVERDUE = ("overdue_checkouts", "§3.5", N_("Overdue check-outs"))


def review(archive: Archive) -> dict:
    """Per visible client: its findings by section, last contact, overdue check-outs,
    number of confidential entries; the archive's own findings; and the totals."""
    stored = (archive.state_dir / CATALOG).is_file()
    overdue = [c for c in archive.ledger.open() if c.overdue(archive.today)] if stored else []
    clients = []
    checker = Findings(archive)
    done = reviewed(archive) if archive.user.is_admin else None
    for c in archive.visible_clients():
        findings: dict[str, list[str]] = {key: [] for key, *_rest in SECTIONS}
        for p in checker.visible(c):
            key = RULE_SECTION.get(p.rule) or ("other_errors" if p.is_error
                                                 else "other_warnings")
            findings[key].append(p.message)
        if done is not None:
            findings["important_matters"] = [
                _("{date}: {subject} ({path})").format(
                    date=shown_date(m.date) if m.date else "?", subject=m.subject,
                    path=m.path) for m in matters_of(c, done)]
        last = archive.last_contact(c)
        clients.append({
            "id": c.id, "name": c.name, "category": c.data.get("category"),
            "tier": c.data.get("tier", "standard"), "important": c.data.get("important") is True,
            "status": c.data.get("status"),
            "last_contact": last.isoformat() if last else None,
            "confidential_entries": sum(e.confidential for e in c.entries),
            "overdue_checkouts": [_("{path} ({login}, due {due})").format(
                path=o.path, login=o.login, due=shown_date(o.due))
                for o in overdue if o.client_id == c.id],
            "findings": findings,
        })
    summary = {key: sum(1 for c in clients if c["findings"][key]) for key, *_rest in SECTIONS}
    summary["overdue_checkouts"] = sum(1 for c in clients if c["overdue_checkouts"])
    summary["clients"] = len(clients)
    summary["clients_in_order"] = sum(
        1 for c in clients if not any(c["findings"].values()) and not c["overdue_checkouts"])
    own = [f"{p.path}:{p.line}:{p.column}: {shown('severity', p.severity)} [{p.rule}]"
           f" {p.message}" for p in checker.of_archive()] if archive.user.is_admin else []
    archive.record("report", detail=f"compliance review of {len(clients)} clients")
    return {"archive": archive.settings.name, "date": archive.today.isoformat(),
            "summary": summary, "archive_findings": own, "clients": clients}


def titles() -> dict[str, str]:
    """Each section's heading in the person's language, with its clause."""
    return {key: (f"{clause} {_(title)}" if clause else _(title))
            for key, clause, title in [(k, c, t) for k, c, t, _r in SECTIONS] + [OVERDUE]}


def _items(c: dict) -> list[tuple[str, str]]:
    return [(key, m) for key, ms in [*c["findings"].items(),
                                     ("overdue_checkouts", c["overdue_checkouts"])]
            for m in ms]


def _about(c: dict) -> str:
    return _("{category}, {tier}, {status}; last contact {last};"
             " {confidential} confidential entries").format(
        category=shown("category", c["category"]), tier=shown("tier", c["tier"]),
        status=shown("status", c["status"]),
        last=shown_date(c["last_contact"]) if c["last_contact"] else _("never"),
        confidential=c["confidential_entries"])


def as_text(r: dict) -> str:
    s, t = r["summary"], titles()
    lines = [_("Compliance review: {archive} ({date})").format(
                 archive=r["archive"], date=shown_date(r["date"])),
             _("{clients} clients, {in_order} in order").format(
                 clients=s["clients"], in_order=s["clients_in_order"])]
    lines += [f"  {t[k]}: {s[k]}" for k in t]
    if r.get("archive_findings"):
        lines.append("\n" + _("The archive itself:"))
        lines += [f"  {p}" for p in r["archive_findings"]]
    for c in r["clients"]:
        lines.append(f"\n{c['id']}  {c['name']}  [{_about(c)}]")
        lines += [f"  {t[key]}: {m}" for key, m in _items(c)]
    return "\n".join(lines)


def as_markdown(r: dict) -> str:
    s, t = r["summary"], titles()
    out = ["# " + _("Compliance review: {archive}").format(archive=r["archive"]), "",
           _("Date: {date}").format(date=shown_date(r["date"])), "",
           "| " + _("check") + " | " + _("clients") + " |", "|---|---|",
           f"| {_('clients')} | {s['clients']} |", f"| {_('in order')} | {s['clients_in_order']} |"]
    out += [f"| {t[k]} | {s[k]} |" for k in t]
    if r.get("archive_findings"):
        out += ["", "## " + _("The archive itself"), ""]
        out += [f"- {p}" for p in r["archive_findings"]]
    for c in r["clients"]:
        out += ["", f"## {c['id']} {c['name']}", "", _about(c), ""]
        items = [f"- **{t[key]}**: {m}" for key, m in _items(c)]
        out += items or ["- " + _("in order")]
    return "\n".join(out) + "\n"


def as_html(r: dict) -> str:
    """One self-contained page: a summary table and a section per client."""
    e = html.escape
    s, t = r["summary"], titles()
    rows = "".join(f'<tr><td>{e(t[k])}</td><td class="n" id="sum-{k}">{s[k]}</td></tr>'
                   for k in t)
    own = ""
    if r.get("archive_findings"):
        own = (f'<section id="archive"><h2>{e(_("The archive itself"))}</h2><ul>'
               + "".join(f"<li>{e(p)}</li>" for p in r["archive_findings"])
               + "</ul></section>")
    sections = []
    for c in r["clients"]:
        items = "".join(f"<li><b>{e(t[key])}</b>: {e(m)}</li>" for key, m in _items(c))
        state = "ok" if not items else "issues"
        sections.append(
            f'<section id="{e(c["id"])}" class="{state}"><h2>{e(c["id"])} {e(c["name"])}</h2>'
            f'<p>{e(_about(c))}</p>'
            f'<ul>{items or "<li>" + e(_("in order")) + "</li>"}</ul></section>')
    title = _("Compliance review: {archive}").format(archive=r["archive"])
    date = _("Date: {date}").format(date=shown_date(r["date"]))
    return f"""<!DOCTYPE html>
<html lang="{language()}"><head><meta charset="utf-8">
<title>{e(title)} {e(shown_date(r['date']))}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #999; padding: .3em .8em; }}
td.n {{ text-align: right; }} section.issues h2 {{ color: #a00; }}
section.ok h2 {{ color: #070; }}
</style></head><body>
<h1>{e(title)}</h1>
<p>{e(date)}</p>
<table id="summary"><tr><th>{e(_("check"))}</th><th>{e(_("clients"))}</th></tr>
<tr><td>{e(_("clients"))}</td><td class="n" id="sum-clients">{s['clients']}</td></tr>
<tr><td>{e(_("in order"))}</td><td class="n" id="sum-in-order">{s['clients_in_order']}</td></tr>
{rows}</table>
{own}
{''.join(sections)}
</body></html>
"""


FORMATS = {"text": as_text, "md": as_markdown, "html": as_html,
           "json": lambda r: json.dumps(r, ensure_ascii=False, indent=2)}
