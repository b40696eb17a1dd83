"""Hand-overs: a leaving or transferred employee's clients go to a named successor,
each client gets a draft notice, and the employee's access ends (policy §3.5, §7)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from archive_tool import grants, yamledit
from archive_tool.archive import Archive
from archive_tool.config import STAFF_FILE
from archive_tool.errors import Conflict, NotFound, UsageError
from archive_tool.files import folder_fd, free_name, read_in, slug, write_in
from archive_tool.i18n import _, ngettext
from archive_tool.records import CLIENT_FILE, CORRESPONDENCE, Client, Grants, StaffMember
from archive_tool.templates import entry_record
from archive_tool.words import shown_date

NOTICE_TEMPLATE = "templates/aviso-cambio-contacto.txt"


def default_notice() -> str:
    """The notice letter's text with its placeholders, in the person's language; the
    information department may edit the copy in templates/."""
    return _("""\
{date}

{client_name}
For the attention of {representative}

Dear Sirs,

We inform you that, from today, your contact person at our company is
{new_contact}, who replaces {old_contact}.

You may reach {new_contact} on {new_phone} or at {new_email} for any matter.

Thank you for your trust; we remain at your disposal.

Yours faithfully,
Information Department
""")


@dataclass
class Handover:
    client_id: str
    client_name: str
    roles: list[str]  # the leaver's roles there
    notice: str | None = None  # the draft entry written
    understaffed: bool = False


@dataclass
class Plan:
    leaver: StaffMember
    successor: StaffMember
    handovers: list[Handover] = field(default_factory=list)


def _member(archive: Archive, staff_id: str, active: bool = True) -> StaffMember:
    m = archive.roster.get(staff_id)
    if m is None:
        raise NotFound(_("staff {staff} is not in staff.yaml").format(staff=staff_id))
    if active and not m.active:
        raise UsageError(_("{staff} ({name}) has left ({status}); choose an active"
                           " successor").format(staff=staff_id, name=m.name, status=m.status))
    return m


def plan(archive: Archive, leaver_id: str, successor_id: str,
         client_ids: list[str] | None = None) -> Plan:
    archive.require_admin("staff transfer")
    leaver = _member(archive, leaver_id, active=False)
    successor = _member(archive, successor_id)
    if leaver.id == successor.id:
        raise UsageError(_("the successor must be someone else"))
    p = Plan(leaver, successor)
    wanted = set(client_ids or [])
    for c in archive.all_clients:
        roles = [str(x.get("role")) for x in c.contacts if str(x.get("staff")) == leaver.id]
        if not roles or (wanted and c.id not in wanted):
            continue
        p.handovers.append(Handover(c.id, c.name, roles))
    missing = wanted - {h.client_id for h in p.handovers}
    if missing:
        raise NotFound(_("{staff} is not a contact of {clients}").format(
            staff=leaver.id, clients=", ".join(sorted(missing))))
    return p


def _reassign(data, leaver: str, successor: str, today: date, by: str | None,
              summary: str) -> None:
    contacts = data.get("contacts") or []
    has_successor = next((c for c in contacts if str(c.get("staff")) == successor), None)
    for c in list(contacts):
        if str(c.get("staff")) != leaver:
            continue
        if has_successor is not None:
            if c.get("role") == "primary":
                has_successor["role"] = "primary"
            contacts.remove(c)
        else:
            c["staff"] = successor
            c["since"] = today  # from when the successor must be in touch (policy §7)
            has_successor = c
    changes = data.get("changes")
    note = {"date": today, "summary": summary}
    if by:
        note = {"date": today, "by": by, "summary": summary}
    if changes is None:
        data["changes"] = [note]
    else:
        changes.append(note)


def check_notice_template(archive: Archive, client: Client, leaver: StaffMember) -> None:
    """Refuse before anything changes when the notice template cannot be filled."""
    notice_text(archive, client, leaver, leaver)


def notice_text(archive: Archive, client: Client, old: StaffMember, new: StaffMember) -> str:
    try:
        text = read_in(archive.root, NOTICE_TEMPLATE).decode("utf-8")
    except FileNotFoundError:
        text = default_notice()
        write_in(archive.root, NOTICE_TEMPLATE, text, exclusive=False, parents=True)
    rep = client.data.get("legal_representative") or {}
    raw_address = client.data.get("address")
    address: dict = raw_address if isinstance(raw_address, dict) else {}
    values = {
        "date": shown_date(archive.today), "client_name": client.name,
        "representative": rep.get("name") or _("the management"),
        "position": rep.get("position", ""), "street": address.get("street", ""),
        "postal_code": address.get("postal_code", ""), "city": address.get("city", ""),
        "old_contact": old.name, "new_contact": new.name, "new_phone": new.phone or "-",
        "new_email": new.email or "-"}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError) as e:
        raise UsageError(_("{template}: the notice template has a placeholder it cannot"
                           " fill ({problem}); use {{date}}, {{client_name}},"
                           " {{representative}}, {{position}}, {{street}}, {{postal_code}},"
                           " {{city}}, {{old_contact}}, {{new_contact}}, {{new_phone}},"
                           " {{new_email}}").format(
                               template=NOTICE_TEMPLATE, problem=e)) from e


def transfer(archive: Archive, p: Plan, dry_run: bool = False) -> Plan:
    """Reassign, note the change, draft the notice, per client; each client.yaml is
    rewritten atomically keeping its comments and key order."""
    if dry_run:
        return p
    for h in p.handovers:
        check_notice_template(archive, archive.client(h.client_id, "staff transfer"), p.leaver)
    by = archive.user.staff_id
    summary = _("Contact hand-over: {leaver} ({leaver_id}) hands the client to {successor}"
                " ({successor_id})").format(leaver=p.leaver.name, leaver_id=p.leaver.id,
                                           successor=p.successor.name,
                                           successor_id=p.successor.id)
    for h in p.handovers:
        client = archive.client(h.client_id, "staff transfer")
        confirmed = grants.confirmed_of(archive, client)
        yamledit.edit(archive.root, client.record_path, lambda data: _reassign(
            data, p.leaver.id, p.successor.id, archive.today, by, summary))
        archive.wrote(client.folder / CLIENT_FILE)
        grants.confirm(archive, client.id, (confirmed - Grants(frozenset({p.leaver.id})))
                       | Grants(frozenset({p.successor.id})))
        h.notice = draft_notice(archive, client, p.leaver, p.successor)
        archive.record("handover", client=h.client_id, path=client.record_path,
                       detail=f"{p.leaver.id} -> {p.successor.id}; notice {h.notice}")
    archive.refresh()
    policy = archive.settings.policy
    for h in p.handovers:
        c = archive.client(h.client_id, "staff transfer")
        active = sum(1 for x in c.contacts if (m := archive.roster.get(str(x.get("staff"))))
                     and m.active)
        need = max(policy.important_min_contacts if c.data.get("important") is True else 0,
                   policy.vip_min_contacts if c.data.get("tier") == "vip" else 0)
        h.understaffed = active < need
    return p


def draft_notice(archive: Archive, client: Client, leaver: StaffMember,
                 successor: StaffMember) -> str:
    """Write the client's notice of a change of contact (policy §7) as a draft letter
    entry with its text; returns the entry's path relative to the root."""
    rel = f"{client.relpath}/{CORRESPONDENCE}"
    os.close(folder_fd(archive.root, rel, create=True))
    folder = archive.root / rel
    stem = f"{archive.today.isoformat()}-{slug('aviso cambio de contacto')}"
    entry_name = free_name(folder, stem, ".yaml")
    letter_name = free_name(folder, Path(entry_name).stem, ".txt")
    write_in(archive.root, f"{rel}/{letter_name}",
             notice_text(archive, client, leaver, successor), exclusive=True)
    rep = (client.data.get("legal_representative") or {}).get("name")
    write_in(archive.root, f"{rel}/{entry_name}", entry_record({
        "date": archive.today, "kind": "letter", "direction": "out",
        "staff": [s for s in (archive.user.staff_id,) if s],
        "counterpart": rep, "subject": _("Notice of a change of contact person"),
        "summary": _("Draft: {successor} replaces {leaver}.").format(
            successor=successor.name, leaver=leaver.name),
        "attachments": [letter_name], "draft": True, "notice": True}), exclusive=True)
    archive.wrote(folder / letter_name)
    archive.wrote(folder / entry_name)
    return f"{rel}/{entry_name}"


def depart(archive: Archive, leaver_id: str, successor_id: str,
           force_return: bool = False, dry_run: bool = False) -> tuple[Plan, list]:
    """Refuse while the leaver holds check-outs (unless an admin closes them as not
    returned), hand over every client, mark the leaver departed."""
    p = plan(archive, leaver_id, successor_id)
    held = [c for c in archive.ledger.open() if c.staff == leaver_id or (
        c.login == p.leaver.login)]
    if held and not force_return:
        listed = "; ".join(_("{path} (due {due})").format(path=c.path, due=shown_date(c.due))
                           for c in held)
        raise Conflict(ngettext("{staff} still holds {count} check-out: {listed}; have it"
                                " returned, or close it with --force-return",
                                "{staff} still holds {count} check-outs: {listed}; have them"
                                " returned, or close them with --force-return", len(held))
                       .format(staff=leaver_id, count=len(held), listed=listed))
    if dry_run:
        return p, held
    for c in held:
        archive.ledger.close(c, "not-returned", f"closed at {leaver_id}'s departure")
        archive.record("checkout-not-returned", client=c.client_id, path=c.path,
                       detail=f"{leaver_id} departed without returning it")
    transfer(archive, p)

    def mark(data) -> None:
        for m in data.get("staff") or []:
            if str(m.get("id")) == leaver_id:
                m["status"] = "departed"
                m["left_on"] = archive.today

    yamledit.edit(archive.root, STAFF_FILE, mark)
    archive.wrote(archive.root / STAFF_FILE)
    archive.record("staff-depart", detail=f"{leaver_id} departed; successor {successor_id}")
    archive.refresh()
    return p, held
