"""Policy rules across files. Each rule has a stable id and says what to do."""

from __future__ import annotations

import stat
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from archive_tool.config import Policy
from archive_tool.files import UnsafePath, walk_in
from archive_tool.problems import Problem
from archive_tool.records import CORRESPONDENCE as CORRESPONDENCE_DIR
from archive_tool.records import (
    ENTRY_NAME,
    SYMLINK_MESSAGE,
    Client,
    Roster,
    parse_date,
    unsafe_problem,
)

Rule = Callable[[Client, "Context"], Iterator[Problem]]


@dataclass(frozen=True)
class Identity:
    """What makes a client distinct from the others: folder, id, tax id."""

    relpath: str
    id: str
    tax_id: str

    @classmethod
    def of(cls, client: Client) -> Identity:
        return cls(client.relpath, client.id, normal_tax_id(client.data.get("tax_id")))


def normal_tax_id(value) -> str:
    return str(value or "").upper().replace("-", "").replace(".", "").replace(" ", "")


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


def record_id(c: Client, ctx: Context) -> Iterator[Problem]:
    rid = c.data.get("id")
    if isinstance(rid, str) and rid != c.id:
        yield _p(c, ("id",), "id-mismatch", "error",
                 f"record id {rid} differs from folder id {c.id}; ids never change: set id: {c.id}")
    others = [o.relpath for o in ctx.by_id[c.id] if o.relpath != c.relpath]
    if others:
        yield _p(c, ("id",), "duplicate-id", "error",
                 f"client id {c.id} is also claimed by {', '.join(others)}; until one folder"
                 " has it, only staff that every claiming record allows see this client:"
                 " rename or remove the folder that is not this client's")


def tax_id(c: Client, ctx: Context) -> Iterator[Problem]:
    value = normal_tax_id(c.data.get("tax_id"))
    others = [o.id for o in ctx.by_tax_id.get(value, []) if o.relpath != c.relpath] if value \
        else []
    if others:
        yield _p(c, ("tax_id",), "duplicate-tax-id", "error",
                 f"tax id {c.data['tax_id']} is also the tax id of {', '.join(others)};"
                 " one client, one file: merge them or correct the id")


def special_type(c: Client, ctx: Context) -> Iterator[Problem]:
    category, stype = c.data.get("category"), c.data.get("special_type")
    if category == "special" and not stype:
        yield _p(c, ("category",), "special-type", "error",
                 "special clients need a special_type (lawyer, bank, insurance...); add it")
    elif stype and category in ("supplier", "distributor"):
        yield _p(c, ("special_type",), "special-type", "error",
                 f"special_type applies only to category special, not {category}; remove it")


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
                     f"contact {sid} is not in staff.yaml; add them or assign someone who is")
        elif not member.active:
            yield _p(c, ("contacts", i, "staff"), "contact-left", "error",
                     f"contact {sid} ({member.name}) is {member.status}: hand this client over"
                     f" with 'archive-tool staff transfer {sid} --to E-...'")
        else:
            active += 1
    if c.loaded and "contacts" in c.data and primaries != 1:
        yield _p(c, ("contacts",), "primary-contact", "error",
                 f"{primaries} primary contacts; name exactly one contact with role: primary")
    needed = max(ctx.policy.important_min_contacts if c.data.get("important") is True else 0,
                 ctx.policy.vip_min_contacts if c.data.get("tier") == "vip" else 0)
    if active < needed and c.data.get("status") not in ("inactive", "terminated"):
        what = "VIP" if c.data.get("tier") == "vip" else "important"
        yield _p(c, ("contacts",), "contacts-min", "error",
                 f"{what} client has {active} active staff contact(s); the policy asks for"
                 f" {needed}: add a backup contact")


def entries(c: Client, ctx: Context) -> Iterator[Problem]:
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
                          "entry file names start with their date (YYYY-MM-DD-subject.yaml);"
                          " rename the file")
        elif e.date and m.group(1) != e.date.isoformat():
            yield Problem(e.relpath, *at("date"), "entry-date", "warning",
                          f"date {e.date} differs from the file name's {m.group(1)};"
                          " correct one of them")
        if e.date and e.date > ctx.today:
            yield Problem(e.relpath, *at("date"), "future-date", "error",
                          f"date {e.date} is in the future; record contacts once they happen")
        for i, sid in enumerate(e.staff):
            if ctx.roster.get(sid) is None:
                yield Problem(e.relpath, *at("staff", i), "entry-staff-unknown", "error",
                              f"staff {sid} is not in staff.yaml; correct the id")
        for i, name in enumerate(e.attachments):
            if "/" in name or name in (".", ".."):
                continue  # the schema reports it
            if name not in present:
                yield Problem(e.relpath, *at("attachments", i), "attachment-missing", "error",
                              f"attachment {name} is not in {CORRESPONDENCE_DIR}/; copy it in or"
                              " remove it from the list")
    named = {a for e in c.entries for a in e.attachments} | {e.path.name for e in c.entries}
    for name in c.correspondence_files():
        if name not in named:
            yield Problem(f"{c.relpath}/{CORRESPONDENCE_DIR}/{name}", 1, 1, "unlisted-file",
                          "warning", "no entry names this file; log it with 'archive-tool log"
                          f" {c.id} --file ...' or add it to an entry's attachments")


def reports(c: Client, ctx: Context) -> Iterator[Problem]:
    since = c.since
    if since is None or c.data.get("status") not in ("active", "inactive"):
        return
    years = c.reports(ctx.policy)
    for year in range(since.year, ctx.today.year):
        have = years.get(year, {})
        for kind, label in (("annual", "annual report"), ("financial", "financial statements")):
            if not have.get(kind):
                yield _p(c, ("since",), "reports-missing", "warning",
                         f"no {label} for {year}: file it in reports/{year}/")


def contact_reports(c: Client, ctx: Context) -> Iterator[Problem]:
    if c.data.get("important") is not True or c.data.get("status") != "active":
        return
    every = ctx.policy.contact_report_every_days
    dates = [e.date for e in c.entries if e.kind == "contact_report" and e.date]
    last = max(dates, default=None)
    start = max(filter(None, (c.since, last)), default=None)
    if start is None or ctx.today - start > timedelta(days=every):
        when = f"the last was on {last}" if last else "there is none"
        yield _p(c, ("important",), "contact-report-overdue", "warning",
                 f"important clients need a contact report every {every} days; {when}:"
                 f" log one with 'archive-tool log {c.id} --kind contact_report ...'")


def symlinks(c: Client, ctx: Context) -> Iterator[Problem]:
    """Links (never followed) and pipes or devices anywhere in the client's folder."""
    for rel, st in sorted(walk_in(c.root, c.relpath)):
        if stat.S_ISLNK(st.st_mode):
            yield Problem(rel, 1, 1, "symlink", "error", SYMLINK_MESSAGE)
        elif not stat.S_ISREG(st.st_mode):
            yield unsafe_problem(UnsafePath(rel, link=False))


BASIC_FIELDS = ("tax_id", "legal_representative", "address", "phone", "fax", "email",
                "business_scope", "registered_capital")


def record_complete(c: Client, ctx: Context) -> Iterator[Problem]:
    """Policy §3.3: the basic information of every client the company deals with."""
    if c.loaded is None or c.data.get("status") not in ("active", "inactive"):
        return
    missing = [f for f in BASIC_FIELDS if not c.data.get(f)]
    if missing:
        yield _p(c, (), "record-incomplete", "warning",
                 f"the client file lacks {', '.join(missing)}; complete it")


def notices(c: Client, ctx: Context) -> Iterator[Problem]:
    """A draft notice (a hand-over letter) must be sent within the policy's days."""
    limit = ctx.policy.notice_draft_max_days
    for e in c.entries:
        if e.data.get("draft") is True and e.date and (ctx.today - e.date).days > limit:
            line, column = e.loaded.mark(("draft",)) if e.loaded else (1, 1)
            yield Problem(e.relpath, line, column, "notice-draft", "error",
                          f"this notice is still a draft after {limit} days: send it, then"
                          f" 'archive-tool log {c.id} --kind letter --direction out"
                          f" --sends {e.path.name} ...'")


RULES: tuple[Rule, ...] = (record_id, tax_id, special_type, record_complete, contacts,
                           entries, notices, reports, contact_reports, symlinks)


def check_client(client: Client, ctx: Context) -> list[Problem]:
    problems = list(client.problems)
    for rule in RULES:
        problems.extend(rule(client, ctx))
    return sorted(set(problems))
