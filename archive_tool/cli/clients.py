"""client new / list / show."""

from __future__ import annotations

import csv
import io
import json

import click

from archive_tool.cli.app import Session, cli, pass_session, table

CATEGORIES = ("supplier", "distributor", "special")
SPECIAL_TYPES = ("lawyer", "financial_consultant", "advertising", "public_relations", "bank",
                 "insurance", "financial_assistance")
TIERS = ("standard", "vip")
STATUSES = ("prospect", "active", "inactive", "terminated")
COLUMNS = ("id", "name", "category", "special_type", "tier", "important", "status",
           "contacts", "last_contact", "errors", "warnings")


@cli.group()
def client() -> None:
    """Create, list and show client files."""


@client.command("new")
@click.option("--name", required=True, help="Legal name.")
@click.option("--category", required=True, type=click.Choice(CATEGORIES))
@click.option("--special-type", type=click.Choice(SPECIAL_TYPES))
@click.option("--tier", type=click.Choice(TIERS), default="standard", show_default=True)
@click.option("--important", is_flag=True, help="A client the company will develop.")
@click.option("--staff", "staff", multiple=True, metavar="E-...",
              help="Staff contacts; the first is primary (default: you).")
@pass_session
def client_new(session: Session, name, category, special_type, tier, important, staff):
    """Create a client folder from the template and print its id."""
    from archive_tool import filing

    c = filing.new_client(session.archive, name, category, special_type, tier, important,
                          list(staff))
    session.emit({"id": c.id, "path": c.relpath}, c.id)


@client.command("list")
@click.option("--category", type=click.Choice(CATEGORIES))
@click.option("--tier", type=click.Choice(TIERS))
@click.option("--staff", metavar="E-...", help="Clients this staff member is a contact of.")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json", "md")),
              default="table", show_default=True)
@click.option("--bom", is_flag=True, help="Start CSV with a UTF-8 BOM (for Excel).")
@pass_session
def client_list(session: Session, category, tier, staff, status, fmt, bom):
    """The client register for review."""
    from archive_tool import views

    rows = views.register(session.archive, category, tier, staff, status)
    if session.json or fmt == "json":
        click.echo(json.dumps({"clients": rows}, ensure_ascii=False, indent=2))
        return
    cells = [[_cell(r[k]) for k in COLUMNS] for r in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(cells)
        click.echo(("\ufeff" if bom else "") + out.getvalue(), nl=False)
    elif fmt == "md":
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(v.replace("|", "\\|") for v in r) + " |" for r in cells]
        click.echo("\n".join(lines))
    else:
        click.echo(table(cells, list(COLUMNS)))
        click.echo(f"{len(rows)} clients")


def _cell(value) -> str:
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@client.command("show")
@click.argument("client_id", metavar="ID")
@pass_session
def client_show(session: Session, client_id):
    """The record, its contacts, last entries, reports per year and problems."""
    from archive_tool import views

    view = views.describe(session.archive, client_id)
    session.emit(view, _show_text(view))


def _show_text(v: dict) -> str:
    r = v["record"]
    out = [f"{v['id']}  {r.get('name', '')}", f"  {'folder:':<16}{v['path']}"]
    for key in ("trade_name", "category", "special_type", "tier", "important", "status",
                "since", "tax_id", "phone", "fax", "email", "website", "business_scope"):
        if key in r:
            out.append(f"  {key + ':':<16}{_cell(r[key])}")
    if rep := r.get("legal_representative"):
        out.append(f"  {'representative:':<16}{rep.get('name', '')}, {rep.get('position', '')}")
    if addr := r.get("address"):
        out.append(f"  {'address:':<16}" + ", ".join(str(addr[k]) for k in (
            "street", "postal_code", "city", "province", "country") if k in addr))
    out.append("contacts:")
    for c in v["contacts"]:
        out.append(f"  {c.get('staff')}  {c.get('role', ''):<8} {c.get('name') or '?'}"
                   f" ({c['status']})")
    out.append(f"last entries ({len(v['entries'])} of {v['entries_total']}):")
    for e in v["entries"]:
        files = f"  [{', '.join(e['attachments'])}]" if e["attachments"] else ""
        out.append(f"  {e['date']}  {e['kind']:<14} {e['subject']}{files}")
    out.append("reports:")
    for year, kinds in sorted(v["reports"].items()):
        names = [n for files in kinds.values() for n in files]
        out.append(f"  {year}: {', '.join(names) or '-'}")
    out.append(f"problems ({len(v['problems'])}):")
    out += [f"  {p['path']}:{p['line']}:{p['column']}: {p['severity']} [{p['rule']}]"
            f" {p['message']}" for p in v["problems"]]
    return "\n".join(out)
