"""Who may see a client changes only through the information department (policy
§3.6): `client grant` and `client revoke` edit a record's `access` and contacts and
confirm them, as `staff transfer` and `staff depart` do for contacts. The catalog
remembers what an admin last confirmed, and access is the record's grants less
anything unconfirmed: a direct edit of `access` or contacts widens nothing (on disk
or in the tool) until an admin confirms it, narrowing takes effect at once, and
either way the edit is audited and is a validation error until confirmed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from archive_tool import yamledit
from archive_tool.archive import Archive
from archive_tool.errors import NotFound, UsageError
from archive_tool.i18n import _
from archive_tool.records import CLIENT_FILE, Client, Grants, StaffMember
from archive_tool.statedir import CATALOG


@dataclass
class Change:
    """What a grant or revoke did to one client."""

    client_id: str
    added: Grants = field(default_factory=Grants)
    removed: Grants = field(default_factory=Grants)
    confirmed: Grants = field(default_factory=Grants)
    notices: list[str] = field(default_factory=list)
    unconfirmed: Grants = field(default_factory=Grants)  # still differing from the record


def describe(g: Grants) -> str:
    """'contacts E-012; staff E-020; departments finance' (for the audit log)."""
    parts = [f"{kind} {', '.join(sorted(getattr(g, kind)))}" for kind in Grants.KINDS
             if getattr(g, kind)]
    return "; ".join(parts) or "-"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def confirmed_of(archive: Archive, client: Client) -> Grants:
    """What an admin last confirmed for the client; the record's grants when nothing
    is known yet."""
    if (archive.state_dir / CATALOG).is_file():
        stored = archive.catalog.confirmed_grants_of(client.id)
        if stored is not None:
            return Grants.from_json(stored)
    return client.grants


def confirm(archive: Archive, client_id: str, grants: Grants) -> None:
    archive.catalog.confirm_grants(client_id, grants.to_json(), _now(),
                                   archive.user.staff_id or archive.user.login)


def observe(archive: Archive, client: Client, old: dict | None, author: str | None,
            now: str) -> None:
    """A pass found the record changed (old: the record as last seen; author: the login
    the service wrote it for, if any). The first sight of a client is its baseline; a
    change of grants by an information admin is confirmed (a contact removed still
    needs `client revoke`, which drafts the client's notice); any other is audited and
    stays unconfirmed."""
    if client.loaded is None:
        return
    catalog = archive.catalog
    stored = catalog.confirmed_grants_of(client.id)
    current = client.grants
    if stored is None:
        if client.rivals:
            return  # no baseline while another folder claims the id
        catalog.confirm_grants(client.id, (Grants.of(old) if old is not None
                                           else current).to_json(), now, None)
        if old is None:
            return
        stored = catalog.confirmed_grants_of(client.id) or {}
    confirmed = Grants.from_json(stored)
    previous = Grants.of(old) if old is not None else current
    if current == previous or client.rivals:
        return
    member = archive.roster.by_login(author) if author else None
    added, removed = current - previous, previous - current
    if member is not None and member.is_info_admin:
        catalog.confirm_grants(client.id, Grants(confirmed.contacts | current.contacts,
                                                 current.staff, current.departments
                                                 ).to_json(), now, member.id)
        archive.audit.append("grant-confirmed", staff=member.id, login=author,
                             client=client.id, path=client.record_path,
                             detail=f"edited by an information admin: added {describe(added)};"
                                    f" removed {describe(removed)}")
        return
    if current == confirmed:
        return
    who = f"by {author}" if author else "author unknown"
    archive.audit.append(
        "grant-unconfirmed", staff=member.id if member else None, login=author,
        outcome="pending", client=client.id, path=client.record_path,
        detail=f"access or contacts changed in the shared folder ({who}): added"
               f" {describe(added)}; removed {describe(removed)}; not in force until an"
               f" information admin confirms it")


# --- client grant / revoke -------------------------------------------------------------

def _active(archive: Archive, staff_id: str) -> StaffMember:
    member = archive.roster.get(staff_id)
    if member is None:
        raise NotFound(_("staff {staff} is not in staff.yaml").format(staff=staff_id))
    if not member.active:
        raise UsageError(_("{staff} ({name}) has left ({status}); grant someone active")
                         .format(staff=staff_id, name=member.name, status=member.status))
    return member


def _department(archive: Archive, name: str) -> str:
    if not any(m.department == name and m.active for m in archive.roster.members.values()):
        known = sorted({m.department for m in archive.roster.members.values() if m.active})
        raise UsageError(_("no active staff member is in department '{department}';"
                           " departments: {known}").format(department=name,
                                                           known=", ".join(known)))
    return name


def _note(data, archive: Archive, summary: str) -> None:
    note = CommentedMap()
    note["date"] = archive.today
    if archive.user.staff_id:
        note["by"] = archive.user.staff_id
    note["summary"] = summary
    if isinstance(data.get("changes"), list):
        data["changes"].append(note)
    else:
        data["changes"] = CommentedSeq([note])


def _list_in(data, key: str, sub: str) -> list:
    if not isinstance(data.get(key), dict):
        data[key] = CommentedMap()
    if not isinstance(data[key].get(sub), list):
        flow = CommentedSeq()
        flow.fa.set_flow_style()
        data[key][sub] = flow
    return data[key][sub]


def _names(archive: Archive, g: Grants) -> str:
    """'contact E-012 (Ana Torres); staff E-020 (Teresa Molina); department finance'."""
    def name(sid: str) -> str:
        m = archive.roster.get(sid)
        return f"{sid} ({m.name})" if m else sid

    parts = [_("contact {staff}").format(staff=name(s)) for s in sorted(g.contacts)]
    parts += [_("staff {staff}").format(staff=name(s)) for s in sorted(g.staff)]
    parts += [_("department {department}").format(department=d)
              for d in sorted(g.departments)]
    return "; ".join(parts)


def grant(archive: Archive, client_id: str, *, staff: list[str] | tuple = (),
          departments: list[str] | tuple = (), contacts: list[str] | tuple = (),
          as_is: bool = False) -> Change:
    """Let staff or departments see a client (`access`), or make staff its contacts;
    as_is confirms what the record grants now beyond what was confirmed."""
    archive.require_admin("client grant")
    if not (staff or departments or contacts or as_is):
        raise UsageError(_("name what to grant: --staff, --department or --contact (or"
                           " --confirm what the record grants now)"))
    client = archive.client(client_id, "client grant")
    requested = Grants(frozenset(_active(archive, s).id for s in contacts),
                       frozenset(_active(archive, s).id for s in staff),
                       frozenset(_department(archive, d) for d in departments))
    confirmed = confirmed_of(archive, client)
    before = client.grants
    new = requested - before
    settled = requested | (before if as_is else Grants())
    confirming = settled - confirmed
    if not confirming and not new:
        raise UsageError(_("{id} already grants that; nothing to change").format(id=client.id))

    def change(data) -> None:
        for sid in sorted(new.contacts):
            entry = CommentedMap()
            entry["staff"] = sid
            contacts = data.get("contacts")
            entry["role"] = "backup" if isinstance(contacts, list) and any(
                isinstance(c, dict) and c.get("role") == "primary" for c in contacts) \
                else "primary"
            entry["since"] = archive.today
            entry.fa.set_flow_style()
            if not isinstance(data.get("contacts"), list):
                data["contacts"] = CommentedSeq()
            data["contacts"].append(entry)
        for kind in ("staff", "departments"):
            for value in sorted(getattr(new, kind)):
                _list_in(data, "access", kind).append(value)
        _note(data, archive, _("Access granted by the information department: {what}")
              .format(what=_names(archive, confirming | new)))

    yamledit.edit(archive.root, client.record_path, change)
    archive.wrote(client.folder / CLIENT_FILE)
    confirm(archive, client.id, confirmed | settled)
    archive.record("client-grant", client=client.id, path=client.record_path,
                   detail=f"granted {describe(confirming | new)}")
    archive.forget_clients()
    after = archive.client(client.id, "client grant")
    return Change(client.id, added=confirming | new, confirmed=confirmed | settled,
                  unconfirmed=after.grants - (confirmed | settled))


def revoke(archive: Archive, client_id: str, *, staff: list[str] | tuple = (),
           departments: list[str] | tuple = (), contacts: list[str] | tuple = (),
           as_is: bool = False) -> Change:
    """End access of staff or departments, or end staff's role as contacts (drafting
    the client's notice, policy §7); as_is confirms what the record dropped."""
    from archive_tool import handover

    archive.require_admin("client revoke")
    if not (staff or departments or contacts or as_is):
        raise UsageError(_("name what to revoke: --staff, --department or --contact (or"
                           " --confirm what the record dropped)"))
    client = archive.client(client_id, "client revoke")
    confirmed = confirmed_of(archive, client)
    before = client.grants
    requested = Grants(frozenset(contacts), frozenset(staff), frozenset(departments))
    known = before | confirmed
    for kind in Grants.KINDS:
        for value in sorted(getattr(requested, kind) - getattr(known, kind)):
            raise UsageError(_("{who} is not granted {id}; see 'archive-tool client show"
                               " {id}'").format(who=value, id=client.id))
    dropped = requested | ((confirmed - before) if as_is else Grants())
    if not dropped:
        raise UsageError(_("{id}: the record drops nothing that was confirmed; nothing to"
                           " change").format(id=client.id))
    remaining = [c for c in client.contacts if str(c.get("staff")) not in dropped.contacts]
    if dropped.contacts and not remaining and client.data.get("status") in (
            "active", "prospect"):
        raise UsageError(_("{id} would have no contact left: grant another one first"
                           " ('archive-tool client grant {id} --contact E-...') or hand it"
                           " over with 'archive-tool staff transfer'").format(id=client.id))

    for sid in dropped.contacts:
        if (leaving := archive.roster.get(sid)) is not None:
            handover.check_notice_template(archive, client, leaving)

    def change(data) -> None:
        kept = [c for c in data.get("contacts") or []
                if not (isinstance(c, dict) and str(c.get("staff")) in dropped.contacts)]
        if isinstance(data.get("contacts"), list):
            if kept and not any(c.get("role") == "primary" for c in kept
                                if isinstance(c, dict)):
                kept[0]["role"] = "primary"
            data["contacts"][:] = kept
        access = data.get("access")
        if isinstance(access, dict):
            for kind in ("staff", "departments"):
                values = access.get(kind)
                if isinstance(values, list):
                    values[:] = [v for v in values if str(v) not in getattr(dropped, kind)]
                    if not values:
                        del access[kind]
            if not access:
                del data["access"]
        _note(data, archive, _("Access ended by the information department: {what}")
              .format(what=_names(archive, dropped)))

    yamledit.edit(archive.root, client.record_path, change)
    archive.wrote(client.folder / CLIENT_FILE)
    settled = confirmed - dropped
    confirm(archive, client.id, settled)
    archive.forget_clients()
    after = archive.client(client.id, "client revoke")
    notices = []
    primary = next((archive.roster.get(str(c.get("staff"))) for c in after.contacts
                    if c.get("role") == "primary"), None)
    for sid in sorted(dropped.contacts):
        leaver = archive.roster.get(sid)
        if leaver is not None and primary is not None:
            notices.append(handover.draft_notice(archive, after, leaver, primary))
    archive.record("client-revoke", client=client.id, path=client.record_path,
                   detail=f"revoked {describe(dropped)}"
                          + (f"; notices {', '.join(notices)}" if notices else ""))
    return Change(client.id, removed=dropped, confirmed=settled, notices=notices,
                  unconfirmed=(after.grants - settled) | (settled - after.grants))
