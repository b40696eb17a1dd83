"""Policy rules across files. Each rule has a stable id, the clause of the policy it
holds (RULE_CLAUSES) and says what to do."""

from __future__ import annotations

import stat
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from archive_tool.config import Policy
from archive_tool.files import UnsafePath, walk_in
from archive_tool.i18n import _, ngettext
from archive_tool.problems import Problem
from archive_tool.records import CORRESPONDENCE as CORRESPONDENCE_DIR
from archive_tool.records import (
    ENTRY_NAME,
    REPORTS,
    SYMLINK_MESSAGE,
    Client,
    Entry,
    Grants,
    Roster,
    parse_date,
    unsafe_problem,
)
from archive_tool.spain import (
    PROVINCE_NAME,
    has_share_capital,
    is_foreign_vat,
    is_spain,
    phone_ok,
    province_code,
    province_of_postal_code,
    tax_id_expected,
    tax_id_kind,
)
from archive_tool.spain import normal_tax_id as normal_tax_id
from archive_tool.words import shown_date

Rule = Callable[[Client, "Context"], Iterator[Problem]]

# The clause of the policy (seed/000_f878738b94f90331.txt) each rule holds.
RULE_CLAUSES = {
    "special-type": "§2",
    "no-information-admin": "§3.1",
    "since-after-contact": "§3.3.1",
    "record-incomplete": "§3.3.2", "tax-id-invalid": "§3.3.2",
    "duplicate-tax-id": "§3.3.2", "postal-code-province": "§3.3.2",
    "phone-invalid": "§3.3.2",
    "change-unnoted": "§3.4.1",
    "no-recent-contact": "§3.4.2",
    "reports-missing": "§3.4.3",
    "contact-left": "§3.5", "contact-unknown": "§3.5",
    "grant-unconfirmed": "§3.6",
    "important-not-vip": "§7.1",
    "attachment-missing": "§7.2", "unlisted-file": "§7.2", "entry-name": "§7.2",
    "entry-date": "§7.2", "future-date": "§7.2", "entry-staff-unknown": "§7.2",
    "contacts-min": "§7.3", "primary-contact": "§7.3", "contact-report-overdue": "§7.3",
    "notice-draft": "§7.4", "contact-removed": "§7.4", "successor-no-contact": "§7.4",
}


@dataclass(frozen=True)
class Identity:
    """What makes a client distinct from the others: folder, id, tax id."""

    relpath: str
    id: str
    tax_id: str

    @classmethod
    def of(cls, client: Client) -> Identity:
        return cls(client.relpath, client.id, normal_tax_id(client.data.get("tax_id")))


class Context:
    """What rules about one client need to know about the rest of the archive."""

    def __init__(self, identities: Iterable[Identity], roster: Roster, policy: Policy,
                 today: date):
        self.roster = roster
        self.policy = policy
        self.today = today
        self.by_id: dict[str, list[Identity]] = defaultdict(list)
        self.by_tax_id: dict[str, list[Identity]] = defaultdict(list)
        for c in identities:
            self.by_id[c.id].append(c)
            if c.tax_id:
                self.by_tax_id[c.tax_id].append(c)


def _p(client: Client, path: tuple, rule: str, severity: str, message: str,
       file: str | None = None) -> Problem:
    line, column = client.mark(*path)
    return Problem(file or client.record_path, line, column, rule, severity, message)


def _status(c: Client) -> str:
    return str(c.data.get("status", ""))


def _open(c: Client) -> bool:
    """A client the company deals with or is courting (not inactive, not gone)."""
    return _status(c) in ("active", "prospect")


def _contact_entries(c: Client) -> list[Entry]:
    """Entries that record a contact with the client: not internal notes, not
    unsent drafts, not the notices of a change of contact."""
    return [e for e in c.entries if e.date and e.kind and e.kind != "note"
            and e.data.get("draft") is not True and e.data.get("notice") is not True]


# --- identity --------------------------------------------------------------------

def record_id(c: Client, ctx: Context) -> Iterator[Problem]:
    rid = c.data.get("id")
    if isinstance(rid, str) and rid != c.id:
        yield _p(c, ("id",), "id-mismatch", "error",
                 _("record id {record} differs from folder id {folder}; ids never change:"
                   " set id: {folder}").format(record=rid, folder=c.id))
    others = [o.relpath for o in ctx.by_id[c.id] if o.relpath != c.relpath]
    if others:
        yield _p(c, ("id",), "duplicate-id", "error",
                 _("client id {id} is also claimed by {others}; until one folder has it,"
                   " only staff that every claiming record allows see this client: rename"
                   " or remove the folder that is not this client's").format(
                     id=c.id, others=", ".join(others)))


# --- §2 who the clients are ------------------------------------------------------------

def special_type(c: Client, ctx: Context) -> Iterator[Problem]:
    category, stype = c.data.get("category"), c.data.get("special_type")
    if category == "special" and not stype:
        yield _p(c, ("category",), "special-type", "error",
                 _("special clients need a special_type (lawyer, bank, insurance...);"
                   " add it"))
    elif stype and category in ("supplier", "distributor"):
        yield _p(c, ("special_type",), "special-type", "error",
                 _("special_type applies only to category special, not {category};"
                   " remove it").format(category=category))


# --- §3.3 the client file ------------------------------------------------------------

def first_contact(c: Client, ctx: Context) -> Iterator[Problem]:
    """§3.3.1: the file is opened at the first contact, so nothing precedes `since`."""
    since = c.since
    earliest = min((e.date for e in c.entries if e.date and e.data.get("draft") is not True),
                   default=None)
    if since and earliest and earliest < since:
        yield _p(c, ("since",), "since-after-contact", "warning",
                 _("a contact is logged on {contact}, before the date of first contact"
                   " ({since}); the file is opened at the first contact: set since:"
                   " {iso}").format(contact=shown_date(earliest), since=shown_date(since),
                                    iso=earliest.isoformat()))


def tax_id(c: Client, ctx: Context) -> Iterator[Problem]:
    raw = c.data.get("tax_id")
    value = normal_tax_id(raw)
    others = [o.id for o in ctx.by_tax_id.get(value, []) if o.relpath != c.relpath] if value \
        else []
    if others:
        yield _p(c, ("tax_id",), "duplicate-tax-id", "error",
                 _("tax id {tax_id} is also the tax id of {others}; one client, one file:"
                   " merge them or correct the id").format(tax_id=raw,
                                                            others=", ".join(others)))
    if not value:
        return
    raw_address = c.data.get("address")
    address: dict = raw_address if isinstance(raw_address, dict) else {}
    if not is_spain(address.get("country")):
        if not is_foreign_vat(value) and len(value) < 5:
            yield _p(c, ("tax_id",), "tax-id-invalid", "error",
                     _("tax id {tax_id} is not a tax or VAT number: correct it").format(
                         tax_id=raw))
        return
    if tax_id_kind(value):
        return
    expected = tax_id_expected(value)
    if expected:
        yield _p(c, ("tax_id",), "tax-id-invalid", "error",
                 _("tax id {tax_id} has a wrong check character (with these digits it would"
                   " be {expected}): check it against the client's papers").format(
                     tax_id=raw, expected=expected))
    else:
        yield _p(c, ("tax_id",), "tax-id-invalid", "error",
                 _("tax id {tax_id} is not a Spanish NIF, NIE or CIF (such as 12345678Z,"
                   " X1234567L or B46103834): correct it").format(tax_id=raw))


# Basic information of every client file (policy §3.3.2), in the policy's order.
BASIC_FIELDS = ("tax_id", "legal_representative", "address", "phone", "fax", "email",
                "business_scope", "registered_capital")
ADDRESS_FIELDS = ("street", "city", "postal_code")


def missing_fields(c: Client) -> list[str]:
    """The basic fields the record lacks; share capital only for legal forms that
    have it; the postal code is part of the address."""
    d = c.data
    missing = [f for f in BASIC_FIELDS if not d.get(f)]
    if "registered_capital" in missing and d.get("tax_id") and not has_share_capital(
            d.get("tax_id")):
        missing.remove("registered_capital")
    address = d.get("address")
    if isinstance(address, dict):
        missing += [f"address.{f}" for f in ADDRESS_FIELDS if not address.get(f)]
    return missing


def record_complete(c: Client, ctx: Context) -> Iterator[Problem]:
    """§3.3.2: the basic information of every client the company deals with; an error
    or a warning by the client's status, as the policy's settings say."""
    if c.loaded is None:
        return
    severity = ctx.policy.incomplete_record.get(_status(c), "off")
    if severity not in ("error", "warning"):
        return
    missing = missing_fields(c)
    if missing:
        yield _p(c, (), "record-incomplete", severity,
                 _("the client file lacks {fields}; complete it").format(
                     fields=", ".join(missing)))


def postal_code(c: Client, ctx: Context) -> Iterator[Problem]:
    address = c.data.get("address")
    if not isinstance(address, dict) or not is_spain(address.get("country")):
        return
    code = province_of_postal_code(address.get("postal_code"))
    province = address.get("province")
    if code is None or not province:
        return  # the schema checks the postal code's form
    named = province_code(province)
    if named is None:
        yield _p(c, ("address", "province"), "postal-code-province", "warning",
                 _("'{province}' is not the name of a Spanish province; write it as Correos"
                   " does (postal code {postal_code}: {expected})").format(
                     province=province, postal_code=address.get("postal_code"),
                     expected=PROVINCE_NAME[code]))
    elif named != code:
        yield _p(c, ("address", "postal_code"), "postal-code-province", "error",
                 _("postal code {postal_code} is in {expected}, not in {province}: correct"
                   " one of them").format(postal_code=address.get("postal_code"),
                                          expected=PROVINCE_NAME[code], province=province))


def phones(c: Client, ctx: Context) -> Iterator[Problem]:
    d = c.data
    numbers: list[tuple[tuple, object]] = [((k,), d.get(k)) for k in ("phone", "fax")]
    people = d.get("client_contacts")
    for i, person in enumerate(people if isinstance(people, list) else []):
        if isinstance(person, dict):
            numbers.append((("client_contacts", i, "phone"), person.get("phone")))
    for path, value in numbers:
        if value and isinstance(value, str) and not phone_ok(value):
            yield _p(c, path, "phone-invalid", "error",
                     _("{field} '{number}' is neither a Spanish number of nine digits"
                       " (+34 963 521 480) nor an international one (+33 1 42 68 53 00):"
                       " correct it").format(field=".".join(map(str, path)), number=value))


# --- §3.4 keeping the file up to date ----------------------------------------------

def last_contact(c: Client, ctx: Context) -> Iterator[Problem]:
    """§3.4.2: the relationship with the company is recorded in the file: a client
    the company deals with has contacts logged."""
    if not _open(c) or c.since is None:
        return
    limit = ctx.policy.max_days_without_contact
    last = max((d for e in _contact_entries(c) if (d := e.date) and d <= ctx.today),
               default=None)
    start = max(filter(None, (c.since, last)))
    if (ctx.today - start).days <= limit:
        return
    if last is None:
        message = _("no contact with this client has been logged since it became one on"
                    " {since}; the policy asks for one at least every {days} days: log calls,"
                    " letters and visits with 'archive-tool log {id} ...'").format(
                        since=shown_date(c.since), days=limit, id=c.id)
    else:
        message = _("the last contact logged was on {last}; the policy asks for one at"
                    " least every {days} days: log calls, letters and visits with"
                    " 'archive-tool log {id} ...'").format(last=shown_date(last), days=limit,
                                                           id=c.id)
    yield _p(c, ("status",), "no-recent-contact", "warning", message)


def reports(c: Client, ctx: Context) -> Iterator[Problem]:
    """§3.4.3: each year's annual report and financial statements accumulate, due by
    the policy's day of the following year; an empty or unreadable file is none."""
    since = c.since
    if since is None or _status(c) not in ("active", "inactive"):
        return
    years = c.reports(ctx.policy)
    for year in range(since.year, ctx.today.year):
        due = ctx.policy.reports_due_on(year)
        if ctx.today <= due:
            continue
        have = years.get(year, {})
        for kind in ("annual", "financial"):
            names = have.get(kind) or []
            if any(c.report_readable(year, n) for n in names):
                continue
            folder = f"{REPORTS}/{year}/"
            if names:
                message = (_("the annual report for {year} in {folder} ({files}) is empty or"
                             " cannot be read: file a readable copy") if kind == "annual"
                           else _("the financial statements for {year} in {folder} ({files})"
                                  " are empty or cannot be read: file a readable copy"))
            else:
                message = (_("no annual report for {year} (due by {due}): file it in"
                             " {folder}") if kind == "annual"
                           else _("no financial statements for {year} (due by {due}): file"
                                  " them in {folder}"))
            yield _p(c, ("since",), "reports-missing", "warning", message.format(
                year=year, folder=folder, files=", ".join(names), due=shown_date(due)))


# --- §7 managing the relationship ------------------------------------------------------

def important_vip(c: Client, ctx: Context) -> Iterator[Problem]:
    """§7.1: important clients are treated at VIP level."""
    if c.data.get("important") is True and c.data.get("tier") != "vip" \
            and _status(c) not in ("inactive", "terminated"):
        yield _p(c, ("tier",) if "tier" in c.data else ("important",), "important-not-vip",
                 "error", _("important clients are treated at VIP level (policy §7): set"
                            " tier: vip"))


def contacts(c: Client, ctx: Context) -> Iterator[Problem]:
    active = 0
    primaries = 0
    for i, contact in enumerate(c.contacts):
        sid = str(contact.get("staff", ""))
        member = ctx.roster.get(sid)
        if contact.get("role") == "primary":
            primaries += 1
        if member is None:
            yield _p(c, ("contacts", i, "staff"), "contact-unknown", "error",
                     _("contact {staff} is not in staff.yaml; add them or assign someone who"
                       " is").format(staff=sid))
        elif not member.active:
            yield _p(c, ("contacts", i, "staff"), "contact-left", "error",
                     _("contact {staff} ({name}) has left ({status}): hand this client over"
                       " with 'archive-tool staff transfer {staff} --to E-...'").format(
                         staff=sid, name=member.name, status=member.status))
        else:
            active += 1
    if c.loaded and "contacts" in c.data and primaries != 1:
        yield _p(c, ("contacts",), "primary-contact", "error",
                 ngettext("{count} primary contact; name exactly one contact with role:"
                          " primary",
                          "{count} primary contacts; name exactly one contact with role:"
                          " primary", primaries).format(count=primaries))
    important = c.data.get("important") is True
    vip = c.data.get("tier") == "vip"
    needed = max(ctx.policy.important_min_contacts if important else 0,
                 ctx.policy.vip_min_contacts if vip else 0)
    if active < needed and _status(c) not in ("inactive", "terminated"):
        message = (ngettext("important client with {active} active staff contact; the policy"
                            " asks for more than two, {needed}: add one with 'archive-tool"
                            " client grant {id} --contact E-...'",
                            "important client with {active} active staff contacts; the"
                            " policy asks for more than two, {needed}: add one with"
                            " 'archive-tool client grant {id} --contact E-...'", active)
                   if important and needed == ctx.policy.important_min_contacts else
                   ngettext("VIP client with {active} active staff contact; the policy asks"
                            " for {needed}: add one with 'archive-tool client grant {id}"
                            " --contact E-...'",
                            "VIP client with {active} active staff contacts; the policy asks"
                            " for {needed}: add one with 'archive-tool client grant {id}"
                            " --contact E-...'", active))
        yield _p(c, ("contacts",), "contacts-min", "error",
                 message.format(active=active, needed=needed, id=c.id))


def contact_reports(c: Client, ctx: Context) -> Iterator[Problem]:
    """§7.3: important clients have a system of contact reports."""
    if c.data.get("important") is not True or _status(c) != "active":
        return
    every = ctx.policy.contact_report_every_days
    dates = [e.date for e in c.entries if e.kind == "contact_report" and e.date]
    last = max(dates, default=None)
    start = max(filter(None, (c.since, last)), default=None)
    if start is None or ctx.today - start > timedelta(days=every):
        message = (_("important clients need a contact report every {days} days; the last"
                     " was on {last}: log one with 'archive-tool log {id} --kind"
                     " contact_report ...'") if last else
                   _("important clients need a contact report every {days} days; there is"
                     " none: log one with 'archive-tool log {id} --kind contact_report ...'"))
        yield _p(c, ("important",), "contact-report-overdue", "warning", message.format(
            days=every, last=shown_date(last) if last else "", id=c.id))


def successors(c: Client, ctx: Context) -> Iterator[Problem]:
    """§7.4: a contact assigned to replace another establishes contact quickly: a
    contact assigned after the file was opened logs a contact within the policy's days."""
    if not _open(c) or c.since is None:
        return
    days = ctx.policy.handover_contact_days
    entries = _contact_entries(c)
    for i, contact in enumerate(c.contacts):
        assigned = parse_date(contact.get("since"))
        sid = str(contact.get("staff", ""))
        member = ctx.roster.get(sid)
        if assigned is None or assigned <= c.since or member is None or not member.active:
            continue
        if (ctx.today - assigned).days <= days:
            continue
        if any(sid in e.staff and (d := e.date) and d >= assigned for e in entries):
            continue
        yield _p(c, ("contacts", i), "successor-no-contact", "warning",
                 _("{staff} ({name}) took this client over on {since} and has logged no"
                   " contact with it since; the policy asks for contact within {days} days:"
                   " log it with 'archive-tool log {id} --staff {staff} ...'").format(
                     staff=sid, name=member.name, since=shown_date(assigned), days=days,
                     id=c.id))


def notices(c: Client, ctx: Context) -> Iterator[Problem]:
    """§7.4: a draft notice (a hand-over letter) must be sent within the policy's days."""
    limit = ctx.policy.notice_draft_max_days
    for e in c.entries:
        if e.data.get("draft") is True and e.date and (ctx.today - e.date).days > limit:
            line, column = e.loaded.mark(("draft",)) if e.loaded else (1, 1)
            yield Problem(e.relpath, line, column, "notice-draft", "error",
                          _("this notice is still a draft after {days} days: send it, then"
                            " 'archive-tool log {id} --kind letter --direction out --sends"
                            " {name} ...'").format(days=limit, id=c.id, name=e.path.name))


def entries(c: Client, ctx: Context) -> Iterator[Problem]:
    """§7.2: letters, faxes and calls are logged and filed in the client's file."""
    present = {name for name, st in c.listing(CORRESPONDENCE_DIR).items()
               if not stat.S_ISDIR(st.st_mode)}  # a link is the symlink rule's
    for e in c.entries:
        yield from e.problems
        if e.loaded is None:
            continue
        m = ENTRY_NAME.match(e.path.name)

        def at(*path, _loaded=e.loaded) -> tuple[int, int]:
            return _loaded.mark(path)

        if not m or parse_date(m.group(1)) is None:
            yield Problem(e.relpath, 1, 1, "entry-name", "error",
                          _("entry file names start with their date"
                            " (YYYY-MM-DD-subject.yaml); rename the file"))
        elif e.date and m.group(1) != e.date.isoformat():
            yield Problem(e.relpath, *at("date"), "entry-date", "warning",
                          _("date {date} differs from the file name's {named}; correct one of"
                            " them").format(date=shown_date(e.date),
                                            named=shown_date(m.group(1))))
        if e.date and e.date > ctx.today:
            yield Problem(e.relpath, *at("date"), "future-date", "error",
                          _("date {date} is in the future; record contacts once they"
                            " happen").format(date=shown_date(e.date)))
        for i, sid in enumerate(e.staff):
            if ctx.roster.get(sid) is None:
                yield Problem(e.relpath, *at("staff", i), "entry-staff-unknown", "error",
                              _("staff {staff} is not in staff.yaml; correct the id").format(
                                  staff=sid))
        for i, name in enumerate(e.attachments):
            if "/" in name or name in (".", ".."):
                continue  # the schema reports it
            if name not in present:
                yield Problem(e.relpath, *at("attachments", i), "attachment-missing", "error",
                              _("attachment {name} is not in {folder}/; copy it in or remove"
                                " it from the list").format(name=name,
                                                            folder=CORRESPONDENCE_DIR))
    named = {a for e in c.entries for a in e.attachments} | {e.path.name for e in c.entries}
    for name in c.correspondence_files():
        if name not in named:
            yield Problem(f"{c.relpath}/{CORRESPONDENCE_DIR}/{name}", 1, 1, "unlisted-file",
                          "warning", _("no entry names this file; log it with 'archive-tool"
                                       " log {id} --file ...' or add it to an entry's"
                                       " attachments").format(id=c.id))


def symlinks(c: Client, ctx: Context) -> Iterator[Problem]:
    """Links (never followed) and pipes or devices anywhere in the client's folder."""
    for rel, st in sorted(walk_in(c.root, c.relpath)):
        if stat.S_ISLNK(st.st_mode):
            yield Problem(rel, 1, 1, "symlink", "error", _(SYMLINK_MESSAGE))
        elif not stat.S_ISREG(st.st_mode):
            yield unsafe_problem(UnsafePath(rel, link=False))


RULES: tuple[Rule, ...] = (record_id, tax_id, special_type, first_contact, record_complete,
                           postal_code, phones, important_vip, contacts, successors, entries,
                           notices, last_contact, reports, contact_reports, symlinks)


def check_client(client: Client, ctx: Context) -> list[Problem]:
    problems = list(client.problems)
    for rule in RULES:
        problems.extend(rule(client, ctx))
    return sorted(set(problems))


# --- §3.6 grants, against what an admin confirmed ------------------------------------

def grant_problems(c: Client, confirmed: Grants | None) -> list[Problem]:
    """§3.6 and §7.4: `access` and contacts change only through an information admin
    (`client grant`, `client revoke`, `staff transfer`, `staff depart`). What the record
    grants beyond what an admin confirmed is not in force; what it dropped is, but a
    removed contact still needs the client's notice."""
    if confirmed is None or c.loaded is None:
        return []
    current = c.grants
    added, removed = current - confirmed, confirmed - current
    found = []
    for i, contact in enumerate(c.contacts):
        sid = str(contact.get("staff"))
        if sid in added.contacts:
            found.append(_p(c, ("contacts", i, "staff"), "grant-unconfirmed", "error", _(
                "{staff} was made a contact outside 'client grant' and sees nothing of this"
                " client until an information admin confirms it: 'archive-tool client grant"
                " {id} --contact {staff}'").format(staff=sid, id=c.id)))
    raw_access = c.data.get("access")
    access: dict = raw_access if isinstance(raw_access, dict) else {}
    for kind, option in (("staff", "--staff"), ("departments", "--department")):
        raw_values = access.get(kind)
        values: list = raw_values if isinstance(raw_values, list) else []
        for i, value in enumerate(values):
            if str(value) in getattr(added, kind):
                found.append(_p(c, ("access", kind, i), "grant-unconfirmed", "error", _(
                    "access for {who} was added outside 'client grant' and is not in force"
                    " until an information admin confirms it: 'archive-tool client grant"
                    " {id} {option} {who}'").format(who=value, id=c.id, option=option)))
    for sid in sorted(removed.contacts):
        found.append(_p(c, ("contacts",), "contact-removed", "error", _(
            "contact {staff} was removed outside 'client revoke' or 'staff transfer'; the"
            " client must be told (policy §7): 'archive-tool client revoke {id} --contact"
            " {staff}' drafts the notice").format(staff=sid, id=c.id)))
    for kind, option in (("staff", "--staff"), ("departments", "--department")):
        for value in sorted(getattr(removed, kind)):
            found.append(_p(c, ("access",) if "access" in c.data else (),
                            "grant-unconfirmed", "error", _(
                "access for {who} was removed outside 'client revoke' (it is no longer in"
                " force): an information admin confirms it with 'archive-tool client revoke"
                " {id} {option} {who}'").format(who=value, id=c.id, option=option)))
    return found
