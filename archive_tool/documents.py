"""What the index holds for each file of a client folder (its fields, not its text).

One document per file: the client record, each correspondence entry, each
attachment (carrying its entry's kind, date, subject, staff and confidential
flag), each report, and any other file in the folder. A document's fields
depend only on the folder's YAML files and the file's place, so a hash of
them tells whether a document must be rewritten.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import PurePosixPath

from archive_tool.config import Policy
from archive_tool.records import CORRESPONDENCE, REPORTS, Client, report_kind


def _values(data) -> list[str]:
    if isinstance(data, dict):
        return [v for value in data.values() for v in _values(value)]
    if isinstance(data, list):
        return [v for value in data for v in _values(value)]
    return [] if data is None or isinstance(data, bool) else [str(data)]


def client_fields(client: Client) -> dict:
    d = client.data
    return {"client_id": client.id, "client_name": client.name or client.id,
            "category": d.get("category"), "special_type": d.get("special_type"),
            "tier": d.get("tier", "standard"), "status": d.get("status")}


VERSION = "1"  # change with plan(): every document's fields are recomputed

REPORT_KINDS = {"annual": ("annual_report", "Informe anual"),
                "financial": ("financial_statements", "Estados financieros"),
                "other": ("report", "Informe")}


def plan(client: Client, files: list[str], policy: Policy) -> dict[str, dict]:
    """Fields of every file of the folder (paths relative to the archive root).
    Fields named 'text' carry text that is indexed as it is (for YAML records)."""
    base = client_fields(client)
    entries = {e.relpath: e for e in client.entries}
    owner = {f"{client.relpath}/{CORRESPONDENCE}/{a}": e
             for e in client.entries for a in e.attachments}
    docs: dict[str, dict] = {}
    for rel in files:
        inner = PurePosixPath(rel).relative_to(client.relpath)
        name = inner.name
        doc = dict(base, doc="file", kind="file", title=name, staff=[], date=None,
                   confidential=False, direction=None, entry=None)
        if str(inner) == "client.yaml":
            doc.update(doc="record", kind="client", title=client.name or client.id,
                       date=_iso(client.since), staff=[str(c.get("staff"))
                                                       for c in client.contacts],
                       text="\n".join(_values(client.data)))
        elif rel in entries:
            doc.update(_entry_fields(entries[rel]), doc="entry", entry=rel)
            e = entries[rel]
            doc["text"] = "\n".join(_values({k: e.data.get(k) for k in (
                "subject", "summary", "counterpart", "attachments")}))
        elif rel in owner:
            e = owner[rel]
            doc.update(_entry_fields(e), doc="attachment", entry=e.relpath)
            doc["title"] = f"{doc['title']} ({name})"
        elif inner.parts[0] == REPORTS and len(inner.parts) == 3 and inner.parts[1].isdigit():
            kind, label = REPORT_KINDS[report_kind(name, policy)]
            year = inner.parts[1]
            doc.update(doc="report", date=f"{year}-12-31", kind=kind,
                       title=f"{label} {year}: {client.name} ({name})")
        docs[rel] = doc
    return docs


def _entry_fields(e) -> dict:
    d = e.data
    return {"kind": e.kind or "note", "title": str(d.get("subject", e.path.name)),
            "date": _iso(e.date), "staff": e.staff, "confidential": e.confidential,
            "direction": d.get("direction")}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def fields_hash(doc: dict) -> str:
    blob = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()
