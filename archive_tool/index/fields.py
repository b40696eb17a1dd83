"""The index schema, in one place. Change SCHEMA_VERSION with it: the index rebuilds.

Besides the words, each document carries what makes searching cheap:
- `pairs`: each two adjacent terms of the title, the client's name and the text, so
  a phrase is a term lookup (the text fields keep no positions: reading positions
  is most of what a search of a common word costs, and phrases need none);
- `year`, `month`, `day`: its date as plain terms, so a date range is a union of a
  few terms (whole years, whole months, the days at the edges);
- `group` and `when` (columns, read in bulk): the document a file belongs to (an
  entry and its attachments are one) and its date, for one hit per document and
  sorting by date.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from whoosh import columns, fields
from whoosh.analysis import IDTokenizer

from archive_tool.index.analysis import name_terms, spanish_analyzer, terms

SCHEMA_VERSION = "4"
EXCERPT_CHARS = 20_000  # stored for snippets; the whole text is indexed
NO_DATE = 0  # `when` of a document without a date


def make_schema() -> fields.Schema:
    spanish = spanish_analyzer()
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        client_id=fields.ID(stored=True),
        client_name=fields.TEXT(stored=True, analyzer=spanish, phrase=False),
        category=fields.ID,
        special_type=fields.ID,
        tier=fields.ID,
        status=fields.ID,
        staff=fields.KEYWORD(stored=True, lowercase=False, commas=False),
        kind=fields.ID(stored=True),
        doc=fields.ID(stored=True),
        entry=fields.ID(stored=True),
        direction=fields.ID,
        date=fields.DATETIME(stored=True),
        year=fields.ID(stored=True),
        month=fields.ID,
        day=fields.ID,
        confidential=fields.BOOLEAN(stored=True),
        title=fields.TEXT(stored=True, analyzer=spanish, field_boost=2.0, phrase=False),
        content=fields.TEXT(analyzer=spanish, phrase=False),
        pairs=fields.KEYWORD(analyzer=IDTokenizer()),
        group=fields.COLUMN(columns.NumericColumn("q")),
        when=fields.COLUMN(columns.NumericColumn("i", default=NO_DATE)),
        excerpt=fields.STORED,
    )


def group_key(text: str) -> int:
    """A document's group as a number: equal for an entry and its attachments."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(),
                          "big", signed=True)


def pairs(stems: list[str]) -> list[str]:
    """Adjacent terms of a text, the terms of the `pairs` field."""
    return [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def to_document(doc: dict, body: str, content_terms: list[str]) -> dict:
    """Whoosh field values from a planned document, its text and the text's terms
    (analysed beforehand, possibly in another process)."""
    day = date.fromisoformat(doc["date"]) if doc.get("date") else None
    title = terms(doc.get("title") or "")
    name = list(name_terms(doc["client_name"]))
    out = {
        "path": doc["path"], "client_id": doc["client_id"],
        "client_name": name,
        "staff": " ".join(doc.get("staff") or []),
        "kind": doc["kind"], "doc": doc["doc"], "confidential": bool(doc.get("confidential")),
        "title": title, "content": content_terms,
        "pairs": [*pairs(title), *pairs(name), *pairs(content_terms)],
        "group": group_key(doc.get("entry") or doc["path"]),
        "excerpt": body[:EXCERPT_CHARS],
        "_stored_client_name": doc["client_name"], "_stored_title": doc.get("title") or "",
    }
    for key in ("category", "special_type", "tier", "status", "direction", "entry"):
        if doc.get(key):
            out[key] = str(doc[key])
    if day:
        out["date"] = datetime(day.year, day.month, day.day)
        out["year"] = str(day.year)
        out["month"] = f"{day.year:04d}-{day.month:02d}"
        out["day"] = day.isoformat()
        out["when"] = day.toordinal()
    return out
