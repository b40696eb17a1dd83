"""What is wrong with the archive: the policy's rules over each client plus what the
tool's stores know (files it could not read, edits of checked-out files, changes
made without a note), and `validate`."""

from __future__ import annotations

from functools import cached_property

from archive_tool import ocr
from archive_tool.archive import Archive
from archive_tool.config import ARCHIVE_FILE, CLIENTS_DIR
from archive_tool.i18n import _
from archive_tool.ledger import Checkout
from archive_tool.printable import escaped
from archive_tool.problems import Problem
from archive_tool.reconcile import unnameable
from archive_tool.records import Client, Grants, Roster, client_folders, read_record
from archive_tool.rules import Context, check_client, grant_problems
from archive_tool.scans import ScanQueue, Untexted
from archive_tool.statedir import CATALOG
from archive_tool.words import shown_date


class Findings:
    """The problems of clients as one command or one daemon pass sees them; what the
    stores know is read once, not once per client."""

    def __init__(self, archive: Archive, context: Context | None = None):
        self.archive = archive
        self.context = context or archive.context
        self.stored = (archive.state_dir / CATALOG).is_file()

    @cached_property
    def extraction_problems(self) -> list[tuple[str, str]]:
        return self.archive.catalog.problems() if self.stored else []

    @cached_property
    def untexted(self) -> list[Untexted]:
        """Scanned files with no text yet (waiting for OCR, or OCR failed)."""
        return ScanQueue(self.archive.catalog.db).untexted() if self.stored else []

    @cached_property
    def open_edits(self) -> list[Checkout]:
        return [c for c in self.archive.ledger.open() if c.edit] if self.stored else []

    @cached_property
    def unnoted_changes(self) -> dict[str, list[tuple[str, str]]]:
        return self.archive.catalog.unnoted() if self.stored else {}

    @cached_property
    def confirmed_grants(self) -> dict[str, Grants]:
        return {cid: Grants.from_json(g) for cid, g in (
            self.archive.catalog.confirmed_grants() if self.stored else {}).items()}

    def edit_conflicts(self, client: Client) -> list[Checkout]:
        """Open edit check-outs of the client whose file changed in the archive since."""
        held = [c for c in self.open_edits if c.client_id == client.id]
        if not held:
            return []
        rows = self.archive.catalog.rows(under=[client.relpath])
        return [c for c in held if c.path in rows and rows[c.path].sha256 != c.sha256]

    def problems(self, client: Client) -> list[Problem]:
        found = check_client(client, self.context)
        prefix = client.relpath + "/"
        found += [Problem(path, 1, 1, "extract-failed", "warning", f"{problem}")
                  for path, problem in self.extraction_problems if path.startswith(prefix)]
        if self.untexted:
            why = ocr.unavailable()
            found += [Problem(u.path, 1, 1, "no-text", "warning",
                              _("no text: {reason}; until it is read it is found by its name and"
                                " entry only").format(
                                  reason=u.reason(why)))
                      for u in self.untexted if u.path.startswith(prefix)]
        for held in self.edit_conflicts(client):
            found.append(Problem(held.path, 1, 1, "checked-out-edited", "warning",
                                 _("changed here while checked out for editing by {login}"
                                   " until {due}; both versions are kept: agree which one"
                                   " stays before the check-in").format(
                                       login=held.login, due=shown_date(held.due))))
        for field, at in self.unnoted_changes.get(client.id, []):
            line, column = client.mark(field)
            found.append(Problem(client.record_path, line, column, "change-unnoted", "warning",
                                 _("{field} changed on {date} without a note: add one to"
                                   " changes (date, by, summary)").format(
                                       field=field, date=shown_date(at[:10]))))
        found += grant_problems(client, self.confirmed_grants.get(client.id))
        found += [Problem(escaped(bad), 1, 1, "file-name", "error",
                          _("the file's name is not valid UTF-8 or holds control characters"
                            " (shown escaped); rename it so that it can be catalogued and"
                            " found"))
                  for bad in unnameable(self.archive.root, client.folder)]
        return sorted(set(found))

    def visible(self, client: Client) -> list[Problem]:
        """The client's problems, without those of entries the caller may not see."""
        hidden = self.archive.hidden_paths(client)
        return [p for p in self.problems(client) if p.path not in hidden]

    def of_archive(self) -> list[Problem]:
        """Problems of archive.yaml, staff.yaml and stray folders."""
        root = self.archive.root
        _data, problems = read_record(root, ARCHIVE_FILE, "archive")
        problems += Roster.load(root, check=True).problems
        base = root / CLIENTS_DIR
        ids = {folder.name for _, folder in client_folders(root)}
        if base.is_dir():
            for entry in sorted(base.iterdir()):
                if entry.name not in ids and not entry.name.startswith("."):
                    problems.append(Problem(
                        f"{CLIENTS_DIR}/{entry.name}", 1, 1, "folder-name", "warning",
                        _("not a client folder (CL-0000 or CL-0000-slug); rename or move it")))
        return problems


def validate(archive: Archive, ids: list[str] | None = None) -> list[Problem]:
    findings = Findings(archive)
    if ids:
        clients = [archive.client(i, "validate") for i in ids]
        found = []
    else:
        clients = archive.visible_clients()
        found = findings.of_archive() if archive.user.is_admin else []
    for c in clients:
        found += findings.visible(c)
    archive.record("validate", detail=" ".join(c.id for c in clients))
    return sorted(found)
