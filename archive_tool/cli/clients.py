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
@click.option("--category", required=True, type=options.CATEGORY, help="The kind of client.")
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
@click.option("--category", type=options.CATEGORY, help="Only clients of this category.")
@click.option("--tier", type=options.TIER, help="Only clients of this tier.")
@click.option("--staff", metavar="E-...", help="Clients this staff member is a contact of.")
@click.option("--status", type=options.STATUS, help="Only clients in this status.")
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
        return " ".join(str(v) for v in value if v is not None)
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
    rep, addr = r.get("legal_representative"), r.get("address")
    if rep:  # of any shape: a record with problems is shown as it is
        out.append(f"  {labels['representative']:<{width}}" + (
            f"{rep.get('name', '')}, {rep.get('position', '')}" if isinstance(rep, dict)
            else str(rep)))
    if addr:
        out.append(f"  {labels['address']:<{width}}" + (", ".join(str(addr[k]) for k in (
            "street", "postal_code", "city", "province", "country") if k in addr)
            if isinstance(addr, dict) else str(addr)))
    out += _more_fields(r, width)
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


MORE_LABELS = {"registered_capital": N_("capital"), "client_contacts": N_("people there:"),
               "access": N_("access:"), "changes": N_("changes:")}


def _listed(value: object) -> list:
    """A list field as a list; one value of another shape as a list of it (a record
    with problems is still shown)."""
    return value if isinstance(value, list) else [] if value in (None, "") else [value]


def _more_fields(r: dict, width: int) -> list[str]:
    """The rest of the record (policy §3.3.2: every basic field, shown): registered
    capital, the people at the client, extra access and the change notes."""
    from archive_tool.i18n import language

    out = []
    capital = r.get("registered_capital")
    if isinstance(capital, dict) and "amount" in capital:
        amount = capital["amount"]
        shown = (words.shown_number(amount, 2) if isinstance(amount, float)
                 else f"{amount:,}".replace(",", "." if language() == "es" else ","))
        out.append(f"  {_(MORE_LABELS['registered_capital']) + ':':<{width}}{shown}"
                   f" {capital.get('currency', '')}")
    for key in sorted(set(r) - {"id", "name", "trade_name", "category", "special_type", "tier",
                                "important", "status", "since", "tax_id", "phone", "fax",
                                "email", "website", "business_scope", "legal_representative",
                                "address", "registered_capital", "contacts",
                                "client_contacts", "access", "changes"}):
        out.append(f"  {key + ':':<{width}}{_cell(r[key])}")
    people = [p for p in _listed(r.get("client_contacts")) if isinstance(p, dict)]
    if people:
        out.append(_(MORE_LABELS["client_contacts"]))
        out += ["  " + ", ".join(str(p[k]) for k in ("name", "position", "phone", "email")
                                 if p.get(k)) for p in people]
    access = r.get("access")
    if isinstance(access, dict) and any(access.values()):
        out.append(_(MORE_LABELS["access"]))
        if access.get("staff"):
            out.append("  " + _("staff: {ids}").format(
                ids=", ".join(map(str, _listed(access["staff"])))))
        if access.get("departments"):
            out.append("  " + _("departments: {names}").format(
                names=", ".join(map(str, _listed(access["departments"])))))
    notes = [n for n in _listed(r.get("changes")) if isinstance(n, dict)]
    if notes:
        out.append(_(MORE_LABELS["changes"]))
        out += [f"  {words.shown_date(str(n.get('date', ''))):<10}  {n.get('by') or '-':<6}"
                f" {n.get('summary', '')}" for n in notes]
    return out


def _grant_text(change, granting: bool) -> str:
    from archive_tool.grants import describe

    lines = [(_("{id}: granted {what}") if granting else _("{id}: revoked {what}")).format(
        id=change.client_id, what=describe(change.added if granting else change.removed))]
    lines += [_("notice drafted: {path}").format(path=p) for p in change.notices]
    if change.unconfirmed:
        lines.append(_("still unconfirmed in the record: {what}").format(
            what=describe(change.unconfirmed)))
    return "\n".join(lines)


def _grant_json(change) -> dict:
    return {"client_id": change.client_id, "added": change.added.to_json(),
            "removed": change.removed.to_json(), "confirmed": change.confirmed.to_json(),
            "unconfirmed": change.unconfirmed.to_json(), "notices": change.notices}


@client.command("grant")
@click.argument("client_id", metavar="ID")
@click.option("--staff", "staff", multiple=True, metavar="E-...",
              help="Let this staff member see the client (access).")
@click.option("--department", "departments", multiple=True, metavar="DEPT",
              help="Let this department see the client (access).")
@click.option("--contact", "contacts", multiple=True, metavar="E-...",
              help="Make this staff member a contact of the client (a backup).")
@click.option("--confirm", "as_is", is_flag=True,
              help="Confirm what the record grants now that no admin has confirmed.")
@pass_session
def client_grant(session: Session, client_id, staff, departments, contacts, as_is):
    """Let staff or departments see a client, or add its contacts (information admins)."""
    from archive_tool import grants

    change = grants.grant(session.archive, client_id, staff=staff, departments=departments,
                          contacts=contacts, as_is=as_is)
    session.emit(_grant_json(change), _grant_text(change, True))


@client.command("revoke")
@click.argument("client_id", metavar="ID")
@click.option("--staff", "staff", multiple=True, metavar="E-...",
              help="End this staff member's access.")
@click.option("--department", "departments", multiple=True, metavar="DEPT",
              help="End this department's access.")
@click.option("--contact", "contacts", multiple=True, metavar="E-...",
              help="End this staff member's role as contact (drafts the client's notice).")
@click.option("--confirm", "as_is", is_flag=True,
              help="Confirm what the record no longer grants (drafts the notices).")
@pass_session
def client_revoke(session: Session, client_id, staff, departments, contacts, as_is):
    """End access of staff or departments, or a contact's role (information admins)."""
    from archive_tool import grants

    change = grants.revoke(session.archive, client_id, staff=staff, departments=departments,
                           contacts=contacts, as_is=as_is)
    session.emit(_grant_json(change), _grant_text(change, False))
