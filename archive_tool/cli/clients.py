"""client new / list / show."""

from __future__ import annotations

import csv
import io
import json

import click

from archive_tool import words
from archive_tool.cli import options
from archive_tool.cli.app import Session, cli, pass_session, table
from archive_tool.i18n import N_, _, ngettext

COLUMNS = ("id", "name", "category", "special_type", "tier", "important", "status",
           "contacts", "last_contact", "errors", "warnings")
HEADERS = {"id": N_("id"), "name": N_("name"), "category": N_("category"),
           "special_type": N_("special type"), "tier": N_("tier"),
           "important": N_("important"), "status": N_("status"), "contacts": N_("contacts"),
           "last_contact": N_("last contact"), "errors": N_("errors"),
           "warnings": N_("warnings")}
WORDS = {"category": "category", "special_type": "special_type", "tier": "tier",
         "status": "status"}


@cli.group()
def client() -> None:
    """Create, list and show client files."""


@client.command("new")
@click.option("--name", required=True, help="Legal name.")
@click.option("--category", required=True, type=options.CATEGORY)
@click.option("--special-type", type=options.SPECIAL_TYPE,
              help="Required for a special client.")
@click.option("--tier", type=options.TIER, help="Default: standard.")
@click.option("--important", is_flag=True, help="A client the company will develop.")
@click.option("--staff", "staff", multiple=True, metavar="E-...",
              help="Staff contacts; the first is primary (default: you).")
@pass_session
def client_new(session: Session, name, category, special_type, tier, important, staff):
    """Create a client folder from the template and print its id."""
    from archive_tool import filing

    c = filing.new_client(session.archive, name, category, special_type, tier or "standard",
                          important, list(staff))
    session.emit({"id": c.id, "path": c.relpath}, c.id)


@client.command("list")
@click.option("--category", type=options.CATEGORY)
@click.option("--tier", type=options.TIER)
@click.option("--staff", metavar="E-...", help="Clients this staff member is a contact of.")
@click.option("--status", type=options.STATUS)
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json", "md")),
              default="table", show_default=True)
@click.option("--sep", metavar="CHAR",
              help="CSV separator (default: ';' in Spanish, as Spanish Excel expects, else ',').")
@click.option("--bom/--no-bom", default=None,
              help="Start CSV with a UTF-8 BOM, for Excel (default: in Spanish).")
@pass_session
def client_list(session: Session, category, tier, staff, status, fmt, sep, bom):
    """The client register for review."""
    from archive_tool import views

    rows = views.register(session.archive, category, tier, staff, status)
    if session.json or fmt == "json":
        click.echo(json.dumps({"clients": rows}, ensure_ascii=False, indent=2))
        return
    header = [_(HEADERS[k]) for k in COLUMNS]
    cells = [[_cell(r[k], WORDS.get(k), k == "last_contact") for k in COLUMNS] for r in rows]
    if fmt == "csv":
        click.echo(_csv(header, cells, sep, bom), nl=False)
    elif fmt == "md":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(v.replace("|", "\\|") for v in r) + " |" for r in cells]
        click.echo("\n".join(lines))
    else:
        click.echo(table(cells, header))
        click.echo(ngettext("{n} client", "{n} clients", len(rows)).format(n=len(rows)))


def _csv(header: list[str], cells: list[list[str]], sep: str | None, bom: bool | None) -> str:
    """A CSV for people: ';' and a BOM in Spanish (Spanish Excel), ',' in English."""
    default_sep, default_bom = words.csv_style()
    sep = default_sep if sep is None else sep.replace("\\t", "\t")
    if len(sep) != 1:
        raise click.BadParameter(_("give one character, as ';' or ','"), param_hint="'--sep'")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(cells)
    return ("\ufeff" if (default_bom if bom is None else bom) else "") + out.getvalue()


def _cell(value, field: str | None = None, is_date: bool = False) -> str:
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, bool):
        return words.yes_no(value)
    if value is None:
        return ""
    if field:
        return words.shown(field, value)
    return words.shown_date(value) if is_date else str(value)


@client.command("show")
@click.argument("client_id", metavar="ID")
@pass_session
def client_show(session: Session, client_id):
    """The record, its contacts, last entries, reports per year and problems."""
    from archive_tool import views

    view = views.describe(session.archive, client_id)
    session.emit(view, _show_text(view))


FIELD_LABELS = {"folder": N_("folder"), "trade_name": N_("trade name"),
                "category": N_("category"), "special_type": N_("special type"),
                "tier": N_("tier"), "important": N_("important"), "status": N_("status"),
                "since": N_("since"), "tax_id": N_("tax id"), "phone": N_("phone"),
                "fax": N_("fax"), "email": N_("email"), "website": N_("website"),
                "business_scope": N_("business"), "representative": N_("representative"),
                "address": N_("address")}


def _show_text(v: dict) -> str:
    from archive_tool.cli.entries import problem_line

    r = v["record"]
    labels = {k: _(label) + ":" for k, label in FIELD_LABELS.items()}
    width = max(16, *(len(label) + 1 for label in labels.values()))
    out = [f"{v['id']}  {r.get('name', '')}", f"  {labels['folder']:<{width}}{v['path']}"]
    for key in ("trade_name", "category", "special_type", "tier", "important", "status",
                "since", "tax_id", "phone", "fax", "email", "website", "business_scope"):
        if key in r:
            out.append(f"  {labels[key]:<{width}}{_cell(r[key], WORDS.get(key), key == 'since')}")
    if rep := r.get("legal_representative"):
        out.append(f"  {labels['representative']:<{width}}{rep.get('name', '')},"
                   f" {rep.get('position', '')}")
    if addr := r.get("address"):
        out.append(f"  {labels['address']:<{width}}" + ", ".join(str(addr[k]) for k in (
            "street", "postal_code", "city", "province", "country") if k in addr))
    out.append(_("contacts:"))
    for c in v["contacts"]:
        role = words.shown("role", c.get("role", ""))
        out.append(f"  {c.get('staff')}  {role:<9} {c.get('name') or '?'}"
                   f" ({_staff_status(c['status'])})")
    out.append(_("last entries ({shown} of {total}):").format(shown=len(v["entries"]),
                                                             total=v["entries_total"]))
    for e in v["entries"]:
        files = f"  [{', '.join(e['attachments'])}]" if e["attachments"] else ""
        out.append(f"  {words.shown_date(e['date']) or '-':<10}"
                   f"  {words.shown('kind', e['kind']):<16} {e['subject']}{files}")
    out.append(_("reports:"))
    for year, kinds in sorted(v["reports"].items()):
        names = [n for files in kinds.values() for n in files]
        out.append(f"  {year}: {', '.join(names) or '-'}")
    out.append(_("problems ({n}):").format(n=len(v["problems"])))
    out += ["  " + problem_line(p) for p in v["problems"]]
    return "\n".join(out)


def _staff_status(status: str) -> str:
    return _("unknown") if status == "unknown" else words.shown("staff_status", status)
